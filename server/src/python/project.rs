//! Project facts: what one file cannot know alone. Django apps, bounded contexts, models by
//! name, settings chains, and who imports whom. Built from every file's [`FileFacts`], cheaply,
//! after the per-file walks.

use super::facts::{Class, FileFacts, Import, Value};
use super::names::Def;
use crate::config::Config;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

pub use super::source::SourceFile;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct App {
    pub label: String,
    /// Dotted package.
    pub package: String,
    /// The AppConfig class: (file index, class index).
    pub config_class: Option<(usize, usize)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    pub name: String,
    /// Declared in the config (not inferred).
    pub declared: bool,
    /// App labels.
    pub apps: Vec<String>,
    /// The package that holds the whole context, when it is inferred from a layered package
    /// (`core/cart_management/{domain,application,infrastructure}`): every module below it
    /// belongs to the context, in an app or not.
    pub package: Option<String>,
}

/// A model class: (file index, class index).
pub type ClassRef = (usize, usize);

/// Project-wide maps are behind `Arc`s: an edit that leaves them as they were (see
/// [`Project::rebuild`]) shares them with the previous project instead of copying them.
#[derive(Debug, Default)]
pub struct Project {
    pub files: Vec<Arc<SourceFile>>,
    pub by_module: Arc<HashMap<String, usize>>,
    /// Each file's top-level definitions by name (the last one wins, a class over a function),
    /// so that name resolution never scans a file.
    pub(crate) defs: Vec<Arc<HashMap<String, Def>>>,
    pub apps: Vec<App>,
    pub contexts: Vec<Context>,
    /// Model classes by simple name.
    pub models: Arc<HashMap<String, Vec<ClassRef>>>,
    pub(crate) model_set: Arc<HashSet<ClassRef>>,
    /// Apps by dotted package, for prefix lookups.
    pub(crate) app_index: HashMap<String, usize>,
    /// The first context holding each app, by app label.
    pub(crate) context_index: HashMap<String, usize>,
    /// The project (settings) packages: never an app, never a context.
    pub project_packages: HashSet<String>,
    /// Modules that import each module (by importer file index).
    pub importers: Arc<HashMap<String, Vec<usize>>>,
    /// Each file's classes' bases, resolved (what [`Project::find_models`] starts from; an edit
    /// resolves again only the files a changed binding reaches).
    pub(crate) bases: Vec<Arc<Vec<Vec<Base>>>>,
    /// [`Project::relation_ends`], on first use.
    pub(crate) relation_ends: std::sync::OnceLock<Vec<super::relations::RelationEnds>>,
    pub config: Config,
}

/// What a base says about its class being a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Base {
    /// A project class: a model base if it is a model.
    Class(ClassRef),
    /// Decided without the fixpoint.
    Known(bool),
}

const MODEL_BASES: &[&str] = &[
    "Model",
    "AbstractUser",
    "AbstractBaseUser",
    "TenantMixin",
    "DomainMixin",
    "TimeStampedModel",
    "PolymorphicModel",
    "MPTTModel",
];

impl Project {
    pub fn build(files: Vec<Arc<SourceFile>>, config: Config) -> Project {
        let mut p = Project {
            files,
            config,
            ..Project::default()
        };
        let mut by_module = HashMap::with_capacity_and_hasher(p.files.len(), Default::default());
        for (i, f) in p.files.iter().enumerate() {
            by_module.insert(f.facts.module.to_string(), i);
        }
        p.by_module = Arc::new(by_module);
        use rayon::prelude::*;
        p.defs = p
            .files
            .par_iter()
            .enumerate()
            .map(|(i, f)| Arc::new(file_defs(i, f)))
            .collect();
        // Who imports whom reads the files alone: built beside the models, apps and contexts.
        let files = p.files.clone();
        let (by_name, ()) = rayon::join(
            || importers(&files),
            || {
                p.find_models();
                p.find_apps();
                p.find_contexts();
            },
        );
        p.importers = Arc::new(by_name);
        p
    }

