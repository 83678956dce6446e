//! Diagnostics of one document, from one snapshot of it, and how they reach the client: pushed
//! with their version (dropped when the content moved on), or pulled after a refresh request.

use super::ClientCaps;
use super::analysis::{catalog_and_names, python_analysis_with};
use super::document::{Document, Language, to_range};
use super::features::{doc_path, page_location, severity};
use super::workspace::Workspace;
use super::{Backend, State, lock};
use crate::analysis::{self, Analysis};
use crate::catalog::Catalog;
use crate::detect::{Finding, Kind};
use crate::line_index::{Encoding, LineIndex};
use crate::markdown;
use std::sync::Arc;
use tower_lsp_server::ls_types::*;

/// One document's diagnostics, all from the one snapshot `doc`; `None` when `doc` is no longer
/// the document's content (no one would read the result).
pub fn diagnostics(
    state: &State,
    w: &Workspace,
    uri: &Uri,
    doc: &Document,
    enc: Encoding,
    caps: &ClientCaps,
) -> Option<Vec<Diagnostic>> {
    let text = doc.text();
    let index = doc.index();
    let path = doc_path(uri);
    let mut out = Vec::new();
    match doc.language {
        Language::Python => {
            if super::document::too_large(doc.language, doc.len()) {
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
                return Some(out);
            }
            // A computation whose document moved on while it waited for its turn is not done:
            // its result would be dropped (push) or recomputed (pull) anyway.
            let wanted = || {
                state
                    .docs
                    .get(uri)
                    .is_some_and(|d| d.generation == doc.generation)
            };
            let (a, idx) = python_analysis_with(state, w, &path, doc, false, &wanted);
            let Some(i) = idx else { return Some(out) };
            // Findings and text from the one snapshot, never an analysis of other content.
            let analysed = &a.project.files[i].text;
            if !Arc::ptr_eq(analysed, text) && **analysed != **text {
                return None;
            }
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
    Some(out)
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

/// A document's pace of analyses and edits.
#[derive(Clone, Copy, Debug, Default)]
pub struct Pace {
    /// How long its last diagnostics took.
    pub cost: std::time::Duration,
    /// When it last changed.
    pub last_change: Option<std::time::Instant>,
}

/// An analysis at least this slow makes a change in quick succession wait for typing to pause.
const SLOW_ANALYSIS: std::time::Duration = std::time::Duration::from_millis(40);
/// The longest a change waits before its analysis.
const MAX_SETTLE: std::time::Duration = std::time::Duration::from_millis(250);

impl Backend {
    pub(super) async fn refresh_all(&self) {
        if lock(&self.state.caps).pull {
            // One workspace-wide request, not one per document.
            self.request_pull().await;
            return;
        }
        let uris: Vec<Uri> = self.state.docs.iter().map(|d| d.key().clone()).collect();
        for uri in uris {
            self.refresh(uri).await;
        }
    }

    /// Asks a pulling client to pull diagnostics again, from a task of its own: a handler that
    /// awaited the client's answer would hold one of the server's few concurrent slots while
    /// the answer waits in the input behind the messages a busy client sent meanwhile (with
    /// enough of them, the server stalls for good). One refresh in flight at a time; asks made
    /// meanwhile become one more after it.
    pub(super) async fn request_pull(&self) {
        let start = {
            let mut g = match self.state.pull_refresh.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            if g.0 {
                g.1 = true;
                false
            } else {
                g.0 = true;
                true
            }
        };
        if !start {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                let _ = this
                    .client
                    .send_request::<request::WorkspaceDiagnosticRefresh>(())
                    .await;
                let state = this.state.clone();
                let again = {
                    let mut g = match state.pull_refresh.lock() {
                        Ok(g) => g,
                        Err(p) => p.into_inner(),
                    };
                    if g.1 {
                        g.1 = false;
                        true
                    } else {
                        g.0 = false;
                        false
                    }
                };
                if !again {
                    break;
                }
            }
        });
    }

    /// One document's diagnostics, computed on a blocking thread from one snapshot of it:
    /// (version, generation, diagnostics).
    pub(super) async fn compute_diagnostics(
        &self,
        uri: &Uri,
    ) -> Option<(i32, u64, Vec<Diagnostic>)> {
        let doc = self.state.docs.get(uri).map(|d| d.value().clone())?;
        let path = uri.to_file_path().map(|p| p.into_owned());
        let w = self.workspace_for(path.as_deref());
        let state = self.state.clone();
        let enc = self.encoding();
        let caps = lock(&self.state.caps);
        let u = uri.clone();
        let (version, generation) = (doc.version, doc.generation);
        let diags = super::background::run(move || {
            // Content that moved on before its turn is not analysed (a newer refresh follows).
            if state
                .docs
                .get(&u)
                .is_none_or(|d| d.generation != generation)
            {
                return None;
            }
            let started = std::time::Instant::now();
            let diags = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                diagnostics(&state, &w, &u, &doc, enc, &caps)
            }))
            .ok()
            .flatten();
            if diags.is_some() {
                state.pace.entry(u).or_default().cost = started.elapsed();
            }
            diags
        })
        .await??;
        Some((version, generation, diags))
    }

    /// Recomputes a document's diagnostics on a task of its own: the handler returns at once, so
    /// that a burst of changes to a big file does not fill the server's few concurrent slots with
    /// handlers waiting for analyses (then a hover elsewhere waited behind them).
    ///
    /// A change that follows the document's previous change sooner than its last analysis took
    /// (typing in a very big buffer) waits that long (at most [`MAX_SETTLE`]) and gives up if
    /// the document moved on meanwhile: otherwise each keystroke's analysis of a 50,000-line
    /// buffer takes one of the two cores for the whole burst, and requests (hover, completion)
    /// wait behind it. Analyses under [`SLOW_ANALYSIS`], and a change after a pause, start at
    /// once, as before.
    pub(super) fn spawn_refresh(&self, uri: Uri) {
        let this = self.clone();
        let now = std::time::Instant::now();
        let settle = {
            let mut pace = self.state.pace.entry(uri.clone()).or_default();
            let since = pace.last_change.map(|t| now.duration_since(t));
            pace.last_change = Some(now);
            Some(pace.cost)
                .filter(|c| *c >= SLOW_ANALYSIS && since.is_some_and(|s| s < *c))
                .map(|c| c.min(MAX_SETTLE))
        };
        let generation = self.state.docs.get(&uri).map(|d| d.generation);
        tokio::spawn(async move {
            if let (Some(settle), Some(generation)) = (settle, generation) {
                tokio::time::sleep(settle).await;
                if !this.is_current(&uri, generation) {
                    return;
                }
            }
            this.refresh(uri).await
        });
    }

    /// Is `generation` still the content of `uri`?
    pub(super) fn is_current(&self, uri: &Uri, generation: u64) -> bool {
        self.state
            .docs
            .get(uri)
            .is_some_and(|d| d.generation == generation)
    }

    /// Recomputes and pushes one document's diagnostics (or asks a pulling client to pull).
    pub(super) async fn refresh(&self, uri: Uri) {
        if lock(&self.state.caps).pull {
            self.request_pull().await;
            return;
        }
        let Some((version, generation, diags)) = self.compute_diagnostics(&uri).await else {
            return;
        };
        // Drop results for a document that moved on (or was closed and opened again).
        if !self.is_current(&uri, generation) {
            return;
        }
        self.client
            .publish_diagnostics(uri, diags, Some(version))
            .await;
    }
}
