//! Whole-protocol latency of the real binary: time to the `initialize` response, hover and
//! completion on a 5,000-line Markdown document with a 200-page catalog, hover on a recognised
//! class and re-analysis after a one-character edit in a 5,000-line `models.py`.
//!
//! With the saleor corpus in `/work/shared/corpora/saleor` (or `PATTERN_LANGUAGE_SALEOR`), also
//! the big workspace (4,338 files): indexing, one-character edits in `saleor/order/models.py`
//! until their diagnostics, hover there, and the server's resident memory; skipped with a
//! message when the corpus is absent.
//!
//! `cargo bench --bench lsp_latency` prints p50/p99 for each (`PATTERN_LANGUAGE_BENCH_BIN` runs
//! another build of the server instead of this one). A benchmark, not a test: nothing
//! here asserts a time.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    /// Messages read while waiting for another one: a later wait may want them (diagnostics
    /// can overtake the answer to a request sent after the change). The last few are kept.
    pending: std::collections::VecDeque<Value>,
    id: i64,
}

impl Server {
    fn start() -> Server {
        // `PATTERN_LANGUAGE_BENCH_BIN`: another build of the server (to compare before and after).
        let bin = std::env::var_os("PATTERN_LANGUAGE_BENCH_BIN")
            .unwrap_or_else(|| env!("CARGO_BIN_EXE_pattern-language").into());
        let mut child = Command::new(bin)
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0;
                loop {
                    let mut l = String::new();
                    if r.read_line(&mut l).unwrap_or(0) == 0 {
                        return;
                    }
                    if l.trim().is_empty() {
                        break;
                    }
                    if let Some(v) = l.trim().strip_prefix("Content-Length: ") {
                        len = v.parse().unwrap();
                    }
                }
                let mut buf = vec![0; len];
                if r.read_exact(&mut buf).is_err() {
                    return;
                }
                if tx.send(serde_json::from_slice(&buf).unwrap()).is_err() {
                    return;
                }
            }
        });
        Server {
            child,
            stdin,
            rx,
            pending: Default::default(),
            id: 0,
        }
    }

    fn send(&mut self, v: Value) {
        let b = v.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{b}", b.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn recv_until(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&pred) {
            return self.pending.remove(i).unwrap_or_default();
        }
        loop {
            let m = self
                .rx
                .recv_timeout(Duration::from_secs(60))
                .expect("answer");
            if m.get("id").is_some() && m.get("method").is_some() {
                let id = m["id"].clone();
                self.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));
                continue;
            }
            if pred(&m) {
                return m;
            }
            if self.pending.len() == 16 {
                self.pending.pop_front();
            }
            self.pending.push_back(m);
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.id += 1;
        let id = self.id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.recv_until(|m| m["id"] == id && m.get("method").is_none())["result"].clone()
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn initialize(&mut self, root: &std::path::Path) {
        let uri = format!("file://{}", root.display());
        self.request("initialize", json!({"processId": null, "rootUri": uri, "workspaceFolders": [{"uri": uri, "name": "b"}], "capabilities": {}}));
        self.notify("initialized", json!({}));
        self.recv_until(|m| {
            m["method"] == "window/logMessage"
                && m["params"]["message"]
                    .as_str()
                    .is_some_and(|s| s.contains("indexed"))
        });
    }

    fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let _ = self.child.wait();
    }
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name:<48} n={:<5} p50 {:>9.3} ms   p99 {:>9.3} ms",
        samples.len(),
        pick(0.5).as_secs_f64() * 1e3,
        pick(0.99).as_secs_f64() * 1e3
    );
}