    /// Models: classes whose bases reach a model base, to a fixpoint. Each base is resolved once
    /// (what it denotes does not depend on which classes are models yet).
    pub(crate) fn find_models(&mut self) {
        use rayon::prelude::*;
        // Each file's bases resolve independently (a read of the definitions and imports).
        self.bases = (0..self.files.len())
            .into_par_iter()
            .map(|fi| Arc::new(self.file_bases(fi)))
            .collect();
        self.models_from_bases();
    }

    /// The resolved bases of each class of file `fi`.
    pub(crate) fn file_bases(&self, fi: usize) -> Vec<Vec<Base>> {
        self.files[fi]
            .facts
            .classes
            .iter()
            .map(|c| c.bases.iter().map(|b| self.base_kind(fi, b)).collect())
            .collect()
    }

    /// The project class base `k` of class `r` denotes: the base resolved once for the models
    /// (the same as `resolve_class` of the base's text in the class's file).
    pub fn base_class(&self, r: ClassRef, k: usize) -> Option<ClassRef> {
        match self.bases.get(r.0).and_then(|b| b.get(r.1)?.get(k)) {
            Some(Base::Class(parent)) => Some(*parent),
            Some(Base::Known(_)) => None,
            None => {
                let b = self.class(r).bases.get(k)?;
                self.resolve_class(r.0, b)
            }
        }
    }

    /// The models, from [`Project::bases`].
    pub(crate) fn models_from_bases(&mut self) {
        let mut found: HashSet<ClassRef> = HashSet::default();
        loop {
            let before = found.len();
            for (fi, classes) in self.bases.iter().enumerate() {
                for (ci, bases) in classes.iter().enumerate() {
                    let r = (fi, ci);
                    if found.contains(&r) {
                        continue;
                    }
                    let is_model = bases.iter().any(|b| match b {
                        Base::Class(parent) => found.contains(parent),
                        Base::Known(k) => *k,
                    });
                    if is_model {
                        found.insert(r);
                    }
                }
            }
            if found.len() == before {
                break;
            }
        }
        let mut sorted: Vec<ClassRef> = found.into_iter().collect();
        sorted.sort_unstable();
        let mut models: HashMap<String, Vec<ClassRef>> = HashMap::default();
        let mut model_set = HashSet::with_capacity_and_hasher(sorted.len(), Default::default());
        for r in sorted {
            let c = &self.files[r.0].facts.classes[r.1];
            models.entry(c.name.to_string()).or_default().push(r);
            model_set.insert(r);
        }
        self.models = Arc::new(models);
        self.model_set = Arc::new(model_set);
    }

    /// What base `b` of a class in file `fi` says about it being a model.
    fn base_kind(&self, fi: usize, b: &str) -> Base {
        let f = &self.files[fi];
        match self.resolve(fi, b) {
            Some(Def::Class(r)) => Base::Class(r),
            Some(_) => Base::Known(false),
            // Not defined in the project: Django's (or a known library's) model base.
            // Bound by an assignment here (`Model = declarative_base()`): not Django's.
            None if f
                .facts
                .assigns
                .iter()
                .any(|a| a.name == b.split('.').next().unwrap_or(b)) =>
            {
                Base::Known(false)
            }
            None => {
                let last = b.rsplit('.').next().unwrap_or(b);
                let from_models = self.import_source(fi, b).is_some_and(|m| {
                    m.rsplit('.').next() == Some("models") && !m.starts_with("django.db")
                }) && !["Mixin", "Field", "Manager", "QuerySet", "Base"]
                    .iter()
                    .any(|s| last.ends_with(s));
                Base::Known(
                    from_models
                        || (MODEL_BASES.contains(&last)
                            && (b == last
                                || b.starts_with("models.")
                                || b.contains("db.models")
                                || last != "Model")),
                )
            }
        }
    }

    pub fn is_model(&self, r: ClassRef) -> bool {
        self.model_set.contains(&r)
    }

