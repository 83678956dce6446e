//! Requests answered from a document and its workspace: diagnostics, hover, completion,
//! definition, symbols, code actions, inlay hints and code lenses.

use super::document::{Document, Language, to_range};
use super::workspace::Workspace;
use super::{Backend, ClientCaps, State};
use crate::analysis::{self, Analysis};
use crate::catalog::{Catalog, Pattern, Severity, Source, render};
use crate::detect::{Finding, Kind};
use crate::line_index::{Encoding, LineIndex};
use crate::markdown::{self, RefKind};
use crate::python::facts;
use crate::python::project::SourceFile;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
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

fn severity(s: Severity) -> DiagnosticSeverity {
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

/// Snapshots of the open documents: taken at once, then the map is released.
pub(super) fn open_docs(state: &State) -> Vec<(Uri, Arc<Document>)> {
    state
        .docs
        .iter()
        .map(|d| (d.key().clone(), d.value().clone()))
        .collect()
}

/// Open catalog pages of this workspace, as (path, generation, text).
pub(super) fn open_pages(
    docs: &[(Uri, Arc<Document>)],
    w: &Workspace,
) -> Vec<(PathBuf, u64, Arc<str>)> {
    docs.iter()
        .filter(|(_, d)| d.language == Language::Markdown)
        .filter_map(|(u, d)| {
            let path = u.to_file_path()?.into_owned();
            w.is_catalog_page(Some(&path), &d.text)
                .then(|| (path, d.generation, d.text.clone()))
        })
        .collect()
}

/// The workspace catalog with open catalog pages laid over it, its name matcher, and its
/// identity (built once per set of page contents, not per request).
fn catalog_and_names(state: &State, w: &Workspace) -> (Arc<Catalog>, Arc<markdown::Names>) {
    let (catalog, names, _) = w.catalog_with(&open_pages(&open_docs(state), w));
    (catalog, names)
}

/// The Python source of an open document, from its kept tree.
fn source_of(w: &Workspace, catalog: &Catalog, path: &Path, doc: &Document) -> SourceFile {
    let root = w.root_or_parent(path);
    let (module, is_package) = analysis::module_for(path, &root);
    // As in `check`: tests and migrations feed no facts.
    let tree = doc
        .tree
        .as_ref()
        .filter(|_| analysis::has_findings(path, &root, &module));
    let facts = match tree {
        Some(_) => facts::collect(&doc.text, &module, is_package),
        None => facts::FileFacts {
            module,
            is_package,
            ..Default::default()
        },
    };
    let mut source = SourceFile::new(path.to_path_buf(), doc.text.clone(), facts);
    if let Some(tree) = tree {
        source.team_hits = crate::python::queries::run(catalog.team_queries(), tree, &doc.text);
    }
    analysis::mark_location(&mut source, path, &root);
    source
}

/// The facts of an open buffer, walked again only when its content (generation) or the catalog
/// changed.
pub(super) fn cached_source(
    state: &State,
    w: &Workspace,
    (catalog, identity): (&Arc<Catalog>, u64),
    path: &Path,
    doc: &Document,
) -> Arc<SourceFile> {
    if let Some(entry) = state.sources.get(path)
        && entry.0 == doc.generation
        && entry.1 == identity
    {
        return entry.2.clone();
    }
    let source = Arc::new(source_of(w, catalog, path, doc));
    state.sources.insert(
        path.to_path_buf(),
        (doc.generation, identity, source.clone()),
    );
    source
}

/// The analysis with every open Python buffer of the workspace overlaid, and this file's index.
/// `reading`: a read-only feature (hover, symbols, hints, lenses, completion) may use the last
/// analysis that has this document's content, even if other buffers moved on since; diagnostics
/// and edits always get the analysis of the current contents.
fn python_analysis_with(
    state: &State,
    w: &Workspace,
    path: &Path,
    this: &Document,
    reading: bool,
) -> (Arc<Analysis>, Option<usize>) {
    let docs = open_docs(state);
    let pages = open_pages(&docs, w);
    let (catalog, _, identity) = w.catalog_with(&pages);
    let mut open: Vec<(PathBuf, Arc<Document>)> = Vec::new();
    for (u, d) in &docs {
        if d.language != Language::Python || super::document::too_large(d.language, &d.text) {
            continue;
        }
        let p = doc_path(u);
        if p == path {
            continue;
        }
        if w.root.as_ref().is_none_or(|r| p.starts_with(r)) {
            open.push((p, d.clone()));
        }
    }
    let key = {
        let mut key: Vec<(PathBuf, u64)> = open
            .iter()
            .map(|(p, d)| (p.clone(), d.generation))
            .collect();
        key.push((path.to_path_buf(), this.generation));
        key.sort();
        key
    };
    let lenient = reading.then_some((path, this.generation));
    let a = w.analysis(key, identity, lenient, || {
        let mut sources: Vec<Arc<SourceFile>> = open
            .iter()
            .map(|(p, d)| cached_source(state, w, (&catalog, identity), p, d))
            .collect();
        sources.push(cached_source(state, w, (&catalog, identity), path, this));
        sources.sort_by(|a, b| a.path.cmp(&b.path));
        sources
    });
    let idx = a.project.files.iter().position(|f| f.path == path);
    (a, idx)
}

/// The workspace's analysis with all its open Python buffers overlaid (no document of its own:
/// the context map).
pub(super) fn workspace_analysis(state: &State, w: &Workspace) -> Arc<Analysis> {
    let docs = open_docs(state);
    let pages = open_pages(&docs, w);
    let (catalog, _, identity) = w.catalog_with(&pages);
    let mut open: Vec<(PathBuf, Arc<Document>)> = docs
        .iter()
        .filter(|(_, d)| {
            d.language == Language::Python && !super::document::too_large(d.language, &d.text)
        })
        .map(|(u, d)| (doc_path(u), d.clone()))
        .filter(|(p, _)| w.root.as_ref().is_none_or(|r| p.starts_with(r)))
        .collect();
    open.sort_by(|a, b| a.0.cmp(&b.0));
    let key: Vec<(PathBuf, u64)> = open
        .iter()
        .map(|(p, d)| (p.clone(), d.generation))
        .collect();
    w.analysis(key, identity, None, || {
        open.iter()
            .map(|(p, d)| cached_source(state, w, (&catalog, identity), p, d))
            .collect()
    })
}

fn python_analysis(
    state: &State,
    w: &Workspace,
    path: &Path,
    this: &Document,
) -> (Arc<Analysis>, Option<usize>) {
    python_analysis_with(state, w, path, this, false)
}

fn python_findings(
    state: &State,
    w: &Workspace,
    path: &Path,
    doc: &Document,
) -> (Arc<Analysis>, Vec<Finding>) {
    let (a, idx) = python_analysis_with(state, w, path, doc, true);
    let found = idx.map(|i| a.findings(i)).unwrap_or_default();
    (a, found)
}

/// Findings of the Python fences of a Markdown document, spans in the document. Each fence is a
/// one-file project of its own: no cross-file facts, no refactors.
fn fence_findings(w: &Workspace, path: &Path, doc: &Document) -> Vec<Finding> {
    if doc.text.len() > markdown::LARGE {
        return Vec::new();
    }
    markdown::fences::findings(path, &doc.text, &w.config, w.catalog.team_queries())
}

/// Hover on the findings of the line under `offset` (Python files and fences alike).
fn findings_hover(
    doc: &Document,
    found: &[Finding],
    offset: usize,
    catalog: &Catalog,
    enc: Encoding,
) -> Option<Hover> {
    let line = doc.index.line_of(offset);
    let here: Vec<&Finding> = found
        .iter()
        .filter(|f| doc.index.line_of(f.span.start) == line)
        .collect();
    let first = here.first()?;
    let mut md = String::new();
    for f in &here {
        if !md.is_empty() {
            md.push_str("\n\n---\n\n");
        }
        md.push_str(&finding_hover(f, catalog));
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: md,
        }),
        range: Some(doc.range(&first.span, enc)),
    })
}

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
            let Some((r, p)) = markdown::reference_at(&doc.text, offset, &catalog, &names)
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
            let (_, found) = python_findings(&b.state, w, &path, doc);
            let line = doc.index.line_of(offset);
            let here: Vec<&Finding> = found
                .iter()
                .filter(|f| doc.index.line_of(f.span.start) == line)
                .collect();
            if here.is_empty() {
                return None;
            }
            let mut md = String::new();
            for f in &here {
                if !md.is_empty() {
                    md.push_str("\n\n---\n\n");
                }
                md.push_str(&finding_hover(f, &w.catalog));
            }
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: md,
                }),
                range: Some(doc.range(&here[0].span, enc)),
            })
        }
        Language::Other => None,
    }
}

