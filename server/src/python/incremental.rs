//! A project rebuilt after an edit from the one before it.
//!
//! An edit changes a few files (a new `Arc<SourceFile>` each); the others are the same `Arc`s.
//! What a project derives from its files is kept when no changed file can change it: the module
//! index and everyone's definitions (only the changed files' are rebuilt), the models (kept when
//! no changed file's *shape* moved: module, imports, `__all__`, the names of its functions,
//! classes and assignments, and class bases), who imports whom (kept when no import moved, else
//! the changed files' entries are taken out and put back), the apps (kept when no changed file's
//! app inputs moved: class names, bases, `name`/`label`, INSTALLED_APPS) and the contexts (kept
//! when the apps are the same). A different list of files (one created, deleted or renamed) is
//! built from scratch.
//!
//! The shape is everything another file's resolution and roles read of a file; a keystroke in a
//! method body, a field's value or a comment leaves it as it was. When the shape moved but the
//! models and apps did not, [`Rebuilt::dependents`] follows the names that now resolve
//! differently to the files that read them.

use super::facts::{FileFacts, Import};
use super::project::{Project, SourceFile, collect_strings, file_defs, import_keys};
use std::sync::Arc;

/// A project rebuilt from the previous one.
pub struct Rebuilt {
    pub project: Project,
    /// Indices of the files whose facts are new.
    pub changed: Vec<usize>,
    /// No changed file's shape moved and the apps and contexts are as they were: what one file's
    /// roles read of the others is unchanged, so only the changed files' roles are computed again.
    pub same_shape: bool,
    /// The models (by name and by class) and the apps and contexts are as they were, though a
    /// changed file's shape may have moved: only the [`Rebuilt::dependents`] read anything new.
    pub same_models_and_apps: bool,
    /// When a shape moved: the files whose name resolution can pass through a name a changed
    /// file binds differently (the changed files among them), sorted; empty otherwise.
    pub dependents: Vec<usize>,
}

/// The files whose name resolution (and so roles and class bases) may read something new after
/// an edit of the files `changed` of `prev`, now `p`: the changed files, and
/// every file whose name resolution can pass through a name a changed file now binds
/// differently, directly or through re-exports, before or after the edit; sorted.
///
/// A file reads another through the names it imports from it (`from m import a as b`), a
/// star import, or a module it binds (`import m`, `from parent import m`, or a package
/// above `m`, whose attributes reach `m`). It then binds, in its turn, the names it took
/// that way, so only those names travel further: an edit of `from x import A` in
/// `order/models.py` reaches the files importing `A` from it, and the files binding the
/// module, not every importer of `Order` and the importers of those.
fn dependents_of(prev: &Project, p: &Project, changed: &[usize]) -> Vec<usize> {
    let n = p.files.len();
    let mut reach: Vec<Option<Names>> = vec![None; n];
    let mut work: Vec<usize> = Vec::new();
    for &i in changed {
        let names = changed_bindings(prev, p, i);
        if !names.is_empty() {
            work.push(i);
        }
        reach[i] = Some(names);
    }
    // What a package above a module gives its binders does not depend on the names (the
    // package, and the next segment of a star import): each (package, next segment) once.
    let mut packages_done: std::collections::HashSet<(&str, &str)> = Default::default();
    while let Some(i) = work.pop() {
        let Some(names) = reach[i].clone() else {
            continue;
        };
        let module = p.files[i].facts.module.as_str();
        let mut at = module;
        loop {
            let next = module[at.len()..]
                .strip_prefix('.')
                .and_then(|rest| rest.split('.').next())
                .unwrap_or("");
            // Only the files as they are now: a changed file's old imports differ from its new
            // ones only by names among its own changed bindings, and it is a dependent already.
            if at.len() == module.len() || packages_done.insert((at, next)) {
                for &j in p.importers.get(at).into_iter().flatten() {
                    let took = taken(&p.files[j].facts, module, at, &names);
                    if took.is_empty() {
                        continue;
                    }
                    let grew = match &mut reach[j] {
                        slot @ None => {
                            *slot = Some(took);
                            true
                        }
                        Some(had) => had.absorb(took),
                    };
                    if grew {
                        work.push(j);
                    }
                }
            }
            match at.rsplit_once('.') {
                Some((parent, _)) => at = parent,
                None => break,
            }
        }
    }
    (0..n).filter(|&i| reach[i].is_some()).collect()
}

/// Names a file binds differently: all of them, or these.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Names {
    All,
    Some(std::collections::BTreeSet<String>),
}

impl Names {
    fn contains(&self, name: &str) -> bool {
        match self {
            Names::All => true,
            Names::Some(set) => set.contains(name),
        }
    }

    fn is_empty(&self) -> bool {
        matches!(self, Names::Some(set) if set.is_empty())
    }

