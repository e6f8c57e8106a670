//! The server's stdio: `Content-Length` frames read in bounded memory and handed to the main
//! loop as [`lsp_server::Message`]s, then an [`IDLE`] mark when nothing more has arrived.
//!
//! lsp-server's own stdio reader allocates whatever a `Content-Length` header asks for before
//! reading a byte of it (`Content-Length: 99999999999999` aborts the process), and hands
//! messages over one at a time through a channel with no buffer, so the main loop cannot tell a
//! burst of edits from edits typed apart. This reader refuses a frame over [`MAX_MESSAGE_BYTES`]
//! (or headers over [`MAX_HEADER_BYTES`]) before reading its body, and marks the end of each
//! burst itself: when it has handed over every byte it read (no frame half read), before it
//! waits on stdin again, it sends [`IDLE`]. The main loop judges on that mark, so edits that arrive together are judged
//! together, by what arrived rather than by a clock.

use crossbeam_channel::{bounded, Receiver, Sender};
use lsp_server::{Message, Notification};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The largest message body read: 64 MiB. A larger `Content-Length` stops the server (exit 2).
pub const MAX_MESSAGE_BYTES: u64 = 64 << 20;
/// The most header bytes before the blank line that ends them.
pub const MAX_HEADER_BYTES: usize = 8 << 10;
/// The notification the reader sends when it has handed over every complete message it holds:
/// what came before it arrived together.
pub const IDLE: &str = "plan-lint/idle";
/// Messages read ahead of the main loop, at most (each at most [`MAX_MESSAGE_BYTES`]).
const READ_AHEAD: usize = 16;
/// How much of stdin one read takes.
const CHUNK: usize = 64 << 10;

/// The stdio threads and why reading stopped, if it stopped on bad input.
pub struct Stdio {
    pub sender: Sender<Message>,
    pub receiver: Receiver<Message>,
    writer: JoinHandle<()>,
    /// Why the reader stopped, when it stopped on input that is not the protocol.
    refused: Arc<Mutex<Option<String>>>,
}

impl Stdio {
    /// Wait for the writer to write everything sent (every sender dropped first), and say why
    /// the reader stopped if the input was not the protocol. The reader is left alone: it may be
    /// waiting on a stdin the client keeps open.
    pub fn finish(self) -> Option<String> {
        let Stdio { sender, receiver, writer, refused } = self;
        drop((sender, receiver));
        let _ = writer.join();
        let why = refused.lock().ok()?.take();
        why
    }
}

/// Start the reader (stdin) and writer (stdout) threads.
pub fn stdio() -> Stdio {
    let (to_main, receiver) = bounded::<Message>(READ_AHEAD);
    let (sender, to_writer) = crossbeam_channel::unbounded::<Message>();
    let refused = Arc::new(Mutex::new(None));
    let why = Arc::clone(&refused);
    std::thread::spawn(move || {
        if let Err(e) = read_frames(&mut std::io::stdin().lock(), &to_main) {
            if let Ok(mut slot) = why.lock() {
                *slot = Some(e);
            }
        }
        // `to_main` drops here, after the reason is stored: the main loop sees the end next.
    });
    let writer = std::thread::spawn(move || {
        let mut out = std::io::stdout().lock();
        for message in to_writer {
            if message.write(&mut out).and_then(|()| out.flush()).is_err() {
                return;
            }
        }
    });
    Stdio { sender, receiver, writer, refused }
}

