//! Code actions: quick fixes for diagnostics, the refactors of the registry (through the driver
//! in `ide::actions`), fix-all, and the Markdown actions. Protocol conversion only.

use super::analysis::python_analysis;
use super::document::{Document, Language, to_range};
use super::features::doc_path;
use super::workspace::Workspace;
use super::{Backend, State};
use crate::analysis;
use crate::ide::{self, actions::Offer, files::Overlay, snapshot::Snapshot};
use crate::line_index::{Encoding, LineIndex};
use crate::markdown::{self, RefKind};
use crate::refactor::registry::{ActionKind, Outcome, Scope};
use std::collections::HashMap;
use std::path::Path;
use tower_lsp_server::ls_types::*;

/// Turns a multi-file refactor into a `WorkspaceEdit`: `documentChanges` with `CreateFile` when the
/// client supports resource operations; plain `changes` otherwise (then the refactor only edits
/// files that exist: see `refactor::orm_repository`).
fn workspace_edit(s: &Snapshot, r: &crate::refactor::Refactor) -> Option<WorkspaceEdit> {
    use crate::ide::files::FileView;
    use crate::refactor::FileChange;
    let (caps, enc) = (&s.caps, s.encoding);
    let mut doc_changes = Vec::new();
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for (path, change) in &r.changes {
        let uri = Uri::from_file_path(path)?;
        // The text the refactor was computed against (the file view): positions agree.
        let text = s.files.text(path).unwrap_or_default();
        let index = LineIndex::new(&text);
        let (edits, create) = match change {
            FileChange::Create(new_text) => (
                vec![TextEdit {
                    range: Range::default(),
                    new_text: new_text.clone(),
                }],
                true,
            ),
            FileChange::Edit(edits) => (
                edits
                    .iter()
                    .map(|e| TextEdit {
                        range: to_range(&text, &index, &e.span, enc),
                        new_text: e.text.clone(),
                    })
                    .collect(),
                false,
            ),
        };
        if caps.resource_ops {
            if create {
                doc_changes.push(DocumentChangeOperation::Op(ResourceOp::Create(
                    CreateFile {
                        uri: uri.clone(),
                        options: Some(CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(true),
                        }),
                        annotation_id: None,
                    },
                )));
            }
            let version = s.versions.get(path).copied();
            doc_changes.push(DocumentChangeOperation::Edit(TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }));
        } else {
            if create {
                return None;
            }
            changes.entry(uri).or_default().extend(edits);
        }
    }
    Some(if caps.resource_ops {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(doc_changes)),
            ..Default::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }
    })
}

/// The request's snapshot: the file view (open buffers over the disk), versions, encoding,
/// capabilities and folders, owned. The map's guards last only while it is copied.
pub(super) fn snapshot(b: &Backend) -> Snapshot {
    // The documents themselves, not their texts: a document builds its string from its rope
    // only when a reader asks (most requests read no other buffer).
    let open: Vec<(std::path::PathBuf, std::sync::Arc<Document>)> = b
        .state
        .docs
        .iter()
        .filter_map(|d| Some((d.key().to_file_path()?.into_owned(), d.value().clone())))
        .collect();
    Snapshot {
        versions: open.iter().map(|(p, d)| (p.clone(), d.version)).collect(),
        files: Overlay::of_buffers(
            open.into_iter()
                .map(|(p, d)| (p, d as std::sync::Arc<dyn crate::ide::files::Buffer>)),
        ),
        encoding: b.encoding(),
        caps: super::lock(&b.state.caps),
        roots: super::lock(&b.state.roots),
    }
}

fn action_kind(kind: ActionKind) -> CodeActionKind {
    match kind {
        ActionKind::QuickFix => CodeActionKind::QUICKFIX,
        ActionKind::Rewrite => CodeActionKind::REFACTOR_REWRITE,
        ActionKind::Extract => CodeActionKind::REFACTOR_EXTRACT,
        ActionKind::FixAll => CodeActionKind::new("source.fixAll.pattern-language"),
    }
}

