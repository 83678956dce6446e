//! Fix-all: every safe single-file fix of a file as one set of edits. `check --fix` / `--diff` and
//! `source.fixAll.pattern-language` both go through here.

use crate::analysis;
use crate::detect::Finding;
use crate::python::project::SourceFile;
use crate::refactor::Fix;

/// The fixes on offer for a file, given its detected findings (suppressions applied here; unused
/// suppressions get a fix of their own). `python` is the project's lowest Python version.
pub fn file_fixes(
    file: &SourceFile,
    detected: Vec<Finding>,
    python: Option<(u32, u32)>,
) -> Vec<Fix> {
    let (kept, unused) = analysis::suppress(&file.text, detected);
    crate::refactor::fixes(file, &kept, &unused, python)
}

/// The safe ones of `fixes` as one fix, if there are any.
pub fn fix_all(fixes: &[Fix]) -> Option<Fix> {
    let safe: Vec<&Fix> = fixes.iter().filter(|f| f.safe).collect();
    if safe.is_empty() {
        return None;
    }
    Some(Fix {
        title: format!("Apply {} safe pattern-language fix(es)", safe.len()),
        rule: "fix-all".into(),
        at: 0..0,
        edits: safe.iter().flat_map(|f| f.edits.clone()).collect(),
        safe: true,
    })
}
