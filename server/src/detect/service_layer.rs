//! ## service-layer
//!
//! **What it recognises.** Public application code that orchestrates repositories, a unit of
//! work or the ORM for a use case:
//! * a module-level function that takes a unit of work, a repository or a repository port (by
//!   annotation, or by a parameter named `*_repository`, `*_repo`, `*_port`, `uow`) and calls it;
//! * a class whose constructor takes such dependencies and whose public methods call them
//!   (an application service or use-case interactor), reported once at its `class` line;
//! * a public function of a `services`/`selectors`/`use_cases` module that queries the ORM
//!   (`Invoice.objects...`) or runs a unit of work.
//!
//! Private helpers (`_name`), repositories and ports themselves, views and tests are not.
//!
//! **Why it matters.** Views stay thin, use cases are testable with fakes.
//!
//! **Example.**
//! ```python
//! def pay_invoice(number: str, uow: UnitOfWork) -> None:
//!     with uow:
//!         uow.invoices.get(number).pay()
//!         uow.commit()
//! ```
//! A `services.py` that only wraps `transaction.atomic` is not one.

use super::{Cx, Finding};
use crate::python::facts::{Function, Param};

/// Modules whose public functions are the application's service layer.
const SERVICE_MODULES: &[&str] = &[
    "services",
    "service",
    "selectors",
    "use_cases",
    "usecases",
    "interactors",
];

/// Is `p` a repository, port or unit-of-work dependency? Returns how it was seen.
fn dependency(cx: &Cx, p: &Param) -> Option<String> {
    let name = p.name.as_str();
    if let Some(ann) = &p.annotation {
        let ann = ann.trim_matches(['"', '\'']);
        let simple = ann.rsplit('.').next().unwrap_or(ann);
        let named = ["Repository", "UnitOfWork", "Port", "Repo"]
            .iter()
            .any(|s| simple.ends_with(s));
        // Resolving is the costly part: only a CapWords annotation can name a port or a UoW.
        let known = !named
            && simple.starts_with(char::is_uppercase)
            && (!cx.roles.units_of_work.is_empty() || !cx.roles.ports.is_empty())
            && cx.project.resolve_class(cx.index, ann).is_some_and(|r| {
                cx.roles.units_of_work.contains(&r) || cx.roles.ports.contains(&r)
            });
        if known || named {
            return Some(format!("`{name}: {ann}`"));
        }
    }
    let by_name = name.ends_with("_repository")
        || name.ends_with("_repo")
        || name == "repository"
        || name == "repo"
        || name.ends_with("_port")
        || name == "uow"
        || name == "unit_of_work";
    by_name.then(|| format!("`{name}`"))
}

fn is_public(name: &str) -> bool {
    !name.starts_with('_')
}

/// The function calls the ORM through a model's manager.
fn queries_orm(cx: &Cx, f: &Function) -> Option<String> {
    f.attributes.iter().find_map(|(chain, _)| {
        let (owner, _) = chain.split_once(".objects")?;
        cx.project
            .resolve_model(cx.index, owner)
            .map(|_| format!("queries `{owner}.objects`"))
    })
}

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    let module = &cx.file.facts.module;
    let service_module = module.split('.').any(|s| SERVICE_MODULES.contains(&s))
        || module
            .rsplit('.')
            .next()
            .is_some_and(|l| l.ends_with("_services") || l.ends_with("_service"));
    for f in &cx.file.facts.functions {
        if !is_public(&f.name) {
            continue;
        }
        let mut found = None;
        for p in &f.params {
            let Some(how) = dependency(cx, p) else {
                continue;
            };
            let prefix = format!("{}.", p.name);
            let used =
                f.calls.iter().any(|c| c.func.starts_with(&prefix)) || f.withs.contains(&p.name);
            if used {
                found = Some(format!("takes {how} and uses it"));
                break;
            }
        }
        if found.is_none() && service_module {
            found =
                queries_orm(cx, f).map(|q| format!("is a function of a service module and {q}"));
        }
        if let Some(evidence) = found {
            out.push(cx.finding(
                "service-layer",
                cx.def_span(f),
                format!("`{}` is a service-layer function: it {evidence}", f.name),
                vec![evidence],
            ));
        }
    }
    for (ci, c) in cx.file.facts.classes.iter().enumerate() {
        let r = (cx.index, ci);
        if !is_public(&c.name)
            || super::is_excluded_class(c)
            || cx.project.is_model(r)
            || cx.roles.repositories.contains(&r)
            || cx.roles.ports.contains(&r)
            || cx.roles.units_of_work.contains(&r)
            || c.name.ends_with("Repository")
        {
            continue;
        }
        // Constructor parameters, or a dataclass's annotated fields.
        let params: Vec<Param> = match c.methods.iter().find(|m| m.name == "__init__") {
            Some(init) => init.params.clone(),
            None if c.decorators.iter().any(|d| d.contains("dataclass")) => c
                .fields
                .iter()
                .filter(|a| a.annotation.is_some())
                .map(|a| Param {
                    name: a.name.clone(),
                    annotation: a.annotation.clone(),
                })
                .collect(),
            None => continue,
        };
        let deps: Vec<String> = params.iter().filter_map(|p| dependency(cx, p)).collect();
        if deps.is_empty() {
            continue;
        }
        // A public method calls through an attribute (`self.repository.save(...)`).
        let uses = c.methods.iter().find(|m| {
            is_public(&m.name)
                && (m.calls.iter().any(|call| {
                    call.func.starts_with("self.") && call.func.matches('.').count() >= 2
                }) || m.withs.iter().any(|w| w.starts_with("self.")))
        });
        if let Some(m) = uses {
            let evidence = format!(
                "its constructor takes {} and `{}` calls them",
                deps.join(", "),
                m.name
            );
            out.push(cx.finding(
                "service-layer",
                cx.class_span(c),
                format!("`{}` is an application service: {evidence}", c.name),
                vec![evidence],
            ));
        }
    }
}
