//! The pipeline shared by `check` and the server: files -> facts -> project -> findings.

use crate::cache::{FactsCache, Stamp};
use crate::config::Config;
use crate::detect::{self, Finding, Kind, Roles};
use crate::python::facts;
use crate::python::project::{Project, SourceFile};
use crate::python::queries::TeamQuery;
use crate::python::source::FileText;
pub use crate::suppression::{SUPPRESS_MARK, Suppression, suppress, suppressions};
use crate::vocab::Severity;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files larger than this are reported, not parsed.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// A file that could not be analysed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    pub path: PathBuf,
    pub line: u32,
    pub message: String,
}

/// The folder a file's modules are named from: Django's `sys.path` entry for it.
///
/// Found from the file upward, never from where the walk started, so a file gets the same
/// module whichever folder was passed to `check` or opened in the editor:
/// - the nearest folder with `manage.py` (the Django project: `src/manage.py` layouts, a project
///   whose top folder is itself a package);
/// - else, below the nearest `pyproject.toml`, `setup.py`, `setup.cfg` or `.git`, the folder above
///   the file's top package (the highest folder upward that still has `__init__.py`), or its
///   `src/` folder for namespace packages, or that folder itself;
/// - else the top of the file's package chain, else `fallback`.
pub fn source_root(path: &Path, fallback: &Path) -> PathBuf {
    source_root_of(path, fallback).to_path_buf()
}

fn source_root_of(path: &Path, fallback: &Path) -> Arc<Path> {
    let dir = path.parent().unwrap_or(Path::new(""));
    memoised(&ROOTS, dir, fallback, find_source_root)
}

/// Folder answers by (folder, fallback): `module_for` and `mark_location` run for every file, and
/// folders are few. Each walks the folder's ancestors for marker files.
/// By fallback, then folder, keyed by the paths' bytes (`Path`'s own hash parses components, and
/// these are looked up several times per file); a lookup borrows both paths and hands out an
/// `Arc` (no allocation per file).
type FolderMemo = std::sync::LazyLock<
    std::sync::Mutex<
        rustc_hash::FxHashMap<
            std::ffi::OsString,
            rustc_hash::FxHashMap<std::ffi::OsString, Arc<Path>>,
        >,
    >,
>;
static ROOTS: FolderMemo = std::sync::LazyLock::new(Default::default);
static BASES: FolderMemo = std::sync::LazyLock::new(Default::default);

fn memoised(
    memo: &FolderMemo,
    dir: &Path,
    fallback: &Path,
    compute: fn(&Path, &Path) -> PathBuf,
) -> Arc<Path> {
    if let Ok(cache) = memo.lock()
        && let Some(found) = cache
            .get(fallback.as_os_str())
            .and_then(|m| m.get(dir.as_os_str()))
    {
        return found.clone();
    }
    let found: Arc<Path> = Arc::from(compute(dir, fallback));
    if let Ok(mut cache) = memo.lock() {
        if cache.len() > 64 {
            cache.clear();
        }
        let folders = cache.entry(fallback.as_os_str().to_owned()).or_default();
        if folders.len() > 100_000 {
            folders.clear();
        }
        folders.insert(dir.as_os_str().to_owned(), found.clone());
    }
    found
}

/// The marker files of one folder that decide where modules are named from.
#[derive(Clone, Copy, Debug, Default)]
struct Marks {
    /// `__init__.py`: a package.
    init: bool,
    /// `manage.py`: a Django project.
    manage: bool,
    /// `pyproject.toml`, `setup.py` or `setup.cfg`: a Python project.
    project: bool,
    /// `.git`.
    git: bool,
}

/// Marks by folder: every file of a folder, and every folder below it, asks about the same
/// folders, so each is looked at once per run (or per re-index, see [`forget_source_roots`]).
static MARKS: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<PathBuf, Marks>>> =
    std::sync::LazyLock::new(Default::default);

