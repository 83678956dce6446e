//! ## cross-context-import (smell)
//!
//! **What it flags.** A module of one bounded context importing from the models of another
//! context's app (`from billing.invoicing.models import Invoice` in `shipping`, or the models
//! module itself: `from billing.invoicing import models`, `from billing.invoicing.models import *`).
//! Imported names are resolved to their definitions (aliases and re-exports followed). What counts:
//! a model of another context wherever it is imported from (abstract bases too: reusing another
//! context's model base is coupling, if a weak one), and anything else an app's models module
//! offers (helpers, choices) except model field classes. A `models` module outside every app
//! (`oscar.models.fields`, a base package's `db/models`) and the settings package belong to no
//! context, so importing from them is no leak; the settings package's own imports of a context's
//! models are. A warning when both contexts are declared in the config; a hint when contexts are
//! inferred (each app its own).
//!
//! **Never flagged.** Imports under `if TYPE_CHECKING:`, in tests and migrations, from
//! `django.contrib`, and the foreign types an anticorruption-layer translator translates (the
//! other imports of that file are still checked).
//!
//! **Use instead.** Translate in an `anticorruption-layer`, or call the other context's
//! `open-host-service`.

use super::{Cx, Finding, Related};
use crate::catalog::Severity;
use crate::python::names::Def;
use crate::python::project::{ClassRef, Project};

/// What one imported name brings across: a model class, or a models module.
enum Leak {
    Model(ClassRef),
    Module(usize),
}

/// Is module file `m` an app's models module (`<app>.models`, or a module of its `models`
/// package)? A `models` module elsewhere (`oscar.models.fields`, `base.db.models`) is not.
fn is_models_module(project: &Project, m: usize) -> bool {
    let module = &project.files[m].facts.module;
    project.app_of(module).is_some_and(|app| {
        module.len() > app.package.len()
            && crate::python::project::is_within(module, &format!("{}.models", app.package))
    })
}

/// A model field type (`AutoSlugField(SlugField)`): a building block, not another context's data.
fn is_field_class(project: &Project, r: ClassRef) -> bool {
    let c = project.class(r);
    c.name.ends_with("Field")
        || c.bases
            .iter()
            .any(|b| b.rsplit('.').next().unwrap_or(b).ends_with("Field"))
}

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    let project = cx.project;
    let file = cx.file;
    // The project (settings) package belongs to no context, so its imports of a context's
    // models reach into that context too.
    let project_package = project
        .project_packages
        .iter()
        .find(|p| crate::python::project::is_within(&file.facts.module, p));
    // Only the importer's context name, and whether the config declares it.
    let (mine_name, mine_declared) = match (project.context_of(&file.facts.module), project_package)
    {
        (Some(c), _) => (c.name.as_str(), c.declared),
        (None, Some(p)) => (p.as_str(), false),
        (None, None) => return,
    };
    let context_of_file = |fi: usize| project.context_of(&project.files[fi].facts.module);
    for imp in &file.facts.imports {
        if imp.type_checking || imp.module.starts_with("django.") {
            continue;
        }
        let mut leaks: Vec<(String, Leak)> = Vec::new();
        if imp.is_from {
            // `from other.models import *` brings the whole models module.
            if imp.names.iter().any(|(n, _)| n == "*")
                && let Some(m) = project.module_index(&imp.module)
                && is_models_module(project, m)
            {
                leaks.push(("*".to_string(), Leak::Module(m)));
            }
            for (name, _) in imp.names.iter().filter(|(n, _)| !n.is_empty() && n != "*") {
                if cx.roles.translated.contains(&(cx.index, name.to_string())) {
                    continue;
                }
                let target = match project.module_index(&format!("{}.{name}", imp.module)) {
                    Some(m) => Some(Def::Module(m)),
                    None => project
                        .module_index(&imp.module)
                        .and_then(|m| project.resolve_export(m, name)),
                };
                // Anything an app's models module offers, but model field classes; a model
                // wherever it is imported from.
                let from_models = project
                    .module_index(&imp.module)
                    .is_some_and(|m| is_models_module(project, m));
                match target {
                    Some(Def::Class(r)) if project.is_model(r) => {
                        leaks.push((name.to_string(), Leak::Model(r)))
                    }
                    Some(Def::Module(m)) if is_models_module(project, m) => {
                        leaks.push((name.to_string(), Leak::Module(m)))
                    }
                    Some(Def::Class(r)) if from_models && !is_field_class(project, r) => {
                        leaks.push((name.to_string(), Leak::Model(r)))
                    }
                    Some(Def::Function(fi, _)) if from_models => {
                        leaks.push((name.to_string(), Leak::Module(fi)))
                    }
                    _ => {}
                }
            }
        } else if let Some(m) = project.module_index(&imp.module)
            && is_models_module(project, m)
        {
            leaks.push((imp.module.to_string(), Leak::Module(m)));
        }
        // One finding per import statement and foreign context.
        let mut theirs_name: Option<String> = None;
        let mut names = Vec::new();
        let mut related = Vec::new();
        let mut models_module = String::new();
        for (name, leak) in &leaks {
            let fi = match leak {
                Leak::Model(r) => r.0,
                Leak::Module(m) => *m,
            };
            let Some(theirs) = context_of_file(fi) else {
                continue;
            };
            if theirs.name == mine_name || theirs_name.as_deref().is_some_and(|t| t != theirs.name)
            {
                continue;
            }
            theirs_name = Some(theirs.name.clone());
            names.push(format!("`{name}`"));
            let target = &project.files[fi];
            if models_module.is_empty() {
                models_module = target.facts.module.to_string();
            }
            if let Leak::Model(r) = leak {
                related.push(Related {
                    path: target.path.clone(),
                    span: project.class(*r).header.clone(),
                    message: format!("`{name}` is defined here"),
                });
            }
        }
        let Some(theirs) = theirs_name.and_then(|t| project.contexts.iter().find(|c| c.name == t))
        else {
            continue;
        };
        let app = project
            .app_of(&models_module)
            .map_or(models_module.clone(), |a| a.label.clone());
        let declared = mine_declared && theirs.declared;
        let mut f = cx.finding(
            "cross-context-import",
            cx.line_span(&imp.span),
            format!(
                "`{}` (context `{}`) imports {} from the models of `{app}` (context `{}`): translate through an anticorruption layer or call its open host service",
                file.facts.module,
                mine_name,
                names.join(", "),
                theirs.name
            ),
            vec![
                format!("import from `{models_module}`"),
                format!("context `{}` -> context `{}`", mine_name, theirs.name),
            ],
        );
        if !declared {
            f.severity = Severity::Hint;
        }
        f.related = related;
        out.push(f);
    }
}