/// `body` with each lone UTF-16 surrogate escape (`"\ud83d"` without its pair, as JavaScript's
/// `JSON.stringify` writes half an emoji) made `\ufffd`: serde_json refuses a lone one, and the
/// session would end over one character. `None` when there is none.
fn lone_surrogates_replaced(body: &[u8]) -> Option<Vec<u8>> {
    let unit = |at: usize| -> Option<u16> {
        let escape = body.get(at..at + 6)?;
        if &escape[..2] != b"\\u" {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&escape[2..]).ok()?, 16).ok()
    };
    let (mut out, mut changed, mut i) = (Vec::with_capacity(body.len()), false, 0);
    while i < body.len() {
        if body[i] != b'\\' {
            out.push(body[i]);
            i += 1;
            continue;
        }
        match unit(i) {
            Some(0xD800..=0xDBFF) if matches!(unit(i + 6), Some(0xDC00..=0xDFFF)) => {
                out.extend_from_slice(&body[i..i + 12]);
                i += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.extend_from_slice(b"\\ufffd");
                (changed, i) = (true, i + 6);
            }
            // Any other escape, `\\` among them, whole.
            _ => {
                let end = (i + 2).min(body.len());
                out.extend_from_slice(&body[i..end]);
                i = end;
            }
        }
    }
    changed.then_some(out)
}

/// Read frames from `input` until it ends, `exit` arrives or the main loop is gone (`Ok`), or
/// the input is not the protocol (`Err`, why).
pub fn read_frames(input: &mut impl Read, to_main: &Sender<Message>) -> Result<(), String> {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; CHUNK];
    let mut sent_since_idle = false;
    loop {
        let mut used = 0;
        while let Some((body, len)) = frame(&buf[used..])? {
            let body = &buf[used + body.start..used + body.end];
            let message: Message = match serde_json::from_slice(body) {
                Ok(message) => message,
                // Half an emoji, as JavaScript writes it: read with U+FFFD in its place.
                Err(e) => lone_surrogates_replaced(body)
                    .and_then(|b| serde_json::from_slice(&b).ok())
                    .ok_or_else(|| format!("a message is not JSON-RPC: {e}"))?,
            };
            used += len;
            let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
            if to_main.send(message).is_err() || exit {
                return Ok(());
            }
            sent_since_idle = true;
        }
        buf.drain(..used);
        if buf.capacity() > 4 * CHUNK && buf.len() < CHUNK {
            // A large message read: its memory back.
            buf.shrink_to(CHUNK);
        }
        // Idle when every byte read so far is handed over: a frame half read is the middle of
        // a write (a burst larger than one read), and the rest follows.
        if sent_since_idle && buf.is_empty() {
            sent_since_idle = false;
            if to_main.send(Notification::new(IDLE.to_string(), ()).into()).is_err() {
                return Ok(());
            }
        }
        let n = match input.read(&mut chunk) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Ok(()),
        };
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The first frame of `buf` when it is complete: its body's range and the frame's length;
/// `None` while more is to come; `Err` when it cannot be a frame (headers malformed or over
/// [`MAX_HEADER_BYTES`], no `Content-Length`, one over [`MAX_MESSAGE_BYTES`]).
fn frame(buf: &[u8]) -> Result<Option<(std::ops::Range<usize>, usize)>, String> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        if buf.len() > MAX_HEADER_BYTES {
            return Err(format!("a message's headers run past {} KiB", MAX_HEADER_BYTES >> 10));
        }
        return Ok(None);
    };
    if end > MAX_HEADER_BYTES {
        return Err(format!("a message's headers run past {} KiB", MAX_HEADER_BYTES >> 10));
    }
    let headers = String::from_utf8_lossy(&buf[..end]);
    let mut length = None;
    for line in headers.split("\r\n") {
        let (name, value) = line.split_once(':').ok_or_else(|| format!("a malformed header: {:?}", clip(line)))?;
        if name.trim().eq_ignore_ascii_case("content-length") {
            let value = value.trim();
            let n: u64 = value.parse().map_err(|_| format!("a malformed Content-Length: {:?}", clip(value)))?;
            if n > MAX_MESSAGE_BYTES {
                return Err(format!(
                    "a message of {n} bytes (Content-Length) is larger than {} MiB: not read",
                    MAX_MESSAGE_BYTES >> 20
                ));
            }
            length = Some(n as usize);
        }
    }
    let length = length.ok_or("a message without a Content-Length header")?;
    let start = end + 4;
    Ok((buf.len() >= start + length).then_some((start..start + length, start + length)))
}