    pub fn class(&self, r: ClassRef) -> &Class {
        &self.files[r.0].facts.classes[r.1]
    }

    /// The index of the file at `path`: a file of the very same bytes first (the open buffer's
    /// own path is stored as given), else one that is the same path ([`same_path`]).
    pub fn file_index(&self, path: &Path) -> Option<usize> {
        let bytes = path.as_os_str().as_encoded_bytes();
        self.files
            .iter()
            .position(|f| f.path.as_os_str().as_encoded_bytes() == bytes)
            .or_else(|| self.files.iter().position(|f| same_path(&f.path, path)))
    }

    /// Django apps: the project's INSTALLED_APPS entries (across settings chains and `+=`),
    /// AppConfig classes, and packages with a models module beside the other marks of an app.
    /// The project (settings) package is not an app unless INSTALLED_APPS names it.
    pub(crate) fn find_apps(&mut self) {
        let mut apps: BTreeMap<String, App> = BTreeMap::new();
        let mut installed: Vec<String> = Vec::new();
        for f in &self.files {
            if f.is_test || f.is_migration {
                continue;
            }
            let mut settings = false;
            for a in f
                .facts
                .assigns
                .iter()
                .filter(|a| a.name == "INSTALLED_APPS")
            {
                settings = true;
                collect_strings(&a.value, &mut installed);
            }
            if settings {
                let mut package = parent_module(&f.facts.module);
                if f.facts.is_package {
                    package = &f.facts.module;
                }
                while package.rsplit('.').next() == Some("settings") {
                    package = parent_module(package);
                }
                if !package.is_empty() {
                    self.project_packages.insert(package.to_string());
                }
            }
        }
        let app_configs: Vec<(usize, usize)> = self
            .files
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.is_test && !f.is_migration)
            .flat_map(|(fi, f)| {
                // An AppConfig names its app (`name = ...`) or sits in the app's `apps` module;
                // one with neither is a base for others (`PluginConfig`).
                let in_apps = f.facts.module.rsplit('.').next() == Some("apps");
                f.facts
                    .classes
                    .iter()
                    .enumerate()
                    .filter_map(move |(ci, c)| {
                        (c.bases
                            .iter()
                            .any(|b| b == "AppConfig" || b.ends_with(".AppConfig"))
                            && (in_apps || c.fields.iter().any(|a| a.name == "name")))
                        .then_some((fi, ci))
                    })
            })
            .collect();
        let config_app = |p: &Project, (fi, ci): (usize, usize)| -> App {
            let c = p.class((fi, ci));
            let parent = parent_module(&p.files[fi].facts.module);
            let package = c
                .fields
                .iter()
                .find(|a| a.name == "name")
                .and_then(|a| a.value.as_str().map(str::to_string))
                .unwrap_or_else(|| parent.to_string());
            let label = c
                .fields
                .iter()
                .find(|a| a.name == "label")
                .and_then(|a| a.value.as_str().map(str::to_string))
                .unwrap_or_else(|| package.rsplit('.').next().unwrap_or(&package).to_string());
            App {
                label,
                package,
                config_class: Some((fi, ci)),
            }
        };
        for &r in &app_configs {
            let app = config_app(self, r);
            apps.insert(app.package.clone(), app);
        }
        let modules: HashSet<&str> = self.files.iter().map(|f| f.facts.module.as_str()).collect();
        // Every package some module lies below (`a` and `a.b` for `a.b.c`), built on first use.
        let mut below: Option<HashSet<&str>> = None;
        let mut has_module_below = |package: &str| {
            modules.contains(package)
                || below
                    .get_or_insert_with(|| {
                        let mut set = HashSet::default();
                        for m in self.by_module.keys() {
                            let mut p = m.as_str();
                            while let Some((parent, _)) = p.rsplit_once('.') {
                                if !set.insert(parent) {
                                    break;
                                }
                                p = parent;
                            }
                        }
                        set
                    })
                    .contains(package)
        };
        // Packages with a migration module below their `migrations` package.
        let mut migrated: HashSet<&str> = HashSet::default();
        for g in self.files.iter().filter(|g| g.is_migration) {
            let m = g.facts.module.as_str();
            let mut from = 0;
            while let Some(i) = m[from..].find(".migrations.") {
                migrated.insert(&m[..from + i]);
                from += i + 1;
            }
        }
        for entry in &installed {
            if apps.contains_key(entry.as_str()) {
                continue;
            }
            // `pkg.apps.PkgConfig`: an AppConfig named by its dotted path.
            let (module, class) = entry.rsplit_once('.').unwrap_or(("", entry));
            if let Some(&fi) = self.by_module.get(module)
                && let Some(ci) = self.files[fi]
                    .facts
                    .classes
                    .iter()
                    .position(|c| c.name == class)
            {
                let app = config_app(self, (fi, ci));
                apps.insert(app.package.clone(), app);
                continue;
            }
            if has_module_below(entry) {
                let label = entry.rsplit('.').next().unwrap_or(entry).to_string();
                apps.insert(
                    entry.clone(),
                    App {
                        label,
                        package: entry.clone(),
                        config_class: None,
                    },
                );
            }
        }
        let mut key = String::new();
        for f in &self.files {
            let module = &f.facts.module;
            let leaf = module.rsplit('.').next().unwrap_or(module);
            if leaf == "models" && !f.is_test && !f.is_migration {
                let package = parent_module(module).to_string();
                if self.project_packages.contains(&package) {
                    continue;
                }
                // A models module makes an app only beside the other marks of one.
                let marked = ["apps", "admin", "migrations", "views"].iter().any(|m| {
                    key.clear();
                    key.push_str(&package);
                    key.push('.');
                    key.push_str(m);
                    modules.contains(key.as_str())
                }) || migrated.contains(package.as_str());
                if !marked {
                    continue;
                }
                if package.is_empty() || app_holding(&apps, &package) {
                    continue;
                }
                let label = package.rsplit('.').next().unwrap_or(&package).to_string();
                apps.insert(
                    package.clone(),
                    App {
                        label,
                        package,
                        config_class: None,
                    },
                );
            }
        }
        self.apps = apps.into_values().collect();
        self.app_index = self
            .apps
            .iter()
            .enumerate()
            .map(|(i, a)| (a.package.clone(), i))
            .collect();
    }

    /// The first context holding each app, by label (what [`Project::context_of`] finds).
    pub(crate) fn index_contexts(&mut self) {
        self.context_index.clear();
        for (i, c) in self.contexts.iter().enumerate() {
            for label in &c.apps {
                self.context_index.entry(label.clone()).or_insert(i);
            }
        }
    }

    /// The app a module belongs to: the app with the longest package that is a prefix of it.
    pub fn app_of(&self, module: &str) -> Option<&App> {
        let mut m = module;
        loop {
            if let Some(&i) = self.app_index.get(m) {
                return Some(&self.apps[i]);
            }
            m = m.rsplit_once('.')?.0;
        }
    }

    /// Bounded contexts: declared in the config, or inferred. An inferred context is either a
    /// layered package below the top level (`core/cart_management` with `domain/`,
    /// `application/`, `infrastructure/`, ...) holding its apps, or one app on its own. A whole
    /// product (a top-level package, the settings package) is never one context.
    pub(crate) fn find_contexts(&mut self) {
        let mut contexts: Vec<Context> = Vec::new();
        for (name, entries) in &self.config.contexts {
            let apps = self
                .apps
                .iter()
                .filter(|a| {
                    entries
                        .iter()
                        .any(|e| *e == a.label || is_within(&a.package, e))
                })
                .map(|a| a.label.clone())
                .collect();
            contexts.push(Context {
                name: name.clone(),
                declared: true,
                apps,
                package: None,
            });
        }
        let declared: HashSet<String> = contexts.iter().flat_map(|c| c.apps.clone()).collect();
        // Packages with two or more architectural layers as direct children.
        let mut layers: HashMap<&str, HashSet<&str>> = HashMap::default();
        for m in self.by_module.keys() {
            let mut parent = m.as_str();
            while let Some((p, leaf)) = parent.rsplit_once('.') {
                if LAYERS.contains(&leaf) {
                    layers.entry(p).or_default().insert(leaf);
                }
                parent = p;
            }
        }
        let layered = |package: &str| -> bool {
            package.contains('.')
                && !self.project_packages.contains(package)
                && layers.get(package).is_some_and(|l| l.len() >= 2)
        };
        let mut by_package: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut alone: Vec<String> = Vec::new();
        for a in &self.apps {
            if declared.contains(&a.label) {
                continue;
            }
            let mut holder = None;
            let mut p = parent_module(&a.package);
            while !p.is_empty() {
                if layered(p) {
                    holder = Some(p.to_string());
                }
                p = parent_module(p);
            }
            match holder {
                Some(h) => by_package.entry(h).or_default().push(a.label.clone()),
                None => alone.push(a.label.clone()),
            }
        }
        for (package, labels) in by_package {
            let name = package.rsplit('.').next().unwrap_or(&package).to_string();
            contexts.push(Context {
                name,
                declared: false,
                apps: labels,
                package: Some(package),
            });
        }
        for l in alone {
            contexts.push(Context {
                name: l.clone(),
                declared: false,
                apps: vec![l],
                package: None,
            });
        }
        self.contexts = contexts;
        self.index_contexts();
    }

    /// The context a module belongs to: through its app, a declared dotted path, or the layered
    /// package that holds an inferred context.
    pub fn context_of(&self, module: &str) -> Option<&Context> {
        if let Some(app) = self.app_of(module) {
            return self
                .context_index
                .get(&app.label)
                .map(|&i| &self.contexts[i]);
        }
        for (name, entries) in &self.config.contexts {
            if entries
                .iter()
                .any(|e| e.contains('.') && is_within(module, e))
            {
                return self.contexts.iter().find(|c| &c.name == name);
            }
        }
        self.contexts
            .iter()
            .find(|c| c.package.as_deref().is_some_and(|p| is_within(module, p)))
    }

    pub fn file_by_module(&self, module: &str) -> Option<&SourceFile> {
        self.by_module.get(module).map(|&i| &*self.files[i])
    }

    /// The model a name denotes in `file` (defined here or imported, through aliases and
    /// re-exports). A string reference (`"billing.Invoice"`, `"Invoice"`) names a model by app
    /// label or by a name that is unique in the project.
    pub fn resolve_model(&self, file: usize, name: &str) -> Option<ClassRef> {
        if let Some(r) = self.resolve_class(file, name) {
            return self.is_model(r).then_some(r);
        }
        None
    }

    /// The settings chain of a module: itself and what it star-imports, recursively.
    pub fn settings_chain(&self, file: usize) -> Vec<usize> {
        let mut out = vec![file];
        let mut i = 0;
        while i < out.len() {
            let f = &self.files[out[i]];
            for imp in &f.facts.imports {
                if imp.names.iter().any(|(n, _)| n == "*")
                    && let Some(&t) = self.by_module.get(imp.module.as_str())
                    && !out.contains(&t)
                {
                    out.push(t);
                }
            }
            i += 1;
        }
        out
    }

    /// A module-level setting, looked up along the chain.
    pub fn setting(&self, file: usize, name: &str) -> Option<(usize, &Value)> {
        for fi in self.settings_chain(file) {
            if let Some(a) = self.files[fi]
                .facts
                .assigns
                .iter()
                .rev()
                .find(|a| a.name == name && !a.augmented)
            {
                return Some((fi, &a.value));
            }
        }
        None
    }

    pub fn is_settings_module(&self, file: usize) -> bool {
        let f = &self.files[file];
        f.facts.assigns.iter().any(|a| {
            matches!(
                a.name.as_str(),
                "INSTALLED_APPS" | "DATABASES" | "CACHES" | "DATABASE_ROUTERS" | "MIDDLEWARE"
            )
        })
    }

    pub fn relative_path<'a>(&self, path: &'a Path) -> &'a Path {
        path
    }

    /// Imports of a file that are not under TYPE_CHECKING.
    pub fn runtime_imports(&self, file: usize) -> impl Iterator<Item = &Import> {
        self.files[file]
            .facts
            .imports
            .iter()
            .filter(|i| !i.type_checking)
    }
}

