//! Diagnostics of one document, from one snapshot of it.

use super::ClientCaps;
use super::State;
use super::analysis::{catalog_and_names, python_analysis};
use super::document::{Document, Language, to_range};
use super::features::{doc_path, page_location, severity};
use super::workspace::Workspace;
use crate::analysis::{self, Analysis};
use crate::catalog::Catalog;
use crate::detect::{Finding, Kind};
use crate::line_index::{Encoding, LineIndex};
use crate::markdown;
use tower_lsp_server::ls_types::*;

/// One document's diagnostics, all from the one snapshot `doc`.
pub fn diagnostics(
    state: &State,
    w: &Workspace,
    uri: &Uri,
    doc: &Document,
    enc: Encoding,
    caps: &ClientCaps,
) -> Vec<Diagnostic> {
    let text = &doc.text;
    let index = &doc.index;
    let path = doc_path(uri);
    let mut out = Vec::new();
    match doc.language {
        Language::Python => {
            if super::document::too_large(doc.language, text) {
                out.push(Diagnostic {
                    range: Range::default(),
                    severity: Some(DiagnosticSeverity::WARNING),
                    source: Some("pattern-language".into()),
                    message: format!(
                        "file is over {} MB: not analysed",
                        analysis::MAX_FILE_BYTES / (1024 * 1024)
                    ),
                    ..Diagnostic::default()
                });
                return out;
            }
            let (a, idx) = python_analysis(state, w, &path, doc);
            let Some(i) = idx else { return out };
            let raw = a.detected(i).to_vec();
            let (kept, unused) = analysis::suppress(text, raw);
            for f in kept.iter().filter(|f| f.kind != Kind::Pattern) {
                out.push(finding_diagnostic(
                    f, text, index, enc, &a, &w.catalog, caps,
                ));
            }
            for (sup, rule) in unused {
                out.push(Diagnostic {
                    range: to_range(text, index, &sup.span, enc),
                    severity: Some(DiagnosticSeverity::HINT),
                    code: Some(NumberOrString::String("unused-suppression".into())),
                    source: Some("pattern-language".into()),
                    message: format!("unused suppression: no `{rule}` finding on this line"),
                    tags: Some(vec![DiagnosticTag::UNNECESSARY]),
                    data: Some(serde_json::json!({ "rule": rule })),
                    ..Diagnostic::default()
                });
            }
        }
        Language::Markdown => {
            let (catalog, names) = catalog_and_names(state, w);
            // Shared with `check`: unknown `[[id]]`s and broken links to pattern pages.
            for u in markdown::unresolved(text, &catalog, &names)
                .into_iter()
                .take(501)
            {
                out.push(Diagnostic {
                    range: to_range(text, index, &u.span, enc),
                    severity: Some(DiagnosticSeverity::WARNING),
                    code: Some(NumberOrString::String(u.rule.into())),
                    source: Some("pattern-language".into()),
                    message: u.message,
                    data: Some(serde_json::json!({ "closest": u.closest })),
                    ..Diagnostic::default()
                });
            }
            if text.len() > markdown::LARGE {
                out.push(Diagnostic {
                    range: Range::default(),
                    severity: Some(DiagnosticSeverity::INFORMATION),
                    source: Some("pattern-language".into()),
                    message: format!("this file is over {} MB: only [[id]] links are checked, plain mentions and page links are not", markdown::LARGE / (1024 * 1024)),
                    ..Diagnostic::default()
                });
            }
            if w.is_catalog_page(Some(&path), text) {
                for p in catalog
                    .problems()
                    .iter()
                    .filter(|p| p.source.path() == Some(path.as_path()))
                {
                    let line = p.line.saturating_sub(1) as usize;
                    let span = index.line_range(text, line);
                    out.push(Diagnostic {
                        range: to_range(text, index, &span, enc),
                        severity: Some(severity(p.severity)),
                        code: Some(NumberOrString::String("catalog".into())),
                        source: Some("pattern-language".into()),
                        message: p.message.clone(),
                        ..Diagnostic::default()
                    });
                }
            }
        }
        Language::Other => {}
    }
    const MAX_DIAGNOSTICS: usize = 500;
    if out.len() > MAX_DIAGNOSTICS {
        let total = out.len();
        out.truncate(MAX_DIAGNOSTICS);
        out.push(Diagnostic {
            range: Range::default(),
            severity: Some(DiagnosticSeverity::INFORMATION),
            source: Some("pattern-language".into()),
            message: format!("{total} problems in this file; showing the first {MAX_DIAGNOSTICS}"),
            ..Diagnostic::default()
        });
    }
    // Config problems of an open config file.
    for p in w
        .config_problems
        .iter()
        .filter(|p| p.path.as_deref() == Some(path.as_path()))
    {
        let line = p.line.saturating_sub(1) as usize;
        out.push(Diagnostic {
            range: to_range(text, index, &index.line_range(text, line), enc),
            severity: Some(DiagnosticSeverity::WARNING),
            code: Some(NumberOrString::String("config".into())),
            source: Some("pattern-language".into()),
            message: p.message.clone(),
            ..Diagnostic::default()
        });
    }
    out
}

fn finding_diagnostic(
    f: &Finding,
    text: &str,
    index: &LineIndex,
    enc: Encoding,
    a: &Analysis,
    catalog: &Catalog,
    caps: &ClientCaps,
) -> Diagnostic {
    let pattern = catalog.get(&f.pattern);
    let code_description = if caps.code_description {
        pattern
            .and_then(|p| page_location(p))
            .map(|(u, _)| CodeDescription { href: u })
    } else {
        None
    };
    let related: Vec<DiagnosticRelatedInformation> = f
        .related
        .iter()
        .filter_map(|r| {
            let file = a.project.files.iter().find(|s| s.path == r.path)?;
            let idx = LineIndex::new(&file.text);
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri: Uri::from_file_path(&r.path)?,
                    range: to_range(&file.text, &idx, &r.span, enc),
                },
                message: r.message.clone(),
            })
        })
        .collect();
    let fix = crate::detect::smell(&f.rule)
        .map(|s| s.fixed_by.join(" or "))
        .unwrap_or_default();
    Diagnostic {
        range: to_range(text, index, &f.span, enc),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.rule.clone())),
        code_description,
        source: Some("pattern-language".into()),
        message: if fix.is_empty() {
            f.message.clone()
        } else {
            format!("{} (fix: {fix})", f.message)
        },
        related_information: (!related.is_empty()).then_some(related),
        data: Some(serde_json::json!({ "rule": f.rule, "pattern": f.pattern })),
        ..Diagnostic::default()
    }
}