fn marks(d: &Path) -> Marks {
    if let Ok(cache) = MARKS.lock()
        && let Some(m) = cache.get(d)
    {
        return *m;
    }
    let m = Marks {
        init: d.join("__init__.py").is_file(),
        manage: d.join("manage.py").is_file(),
        project: ["pyproject.toml", "setup.py", "setup.cfg"]
            .iter()
            .any(|m| d.join(m).is_file()),
        git: d.join(".git").exists(),
    };
    if let Ok(mut cache) = MARKS.lock() {
        if cache.len() > 100_000 {
            cache.clear();
        }
        cache.insert(d.to_path_buf(), m);
    }
    m
}

/// A Django project folder.
fn has_manage_py(d: &Path) -> bool {
    marks(d).manage
}

/// A Python project folder (packaging metadata).
fn has_project_file(d: &Path) -> bool {
    marks(d).project
}

/// Forgets the source roots seen so far (a `manage.py` or `__init__.py` may have appeared).
pub fn forget_source_roots() {
    if let Ok(mut cache) = ROOTS.lock() {
        cache.clear();
    }
    if let Ok(mut cache) = BASES.lock() {
        cache.clear();
    }
    if let Ok(mut cache) = MARKS.lock() {
        cache.clear();
    }
}

fn find_source_root(dir: &Path, fallback: &Path) -> PathBuf {
    // The folder above the top package of the chain the file is in, if it is in one.
    let chain_top = marks(dir).init.then(|| {
        let mut base = dir;
        while let Some(parent) = base.parent() {
            base = parent;
            if !marks(parent).init {
                break;
            }
        }
        base
    });
    let mut d = Some(dir);
    while let Some(x) = d {
        if marks(x).manage {
            return x.to_path_buf();
        }
        let m = marks(x);
        let weak = m.project || m.git;
        if weak {
            return match chain_top {
                Some(top) if top.starts_with(x) => top.to_path_buf(),
                _ if dir.starts_with(x.join("src")) => x.join("src"),
                _ => x.to_path_buf(),
            };
        }
        d = x.parent().filter(|p| !p.as_os_str().is_empty());
    }
    match chain_top {
        Some(top) => top.to_path_buf(),
        None if dir.starts_with(fallback) => fallback.to_path_buf(),
        None => dir.to_path_buf(),
    }
}

/// Where `tests/` and `migrations/` folders count from: the Django project (the nearest folder
/// upward with `manage.py`), else the outermost Python project (`pyproject.toml`, `setup.py`,
/// `setup.cfg`), else `fallback`. A Django project kept under a repository's `tests/` folder is
/// still analysed; a library's own `tests/` folder (Django's, with test apps that are packages
/// of their own) is still a test folder.
pub fn tests_base(path: &Path, fallback: &Path) -> PathBuf {
    tests_base_of(path, fallback).to_path_buf()
}

fn tests_base_of(path: &Path, fallback: &Path) -> Arc<Path> {
    let dir = path.parent().unwrap_or(Path::new(""));
    memoised(&BASES, dir, fallback, find_tests_base)
}

fn find_tests_base(dir: &Path, fallback: &Path) -> PathBuf {
    if let Some(d) = dir.ancestors().find(|d| has_manage_py(d)) {
        return d.to_path_buf();
    }
    dir.ancestors()
        .filter(|d| has_project_file(d))
        .last()
        .map_or_else(|| fallback.to_path_buf(), Path::to_path_buf)
}

/// The dotted module of `path`, named from its [`source_root`], and whether it is a package's
/// `__init__.py`.
pub fn module_for(path: &Path, root: &Path) -> (String, bool) {
    let base = source_root_of(path, root);
    let rel = path
        .strip_prefix(&base)
        .or_else(|_| path.strip_prefix(root))
        .unwrap_or(path);
    facts::module_name(&rel.to_string_lossy().replace('\\', "/"))
}

