//! Python recognition in the editor over the real protocol: hover, diagnostics with code,
//! description and related information, suppression and its quick fixes, markers, team-defined
//! patterns, and a differential test of incremental edits against a fresh open.

mod common;
use common::{Client, uri};
use serde_json::{Value, json};
use std::path::Path;

fn shop() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/shop")
}

fn open_file(c: &mut Client, path: &Path) -> (String, String, Vec<Value>) {
    let text = std::fs::read_to_string(path).unwrap();
    let u = uri(path);
    c.open(&u, "python", &text);
    let diags = c.diagnostics(&u, 1);
    (u, text, diags)
}

fn line_of(text: &str, needle: &str) -> u32 {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no `{needle}`")) as u32
}

#[test]
fn hover_markers_and_diagnostics_on_the_fixture() {
    let root = shop();
    let mut c = Client::start(&root, json!({}), false);

    // A repository class: hover says what and why.
    let (repo, text, _) = open_file(&mut c, &root.join("billing/invoicing/repositories.py"));
    let line = line_of(&text, "class DjangoInvoiceRepository");
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": repo}, "position": {"line": line, "character": 8}}),
    );
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        value.contains("### Django ORM repository")
            && value.contains("**Evidence**")
            && value.contains(".objects"),
        "{value}"
    );

    // Markers: inlay hint, code lens, symbols.
    let hints = c.request("textDocument/inlayHint", json!({"textDocument": {"uri": repo}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 999, "character": 0}}}));
    assert!(
        hints
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["position"]["line"] == line
                && h["label"]
                    .as_str()
                    .unwrap()
                    .contains("Django ORM repository")),
        "{hints}"
    );
    let lenses = c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": repo}}),
    );
    assert!(
        lenses
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["range"]["start"]["line"] == line),
        "{lenses}"
    );
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": repo}}),
    );
    assert!(
        symbols
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "DjangoInvoiceRepository"
                && s["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("Django ORM repository"))),
        "{symbols}"
    );

    // A router and a JSONField aggregate store.
    let (routers, text, _) = open_file(&mut c, &root.join("shop/routers.py"));
    let line = line_of(&text, "class ");
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": routers}, "position": {"line": line, "character": 8}}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("Context database"),
        "{hover}"
    );

    // A cross-context import: a diagnostic with code, description and related information.
    let (views, text, diags) = open_file(&mut c, &root.join("shipping/views.py"));
    let d = diags
        .iter()
        .find(|d| d["code"] == "cross-context-import")
        .unwrap_or_else(|| panic!("{diags:?}"));
    assert_eq!(d["severity"], 2, "declared contexts: a warning");
    assert!(
        d["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("anticorruption-layer.md")
    );
    assert!(
        d["relatedInformation"][0]["location"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("models.py"),
        "{d}"
    );
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": views}, "position": d["range"]["start"]}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("Smell: `cross-context-import`"),
        "{hover}"
    );

    // Suppress it with the quick fix, then the suppression is used.
    let actions = c.request("textDocument/codeAction", json!({"textDocument": {"uri": views}, "range": d["range"], "context": {"diagnostics": [d]}}));
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Suppress"))
        .unwrap()
        .clone();
    let edit = &fix["edit"]["changes"][views.as_str()][0];
    let line = edit["range"]["start"]["line"].as_u64().unwrap() as usize;
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[line].push_str(edit["newText"].as_str().unwrap());
    let fixed = lines.join("\n") + "\n";
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": views, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let diags = c.diagnostics(&views, 2);
    assert!(
        diags.iter().all(|d| d["code"] != "cross-context-import"),
        "{diags:?}"
    );

    // An unused suppression is a hint with a fix that removes it.
    let unused = fixed.replacen(
        "import",
        "import  # pattern-language: ignore[orm-in-domain]\nimport",
        0,
    );
    let unused = format!("x = 1  # pattern-language: ignore[orm-in-domain]\n{unused}");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": views, "version": 3}, "contentChanges": [{"text": unused}]}),
    );
    let diags = c.diagnostics(&views, 3);
    let hint = diags
        .iter()
        .find(|d| d["code"] == "unused-suppression")
        .unwrap_or_else(|| panic!("{diags:?}"))
        .clone();
    assert_eq!(hint["severity"], 4);
    let actions = c.request("textDocument/codeAction", json!({"textDocument": {"uri": views}, "range": hint["range"], "context": {"diagnostics": [hint]}}));
    assert!(
        actions
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["title"] == "Remove unused suppression"),
        "{actions}"
    );

    // `# pattern-language: ignore[` completes rule ids.
    let text4 = format!("{unused}y = 2  # pattern-language: ignore[");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": views, "version": 4}, "contentChanges": [{"text": text4}]}),
    );
    let _ = c.diagnostics(&views, 4);
    let last = text4.lines().count() as u32 - 1;
    let col = text4.lines().last().unwrap().len() as u32;
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": views}, "position": {"line": last, "character": col}}),
    );
    assert!(
        items
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["label"] == "cross-context-import"),
        "{items}"
    );
    c.shutdown();
}

const TEAM_PAGE: &str = r#"+++
id = "payment-gateway"
title = "Payment gateway"
category = "team"
aliases = []
related = ["anticorruption-layer"]
tags = []
+++

# Payment gateway

Our wrapper around a payment provider.

## Context
Payments go through providers.

## Problem
Provider SDKs leak everywhere.

## Solution
Wrap each provider in a gateway class.

## Resulting context

### Advantages
- One place per provider.

### Disadvantages
- One more class.

## Example
`class StripeGateway: ...`

## Detection

```query
(class_definition name: (identifier) @name (#match? @name "Gateway$")) @pattern
```

## Refactorings
- By hand.

## Further reading
- Our wiki.
"#;

