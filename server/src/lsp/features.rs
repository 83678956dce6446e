//! Requests answered from a document and its workspace: hover, completion, definition, symbols,
//! inlay hints and code lenses (diagnostics and code actions have files of their own).

use super::Backend;
use super::analysis::{catalog_and_names, fence_findings, python_analysis_with, python_findings};
use super::document::{Document, Language};
use super::workspace::Workspace;
use crate::analysis;
use crate::catalog::{Catalog, Pattern, Severity, Source, render};
use crate::detect::{Finding, Kind};
use crate::line_index::Encoding;
use crate::markdown;
use std::collections::HashMap;
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

/// Hover on the findings of the line under `offset` (Python files and fences alike).
fn findings_hover(
    doc: &Document,
    found: &[Finding],
    offset: usize,
    catalog: &Catalog,
    enc: Encoding,
) -> Option<Hover> {
    let line = doc.index().line_of(offset);
    let here: Vec<&Finding> = found
        .iter()
        .filter(|f| doc.index().line_of(f.span.start) == line)
        .collect();
    let first = here.first()?;
    let mut md = String::new();
    for f in &here {
        if !md.is_empty() {
            md.push_str("\n\n---\n\n");
        }
        md.push_str(&crate::ide::hover::finding_hover(f, catalog, &page_link));
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: md,
        }),
        range: Some(doc.range(&first.span, enc)),
    })
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
    match doc.language {
        Language::Markdown => {
            let (catalog, names) = catalog_and_names(&b.state, w);
            let Some((r, p)) = markdown::reference_at(doc.text(), offset, &catalog, &names)
                .and_then(|r| catalog.get(&r.target).map(|p| (r, p)))
            else {
                let found = fence_findings(w, &doc_path(uri), doc);
                return findings_hover(doc, &found, offset, &catalog, enc);
            };
            let md = render::hover_markdown(p, &catalog, page_link(p).as_deref());
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: md,
                }),
                range: Some(doc.range(&r.span, enc)),
            })
        }
        Language::Python => {
            let path = doc_path(uri);
            let (a, idx) = python_analysis_with(&b.state, w, &path, doc, true, &|| true);
            let found = idx.map(|i| a.findings(i)).unwrap_or_default();
            let line = doc.index().line_of(offset);
            let here: Vec<&Finding> = found
                .iter()
                .filter(|f| doc.index().line_of(f.span.start) == line)
                .collect();
            let rules: Vec<(&str, usize)> = here
                .iter()
                .map(|f| (f.rule.as_str(), f.span.start))
                .collect();
            // On a finding, or on a class header where a refactor is on offer (enabled or not:
            // the hover says why a missing action is missing).
            let offers = super::actions::offers_on_line(b, doc, (&a, idx), line, &rules);
            if here.is_empty() && offers.is_empty() {
                return None;
            }
            let mut md = String::new();
            for f in &here {
                if !md.is_empty() {
                    md.push_str("\n\n---\n\n");
                }
                md.push_str(&crate::ide::hover::finding_hover(f, &w.catalog, &page_link));
            }
            if let Some(more) = crate::ide::hover::offers_markdown(&offers) {
                if !md.is_empty() {
                    md.push_str("\n\n");
                }
                md.push_str(&more);
            }
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: md,
                }),
                range: here.first().map(|f| doc.range(&f.span, enc)),
            })
        }
        Language::Other => None,
    }
}