/// Reads, decodes and parses one file.
pub fn load(
    path: &Path,
    root: &Path,
    queries: &[Arc<TeamQuery>],
) -> Result<SourceFile, FileProblem> {
    load_with(path, root, queries, None)
}

/// Reads and decodes one file, and takes its facts from `cache` when they were computed from the
/// same text, module and tool; else parses it. Either way the file keeps its stamp for the next
/// save of the cache.
pub fn load_with(
    path: &Path,
    root: &Path,
    queries: &[Arc<TeamQuery>],
    cache: Option<&FactsCache>,
) -> Result<SourceFile, FileProblem> {
    let problem = |message: String| FileProblem {
        path: path.to_path_buf(),
        line: 1,
        message,
    };
    let (module, is_package) = module_for(path, root);
    if !has_findings(path, root, &module) {
        // Tests and migrations are neither parsed nor read.
        return Ok(unparsed(path, root, Arc::from(""), module, is_package));
    }
    // One open, its metadata from the open file (one path lookup per file, not two).
    let cannot = |e: std::io::Error| problem(format!("cannot read file: {e}"));
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(problem(format!(
            "file is {} MB, over the {} MB limit: not analysed",
            meta.len() / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(cannot)?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            let line = err.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() as u32 + 1;
            return Err(FileProblem {
                path: path.to_path_buf(),
                line,
                message: format!("not valid UTF-8 (byte {at}): save the file as UTF-8"),
            });
        }
    };
    let Some(cache) = cache else {
        return Ok(parsed(
            path,
            root,
            Arc::from(text),
            queries,
            module,
            is_package,
        ));
    };
    let stamp = Stamp::new(&meta, &text);
    let cached = stamp.and_then(|s| cache.take(path, &s, &module, is_package));
    let mut source = match cached {
        Some((facts, hits)) => {
            let mut source = SourceFile::new(path.to_path_buf(), Arc::from(text), facts);
            source.team_hits = hits;
            mark_location(&mut source, path, root);
            source
        }
        None => parsed(path, root, Arc::from(text), queries, module, is_package),
    };
    source.stamp = stamp;
    Ok(source)
}

/// Parses text already in memory (an editor buffer).
pub fn from_text(
    path: &Path,
    root: &Path,
    text: Arc<str>,
    queries: &[Arc<TeamQuery>],
) -> SourceFile {
    let (module, is_package) = module_for(path, root);
    if !has_findings(path, root, &module) {
        return unparsed(path, root, text, module, is_package);
    }
    parsed(path, root, text, queries, module, is_package)
}

/// A test module or migration: it yields no findings and feeds no project fact, so it is not
/// even parsed.
fn unparsed(
    path: &Path,
    root: &Path,
    text: Arc<str>,
    module: String,
    is_package: bool,
) -> SourceFile {
    let facts = facts::FileFacts {
        module: module.into(),
        is_package,
        ..Default::default()
    };
    let mut source = SourceFile::new(path.to_path_buf(), text, facts);
    mark_location(&mut source, path, root);
    source
}

/// The facts and team hits of a file that can have findings.
fn parsed(
    path: &Path,
    root: &Path,
    text: Arc<str>,
    queries: &[Arc<TeamQuery>],
    module: String,
    is_package: bool,
) -> SourceFile {
    let facts = facts::collect(&text, &module, is_package);
    let hits = crate::python::queries::run_on_text(queries, &text);
    let mut source = SourceFile::new(path.to_path_buf(), text, facts);
    source.team_hits = hits;
    mark_location(&mut source, path, root);
    source
}

/// Can this file have findings? Not a test module or a migration (by module path, or by a
/// `tests`/`migrations` folder between the project root and the file).
pub fn has_findings(path: &Path, root: &Path, module: &str) -> bool {
    let kind = crate::python::source::ModuleKind::of(module);
    let (test_dir, migration_dir) = location(path, root);
    !(kind.is_test || kind.is_migration || test_dir || migration_dir)
}

/// Folders between the source root and the module's package count too (`tests/app/models.py`);
/// folders above the Django project do not (a project kept under a repository's `tests/`).
pub fn mark_location(source: &mut SourceFile, path: &Path, root: &Path) {
    let (test_dir, migration_dir) = location(path, root);
    source.is_test |= test_dir;
    source.is_migration |= migration_dir;
}

/// Is there a `tests`/`test` folder, and a `migrations` folder, between the file's
/// [`tests_base`] and the file?
fn location(path: &Path, root: &Path) -> (bool, bool) {
    let base = tests_base_of(path, root);
    let rel = path
        .strip_prefix(&base)
        .or_else(|_| path.strip_prefix(root))
        .unwrap_or(path);
    let (mut test, mut migration) = (false, false);
    for c in rel.parent().into_iter().flat_map(Path::components) {
        let c = c.as_os_str();
        test |= c == "tests" || c == "test";
        migration |= c == "migrations";
    }
    (test, migration)
}

/// The folder config-relative settings (`exclude`, team catalogs) are read against: the config
/// file's folder, else the first given path (a folder, or a file's folder), else `fallback`.
pub fn config_root(config: &Config, first: &Path, fallback: &Path) -> PathBuf {
    config
        .file
        .as_ref()
        .and_then(|f| f.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| {
            if first.is_dir() {
                first.to_path_buf()
            } else {
                first
                    .parent()
                    .map_or_else(|| fallback.to_path_buf(), Path::to_path_buf)
            }
        })
}

/// The project a folder belongs to: the outermost folder upward with `manage.py` (a Django
/// project, a repository's nested demo project staying with it), else the outermost with
/// `pyproject.toml`, `setup.py` or `setup.cfg`.
pub fn project_folder(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .filter(|d| has_manage_py(d))
        .last()
        .or_else(|| dir.ancestors().filter(|d| has_project_file(d)).last())
        .map(Path::to_path_buf)
}

/// The folders to read for `paths`: each path's [`project_folder`], so that a file's findings
/// see the same project facts whichever of its folders was given; else the path itself.
pub fn scan_roots(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for p in paths {
        let start = if p.is_dir() {
            p.as_path()
        } else {
            p.parent().unwrap_or(Path::new(""))
        };
        out.push(project_folder(start).unwrap_or_else(|| p.clone()));
    }
    out.sort();
    out.dedup();
    // A root inside another is read with it.
    let all = out.clone();
    out.retain(|r| !all.iter().any(|o| o != r && r.starts_with(o)));
    out
}

/// Files grouped into projects by their [`project_folder`] (else the scan root they were found
/// under): two projects read in one run never see each other's classes.
pub fn group_by_project(files: Vec<PathBuf>, scan: &[PathBuf]) -> Vec<(PathBuf, Vec<PathBuf>)> {
    // Each folder's project, found for the folders in parallel (each looks at its ancestors'
    // marker files: the stat calls of a few hundred folders).
    let mut dirs: Vec<&Path> = files
        .iter()
        .map(|f| f.parent().unwrap_or(Path::new("")))
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    let keys: rustc_hash::FxHashMap<PathBuf, PathBuf> = dirs
        .into_par_iter()
        .map(|dir| {
            let key = project_folder(dir).unwrap_or_else(|| {
                scan.iter()
                    .filter(|s| dir.starts_with(s))
                    .max_by_key(|s| s.components().count())
                    .cloned()
                    .unwrap_or_else(|| dir.to_path_buf())
            });
            (dir.to_path_buf(), key)
        })
        .collect();
    let mut groups: std::collections::BTreeMap<PathBuf, Vec<PathBuf>> = Default::default();
    for f in files {
        let key = keys.get(f.parent().unwrap_or(Path::new(""))).cloned();
        groups.entry(key.unwrap_or_default()).or_default().push(f);
    }
    groups.into_iter().collect()
}

/// Python files below `paths`, respecting `.gitignore` and the config's `exclude`. A file named
/// on the command line counts whatever its extension, unless it is Markdown.
pub fn python_files(paths: &[PathBuf], config: &Config, root: &Path) -> Vec<PathBuf> {
    walk(paths, config, root, |p| {
        p.extension().is_some_and(|e| e == "py" || e == "pyi")
    })
}

/// Python files below `scan` and Markdown files below `paths`, in one walk when both are the
/// same folders (the common `check .`), else in two.
pub fn python_and_markdown_files(
    scan: &[PathBuf],
    paths: &[PathBuf],
    config: &Config,
    root: &Path,
) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut given: Vec<PathBuf> = paths.to_vec();
    given.sort();
    given.dedup();
    if given.iter().all(|p| p.is_dir()) && given == scan {
        let all = walk(scan, config, root, |p| {
            p.extension()
                .is_some_and(|e| e == "py" || e == "pyi" || e == "md" || e == "markdown")
        });
        let (markdown, python) = all.into_iter().partition(|p| is_markdown(p));
        return (python, markdown);
    }
    (
        python_files(scan, config, root),
        markdown_files(paths, config, root),
    )
}

