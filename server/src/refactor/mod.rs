//! Refactors toward the patterns, as plain text edits over a file: the LSP turns them into
//! `WorkspaceEdit`s, `check --fix` writes them. Every fix is checked to leave a file that still
//! parses before it is offered.

pub mod anticorruption;
mod cache_invalidation;
pub mod cache_repository;
pub mod context_database;
pub mod json_repository;
pub mod namespace_tables;
pub mod orm_repository;
mod reference_by_identity;
pub mod registry;
pub mod specification;
#[cfg(test)]
mod tests;
mod uuid7;

use crate::analysis::Suppression;
use crate::detect::Finding;
use crate::ide::files::FileView;
use crate::python::project::SourceFile;
use std::ops::Range;
use std::path::Path;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Range<usize>,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    /// The rule the fix answers (a smell id, or `unused-suppression`).
    pub rule: String,
    /// Byte span of the finding it fixes.
    pub at: Range<usize>,
    pub edits: Vec<Edit>,
    /// Applied by `check --fix` and `source.fixAll`: changes nothing a reviewer must weigh.
    pub safe: bool,
}

/// What a multi-file refactor does to one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileChange {
    Create(String),
    Edit(Vec<Edit>),
}

/// A refactor toward a pattern, over several files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refactor {
    pub title: String,
    pub changes: Vec<(std::path::PathBuf, FileChange)>,
}

impl Refactor {
    /// Every touched or created file still parses, edited files read through `files` (open
    /// buffers as the editor has them).
    pub fn parses(&self, files: &dyn FileView) -> bool {
        self.changes.iter().all(|(path, change)| match change {
            FileChange::Create(text) => parses_cleanly(text),
            FileChange::Edit(edits) => files
                .text(path)
                .is_some_and(|t| parses_cleanly(&apply(&t, edits))),
        })
    }
}

/// Applies non-overlapping edits.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    // From the end backwards; inserts at one position keep their array order in the result, as
    // LSP clients apply them.
    let mut sorted: Vec<(usize, &Edit)> = edits.iter().enumerate().collect();
    sorted.sort_by_key(|(i, e)| (std::cmp::Reverse(e.span.start), std::cmp::Reverse(*i)));
    let mut out = text.to_string();
    for (_, e) in sorted {
        if e.span.end <= out.len()
            && out.is_char_boundary(e.span.start)
            && out.is_char_boundary(e.span.end)
        {
            out.replace_range(e.span.clone(), &e.text);
        }
    }
    out
}

pub fn parses_cleanly(text: &str) -> bool {
    crate::python::parse(text, None).is_some_and(|t| !t.root_node().has_error())
}

/// Where a new top-level import goes: after the last top-level import, else after a module
/// docstring and `from __future__` lines, else at the start.
pub fn import_insertion(file: &SourceFile) -> usize {
    let text = &*file.text;
    let last = file
        .facts
        .imports
        .iter()
        .filter(|i| !i.nested && !i.type_checking)
        .map(|i| i.span.end)
        .max();
    let after_line = |offset: usize| {
        text[offset..]
            .find('\n')
            .map_or(text.len(), |i| offset + i + 1)
    };
    if let Some(end) = last {
        return after_line(end);
    }
    import_insertion_in(text)
}

/// Where a new import goes in a file known only by its text: after a module docstring, comments
/// and `from __future__` lines, else at the start. A docstring stays the module's first statement.
pub fn import_insertion_in(text: &str) -> usize {
    let mut offset = 0;
    let mut in_doc: Option<&str> = None;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if let Some(q) = in_doc {
            offset += line.len();
            if t.contains(q) {
                in_doc = None;
            }
            continue;
        }
        if offset == 0 && (t.starts_with("\"\"\"") || t.starts_with("'''")) {
            let q = &t[..3];
            offset += line.len();
            if !(t.len() > 3 && t[3..].contains(q)) {
                in_doc = Some(q);
            }
            continue;
        }
        if t.starts_with("from __future__") || t.starts_with('#') {
            offset += line.len();
            continue;
        }
        break;
    }
    offset
}

/// An edit adding `statement` as its own line, unless the file already has that line.
pub fn ensure_import(file: &SourceFile, statement: &str) -> Option<Edit> {
    if file.text.lines().any(|l| l.trim() == statement) {
        return None;
    }
    let at = import_insertion(file);
    Some(Edit {
        span: at..at,
        text: format!("{statement}\n"),
    })
}

/// What the single-file fixes do, by the pattern they serve (for its hover).
pub const FIX_SUMMARIES: &[(&str, &str)] = &[(
    "random-identifier",
    "Switch a uuid4 primary key default to uuid7",
)];

/// Fixes for a file's findings and unused suppressions. `python` is the project's lowest Python
/// version, when known.
pub fn fixes(
    file: &SourceFile,
    findings: &[Finding],
    unused: &[(Suppression, String)],
    python: Option<(u32, u32)>,
) -> Vec<Fix> {
    let mut out = Vec::new();
    for f in findings {
        if f.rule == "uuid4-primary-key"
            && let Some(fix) = uuid7::fix(file, f, python)
        {
            out.push(fix);
        }
        if f.rule == "cache-not-invalidated"
            && let Some(fix) = cache_invalidation::fix(file, f)
        {
            out.push(fix);
        }
    }
    for (sup, rule) in unused {
        out.push(remove_suppression(file, sup, rule));
    }
    let clean = parses_cleanly(&file.text);
    out.retain(|fix| !clean || parses_cleanly(&apply(&file.text, &fix.edits)));
    out
}

