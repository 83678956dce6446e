//! A workspace folder: its config, its catalog (embedded default + project pages + open
//! buffers of those pages), and its Python index.

use crate::analysis::{self, Analysis};
use crate::catalog::Catalog;
use crate::config::{Config, ConfigProblem};
use crate::markdown::Names;
use crate::python::project::SourceFile;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Open buffers (path, version) and the analysis computed with them.
type CachedAnalysis = (Vec<(PathBuf, i32)>, Arc<Analysis>);

pub struct Workspace {
    /// A number no other loaded workspace has: identifies what facts were computed against.
    pub id: u64,
    pub root: Option<PathBuf>,
    pub config: Config,
    pub config_problems: Vec<ConfigProblem>,
    pub catalog: Arc<Catalog>,
    pub names: Arc<Names>,
    /// Python files read from disk at indexing time.
    pub disk: Vec<Arc<SourceFile>>,
    pub disk_problems: Vec<analysis::FileProblem>,
    /// The last analysis with open buffers overlaid, keyed by their (path, version) list.
    cache: Mutex<Option<CachedAnalysis>>,
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
        let catalog = Catalog::load(&config.catalog);
        let names = Names::new(&catalog);
        let (disk, disk_problems) = match (&root, index) {
            (Some(r), true) => {
                let files = analysis::python_files(std::slice::from_ref(r), &config, r);
                let loaded: Vec<_> = {
                    use rayon::prelude::*;
                    files
                        .par_iter()
                        .map(|p| analysis::load(p, r, catalog.team_queries()))
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
                (ok, bad)
            }
            _ => (Vec::new(), Vec::new()),
        };
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Workspace {
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            root,
            config,
            config_problems: problems,
            catalog: Arc::new(catalog),
            names: Arc::new(names),
            disk,
            disk_problems,
            cache: Mutex::new(None),
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

    /// The catalog with open, edited catalog pages laid over it.
    pub fn catalog_with(&self, pages: &[(PathBuf, Arc<str>)]) -> Arc<Catalog> {
        if pages.is_empty() {
            return self.catalog.clone();
        }
        let mut catalog = (*self.catalog).clone();
        for (path, text) in pages {
            catalog.add_text(path, text);
        }
        catalog.validate();
        Arc::new(catalog)
    }

    /// The analysis of the workspace with `open` Python buffers overlaid (cached by versions).
    pub fn analysis(
        &self,
        open: Vec<(PathBuf, i32, Arc<SourceFile>)>,
        extra_key: Vec<(PathBuf, i32)>,
    ) -> Arc<Analysis> {
        let mut key: Vec<(PathBuf, i32)> = open.iter().map(|(p, v, _)| (p.clone(), *v)).collect();
        key.extend(extra_key);
        if let Ok(guard) = self.cache.lock()
            && let Some((k, a)) = guard.as_ref()
            && *k == key
        {
            return a.clone();
        }
        let mut files: Vec<Arc<SourceFile>> = self
            .disk
            .iter()
            .filter(|f| !open.iter().any(|(p, _, _)| *p == f.path))
            .cloned()
            .collect();
        files.extend(open.into_iter().map(|(_, _, s)| s));
        let a = Arc::new(Analysis::from_sources(
            files,
            Vec::new(),
            self.config.clone(),
        ));
        if let Ok(mut guard) = self.cache.lock() {
            *guard = Some((key, a.clone()));
        }
        a
    }

    pub fn root_or_parent(&self, path: &Path) -> PathBuf {
        self.root
            .clone()
            .unwrap_or_else(|| path.parent().map(Path::to_path_buf).unwrap_or_default())
    }
}