#[test]
fn a_team_pattern_end_to_end_including_a_broken_query() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("docs/patterns/team")).unwrap();
    std::fs::write(
        root.join("pattern-language.toml"),
        "catalog = [\"docs/patterns\"]\n",
    )
    .unwrap();
    let page_path = root.join("docs/patterns/team/payment-gateway.md");
    std::fs::write(&page_path, TEAM_PAGE).unwrap();
    let py_text = "class StripeGateway:\n    def charge(self, cents: int) -> None: ...\n\nclass Other:\n    pass\n";
    std::fs::write(root.join("gateways.py"), py_text).unwrap();

    // The CLI sees it.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pattern-language"))
        .args(["check", "--format", "json"])
        .current_dir(root)
        .output()
        .unwrap();
    let records: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        records
            .iter()
            .any(|r| r["rule"] == "payment-gateway" && r["line"] == 1 && r["kind"] == "pattern"),
        "{records:?}"
    );

    let mut c = Client::start(root, json!({}), false);
    let py = uri(&root.join("gateways.py"));
    c.open(&py, "python", py_text);
    let _ = c.diagnostics(&py, 1);
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": py}, "position": {"line": 0, "character": 8}}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("### Payment gateway"),
        "{hover}"
    );

    // Break the query in the editor: a diagnostic at the query's line; other patterns still work.
    let page = uri(&page_path);
    c.open(&page, "markdown", TEAM_PAGE);
    let _ = c.diagnostics(&page, 1);
    let broken = TEAM_PAGE.replace(
        "(#match? @name \"Gateway$\")) @pattern",
        "(#match? @name \"Gateway$\") @pattern",
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": page, "version": 2}, "contentChanges": [{"text": broken}]}),
    );
    let diags = c.diagnostics(&page, 2);
    let query_line = TEAM_PAGE
        .lines()
        .position(|l| l.starts_with("(class_definition"))
        .unwrap() as u64;
    let d = diags
        .iter()
        .find(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .contains("invalid detection query")
        })
        .unwrap_or_else(|| panic!("{diags:?}"));
    assert_eq!(d["range"]["start"]["line"], query_line);
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": py}, "position": {"line": 0, "character": 8}}),
    );
    assert!(hover.is_null(), "a broken query finds nothing: {hover}");

    // Repair it: found again, without a restart.
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": page, "version": 3}, "contentChanges": [{"text": TEAM_PAGE}]}));
    let diags = c.diagnostics(&page, 3);
    assert!(
        diags
            .iter()
            .all(|d| !d["message"].as_str().unwrap().contains("query")),
        "{diags:?}"
    );
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": py}, "position": {"line": 0, "character": 8}}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("### Payment gateway"),
        "{hover}"
    );
    c.shutdown();
}

/// A tiny deterministic generator: no test depends on a random seed it cannot reproduce.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn findings(c: &mut Client, u: &str, version: i64) -> (Vec<Value>, Value) {
    let diags = c.diagnostics(u, version);
    let hints = c.request("textDocument/inlayHint", json!({"textDocument": {"uri": u}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 9999, "character": 0}}}));
    let mut d: Vec<Value> = diags
        .into_iter()
        .map(|d| json!([d["code"], d["range"], d["message"]]))
        .collect();
    d.sort_by_key(|v| v.to_string());
    (d, hints)
}

#[test]
fn random_edits_give_the_same_findings_as_a_fresh_open() {
    let root = shop();
    let base = std::fs::read_to_string(root.join("catalog/repositories.py")).unwrap();
    let snippets = [
        "é",
        "😀",
        "class Half(",
        "    def get_by_x(self):\n        return 1\n",
        "\n",
        "Book.objects",
        "from billing.invoicing.models import Invoice\n",
        ")",
        "  # ü",
    ];
    let mut rng = Lcg(7);
    let mut c = Client::start(&root, json!({}), false);
    let u = uri(&root.join("catalog/repositories.py"));
    c.open(&u, "python", &base);
    let _ = c.diagnostics(&u, 1);
    let mut text = base.clone();
    for version in 2..42i64 {
        // A random range in UTF-16 units, on character boundaries.
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let a = rng.next(chars.len() + 1);
        let b = (a + rng.next(6)).min(chars.len());
        let byte = |i: usize| chars.get(i).map_or(text.len(), |(o, _)| *o);
        let (sa, sb) = (byte(a), byte(b));
        let pos = |off: usize| {
            let before = &text[..off];
            let line = before.matches('\n').count();
            let col: usize = before[before.rfind('\n').map_or(0, |i| i + 1)..]
                .encode_utf16()
                .count();
            json!({"line": line, "character": col})
        };
        let insert = snippets[rng.next(snippets.len())];
        let change = json!({"range": {"start": pos(sa), "end": pos(sb)}, "text": insert});
        text.replace_range(sa..sb, insert);
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": version}, "contentChanges": [change]}),
        );
        if version % 10 != 1 {
            let _ = c.diagnostics(&u, version);
        } else {
            let incremental = findings(&mut c, &u, version);
            // A fresh open of the same text: close the document and open it again.
            c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
            let _ = c.wait_for(|m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == u.as_str()
                    && m["params"]["version"].is_null()
            });
            c.notify("textDocument/didOpen", json!({"textDocument": {"uri": u, "languageId": "python", "version": version, "text": text}}));
            let fresh = findings(&mut c, &u, version);
            assert_eq!(
                incremental.0, fresh.0,
                "diagnostics differ after edit {version}:\n{text}"
            );
            assert_eq!(
                incremental.1, fresh.1,
                "inlay hints differ after edit {version}"
            );
        }
    }
    c.shutdown();
}