/// Which sections to run: `cargo bench --bench lsp_latency -- typing big_workspace` runs the
/// sections whose names contain one of the words; no words runs all.
fn wanted(section: &str) -> bool {
    let words: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    words.is_empty() || words.iter().any(|w| section.contains(w.as_str()))
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // A 200-page catalog: the 36 embedded pages plus 164 project pages.
    let cat = root.join("docs/patterns/team");
    std::fs::create_dir_all(&cat).unwrap();
    let template = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../patterns/tactical/value-object.md"
    ))
    .unwrap();
    for i in 0..164 {
        let page = template
            .replace(
                "id = \"value-object\"",
                &format!("id = \"team-pattern-{i}\""),
            )
            .replace(
                "title = \"Value object\"",
                &format!("title = \"Team pattern {i}\""),
            )
            .replace("category = \"tactical\"", "category = \"team\"");
        std::fs::write(cat.join(format!("team-pattern-{i}.md")), page).unwrap();
    }
    std::fs::write(
        root.join("pattern-language.toml"),
        "catalog = [\"docs/patterns\"]\n",
    )
    .unwrap();
    // A 5,000-line design doc.
    let mut doc = String::new();
    for i in 0..5000 {
        doc.push_str(&format!("Line {i:05}: billing talks to shipping through an anticorruption layer; see [[cached-repository]].\n"));
    }
    // A 5,000-line models.py with a repository at the end.
    let mut models = String::from("from django.db import models\n\n");
    let mut n = 2;
    let mut k = 0;
    while n < 4990 {
        models.push_str(&format!("class Thing{k}(models.Model):\n    name = models.CharField(max_length=20)\n    size = models.IntegerField()\n\n"));
        n += 4;
        k += 1;
    }
    models.push_str("class ThingRepository:\n    def get(self, pk):\n        return Thing0.objects.get(pk=pk).to_domain()\n");
    let repo_line = models.lines().count() as u32 - 3;
    std::fs::write(root.join("models.py"), &models).unwrap();

    if wanted("small_workspace") {
        small_workspace(root, models, doc, repo_line);
    }
    if wanted("typing_in_a_big_file") {
        typing_in_a_big_file(root);
    }
    if wanted("document_symbols") {
        document_symbols(root);
    }
    if wanted("team_query_page") {
        team_query_page(root);
    }
    if wanted("big_workspace") {
        big_workspace();
    }
}

/// Initialize, Markdown hover and completion, edits and hover on the 5,000-line models.py.
fn small_workspace(root: &std::path::Path, models: String, doc: String, repo_line: u32) {
    // Time to the initialize response (a fresh process each time).
    let mut init = Vec::new();
    for _ in 0..20 {
        let mut s = Server::start();
        let t = Instant::now();
        let uri = format!("file://{}", root.display());
        s.request(
            "initialize",
            json!({"processId": null, "rootUri": uri, "capabilities": {}}),
        );
        init.push(t.elapsed());
        s.notify("initialized", json!({}));
        s.stop();
    }
    report("initialize response", init);

    let mut s = Server::start();
    s.initialize(root);
    let md = format!("file://{}/design.md", root.display());
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": md, "languageId": "markdown", "version": 1, "text": doc}}),
    );
    s.recv_until(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == md.as_str()
    });
    let mut hover = Vec::new();
    for i in 0..300u32 {
        let t = Instant::now();
        let r = s.request("textDocument/hover", json!({"textDocument": {"uri": md}, "position": {"line": (i * 16) % 5000, "character": 52}}));
        hover.push(t.elapsed());
        assert!(!r.is_null());
    }
    report("markdown hover (5,000 lines, 200 patterns)", hover);
    let mut completion = Vec::new();
    for i in 0..300u32 {
        let t = Instant::now();
        let r = s.request("textDocument/completion", json!({"textDocument": {"uri": md}, "position": {"line": (i * 16) % 5000, "character": 80}}));
        completion.push(t.elapsed());
        assert_eq!(r["items"].as_array().map(Vec::len), Some(200));
    }
    report("markdown completion in [[ (200 items)", completion);

    let py = format!("file://{}/models.py", root.display());
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": py, "languageId": "python", "version": 1, "text": models}}),
    );
    s.recv_until(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == py.as_str()
    });
    let mut edits = Vec::new();
    for v in 2..202 {
        let t = Instant::now();
        let ch = if v % 2 == 0 { "x" } else { "" };
        let range = if v % 2 == 0 {
            json!({"start": {"line": 4, "character": 8}, "end": {"line": 4, "character": 8}})
        } else {
            json!({"start": {"line": 4, "character": 8}, "end": {"line": 4, "character": 9}})
        };
        s.notify("textDocument/didChange", json!({"textDocument": {"uri": py, "version": v}, "contentChanges": [{"range": range, "text": ch}]}));
        s.recv_until(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == v
        });
        edits.push(t.elapsed());
    }
    report(
        "re-analysis after a 1-char edit (5,000-line models.py)",
        edits,
    );
    // Issue 10: a change while that file's diagnostics are being computed. A notification has
    // no answer, so the change is followed by a Markdown hover (handled after it, in order);
    // the hover alone is measured too, and the difference is the change's own latency.
    let mut changed = Vec::new();
    let mut busy = Vec::new();
    let mut alone = Vec::new();
    let md_hover = json!({"textDocument": {"uri": md}, "position": {"line": 16, "character": 52}});
    // Versions go on from the loop above; inserts and deletions alternate, so the text stays.
    let mut next = 201;
    let mut edit = || {
        next += 1;
        let range = if next % 2 == 0 {
            json!({"start": {"line": 4, "character": 8}, "end": {"line": 4, "character": 8}})
        } else {
            json!({"start": {"line": 4, "character": 8}, "end": {"line": 4, "character": 9}})
        };
        let ch = if next % 2 == 0 { "x" } else { "" };
        let change = json!({"textDocument": {"uri": py, "version": next}, "contentChanges": [{"range": range, "text": ch}]});
        (next, change)
    };
    for _ in 0..200 {
        // The first change starts an analysis; the second arrives while it runs.
        let (_, first) = edit();
        s.notify("textDocument/didChange", first);
        let (v, second) = edit();
        let t = Instant::now();
        s.notify("textDocument/didChange", second);
        s.request("textDocument/hover", md_hover.clone());
        changed.push(t.elapsed());
        s.recv_until(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == v
        });
        // The same hover while an analysis runs, with no change before it: the cost of the
        // busy cores, which is not the change's own latency.
        let (v, only) = edit();
        s.notify("textDocument/didChange", only);
        let t = Instant::now();
        s.request("textDocument/hover", md_hover.clone());
        busy.push(t.elapsed());
        s.recv_until(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == v
        });
        let t = Instant::now();
        s.request("textDocument/hover", md_hover.clone());
        alone.push(t.elapsed());
    }
    report(
        "didChange + markdown hover, diagnostics of models.py in flight",
        changed,
    );
    report(
        "markdown hover, diagnostics of models.py in flight, no change",
        busy,
    );
    report(
        "markdown hover alone (the baseline of the lines above)",
        alone,
    );
    let mut py_hover = Vec::new();
    for _ in 0..300 {
        let t = Instant::now();
        let r = s.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": py}, "position": {"line": repo_line, "character": 8}}),
        );
        py_hover.push(t.elapsed());
        assert!(
            r["contents"]["value"]
                .as_str()
                .is_some_and(|v| v.contains("Django ORM repository")),
            "{r}"
        );
    }
    report("python hover on a recognised class", py_hover);
    // A new field typed a character at a time into four models (on the blank line after each),
    // each keystroke waited on: half of the line's states have a syntax error (`title =`, an
    // open call).
    const TYPED: &str = "    title = models.CharField(max_length=20, default=\"x\")  # t";
    let mut typing = Vec::new();
    for (line, (i, c)) in
        (0..4).flat_map(|m| TYPED.chars().enumerate().map(move |t| (5 + 4 * m, t)))
    {
        next += 1;
        let at = json!({"line": line, "character": i});
        let change = json!({"textDocument": {"uri": py, "version": next}, "contentChanges": [{"range": {"start": at, "end": at}, "text": c.to_string()}]});
        let t = Instant::now();
        s.notify("textDocument/didChange", change);
        s.recv_until(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == next
        });
        typing.push(t.elapsed());
    }
    report(
        "typing a field into the 5,000-line models.py, per keystroke",
        typing,
    );
    s.stop();
}

