//! Markdown intelligence over the real protocol.

mod common;
use common::{Client, uri};
use serde_json::json;

const DOC: &str = "# Shipping design\n\nBilling talks to shipping through an anticorruption layer.\nSee [[no-such-pattern]] and [[cached-repository]].\n";

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("design.md"), DOC).unwrap();
    dir
}

#[test]
fn hover_definition_completion_and_unknown_ids() {
    let dir = workspace();
    let mut c = Client::start(dir.path(), json!({}), false);
    let doc = uri(&dir.path().join("design.md"));
    c.open(&doc, "markdown", DOC);
    let diags = c.diagnostics(&doc, 1);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "unknown-pattern");
    assert_eq!(
        diags[0]["range"]["start"],
        json!({"line": 3, "character": 4})
    );

    // Hover on "anticorruption layer" (line 2).
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": {"line": 2, "character": 45}}),
    );
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.starts_with("### Anticorruption layer"), "{value}");
    assert!(
        value.contains("**Problem.**") && value.contains("**Advantages**"),
        "{value}"
    );

    // Go to definition lands on the page.
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": doc}, "position": {"line": 2, "character": 45}}),
    );
    assert!(
        def["uri"]
            .as_str()
            .unwrap()
            .ends_with("anticorruption-layer.md"),
        "{def}"
    );
    let page = def["uri"]
        .as_str()
        .unwrap()
        .trim_start_matches("file://")
        .to_string();
    assert!(
        std::fs::read_to_string(page)
            .unwrap()
            .contains("id = \"anticorruption-layer\"")
    );

    // Completion inside [[ lists all 36 ids.
    let text2 = format!("{DOC}[[");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": text2}]}),
    );
    let _ = c.diagnostics(&doc, 2);
    let list = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": doc}, "position": {"line": 4, "character": 2}}),
    );
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 36);
    assert!(items.iter().any(|i| i["label"] == "anticorruption-layer"
        && i["textEdit"]["newText"] == "anticorruption-layer]]"));

    // The quick fix for the unknown id.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": diags[0]["range"], "context": {"diagnostics": diags}}),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["title"].as_str())
        .collect();
    assert!(
        !titles.is_empty() && titles.iter().all(|t| t.starts_with("Replace with [[")),
        "{titles:?}"
    );

    // Turning a mention into a reference.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": {"start": {"line": 2, "character": 40}, "end": {"line": 2, "character": 40}}, "context": {"diagnostics": []}}),
    );
    assert!(
        actions.as_array().unwrap().iter().any(|a| a["title"]
            .as_str()
            .is_some_and(|t| t.contains("[[anticorruption-layer]]"))),
        "{actions}"
    );

    // Symbols.
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": doc}}),
    );
    assert_eq!(symbols[0]["name"], "Shipping design");
    let ws = c.request("workspace/symbol", json!({"query": "specification"}));
    assert!(
        ws.as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "Repository specification"),
        "{ws}"
    );
    c.shutdown();
}

#[test]
fn positions_are_right_on_multibyte_text_in_both_encodings() {
    for utf8 in [false, true] {
        let dir = workspace();
        let mut c = Client::start(dir.path(), json!({}), utf8);
        let text = "Données 😀 é: [[nope-id]]\n";
        let doc = uri(&dir.path().join("x.md"));
        c.open(&doc, "markdown", text);
        let diags = c.diagnostics(&doc, 1);
        let start = &text[..text.find("[[").unwrap()];
        let expected = if utf8 {
            start.len()
        } else {
            start.encode_utf16().count()
        };
        assert_eq!(
            diags[0]["range"]["start"]["character"], expected,
            "utf8={utf8}"
        );
        c.shutdown();
    }
}