fn pattern_item(
    p: &Pattern,
    _catalog: &Catalog,
    edit_range: Option<Range>,
    close: &str,
) -> CompletionItem {
    CompletionItem {
        label: p.id.clone(),
        kind: Some(CompletionItemKind::REFERENCE),
        detail: Some(p.title.clone()),
        filter_text: Some(format!(
            "{} {}",
            p.id,
            p.names().collect::<Vec<_>>().join(" ")
        )),
        data: Some(serde_json::json!({ "pattern": p.id })),
        text_edit: edit_range.map(|range| {
            CompletionTextEdit::Edit(TextEdit {
                range,
                new_text: format!("{}{close}", p.id),
            })
        }),
        ..CompletionItem::default()
    }
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
    let text = &doc.text();
    let line_start = doc.index().line_start(doc.index().line_of(offset));
    let before = &text[line_start..offset];
    // `# pattern-language: ignore[` completes rule ids.
    if doc.language == Language::Python
        && let Some(i) = before.rfind(analysis::SUPPRESS_MARK)
        && !before[i..].contains(']')
    {
        let partial_start = before
            .rfind([',', '['])
            .map_or(offset, |j| line_start + j + 1);
        let partial_start = partial_start + text[partial_start..offset].len()
            - text[partial_start..offset].trim_start().len();
        let range = doc.range(&(partial_start..offset), enc);
        let mut items: Vec<CompletionItem> = crate::detect::registry::smells()
            .map(|s| CompletionItem {
                label: s.id.to_string(),
                kind: Some(CompletionItemKind::ENUM_MEMBER),
                detail: Some(s.summary.to_string()),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                    range,
                    new_text: s.id.to_string(),
                })),
                ..CompletionItem::default()
            })
            .collect();
        items.extend(w.catalog.patterns().iter().map(|p| CompletionItem {
            label: p.id.clone(),
            kind: Some(CompletionItemKind::REFERENCE),
            detail: Some(p.title.clone()),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range,
                new_text: p.id.clone(),
            })),
            ..CompletionItem::default()
        }));
        return Some(CompletionResponse::Array(items));
    }
    if doc.language == Language::Python
        && markdown::wiki_prefix(text, offset).is_none()
        && let Some(items) = python_completion(b, doc, w, uri, offset, line_start)
    {
        return Some(CompletionResponse::Array(items));
    }
    let start = markdown::wiki_prefix(text, offset)?;
    if doc.language == Language::Python
        && !before.contains('#')
        && !crate::python::facts::in_string_or_comment(doc.text(), offset)
    {
        return None;
    }
    let has_close = text[offset..].starts_with("]]");
    let range = doc.range(&(start..offset), enc);
    let (catalog, _) = catalog_and_names(&b.state, w);
    let close = if has_close { "" } else { "]]" };
    let mut items: Vec<CompletionItem> = catalog
        .patterns()
        .iter()
        .map(|p| pattern_item(p, &catalog, Some(range), close))
        .collect();
    items.sort_by(|a, b| a.label.cmp(&b.label));
    Some(CompletionResponse::List(CompletionList {
        is_incomplete: false,
        items,
    }))
}

/// Escapes text for a snippet.
fn snippet_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('$', "\\$")
        .replace('}', "\\}")
}