/// Architectural layers whose presence marks a package as a bounded context of its own.
const LAYERS: &[&str] = &[
    "domain",
    "application",
    "infrastructure",
    "presentation",
    "adapters",
];

/// Is `module` the package `package` or below it?
pub fn is_within(module: &str, package: &str) -> bool {
    module == package
        || (module.len() > package.len()
            && module.starts_with(package)
            && module.as_bytes()[package.len()] == b'.')
}

/// Every string literal of a settings value: strings, and lists, tuples and sets of them.
pub(crate) fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Str(s, _) => out.push(s.to_string()),
        Value::List(items, _) => items.iter().for_each(|i| collect_strings(i, out)),
        _ => {}
    }
}

/// Is `package` an app's package or below one?
fn app_holding(apps: &BTreeMap<String, App>, package: &str) -> bool {
    let mut p = package;
    loop {
        if apps.contains_key(p) {
            return true;
        }
        match p.rsplit_once('.') {
            Some((parent, _)) => p = parent,
            None => return false,
        }
    }
}

/// A file's top-level definitions by name: the last one wins, a class over a function.
pub(crate) fn file_defs(i: usize, f: &SourceFile) -> HashMap<String, Def> {
    let mut defs = HashMap::default();
    for (fi, func) in f.facts.functions.iter().enumerate() {
        defs.insert(func.name.to_string(), Def::Function(i, fi));
    }
    for (ci, c) in f.facts.classes.iter().enumerate() {
        defs.insert(c.name.to_string(), Def::Class((i, ci)));
    }
    defs
}

