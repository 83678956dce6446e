//! Requests answered from a document and its workspace: hover, completion, definition, symbols,
//! inlay hints and code lenses (diagnostics and code actions have files of their own). Each
//! takes the snapshot, calls its `ide` function and converts the plain result (byte spans) to
//! the protocol through the document's line index.

use super::Backend;
use super::analysis::{catalog_and_names, fence_findings, python_analysis_with, python_findings};
use super::document::{Document, Language};
use super::workspace::Workspace;
use crate::catalog::{Pattern, Severity, Source};
use crate::ide;
use crate::line_index::Encoding;
use crate::markdown;
use std::path::PathBuf;
use tower_lsp_server::ls_types::*;

pub fn doc_path(uri: &Uri) -> PathBuf {
    uri.to_file_path()
        .map(|p| p.into_owned())
        .unwrap_or_else(|| {
            PathBuf::from(format!(
                "/untitled/{}",
                uri.path().as_str().trim_start_matches('/')
            ))
        })
}

pub(super) fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// Where a pattern's page can be opened: its file, or a read-only copy of the embedded page
/// written once per version under the user's cache folder.
pub fn page_location(p: &Pattern) -> Option<(Uri, u32)> {
    match &p.source {
        Source::File(path) => Uri::from_file_path(path).map(|u| (u, p.line.saturating_sub(1))),
        Source::Embedded(rel) => {
            use etcetera::BaseStrategy;
            let base = etcetera::choose_base_strategy().ok()?.cache_dir();
            let path = base
                .join("pattern-language")
                .join(env!("CARGO_PKG_VERSION"))
                .join("patterns")
                .join(rel);
            if !path.exists() {
                std::fs::create_dir_all(path.parent()?).ok()?;
                std::fs::write(&path, p.text.as_bytes()).ok()?;
                if let Ok(meta) = std::fs::metadata(&path) {
                    let mut perms = meta.permissions();
                    perms.set_readonly(true);
                    let _ = std::fs::set_permissions(&path, perms);
                }
            }
            Uri::from_file_path(&path).map(|u| (u, 0))
        }
    }
}

fn page_link(p: &Pattern) -> Option<String> {
    page_location(p).map(|(u, line)| format!("{}#L{}", u.as_str(), line + 1))
}

/// The protocol's form of a hover.
fn to_hover(doc: &Document, h: ide::hover::HoverText, enc: Encoding) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: h.markdown,
        }),
        range: h.span.map(|span| doc.range(&span, enc)),
    }
}

pub fn hover(
    b: &Backend,
    doc: &Document,
    w: &Workspace,
    uri: &Uri,
    pos: Position,
) -> Option<Hover> {
    let enc = b.encoding();
    let offset = doc.offset(pos, enc);
    let h = match doc.language {
        Language::Markdown => {
            let (catalog, names) = catalog_and_names(&b.state, w);
            ide::hover::reference(doc.text(), offset, &catalog, &names, &page_link).or_else(|| {
                let found = fence_findings(w, &doc_path(uri), doc);
                ide::hover::findings(doc.index(), &found, offset, &catalog, &page_link)
            })
        }
        Language::Python => {
            let path = doc_path(uri);
            let (a, idx) = python_analysis_with(&b.state, w, &path, doc, true, &|| true);
            let found = idx.map(|i| a.findings(i)).unwrap_or_default();
            ide::hover::python(
                doc.index(),
                &found,
                offset,
                &w.catalog,
                &page_link,
                |line, rules| super::actions::offers_on_line(b, doc, (&a, idx), line, rules),
            )
        }
        Language::Other => None,
    }?;
    Some(to_hover(doc, h, enc))
}

pub fn completion(
    b: &Backend,
    doc: &Document,
    w: &Workspace,
    uri: &Uri,
    pos: Position,
) -> Option<CompletionResponse> {
    let enc = b.encoding();
    let offset = doc.offset(pos, enc);
    let snippets = super::lock(&b.state.caps).snippets;
    let at = ide::completion::Cursor {
        text: doc.text(),
        index: doc.index(),
        offset,
    };
    let found = ide::completion::complete(
        at,
        (doc.language == Language::Python, snippets),
        &w.catalog,
        || python_analysis_with(&b.state, w, &doc_path(uri), doc, true, &|| true),
        || catalog_and_names(&b.state, w).0,
    )?;
    let items = |items: Vec<ide::completion::Item>| -> Vec<CompletionItem> {
        items
            .into_iter()
            .map(|i| to_completion_item(doc, i, enc))
            .collect()
    };
    Some(match found {
        ide::completion::Completions::Array(i) => CompletionResponse::Array(items(i)),
        ide::completion::Completions::List(i) => CompletionResponse::List(CompletionList {
            is_incomplete: false,
            items: items(i),
        }),
    })
}

/// The protocol's form of a completion item.
fn to_completion_item(doc: &Document, i: ide::completion::Item, enc: Encoding) -> CompletionItem {
    use ide::completion::ItemKind;
    let edit = |e: ide::completion::Edit| TextEdit {
        range: doc.range(&e.span, enc),
        new_text: e.new_text,
    };
    CompletionItem {
        label: i.label,
        kind: Some(match i.kind {
            ItemKind::EnumMember => CompletionItemKind::ENUM_MEMBER,
            ItemKind::Reference => CompletionItemKind::REFERENCE,
            ItemKind::Class => CompletionItemKind::CLASS,
            ItemKind::Property => CompletionItemKind::PROPERTY,
            ItemKind::Snippet => CompletionItemKind::SNIPPET,
        }),
        detail: i.detail,
        filter_text: i.filter_text,
        data: i.data,
        insert_text_format: i.snippet.map(|s| {
            if s {
                InsertTextFormat::SNIPPET
            } else {
                InsertTextFormat::PLAIN_TEXT
            }
        }),
        text_edit: i.edit.map(|e| CompletionTextEdit::Edit(edit(e))),
        additional_text_edits: i
            .additional_edits
            .map(|es| es.into_iter().map(edit).collect()),
        ..CompletionItem::default()
    }
}

