//! Protocol tests against an in-process server: the `Backend` served over a duplex pipe (as
//! typos-lsp and ast-grep test theirs), no binary spawned. Each asserts whole messages.

use pattern_language::lsp::Backend;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tower_lsp_server::{LspService, Server};

struct Pipe {
    to_server: DuplexStream,
    from_server: BufReader<DuplexStream>,
    next_id: i64,
    /// Notifications seen while waiting for something else.
    notifications: Vec<Value>,
}

impl Pipe {
    fn start() -> Pipe {
        let (to_server, server_in) = tokio::io::duplex(1 << 20);
        let (server_out, from_server) = tokio::io::duplex(1 << 20);
        let (service, socket) = LspService::new(Backend::new);
        tokio::spawn(Server::new(server_in, server_out, socket).serve(service));
        Pipe {
            to_server,
            from_server: BufReader::new(from_server),
            next_id: 0,
            notifications: Vec::new(),
        }
    }

    async fn send(&mut self, v: Value) {
        let body = serde_json::to_vec(&v).unwrap();
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        self.to_server.write_all(header.as_bytes()).await.unwrap();
        self.to_server.write_all(&body).await.unwrap();
    }

    async fn recv(&mut self) -> Value {
        let mut len = 0usize;
        loop {
            let mut line = String::new();
            self.from_server.read_line(&mut line).await.unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                len = v.parse().unwrap();
            }
        }
        let mut body = vec![0; len];
        self.from_server.read_exact(&mut body).await.unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    /// The first message matching `pred` (others are kept as notifications).
    async fn until(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        let wait = async {
            loop {
                let m = self.recv().await;
                if pred(&m) {
                    return m;
                }
                self.notifications.push(m);
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(60), wait)
            .await
            .expect("the server answers")
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        self.until(|m| m["id"] == id && m.get("method").is_none())
            .await
    }

    async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    async fn initialize(&mut self, root: Option<&std::path::Path>, caps: Value) -> Value {
        let folders = root.map(|r| json!([{"uri": uri(r), "name": "root"}]));
        let answer = self
            .request(
                "initialize",
                json!({"processId": null, "capabilities": caps, "workspaceFolders": folders}),
            )
            .await;
        self.notify("initialized", json!({})).await;
        if root.is_some() {
            self.until(|m| {
                m["method"] == "window/logMessage"
                    && m["params"]["message"]
                        .as_str()
                        .is_some_and(|s| s.contains("indexed"))
            })
            .await;
        }
        answer
    }

    async fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        )
        .await;
    }

    async fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        let u = uri.to_string();
        self.until(move |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == u.as_str()
                && m["params"]["version"] == version
        })
        .await
    }
}

fn uri(path: &std::path::Path) -> String {
    tower_lsp_server::ls_types::Uri::from_file_path(path)
        .unwrap()
        .as_str()
        .to_string()
}

fn orders(root: &std::path::Path) -> String {
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("orders/__init__.py", "");
    write(
        "orders/apps.py",
        "from django.apps import AppConfig\n\n\nclass OrdersConfig(AppConfig):\n    name = \"orders\"\n",
    );
    let models = "from django.db import models\n\n\nclass Order(models.Model):\n    number = models.CharField(max_length=20, unique=True)\n\n\nclass OrderLine(models.Model):\n    order = models.ForeignKey(Order, on_delete=models.CASCADE)\n";
    write("orders/models.py", models);
    models.to_string()
}

/// Replaces the temporary folder in a message, so that it can be compared whole.
fn redact(v: &Value, root: &std::path::Path) -> Value {
    let s = serde_json::to_string(v).unwrap();
    let s = s.replace(&uri(root), "file:///ROOT");
    serde_json::from_str(&s).unwrap()
}

#[tokio::test]
async fn initialize_answers_the_capabilities() {
    let mut c = Pipe::start();
    let mut answer = c.initialize(None, json!({})).await;
    assert_eq!(
        answer["result"]["serverInfo"]["version"],
        env!("CARGO_PKG_VERSION")
    );
    answer["result"]["serverInfo"]["version"] = json!("[version]");
    insta::assert_json_snapshot!(answer);
}

#[tokio::test]
async fn utf8_is_chosen_when_offered() {
    let mut c = Pipe::start();
    let answer = c
        .initialize(
            None,
            json!({"general": {"positionEncodings": ["utf-16", "utf-8"]}}),
        )
        .await;
    assert_eq!(
        answer["result"]["capabilities"]["positionEncoding"],
        "utf-8"
    );
}