    /// Adds `other`; did anything new come in?
    fn absorb(&mut self, other: Names) -> bool {
        match (&mut *self, other) {
            (Names::All, _) => false,
            (_, Names::All) => {
                *self = Names::All;
                true
            }
            (Names::Some(set), Names::Some(more)) => {
                let before = set.len();
                set.extend(more);
                set.len() != before
            }
        }
    }
}

/// The names file `i` binds differently in `p` than in `prev`: its own definitions that moved,
/// and the names bound by imports that differ position by position (a shifted list counts
/// every shifted import); all names when `__all__` or a star import moved.
fn changed_bindings(prev: &Project, p: &Project, i: usize) -> Names {
    let (old, new) = (&prev.files[i].facts, &p.files[i].facts);
    if old.all != new.all {
        return Names::All;
    }
    let mut names = std::collections::BTreeSet::new();
    let (a, b) = (&prev.defs[i], &p.defs[i]);
    for (k, d) in a.iter() {
        if b.get(k) != Some(d) {
            names.insert(k.clone());
        }
    }
    for (k, d) in b.iter() {
        if a.get(k) != Some(d) {
            names.insert(k.clone());
        }
    }
    let longest = old.imports.len().max(new.imports.len());
    for k in 0..longest {
        let (x, y) = (old.imports.get(k), new.imports.get(k));
        if let (Some(x), Some(y)) = (x, y)
            && same_import(x, y)
        {
            continue;
        }
        for imp in [x, y].into_iter().flatten() {
            if imp.names.iter().any(|(n, _)| n == "*") {
                return Names::All;
            }
            bound_names(imp, &mut names);
        }
    }
    Names::Some(names)
}

/// The names one import statement binds.
fn bound_names(imp: &Import, out: &mut std::collections::BTreeSet<String>) {
    if imp.is_from {
        for (n, alias) in &imp.names {
            out.insert(alias.as_ref().unwrap_or(n).to_string());
        }
    } else {
        match imp.names.first() {
            Some((_, Some(alias))) => {
                out.insert(alias.to_string());
            }
            _ => {
                out.insert(imp.module.split('.').next().unwrap_or("").to_string());
            }
        }
    }
}

/// What file `f` takes, by the names it binds, of `module`'s changed `names`, reading it at
/// `at` (the module itself, or a package above it): a name imported from it, a star import
/// (all of `names`), or a module bound on the way to it (the name bound).
fn taken(f: &FileFacts, module: &str, at: &str, names: &Names) -> Names {
    let mut out = std::collections::BTreeSet::new();
    for imp in &f.imports {
        if !imp.is_from {
            // `import a.b.c` is keyed by its module: reached at that level.
            if imp.module == at
                || (at.len() == module.len()
                    && imp.module.starts_with(module)
                    && imp.module[module.len()..].starts_with('.'))
            {
                bound_names(imp, &mut out);
            }
            continue;
        }
        for (n, alias) in &imp.names {
            let bound = || alias.clone().unwrap_or_else(|| n.clone());
            if imp.module == module && at.len() == module.len() {
                if n == "*" {
                    match names {
                        Names::All => return Names::All,
                        Names::Some(set) => out.extend(set.iter().cloned()),
                    }
                } else if names.contains(n) {
                    out.insert(bound().to_string());
                }
            } else if at
                .strip_prefix(imp.module.as_str())
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(|last| last == n)
            {
                // `from parent import m`: the module (or a package above it) bound as `m`.
                out.insert(bound().to_string());
            } else if n == "*" && imp.module == at && at.len() < module.len() {
                // A star import of a package above: its submodule names come with it.
                let next = module[at.len() + 1..].split('.').next().unwrap_or("");
                out.insert(next.to_string());
            }
        }
    }
    Names::Some(out)
}