pub fn definition(
    b: &Backend,
    doc: &Document,
    w: &Workspace,
    pos: Position,
) -> Option<GotoDefinitionResponse> {
    let enc = b.encoding();
    let offset = doc.offset(pos, enc);
    let (catalog, names) = catalog_and_names(&b.state, w);
    let r = markdown::reference_at(doc.text(), offset, &catalog, &names)?;
    let p = catalog.get(&r.target)?;
    let (uri, line) = page_location(p)?;
    Some(GotoDefinitionResponse::Scalar(Location {
        uri,
        range: Range::new(Position::new(line, 0), Position::new(line, 0)),
    }))
}

#[allow(deprecated)]
fn to_document_symbol(doc: &Document, s: ide::symbols::Symbol, enc: Encoding) -> DocumentSymbol {
    use ide::symbols::Kind;
    DocumentSymbol {
        name: s.name,
        detail: s.detail,
        kind: match s.kind {
            Kind::Heading => SymbolKind::STRING,
            Kind::Class => SymbolKind::CLASS,
            Kind::Method => SymbolKind::METHOD,
            Kind::Function => SymbolKind::FUNCTION,
        },
        tags: None,
        deprecated: None,
        range: doc.range(&s.span, enc),
        selection_range: doc.range(&s.name_span, enc),
        children: s.children.map(|c| {
            c.into_iter()
                .map(|s| to_document_symbol(doc, s, enc))
                .collect()
        }),
    }
}

pub fn document_symbols(
    b: &Backend,
    doc: &Document,
    w: &Workspace,
    uri: &Uri,
) -> Option<DocumentSymbolResponse> {
    let symbols = match doc.language {
        Language::Markdown => ide::symbols::markdown(doc.text(), doc.index(), &w.catalog, || {
            fence_findings(w, &doc_path(uri), doc)
        }),
        Language::Python => {
            let path = doc_path(uri);
            let (a, idx) = python_analysis_with(&b.state, w, &path, doc, true, &|| true);
            let i = idx?;
            ide::symbols::python(&a.project.files[i], doc.index(), &a.findings(i), &w.catalog)
        }
        Language::Other => return None,
    };
    let enc = b.encoding();
    Some(DocumentSymbolResponse::Nested(
        symbols
            .into_iter()
            .map(|s| to_document_symbol(doc, s, enc))
            .collect(),
    ))
}

#[allow(deprecated)]
pub fn workspace_symbols(w: &Workspace, query: &str) -> Option<WorkspaceSymbolResponse> {
    let symbols = ide::symbols::patterns(&w.catalog, query)
        .filter_map(|p| {
            let (uri, line) = page_location(p)?;
            Some(SymbolInformation {
                name: p.title.clone(),
                kind: SymbolKind::CLASS,
                tags: None,
                deprecated: None,
                location: Location {
                    uri,
                    range: Range::new(Position::new(line, 0), Position::new(line, 0)),
                },
                container_name: Some(p.category.clone()),
            })
        })
        .collect();
    Some(WorkspaceSymbolResponse::Flat(symbols))
}

fn enabled(flag: Option<bool>) -> bool {
    flag.unwrap_or(true)
}

pub fn inlay_hints(
    b: &Backend,
    doc: &Document,
    w: &Workspace,
    uri: &Uri,
    range: Range,
) -> Option<Vec<InlayHint>> {
    if doc.language == Language::Other || !enabled(w.config.inlay_hints) {
        return None;
    }
    let enc = b.encoding();
    let path = doc_path(uri);
    let found = if doc.language == Language::Markdown {
        fence_findings(w, &path, doc)
    } else {
        python_findings(&b.state, w, &path, doc).1
    };
    let lines = (range.start.line, range.end.line);
    let hints = ide::hints::patterns(&found, doc.index(), &w.catalog, lines)
        .into_iter()
        .map(|h| InlayHint {
            position: doc.position(h.offset, enc),
            label: InlayHintLabel::String(h.label),
            kind: None,
            text_edits: None,
            tooltip: Some(InlayHintTooltip::String(h.tooltip)),
            padding_left: Some(true),
            padding_right: None,
            data: None,
        })
        .collect();
    Some(hints)
}

pub fn code_lenses(b: &Backend, doc: &Document, w: &Workspace, uri: &Uri) -> Option<Vec<CodeLens>> {
    if doc.language != Language::Python || !enabled(w.config.code_lens) {
        return None;
    }
    let enc = b.encoding();
    let path = doc_path(uri);
    let (_, found) = python_findings(&b.state, w, &path, doc);
    let lenses = ide::lenses::patterns(&found, &w.catalog)
        .into_iter()
        .map(|l| CodeLens {
            range: doc.range(&l.span, enc),
            command: Some(Command {
                title: l.title,
                command: "pattern-language.showPattern".into(),
                arguments: Some(vec![serde_json::json!(l.pattern)]),
            }),
            data: None,
        })
        .collect();
    Some(lenses)
}