#[tokio::test]
async fn pull_diagnostics_are_offered_only_to_clients_that_can_be_refreshed() {
    let mut c = Pipe::start();
    let answer = c
        .initialize(
            None,
            json!({"textDocument": {"diagnostic": {}}, "workspace": {"diagnostics": {"refreshSupport": true}}}),
        )
        .await;
    assert_eq!(
        answer["result"]["capabilities"]["diagnosticProvider"],
        json!({"identifier": "pattern-language", "interFileDependencies": true, "workspaceDiagnostics": false})
    );
}

#[tokio::test]
async fn unknown_command_is_an_invalid_params_error() {
    let mut c = Pipe::start();
    c.initialize(None, json!({})).await;
    let answer = c
        .request(
            "workspace/executeCommand",
            json!({"command": "nope", "arguments": []}),
        )
        .await;
    assert_eq!(
        answer,
        json!({"jsonrpc": "2.0", "id": 2, "error": {"code": -32602, "message": "unknown command `nope`"}})
    );
}

#[tokio::test]
async fn an_out_of_order_change_is_ignored_and_logged() {
    let mut c = Pipe::start();
    c.initialize(None, json!({})).await;
    let u = "file:///tmp/pattern-language-protocol/a.py";
    c.open(u, "python", "x = 1\n").await;
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 1}, "contentChanges": [{"text": "y = 2\n"}]}),
    )
    .await;
    let log = c
        .until(|m| {
            m["method"] == "window/logMessage"
                && m["params"]["message"]
                    .as_str()
                    .is_some_and(|s| s.contains("out-of-order"))
        })
        .await;
    assert_eq!(
        log,
        json!({"jsonrpc": "2.0", "method": "window/logMessage", "params": {"type": 2, "message": format!("pattern-language: ignored an out-of-order change to {u}")}})
    );
}

#[tokio::test]
async fn markdown_unknown_pattern_diagnostic_and_its_fix() {
    let mut c = Pipe::start();
    c.initialize(None, json!({})).await;
    let u = "file:///tmp/pattern-language-protocol/notes.md";
    c.open(u, "markdown", "See [[repositry]].\n").await;
    let d = c.diagnostics(u, 1).await;
    insta::assert_json_snapshot!("unknown_pattern_diagnostics", d);
    let diag = d["params"]["diagnostics"][0].clone();
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": u}, "range": diag["range"], "context": {"diagnostics": [diag]}}),
        )
        .await;
    insta::assert_json_snapshot!("unknown_pattern_actions", actions);
}

#[tokio::test]
async fn a_model_gets_its_refactors_resolved_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let models = orders(&root);
    let mut c = Pipe::start();
    c.initialize(
        Some(&root),
        json!({"textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]}}}}),
    )
    .await;
    let u = uri(&root.join("orders/models.py"));
    c.open(&u, "python", &models).await;
    c.diagnostics(&u, 1).await;
    let range = json!({"start": {"line": 3, "character": 6}, "end": {"line": 3, "character": 6}});
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": u}, "range": range, "context": {"diagnostics": []}}),
        )
        .await;
    insta::assert_json_snapshot!("model_actions", redact(&actions, &root));
    let extract = actions["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["data"]["refactor"] == "namespace-tables")
        .unwrap()
        .clone();
    // The title a client sends back does not matter: the id and target do.
    let mut renamed = extract.clone();
    renamed["title"] = json!("something else");
    let resolved = c.request("codeAction/resolve", renamed).await;
    insta::assert_json_snapshot!("model_resolved", redact(&resolved, &root));
}

#[tokio::test]
async fn shutdown_answers_null() {
    let mut c = Pipe::start();
    c.initialize(None, json!({})).await;
    let answer = c.request("shutdown", Value::Null).await;
    assert_eq!(answer, json!({"jsonrpc": "2.0", "id": 2, "result": null}));
}

#[tokio::test]
async fn python_document_symbols() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let models = orders(&root);
    let mut c = Pipe::start();
    c.initialize(Some(&root), json!({})).await;
    let u = uri(&root.join("orders/models.py"));
    c.open(&u, "python", &models).await;
    let symbols = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": u}}),
        )
        .await;
    insta::assert_json_snapshot!("python_symbols", symbols);
}

#[tokio::test]
async fn suppression_comment_completes_rule_ids() {
    let mut c = Pipe::start();
    c.initialize(None, json!({})).await;
    let u = "file:///tmp/pattern-language-protocol/b.py";
    let text = "import uuid  # pattern-language: ignore[uuid4-pri\n";
    c.open(u, "python", text).await;
    let answer = c
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": u}, "position": {"line": 0, "character": 49}}),
        )
        .await;
    let first = &answer["result"][0];
    assert_eq!(
        first["textEdit"],
        json!({"range": {"start": {"line": 0, "character": 40}, "end": {"line": 0, "character": 49}}, "newText": first["label"]})
    );
    assert!(
        answer["result"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["label"] == "uuid4-primary-key")
    );
}