fn apply_edits(text: &str, edits: &[Value]) -> String {
    // Edits in UTF-16 positions, applied from the last to the first.
    let offset = |pos: &Value| -> usize {
        let line = pos["line"].as_u64().unwrap() as usize;
        let character = pos["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let line_text = text[start..].split('\n').next().unwrap_or("");
        let mut units = 0;
        for (i, ch) in line_text.char_indices() {
            if units >= character {
                return start + i;
            }
            units += ch.len_utf16();
        }
        start + line_text.len()
    };
    let spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Like a client: from the end, and inserts at one position in array order.
    let mut spans: Vec<(usize, (usize, usize, String))> = spans.into_iter().enumerate().collect();
    spans.sort_by_key(|(i, s)| (std::cmp::Reverse(s.0), std::cmp::Reverse(*i)));
    let mut out = text.to_string();
    for (_, (a, b, t)) in spans {
        out.replace_range(a..b, &t);
    }
    out
}

/// Applies a code action's `documentChanges` to disk as a client would, checking that every
/// written file compiles. Returns the written paths.
fn apply_document_changes(action: &Value) -> Vec<String> {
    let mut written = Vec::new();
    for op in action["edit"]["documentChanges"].as_array().unwrap() {
        if op["kind"] == "create" {
            continue;
        }
        let path = op["textDocument"]["uri"]
            .as_str()
            .unwrap()
            .trim_start_matches("file://")
            .to_string();
        let before = std::fs::read_to_string(&path).unwrap_or_default();
        let after = apply_edits(&before, op["edits"].as_array().unwrap());
        assert!(py_compiles(&after), "{path}:\n{after}");
        std::fs::write(&path, after).unwrap();
        written.push(path);
    }
    written
}

fn py_compiles(text: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("m.py");
    std::fs::write(&f, text).unwrap();
    std::process::Command::new("python3")
        .args(["-m", "py_compile"])
        .arg(&f)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn uuid4_primary_key_switches_to_uuid7_by_python_version() {
    for (requires, expect, import) in [
        (
            ">=3.12",
            "uuid_utils.compat.uuid7",
            "import uuid_utils.compat",
        ),
        (">=3.14", "uuid.uuid7", "import uuid"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("pyproject.toml"),
            format!("[project]\nname = \"x\"\nrequires-python = \"{requires}\"\n"),
        )
        .unwrap();
        std::fs::create_dir(root.join("accounts")).unwrap();
        std::fs::write(root.join("accounts/__init__.py"), "").unwrap();
        let models = "\"\"\"Accounts.\"\"\"\nfrom uuid import uuid4\n\nfrom django.db import models\n\n\nclass Account(models.Model):\n    id = models.UUIDField(primary_key=True, default=uuid4, editable=False)\n    token = models.UUIDField(default=uuid4)\n";
        std::fs::write(root.join("accounts/models.py"), models).unwrap();
        let mut c = Client::start(root, json!({}), false);
        let u = uri(&root.join("accounts/models.py"));
        c.open(&u, "python", models);
        let diags = c.diagnostics(&u, 1);
        let d: Vec<&Value> = diags
            .iter()
            .filter(|d| d["code"] == "uuid4-primary-key")
            .collect();
        assert_eq!(d.len(), 1, "only the primary key, not the token: {diags:?}");
        let actions = c.request("textDocument/codeAction", json!({"textDocument": {"uri": u}, "range": d[0]["range"], "context": {"diagnostics": [d[0]]}}));
        let action = actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| {
                a["title"]
                    .as_str()
                    .unwrap()
                    .starts_with("Switch the primary key default")
            })
            .unwrap_or_else(|| panic!("{actions}"))
            .clone();
        assert_eq!(action["kind"], "quickfix");
        let fixed = apply_edits(
            models,
            action["edit"]["changes"][u.as_str()].as_array().unwrap(),
        );
        assert!(
            fixed.contains(&format!("default={expect}")) && fixed.lines().any(|l| l == import),
            "{fixed}"
        );
        assert!(
            fixed.contains("token = models.UUIDField(default=uuid4)"),
            "tokens stay uuid4"
        );
        assert!(py_compiles(&fixed), "{fixed}");
        // The server now recognises the pattern, and the smell is gone.
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"text": fixed}]}),
        );
        let diags = c.diagnostics(&u, 2);
        assert!(
            diags.iter().all(|d| d["code"] != "uuid4-primary-key"),
            "{diags:?}"
        );
        let line = fixed
            .lines()
            .position(|l| l.contains("primary_key=True"))
            .unwrap();
        let hover = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": u}, "position": {"line": line, "character": 6}}),
        );
        assert!(
            hover["contents"]["value"]
                .as_str()
                .unwrap()
                .contains("### Random identifier"),
            "{hover}"
        );
        c.shutdown();
    }
}

#[test]
fn fix_all_removes_unused_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    let text = "x = 1  # pattern-language: ignore[orm-in-domain]\n";
    std::fs::write(dir.path().join("a.py"), text).unwrap();
    let mut c = Client::start(dir.path(), json!({}), false);
    let u = uri(&dir.path().join("a.py"));
    c.open(&u, "python", text);
    let _ = c.diagnostics(&u, 1);
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": [], "only": ["source.fixAll.pattern-language"]}}),
    );
    let action = &actions[0];
    assert_eq!(action["kind"], "source.fixAll.pattern-language");
    assert_eq!(
        apply_edits(
            text,
            action["edit"]["changes"][u.as_str()].as_array().unwrap()
        ),
        "x = 1\n"
    );
    c.shutdown();
}

fn orders_app(root: &Path) -> String {
    std::fs::create_dir_all(root.join("orders")).unwrap();
    std::fs::write(root.join("orders/__init__.py"), "").unwrap();
    std::fs::write(root.join("orders/apps.py"), "from django.apps import AppConfig\n\n\nclass OrdersConfig(AppConfig):\n    name = \"orders\"\n").unwrap();
    let models = "from django.db import models\n\n\nclass Order(models.Model):\n    number = models.CharField(max_length=20, unique=True)\n    total = models.DecimalField(max_digits=10, decimal_places=2)\n    placed_at = models.DateTimeField(null=True)\n    customer = models.ForeignKey(\"auth.User\", on_delete=models.CASCADE)\n";
    std::fs::write(root.join("orders/models.py"), models).unwrap();
    models.to_string()
}