#[test]
fn a_broken_catalog_page_shows_its_problem_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("docs/patterns/team");
    std::fs::create_dir_all(&catalog).unwrap();
    std::fs::write(
        dir.path().join("pattern-language.toml"),
        "catalog = [\"docs/patterns\"]\n",
    )
    .unwrap();
    let good = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../patterns/tactical/value-object.md"
    ))
    .unwrap();
    let good = good
        .replace("id = \"value-object\"", "id = \"team-money\"")
        .replace("category = \"tactical\"", "category = \"team\"");
    let page = catalog.join("team-money.md");
    std::fs::write(&page, &good).unwrap();
    let mut c = Client::start(dir.path(), json!({}), false);
    let doc = uri(&page);
    c.open(&doc, "markdown", &good);
    let diags = c.diagnostics(&doc, 1);
    assert!(diags.iter().all(|d| d["code"] != "catalog"), "{diags:?}");
    // Break it: drop the Problem section and add an unknown related id.
    let broken = good
        .replace("## Problem", "## Problematic")
        .replace("related = [", "related = [\"no-such-id\", ");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": broken}]}),
    );
    let diags = c.diagnostics(&doc, 2);
    let messages: Vec<&str> = diags
        .iter()
        .filter(|d| d["code"] == "catalog")
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("missing section `## Problem`")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("unknown related id `no-such-id`")),
        "{messages:?}"
    );
    let related_line = broken
        .lines()
        .position(|l| l.starts_with("related"))
        .unwrap();
    assert!(
        diags
            .iter()
            .any(|d| d["range"]["start"]["line"] == 1
                || d["range"]["start"]["line"].as_u64().is_some()),
        "{related_line}"
    );
    // Fix it again.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 3}, "contentChanges": [{"text": good}]}),
    );
    let diags = c.diagnostics(&doc, 3);
    assert!(diags.iter().all(|d| d["code"] != "catalog"), "{diags:?}");
    c.shutdown();
}

#[test]
fn config_errors_are_reported_at_their_line_and_the_rest_applies() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pattern-language.toml"),
        "ignore = [\"uuid4-primary-key\"]\nfrobnicate = true\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("models.py"), "").unwrap();
    let mut c = Client::start(dir.path(), json!({}), false);
    let cfg = uri(&dir.path().join("pattern-language.toml"));
    let msg = c.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == cfg.as_str()
    });
    let diags = msg["params"]["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["range"]["start"]["line"], 1);
    assert!(diags[0]["message"].as_str().unwrap().contains("frobnicate"));
    c.shutdown();
}

#[test]
fn unknown_rule_ids_of_the_config_are_diagnostics_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pattern-language.toml"),
        "select = [\"ALL\"]\nignore = [\n  \"uuid4-primary-key\",\n  \"orm-in-domian\",\n]\n[severity]\ncross-context-imports = \"error\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("models.py"), "").unwrap();
    let mut c = Client::start(dir.path(), json!({}), false);
    let cfg = uri(&dir.path().join("pattern-language.toml"));
    let msg = c.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == cfg.as_str()
    });
    let diags = msg["params"]["diagnostics"].as_array().unwrap();
    let got: Vec<(u64, &str)> = diags
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].0, 3);
    assert!(got[0].1.contains("did you mean `orm-in-domain`"), "{got:?}");
    assert_eq!(got[1].0, 6);
    assert!(got[1].1.contains("`cross-context-imports`"), "{got:?}");
    c.shutdown();
}

#[test]
fn bad_input_never_crashes_the_server() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.py"), [0x66u8, 0x6f, 0xff, 0xfe, 0x0a]).unwrap();
    let mut c = Client::start(dir.path(), json!({"frobnicate": 1}), false);
    let shown = c.wait_for(|m| m["method"] == "window/showMessage");
    assert!(
        shown["params"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown key `frobnicate`")
    );
    // A 10 MB Markdown file and an untitled buffer.
    let big = "anticorruption layer and [[x]] ".repeat(10 * 1024 * 1024 / 31);
    c.open("untitled:Untitled-1", "markdown", &big);
    let diags = c.diagnostics("untitled:Untitled-1", 1);
    assert!(!diags.is_empty());
    // A half-typed class.
    let py = uri(&dir.path().join("half.py"));
    c.open(
        &py,
        "python",
        "class InvoiceRepository(\n    def get(self\n",
    );
    let _ = c.diagnostics(&py, 1);
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": py}, "position": {"line": 0, "character": 3}}),
    );
    assert!(hover.is_null());
    // Cancelling a request is harmless.
    c.notify("$/cancelRequest", json!({"id": 999}));
    let r = c.request("textDocument/hover", json!({"textDocument": {"uri": "file:///nowhere.md"}, "position": {"line": 0, "character": 0}}));
    assert!(r.is_null());
    c.shutdown();
}

#[test]
fn pull_diagnostics_only_for_clients_that_pull_and_then_nothing_is_pushed() {
    let dir = workspace();
    // A pushing client is not offered pull.
    let c = Client::start(dir.path(), json!({}), false);
    c.shutdown();
    let mut c = Client::start_with(dir.path(), json!({}), false, true);
    let doc = uri(&dir.path().join("design.md"));
    c.open(&doc, "markdown", DOC);
    let report = c.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": doc}}),
    );
    assert_eq!(report["kind"], "full");
    let items = report["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["code"], "unknown-pattern");
    // Let any stray push arrive, then check none came for the document.
    let _ = c.request("workspace/symbol", json!({"query": ""}));
    assert!(
        !c.notifications
            .iter()
            .any(|m| m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == doc.as_str()),
        "pushed although the client pulls"
    );
    c.shutdown();
}