/// The server's resident memory now and at its peak, in MB (Linux).
fn memory_mb(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = |key: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        line.split_whitespace().nth(1)?.parse::<f64>().ok()
    };
    Some((kb("VmRSS:")? / 1024.0, kb("VmHWM:")? / 1024.0))
}

/// Issue 15: saleor's 4,338 files; one-character edits in `saleor/order/models.py`.
fn big_workspace() {
    let root = std::env::var_os("PATTERN_LANGUAGE_SALEOR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "/work/shared/corpora/saleor".into());
    let file = root.join("saleor/order/models.py");
    let Ok(text) = std::fs::read_to_string(&file) else {
        println!(
            "big workspace: skipped, no saleor corpus at {} (set PATTERN_LANGUAGE_SALEOR)",
            root.display()
        );
        return;
    };
    let mut s = Server::start();
    let t = Instant::now();
    s.initialize(&root);
    println!(
        "{:<48} {:>9.3} ms",
        "big workspace: initialize to indexed",
        t.elapsed().as_secs_f64() * 1e3
    );
    let uri = format!("file://{}", file.display());
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
    );
    s.recv_until(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
    });
    let mut version = 1;
    // (what, line, character): in a method's docstring, in a field's name, in an imported name.
    let places = [
        ("in a method body", 49, 20),
        ("in a model field's name", 110, 6),
        ("in an imported name", 21, 30),
    ];
    for (what, line, character) in places {
        let mut edits = Vec::new();
        for k in 0..200 {
            version += 1;
            let (range, ch) = if k % 2 == 0 {
                let at = json!({"line": line, "character": character});
                (json!({"start": at, "end": at}), "x")
            } else {
                (
                    json!({"start": {"line": line, "character": character}, "end": {"line": line, "character": character + 1}}),
                    "",
                )
            };
            let t = Instant::now();
            s.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": range, "text": ch}]}));
            s.recv_until(|m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["version"] == version
            });
            edits.push(t.elapsed());
        }
        report(&format!("big workspace: 1-char edit {what}"), edits);
    }
    let mut hovers = Vec::new();
    for i in 0..300u32 {
        let t = Instant::now();
        s.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 108 + i % 40, "character": 8}}),
        );
        hovers.push(t.elapsed());
    }
    report("big workspace: hover in order/models.py", hovers);
    if let Some((now, peak)) = memory_mb(s.child.id()) {
        println!(
            "{:<48} now {now:>6.1} MB   peak {peak:>6.1} MB",
            "big workspace: server resident memory"
        );
    }
    s.stop();
}