fn is_markdown(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "md" || e == "markdown")
}

/// Markdown files below `paths`, respecting `.gitignore` and the config's `exclude`.
pub fn markdown_files(paths: &[PathBuf], config: &Config, root: &Path) -> Vec<PathBuf> {
    let named: Vec<PathBuf> = paths
        .iter()
        .filter(|p| !p.is_file() || is_markdown(p))
        .cloned()
        .collect();
    walk(&named, config, root, is_markdown)
}

/// Files below `paths` that `wanted` accepts (and files named in `paths` that are not Markdown,
/// for the Python walk).
fn walk(
    paths: &[PathBuf],
    config: &Config,
    root: &Path,
    wanted: impl Fn(&Path) -> bool + Sync,
) -> Vec<PathBuf> {
    let exclude = config.exclude_set();
    let mut out = Vec::new();
    for path in paths {
        if path.is_file() {
            if wanted(path) || !is_markdown(path) {
                out.push(path.clone());
            }
            continue;
        }
        // A parallel walk: on large trees the serial one is a visible share of `check`.
        let found = std::sync::Mutex::new(Vec::new());
        ignore::WalkBuilder::new(path)
            .hidden(true)
            .git_ignore(true)
            .require_git(false)
            .filter_entry(|e| !translations(e))
            .build_parallel()
            .run(|| {
                let exclude = &exclude;
                let found = &found;
                let wanted = &wanted;
                Box::new(move |entry| {
                    let Ok(entry) = entry else {
                        return ignore::WalkState::Continue;
                    };
                    let p = entry.path();
                    if entry.file_type().is_some_and(|t| t.is_file())
                        && wanted(p)
                        && !exclude.is_match(p.strip_prefix(root).unwrap_or(p))
                        && let Ok(mut list) = found.lock()
                    {
                        list.push(p.to_path_buf());
                    }
                    ignore::WalkState::Continue
                })
            });
        out.extend(found.into_inner().unwrap_or_default());
    }
    out.sort_unstable_by(|a, b| path_order(a, b));
    out.dedup();
    out
}