#[test]
fn without_client_watching_the_server_reloads_a_changed_catalog_itself() {
    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("docs/patterns/team");
    std::fs::create_dir_all(&cat).unwrap();
    std::fs::write(
        dir.path().join("pattern-language.toml"),
        "catalog = [\"docs/patterns\"]\n",
    )
    .unwrap();
    let mut c = Client::start_opts(dir.path(), json!({}), false, false, false, true, true);
    let doc = uri(&dir.path().join("adr.md"));
    c.open(&doc, "markdown", "We use [[team-money]].\n");
    let diags = c.diagnostics(&doc, 1);
    assert_eq!(diags.len(), 1, "{diags:?}");
    // A new page appears on disk; nobody tells the server.
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../patterns/tactical/value-object.md"
    ))
    .unwrap()
    .replace("id = \"value-object\"", "id = \"team-money\"")
    .replace("category = \"tactical\"", "category = \"team\"");
    std::fs::write(cat.join("team-money.md"), page).unwrap();
    let msg = c.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == doc.as_str()
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(Vec::is_empty)
    });
    assert_eq!(msg["params"]["version"], 1);
    c.shutdown();
}

#[test]
fn completion_items_resolve_their_documentation() {
    let dir = workspace();
    let mut c = Client::start(dir.path(), json!({}), false);
    let doc = uri(&dir.path().join("design.md"));
    c.open(&doc, "markdown", "See [[cach");
    let _ = c.diagnostics(&doc, 1);
    let list = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": doc}, "position": {"line": 0, "character": 10}}),
    );
    let item = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "cached-repository")
        .unwrap()
        .clone();
    assert!(item.get("documentation").is_none());
    let resolved = c.request("completionItem/resolve", item);
    assert!(
        resolved["documentation"]["value"]
            .as_str()
            .unwrap()
            .starts_with("### Cached repository"),
        "{resolved}"
    );
    c.shutdown();
}

#[test]
fn broken_links_to_pattern_pages_are_diagnostics_like_in_check() {
    let dir = tempfile::tempdir().unwrap();
    let text = "# Notes\n\nSee [the page](../repository/cached-repo.md), not `[[in-code]]`.\n";
    std::fs::write(dir.path().join("notes.md"), text).unwrap();
    let mut c = Client::start(dir.path(), json!({}), false);
    let doc = uri(&dir.path().join("notes.md"));
    c.open(&doc, "markdown", text);
    let diags = c.diagnostics(&doc, 1);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "broken-pattern-link");
    assert_eq!(
        diags[0]["range"]["start"],
        json!({"line": 2, "character": 4})
    );
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `cached-repository`?"),
        "{diags:?}"
    );
}

const FENCED: &str = "# Orders design\n\nThe repository:\n\n```python\n# orders/repository.py\nfrom django.db import models\n\n\nclass OrderModel(models.Model):\n    email = models.EmailField()\n\n    def to_domain(self):\n        return Order(email=self.email)\n\n\nclass DjangoOrderRepository:\n    def get(self, order_id):\n        return OrderModel.objects.get(pk=order_id).to_domain()\n\n    def add(self, order):\n        OrderModel.objects.update_or_create(pk=order.id, defaults={\"email\": order.email})\n\n    def list(self):\n        return [row.to_domain() for row in OrderModel.objects.all()]\n```\n\n```python\nclass (:\n```\n";

#[test]
fn hover_in_a_python_fence_names_the_pattern_with_evidence() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("orders.md"), FENCED).unwrap();
    let mut c = Client::start(dir.path(), json!({}), false);
    let doc = uri(&dir.path().join("orders.md"));
    c.open(&doc, "markdown", FENCED);
    // `class DjangoOrderRepository:` is line 16 of the document.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": {"line": 16, "character": 8}}),
    );
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(value.contains("Django ORM repository"), "{hover}");
    assert!(
        value.contains("OrderModel"),
        "evidence names the model: {value}"
    );
    assert_eq!(hover["range"]["start"]["line"], 16, "{hover}");
    // The outline lists the fence's classes; the broken fence is silent.
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": doc}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(names.contains(&"DjangoOrderRepository"), "{symbols}");
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": {"line": 28, "character": 2}}),
    );
    assert!(hover.is_null(), "{hover}");
    c.shutdown();
}