/// A Python file of `classes` repository classes (4 lines each) with a model.
fn big_python(classes: usize) -> String {
    let mut text = String::from("from django.db import models\n\n");
    for k in 0..classes {
        text.push_str(&format!("class Thing{k}Repository:\n    def get(self, pk):\n        return Thing{k}.objects.get(pk=pk).to_domain()\n\n"));
    }
    text
}

/// Issue 16: typing in a 50,000-line file must not make hovers in another, small file wait.
fn typing_in_a_big_file(root: &std::path::Path) {
    let mut s = Server::start();
    s.initialize(root);
    let big = format!("file://{}/big.py", root.display());
    let small = format!("file://{}/small.py", root.display());
    let small_text = "from django.db import models\n\n\nclass Order(models.Model):\n    name = models.CharField(max_length=20)\n\n\nclass OrderRepository:\n    def get(self, pk):\n        return Order.objects.get(pk=pk).to_domain()\n";
    s.notify("textDocument/didOpen", json!({"textDocument": {"uri": big, "languageId": "python", "version": 1, "text": big_python(12_500)}}));
    s.notify("textDocument/didOpen", json!({"textDocument": {"uri": small, "languageId": "python", "version": 1, "text": small_text}}));
    s.recv_until(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == big.as_str()
    });
    let mut hovers = Vec::new();
    for v in 2..302 {
        // One keystroke in the big file, then at once a hover in the small one.
        let range =
            json!({"start": {"line": 3, "character": 8}, "end": {"line": 3, "character": 8}});
        s.notify("textDocument/didChange", json!({"textDocument": {"uri": big, "version": v}, "contentChanges": [{"range": range, "text": "x"}]}));
        let t = Instant::now();
        let r = s.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": small}, "position": {"line": 7, "character": 8}}),
        );
        hovers.push(t.elapsed());
        assert!(!r.is_null());
        std::thread::sleep(Duration::from_millis(20));
    }
    report("hover in a small file while typing in 50,000 lines", hovers);
    s.stop();
}

/// Issue 16: documentSymbol was quadratic in the number of classes.
fn document_symbols(root: &std::path::Path) {
    let mut s = Server::start();
    s.initialize(root);
    for lines in [5_000, 10_000, 20_000, 40_000] {
        let uri = format!("file://{}/symbols{lines}.py", root.display());
        s.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": big_python(lines / 4)}}));
        s.recv_until(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
        });
        let mut times = Vec::new();
        for _ in 0..10 {
            let t = Instant::now();
            let r = s.request(
                "textDocument/documentSymbol",
                json!({"textDocument": {"uri": uri}}),
            );
            times.push(t.elapsed());
            assert_eq!(r.as_array().map(Vec::len), Some(lines / 4));
        }
        report(&format!("documentSymbol ({lines} lines)"), times);
        s.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
    }
    s.stop();
}

/// Issue 16: an open team page with a 200-pattern query made every hover recompile it.
fn team_query_page(root: &std::path::Path) {
    let mut s = Server::start();
    s.initialize(root);
    let mut query = String::new();
    for i in 0..200 {
        query.push_str(&format!(
            "(class_definition name: (identifier) @name (#match? @name \"Gateway{i}$\")) @pattern\n"
        ));
    }
    let page = format!(
        "+++\nid = \"team-gateway\"\ntitle = \"Team gateway\"\ncategory = \"integration\"\n+++\n\n## Context\nC.\n\n## Detection\n\n```query\n{query}```\n"
    );
    let md = format!(
        "file://{}/docs/patterns/team/team-gateway.md",
        root.display()
    );
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": md, "languageId": "markdown", "version": 1, "text": page}}),
    );
    let py = format!("file://{}/gateway.py", root.display());
    s.notify("textDocument/didOpen", json!({"textDocument": {"uri": py, "languageId": "python", "version": 1, "text": "class Gateway7:\n    pass\n"}}));
    s.recv_until(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == py.as_str()
    });
    let mut times = Vec::new();
    for _ in 0..300 {
        let t = Instant::now();
        let _ = s.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": py}, "position": {"line": 0, "character": 7}}),
        );
        times.push(t.elapsed());
    }
    report("python hover with a 200-pattern team page open", times);
    s.stop();
}