/// A refactor on offer as a code action (`None` when its edit cannot be expressed for this
/// client).
fn offer_action(
    s: &Snapshot,
    uri: &Uri,
    doc: &Document,
    offer: Offer,
    diagnostics: Option<Vec<Diagnostic>>,
) -> Option<CodeActionOrCommand> {
    let kind = action_kind(offer.kind);
    Some(match offer.outcome {
        Ok(Outcome::Files(r)) => CodeActionOrCommand::CodeAction(CodeAction {
            title: offer.title,
            kind: Some(kind),
            diagnostics,
            edit: Some(workspace_edit(s, &r)?),
            ..Default::default()
        }),
        Ok(Outcome::Fix(fix)) => fix_action(uri, doc, s.encoding, &fix, kind, diagnostics),
        Err(reason) => CodeActionOrCommand::CodeAction(CodeAction {
            title: offer.title,
            kind: Some(kind),
            disabled: Some(CodeActionDisabled { reason }),
            ..Default::default()
        }),
    })
}

/// Runs `f` with the refactor scope of an open Python document: the analysis of the current
/// contents, and the file view.
fn with_scope<T>(
    b: &Backend,
    s: &Snapshot,
    doc: &Document,
    w: &Workspace,
    path: &Path,
    f: impl FnOnce(&Scope) -> T,
) -> Option<T> {
    let (a, idx) = python_analysis(&b.state, w, path, doc);
    let scope = Scope {
        project: &a.project,
        roles: &a.roles,
        files: &s.files,
        file: idx?,
        can_create: s.caps.resource_ops,
    };
    Some(f(&scope))
}

/// The refactors on offer on one line of an open Python document (on its class header, and from
/// its findings), for the hover: each title, with the reason when it is offered disabled.
/// `analysis` is the hover's: it may lag other buffers' last keystrokes (this one's is current),
/// as the hover's findings do; a code action request analyses afresh.
pub(super) fn offers_on_line(
    b: &Backend,
    doc: &Document,
    (a, idx): (&crate::analysis::Analysis, Option<usize>),
    line: usize,
    findings: &[(&str, usize)],
) -> Vec<crate::ide::hover::HereOffer> {
    let snap = snapshot(b);
    let offers = idx.map(|file| {
        let scope = Scope {
            project: &a.project,
            roles: &a.roles,
            files: &snap.files,
            file,
            can_create: snap.caps.resource_ops,
        };
        ide::actions::described(&scope, doc.index(), (line, line), findings, &snap.roots)
    });
    let mut out: Vec<crate::ide::hover::HereOffer> = Vec::new();
    for o in offers.into_iter().flatten() {
        if out.iter().all(|h| h.title != o.title) {
            out.push(crate::ide::hover::HereOffer {
                title: o.title,
                disabled: o.outcome.err(),
            });
        }
    }
    out
}

fn lines(range: Range) -> (usize, usize) {
    (range.start.line as usize, range.end.line as usize)
}

/// The refactor a client resolves (`codeAction/resolve`): found again by registry id, target
/// and range, never by title.
pub fn resolve_refactor(
    b: &Backend,
    doc: &Document,
    w: &Workspace,
    uri: &Uri,
    range: Range,
    (id, at): (&str, usize),
) -> Option<CodeAction> {
    let s = snapshot(b);
    let path = doc_path(uri);
    let offer = with_scope(b, &s, doc, w, &path, |scope| {
        ide::actions::resolve(scope, doc.index(), lines(range), &s.roots, id, at)
    })??;
    match offer_action(&s, uri, doc, offer, None)? {
        CodeActionOrCommand::CodeAction(a) => Some(a),
        CodeActionOrCommand::Command(_) => None,
    }
}

