//! Project facts: what one file cannot know alone. Django apps, bounded contexts, models by
//! name, settings chains, and who imports whom. Built from every file's [`FileFacts`], cheaply,
//! after the per-file walks.

use super::facts::{Class, FileFacts, Import, Value};
use crate::config::Config;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One analysed Python file.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
    pub facts: FileFacts,
    pub is_test: bool,
    pub is_migration: bool,
    pub is_domain: bool,
    /// Matches of team-defined detection queries: (pattern id, byte span).
    pub team_hits: Vec<(String, std::ops::Range<usize>)>,
}

impl SourceFile {
    /// The module lives in a package (its folder has an `__init__.py`), so relative imports work.
    pub fn is_package_member(&self) -> bool {
        self.facts.module.contains('.') || self.facts.is_package
    }

    pub fn new(path: PathBuf, text: Arc<str>, facts: FileFacts) -> Self {
        // Judged by the module path, so that where the project itself lives does not matter.
        let segments: Vec<&str> = facts.module.split('.').collect();
        let leaf = segments.last().copied().unwrap_or("");
        let is_test = segments.iter().any(|s| *s == "tests" || *s == "test")
            || leaf == "conftest"
            || leaf.starts_with("test_")
            || leaf.ends_with("_tests")
            || leaf.ends_with("_test");
        let is_migration = segments.contains(&"migrations");
        let is_domain = facts.module.split('.').any(|s| s == "domain");
        SourceFile {
            path,
            text,
            facts,
            is_test,
            is_migration,
            is_domain,
            team_hits: Vec::new(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct App {
    pub label: String,
    /// Dotted package.
    pub package: String,
    /// The AppConfig class: (file index, class index).
    pub config_class: Option<(usize, usize)>,
}

#[derive(Clone, Debug)]
pub struct Context {
    pub name: String,
    /// Declared in the config (not inferred).
    pub declared: bool,
    /// App labels.
    pub apps: Vec<String>,
}

/// A model class: (file index, class index).
pub type ClassRef = (usize, usize);

#[derive(Debug, Default)]
pub struct Project {
    pub files: Vec<Arc<SourceFile>>,
    pub by_module: HashMap<String, usize>,
    pub apps: Vec<App>,
    pub contexts: Vec<Context>,
    /// Model classes by simple name.
    pub models: HashMap<String, Vec<ClassRef>>,
    model_set: HashSet<ClassRef>,
    /// Modules that import each module (by importer file index).
    pub importers: HashMap<String, Vec<usize>>,
    pub config: Config,
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
        for (i, f) in p.files.iter().enumerate() {
            p.by_module.insert(f.facts.module.clone(), i);
        }
        p.find_models();
        p.find_apps();
        p.find_contexts();
        for (i, f) in p.files.iter().enumerate() {
            for imp in &f.facts.imports {
                p.importers.entry(imp.module.clone()).or_default().push(i);
                for (name, _) in &imp.names {
                    if !name.is_empty() && name != "*" {
                        p.importers
                            .entry(format!("{}.{name}", imp.module))
                            .or_default()
                            .push(i);
                    }
                }
            }
        }
        for v in p.importers.values_mut() {
            v.sort_unstable();
            v.dedup();
        }
        p
    }

    fn find_models(&mut self) {
        let mut names: HashSet<String> = HashSet::new();
        loop {
            let before = names.len();
            for f in &self.files {
                for c in &f.facts.classes {
                    if names.contains(&c.name) {
                        continue;
                    }
                    if c.bases.iter().any(|b| {
                        let last = b.rsplit('.').next().unwrap_or(b);
                        (MODEL_BASES.contains(&last)
                            && (b == last
                                || b.starts_with("models.")
                                || b.contains("db.models")
                                || last != "Model"))
                            || names.contains(last)
                    }) {
                        names.insert(c.name.clone());
                    }
                }
            }
            if names.len() == before {
                break;
            }
        }
        for (fi, f) in self.files.iter().enumerate() {
            for (ci, c) in f.facts.classes.iter().enumerate() {
                if names.contains(&c.name) && c.bases.iter().any(|b| b != "object") {
                    self.models
                        .entry(c.name.clone())
                        .or_default()
                        .push((fi, ci));
                    self.model_set.insert((fi, ci));
                }
            }
        }
    }

    pub fn is_model(&self, r: ClassRef) -> bool {
        self.model_set.contains(&r)
    }

    pub fn class(&self, r: ClassRef) -> &Class {
        &self.files[r.0].facts.classes[r.1]
    }

    fn find_apps(&mut self) {
        let mut apps: BTreeMap<String, App> = BTreeMap::new();
        for (fi, f) in self.files.iter().enumerate() {
            let module = &f.facts.module;
            if f.is_test || f.is_migration {
                continue;
            }
            for (ci, c) in f.facts.classes.iter().enumerate() {
                if c.bases
                    .iter()
                    .any(|b| b == "AppConfig" || b.ends_with(".AppConfig"))
                {
                    let parent = parent_module(module);
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
                        .unwrap_or_else(|| {
                            package.rsplit('.').next().unwrap_or(&package).to_string()
                        });
                    apps.insert(
                        package.clone(),
                        App {
                            label,
                            package,
                            config_class: Some((fi, ci)),
                        },
                    );
                }
            }
        }
        let modules: HashSet<&str> = self.files.iter().map(|f| f.facts.module.as_str()).collect();
        for f in &self.files {
            let module = &f.facts.module;
            let leaf = module.rsplit('.').next().unwrap_or(module);
            if leaf == "models" && !f.is_test && !f.is_migration {
                let package = parent_module(module).to_string();
                // A models module makes an app only beside the other marks of one.
                let marked = ["apps", "admin", "migrations", "views"]
                    .iter()
                    .any(|m| modules.contains(format!("{package}.{m}").as_str()))
                    || self.files.iter().any(|g| {
                        g.is_migration
                            && g.facts
                                .module
                                .starts_with(&format!("{package}.migrations."))
                    });
                if !marked {
                    continue;
                }
                if package.is_empty()
                    || apps
                        .keys()
                        .any(|k| package == *k || package.starts_with(&format!("{k}.")))
                {
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
    }

    /// The app a module belongs to.
    pub fn app_of(&self, module: &str) -> Option<&App> {
        self.apps
            .iter()
            .filter(|a| module == a.package || module.starts_with(&format!("{}.", a.package)))
            .max_by_key(|a| a.package.len())
    }

    fn find_contexts(&mut self) {
        let mut contexts: Vec<Context> = Vec::new();
        for (name, entries) in &self.config.contexts {
            let apps = self
                .apps
                .iter()
                .filter(|a| {
                    entries.iter().any(|e| {
                        *e == a.label || *e == a.package || a.package.starts_with(&format!("{e}."))
                    })
                })
                .map(|a| a.label.clone())
                .collect();
            contexts.push(Context {
                name: name.clone(),
                declared: true,
                apps,
            });
        }
        let declared: HashSet<String> = contexts.iter().flat_map(|c| c.apps.clone()).collect();
        // Inferred: apps under one parent package that is not an app themselves.
        let mut by_parent: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for a in &self.apps {
            if declared.contains(&a.label) {
                continue;
            }
            let parent = parent_module(&a.package);
            let parent_is_app = self.apps.iter().any(|x| x.package == parent);
            // Only a top-level folder groups apps into one inferred context.
            if !parent.is_empty() && !parent.contains('.') && !parent_is_app {
                by_parent
                    .entry(parent.to_string())
                    .or_default()
                    .push(a.label.clone());
            } else {
                by_parent
                    .entry(format!("\0{}", a.label))
                    .or_default()
                    .push(a.label.clone());
            }
        }
        for (parent, labels) in by_parent {
            if labels.len() >= 2 && !parent.starts_with('\0') {
                let name = parent.rsplit('.').next().unwrap_or(&parent).to_string();
                contexts.push(Context {
                    name,
                    declared: false,
                    apps: labels,
                });
            } else {
                for l in labels {
                    contexts.push(Context {
                        name: l.clone(),
                        declared: false,
                        apps: vec![l],
                    });
                }
            }
        }
        self.contexts = contexts;
    }

    /// The context a module belongs to: through its app, or a declared dotted path.
    pub fn context_of(&self, module: &str) -> Option<&Context> {
        if let Some(app) = self.app_of(module) {
            return self.contexts.iter().find(|c| c.apps.contains(&app.label));
        }
        for (name, entries) in &self.config.contexts {
            if entries
                .iter()
                .any(|e| e.contains('.') && (module == e || module.starts_with(&format!("{e}."))))
            {
                return self.contexts.iter().find(|c| &c.name == name);
            }
        }
        None
    }

    pub fn file_by_module(&self, module: &str) -> Option<&SourceFile> {
        self.by_module.get(module).map(|&i| &*self.files[i])
    }

    /// Resolves a name imported or defined in `file` to a class of the project.
    pub fn resolve_class(&self, file: usize, name: &str) -> Option<ClassRef> {
        let f = &self.files[file];
        let simple = name.rsplit('.').next().unwrap_or(name);
        if let Some(ci) = f.facts.classes.iter().position(|c| c.name == simple) {
            return Some((file, ci));
        }
        for imp in &f.facts.imports {
            for (n, alias) in &imp.names {
                if alias.as_deref().unwrap_or(n) == simple
                    && let Some(&ti) = self.by_module.get(&imp.module)
                    && let Some(ci) = self.files[ti]
                        .facts
                        .classes
                        .iter()
                        .position(|c| &c.name == n)
                {
                    return Some((ti, ci));
                }
            }
        }
        None
    }

    /// The model a name denotes in `file` (imported, defined here, or unique in the project).
    pub fn resolve_model(&self, file: usize, name: &str) -> Option<ClassRef> {
        if let Some(r) = self.resolve_class(file, name)
            && self.is_model(r)
        {
            return Some(r);
        }
        let simple = name.rsplit('.').next().unwrap_or(name);
        match self.models.get(simple) {
            Some(list) if list.len() == 1 => Some(list[0]),
            _ => None,
        }
    }

    /// The settings chain of a module: itself and what it star-imports, recursively.
    pub fn settings_chain(&self, file: usize) -> Vec<usize> {
        let mut out = vec![file];
        let mut i = 0;
        while i < out.len() {
            let f = &self.files[out[i]];
            for imp in &f.facts.imports {
                if imp.names.iter().any(|(n, _)| n == "*")
                    && let Some(&t) = self.by_module.get(&imp.module)
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

pub fn parent_module(module: &str) -> &str {
    module.rsplit_once('.').map_or("", |(p, _)| p)
}
