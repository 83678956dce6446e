//! Diagnostics of one document, from one snapshot of it, and how they reach the client: pushed
//! with their version (dropped when the content moved on), or pulled after a refresh request.

use super::ClientCaps;
use super::analysis::{catalog_and_names, python_analysis_with};
use super::document::{Document, Language, to_range};
use super::features::{doc_path, page_location, severity};
use super::workspace::Workspace;
use super::{Backend, State, lock};
use crate::catalog::Catalog;
use crate::ide;
use crate::line_index::{Encoding, LineIndex};
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
                return Some(vec![to_diagnostic(
                    ide::diagnostics::too_large(),
                    text,
                    index,
                    enc,
                    &w.catalog,
                    caps,
                )]);
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
            let Some(i) = idx else {
                return Some(Vec::new());
            };
            // Findings and text from the one snapshot, never an analysis of other content.
            let analysed = &a.project.files[i].text;
            if !Arc::ptr_eq(analysed, text) && **analysed != **text {
                return None;
            }
            out = ide::diagnostics::python(text, &a, i, &w.catalog);
        }
        Language::Markdown => {
            let (catalog, names) = catalog_and_names(state, w);
            let page = w
                .is_catalog_page(Some(&path), text)
                .then_some(path.as_path());
            out = ide::diagnostics::markdown(text, index, &catalog, &names, page);
        }
        Language::Other => {}
    }
    ide::diagnostics::finish(&mut out, text, index, &w.config_problems, &path);
    Some(
        out.into_iter()
            .map(|d| to_diagnostic(d, text, index, enc, &w.catalog, caps))
            .collect(),
    )
}

/// The protocol's form of a diagnostic of the document `text`.
fn to_diagnostic(
    d: ide::diagnostics::Diag,
    text: &str,
    index: &LineIndex,
    enc: Encoding,
    catalog: &Catalog,
    caps: &ClientCaps,
) -> Diagnostic {
    let code_description = if caps.code_description {
        d.page
            .and_then(|id| catalog.get(&id).and_then(|p| page_location(p)))
            .map(|(u, _)| CodeDescription { href: u })
    } else {
        None
    };
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .into_iter()
        .filter_map(|r| {
            let idx = LineIndex::new(&r.text);
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri: Uri::from_file_path(&r.path)?,
                    range: to_range(&r.text, &idx, &r.span, enc),
                },
                message: r.message,
            })
        })
        .collect();
    Diagnostic {
        range: to_range(text, index, &d.span, enc),
        severity: Some(severity(d.severity)),
        code: d.code.map(NumberOrString::String),
        code_description,
        source: Some("pattern-language".into()),
        message: d.message,
        related_information: (!related.is_empty()).then_some(related),
        tags: d.unnecessary.then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: d.data,
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
