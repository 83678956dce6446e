//! ## django-orm-repository
//!
//! **What it recognises.** A class that hides a model's manager (`Invoice.objects`) behind its
//! methods and maps rows to domain objects: it calls a `to_domain`/`from_domain` style mapper,
//! builds a class of a domain module, or implements an abstract repository port. Also a model
//! that carries `to_domain`/`from_domain` mapping methods itself.
//!
//! **Why it matters.** Application code that talks to a repository no longer knows the ORM; the
//! mapping is where the domain model and the tables are allowed to differ.
//!
//! **Example.**
//! ```python
//! class InvoiceRepository:
//!     def get(self, number: str) -> Invoice:
//!         return InvoiceModel.objects.get(number=number).to_domain()
//! ```
//! In-memory fakes and SQLAlchemy repositories are repositories, but not Django ORM ones; a model
//! named `Repository` is not the pattern; a manager or queryset is not a repository.

use super::{Cx, Finding};

const MAPPERS: &[&str] = &[
    "to_domain",
    "from_domain",
    "to_entity",
    "from_entity",
    "to_aggregate",
    "from_aggregate",
];

pub(super) fn mapping_evidence(cx: &Cx, ci: usize) -> Option<String> {
    let class = &cx.file.facts.classes[ci];
    for m in &class.methods {
        for call in &m.calls {
            let name = call.method();
            if MAPPERS.iter().any(|mapper| name.contains(mapper)) {
                return Some(format!("`{}` maps with `{}()`", m.name, name));
            }
            let callee = call.func.as_str();
            if callee.chars().next().is_some_and(char::is_uppercase)
                && !callee.contains('.')
                && let Some(target) = cx.project.resolve_class(cx.index, callee)
                && cx.project.files[target.0].is_domain
                && !cx.project.is_model(target)
            {
                return Some(format!("`{}` builds the domain object `{callee}`", m.name));
            }
            // A mapper function of its own (`_book(row) -> Book`): its return annotation names a
            // domain class.
            if !callee.contains('.')
                && let Some(crate::python::names::Def::Function(ff, fi)) =
                    cx.project.resolve(cx.index, callee)
                && let Some(ret) = cx.project.files[ff].facts.functions[fi].returns.as_deref()
                && let Some(target) =
                    super::annotation_names(ret).find_map(|w| cx.project.resolve_class(ff, w))
                && cx.project.files[target.0].is_domain
                && !cx.project.is_model(target)
            {
                let name = &cx.project.class(target).name;
                return Some(format!(
                    "`{}` maps rows with `{callee}()`, which returns the domain object `{name}`",
                    m.name
                ));
            }
        }
    }
    for base in &class.bases {
        if let Some(r) = cx.project.resolve_class(cx.index, base)
            && cx.roles.ports.contains(&r)
        {
            return Some(format!("implements the repository port `{base}`"));
        }
    }
    None
}

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    for (ci, class) in cx.file.facts.classes.iter().enumerate() {
        let r = (cx.index, ci);
        if cx.roles.json_repositories.contains(&r) {
            continue;
        }
        if let Some(models) = cx.roles.orm_users.get(&r) {
            let Some(mapping) = mapping_evidence(cx, ci) else {
                continue;
            };
            let models_list = models
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ");
            out.push(cx.finding(
                "django-orm-repository",
                cx.class_span(class),
                format!("`{}` is a Django ORM repository: it hides {models_list}.objects behind its methods and {mapping}", class.name),
                vec![format!("uses the manager of {models_list}"), mapping],
            ));
        } else if cx.roles.ports.contains(&r)
            // The first implementer in file order: `orm_users` is a hash map, and the message
            // names one of them, the same in every run.
            && let Some(implementer) = cx.roles.orm_users.keys().filter(|&&u| {
                // A Protocol is implemented structurally: every method of it defined.
                let structural = class
                    .bases
                    .iter()
                    .any(|b| b.rsplit('.').next() == Some("Protocol"))
                    && {
                        let theirs = &cx.project.class(u).methods;
                        class
                            .methods
                            .iter()
                            .filter(|m| !m.name.starts_with("__"))
                            .all(|m| theirs.iter().any(|t| t.name == m.name))
                    };
                structural
                    || cx.project.class(u).bases.iter().any(|b| {
                        cx.project.resolve_class(u.0, b) == Some(r)
                            || cx
                                .project
                                .resolve_class(u.0, b)
                                .is_some_and(|p| super::inherits_class(cx.project, p, r))
                    })
            }).min()
        {
            let name = &cx.project.class(*implementer).name;
            out.push(cx.finding(
                "django-orm-repository",
                cx.class_span(class),
                format!(
                    "`{}` is a repository port: `{name}` implements it through the Django ORM",
                    class.name
                ),
                vec![format!(
                    "abstract repository interface implemented by `{name}`"
                )],
            ));
        } else if cx.project.is_model(r) {
            let mappers: Vec<&str> = class
                .methods
                .iter()
                .map(|m| m.name.as_str())
                .filter(|n| {
                    MAPPERS
                        .iter()
                        .any(|mapper| n.trim_start_matches('_') == *mapper)
                })
                .collect();
            if !mappers.is_empty() {
                out.push(cx.finding(
                    "django-orm-repository",
                    cx.class_span(class),
                    format!("`{}` is the ORM side of a Django ORM repository: it maps to and from the domain with `{}`", class.name, mappers.join("`, `")),
                    vec![format!("model methods {}", mappers.join(", "))],
                ));
            }
        }
    }
}
