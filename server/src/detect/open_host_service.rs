//! ## open-host-service
//!
//! **What it recognises.** A bounded context's published interface: public functions or classes
//! of a module (not its models, not tests) that other contexts import, and that hand out DTOs or
//! primitives, never model instances or querysets. A function needs a return annotation that
//! names no model and no queryset; a class needs public methods with such annotations (an
//! interface such as `ICartACL.fetch_cart() -> CartDTO`). The DTOs themselves are its published
//! language, not the service. With contexts inferred one per app, only a module that presents
//! itself as an interface (`services`, `selectors`, `api`, `interfaces`, ...) counts; contexts
//! declared in the config or held by a layered package need no such name.
//!
//! **Why it matters.** Consumers depend on a protocol the provider keeps stable, not on its tables.
//!
//! **Example.** `shipping/services.py` imports `billing.invoicing.services.invoice_summary`.

use super::{Cx, Finding};

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    let project = cx.project;
    let file = cx.file;
    let module = &file.facts.module;
    if file.is_test
        || file.is_migration
        || module.rsplit('.').next() == Some("models")
        || module.split('.').any(|s| s == "models")
    {
        return;
    }
    let Some(mine) = project.context_of(module) else {
        return;
    };
    // With inferred contexts only a module that presents itself as an interface counts.
    let interface = module.split('.').any(|s| {
        matches!(
            s,
            "services"
                | "selectors"
                | "api"
                | "public"
                | "interface"
                | "interfaces"
                | "facade"
                | "facades"
        )
    });
    if !mine.declared && mine.package.is_none() && !interface {
        return;
    }
    // A return annotation that hands out no model and no queryset.
    let publishes = |ann: Option<&str>| -> bool {
        let Some(ann) = ann else { return false };
        let ann = ann.trim_matches(['"', '\'']);
        !ann.is_empty()
            && !ann.contains("QuerySet")
            && !ann.contains("Manager")
            && !super::annotation_names(ann).any(|w| project.resolve_model(cx.index, w).is_some())
    };
    let consumers = |name: &str| -> Vec<String> {
        let key = format!("{module}.{name}");
        project
            .importers
            .get(&key)
            .into_iter()
            .flatten()
            .map(|&i| &project.files[i])
            .filter(|f| !f.is_test && !f.is_migration)
            .filter(|f| {
                project
                    .context_of(&f.facts.module)
                    .is_some_and(|c| c.name != mine.name)
            })
            .map(|f| f.facts.module.to_string())
            .collect()
    };
    let public = |name: &str| !name.starts_with('_');
    for f in &file.facts.functions {
        let users = consumers(&f.name);
        if public(&f.name) && !users.is_empty() && publishes(f.returns.as_deref()) {
            out.push(cx.finding(
                "open-host-service",
                cx.def_span(f),
                format!(
                    "`{}` is part of the `{}` context's open host service: used by {}",
                    f.name,
                    mine.name,
                    users.join(", ")
                ),
                users.iter().map(|u| format!("imported by `{u}`")).collect(),
            ));
        }
    }
    for (ci, c) in file.facts.classes.iter().enumerate() {
        if project.is_model((cx.index, ci)) {
            continue;
        }
        let methods: Vec<_> = c
            .methods
            .iter()
            .filter(|m| public(&m.name) && !m.name.starts_with("__"))
            .collect();
        if methods.is_empty() || !methods.iter().all(|m| publishes(m.returns.as_deref())) {
            continue;
        }
        let users = consumers(&c.name);
        if public(&c.name) && !users.is_empty() {
            out.push(cx.finding(
                "open-host-service",
                cx.class_span(c),
                format!(
                    "`{}` is part of the `{}` context's open host service: used by {}",
                    c.name,
                    mine.name,
                    users.join(", ")
                ),
                users.iter().map(|u| format!("imported by `{u}`")).collect(),
            ));
        }
    }
}
