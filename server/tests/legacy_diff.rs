//! TEMPORARY: old tree-sitter facts vs new ruff facts over the fixture and the corpora.
use pattern_language::python::{self, facts};
use std::path::Path;

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "py") {
            out.push(p);
        }
    }
}

#[test]
#[ignore]
fn legacy_vs_ruff() {
    let dirs = std::env::var("DIFF_DIRS").unwrap_or_else(|_| "../tests/fixtures".into());
    let mut files = Vec::new();
    for d in dirs.split(':') {
        walk(Path::new(d), &mut files);
    }
    let (mut differ, mut errs_differ, mut total) = (0, 0, 0);
    let mut report = String::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        total += 1;
        let tree = python::parse(&text, None).unwrap();
        let mut old = facts::legacy::collect(&tree, &text, "app.models", false);
        let mut new = facts::collect(&text, "app.models", false);
        if old.has_errors != new.has_errors {
            errs_differ += 1;
        }
        let errs = (old.has_errors, new.has_errors);
        old.has_errors = false;
        new.has_errors = false;
        let (a, b) = (format!("{old:#?}"), format!("{new:#?}"));
        if a != b {
            differ += 1;
            if differ <= 400 {
                report.push_str(&format!("=== {} errors old/new {:?}\n", f.display(), errs));
                for d in similar::TextDiff::from_lines(&a, &b)
                    .unified_diff()
                    .context_radius(4)
                    .iter_hunks()
                    .take(3)
                {
                    report.push_str(&d.to_string());
                }
            }
        }
    }
    std::fs::write("/tmp/pdiff/report.txt", &report).unwrap();
    println!("files {total}, differing {differ}, has_errors differing {errs_differ}");
}
