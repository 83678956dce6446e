//! A workspace folder: its config, its catalog (embedded default + project pages + open
//! buffers of those pages), and its Python index.

use crate::analysis::{self, Analysis};
use crate::compiled::CompiledCatalog;
use crate::config::{Config, ConfigProblem};
use crate::markdown::Names;
use crate::python::project::{SourceFile, same_path};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Open buffers (path, generation), the catalog's identity, and the analysis computed with them.
type CachedAnalysis = (Vec<(PathBuf, u64)>, u64, Arc<Analysis>);

/// Open catalog pages (path, generation), and the catalog built with them: its name matcher and
/// its identity.
type CachedOverlay = (Vec<(PathBuf, u64)>, Arc<CompiledCatalog>, Arc<Names>, u64);

fn next_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

pub struct Workspace {
    /// A number no other loaded workspace has: identifies what facts were computed against.
    pub id: u64,
    pub root: Option<PathBuf>,
    pub config: Config,
    pub config_problems: Vec<ConfigProblem>,
    pub catalog: Arc<CompiledCatalog>,
    pub names: Arc<Names>,
    /// Python files read from disk at indexing time.
    pub disk: Vec<Arc<SourceFile>>,
    pub disk_problems: Vec<analysis::FileProblem>,
    /// The last analysis with open buffers overlaid, keyed by their (path, generation) list.
    cache: Mutex<Option<CachedAnalysis>>,
    /// Held while an analysis is computed: a second request waits for it instead of computing the
    /// same one again on the other core.
    computing: Mutex<()>,
    /// The catalog with open pages laid over it (team queries compiled once per page contents).
    overlay: Mutex<Option<CachedOverlay>>,
}

/// Does a change to this file change the workspace (config or catalog)?
pub fn affects_workspace(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name == crate::config::FILE_NAME || name == "pyproject.toml" || name.ends_with(".md")
}

impl Workspace {
    pub fn load(root: Option<PathBuf>, settings: &serde_json::Value, index: bool) -> Workspace {
        // A re-index may follow a new `manage.py` or `__init__.py`: find source roots afresh.
        crate::analysis::forget_source_roots();
        let (mut config, mut problems) = match &root {
            Some(r) => crate::config::load_for(r, Some(r)),
            None => (Config::default(), Vec::new()),
        };
        config.merge_json(settings, &mut problems);
        if let Some(r) = &root {
            config.catalog = config
                .catalog
                .iter()
                .map(|c| {
                    if c.is_absolute() {
                        c.clone()
                    } else {
                        r.join(c)
                    }
                })
                .collect();
        }
        let catalog = CompiledCatalog::load(&config.catalog);
        let names = Names::new(&catalog);
        // Rule ids of `select`, `ignore` and `severity` the engine and the catalog do not know,
        // at their line (shown on the config file, as `check` prints them).
        problems.extend(crate::config::unknown_rules(
            &config,
            &crate::detect::registry::known_ids(&catalog),
        ));
        let (disk, disk_problems) = match (&root, index) {
            (Some(r), true) => {
                let files = analysis::python_files(std::slice::from_ref(r), &config, r);
                // The facts cache of the workspace folder, as `check` keeps one per project.
                let cache = crate::cache::FactsCache::open(r, catalog.facts_key());
                let loaded: Vec<_> = {
                    use rayon::prelude::*;
                    files
                        .par_iter()
                        .map(|p| analysis::load_with(p, r, catalog.team_queries(), Some(&cache)))
                        .collect()
                };
                let mut ok = Vec::new();
                let mut bad = Vec::new();
                for l in loaded {
                    match l {
                        Ok(s) => ok.push(Arc::new(s)),
                        Err(p) => bad.push(p),
                    }
                }
                cache.save(&ok);
                (ok, bad)
            }
            _ => (Vec::new(), Vec::new()),
        };
        Workspace {
            id: next_id(),
            root,
            config,
            config_problems: problems,
            catalog: Arc::new(catalog),
            names: Arc::new(names),
            disk,
            disk_problems,
            cache: Mutex::new(None),
            computing: Mutex::new(()),
            overlay: Mutex::new(None),
        }
    }

    pub fn file_count(&self) -> usize {
        self.disk.len()
    }

    /// Is `path` a page of one of this workspace's catalogs (or a page-shaped file)?
    pub fn is_catalog_page(&self, path: Option<&Path>, text: &str) -> bool {
        let in_folder = path.is_some_and(|p| self.config.catalog.iter().any(|c| p.starts_with(c)));
        in_folder
            || (crate::catalog::page::has_front_matter(text)
                && text
                    .lines()
                    .take(12)
                    .any(|l| l.trim_start().starts_with("id")))
    }

