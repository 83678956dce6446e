//! The server over the real protocol under hostile or racy clients (issue 16): malformed
//! messages, reused versions, pulls racing edits, workspace folders changing, huge buffers.

mod common;
use common::{Client, uri};
use serde_json::{Value, json};
use std::path::Path;

fn shop() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/shop")
}

fn error_code(c: &mut Client) -> (Value, i64) {
    let m = c.wait_for(|m| m.get("error").is_some() && m.get("method").is_none());
    (m["id"].clone(), m["error"]["code"].as_i64().unwrap_or(0))
}

#[test]
fn a_malformed_message_gets_an_error_and_the_server_carries_on() {
    let root = shop();
    let mut c = Client::start(&root, Value::Null, false);
    let path = root.join("gitforge/models.py");
    let u = uri(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    c.open(&u, "python", &text);
    c.diagnostics(&u, 1);
    let bad: [(&[u8], i64); 5] = [
        (
            b"{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"textDocument/hov",
            -32700,
        ),
        (b"\xff\xfe", -32700),
        (b"[]", -32600),
        (b"{\"jsonrpc\":\"2.0\",\"id\":98,\"method\":7}", -32600),
        (b"42", -32600),
    ];
    for (body, code) in bad {
        c.send_raw(body, true);
        let (id, got) = error_code(&mut c);
        assert_eq!(got, code, "{}", String::from_utf8_lossy(body));
        if code == -32600 && body.starts_with(b"{") {
            assert_eq!(id, 98);
        }
        // Still serving.
        let hover = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": u}, "position": {"line": 7, "character": 7}}),
        );
        assert!(hover.is_object() || hover.is_null());
    }
    // A header without Content-Length.
    c.send_raw(b"Content-Type: x\r\n\r\n", false);
    assert_eq!(error_code(&mut c).1, -32700);
    // A lone surrogate in a change's text (JavaScript clients send this): applied, with U+FFFD.
    let change = format!(
        "{{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\",\"params\":{{\"textDocument\":{{\"uri\":\"{u}\",\"version\":2}},\"contentChanges\":[{{\"text\":\"x = '\\ud83d'\\n\"}}]}}}}"
    );
    c.send_raw(change.as_bytes(), true);
    let diags = c.diagnostics(&u, 2);
    assert!(diags.is_empty(), "{diags:?}");
    // And in a URI.
    let open = "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":{\"uri\":\"file:///tmp/a\\ud83d.py\",\"languageId\":\"python\",\"version\":1,\"text\":\"x = 1\\n\"}}}";
    c.send_raw(open.as_bytes(), true);
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    assert_eq!(symbols, json!([]));
    c.shutdown();
}
