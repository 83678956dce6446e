//! Data-driven cases, one folder per rule: `tests/cases/<rule-id>/`. A case is a `.py` file,
//! split into files at comment lines naming one (`# billing/domain/models.py`, as catalog
//! examples are; without such a first line it is `case.py`), or a folder laid out as a small
//! project (an optional `pattern-language.toml` is its config). Each case is written to a
//! temporary folder and analysed as `check` analyses it (`Analysis::run`).
//!
//! Markers sit on the line where a finding must (or must not) be: `# expect: <rule-id>` and
//! `# expect-not: <rule-id>` (several ids: `# expect: a, b`). Every finding of the folder's
//! own rule must sit at an `expect` marker; findings of other rules count only where marked.
//! Every rule of `detect::RULES` needs at least one positive and one negative case.

use pattern_language::analysis::{self, Analysis, Texts};
use pattern_language::config::Config;
use pattern_language::detect::RULES;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

/// The path a comment line names (`# billing/models.py ...`), as catalog fences do.
fn named_file(line: &str) -> Option<&str> {
    line.trim()
        .strip_prefix('#')
        .map(str::trim)
        .and_then(|c| c.split_whitespace().next())
        .filter(|w| w.ends_with(".py") && !w.starts_with('/') && !w.contains(".."))
}

/// The files of a case: (relative path, text).
fn case_files(case: &Path) -> Vec<(PathBuf, String)> {
    if case.is_dir() {
        let mut out = Vec::new();
        let mut stack = vec![case.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(case).unwrap().to_path_buf();
                    out.push((rel, std::fs::read_to_string(&p).unwrap()));
                }
            }
        }
        out.sort();
        return out;
    }
    let text = std::fs::read_to_string(case).unwrap();
    let mut parts: Vec<(PathBuf, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(file) = named_file(line) {
            parts.push((PathBuf::from(file), String::new()));
        } else if parts.is_empty() {
            parts.push((PathBuf::from("case.py"), String::new()));
        }
        parts.last_mut().unwrap().1.push_str(line);
    }
    parts
}

/// (path, 1-based line, rule, expected) of every marker.
fn markers(files: &[(PathBuf, String)]) -> Vec<(PathBuf, usize, String, bool)> {
    let mut out = Vec::new();
    for (path, text) in files {
        if path.extension().is_none_or(|e| e != "py") {
            continue;
        }
        for (i, line) in text.lines().enumerate() {
            let Some(hash) = line.find('#') else { continue };
            for comment in line[hash..].split('#') {
                let comment = comment.trim();
                let (ids, expected) = if let Some(ids) = comment.strip_prefix("expect-not:") {
                    (ids, false)
                } else if let Some(ids) = comment.strip_prefix("expect:") {
                    (ids, true)
                } else {
                    continue;
                };
                for id in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    out.push((path.clone(), i + 1, id.to_string(), expected));
                }
            }
        }
    }
    out
}

/// Findings of a case: (path, 1-based line, rule).
fn findings(files: &[(PathBuf, String)]) -> BTreeSet<(PathBuf, usize, String)> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    for (rel, text) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }
    let config_file = root.join("pattern-language.toml");
    let config = if config_file.exists() {
        let (c, problems) = pattern_language::config::load_file(&config_file);
        assert!(problems.is_empty(), "{problems:?}");
        c
    } else {
        Config::default()
    };
    let paths = analysis::python_files(std::slice::from_ref(&root), &config, &root);
    let a = Analysis::run(&paths, &root, config, &[], None, None, Texts::Release);
    let mut out = BTreeSet::new();
    for (i, fs) in a.all_findings() {
        let file = &a.project.files[i];
        let rel = file.path.strip_prefix(&root).unwrap().to_path_buf();
        // `check`'s way: texts let go after parsing, read again for the findings.
        let text = file.contents();
        for f in fs {
            let line = text[..f.span.start].matches('\n').count() + 1;
            out.insert((rel.clone(), line, f.rule.clone()));
        }
    }
    out
}

#[test]
fn every_rule_case_places_its_findings_exactly() {
    let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    let mut failures = Vec::new();
    let mut covered: Vec<(String, bool, bool)> = Vec::new();
    let report = std::env::var_os("CASES_REPORT").is_some();
    let mut folders: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    folders.sort();
    for folder in folders {
        let rule = folder.file_name().unwrap().to_string_lossy().into_owned();
        if !ids.contains(&rule.as_str()) {
            failures.push(format!(
                "tests/cases/{rule}: not a rule id of detect::RULES"
            ));
            continue;
        }
        let (mut positive, mut negative) = (false, false);
        let mut cases: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        cases.sort();
        for case in cases {
            let name = format!("{rule}/{}", case.file_name().unwrap().to_string_lossy());
            let files = case_files(&case);
            let marks = markers(&files);
            let found = findings(&files);
            if report {
                eprintln!("== {name}");
                for (p, l, r) in &found {
                    eprintln!("   {}:{l} {r}", p.display());
                }
            }
            for (path, line, id, expected) in &marks {
                if !ids.contains(&id.as_str()) {
                    failures.push(format!("{name}: marker names unknown rule `{id}`"));
                }
                if id == &rule {
                    positive |= *expected;
                    negative |= !*expected;
                }
                let hit = found.contains(&(path.clone(), *line, id.clone()));
                if *expected && !hit {
                    failures.push(format!(
                        "{name}: {}:{line}: `{id}` expected, not found",
                        path.display()
                    ));
                }
                if !*expected && hit {
                    failures.push(format!(
                        "{name}: {}:{line}: `{id}` found, expected not",
                        path.display()
                    ));
                }
            }
            for (path, line, id) in &found {
                let marked = marks
                    .iter()
                    .any(|(p, l, r, e)| *e && p == path && l == line && r == id);
                if id == &rule && !marked {
                    failures.push(format!(
                        "{name}: {}:{line}: unexpected `{id}`",
                        path.display()
                    ));
                }
            }
        }
        covered.push((rule, positive, negative));
    }
    for id in &ids {
        match covered.iter().find(|(r, _, _)| r == id) {
            None => failures.push(format!("rule `{id}` has no tests/cases/{id}/")),
            Some((_, p, n)) => {
                if !p {
                    failures.push(format!(
                        "rule `{id}` has no positive case (`# expect: {id}`)"
                    ));
                }
                if !n {
                    failures.push(format!(
                        "rule `{id}` has no negative case (`# expect-not: {id}`)"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
