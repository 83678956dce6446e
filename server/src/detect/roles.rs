//! `Roles`: what a class is, decided once per project and shared by several detectors (which
//! classes are repositories, ports, units of work; which foreign names a translator translates).

use super::{
    anticorruption_layer, is_excluded_class, is_port, json_field_repository, unit_of_work,
};
use crate::python::facts::Class;
use crate::python::project::{ClassRef, Project};
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;

/// What a class is, decided once per project: from each file's own part (kept, so an edit
/// computes only the changed files' parts again: [`Roles::update`]), then the JSON field
/// repositories across them.
#[derive(Default, Debug, PartialEq)]
pub struct Roles {
    /// Classes that reach a model's manager, with the models they reach.
    pub orm_users: HashMap<ClassRef, Vec<String>>,
    /// Repositories (Django ORM, JSON field, or any class using a model's manager as a repository).
    pub repositories: HashSet<ClassRef>,
    /// Abstract repository ports.
    pub ports: HashSet<ClassRef>,
    /// JSON field repository models and the repositories that round-trip them.
    pub json_models: HashSet<ClassRef>,
    pub json_repositories: HashSet<ClassRef>,
    pub units_of_work: HashSet<ClassRef>,
    /// Foreign types that anticorruption-layer translators translate: (file, imported name).
    /// Importing them there is the layer's job, not a leak.
    pub translated: HashSet<(usize, String)>,
    /// App label -> database alias through the installed routers (empty without them), read
    /// once per analysis: every models file's relations are checked against it.
    pub app_databases: std::collections::HashMap<String, String>,
    /// Each file's part, `None` when it has none.
    per_file: Vec<Option<Arc<FileRoles>>>,
}

/// What one file contributes to the roles: its classes' roles and the names its translators
/// translate. It reads the other files only through resolution, models and contexts.
#[derive(Default, Debug, PartialEq)]
struct FileRoles {
    ports: Vec<usize>,
    orm_users: Vec<(usize, Vec<String>)>,
    units_of_work: Vec<usize>,
    translated: Vec<String>,
    /// Classes that serialise and deserialise what they store, with the models they store it
    /// in (a JSON field repository when the model has a JSON payload: decided in `assemble`,
    /// as the model's fields may change without this file's roles being computed again).
    json_candidates: Vec<(usize, ClassRef)>,
}

/// Models whose manager a class reaches (`Invoice.objects`, `self.model.objects`).
fn managers_used(project: &Project, fi: usize, class: &Class) -> Vec<String> {
    let mut models = Vec::new();
    let own_model = class
        .fields
        .iter()
        .find(|a| a.name == "model")
        .and_then(|a| a.value.text().map(str::to_string))
        .filter(|m| !m.is_empty());
    for m in &class.methods {
        let chains = m
            .attributes
            .iter()
            .map(|(a, _)| a.as_str())
            .chain(m.calls.iter().map(|c| c.func.as_str()));
        for chain in chains {
            for manager in [".objects", "._default_manager", "._base_manager"] {
                if let Some(i) = chain.find(manager) {
                    let owner = &chain[..i];
                    let owner = if owner == "self.model"
                        || owner == "cls.model"
                        || owner == "self._model"
                    {
                        match &own_model {
                            Some(m) => m.as_str(),
                            // A generic repository declaring `model: type[models.Model]` for subclasses.
                            None if class.fields.iter().any(|a| {
                                a.name == "model"
                                    && a.annotation.as_deref().is_some_and(|t| t.contains("Model"))
                            }) =>
                            {
                                if !models.iter().any(|m: &String| m == "self.model") {
                                    models.push("self.model".to_string());
                                }
                                continue;
                            }
                            None => continue,
                        }
                    } else {
                        owner
                    };
                    if project.resolve_model(fi, owner).is_some()
                        && !models.iter().any(|m: &String| m == owner)
                    {
                        models.push(owner.to_string());
                    }
                }
            }
        }
    }
    // Building a model instance to save it (`models.Milestone(...).save()`) reaches it too.
    for m in class
        .methods
        .iter()
        .filter(|m| m.calls.iter().any(|c| c.method() == "save"))
    {
        for call in &m.calls {
            let callee = call.func.as_str();
            if callee
                .rsplit('.')
                .next()
                .is_some_and(|l| l.starts_with(char::is_uppercase))
                && project.resolve_model(fi, callee).is_some()
                && !models.iter().any(|x: &String| x == callee)
            {
                models.push(callee.to_string());
            }
        }
    }
    models
}

