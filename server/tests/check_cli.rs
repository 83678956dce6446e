//! The real `check` binary on the fixture Django project: precision and recall against the
//! expectations file, the output formats, exit codes and unreadable files.

use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/shop")
}

fn check(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pattern-language"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The 1-based line of `path` holding `anchor`, which must occur on exactly one line.
fn anchor_line(dir: &Path, path: &str, anchor: &str) -> u64 {
    let text = std::fs::read_to_string(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(anchor))
        .map(|(i, _)| i + 1)
        .collect();
    match lines[..] {
        [line] => line as u64,
        _ => panic!("anchor {anchor:?} of {path} is on lines {lines:?}, not on exactly one line"),
    }
}

#[test]
fn fixture_precision_and_recall() {
    let dir = fixture();
    let (_, stdout, stderr) = check(&dir, &["--format", "json"]);
    let records: Vec<Value> =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"));
    let found: HashSet<(String, u64, String)> = records
        .iter()
        .filter(|r| r["kind"] != "problem")
        .map(|r| {
            (
                r["path"].as_str().unwrap().to_string(),
                r["line"].as_u64().unwrap(),
                r["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut positive = HashSet::new();
    let mut negative = HashSet::new();
    let text = std::fs::read_to_string(dir.join("expectations.tsv")).unwrap();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let key = (
            cols[0].to_string(),
            anchor_line(&dir, cols[0], cols[1]),
            cols[2].to_string(),
        );
        match cols[3] {
            "positive" => positive.insert(key),
            "negative" => negative.insert(key),
            other => panic!("bad expectation kind {other}"),
        };
    }
    // Every rule of the engine is covered.
    let rules: HashSet<&str> = positive.iter().map(|(_, _, r)| r.as_str()).collect();
    let uncovered: Vec<&str> = pattern_language::detect::RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| !rules.contains(id))
        .collect();
    assert!(
        uncovered.is_empty(),
        "expectations cover no positive of {uncovered:?}"
    );
    let tp = found.intersection(&positive).count() as f64;
    let recall = tp / positive.len() as f64;
    let precision = tp / found.len().max(1) as f64;
    let missed: Vec<_> = positive.difference(&found).collect();
    let extra: Vec<_> = found.difference(&positive).collect();
    let negatives_hit: Vec<_> = found.intersection(&negative).collect();
    eprintln!(
        "precision {precision:.3}, recall {recall:.3}; missed {missed:?}; unexpected {extra:?}"
    );
    assert!(
        negatives_hit.is_empty(),
        "look-alikes recognised: {negatives_hit:?}"
    );
    assert!(precision >= 0.95, "precision {precision:.3}: {extra:?}");
    assert!(recall >= 0.95, "recall {recall:.3}: {missed:?}");
}

#[test]
fn json_shape_and_exit_codes() {
    let dir = fixture();
    let (code, stdout, _) = check(&dir, &["--format", "json"]);
    assert_eq!(code, 1, "the fixture has warnings");
    let records: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    let r = records
        .iter()
        .find(|r| r["rule"] == "cross-context-import")
        .unwrap();
    let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut want = [
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "kind",
        "pattern",
        "rule",
        "severity",
        "message",
    ];
    want.sort_unstable();
    assert_eq!(keys, want);
    assert_eq!(r["pattern"], "anticorruption-layer");
    let p = records.iter().find(|r| r["kind"] == "pattern").unwrap();
    assert_eq!(p["rule"], p["pattern"]);
    assert_eq!(p["severity"], "info");
    // A file with recognitions only exits 0.
    let (code, _, _) = check(&dir, &["catalog/domain.py"]);
    assert_eq!(code, 0);
    // A usage error exits 2.
    let (code, _, _) = check(&dir, &["--format", "yaml"]);
    assert_eq!(code, 2);
    let (code, _, stderr) = check(&dir, &["no/such/dir"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn text_github_and_sarif() {
    let dir = fixture();
    let (_, text, _) = check(&dir, &[]);
    assert!(
        text.lines()
            .any(|l| l.starts_with("shipping/views.py:5:1: ")
                && l.contains("[cross-context-import]")),
        "{text}"
    );
    assert!(
        !text.contains("[django-orm-repository]"),
        "recognitions only with --patterns"
    );
    let (_, with_patterns, _) = check(&dir, &["--patterns"]);
    assert!(with_patterns.contains("[django-orm-repository]"));
    let (_, gh, _) = check(&dir, &["--format", "github"]);
    assert!(
        gh.lines()
            .any(|l| l.starts_with("::warning file=shipping/views.py,line=5,col=1,")),
        "{gh}"
    );
    let (_, sarif, _) = check(&dir, &["--format", "sarif", "--patterns"]);
    let v: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let acl = rules
        .iter()
        .find(|r| r["id"] == "cross-context-import")
        .unwrap();
    assert!(
        acl["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("### Anticorruption layer")
    );
    assert!(!v["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn unreadable_files_are_problems_and_the_walk_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.py"), [b'x', b'=', 0xff, b'\n']).unwrap();
    std::fs::create_dir(dir.path().join("domain")).unwrap();
    std::fs::write(dir.path().join("domain/__init__.py"), "").unwrap();
    std::fs::write(
        dir.path().join("domain/orders.py"),
        "from django.db import models\n",
    )
    .unwrap();
    let (code, stdout, _) = check(dir.path(), &["--format", "json"]);
    assert_eq!(code, 1);
    let records: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    assert!(records.iter().any(|r| r["kind"] == "problem"
        && r["path"] == "bad.py"
        && r["message"].as_str().unwrap().contains("UTF-8")));
    assert!(
        records
            .iter()
            .any(|r| r["rule"] == "orm-in-domain" && r["path"] == "domain/orders.py")
    );
}

#[test]
fn suppression_comment_silences_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("domain")).unwrap();
    std::fs::write(dir.path().join("domain/__init__.py"), "").unwrap();
    std::fs::write(
        dir.path().join("domain/orders.py"),
        "from django.db import models  # pattern-language: ignore[orm-in-domain]\n",
    )
    .unwrap();
    let (code, stdout, _) = check(dir.path(), &["--format", "json"]);
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn fix_and_diff_apply_the_safe_fixes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.py");
    std::fs::write(
        &file,
        "x = 1  # pattern-language: ignore[orm-in-domain]\ny = 2\n",
    )
    .unwrap();
    let (code, diff, _) = check(dir.path(), &["--diff"]);
    assert_eq!(code, 1);
    assert!(
        diff.contains("-x = 1  # pattern-language: ignore[orm-in-domain]")
            && diff.contains("+x = 1\n"),
        "{diff}"
    );
    assert!(
        std::fs::read_to_string(&file).unwrap().contains("ignore["),
        "--diff writes nothing"
    );
    let (code, _, err) = check(dir.path(), &["--fix"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x = 1\ny = 2\n");
    let (code, diff, _) = check(dir.path(), &["--diff"]);
    assert_eq!((code, diff.as_str()), (0, ""));
}

#[test]
fn markdown_references_and_catalog_pages_are_findings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("docs/team")).unwrap();
    std::fs::write(
        dir.path().join("docs/adr.md"),
        "# Orders\n\nWe cache reads ([[cached-repositroy]]), see \
         [the page](../repository/cached-repo.md) and [[outbox-relay]].\n\
         `[[in-code]]` is an example. [[cached-repository]] is fine.\n",
    )
    .unwrap();
    // A catalog page of our own: it defines `outbox-relay` and lacks sections.
    std::fs::write(
        dir.path().join("docs/team/outbox-relay.md"),
        "+++\nid = \"outbox-relay\"\ntitle = \"Outbox relay\"\ncategory = \"integration\"\n\
         aliases = []\nrelated = [\"no-such-id\"]\ntags = []\n+++\n# Outbox relay\n",
    )
    .unwrap();
    let (code, stdout, stderr) = check(dir.path(), &["--format", "json"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let records: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    let got: Vec<(&str, u64, u64, &str)> = records
        .iter()
        .filter(|r| r["path"] == "docs/adr.md")
        .map(|r| {
            (
                r["rule"].as_str().unwrap(),
                r["line"].as_u64().unwrap(),
                r["column"].as_u64().unwrap(),
                r["severity"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("unknown-pattern", 3, 17, "warning"),
            ("broken-pattern-link", 3, 45, "warning"),
        ],
        "{stdout}"
    );
    let unknown = &records[0];
    assert_eq!(unknown["kind"], "problem");
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `cached-repository`?")
    );
    let page: Vec<&str> = records
        .iter()
        .filter(|r| r["path"] == "docs/team/outbox-relay.md")
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert!(
        page.iter()
            .any(|m| m.contains("unknown related id `no-such-id`")),
        "{page:?}"
    );
    assert!(
        page.iter().any(|m| m.contains("missing section")),
        "{page:?}"
    );
    // Text output counts them as problems; a clean document passes.
    let (_, text, _) = check(dir.path(), &["docs/adr.md"]);
    assert!(
        text.contains("docs/adr.md:3:17: warning[unknown-pattern]"),
        "{text}"
    );
    std::fs::write(dir.path().join("ok.md"), "See [[cached-repository]].\n").unwrap();
    let (code, text, _) = check(dir.path(), &["ok.md"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("1 files: 0 smells, 0 problems"), "{text}");
}

#[test]
fn unknown_rule_ids_in_the_config_are_problems_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pattern-language.toml"),
        "select = [\"ALL\"]\nignore = [\"uuid4-primary-keys\"]\n\n[severity]\norm-in-domain = \"error\"\ncross-context-imports = \"error\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("app.py"), "x = 1\n").unwrap();
    let (code, text, _) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(
            "pattern-language.toml:2:1: error[config] `ignore`: unknown rule id `uuid4-primary-keys`; did you mean `uuid4-primary-key`?"
        ),
        "{text}"
    );
    assert!(
        text.contains("pattern-language.toml:6:1: error[config] `severity`: unknown rule id `cross-context-imports`; did you mean `cross-context-import`?"),
        "{text}"
    );
    assert_eq!(text.matches("[config]").count(), 2, "{text}");
}

#[test]
fn a_missing_config_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.py"), "x = 1\n").unwrap();
    let (code, stdout, stderr) = check(dir.path(), &["--config", "missing.toml"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("no such config file: missing.toml"),
        "{stderr}"
    );
    assert!(stdout.is_empty(), "{stdout}");
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    for format in ["text", "json", "sarif", "github"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pattern-language"))
            .args(["check", "--patterns", "--format", format])
            .current_dir(fixture())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before the checker writes (`check | head -0`).
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("Broken pipe"), "{format}: {stderr}");
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{format}: {:?} {stderr}",
            out.status
        );
    }
}

#[test]
fn the_summary_counts_files_skipped_as_tests_or_migrations() {
    let dir = tempfile::tempdir().unwrap();
    for folder in ["tests", "orders/migrations"] {
        std::fs::create_dir_all(dir.path().join(folder)).unwrap();
    }
    std::fs::write(dir.path().join("tests/test_orders.py"), "x = 1\n").unwrap();
    std::fs::write(
        dir.path().join("orders/migrations/0001_initial.py"),
        "x = 1\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("orders/models.py"), "x = 1\n").unwrap();
    let (code, text, _) = check(dir.path(), &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("3 files (2 skipped as tests or migrations): 0 smells"),
        "{text}"
    );
}

#[test]
fn python_fences_in_markdown_are_findings_at_markdown_lines() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    // Line 7 is the uuid4 primary key; line 13 the class of the broken fence (no findings).
    std::fs::write(
        dir.path().join("docs/design.md"),
        "# Orders\n\n```python\nimport uuid\nfrom django.db import models\nclass Order(models.Model):\n    \
         id = models.UUIDField(primary_key=True, default=uuid.uuid4)\n```\n\nBroken:\n\n```py\n\
         class (:\n```\n",
    )
    .unwrap();
    let (code, stdout, stderr) = check(dir.path(), &["--format", "json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let records: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    let fence: Vec<(&str, u64)> = records
        .iter()
        .filter(|r| r["path"] == "docs/design.md")
        .map(|r| (r["rule"].as_str().unwrap(), r["line"].as_u64().unwrap()))
        .collect();
    assert!(fence.contains(&("uuid4-primary-key", 7)), "{fence:?}");
    assert!(fence.iter().all(|(_, line)| *line < 10), "{fence:?}");
    for r in &records {
        for key in [
            "column",
            "end_line",
            "end_column",
            "kind",
            "pattern",
            "severity",
            "message",
        ] {
            assert!(r.get(key).is_some(), "{r}");
        }
    }
    // The text format names the Markdown file and line.
    let (_, text, _) = check(dir.path(), &[]);
    assert!(text.contains("docs/design.md:7:"), "{text}");

    // `--no-fences`, or `fences = false` in the config, turns them off; `--fences` wins over the config.
    let (_, off, _) = check(dir.path(), &["--format", "json", "--no-fences"]);
    assert!(!off.contains("uuid4-primary-key"), "{off}");
    std::fs::write(dir.path().join("pattern-language.toml"), "fences = false\n").unwrap();
    let (_, off, _) = check(dir.path(), &["--format", "json"]);
    assert!(!off.contains("uuid4-primary-key"), "{off}");
    let (_, on, _) = check(dir.path(), &["--format", "json", "--fences"]);
    assert!(on.contains("uuid4-primary-key"), "{on}");
}

/// The library fixture (issue 12): `Loan.book` points from the routed `lending` database to
/// catalog's `BookRecord` on `default`, reported at the field, and nowhere else.
#[test]
fn library_cross_database_relation_at_the_field() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/library");
    let (_, stdout, stderr) = check(&dir, &["--format", "json"]);
    let records: Vec<Value> =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"));
    let found: Vec<(String, u64)> = records
        .iter()
        .filter(|r| r["rule"] == "cross-database-relation")
        .map(|r| {
            (
                r["path"].as_str().unwrap_or_default().to_string(),
                r["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let line = anchor_line(
        &dir,
        "lending/models.py",
        "book = models.ForeignKey(BookRecord",
    );
    assert_eq!(found, vec![("lending/models.py".to_string(), line)]);
    let r = records
        .iter()
        .find(|r| r["rule"] == "cross-database-relation")
        .unwrap();
    assert_eq!(r["pattern"], "context-database");
    assert_eq!(r["severity"], "warning");
}