/// Pattern-aware completion in Python: `db_table` in a model's `Meta`, `DATABASE_ROUTERS`
/// entries, and a repository skeleton for a new class in a repositories module.
fn python_completion(
    b: &Backend,
    doc: &Document,
    w: &Workspace,
    uri: &Uri,
    offset: usize,
    line_start: usize,
) -> Option<Vec<CompletionItem>> {
    let enc = b.encoding();
    let text = doc.text();
    let before = &text[line_start..offset];
    let path = doc_path(uri);
    let (a, idx) = python_analysis_with(&b.state, w, &path, doc, true, &|| true);
    let fi = idx?;
    let file = &a.project.files[fi];
    let snippets = super::lock(&b.state.caps).snippets;

    // DATABASE_ROUTERS = ["...|"]
    if let Some(at) = text[..offset].rfind("DATABASE_ROUTERS")
        && !text[at..offset].contains(']')
        && before.matches(['"', '\'']).count() % 2 == 1
    {
        let quote = before
            .rfind(['"', '\''])
            .map_or(offset, |q| line_start + q + 1);
        let range = doc.range(&(quote..offset), enc);
        let items: Vec<CompletionItem> = a
            .project
            .files
            .iter()
            .flat_map(|f| f.facts.classes.iter().map(move |c| (f, c)))
            .filter(|(_, c)| {
                c.methods.iter().any(|m| {
                    matches!(
                        m.name.as_str(),
                        "db_for_read" | "db_for_write" | "allow_migrate" | "allow_relation"
                    )
                })
            })
            .map(|(f, c)| {
                let dotted = format!("{}.{}", f.facts.module, c.name);
                CompletionItem {
                    label: dotted.clone(),
                    kind: Some(CompletionItemKind::CLASS),
                    detail: Some("database router".into()),
                    text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                        range,
                        new_text: dotted,
                    })),
                    ..CompletionItem::default()
                }
            })
            .collect();
        return Some(items);
    }

    // db_table in a model's Meta.
    let word = before.trim_start();
    if !word.is_empty()
        && "db_table".starts_with(word.split([' ', '=']).next().unwrap_or(word))
        && !word.contains('"')
    {
        let (ci, class) = file
            .facts
            .classes
            .iter()
            .enumerate()
            .find(|(_, c)| c.span.start <= offset && offset <= c.span.end)?;
        if !a.project.is_model((fi, ci)) || !text[class.span.start..offset].contains("class Meta") {
            return None;
        }
        // The prefix the context's other models use, else the context's name.
        let context = a.project.context_of(&file.facts.module);
        let shared = a
            .project
            .models
            .values()
            .flatten()
            .filter(|r| **r != (fi, ci))
            .find_map(|&(ofi, oci)| {
                let other = &a.project.files[ofi];
                let same = a.project.context_of(&other.facts.module).map(|c| &c.name)
                    == context.map(|c| &c.name);
                let table = other.facts.classes[oci]
                    .meta
                    .as_ref()?
                    .db_table
                    .as_ref()?
                    .0
                    .clone();
                same.then(|| table.split_once('_').map(|(p, _)| p.to_string()))
                    .flatten()
            });
        let prefix = shared.or_else(|| context.map(|c| c.name.clone()))?;
        let table = format!("{prefix}_{}", class.name.to_lowercase());
        let start = line_start + (before.len() - word.len());
        let new_text = if snippets {
            format!("db_table = \"${{1:{}}}\"", snippet_escape(&table))
        } else {
            format!("db_table = \"{table}\"")
        };
        return Some(vec![CompletionItem {
            label: format!("db_table = \"{table}\""),
            kind: Some(CompletionItemKind::PROPERTY),
            detail: Some(format!("table namespace of the `{prefix}` context")),
            insert_text_format: Some(if snippets {
                InsertTextFormat::SNIPPET
            } else {
                InsertTextFormat::PLAIN_TEXT
            }),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range: doc.range(&(start..offset), enc),
                new_text,
            })),
            ..CompletionItem::default()
        }]);
    }

    // `class ` at the start of a line in a repositories module.
    let leaf = file.facts.module.rsplit('.').next().unwrap_or("");
    if leaf == "repositories"
        && before.starts_with("class ")
        && before[6..].chars().all(|c| c.is_alphanumeric() || c == '_')
    {
        let app = a.project.app_of(&file.facts.module)?;
        let prefix = format!("{}.", app.package);
        let mut items = Vec::new();
        for (mi, f) in a.project.files.iter().enumerate() {
            if !f.facts.module.starts_with(&prefix) {
                continue;
            }
            for (ci, c) in f.facts.classes.iter().enumerate() {
                if !a.project.is_model((mi, ci)) || c.meta.as_ref().is_some_and(|m| m.is_abstract) {
                    continue;
                }
                let m = &c.name;
                let body = crate::ide::completion::repository_skeleton(m);
                let needs_import = !text.lines().any(|l| l.trim() == "from . import models");
                let at = crate::refactor::import_insertion(file);
                // An import that would land where the class is typed goes into the same edit.
                let (body, import) = if needs_import && at >= line_start {
                    (format!("from . import models\n\n\n{body}"), None)
                } else if needs_import {
                    (
                        body,
                        Some(TextEdit {
                            range: doc.range(&(at..at), enc),
                            new_text: "from . import models\n".into(),
                        }),
                    )
                } else {
                    (body, None)
                };
                let new_text = if snippets {
                    format!("{}$0", snippet_escape(&body))
                } else {
                    body
                };
                items.push(CompletionItem {
                    label: format!("{m}Repository"),
                    kind: Some(CompletionItemKind::SNIPPET),
                    detail: Some(format!("Django ORM repository skeleton for `{m}`")),
                    insert_text_format: Some(if snippets {
                        InsertTextFormat::SNIPPET
                    } else {
                        InsertTextFormat::PLAIN_TEXT
                    }),
                    text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                        range: doc.range(&(line_start..offset), enc),
                        new_text,
                    })),
                    additional_text_edits: import.map(|e| vec![e]),
                    ..CompletionItem::default()
                });
            }
        }
        return (!items.is_empty()).then_some(items);
    }
    None
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
pub fn document_symbols(
    b: &Backend,
    doc: &Document,
    w: &Workspace,
    uri: &Uri,
) -> Option<DocumentSymbolResponse> {
    let enc = b.encoding();
    match doc.language {
        Language::Markdown => {
            let symbols = markdown::headings(doc.text())
                .into_iter()
                .map(|(level, title, span)| DocumentSymbol {
                    name: if title.is_empty() {
                        "(untitled)".into()
                    } else {
                        title
                    },
                    detail: Some(format!("h{level}")),
                    kind: SymbolKind::STRING,
                    tags: None,
                    deprecated: None,
                    range: doc.range(&span, enc),
                    selection_range: doc.range(&span, enc),
                    children: None,
                })
                .collect::<Vec<_>>();
            let mut symbols = symbols;
            if doc.text().len() <= markdown::LARGE {
                // The classes of Python fences, labelled with the patterns seen in them.
                let found = fence_findings(w, &doc_path(uri), doc);
                for fence in markdown::fences::python_fences(doc.text()) {
                    for (name, span, name_span) in markdown::fences::classes(&fence) {
                        let line = doc.index().line_of(span.start);
                        let names: Vec<String> = found
                            .iter()
                            .filter(|f| {
                                f.kind == Kind::Pattern && doc.index().line_of(f.span.start) == line
                            })
                            .map(|f| {
                                w.catalog
                                    .get(&f.pattern)
                                    .map_or(f.pattern.clone(), |p| p.title.clone())
                            })
                            .collect();
                        symbols.push(DocumentSymbol {
                            name,
                            detail: (!names.is_empty()).then(|| names.join(", ")),
                            kind: SymbolKind::CLASS,
                            tags: None,
                            deprecated: None,
                            range: doc.range(&span, enc),
                            selection_range: doc.range(&name_span, enc),
                            children: None,
                        });
                    }
                }
                symbols.sort_by_key(|s| (s.range.start.line, s.range.start.character));
            }
            Some(DocumentSymbolResponse::Nested(symbols))
        }
        Language::Python => {
            let path = doc_path(uri);
            let (a, idx) = python_analysis_with(&b.state, w, &path, doc, true, &|| true);
            let i = idx?;
            let file = &a.project.files[i];
            let found = a.findings(i);
            // Recognitions by line, once (not once per symbol: that was quadratic).
            let mut by_line: HashMap<usize, Vec<String>> = HashMap::new();
            for f in found.iter().filter(|f| f.kind == Kind::Pattern) {
                by_line
                    .entry(doc.index().line_of(f.span.start))
                    .or_default()
                    .push(
                        w.catalog
                            .get(&f.pattern)
                            .map_or(f.pattern.clone(), |p| p.title.clone()),
                    );
            }
            let label = |start: usize| -> Option<String> {
                by_line
                    .get(&doc.index().line_of(start))
                    .map(|names| names.join(", "))
            };
            let mut symbols = Vec::new();
            for c in &file.facts.classes {
                let children: Vec<DocumentSymbol> = c
                    .methods
                    .iter()
                    .map(|m| DocumentSymbol {
                        name: m.name.clone(),
                        detail: label(m.span.start),
                        kind: SymbolKind::METHOD,
                        tags: None,
                        deprecated: None,
                        range: doc.range(&m.span, enc),
                        selection_range: doc.range(&m.name_span, enc),
                        children: None,
                    })
                    .collect();
                symbols.push(DocumentSymbol {
                    name: c.name.clone(),
                    detail: label(c.span.start),
                    kind: SymbolKind::CLASS,
                    tags: None,
                    deprecated: None,
                    range: doc.range(&c.span, enc),
                    selection_range: doc.range(&c.name_span, enc),
                    children: Some(children),
                });
            }
            for f in &file.facts.functions {
                symbols.push(DocumentSymbol {
                    name: f.name.clone(),
                    detail: label(f.span.start),
                    kind: SymbolKind::FUNCTION,
                    tags: None,
                    deprecated: None,
                    range: doc.range(&f.span, enc),
                    selection_range: doc.range(&f.name_span, enc),
                    children: None,
                });
            }
            Some(DocumentSymbolResponse::Nested(symbols))
        }
        Language::Other => None,
    }
}

