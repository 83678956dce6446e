//! A document's diagnostics as plain data: byte spans in the document, severities from the
//! vocabulary. `lsp/diagnostics.rs` takes the snapshot and converts.

use crate::analysis::{self, Analysis};
use crate::catalog::{Catalog, Severity};
use crate::config::ConfigProblem;
use crate::detect::{Finding, Kind};
use crate::line_index::LineIndex;
use crate::markdown;
use crate::vocab::Span;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// At most this many diagnostics per document (then one more says how many there were).
pub const MAX_DIAGNOSTICS: usize = 500;

/// One diagnostic. `span` is in the document's bytes (`0..0` for the document's start).
#[derive(Clone, Debug, PartialEq)]
pub struct Diag {
    pub span: Span,
    pub severity: Severity,
    /// The rule (or `catalog`, `config`, `unused-suppression`).
    pub code: Option<String>,
    pub message: String,
    /// The id of the catalog page that describes it (when the catalog has that page).
    pub page: Option<String>,
    /// Unnecessary code (shown faded).
    pub unnecessary: bool,
    pub related: Vec<RelatedSpan>,
    /// What a code action needs back.
    pub data: Option<serde_json::Value>,
}

/// A place in another file that explains a diagnostic; `text` is that file as analysed.
#[derive(Clone, Debug, PartialEq)]
pub struct RelatedSpan {
    pub path: PathBuf,
    pub text: Arc<str>,
    pub span: Span,
    pub message: String,
}

impl Diag {
    fn new(span: Span, severity: Severity, code: Option<&str>, message: String) -> Diag {
        Diag {
            span,
            severity,
            code: code.map(str::to_string),
            message,
            page: None,
            unnecessary: false,
            related: Vec::new(),
            data: None,
        }
    }
}

/// The one diagnostic of a Python buffer over the analysis cap.
pub fn too_large() -> Diag {
    Diag::new(
        0..0,
        Severity::Warning,
        None,
        format!(
            "file is over {} MB: not analysed",
            analysis::MAX_FILE_BYTES / (1024 * 1024)
        ),
    )
}

/// The diagnostics of Python file `i` of `a`, whose text is `text`: its smells (suppressions
/// applied) and its unused suppressions.
pub fn python(text: &str, a: &Analysis, i: usize, catalog: &Catalog) -> Vec<Diag> {
    let raw = a.detected(i).to_vec();
    let (kept, unused) = analysis::suppress(text, raw);
    let mut out: Vec<Diag> = kept
        .iter()
        .filter(|f| f.kind != Kind::Pattern)
        .map(|f| finding(f, a, catalog))
        .collect();
    for (sup, rule) in unused {
        let mut d = Diag::new(
            sup.span,
            Severity::Hint,
            Some("unused-suppression"),
            format!("unused suppression: no `{rule}` finding on this line"),
        );
        d.unnecessary = true;
        d.data = Some(serde_json::json!({ "rule": rule }));
        out.push(d);
    }
    out
}

fn finding(f: &Finding, a: &Analysis, catalog: &Catalog) -> Diag {
    let related = f
        .related
        .iter()
        .filter_map(|r| {
            let file = &a.project.files[a.project.file_index(&r.path)?];
            Some(RelatedSpan {
                path: r.path.clone(),
                text: file.text.clone(),
                span: r.span.clone(),
                message: r.message.clone(),
            })
        })
        .collect();
    let fix = crate::detect::smell(&f.rule)
        .map(|s| s.fixed_by.join(" or "))
        .unwrap_or_default();
    let message = if fix.is_empty() {
        f.message.clone()
    } else {
        format!("{} (fix: {fix})", f.message)
    };
    let mut d = Diag::new(f.span.clone(), f.severity, Some(&f.rule), message);
    d.page = catalog.get(&f.pattern).map(|p| p.id.clone());
    d.related = related;
    d.data = Some(serde_json::json!({ "rule": f.rule, "pattern": f.pattern }));
    d
}