#[test]
fn extract_a_django_orm_repository_for_a_model() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let models = orders_app(root);
    let mut c = Client::start(root, json!({}), false);
    let u = uri(&root.join("orders/models.py"));
    c.open(&u, "python", &models);
    let _ = c.diagnostics(&u, 1);
    let class_line = line_of(&models, "class Order");
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": {"start": {"line": class_line, "character": 6}, "end": {"line": class_line, "character": 6}}, "context": {"diagnostics": []}}),
    );
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "refactor.extract")
        .unwrap_or_else(|| panic!("{actions}"))
        .clone();
    assert_eq!(
        action["title"],
        "Extract a Django ORM repository for `Order`"
    );
    // Apply the documentChanges: CreateFile, then the text.
    let ops = action["edit"]["documentChanges"].as_array().unwrap();
    let mut created = Vec::new();
    for op in ops {
        if op["kind"] == "create" {
            continue;
        }
        let path = op["textDocument"]["uri"]
            .as_str()
            .unwrap()
            .trim_start_matches("file://")
            .to_string();
        let before = std::fs::read_to_string(&path).unwrap_or_default();
        let after = apply_edits(&before, op["edits"].as_array().unwrap());
        assert!(py_compiles(&after), "{path}:\n{after}");
        std::fs::write(&path, &after).unwrap();
        created.push(path);
    }
    insta::assert_snapshot!(
        "extract_orm_domain",
        std::fs::read_to_string(root.join("orders/domain.py")).unwrap()
    );
    insta::assert_snapshot!(
        "extract_orm_repository",
        std::fs::read_to_string(root.join("orders/repositories.py")).unwrap()
    );
    assert!(
        created.iter().any(|p| p.ends_with("orders/domain.py"))
            && created
                .iter()
                .any(|p| p.ends_with("orders/repositories.py")),
        "{created:?}"
    );
    let domain = std::fs::read_to_string(root.join("orders/domain.py")).unwrap();
    assert!(
        domain.contains("class Order:")
            && domain.contains("total: Decimal")
            && domain.contains("placed_at: datetime | None")
            && domain.contains("customer_id: int"),
        "{domain}"
    );
    // `check` now recognises the pattern in the new repository.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pattern-language"))
        .args(["check", "--format", "json"])
        .current_dir(root)
        .output()
        .unwrap();
    let records: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        records
            .iter()
            .any(|r| r["rule"] == "django-orm-repository" && r["path"] == "orders/repositories.py"),
        "{records:?}"
    );
    c.shutdown();
}

#[test]
fn without_resource_operations_the_extraction_only_appends_to_existing_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let models = orders_app(root);
    let class_line = line_of(&models, "class Order");
    let ask = |c: &mut Client, u: &str| {
        c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": u}, "range": {"start": {"line": class_line, "character": 6}, "end": {"line": class_line, "character": 6}}, "context": {"diagnostics": []}}),
        )
    };
    // The files do not exist and the client cannot create them: not offered.
    let mut c = Client::start_opts(root, json!({}), false, false, true, false, true);
    let u = uri(&root.join("orders/models.py"));
    c.open(&u, "python", &models);
    let _ = c.diagnostics(&u, 1);
    assert!(
        ask(&mut c, &u)
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["kind"] != "refactor.extract")
    );
    c.shutdown();
    // With both files there, it appends through plain `changes`.
    std::fs::write(
        root.join("orders/domain.py"),
        "\"\"\"Orders domain.\"\"\"\n",
    )
    .unwrap();
    std::fs::write(root.join("orders/repositories.py"), "").unwrap();
    let mut c = Client::start_opts(root, json!({}), false, false, true, false, true);
    c.open(&u, "python", &models);
    let _ = c.diagnostics(&u, 1);
    let actions = ask(&mut c, &u);
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "refactor.extract")
        .unwrap_or_else(|| panic!("{actions}"))
        .clone();
    assert!(action["edit"]["documentChanges"].is_null());
    let changes = action["edit"]["changes"].as_object().unwrap();
    assert_eq!(changes.len(), 2);
    for (file_uri, edits) in changes {
        let path = file_uri.trim_start_matches("file://");
        let after = apply_edits(
            &std::fs::read_to_string(path).unwrap(),
            edits.as_array().unwrap(),
        );
        assert!(py_compiles(&after), "{path}:\n{after}");
    }
    c.shutdown();
}