/// Who imports whom: each imported module and each `module.name` imported from it, with the
/// importing files (sorted, once each). One key string is built per new key, none per import.
pub(crate) fn importers(files: &[Arc<SourceFile>]) -> HashMap<String, Vec<usize>> {
    let mut map: HashMap<String, Vec<usize>> = HashMap::default();
    for (i, f) in files.iter().enumerate() {
        import_keys(&f.facts, |key| match map.get_mut(key) {
            Some(v) => {
                if v.last() != Some(&i) {
                    v.push(i);
                }
            }
            None => {
                map.insert(key.to_string(), vec![i]);
            }
        });
    }
    map
}

/// The keys of [`importers`] a file's imports fall under (a key may come more than once).
pub(crate) fn import_keys(facts: &FileFacts, mut each: impl FnMut(&str)) {
    let mut key = String::new();
    for imp in &facts.imports {
        each(&imp.module);
        for (name, _) in &imp.names {
            if !name.is_empty() && name != "*" {
                key.clear();
                key.push_str(&imp.module);
                key.push('.');
                key.push_str(name);
                each(&key);
            }
        }
    }
}

/// The same file: by the bytes first (a memcmp), by the last name next, by components (which
/// parse both paths, and cost a hover 0.5 ms over a 4,000-file workspace) only when those agree.
pub fn same_path(a: &Path, b: &Path) -> bool {
    let (x, y) = (
        a.as_os_str().as_encoded_bytes(),
        b.as_os_str().as_encoded_bytes(),
    );
    if x == y {
        return true;
    }
    fn last(p: &[u8]) -> Option<&[u8]> {
        p.rsplit(|&c| c == b'/' || c == std::path::MAIN_SEPARATOR as u8)
            .find(|s| !s.is_empty())
    }
    last(x) == last(y) && a == b
}

pub fn parent_module(module: &str) -> &str {
    module.rsplit_once('.').map_or("", |(p, _)| p)
}
