//! GitHub's runner, as far as the tests need it: how it reads workflow commands from a step's
//! output.

/// What GitHub's runner executes from a step's output: `::name props::data` at the start of a
/// line (leading white space allowed, to be strict), the legacy `##[name props]data`, and
/// `::stop-commands::TOKEN` … `::TOKEN::`, during which nothing runs.
pub fn runner_commands(stdout: &str) -> Vec<(String, String)> {
    let mut stopped: Option<String> = None;
    let mut out = Vec::new();
    for line in stdout.lines() {
        let l = line.trim_start();
        if let Some(token) = &stopped {
            if l == format!("::{token}::") {
                stopped = None;
            }
            continue;
        }
        let parsed = if let Some(rest) = l.strip_prefix("::") {
            rest.split_once("::").map(|(cmd, data)| (cmd.to_string(), data.to_string()))
        } else if let Some(rest) = l.strip_prefix("##[") {
            rest.split_once(']').map(|(cmd, data)| (cmd.to_string(), data.to_string()))
        } else {
            None
        };
        if let Some((cmd, data)) = parsed {
            let name = cmd.split(' ').next().unwrap_or("").to_string();
            if name == "stop-commands" {
                stopped = Some(data.clone());
            }
            out.push((cmd, data));
        }
    }
    assert!(stopped.is_none(), "commands were stopped and never resumed");
    out
}