#[test]
fn cross_context_import_to_an_anticorruption_layer() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "pattern-language.toml",
        "[contexts]\nbilling = [\"invoicing\"]\nshipping = [\"shipping\"]\n",
    );
    for pkg in ["billing", "billing/invoicing", "shipping"] {
        write(&format!("{pkg}/__init__.py"), "");
    }
    write(
        "billing/invoicing/apps.py",
        "from django.apps import AppConfig\n\n\nclass InvoicingConfig(AppConfig):\n    name = \"billing.invoicing\"\n",
    );
    write(
        "billing/invoicing/models.py",
        "from django.db import models\n\n\nclass Invoice(models.Model):\n    number = models.CharField(max_length=20)\n    total = models.DecimalField(max_digits=10, decimal_places=2)\n",
    );
    write(
        "shipping/apps.py",
        "from django.apps import AppConfig\n\n\nclass ShippingConfig(AppConfig):\n    name = \"shipping\"\n",
    );
    let views = "from billing.invoicing.models import Invoice\n\n\ndef shipping_cost(number: str) -> int:\n    invoice = Invoice.objects.get(number=number)\n    return 500 if invoice.total > 100 else 900\n\n\ndef describe(invoice: Invoice) -> str:\n    return invoice.number\n";
    write("shipping/views.py", views);

    let mut c = Client::start(root, json!({}), false);
    let u = uri(&root.join("shipping/views.py"));
    c.open(&u, "python", views);
    let diags = c.diagnostics(&u, 1);
    let d = diags
        .iter()
        .find(|d| d["code"] == "cross-context-import")
        .unwrap_or_else(|| panic!("{diags:?}"))
        .clone();
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Introduce an anticorruption layer for `Invoice`")
        .unwrap_or_else(|| panic!("{actions}"))
        .clone();
    apply_document_changes(&action);
    let rewritten = std::fs::read_to_string(root.join("shipping/views.py")).unwrap();
    assert!(
        rewritten.starts_with("from .acl import InvoiceView, get_invoice\n"),
        "{rewritten}"
    );
    assert!(
        rewritten.contains("invoice = get_invoice(number=number)")
            && rewritten.contains("def describe(invoice: InvoiceView)"),
        "{rewritten}"
    );
    let acl = std::fs::read_to_string(root.join("shipping/acl.py")).unwrap();
    insta::assert_snapshot!("acl_module", &acl);
    insta::assert_snapshot!("acl_rewritten_views", &rewritten);
    assert!(
        acl.contains("return InvoiceView(pk=obj.pk, number=obj.number, total=obj.total)"),
        "{acl}"
    );
    // check: the leak is gone, the layer is recognised.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pattern-language"))
        .args(["check", "--format", "json"])
        .current_dir(root)
        .output()
        .unwrap();
    let records: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        records.iter().all(|r| r["rule"] != "cross-context-import"),
        "{records:?}"
    );
    assert!(
        records
            .iter()
            .any(|r| r["rule"] == "anticorruption-layer" && r["path"] == "shipping/acl.py"),
        "{records:?}"
    );
    c.shutdown();
}

#[test]
fn pattern_aware_completion_with_and_without_snippets() {
    for snippets in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let _ = orders_app(root);
        std::fs::write(root.join("orders/routers.py"), "class OrdersRouter:\n    def db_for_write(self, model, **hints):\n        return None\n").unwrap();
        let mut c = Client::start_opts(root, json!({}), false, false, true, true, snippets);

        // db_table in a model's Meta.
        let models = "from django.db import models\n\n\nclass Order(models.Model):\n    number = models.CharField(max_length=20)\n\n    class Meta:\n        db_t";
        let u = uri(&root.join("orders/models.py"));
        c.open(&u, "python", models);
        let _ = c.diagnostics(&u, 1);
        let items = c.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": u}, "position": {"line": 7, "character": 12}}),
        );
        let item = &items.as_array().unwrap()[0];
        assert_eq!(item["label"], "db_table = \"orders_order\"");
        let expected = if snippets {
            "db_table = \"${1:orders_order}\""
        } else {
            "db_table = \"orders_order\""
        };
        assert_eq!(item["textEdit"]["newText"], expected);
        assert_eq!(item["insertTextFormat"], if snippets { 2 } else { 1 });

        // DATABASE_ROUTERS entries.
        let settings = "DATABASE_ROUTERS = [\"";
        let su = uri(&root.join("settings.py"));
        c.open(&su, "python", settings);
        let _ = c.diagnostics(&su, 1);
        let items = c.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": su}, "position": {"line": 0, "character": 21}}),
        );
        assert!(
            items
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["label"] == "orders.routers.OrdersRouter"),
            "{items}"
        );

        // A new class in a repositories module.
        let ru = uri(&root.join("orders/repositories.py"));
        c.open(&ru, "python", "class ");
        let _ = c.diagnostics(&ru, 1);
        let items = c.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": ru}, "position": {"line": 0, "character": 6}}),
        );
        let item = items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["label"] == "OrderRepository")
            .unwrap_or_else(|| panic!("{items}"))
            .clone();
        let mut edits = vec![item["textEdit"].clone()];
        edits.extend(
            item["additionalTextEdits"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        );
        let mut result = apply_edits("class ", &edits);
        if snippets {
            assert!(result.ends_with("$0"));
            result = result.trim_end_matches("$0").to_string();
        }
        assert!(
            result.starts_with("from . import models\n") && py_compiles(&result),
            "{result}"
        );
        c.shutdown();
    }
}

#[test]
fn did_change_configuration_applies_severity_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("accounts")).unwrap();
    std::fs::write(root.join("accounts/__init__.py"), "").unwrap();
    let models = "import uuid\n\nfrom django.db import models\n\n\nclass Account(models.Model):\n    id = models.UUIDField(primary_key=True, default=uuid.uuid4)\n";
    std::fs::write(root.join("accounts/models.py"), models).unwrap();
    let mut c = Client::start(root, json!({}), false);
    let u = uri(&root.join("accounts/models.py"));
    c.open(&u, "python", models);
    let diags = c.diagnostics(&u, 1);
    assert_eq!(diags[0]["severity"], 4);
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"pattern-language": {"severity": {"uuid4-primary-key": "error"}}}}),
    );
    let msg = c.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == u.as_str()
            && m["params"]["diagnostics"][0]["severity"] == 1
    });
    assert_eq!(msg["params"]["diagnostics"][0]["code"], "uuid4-primary-key");
    c.shutdown();
}