/// The fixes on offer for an open Python document, with its analysis.
fn python_fixes(
    state: &State,
    w: &Workspace,
    path: &Path,
    doc: &Document,
) -> Vec<crate::refactor::Fix> {
    let (a, idx) = python_analysis(state, w, path, doc);
    let Some(i) = idx else { return Vec::new() };
    let file = &a.project.files[i];
    ide::fix_all::file_fixes(file, a.detected(i).to_vec(), w.config.python_version)
}

fn fix_action(
    uri: &Uri,
    doc: &Document,
    enc: Encoding,
    fix: &crate::refactor::Fix,
    kind: CodeActionKind,
    diagnostics: Option<Vec<Diagnostic>>,
) -> CodeActionOrCommand {
    let edits: Vec<TextEdit> = fix
        .edits
        .iter()
        .map(|e| TextEdit {
            range: doc.range(&e.span, enc),
            new_text: e.text.clone(),
        })
        .collect();
    CodeActionOrCommand::CodeAction(CodeAction {
        title: fix.title.clone(),
        kind: Some(kind),
        diagnostics,
        is_preferred: Some(fix.safe || fix.rule != "unused-suppression"),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..Default::default()
        }),
        ..Default::default()
    })
}

pub fn code_actions(
    b: &Backend,
    doc: &Document,
    w: &Workspace,
    params: &CodeActionParams,
) -> Option<CodeActionResponse> {
    let snap = snapshot(b);
    let enc = snap.encoding;
    let uri = &params.text_document.uri;
    let mut actions: Vec<CodeActionOrCommand> = Vec::new();
    let path = doc_path(uri);
    let mut fixes: Option<Vec<crate::refactor::Fix>> = None;
    let fixes_of = |fixes: &mut Option<Vec<crate::refactor::Fix>>| -> Vec<crate::refactor::Fix> {
        if doc.language != Language::Python {
            return Vec::new();
        }
        fixes
            .get_or_insert_with(|| python_fixes(&b.state, w, &path, doc))
            .clone()
    };
    for d in &params.context.diagnostics {
        let code = match &d.code {
            Some(NumberOrString::String(s)) => s.as_str(),
            _ => continue,
        };
        if d.source.as_deref() != Some("pattern-language") {
            continue;
        }
        match code {
            "unknown-pattern" => {
                let closest: Vec<String> = d
                    .data
                    .as_ref()
                    .and_then(|v| v.get("closest"))
                    .and_then(|v| serde_json::from_value(v.clone()).ok())
                    .unwrap_or_default();
                for (i, id) in closest.iter().enumerate() {
                    let edit = TextEdit {
                        range: d.range,
                        new_text: format!("[[{id}]]"),
                    };
                    actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title: format!("Replace with [[{id}]]"),
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![d.clone()]),
                        edit: Some(WorkspaceEdit {
                            changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                            ..Default::default()
                        }),
                        is_preferred: Some(i == 0),
                        ..Default::default()
                    }));
                }
            }
            "unused-suppression" => {
                let start = doc.offset(d.range.start, enc);
                let end = doc.offset(d.range.end, enc);
                // Remove the comment and the spaces before it.
                let mut s = start;
                while s > 0 && doc.text().as_bytes()[s - 1] == b' ' {
                    s -= 1;
                }
                let edit = TextEdit {
                    range: doc.range(&(s..end), enc),
                    new_text: String::new(),
                };
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: "Remove unused suppression".into(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![d.clone()]),
                    edit: Some(WorkspaceEdit {
                        changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                        ..Default::default()
                    }),
                    is_preferred: Some(true),
                    ..Default::default()
                }));
            }
            rule if crate::detect::smell(rule).is_some() => {
                // Refactors offered from this finding (the anticorruption layer).
                let start = doc.offset(d.range.start, enc);
                let offers = with_scope(b, &snap, doc, w, &path, |scope| {
                    ide::actions::for_finding(scope, rule, start, &snap.roots)
                });
                for offer in offers.into_iter().flatten() {
                    actions.extend(offer_action(&snap, uri, doc, offer, Some(vec![d.clone()])));
                }
                for fix in fixes_of(&mut fixes)
                    .iter()
                    .filter(|f| f.rule == rule && doc.range(&f.at, enc) == d.range)
                {
                    actions.push(fix_action(
                        uri,
                        doc,
                        enc,
                        fix,
                        CodeActionKind::QUICKFIX,
                        Some(vec![d.clone()]),
                    ));
                }
                let line = d.range.start.line as usize;
                let span = doc.index().line_range(doc.text(), line);
                let line_text = &doc.text()[span.clone()];
                let new_text = match line_text.find(analysis::SUPPRESS_MARK) {
                    Some(_) => continue,
                    None => format!("  # pattern-language: ignore[{rule}]"),
                };
                let at = doc.position(span.end, enc);
                let edit = TextEdit {
                    range: Range::new(at, at),
                    new_text,
                };
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Suppress `{rule}` on this line"),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![d.clone()]),
                    edit: Some(WorkspaceEdit {
                        changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                        ..Default::default()
                    }),
                    ..Default::default()
                }));
            }
            _ => {}
        }
    }
    // Refactors toward a pattern, offered on the structure under the cursor. Clients that resolve
    // code actions get them without their (multi-file) edit, computed on `codeAction/resolve`.
    if doc.language == Language::Python {
        let lazy = snap.caps.resolve_edit;
        let offers = with_scope(b, &snap, doc, w, &path, |scope| {
            ide::actions::at_cursor(scope, doc.index(), lines(params.range), &snap.roots)
        });
        for offer in offers.into_iter().flatten() {
            let (id, at) = (offer.id, offer.at);
            let Some(mut action) = offer_action(&snap, uri, doc, offer, None) else {
                continue;
            };
            if lazy
                && let CodeActionOrCommand::CodeAction(a) = &mut action
                && a.edit.is_some()
            {
                a.edit = None;
                a.data = Some(serde_json::json!({
                    "uri": uri.as_str(),
                    "range": params.range,
                    "refactor": id,
                    "at": at,
                }));
            }
            actions.push(action);
        }
    }
    // source.fixAll.pattern-language: every safe fix of the file in one edit.
    let wants_fix_all = params.context.only.as_ref().is_some_and(|only| {
        only.iter().any(|k| {
            matches!(
                k.as_str(),
                "source" | "source.fixAll" | "source.fixAll.pattern-language"
            )
        })
    });
    if wants_fix_all && let Some(all) = ide::fix_all::fix_all(&fixes_of(&mut fixes)) {
        actions.push(fix_action(
            uri,
            doc,
            enc,
            &all,
            action_kind(ActionKind::FixAll),
            None,
        ));
    }
    // Markdown: insert or refresh the context map.
    if let Some(a) = super::map::markdown_action(
        b,
        doc,
        w,
        uri,
        params.range,
        super::lock(&b.state.caps).resolve_edit,
    ) {
        actions.push(a);
    }
    // Markdown: a plain mention under the cursor becomes a [[id]] reference.
    if doc.language == Language::Markdown {
        let start = doc.offset(params.range.start, enc);
        let end = doc.offset(params.range.end, enc);
        for r in markdown::references(doc.text(), &w.catalog, &w.names) {
            if r.kind == RefKind::Mention && r.span.start <= end && start <= r.span.end {
                let edit = TextEdit {
                    range: doc.range(&r.span, enc),
                    new_text: format!("[[{}]]", r.target),
                };
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Link `{}` as [[{}]]", &doc.text()[r.span.clone()], r.target),
                    kind: Some(CodeActionKind::REFACTOR_REWRITE),
                    edit: Some(WorkspaceEdit {
                        changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                        ..Default::default()
                    }),
                    ..Default::default()
                }));
            }
        }
    }
    Some(actions)
}