impl Roles {
    pub fn compute(project: &Project) -> Roles {
        let per_file = (0..project.files.len())
            .into_par_iter()
            .map(|fi| file_roles(project, fi))
            .collect();
        Roles::assemble(project, per_file)
    }

    /// The roles of `project` after an edit, computing again the parts of the files `changed`:
    /// the other files' parts must read nothing that moved since `prev`'s project (the edited
    /// files when no shape moved, `Rebuilt::same_shape`; with them, every file whose resolution
    /// passes through one, `Rebuilt::dependents`).
    pub fn update(prev: &Roles, project: &Project, changed: &[usize]) -> Roles {
        let mut per_file = prev.per_file.clone();
        per_file.resize(project.files.len(), None);
        let parts: Vec<(usize, Option<Arc<FileRoles>>)> = if changed.len() > 8 {
            changed
                .par_iter()
                .map(|&fi| (fi, file_roles(project, fi)))
                .collect()
        } else {
            changed
                .iter()
                .map(|&fi| (fi, file_roles(project, fi)))
                .collect()
        };
        for (fi, part) in parts {
            per_file[fi] = part;
        }
        Roles::assemble(project, per_file)
    }

    fn assemble(project: &Project, per_file: Vec<Option<Arc<FileRoles>>>) -> Roles {
        let mut roles = Roles::default();
        for (fi, part) in per_file.iter().enumerate() {
            let Some(part) = part else { continue };
            roles.ports.extend(part.ports.iter().map(|&ci| (fi, ci)));
            for (ci, models) in &part.orm_users {
                roles.orm_users.insert((fi, *ci), models.clone());
            }
            roles
                .units_of_work
                .extend(part.units_of_work.iter().map(|&ci| (fi, ci)));
            for n in &part.translated {
                roles.translated.insert((fi, n.clone()));
            }
            for &(ci, mr) in &part.json_candidates {
                if json_field_repository::json_payload(project.class(mr)).is_some() {
                    roles.json_models.insert(mr);
                    roles.json_repositories.insert((fi, ci));
                }
            }
        }
        roles.app_databases = crate::python::routers::installed_app_databases(project);
        for (&r, _) in roles.orm_users.iter() {
            roles.repositories.insert(r);
        }
        roles.per_file = per_file;
        roles
    }
}

/// One file's part of the roles.
fn file_roles(project: &Project, fi: usize) -> Option<Arc<FileRoles>> {
    let f = &project.files[fi];
    let mut part = FileRoles::default();
    for (ci, c) in f.facts.classes.iter().enumerate() {
        if is_port(c) {
            part.ports.push(ci);
        }
        if project.is_model((fi, ci)) || is_excluded_class(c) || f.is_test || f.is_migration {
            continue;
        }
        let models = managers_used(project, fi, c);
        if !models.is_empty() {
            for mr in json_field_repository::stored_models(project, fi, c, &models) {
                part.json_candidates.push((ci, mr));
            }
            part.orm_users.push((ci, models));
        }
        if unit_of_work::is_unit_of_work(c) {
            part.units_of_work.push(ci);
        }
    }
    for t in anticorruption_layer::translators(project, fi) {
        if let anticorruption_layer::Source::Context(types) = &t.source {
            for ty in types {
                // The import binding the name, by its original name.
                for imp in &f.facts.imports {
                    for (n, alias) in &imp.names {
                        if alias.as_deref().unwrap_or(n) == ty {
                            part.translated.push(n.to_string());
                        }
                    }
                }
            }
        }
    }
    (part != FileRoles::default()).then(|| Arc::new(part))
}