#[test]
fn namespace_the_tables_of_a_bounded_context() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let _ = orders_app(root);
    let models = "from django.db import models\n\n\nclass Order(models.Model):\n    number = models.CharField(max_length=20)\n\n\nclass OrderLine(models.Model):\n    sku = models.CharField(max_length=20)\n\n    class Meta:\n        ordering = [\"sku\"]\n\n\nclass Legacy(models.Model):\n    code = models.CharField(max_length=5)\n\n    class Meta:\n        managed = False\n        db_table = \"legacy_codes\"\n";
    std::fs::write(root.join("orders/models.py"), models).unwrap();
    let mut c = Client::start(root, json!({}), false);
    let u = uri(&root.join("orders/models.py"));
    c.open(&u, "python", models);
    let _ = c.diagnostics(&u, 1);
    let line = line_of(models, "class Order(");
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "context": {"diagnostics": []}}),
    );
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Namespace the tables")
        })
        .unwrap_or_else(|| panic!("{actions}"))
        .clone();
    assert!(
        action["title"]
            .as_str()
            .unwrap()
            .contains("2 model(s); run makemigrations after"),
        "{action}"
    );
    let ops = action["edit"]["documentChanges"].as_array().unwrap();
    let after = apply_edits(models, ops[0]["edits"].as_array().unwrap());
    insta::assert_snapshot!("namespace_tables", &after);
    assert!(py_compiles(&after), "{after}");
    assert!(
        after.contains("    class Meta:\n        db_table = \"orders_order\"")
            && after.contains("        db_table = \"orders_orderline\"\n        ordering"),
        "{after}"
    );
    assert!(
        after.contains("db_table = \"legacy_codes\""),
        "unmanaged tables stay"
    );
    std::fs::write(root.join("orders/models.py"), &after).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pattern-language"))
        .args(["check", "--format", "json"])
        .current_dir(root)
        .output()
        .unwrap();
    let records: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        records
            .iter()
            .filter(|r| r["rule"] == "context-table-namespace")
            .count(),
        2,
        "{records:?}"
    );
    c.shutdown();
}

#[test]
fn cache_not_invalidated_quick_fix_reuses_the_read_key() {
    let root = shop();
    let mut c = Client::start(&root, json!({}), false);
    let (u, text, diags) = open_file(&mut c, &root.join("catalog/repositories.py"));
    let smells: Vec<Value> = diags
        .iter()
        .filter(|d| d["code"] == "cache-not-invalidated")
        .cloned()
        .collect();
    assert_eq!(smells.len(), 2, "{diags:?}");
    let rename_line = line_of(&text, "def rename(");
    let save_line = line_of(&text, "def save(");
    let ask = |c: &mut Client, d: &Value| {
        c.request("textDocument/codeAction", json!({"textDocument": {"uri": u}, "range": d["range"], "context": {"diagnostics": [d]}}))
    };
    let on_save = smells
        .iter()
        .find(|d| d["range"]["start"]["line"] == save_line)
        .unwrap();
    let actions = ask(&mut c, on_save);
    assert!(
        actions
            .as_array()
            .unwrap()
            .iter()
            .all(|a| !a["title"].as_str().unwrap().starts_with("Invalidate")),
        "`save(book)` has no `isbn` to rebuild the key with: no fix offered: {actions}"
    );
    let on_rename = smells
        .iter()
        .find(|d| d["range"]["start"]["line"] == rename_line)
        .unwrap();
    let actions = ask(&mut c, on_rename);
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Invalidate"))
        .unwrap_or_else(|| panic!("{actions}"))
        .clone();
    let fixed = apply_edits(
        &text,
        fix["edit"]["changes"][u.as_str()].as_array().unwrap(),
    );
    assert!(fixed.contains("        BookModel.objects.filter(isbn=isbn).update(title=title)\n        cache.delete(self._key(isbn))\n"), "{fixed}");
    assert!(py_compiles(&fixed));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let diags = c.diagnostics(&u, 2);
    let left: Vec<&Value> = diags
        .iter()
        .filter(|d| d["code"] == "cache-not-invalidated")
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["range"]["start"]["line"], save_line);
    c.shutdown();
}

#[test]
fn give_a_bounded_context_its_own_database_unless_foreign_keys_cross() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "pattern-language.toml",
        "[contexts]\nbilling = [\"invoicing\"]\nshipping = [\"shipping\"]\n",
    );
    for pkg in ["mysite", "mysite/settings", "invoicing", "shipping"] {
        write(&format!("{pkg}/__init__.py"), "");
    }
    write(
        "mysite/settings/base.py",
        "DATABASES = {\n    \"default\": {\"ENGINE\": \"django.db.backends.postgresql\", \"NAME\": \"shop\"},\n}\n",
    );
    write(
        "invoicing/apps.py",
        "from django.apps import AppConfig\n\n\nclass InvoicingConfig(AppConfig):\n    name = \"invoicing\"\n",
    );
    write(
        "shipping/apps.py",
        "from django.apps import AppConfig\n\n\nclass ShippingConfig(AppConfig):\n    name = \"shipping\"\n",
    );
    let invoices = "from django.db import models\n\n\nclass Invoice(models.Model):\n    number = models.CharField(max_length=20)\n";
    write("invoicing/models.py", invoices);
    write(
        "shipping/models.py",
        "from django.db import models\n\n\nclass Shipment(models.Model):\n    invoice = models.ForeignKey(\"invoicing.Invoice\", on_delete=models.PROTECT)\n",
    );

    let ask = |c: &mut Client, u: &str| {
        let actions = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": u}, "range": {"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 0}}, "context": {"diagnostics": []}}),
        );
        actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| {
                a["title"]
                    .as_str()
                    .unwrap()
                    .starts_with("Give the `billing` context its own database")
            })
            .cloned()
    };
    let mut c = Client::start(root, json!({}), false);
    let u = uri(&root.join("invoicing/models.py"));
    c.open(&u, "python", invoices);
    let _ = c.diagnostics(&u, 1);
    let blocked = ask(&mut c, &u).expect("the action explains why it is not available");
    assert!(
        blocked["disabled"]["reason"]
            .as_str()
            .unwrap()
            .contains("Shipment.invoice"),
        "{blocked}"
    );
    assert!(blocked.get("edit").is_none_or(Value::is_null));
    c.shutdown();

    // Without the crossing foreign key it applies.
    write(
        "shipping/models.py",
        "from django.db import models\n\n\nclass Shipment(models.Model):\n    invoice_number = models.CharField(max_length=20)\n",
    );
    let mut c = Client::start(root, json!({}), false);
    c.open(&u, "python", invoices);
    let _ = c.diagnostics(&u, 1);
    let action = ask(&mut c, &u).unwrap();
    assert!(
        action.get("disabled").is_none_or(Value::is_null),
        "{action}"
    );
    apply_document_changes(&action);
    let settings = std::fs::read_to_string(root.join("mysite/settings/base.py")).unwrap();
    insta::assert_snapshot!("context_database_settings", &settings);
    insta::assert_snapshot!(
        "context_database_router",
        std::fs::read_to_string(root.join("mysite/routers.py")).unwrap()
    );
    assert!(
        settings.contains("DATABASE_ROUTERS = [\"mysite.routers.BillingRouter\"]"),
        "{settings}"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pattern-language"))
        .args(["check", "--format", "json", "--patterns"])
        .current_dir(root)
        .output()
        .unwrap();
    let records: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let hits: Vec<&str> = records
        .iter()
        .filter(|r| r["rule"] == "context-database")
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        hits,
        ["mysite/routers.py", "mysite/settings/base.py"],
        "{records:?}"
    );
    c.shutdown();
}