/// Refactors on offer toward a pattern (issue: refactors as code actions).
fn refactors_for(id: &str) -> &'static [&'static str] {
    match id {
        "django-orm-repository" => &["Extract a Django ORM repository for a model"],
        "cached-repository" => &["Cache a repository (reads through the cache, writes invalidate)"],
        "repository-specification" => &["Introduce a specification"],
        "anticorruption-layer" => &["Introduce an anticorruption layer for a cross-context import"],
        "random-identifier" => &["Switch a uuid4 primary key default to uuid7"],
        _ => &[],
    }
}

pub fn finding_hover(f: &Finding, catalog: &Catalog) -> String {
    let pattern = catalog.get(&f.pattern);
    let mut md = String::new();
    match f.kind {
        Kind::Smell => {
            let info = crate::detect::smell(&f.rule);
            md.push_str(&format!("### Smell: `{}`\n\n{}\n\n", f.rule, f.message));
            if let Some(info) = info {
                let fixes: Vec<String> = info
                    .fixed_by
                    .iter()
                    .map(|id| {
                        catalog
                            .get(id)
                            .map_or(format!("`{id}`"), |p| format!("**{}** (`{id}`)", p.title))
                    })
                    .collect();
                md.push_str(&format!("Fixed by {}.\n\n", fixes.join(" or ")));
            }
            if let Some(p) = pattern {
                md.push_str(&format!(
                    "**{}.** {}\n\n",
                    p.title,
                    render::brief(&p.sections.solution)
                ));
                if let Some(link) = page_link(p) {
                    md.push_str(&format!("[Open the pattern page]({link})"));
                }
            }
        }
        _ => {
            let title = pattern.map_or(f.pattern.as_str(), |p| p.title.as_str());
            md.push_str(&format!(
                "### {title}\n`{}` · recognised pattern\n\n",
                f.pattern
            ));
            md.push_str(&format!("**Why:** {}\n\n", f.message));
            if !f.evidence.is_empty() {
                md.push_str("**Evidence**\n");
                for e in &f.evidence {
                    md.push_str(&format!("- {e}\n"));
                }
                md.push('\n');
            }
            if let Some(p) = pattern {
                if !p.sections.summary.is_empty() {
                    md.push_str(&format!("{}\n\n", render::brief(&p.sections.summary)));
                }
                md.push_str(&render::trade_offs(p));
                let related: Vec<String> = p
                    .related
                    .iter()
                    .map(|id| {
                        catalog
                            .get(id)
                            .map_or(format!("`{id}`"), |r| r.title.clone())
                    })
                    .collect();
                if !related.is_empty() {
                    md.push_str(&format!("**Related:** {}\n\n", related.join(", ")));
                }
                let refactors = refactors_for(&p.id);
                if !refactors.is_empty() {
                    md.push_str(&format!("**Refactors:** {}\n\n", refactors.join("; ")));
                }
                if let Some(link) = page_link(p) {
                    md.push_str(&format!("[Open the pattern page]({link})"));
                }
            }
        }
    }
    md.trim_end().to_string()
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
    let text = &doc.text;
    let line_start = doc.index.line_start(doc.index.line_of(offset));
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
        let mut items: Vec<CompletionItem> = crate::detect::SMELLS
            .iter()
            .map(|s| CompletionItem {
                label: s.id.to_string(),
                kind: Some(CompletionItemKind::ENUM_MEMBER),
                detail: Some(s.what.to_string()),
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
    if doc.language == Language::Python && !before.contains('#') && !in_string(doc, offset) {
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
    let text = &*doc.text;
    let before = &text[line_start..offset];
    let path = doc_path(uri);
    let (a, idx) = python_analysis_with(&b.state, w, &path, doc, true);
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
                let body = format!(
                    "class {m}Repository:\n    \"\"\"Repository for `{m}`: hides `{m}.objects` behind domain operations.\"\"\"\n\n    def get(self, pk):\n        return self._to_domain(models.{m}.objects.get(pk=pk))\n\n    def list(self):\n        return [self._to_domain(row) for row in models.{m}.objects.all()]\n\n    def add(self, entity):\n        row = self._from_domain(entity)\n        row.save()\n        return self._to_domain(row)\n\n    def remove(self, entity):\n        models.{m}.objects.filter(pk=entity.pk).delete()\n\n    @staticmethod\n    def _to_domain(row):\n        raise NotImplementedError(\"map the row to a domain object\")\n\n    @staticmethod\n    def _from_domain(entity):\n        raise NotImplementedError(\"map the domain object to a row\")\n"
                );
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

fn in_string(doc: &Document, offset: usize) -> bool {
    let Some(tree) = &doc.tree else { return false };
    let mut node = tree
        .root_node()
        .descendant_for_byte_range(offset.saturating_sub(1), offset);
    while let Some(n) = node {
        if matches!(n.kind(), "string" | "comment") {
            return true;
        }
        node = n.parent();
    }
    false
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
    let r = markdown::reference_at(&doc.text, offset, &catalog, &names)?;
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
            let symbols = markdown::headings(&doc.text)
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
            if doc.text.len() <= markdown::LARGE {
                // The classes of Python fences, labelled with the patterns seen in them.
                let found = fence_findings(w, &doc_path(uri), doc);
                for fence in markdown::fences::python_fences(&doc.text) {
                    for (name, span, name_span) in markdown::fences::classes(&fence) {
                        let line = doc.index.line_of(span.start);
                        let names: Vec<String> = found
                            .iter()
                            .filter(|f| {
                                f.kind == Kind::Pattern && doc.index.line_of(f.span.start) == line
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
            let (a, idx) = python_analysis_with(&b.state, w, &path, doc, true);
            let i = idx?;
            let file = &a.project.files[i];
            let found = a.findings(i);
            // Recognitions by line, once (not once per symbol: that was quadratic).
            let mut by_line: HashMap<usize, Vec<String>> = HashMap::new();
            for f in found.iter().filter(|f| f.kind == Kind::Pattern) {
                by_line
                    .entry(doc.index.line_of(f.span.start))
                    .or_default()
                    .push(
                        w.catalog
                            .get(&f.pattern)
                            .map_or(f.pattern.clone(), |p| p.title.clone()),
                    );
            }
            let label = |start: usize| -> Option<String> {
                by_line
                    .get(&doc.index.line_of(start))
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

/// Turns a multi-file refactor into a `WorkspaceEdit`: `documentChanges` with `CreateFile` when the
/// client supports resource operations; plain `changes` otherwise (then the refactor only edits
/// files that exist: see `refactor::orm_repository`).
fn workspace_edit(
    b: &Backend,
    r: &crate::refactor::Refactor,
    enc: Encoding,
) -> Option<WorkspaceEdit> {
    use crate::refactor::FileChange;
    // Never an edit outside the workspace folders.
    let roots = super::lock(&b.state.roots);
    if !crate::refactor::inside_roots(r.changes.iter().map(|(p, _)| p.as_path()), &roots) {
        return None;
    }
    let caps = super::lock(&b.state.caps);
    let mut doc_changes = Vec::new();
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for (path, change) in &r.changes {
        let uri = Uri::from_file_path(path)?;
        let text = match b.state.docs.get(&uri) {
            Some(d) => d.text.to_string(),
            None => std::fs::read_to_string(path).unwrap_or_default(),
        };
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
            let version = b.state.docs.get(&uri).map(|d| d.version);
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

/// Reads a file as the editor has it: the open buffer, else the disk.
fn buffer_or_disk(b: &Backend, path: &Path) -> Option<String> {
    let uri = Uri::from_file_path(path)?;
    match b.state.docs.get(&uri) {
        Some(d) => Some(d.text.to_string()),
        None => std::fs::read_to_string(path).ok(),
    }
}

/// "Introduce an anticorruption layer" for a cross-context import diagnostic.
fn acl_action(
    b: &Backend,
    doc: &Document,
    w: &Workspace,
    path: &Path,
    d: &Diagnostic,
) -> Option<CodeActionOrCommand> {
    let (a, idx) = python_analysis(&b.state, w, path, doc);
    let fi = idx?;
    let start = doc.offset(d.range.start, b.encoding());
    let can_create = super::lock(&b.state.caps).resource_ops;
    let r = crate::refactor::anticorruption::introduce(&a.project, fi, start, can_create).ok()?;
    if !r.parses_with(|p| buffer_or_disk(b, p)) {
        return None;
    }
    let edit = workspace_edit(b, &r, b.encoding())?;
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: r.title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![d.clone()]),
        edit: Some(edit),
        ..Default::default()
    }))
}

/// The refactors at a range, with their edits (for `codeAction/resolve`).
pub fn refactor_actions_full(
    b: &Backend,
    doc: &Document,
    w: &Workspace,
    params: &CodeActionParams,
) -> Option<Vec<CodeActionOrCommand>> {
    let uri = &params.text_document.uri;
    let path = doc_path(uri);
    Some(refactor_actions(b, doc, w, uri, &path, params.range))
}

/// Refactors toward patterns for the class under the cursor.
fn refactor_actions(
    b: &Backend,
    doc: &Document,
    w: &Workspace,
    uri: &Uri,
    path: &Path,
    range: Range,
) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    let (a, idx) = python_analysis(&b.state, w, path, doc);
    let Some(fi) = idx else { return out };
    let file = &a.project.files[fi];
    let enc = b.encoding();
    let can_create = super::lock(&b.state.caps).resource_ops;
    for (ci, class) in file.facts.classes.iter().enumerate() {
        let header = crate::detect::header_span(&file.text, class.span.start);
        let line = doc.index.line_of(header.start) as u32;
        if !(range.start.line <= line && line <= range.end.line) {
            continue;
        }
        if file.is_domain {
            if let Ok(r) =
                crate::refactor::json_repository::introduce(&a.project, fi, ci, can_create)
                && r.parses_with(|p| buffer_or_disk(b, p))
                && let Some(edit) = workspace_edit(b, &r, enc)
            {
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: r.title.clone(),
                    kind: Some(CodeActionKind::REFACTOR_EXTRACT),
                    edit: Some(edit),
                    ..Default::default()
                }));
            }
            continue;
        }
        if (a.roles.repositories.contains(&(fi, ci)) || class.name.ends_with("Repository"))
            && let Ok(r) = crate::refactor::specification::introduce(&a.project, fi, ci, can_create)
            && r.parses_with(|p| buffer_or_disk(b, p))
            && let Some(edit) = workspace_edit(b, &r, enc)
        {
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: r.title.clone(),
                kind: Some(CodeActionKind::REFACTOR_REWRITE),
                edit: Some(edit),
                ..Default::default()
            }));
        }
        // A repository that does not cache yet.
        if a.roles.repositories.contains(&(fi, ci))
            && !class
                .methods
                .iter()
                .flat_map(|m| m.calls.iter())
                .any(|c| c.func.starts_with("cache") || c.func.starts_with("caches"))
            && let Ok(fix) = crate::refactor::cache_repository::cache(file, ci)
            && crate::refactor::parses_cleanly(&crate::refactor::apply(&file.text, &fix.edits))
        {
            out.push(fix_action(
                uri,
                doc,
                enc,
                &fix,
                CodeActionKind::REFACTOR_REWRITE,
                None,
            ));
        }
        if !a.project.is_model((fi, ci)) {
            continue;
        }
        if let Ok(r) = crate::refactor::namespace_tables::namespace(&a.project, fi, ci)
            && r.parses_with(|p| buffer_or_disk(b, p))
            && let Some(edit) = workspace_edit(b, &r, enc)
        {
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: r.title.clone(),
                kind: Some(CodeActionKind::REFACTOR_REWRITE),
                edit: Some(edit),
                ..Default::default()
            }));
        }
        match crate::refactor::context_database::give_database(
            &a.project,
            &file.facts.module,
            can_create,
        ) {
            Ok(r) => {
                if r.parses_with(|p| buffer_or_disk(b, p))
                    && let Some(edit) = workspace_edit(b, &r, enc)
                {
                    out.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title: r.title.clone(),
                        kind: Some(CodeActionKind::REFACTOR_REWRITE),
                        edit: Some(edit),
                        ..Default::default()
                    }));
                }
            }
            // Say why, where the reason is about the code (not about a missing context or settings).
            Err(reason) if reason.starts_with("foreign keys") => {
                let name = a
                    .project
                    .context_of(&file.facts.module)
                    .map_or(String::new(), |c| c.name.clone());
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Give the `{name}` context its own database"),
                    kind: Some(CodeActionKind::REFACTOR_REWRITE),
                    disabled: Some(CodeActionDisabled { reason }),
                    ..Default::default()
                }));
            }
            Err(_) => {}
        }
        // Already behind a repository?
        if a.roles.orm_users.values().any(|models| {
            models
                .iter()
                .any(|m| m.rsplit('.').next() == Some(class.name.as_str()))
        }) {
            continue;
        }
        let _ = enc;
        match crate::refactor::orm_repository::extract(&a.project, fi, ci, can_create) {
            Ok(r) if r.parses_with(|p| buffer_or_disk(b, p)) => {
                if let Some(edit) = workspace_edit(b, &r, enc) {
                    out.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title: r.title.clone(),
                        kind: Some(CodeActionKind::REFACTOR_EXTRACT),
                        edit: Some(edit),
                        ..Default::default()
                    }));
                }
            }
            _ => {}
        }
    }
    out
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
    let (kept, unused) = analysis::suppress(&file.text, a.detected(i).to_vec());
    crate::refactor::fixes(file, &kept, &unused, w.config.python_version)
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
    let enc = b.encoding();
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
                while s > 0 && doc.text.as_bytes()[s - 1] == b' ' {
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
                if rule == "cross-context-import"
                    && let Some(action) = acl_action(b, doc, w, &path, d)
                {
                    actions.push(action);
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
                let span = doc.index.line_range(&doc.text, line);
                let line_text = &doc.text[span.clone()];
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
        let lazy = super::lock(&b.state.caps).resolve_edit;
        for mut action in refactor_actions(b, doc, w, uri, &path, params.range) {
            if lazy
                && let CodeActionOrCommand::CodeAction(a) = &mut action
                && a.edit.is_some()
            {
                a.edit = None;
                a.data = Some(serde_json::json!({ "uri": uri.as_str(), "range": params.range }));
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
    if wants_fix_all {
        let safe: Vec<crate::refactor::Fix> = fixes_of(&mut fixes)
            .into_iter()
            .filter(|f| f.safe)
            .collect();
        if !safe.is_empty() {
            let all = crate::refactor::Fix {
                title: format!("Apply {} safe pattern-language fix(es)", safe.len()),
                rule: "fix-all".into(),
                at: 0..0,
                edits: safe.iter().flat_map(|f| f.edits.clone()).collect(),
                safe: true,
            };
            actions.push(fix_action(
                uri,
                doc,
                enc,
                &all,
                CodeActionKind::new("source.fixAll.pattern-language"),
                None,
            ));
        }
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
        for r in markdown::references(&doc.text, &w.catalog, &w.names) {
            if r.kind == RefKind::Mention && r.span.start <= end && start <= r.span.end {
                let edit = TextEdit {
                    range: doc.range(&r.span, enc),
                    new_text: format!("[[{}]]", r.target),
                };
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Link `{}` as [[{}]]", &doc.text[r.span.clone()], r.target),
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
            let line = doc.index.line_of(f.span.start) as u32;
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