#[allow(deprecated)]
pub fn workspace_symbols(w: &Workspace, query: &str) -> Option<WorkspaceSymbolResponse> {
    let q = query.to_lowercase();
    let symbols = w
        .catalog
        .patterns()
        .iter()
        .filter(|p| {
            q.is_empty() || p.id.contains(&q) || p.names().any(|n| n.to_lowercase().contains(&q))
        })
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
    let hints = found
        .iter()
        .filter(|f| f.kind == Kind::Pattern)
        .filter(|f| {
            let line = doc.index().line_of(f.span.start) as u32;
            range.start.line <= line && line <= range.end.line
        })
        .map(|f| {
            let title = w
                .catalog
                .get(&f.pattern)
                .map_or(f.pattern.clone(), |p| p.title.clone());
            InlayHint {
                position: doc.position(f.span.end, enc),
                label: InlayHintLabel::String(format!("◆ {title}")),
                kind: None,
                text_edits: None,
                tooltip: Some(InlayHintTooltip::String(f.message.clone())),
                padding_left: Some(true),
                padding_right: None,
                data: None,
            }
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
    let lenses = found
        .iter()
        .filter(|f| f.kind == Kind::Pattern)
        .map(|f| {
            let title = w
                .catalog
                .get(&f.pattern)
                .map_or(f.pattern.clone(), |p| p.title.clone());
            CodeLens {
                range: doc.range(&f.span, enc),
                command: Some(Command {
                    title: format!("◆ {title}"),
                    command: "pattern-language.showPattern".into(),
                    arguments: Some(vec![serde_json::json!(f.pattern)]),
                }),
                data: None,
            }
        })
        .collect();
    Some(lenses)
}