    /// The catalog with open, edited catalog pages laid over it, its name matcher and its
    /// identity (the workspace's id without pages). Built, and its queries compiled, once per
    /// set of page contents.
    pub fn catalog_with(
        &self,
        pages: &[(PathBuf, u64, Arc<str>)],
    ) -> (Arc<CompiledCatalog>, Arc<Names>, u64) {
        if pages.is_empty() {
            return (self.catalog.clone(), self.names.clone(), self.id);
        }
        let key: Vec<(PathBuf, u64)> = pages.iter().map(|(p, g, _)| (p.clone(), *g)).collect();
        if let Ok(guard) = self.overlay.lock()
            && let Some((k, c, n, id)) = guard.as_ref()
            && *k == key
        {
            return (c.clone(), n.clone(), *id);
        }
        let mut catalog = (*self.catalog).clone();
        for (path, _, text) in pages {
            catalog.add_text(path, text);
        }
        catalog.validate();
        let catalog = Arc::new(CompiledCatalog::new(catalog));
        let names = Arc::new(Names::new(&catalog));
        let id = next_id();
        if let Ok(mut guard) = self.overlay.lock() {
            *guard = Some((key, catalog.clone(), names.clone(), id));
        }
        (catalog, names, id)
    }

    /// The analysis of the workspace with open Python buffers overlaid: `key` lists them as
    /// (path, generation), `catalog` is the catalog's identity, `sources` computes their facts on
    /// a miss. `lenient` (a read-only request for one document at one generation) accepts the
    /// last analysis when it has that document's content and the same catalog, even if other
    /// buffers changed since: typing in one big file does not make hovers elsewhere wait.
    pub fn analysis(
        &self,
        key: Vec<(PathBuf, u64)>,
        catalog: u64,
        lenient: Option<(&Path, u64)>,
        wanted: &dyn Fn() -> bool,
        sources: impl FnOnce() -> Vec<Arc<SourceFile>>,
    ) -> Arc<Analysis> {
        let hit = |cached: &Option<CachedAnalysis>, lenient: Option<(&Path, u64)>| {
            let (k, c, a) = cached.as_ref()?;
            if *c != catalog {
                return None;
            }
            let same_files = k.len() == key.len() && k.iter().zip(&key).all(|(x, y)| x.0 == y.0);
            let ok = *k == key
                || lenient
                    .is_some_and(|(p, g)| same_files && k.iter().any(|(q, h)| q == p && *h == g));
            ok.then(|| a.clone())
        };
        if let Ok(guard) = self.cache.lock()
            && let Some(a) = hit(&guard, lenient)
        {
            return a;
        }
        let _computing = self.computing.lock();
        if let Ok(guard) = self.cache.lock() {
            if let Some(a) = hit(&guard, None) {
                return a;
            }
            // A result no one will read (its document moved on while this waited its turn):
            // hand back the last analysis rather than build one more.
            if !wanted()
                && let Some((_, c, a)) = guard.as_ref()
                && *c == catalog
            {
                return a.clone();
            }
        }
        let open = sources();
        let mut files: Vec<Arc<SourceFile>> = self
            .disk
            .iter()
            .filter(|f| !open.iter().any(|s| same_path(&s.path, &f.path)))
            .cloned()
            .collect();
        files.extend(open);
        // After an edit most files are the same `Arc`s as in the last analysis: rebuild from it.
        let prev = self
            .cache
            .lock()
            .ok()
            .and_then(|g| g.as_ref().map(|c| c.2.clone()));
        let a = Arc::new(match &prev {
            Some(prev) => Analysis::update(prev, files, Vec::new()),
            None => Analysis::from_sources(files, Vec::new(), self.config.clone()),
        });
        let replaced = match self.cache.lock() {
            Ok(mut guard) => guard.replace((key, catalog, a.clone())),
            Err(_) => None,
        };
        // Freeing a big workspace's analysis takes milliseconds: not on the way to the
        // diagnostics of this edit.
        if replaced.is_some() || prev.is_some() {
            std::thread::spawn(move || drop((replaced, prev)));
        }
        a
    }

    pub fn root_or_parent(&self, path: &Path) -> PathBuf {
        self.root
            .clone()
            .unwrap_or_else(|| path.parent().map(Path::to_path_buf).unwrap_or_default())
    }
}