/// The order of `Path`'s `Ord` (component by component) for the clean paths a walk yields (no
/// empty or `.` components), without parsing components: the bytes, with the separator below
/// every other byte (sorting a 4,000-file walk by components was a tenth of a replayed check).
pub fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    if !cfg!(unix) {
        return a.cmp(b);
    }
    let (x, y) = (
        a.as_os_str().as_encoded_bytes(),
        b.as_os_str().as_encoded_bytes(),
    );
    match x.iter().zip(y).position(|(c, d)| c != d) {
        None => x.len().cmp(&y.len()),
        Some(i) => {
            let sep = |c: u8| if c == b'/' { 0 } else { c };
            sep(x[i]).cmp(&sep(y[i]))
        }
    }
}

/// A folder of translations, skipped whole: `LC_MESSAGES` (gettext catalogs, never Python), and
/// a `locale` folder that is not a package (Django's `conf/locale` and an app named `locale` are
/// packages and are read).
fn translations(entry: &ignore::DirEntry) -> bool {
    entry.file_type().is_some_and(|t| t.is_dir())
        && match entry.file_name().to_str() {
            Some("LC_MESSAGES") => true,
            Some("locale") => !entry.path().join("__init__.py").is_file(),
            _ => false,
        }
}

pub struct Analysis {
    pub project: Project,
    pub roles: Roles,
    pub problems: Vec<FileProblem>,
    /// Each file's findings before suppression, computed once on first use.
    detected: Vec<std::sync::OnceLock<Vec<Finding>>>,
}