impl Project {
    /// The project of `files` (the same paths, in the same order, as `prev`'s), reusing what
    /// `prev` derived wherever the changed files cannot have changed it; the files back when the
    /// list of paths differs (build from scratch then). `prev`'s config is kept.
    pub fn rebuild(
        prev: &Project,
        files: Vec<Arc<SourceFile>>,
    ) -> Result<Rebuilt, Vec<Arc<SourceFile>>> {
        if files.len() != prev.files.len()
            || files.iter().zip(&prev.files).any(|(a, b)| {
                !Arc::ptr_eq(a, b)
                    && (a.path != b.path
                        || a.facts.module != b.facts.module
                        || a.facts.is_package != b.facts.is_package)
            })
        {
            return Err(files);
        }
        let changed: Vec<usize> = (0..files.len())
            .filter(|&i| !Arc::ptr_eq(&files[i], &prev.files[i]))
            .collect();
        let same_shape = changed
            .iter()
            .all(|&i| same_shape(&prev.files[i], &files[i]));
        let same_imports = changed
            .iter()
            .all(|&i| same_imports(&prev.files[i].facts, &files[i].facts));
        let mut p = Project {
            files,
            config: prev.config.clone(),
            by_module: prev.by_module.clone(),
            defs: prev.defs.clone(),
            ..Project::default()
        };
        for &i in &changed {
            p.defs[i] = Arc::new(file_defs(i, &p.files[i]));
        }
        p.importers = if same_imports {
            prev.importers.clone()
        } else {
            let mut map = (*prev.importers).clone();
            for &i in &changed {
                import_keys(&prev.files[i].facts, |key| {
                    if let Some(v) = map.get_mut(key) {
                        v.retain(|&j| j != i);
                        if v.is_empty() {
                            map.remove(key);
                        }
                    }
                });
                import_keys(&p.files[i].facts, |key| match map.get_mut(key) {
                    Some(v) => {
                        if let Err(at) = v.binary_search(&i) {
                            v.insert(at, i);
                        }
                    }
                    None => {
                        map.insert(key.to_string(), vec![i]);
                    }
                });
            }
            Arc::new(map)
        };
        let mut dependents = Vec::new();
        let same_models = if same_shape {
            p.models = prev.models.clone();
            p.model_set = prev.model_set.clone();
            p.bases = prev.bases.clone();
            true
        } else {
            // Bases are resolved again only where a changed binding reaches.
            dependents = dependents_of(prev, &p, &changed);
            p.bases = prev.bases.clone();
            for &fi in &dependents {
                p.bases[fi] = Arc::new(p.file_bases(fi));
            }
            p.models_from_bases();
            p.model_set == prev.model_set && p.models == prev.models
        };
        let same_app_marks = changed
            .iter()
            .all(|&i| same_app_inputs(&prev.files[i], &p.files[i]));
        if same_app_marks {
            p.apps = prev.apps.clone();
            p.app_index = prev.app_index.clone();
            p.project_packages = prev.project_packages.clone();
        } else {
            p.find_apps();
        }
        let same_apps = p.apps == prev.apps && p.project_packages == prev.project_packages;
        if same_apps {
            p.contexts = prev.contexts.clone();
            p.context_index = prev.context_index.clone();
        } else {
            p.find_contexts();
        }
        Ok(Rebuilt {
            project: p,
            changed,
            same_shape: same_shape && same_apps,
            same_models_and_apps: same_models && same_apps,
            dependents,
        })
    }
}

/// Do two versions of a file look the same from other files (see the module comment)?
fn same_shape(a: &SourceFile, b: &SourceFile) -> bool {
    let (x, y) = (&a.facts, &b.facts);
    a.is_test == b.is_test
        && a.is_migration == b.is_migration
        && a.is_domain == b.is_domain
        && x.all == y.all
        && same_imports(x, y)
        && x.functions.len() == y.functions.len()
        && x.functions
            .iter()
            .zip(&y.functions)
            .all(|(f, g)| f.name == g.name)
        && x.classes.len() == y.classes.len()
        && x.classes
            .iter()
            .zip(&y.classes)
            .all(|(c, d)| c.name == d.name && c.bases == d.bases)
        && x.assigns.len() == y.assigns.len()
        && x.assigns
            .iter()
            .zip(&y.assigns)
            .all(|(s, t)| s.name == t.name)
}

/// The same inputs to the apps: what [`Project::find_apps`] reads of a file beside its path and
/// module (the same for both): the test and migration flags, each class's name and bases (as
/// written: an AppConfig is found by its bases' text) and its `name` and `label` (what an
/// AppConfig says of its app), and the INSTALLED_APPS assignments. Imports, functions and the
/// other assignments do not count.
fn same_app_inputs(a: &SourceFile, b: &SourceFile) -> bool {
    let (x, y) = (&a.facts, &b.facts);
    let installed = |f: &FileFacts| {
        let mut out = Vec::new();
        let mut n = 0;
        for a in f.assigns.iter().filter(|a| a.name == "INSTALLED_APPS") {
            n += 1;
            collect_strings(&a.value, &mut out);
        }
        (n, out)
    };
    let marks = |c: &super::facts::Class| {
        let field = |name: &str| {
            c.fields
                .iter()
                .find(|a| a.name == name)
                .map(|a| a.value.as_str().map(str::to_string))
        };
        (field("name"), field("label"))
    };
    a.is_test == b.is_test
        && a.is_migration == b.is_migration
        && x.classes.len() == y.classes.len()
        && x.classes
            .iter()
            .zip(&y.classes)
            .all(|(c, d)| c.name == d.name && c.bases == d.bases && marks(c) == marks(d))
        && installed(x) == installed(y)
}

/// The same imports, spans aside.
fn same_imports(x: &FileFacts, y: &FileFacts) -> bool {
    x.imports.len() == y.imports.len()
        && x.imports
            .iter()
            .zip(&y.imports)
            .all(|(a, b)| same_import(a, b))
}

/// The same import statement, its span aside.
fn same_import(a: &Import, b: &Import) -> bool {
    a.module == b.module
        && a.names == b.names
        && a.is_from == b.is_from
        && a.type_checking == b.type_checking
        && a.nested == b.nested
}