/// The diagnostics of a Markdown document: unknown `[[id]]`s and broken page links (as `check`
/// reports them), a note when it is too large to read whole, and, for a catalog page at
/// `page_path`, the catalog's problems with it.
pub fn markdown(
    text: &str,
    index: &LineIndex,
    catalog: &Catalog,
    names: &markdown::Names,
    page_path: Option<&Path>,
) -> Vec<Diag> {
    let mut out: Vec<Diag> = markdown::unresolved(text, catalog, names)
        .into_iter()
        .take(MAX_DIAGNOSTICS + 1)
        .map(|u| {
            let mut d = Diag::new(u.span, Severity::Warning, Some(u.rule), u.message);
            d.data = Some(serde_json::json!({ "closest": u.closest }));
            d
        })
        .collect();
    if text.len() > markdown::LARGE {
        out.push(Diag::new(
            0..0,
            Severity::Info,
            None,
            format!("this file is over {} MB: only [[id]] links are checked, plain mentions and page links are not", markdown::LARGE / (1024 * 1024)),
        ));
    }
    if let Some(path) = page_path {
        for p in catalog
            .problems()
            .iter()
            .filter(|p| p.source.path() == Some(path))
        {
            let line = p.line.saturating_sub(1) as usize;
            out.push(Diag::new(
                index.line_range(text, line),
                p.severity,
                Some("catalog"),
                p.message.clone(),
            ));
        }
    }
    out
}

/// Caps `out` at [`MAX_DIAGNOSTICS`] (with a note of the total), then adds the problems of the
/// config file at `path`.
pub fn finish(
    out: &mut Vec<Diag>,
    text: &str,
    index: &LineIndex,
    config_problems: &[ConfigProblem],
    path: &Path,
) {
    if out.len() > MAX_DIAGNOSTICS {
        let total = out.len();
        out.truncate(MAX_DIAGNOSTICS);
        out.push(Diag::new(
            0..0,
            Severity::Info,
            None,
            format!("{total} problems in this file; showing the first {MAX_DIAGNOSTICS}"),
        ));
    }
    for p in config_problems
        .iter()
        .filter(|p| p.path.as_deref() == Some(path))
    {
        let line = p.line.saturating_sub(1) as usize;
        out.push(Diag::new(
            index.line_range(text, line),
            Severity::Warning,
            Some("config"),
            p.message.clone(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_problems_on_their_line_and_a_cap() {
        let text = "a = 1\nb = 2\n";
        let index = LineIndex::new(text);
        let path = Path::new("/p/pattern-language.toml");
        let problems = vec![ConfigProblem {
            path: Some(path.to_path_buf()),
            line: 2,
            message: "unknown key `b`".into(),
        }];
        let mut out = vec![too_large(); MAX_DIAGNOSTICS + 1];
        finish(&mut out, text, &index, &problems, path);
        assert_eq!(out.len(), MAX_DIAGNOSTICS + 2);
        assert_eq!(
            out[MAX_DIAGNOSTICS],
            Diag::new(
                0..0,
                Severity::Info,
                None,
                "501 problems in this file; showing the first 500".into()
            )
        );
        assert_eq!(
            out[MAX_DIAGNOSTICS + 1],
            Diag::new(
                6..11,
                Severity::Warning,
                Some("config"),
                "unknown key `b`".into()
            )
        );
    }

    #[test]
    fn unknown_wiki_link_in_markdown() {
        let catalog = crate::catalog::Catalog::embedded();
        let names = markdown::Names::new(&catalog);
        let text = "See [[no-such-pattern]].\n";
        let out = markdown(text, &LineIndex::new(text), &catalog, &names, None);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].span, 4..23);
        assert_eq!(out[0].severity, Severity::Warning);
        assert!(out[0].message.contains("no-such-pattern"), "{:?}", out[0]);
    }
}
