//! A minimal LSP client over a child's stdin and stdout (Content-Length framing), shared by
//! tests/it/lsp.rs and benches/lsp.rs.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A client on the binary's stdin and stdout.
pub struct Client {
    pub child: Child,
    pub stdin: Option<ChildStdin>,
    incoming: mpsc::Receiver<Value>,
    /// Notifications read while waiting for something else.
    pub stash: Vec<Value>,
    next: i64,
}

impl Client {
    /// Spawn `cmd` (a `plan-lint lsp`) and initialize it with `dir` as the root.
    pub fn start(cmd: Command, dir: &std::path::Path) -> Client {
        Client::start_with(cmd, dir, json!({}))
    }

    /// [`Client::start`], the client declaring `capabilities`.
    pub fn start_with(mut cmd: Command, dir: &std::path::Path, capabilities: Value) -> Client {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("plan-lint lsp starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        length = v.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let value: Value = serde_json::from_slice(&body).expect("the server writes JSON");
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        let mut client = Client { child, stdin, incoming, stash: Vec::new(), next: 1 };
        let root = format!("file://{}", dir.display());
        let init =
            client.request("initialize", json!({"processId": null, "rootUri": root, "capabilities": capabilities}));
        assert_eq!(init["result"]["serverInfo"]["name"], "plan-lint", "{init}");
        assert_eq!(init["result"]["capabilities"]["textDocumentSync"]["change"], 2, "incremental sync: {init}");
        client.notify("initialized", json!({}));
        client
    }

    pub fn send(&mut self, value: Value) {
        let body = value.to_string();
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The whole response (`result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|m| m["id"] == id && m.get("method").is_none(), &format!("the answer to {method}"))
    }

    pub fn wait(&mut self, want: impl Fn(&Value) -> bool, what: &str) -> Value {
        if let Some(i) = self.stash.iter().position(&want) {
            return self.stash.remove(i);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(m) if want(&m) => return m,
                Ok(m) => self.stash.push(m),
                Err(_) => panic!("no {what} within 20 s; read meanwhile: {:#?}", self.stash),
            }
        }
    }

    /// Every diagnostics list published for `uri` and not yet taken, oldest first (taken).
    pub fn all_diagnostics(&mut self, uri: &str) -> Vec<Vec<Value>> {
        let is = |m: &Value| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri;
        let (taken, kept) = std::mem::take(&mut self.stash).into_iter().partition(|m| is(m));
        self.stash = kept;
        taken.into_iter().map(|m: Value| m["params"]["diagnostics"].as_array().cloned().unwrap()).collect()
    }

    /// The next diagnostics published for `uri`.
    pub fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let is = |m: &Value| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri;
        let m = self.wait(is, &format!("diagnostics for {uri}"));
        m["params"]["diagnostics"].as_array().cloned().unwrap()
    }

    pub fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }

    pub fn change(&mut self, uri: &str, version: i32, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    /// `shutdown`, `exit`, and the exit code.
    pub fn finish(mut self) -> i32 {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        wait_exit(&mut self.child)
    }
}

/// The exit code of `child`, waiting at most 10 s.
pub fn wait_exit(child: &mut Child) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server did not exit within 10 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
