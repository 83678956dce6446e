//! A project rebuilt after an edit from the one before it.
//!
//! An edit changes a few files (a new `Arc<SourceFile>` each); the others are the same `Arc`s.
//! What a project derives from its files is kept when no changed file can change it: the module
//! index and everyone's definitions (only the changed files' are rebuilt), the models (kept when
//! no changed file's *shape* moved: module, imports, `__all__`, the names of its functions,
//! classes and assignments, and class bases), who imports whom (kept when no import moved), the
//! contexts (kept when the apps, which are always found again, are the same). A different list
//! of files (one created, deleted or renamed) is built from scratch.
//!
//! The shape is everything another file's resolution and roles read of a file; a keystroke in a
//! method body, a field's value or a comment leaves it as it was.

use super::facts::{FileFacts, Import};
use super::project::{Project, SourceFile, collect_strings, file_defs, importers};
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
    /// changed file's shape may have moved: only the files whose name resolution can pass
    /// through a changed file ([`Rebuilt::dependents`]) read anything new of it.
    pub same_models_and_apps: bool,
}

impl Rebuilt {
    /// The changed files and every file that imports one of them, directly or through
    /// re-exports (importers of importers), before or after the edit; sorted. A parent package
    /// bound as a module (`import saleor`, `from saleor import order` for `saleor.order.models`)
    /// counts as importing it; a name from the parent (`from saleor.order import OrderStatus`)
    /// does not, as it resolves through the parent's own imports.
    pub fn dependents(&self, prev: &Project) -> Vec<usize> {
        let p = &self.project;
        let mut seen = vec![false; p.files.len()];
        let mut work: Vec<usize> = self.changed.clone();
        for &i in &work {
            seen[i] = true;
        }
        while let Some(i) = work.pop() {
            let module = p.files[i].facts.module.as_str();
            let mut at = module;
            loop {
                for (map, files) in [(&p.importers, &p.files), (&prev.importers, &prev.files)] {
                    for &j in map.get(at).into_iter().flatten() {
                        if j < seen.len()
                            && !seen[j]
                            && (at.len() == module.len() || binds_as_module(&files[j].facts, at))
                        {
                            seen[j] = true;
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
        (0..seen.len()).filter(|&i| seen[i]).collect()
    }
}

/// Does the file bind the package `module` itself (`import module...`, or `from parent import
/// last`), so that its attributes reach the package's submodules?
fn binds_as_module(f: &FileFacts, module: &str) -> bool {
    f.imports.iter().any(|imp| {
        if !imp.is_from {
            return imp.module == module
                || imp
                    .module
                    .strip_prefix(module)
                    .is_some_and(|rest| rest.starts_with('.'));
        }
        module
            .strip_prefix(imp.module.as_str())
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|last| imp.names.iter().any(|(n, _)| n == last || n == "*"))
    })
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
        let same_models = if same_shape {
            p.models = prev.models.clone();
            p.model_set = prev.model_set.clone();
            true
        } else {
            p.find_models();
            p.model_set == prev.model_set && p.models == prev.models
        };
        let same_app_marks = same_shape
            && changed
                .iter()
                .all(|&i| same_app_marks(&prev.files[i].facts, &p.files[i].facts));
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
        p.importers = if same_imports {
            prev.importers.clone()
        } else {
            Arc::new(importers(&p.files))
        };
        Ok(Rebuilt {
            project: p,
            changed,
            same_shape: same_shape && same_apps,
            same_models_and_apps: same_models && same_apps,
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

/// The same app marks, given the same shape: INSTALLED_APPS entries, and each class's `name`
/// and `label` (what an AppConfig says of its app). Apps read nothing else of a file but its
/// module and shape.
fn same_app_marks(x: &FileFacts, y: &FileFacts) -> bool {
    let installed = |f: &FileFacts| {
        let mut out = Vec::new();
        for a in f.assigns.iter().filter(|a| a.name == "INSTALLED_APPS") {
            collect_strings(&a.value, &mut out);
        }
        out
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
    x.classes
        .iter()
        .zip(&y.classes)
        .all(|(c, d)| marks(c) == marks(d))
        && installed(x) == installed(y)
}

/// The same imports, spans aside.
fn same_imports(x: &FileFacts, y: &FileFacts) -> bool {
    let same = |a: &Import, b: &Import| {
        a.module == b.module
            && a.names == b.names
            && a.is_from == b.is_from
            && a.type_checking == b.type_checking
            && a.nested == b.nested
    };
    x.imports.len() == y.imports.len() && x.imports.iter().zip(&y.imports).all(|(a, b)| same(a, b))
}