/// What [`Analysis::run`] does with each file's text once its facts are collected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Texts {
    /// Kept in memory: refactors and fixes read them.
    Keep,
    /// Let go, and read again where findings need them ([`SourceFile::contents`]): the texts
    /// of a whole project are not held at once.
    Release,
}

impl Analysis {
    /// Loads and analyses `files` in parallel, taking facts from `cache` where they hold (and
    /// saving it afterwards, when anything changed).
    pub fn run(
        files: &[PathBuf],
        root: &Path,
        config: Config,
        queries: &[Arc<TeamQuery>],
        progress: Option<&(dyn Fn(usize) + Sync)>,
        cache: Option<&FactsCache>,
        texts: Texts,
    ) -> Analysis {
        let done = std::sync::atomic::AtomicUsize::new(0);
        let loaded: Vec<Result<SourceFile, FileProblem>> = files
            .par_iter()
            .map(|p| {
                let mut r = load_with(p, root, queries, cache);
                if let (Texts::Release, Ok(source)) = (texts, &mut r) {
                    source.release_text();
                }
                if let Some(cb) = progress {
                    cb(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
                }
                r
            })
            .collect();
        let mut sources = Vec::new();
        let mut problems = Vec::new();
        for r in loaded {
            match r {
                Ok(s) => sources.push(Arc::new(s)),
                Err(p) => problems.push(p),
            }
        }
        if let Some(cache) = cache {
            let started = std::time::Instant::now();
            cache.save(&sources);
            if std::env::var_os("PATTERN_LANGUAGE_TIMINGS").is_some() {
                eprintln!("cache saved in {:?}", started.elapsed());
            }
        }
        Analysis::from_sources(sources, problems, config)
    }

    pub fn from_sources(
        sources: Vec<Arc<SourceFile>>,
        problems: Vec<FileProblem>,
        config: Config,
    ) -> Analysis {
        let timings = std::env::var_os("PATTERN_LANGUAGE_TIMINGS").is_some();
        let started = std::time::Instant::now();
        let project = Project::build(sources, config);
        let built = started.elapsed();
        let roles = Roles::compute(&project);
        if timings {
            eprintln!("project: {built:?}, roles: {:?}", started.elapsed() - built);
        }
        Analysis::with(project, roles, problems)
    }

    /// An analysis of `project` and `roles` whose findings are still to compute.
    fn with(project: Project, roles: Roles, problems: Vec<FileProblem>) -> Analysis {
        let detected = (0..project.files.len())
            .map(|_| std::sync::OnceLock::new())
            .collect();
        Analysis {
            project,
            roles,
            problems,
            detected,
        }
    }

    /// The analysis of `sources` after an edit, from `prev` (same config): the project is
    /// rebuilt keeping what no changed file can change, and only the changed files' roles are
    /// computed again when the others' cannot have moved (see [`Project::rebuild`]). The same
    /// result as [`Analysis::from_sources`]; a different list of files is analysed afresh.
    /// Findings are computed per file on first use, as ever.
    pub fn update(
        prev: &Analysis,
        sources: Vec<Arc<SourceFile>>,
        problems: Vec<FileProblem>,
    ) -> Analysis {
        let started = std::time::Instant::now();
        let rebuilt = match Project::rebuild(&prev.project, sources) {
            Ok(r) => r,
            Err(sources) => {
                return Analysis::from_sources(sources, problems, prev.project.config.clone());
            }
        };
        let built = started.elapsed();
        let (roles, recomputed) = if rebuilt.same_shape {
            let roles = Roles::update(&prev.roles, &rebuilt.project, &rebuilt.changed);
            (roles, rebuilt.changed.len())
        } else if rebuilt.same_models_and_apps {
            let roles = Roles::update(&prev.roles, &rebuilt.project, &rebuilt.dependents);
            (roles, rebuilt.dependents.len())
        } else {
            (
                Roles::compute(&rebuilt.project),
                rebuilt.project.files.len(),
            )
        };
        if std::env::var_os("PATTERN_LANGUAGE_TIMINGS").is_some() {
            eprintln!(
                "project (rebuilt, same shape: {}): {built:?}, roles of {recomputed} files: {:?}",
                rebuilt.same_shape,
                started.elapsed() - built
            );
        }
        Analysis::with(rebuilt.project, roles, problems)
    }

    /// Findings of one file, suppressions applied.
    pub fn findings(&self, index: usize) -> Vec<Finding> {
        let text = FileText::new(&self.project.files[index]);
        let detected = self.detected_with(index, &text);
        if detected.is_empty() {
            return Vec::new();
        }
        suppress(text.get(), detected.to_vec()).0
    }

    /// Findings of one file before suppression (cached).
    pub fn detected(&self, index: usize) -> &[Finding] {
        self.detected_with(index, &FileText::new(&self.project.files[index]))
    }

    fn detected_with(&self, index: usize, text: &FileText) -> &[Finding] {
        self.detected[index]
            .get_or_init(|| detect::check_file(&self.project, &self.roles, index, text))
    }

    /// Findings of every file, in parallel: (file index, findings).
    pub fn all_findings(&self) -> Vec<(usize, Vec<Finding>)> {
        self.findings_where(|_| true)
    }

    /// Findings of the files `wanted` keeps, in parallel; the others are not even detected.
    pub fn findings_where(
        &self,
        wanted: impl Fn(&SourceFile) -> bool + Sync,
    ) -> Vec<(usize, Vec<Finding>)> {
        self.map_findings_where(wanted, |i, _, findings| (i, findings))
    }

    /// [`Analysis::findings_where`], each file's findings passed to `each` with its text (read
    /// once per file, also where `check` let the texts go), in file order. Findings computed
    /// here are not cached.
    pub fn map_findings_where<R: Send>(
        &self,
        wanted: impl Fn(&SourceFile) -> bool + Sync,
        each: impl Fn(usize, &str, Vec<Finding>) -> R + Sync,
    ) -> Vec<R> {
        (0..self.project.files.len())
            .into_par_iter()
            .filter(|&i| wanted(&self.project.files[i]))
            .filter_map(|i| {
                // Read only where there is a finding to place or suppress.
                let text = FileText::new(&self.project.files[i]);
                let detected = match self.detected[i].get() {
                    Some(found) => found.to_vec(),
                    // Not kept: the caller takes them, and a whole project's findings are not
                    // held twice.
                    None => detect::check_file(&self.project, &self.roles, i, &text),
                };
                if detected.is_empty() {
                    return None;
                }
                let findings = suppress(text.get(), detected).0;
                (!findings.is_empty()).then(|| each(i, text.get(), findings))
            })
            .collect()
    }
}

/// Does a finding make `check` fail?
pub fn fails(f: &Finding) -> bool {
    f.kind != Kind::Pattern && f.severity >= Severity::Warning
}