#[test]
fn introduce_a_json_field_repository_for_an_aggregate() {
    for pydantic in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let _ = orders_app(root);
        let domain = if pydantic {
            "from dataclasses import dataclass\nfrom decimal import Decimal\n\n\n@dataclass\nclass Cart:\n    cart_id: str\n    total: Decimal\n    items: list[str]\n\n    def add(self, item: str) -> None:\n        self.items.append(item)\n"
        } else {
            "from dataclasses import dataclass\n\n\n@dataclass\nclass Cart:\n    cart_id: str\n    items: list[str]\n    paid: bool\n\n    def pay(self) -> None:\n        self.paid = True\n"
        };
        std::fs::write(root.join("orders/domain.py"), domain).unwrap();
        if pydantic {
            std::fs::write(
                root.join("orders/schemas.py"),
                "from pydantic import BaseModel\n",
            )
            .unwrap();
        }
        let mut c = Client::start(root, json!({}), false);
        let u = uri(&root.join("orders/domain.py"));
        c.open(&u, "python", domain);
        let _ = c.diagnostics(&u, 1);
        let line = line_of(domain, "class Cart");
        let actions = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": u}, "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "context": {"diagnostics": []}}),
        );
        let action = actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| {
                a["title"]
                    .as_str()
                    .unwrap()
                    .starts_with("Introduce a JSON field repository for `Cart`")
            })
            .unwrap_or_else(|| panic!("{actions}"))
            .clone();
        apply_document_changes(&action);
        let repo = std::fs::read_to_string(root.join("orders/repositories.py")).unwrap();
        insta::assert_snapshot!(
            if pydantic {
                "json_repository_pydantic"
            } else {
                "json_repository_dataclass"
            },
            &repo
        );
        assert_eq!(
            repo.contains("class CartDTO(BaseModel):"),
            pydantic,
            "{repo}"
        );
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_pattern-language"))
            .args(["check", "--format", "json"])
            .current_dir(root)
            .output()
            .unwrap();
        let records: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        let paths: Vec<&str> = records
            .iter()
            .filter(|r| r["rule"] == "json-field-repository")
            .map(|r| r["path"].as_str().unwrap())
            .collect();
        assert_eq!(
            paths,
            ["orders/models.py", "orders/repositories.py"],
            "pydantic={pydantic}: {records:?}"
        );
        c.shutdown();
    }
}

#[test]
fn cache_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let _ = orders_app(root);
    let repo = "from .models import Order\n\n\nclass OrderRepository:\n    def get(self, pk):\n        return Order.objects.get(pk=pk).to_domain()\n\n    def list_open(self):\n        \"\"\"Open orders.\"\"\"\n        return [o.to_domain() for o in Order.objects.filter(total__gt=0)]\n\n    def add(self, order):\n        Order.from_domain(order).save()\n";
    std::fs::write(root.join("orders/repositories.py"), repo).unwrap();
    let mut c = Client::start(root, json!({}), false);
    let u = uri(&root.join("orders/repositories.py"));
    c.open(&u, "python", repo);
    let _ = c.diagnostics(&u, 1);
    let line = line_of(repo, "class OrderRepository");
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "context": {"diagnostics": []}}),
    );
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Cache `OrderRepository`")
        })
        .unwrap_or_else(|| panic!("{actions}"))
        .clone();
    assert!(
        action["title"].as_str().unwrap().contains("2 read(s)")
            && action["title"].as_str().unwrap().contains("1 write(s)"),
        "{action}"
    );
    let cached = apply_edits(
        repo,
        action["edit"]["changes"][u.as_str()].as_array().unwrap(),
    );
    assert!(py_compiles(&cached), "{cached}");
    insta::assert_snapshot!("cache_repository", &cached);
    assert!(
        cached.starts_with("from django.core.cache import cache\n")
            || cached.contains("\nfrom django.core.cache import cache\n"),
        "{cached}"
    );
    std::fs::write(root.join("orders/repositories.py"), &cached).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pattern-language"))
        .args(["check", "--format", "json"])
        .current_dir(root)
        .output()
        .unwrap();
    let records: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        records.iter().any(|r| r["rule"] == "cached-repository"),
        "{records:?}"
    );
    assert!(
        records.iter().all(|r| r["rule"] != "cache-not-invalidated"),
        "{records:?}"
    );
    c.shutdown();
}

