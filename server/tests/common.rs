//! A minimal LSP client over the real binary's stdio, for end-to-end tests. It reads every
//! message the server sends and fails the test on anything it did not expect.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

thread_local! {
    static LAZY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications received so far, in order.
    pub notifications: Vec<Value>,
}

const ALLOWED_NOTIFICATIONS: &[&str] = &[
    "textDocument/publishDiagnostics",
    "window/logMessage",
    "window/showMessage",
    "$/progress",
];

impl Client {
    pub fn start(root: &std::path::Path, init_options: Value, utf8: bool) -> Client {
        Client::start_with(root, init_options, utf8, false)
    }

    /// `pull`: the client declares pull diagnostics (`textDocument/diagnostic`).
    pub fn start_with(
        root: &std::path::Path,
        init_options: Value,
        utf8: bool,
        pull: bool,
    ) -> Client {
        Client::start_opts(root, init_options, utf8, pull, true, true, true)
    }

    /// A client that resolves code actions' edits lazily (`codeAction/resolve`).
    pub fn start_lazy(root: &std::path::Path) -> Client {
        LAZY.with(|l| l.set(true));
        let c = Client::start_opts(root, Value::Null, false, false, true, true, true);
        LAZY.with(|l| l.set(false));
        c
    }

    /// `watch`: the client can watch files for the server (dynamic registration).
    pub fn start_opts(
        root: &std::path::Path,
        init_options: Value,
        utf8: bool,
        pull: bool,
        watch: bool,
        resource_ops: bool,
        snippets: bool,
    ) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pattern-language"))
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the server");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
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
                        len = v.parse().unwrap();
                    }
                }
                let mut buf = vec![0; len];
                if reader.read_exact(&mut buf).is_err() {
                    return;
                }
                let msg: Value = serde_json::from_slice(&buf).unwrap();
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        let mut c = Client {
            child,
            stdin,
            rx,
            next_id: 0,
            notifications: Vec::new(),
        };
        let root_uri = uri(root);
        let encodings = if utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let result = c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "workspaceFolders": [{"uri": root_uri, "name": "root"}],
                "initializationOptions": init_options,
                "capabilities": {
                    "general": {"positionEncodings": encodings},
                    "window": {"workDoneProgress": true, "showDocument": {"support": true}},
                    "workspace": {"diagnostics": {"refreshSupport": pull}, "didChangeWatchedFiles": {"dynamicRegistration": watch}, "workspaceEdit": {"resourceOperations": if resource_ops { json!(["create"]) } else { json!([]) }}},
                    "textDocument": {
                        "completion": {"completionItem": {"snippetSupport": snippets}},
                        "codeAction": if LAZY.with(|l| l.get()) { json!({"resolveSupport": {"properties": ["edit"]}}) } else { Value::Null },
                        "publishDiagnostics": {"relatedInformation": true, "codeDescriptionSupport": true},
                        "diagnostic": if pull { json!({"dynamicRegistration": false}) } else { Value::Null }
                    }
                }
            }),
        );
        assert_eq!(
            result["capabilities"]["positionEncoding"],
            if utf8 { "utf-8" } else { "utf-16" }
        );
        c.notify("initialized", json!({}));
        // Wait for indexing to finish (the log line), answering the server's requests.
        c.wait_for(|m| {
            m["method"] == "window/logMessage"
                && m["params"]["message"]
                    .as_str()
                    .is_some_and(|s| s.contains("indexed"))
        });
        c
    }

    fn send(&mut self, msg: &Value) {
        let body = serde_json::to_string(msg).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends bytes as they are, framed with their length (or not at all: `framed` false).
    pub fn send_raw(&mut self, body: &[u8], framed: bool) {
        if framed {
            write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        }
        self.stdin.write_all(body).unwrap();
        self.stdin.flush().unwrap();
    }

    /// The id the next request will use.
    pub fn next_request_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn recv(&mut self) -> Value {
        self.rx
            .recv_timeout(Duration::from_secs(90))
            .expect("the server answered within 90 s (a hang guard, not a timing: debug builds on a loaded machine are slow)")
    }

    /// Handles one incoming message: answers server requests, records notifications.
    fn handle(&mut self, msg: &Value) {
        if msg.get("id").is_some() && msg.get("method").is_some() {
            let method = msg["method"].as_str().unwrap_or("");
            assert!(
                matches!(
                    method,
                    "window/workDoneProgress/create"
                        | "client/registerCapability"
                        | "workspace/configuration"
                        | "workspace/diagnostic/refresh"
                        | "window/showDocument"
                ),
                "unexpected server request {msg}"
            );
            let id = msg["id"].clone();
            if method == "window/showDocument" {
                // Recorded like a notification, so that a test can wait for it.
                self.notifications.push(msg.clone());
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": {"success": true}}));
                return;
            }
            self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
        } else if let Some(method) = msg.get("method").and_then(Value::as_str) {
            assert!(
                ALLOWED_NOTIFICATIONS.contains(&method),
                "unexpected notification {msg}"
            );
            self.notifications.push(msg.clone());
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let msg = self.recv();
            if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() {
                assert!(msg.get("error").is_none(), "{method} failed: {msg}");
                return msg["result"].clone();
            }
            self.handle(&msg);
        }
    }

    pub fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.notifications.iter().position(&pred) {
            return self.notifications.remove(i);
        }
        loop {
            let msg = self.recv();
            self.handle(&msg);
            if pred(&msg) {
                if let Some(i) = self.notifications.iter().position(|m| m == &msg) {
                    self.notifications.remove(i);
                }
                return msg;
            }
        }
    }

    /// The next diagnostics pushed for `uri` at `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let msg = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        msg["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}));
    }

    pub fn shutdown(mut self) {
        // Null params, as several clients send.
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": "shutdown", "params": null}));
        loop {
            let msg = self.recv();
            if msg.get("id") == Some(&json!(id)) {
                assert!(msg.get("error").is_none(), "shutdown failed: {msg}");
                break;
            }
            self.handle(&msg);
        }
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success());
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A failed test must not leave a server behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}
