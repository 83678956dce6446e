//! The context map through the protocol: `workspace/executeCommand` writes the SVG and asks the
//! client to open it with `window/showDocument`; the Markdown code action inserts a Mermaid block
//! between markers and refreshes it in place.

mod common;

use common::{Client, uri};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const COMMAND: &str = "pattern-language.showContextMap";

fn shop() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/shop")
        .canonicalize()
        .expect("the shop fixture")
}

#[test]
fn execute_command_writes_the_svg_and_asks_the_client_to_show_it() {
    let root = shop();
    let mut c = Client::start(&root, Value::Null, false);
    let result = c.request(
        "workspace/executeCommand",
        json!({"command": COMMAND, "arguments": [{"uri": uri(&root)}]}),
    );
    let shown = c.wait_for(|m| m["method"] == "window/showDocument");
    assert_eq!(shown["params"]["external"], true);
    let shown_uri = shown["params"]["uri"].as_str().unwrap_or("");
    assert!(
        shown_uri.starts_with("file://") && shown_uri.ends_with("context-map.svg"),
        "{shown}"
    );
    assert_eq!(result["uri"].as_str(), Some(shown_uri));
    let path = result["path"].as_str().expect("the SVG's path");
    let svg = std::fs::read_to_string(path).expect("the SVG was written");
    assert!(svg.starts_with("<svg") && svg.contains("data-context=\"billing\""));
    assert_eq!(result["svg"].as_str(), Some(svg.as_str()));
    // Evidence carries absolute paths, for editors to open.
    let evidence = &result["map"]["relations"][0]["evidence"][0];
    assert!(
        evidence["path"]
            .as_str()
            .is_some_and(|p| Path::new(p).is_absolute()),
        "{evidence}"
    );

    // A client that draws the map itself asks for no showDocument.
    let result = c.request(
        "workspace/executeCommand",
        json!({"command": COMMAND, "arguments": [{"open": false}]}),
    );
    assert!(
        result["svg"]
            .as_str()
            .is_some_and(|s| s.starts_with("<svg"))
    );
    assert!(
        !c.notifications
            .iter()
            .any(|m| m["method"] == "window/showDocument")
    );
    c.shutdown();
}

fn apply(text: &str, edits: &[Value]) -> String {
    // Offsets by line and UTF-16 column; the test documents are ASCII.
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap_or(0) as usize;
        let col = p["character"].as_u64().unwrap_or(0) as usize;
        starts
            .get(line)
            .map_or(text.len(), |s| (s + col).min(text.len()))
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (a, b, t) in spans {
        out.replace_range(a..b, &t);
    }
    out
}

fn map_action(c: &mut Client, doc: &str, line: u32) -> Value {
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "context": {"diagnostics": []}}),
    );
    actions
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.contains("context map"))
        })
        .cloned()
        .unwrap_or_else(|| panic!("no context map action in {actions}"))
}

#[test]
fn markdown_code_action_inserts_then_refreshes_the_mermaid_block() {
    let root = shop();
    let doc = uri(&root.join("docs-design-map.md"));
    let text = "# Design\n\nThe contexts:\n\n## Decisions\n";
    let mut c = Client::start(&root, Value::Null, false);
    c.open(&doc, "markdown", text);
    let action = map_action(&mut c, &doc, 3);
    assert_eq!(action["title"], "Insert the context map here (Mermaid)");
    let edits = action["edit"]["changes"][&doc]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let once = apply(text, &edits);
    assert!(
        once.contains("<!-- pattern-language:map -->\n```mermaid\nflowchart BT\n"),
        "{once}"
    );
    assert!(once.contains("<!-- /pattern-language:map -->"));
    assert!(
        once.starts_with("# Design\n\nThe contexts:\n\n<!-- pattern-language:map -->"),
        "{once}"
    );
    assert!(
        once.ends_with("<!-- /pattern-language:map -->\n\n## Decisions\n"),
        "{once}"
    );
    assert!(once.contains("shipping") && once.contains("billing"));

    // Stale content between the markers is replaced, once.
    let stale = once.replace("flowchart BT", "flowchart BT\n  old --> stale");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": stale}]}),
    );
    let action = map_action(&mut c, &doc, 0);
    assert_eq!(action["title"], "Refresh the context map");
    let edits = action["edit"]["changes"][&doc]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let twice = apply(&stale, &edits);
    assert_eq!(twice, once);
    c.shutdown();
}

#[test]
fn lazy_clients_resolve_the_markdown_edit() {
    let root = shop();
    let doc = uri(&root.join("docs-design-lazy.md"));
    let text = "# Design\n";
    let mut c = Client::start_lazy(&root);
    c.open(&doc, "markdown", text);
    let action = map_action(&mut c, &doc, 1);
    assert!(action.get("edit").is_none_or(Value::is_null), "{action}");
    let resolved = c.request("codeAction/resolve", action);
    let edits = resolved["edit"]["changes"][&doc]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let out = apply(text, &edits);
    assert!(
        out.starts_with("# Design\n\n<!-- pattern-language:map -->\n```mermaid\n"),
        "{out}"
    );
    c.shutdown();
}