#[test]
fn refactor_edits_are_resolved_lazily_where_the_client_supports_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let models = orders_app(root);
    let mut c = Client::start_lazy(root);
    let u = uri(&root.join("orders/models.py"));
    c.open(&u, "python", &models);
    let _ = c.diagnostics(&u, 1);
    let line = line_of(&models, "class Order");
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "context": {"diagnostics": []}}),
    );
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "refactor.extract")
        .unwrap_or_else(|| panic!("{actions}"))
        .clone();
    assert!(action.get("edit").is_none_or(Value::is_null), "{action}");
    let resolved = c.request("codeAction/resolve", action);
    assert!(
        resolved["edit"]["documentChanges"]
            .as_array()
            .is_some_and(|ops| ops.len() >= 3),
        "{resolved}"
    );
    c.shutdown();
}

#[test]
fn introduce_a_specification_and_rewrite_known_call_sites() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let _ = orders_app(root);
    let repo = "from .models import Order\n\n\nclass OrderRepository:\n    def get_by_number(self, number):\n        return Order.objects.get(number=number).to_domain()\n\n    def find_by_status(self, status):\n        return [o.to_domain() for o in Order.objects.filter(status=status)]\n\n    def find_by_customer(self, customer):\n        return [o.to_domain() for o in Order.objects.filter(customer__name=customer)]\n\n    def add(self, order):\n        Order.from_domain(order).save()\n";
    let services = "from .repositories import OrderRepository\n\n\ndef open_orders(repo: OrderRepository):\n    return repo.find_by_status(\"open\")\n\n\ndef lookup(number):\n    repo = OrderRepository()\n    return repo.get_by_number(number)\n\n\ndef unknown(r):\n    return r.find_by_customer(\"x\")\n";
    std::fs::write(root.join("orders/repositories.py"), repo).unwrap();
    std::fs::write(root.join("orders/services.py"), services).unwrap();
    let mut c = Client::start(root, json!({}), false);
    let u = uri(&root.join("orders/repositories.py"));
    c.open(&u, "python", repo);
    let _ = c.diagnostics(&u, 1);
    let line = line_of(repo, "class OrderRepository");
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "context": {"diagnostics": []}}),
    );
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Introduce a specification")
        })
        .unwrap_or_else(|| panic!("{actions}"))
        .clone();
    assert!(
        action["title"]
            .as_str()
            .unwrap()
            .contains("left as they are: orders.services:"),
        "{action}"
    );
    apply_document_changes(&action);
    let repo_after = std::fs::read_to_string(root.join("orders/repositories.py")).unwrap();
    assert!(
        !repo_after.contains("def get_by_number")
            && repo_after.contains("def find(self, spec):")
            && repo_after.contains("def find_one(self, spec):"),
        "{repo_after}"
    );
    assert!(
        repo_after.contains("Order.objects.filter(spec.to_q())")
            && repo_after.contains("def add(self, order):"),
        "{repo_after}"
    );
    let services_after = std::fs::read_to_string(root.join("orders/services.py")).unwrap();
    insta::assert_snapshot!("specification_repository", &repo_after);
    insta::assert_snapshot!(
        "specification_specifications",
        std::fs::read_to_string(root.join("orders/specifications.py")).unwrap()
    );
    insta::assert_snapshot!("specification_call_sites", &services_after);
    assert!(
        services_after.contains("return repo.find(ByStatus(\"open\"))")
            && services_after.contains("return repo.find_one(ByNumber(number))"),
        "{services_after}"
    );
    assert!(
        services_after.contains("return r.find_by_customer(\"x\")"),
        "unknown receivers stay"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pattern-language"))
        .args(["check", "--format", "json"])
        .current_dir(root)
        .output()
        .unwrap();
    let records: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        records
            .iter()
            .any(|r| r["rule"] == "repository-specification"
                && r["path"] == "orders/specifications.py"),
        "{records:?}"
    );
    c.shutdown();
}

#[test]
fn pattern_ids_complete_inside_comments_and_docstrings_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Client::start(dir.path(), json!({}), false);
    let u = uri(&dir.path().join("notes.py"));
    let text = "# follows [[cach\nx = \"\"\"see [[\"\"\"\ny = [[1]]\n";
    c.open(&u, "python", text);
    let _ = c.diagnostics(&u, 1);
    let at = |c: &mut Client, line: u32, character: u32| {
        c.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": u}, "position": {"line": line, "character": character}}),
        )
    };
    let in_comment = at(&mut c, 0, 16);
    assert!(
        in_comment["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["label"] == "cached-repository"),
        "{in_comment}"
    );
    let in_docstring = at(&mut c, 1, 13);
    assert_eq!(in_docstring["items"].as_array().map(Vec::len), Some(36));
    let in_code = at(&mut c, 2, 6);
    assert!(in_code.is_null(), "no pattern ids in code: {in_code}");
    c.shutdown();
}

/// The hover on a class header names the refactors on offer there, and says why one that is
/// offered disabled cannot apply (the reason a missing action is missing).
#[test]
fn hover_names_the_refactors_here_and_why_one_cannot_apply() {
    let root = shop();
    let mut c = Client::start(&root, json!({}), false);
    let (u, text, _) = open_file(&mut c, &root.join("gitforge/models.py"));
    let line = line_of(&text, "class Repository");
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": line, "character": 8}}),
    );
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(value.contains("**Refactors here:**"), "{value}");
    assert!(
        value.contains(
            "- Give the `gitforge` context its own database: not available, foreign keys cross the context's border"
        ),
        "{value}"
    );
    assert!(
        value.contains("Extract a Django ORM repository for `Repository` (code action)"),
        "{value}"
    );

    // A smell's hover lists the refactor that fixes it, here and now.
    let (u, text, _) = open_file(&mut c, &root.join("catalog/repositories.py"));
    let line = line_of(&text, "class BookRepository");
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": line, "character": 8}}),
    );
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        value.contains("### Smell: `query-method-sprawl`")
            && value.contains("- Introduce a specification: `BookRepository` gets `find(spec)`"),
        "{value}"
    );
    c.shutdown();
}