/// At most 40 characters of untrusted text, for a message.
fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    /// Everything `input` gives, read in chunks of `step` bytes.
    fn read_all(input: &[u8], step: usize) -> (Vec<Message>, Result<(), String>) {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(out.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let (tx, rx) = crossbeam_channel::unbounded();
        let result = read_frames(&mut Trickle(input, step), &tx);
        drop(tx);
        (rx.into_iter().collect(), result)
    }

    fn methods(messages: &[Message]) -> Vec<String> {
        messages
            .iter()
            .map(|m| match m {
                Message::Notification(n) => n.method.clone(),
                Message::Request(r) => r.method.clone(),
                Message::Response(_) => "response".into(),
            })
            .collect()
    }

    #[test]
    fn frames_that_arrive_together_are_followed_by_one_idle_mark() {
        let a = framed(r#"{"jsonrpc":"2.0","method":"a","params":{}}"#);
        let b = framed(r#"{"jsonrpc":"2.0","id":1,"method":"b","params":{}}"#);
        let (got, result) = read_all(format!("{a}{a}{b}").as_bytes(), CHUNK);
        assert_eq!(result, Ok(()));
        assert_eq!(methods(&got), ["a", "a", "b", IDLE]);
        // One byte at a time: each frame completes in its own read.
        let (got, _) = read_all(format!("{a}{b}").as_bytes(), 1);
        assert_eq!(methods(&got), ["a", IDLE, "b", IDLE]);
        // Other headers are allowed, and the name's case is not the point.
        let body = r#"{"jsonrpc":"2.0","method":"c"}"#;
        let with_type =
            format!("content-length: {}\r\nContent-Type: application/vscode-jsonrpc\r\n\r\n{body}", body.len());
        assert_eq!(methods(&read_all(with_type.as_bytes(), CHUNK).0), ["c", IDLE]);
    }

    #[test]
    fn oversized_and_malformed_frames_are_refused_before_their_bodies() {
        for (input, why) in [
            ("Content-Length: 99999999999999\r\n\r\n{}".to_string(), "larger than 64 MiB"),
            ("Content-Length: 12000000000\r\n\r\n".to_string(), "12000000000 bytes"),
            (format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE_BYTES + 1), "larger than 64 MiB"),
            ("Content-Length: 184467440737095516160\r\n\r\n".to_string(), "malformed Content-Length"),
            ("Content-Length: nonsense\r\n\r\n{}".to_string(), "malformed Content-Length"),
            ("Content-Type: x\r\n\r\n{}".to_string(), "without a Content-Length"),
            ("garbage\r\n\r\n".to_string(), "malformed header"),
            (format!("X-Long: {}", "a".repeat(MAX_HEADER_BYTES + 1)), "headers run past 8 KiB"),
            (framed("{not json"), "not JSON-RPC"),
        ] {
            let (got, result) = read_all(input.as_bytes(), CHUNK);
            let err = result.expect_err(&input[..input.len().min(60)]);
            assert!(err.contains(why), "{err} for {:?}", &input[..input.len().min(60)]);
            assert!(got.is_empty());
        }
        // At the cap exactly: waited for, not refused.
        let at_cap = format!("Content-Length: {MAX_MESSAGE_BYTES}\r\n\r\n{{");
        assert_eq!(frame(at_cap.as_bytes()), Ok(None));
    }

    #[test]
    fn exit_ends_reading() {
        let exit = framed(r#"{"jsonrpc":"2.0","method":"exit"}"#);
        let after = framed(r#"{"jsonrpc":"2.0","method":"a"}"#);
        let (got, result) = read_all(format!("{exit}{after}").as_bytes(), CHUNK);
        assert_eq!(result, Ok(()));
        assert_eq!(methods(&got), ["exit"]);
    }
}
