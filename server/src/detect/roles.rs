//! `Roles`: what a class is, decided once per project and shared by several detectors (which
//! classes are repositories, ports, units of work; which foreign names a translator translates).

use super::{
    anticorruption_layer, is_excluded_class, is_port, json_field_repository, unit_of_work,
};
use crate::python::facts::Class;
use crate::python::project::{ClassRef, Project};
use std::collections::{HashMap, HashSet};

/// What a class is, decided once per project.
#[derive(Default, Debug)]
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
        let mut roles = Roles::default();
        for (fi, f) in project.files.iter().enumerate() {
            for (ci, c) in f.facts.classes.iter().enumerate() {
                let r = (fi, ci);
                if is_port(c) {
                    roles.ports.insert(r);
                }
                if project.is_model(r) || is_excluded_class(c) || f.is_test || f.is_migration {
                    continue;
                }
                let models = managers_used(project, fi, c);
                if !models.is_empty() {
                    roles.orm_users.insert(r, models);
                }
                if unit_of_work::is_unit_of_work(c) {
                    roles.units_of_work.insert(r);
                }
            }
        }
        json_field_repository::classify(project, &mut roles);
        for (&r, _) in roles.orm_users.iter() {
            roles.repositories.insert(r);
        }
        for fi in 0..project.files.len() {
            for t in anticorruption_layer::translators(project, fi) {
                if let anticorruption_layer::Source::Context(types) = &t.source {
                    for ty in types {
                        // The import binding the name, by its original name.
                        for imp in &project.files[fi].facts.imports {
                            for (n, alias) in &imp.names {
                                if alias.as_deref().unwrap_or(n) == ty {
                                    roles.translated.insert((fi, n.clone()));
                                }
                            }
                        }
                    }
                }
            }
        }
        roles
    }
}