fn remove_suppression(file: &SourceFile, sup: &Suppression, rule: &str) -> Fix {
    let text = &*file.text;
    let edit = if sup.rules.len() > 1 {
        // Keep the other rules of the comment.
        let rest: Vec<&str> = sup
            .rules
            .iter()
            .map(String::as_str)
            .filter(|r| *r != rule)
            .collect();
        Edit {
            span: sup.span.clone(),
            text: format!("{}{}]", crate::analysis::SUPPRESS_MARK, rest.join(", ")),
        }
    } else {
        let mut start = sup.span.start;
        while start > 0 && text.as_bytes()[start - 1] == b' ' {
            start -= 1;
        }
        Edit {
            span: start..sup.span.end,
            text: String::new(),
        }
    };
    Fix {
        title: format!("Remove unused suppression of `{rule}`"),
        rule: "unused-suppression".into(),
        at: sup.span.clone(),
        edits: vec![edit],
        safe: true,
    }
}

/// Appends to an existing file (missing imports after its docstring, code after its last line, as
/// `files` has it), or creates it.
pub(crate) fn append_or_create(
    files: &dyn FileView,
    path: &Path,
    imports: &str,
    code: &str,
    can_create: bool,
) -> Result<(std::path::PathBuf, FileChange), String> {
    match files.text(path) {
        Some(existing) => {
            let mut edits = Vec::new();
            let missing: Vec<&str> = imports
                .lines()
                .filter(|l| !existing.lines().any(|e| e.trim() == l.trim()))
                .collect();
            if !missing.is_empty() {
                let at = import_insertion_in(&existing);
                edits.push(Edit {
                    span: at..at,
                    text: format!("{}\n", missing.join("\n")),
                });
            }
            let end = existing.len();
            let sep = if existing.ends_with('\n') || existing.is_empty() {
                ""
            } else {
                "\n"
            };
            edits.push(Edit {
                span: end..end,
                text: format!("{sep}{code}"),
            });
            Ok((path.to_path_buf(), FileChange::Edit(edits)))
        }
        None if can_create => Ok((
            path.to_path_buf(),
            FileChange::Create(format!("{imports}{code}")),
        )),
        None => Err(format!(
            "{} does not exist and the editor cannot create files",
            path.display()
        )),
    }
}

/// The folder of the app `package` that holds `path` (module `module`).
pub(crate) fn app_dir(path: &Path, module: &str, package: &str) -> Option<std::path::PathBuf> {
    let depth = module.split('.').count() - package.split('.').count();
    let mut dir = path.parent()?.to_path_buf();
    // `app/models.py` is one level below the app; `app/models/x.py` two.
    for _ in 1..depth {
        dir = dir.parent()?.to_path_buf();
    }
    Some(dir)
}

/// `OrderLine` -> `order_line`.
pub(crate) fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `billing_ops` -> `BillingOps`.
pub(crate) fn camel(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The real location of `path`, following symlinks: the canonical form of its deepest existing
/// ancestor, with the rest (files a refactor would create) appended. `None` when the rest climbs
/// out (`..`) or the path is relative.
pub fn real_path(path: &Path) -> Option<std::path::PathBuf> {
    use std::path::Component;
    if !path.is_absolute() {
        return None;
    }
    let mut missing = Vec::new();
    let mut base = path;
    loop {
        match std::fs::canonicalize(base) {
            Ok(real) => {
                let mut out = real;
                for part in missing.iter().rev() {
                    out.push(part);
                }
                return Some(out);
            }
            Err(_) => {
                let mut parts = base.components();
                match parts.next_back() {
                    Some(Component::Normal(name)) => missing.push(name.to_os_string()),
                    _ => return None,
                }
                base = parts.as_path();
            }
        }
    }
}

/// Is every path inside one of `roots`, compared by real location (a symlink under a root that
/// resolves outside it is outside)? With no roots, everything is inside.
pub fn inside_roots<'a>(
    paths: impl IntoIterator<Item = &'a Path>,
    roots: &[std::path::PathBuf],
) -> bool {
    if roots.is_empty() {
        return true;
    }
    let real_roots: Vec<std::path::PathBuf> = roots.iter().filter_map(|r| real_path(r)).collect();
    paths.into_iter().all(|p| {
        real_path(p).is_some_and(|real| real_roots.iter().any(|root| real.starts_with(root)))
    })
}

/// Byte offsets where `word` occurs in `text` as a whole word.
pub(crate) fn words<'a>(text: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    text.match_indices(word).map(|(i, _)| i).filter(move |&i| {
        !word.is_empty()
            && !is_word(text[..i].chars().next_back())
            && !is_word(text[i + word.len()..].chars().next())
    })
}

/// A file's path from its source root (`lending/services.py`), for titles.
pub(crate) fn shown(f: &SourceFile) -> String {
    let depth = f.facts.module.split('.').count() + usize::from(f.facts.is_package);
    f.path
        .ancestors()
        .nth(depth)
        .and_then(|root| f.path.strip_prefix(root).ok())
        .unwrap_or(&f.path)
        .display()
        .to_string()
}
