//! The analysis a request works on: open Python buffers (their facts cached by generation)
//! laid over the workspace's disk index, and the catalog with open pages laid over it.

use super::State;
use super::document::{Document, Language};
use super::features::doc_path;
use super::workspace::Workspace;
use crate::analysis::{self, Analysis};
use crate::compiled::CompiledCatalog;
use crate::detect::Finding;
use crate::markdown;
use crate::python::facts;
use crate::python::project::SourceFile;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_lsp_server::ls_types::Uri;

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
            w.is_catalog_page(Some(&path), d.text())
                .then(|| (path, d.generation, d.text().clone()))
        })
        .collect()
}

/// The workspace catalog with open catalog pages laid over it, its name matcher, and its
/// identity (built once per set of page contents, not per request).
pub(super) fn catalog_and_names(
    state: &State,
    w: &Workspace,
) -> (Arc<CompiledCatalog>, Arc<markdown::Names>) {
    let (catalog, names, _) = w.catalog_with(&open_pages(&open_docs(state), w));
    (catalog, names)
}

/// An open buffer's source as last analysed, and what it was made from.
pub struct CachedSource {
    /// The document's generation and the catalog's identity.
    generation: u64,
    catalog: u64,
    source: Arc<SourceFile>,
    /// The buffer's last text without syntax errors (this one's, or an earlier one while the
    /// code is half-typed), and its chunks: an edit is collected from there alone
    /// ([`facts::recollect`]) when it leaves no error in the statements it touched.
    clean: Option<(Arc<SourceFile>, Arc<facts::Chunks>)>,
}

/// The Python source of an open document: facts from its text (from `last`'s, when it is an
/// earlier text of the same buffer and the edit can be collected alone), and team-query hits from
/// a tree-sitter parse made only when the catalog carries queries.
fn source_of(
    w: &Workspace,
    catalog: &CompiledCatalog,
    path: &Path,
    doc: &Document,
    last: Option<(&SourceFile, &facts::Chunks)>,
) -> (SourceFile, Option<facts::Chunks>) {
    let root = w.root_or_parent(path);
    let (module, is_package) = analysis::module_for(path, &root);
    // As in `check`: tests, migrations and buffers over the cap feed no facts.
    let analysed = !super::document::too_large(doc.language, doc.len())
        && analysis::has_findings(path, &root, &module);
    let (facts, chunks) = if analysed {
        last.and_then(|(old, chunks)| {
            facts::recollect(
                &old.text,
                &old.facts,
                chunks,
                doc.text(),
                &module,
                is_package,
            )
        })
        .map(|(f, c)| (f, Some(c)))
        .unwrap_or_else(|| facts::collect_chunked(doc.text(), &module, is_package))
    } else {
        let facts = facts::FileFacts {
            module: module.into(),
            is_package,
            ..Default::default()
        };
        (facts, None)
    };
    let mut source = SourceFile::new(path.to_path_buf(), doc.text().clone(), facts);
    if analysed {
        source.team_hits = crate::python::queries::run_on_text(catalog.team_queries(), doc.text());
    }
    analysis::mark_location(&mut source, path, &root);
    (source, chunks)
}

/// The facts of an open buffer, walked again only when its content (generation) or the catalog
/// changed, and then only where its content changed.
pub(super) fn cached_source(
    state: &State,
    w: &Workspace,
    (catalog, identity): (&Arc<CompiledCatalog>, u64),
    path: &Path,
    doc: &Document,
) -> Arc<SourceFile> {
    let clean = match state.sources.get(path) {
        Some(entry) if entry.generation == doc.generation && entry.catalog == identity => {
            return entry.source.clone();
        }
        Some(entry) => entry.clean.clone(),
        None => None,
    };
    let (source, chunks) = source_of(
        w,
        catalog,
        path,
        doc,
        clean.as_ref().map(|(s, c)| (&**s, &**c)),
    );
    let source = Arc::new(source);
    let clean = match chunks {
        Some(c) => Some((source.clone(), Arc::new(c))),
        None => clean,
    };
    state.sources.insert(
        path.to_path_buf(),
        CachedSource {
            generation: doc.generation,
            catalog: identity,
            source: source.clone(),
            clean,
        },
    );
    source
}

/// The analysis with every open Python buffer of the workspace overlaid, and this file's index.
/// `reading`: a read-only feature (hover, symbols, hints, lenses, completion) may use the last
/// analysis that has this document's content, even if other buffers moved on since; diagnostics
/// and edits always get the analysis of the current contents.
pub(super) fn python_analysis_with(
    state: &State,
    w: &Workspace,
    path: &Path,
    this: &Document,
    reading: bool,
    wanted: &dyn Fn() -> bool,
) -> (Arc<Analysis>, Option<usize>) {
    let docs = open_docs(state);
    let pages = open_pages(&docs, w);
    let (catalog, _, identity) = w.catalog_with(&pages);
    let mut open: Vec<(PathBuf, Arc<Document>)> = Vec::new();
    for (u, d) in &docs {
        if d.language != Language::Python || super::document::too_large(d.language, d.len()) {
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
    let a = w.analysis(key, identity, lenient, wanted, || {
        let mut sources: Vec<Arc<SourceFile>> = open
            .iter()
            .map(|(p, d)| cached_source(state, w, (&catalog, identity), p, d))
            .collect();
        sources.push(cached_source(state, w, (&catalog, identity), path, this));
        sources.sort_by(|a, b| a.path.cmp(&b.path));
        sources
    });
    let idx = a.project.file_index(path);
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
            d.language == Language::Python && !super::document::too_large(d.language, d.len())
        })
        .map(|(u, d)| (doc_path(u), d.clone()))
        .filter(|(p, _)| w.root.as_ref().is_none_or(|r| p.starts_with(r)))
        .collect();
    open.sort_by(|a, b| a.0.cmp(&b.0));
    let key: Vec<(PathBuf, u64)> = open
        .iter()
        .map(|(p, d)| (p.clone(), d.generation))
        .collect();
    w.analysis(key, identity, None, &|| true, || {
        open.iter()
            .map(|(p, d)| cached_source(state, w, (&catalog, identity), p, d))
            .collect()
    })
}

pub(super) fn python_analysis(
    state: &State,
    w: &Workspace,
    path: &Path,
    this: &Document,
) -> (Arc<Analysis>, Option<usize>) {
    python_analysis_with(state, w, path, this, false, &|| true)
}

pub(super) fn python_findings(
    state: &State,
    w: &Workspace,
    path: &Path,
    doc: &Document,
) -> (Arc<Analysis>, Vec<Finding>) {
    let (a, idx) = python_analysis_with(state, w, path, doc, true, &|| true);
    let found = idx.map(|i| a.findings(i)).unwrap_or_default();
    (a, found)
}

/// Findings of the Python fences of a Markdown document, spans in the document. Each fence is a
/// one-file project of its own: no cross-file facts, no refactors.
pub(super) fn fence_findings(w: &Workspace, path: &Path, doc: &Document) -> Vec<Finding> {
    if doc.text().len() > markdown::LARGE {
        return Vec::new();
    }
    markdown::fences::findings(path, doc.text(), &w.config, w.catalog.team_queries())
}
