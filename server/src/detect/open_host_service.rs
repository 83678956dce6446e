//! ## open-host-service
//!
//! **What it recognises.** A bounded context's published interface: public functions or classes
//! of a module (not its models, not tests) that other contexts import. Reported at each one that
//! another context uses.
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
    let leaf = module.rsplit('.').next().unwrap_or(module);
    let interface = matches!(
        leaf,
        "services"
            | "selectors"
            | "api"
            | "public"
            | "interface"
            | "interfaces"
            | "facade"
            | "facades"
    );
    if !mine.declared && !interface {
        return;
    }
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
            .map(|f| f.facts.module.clone())
            .collect()
    };
    let public = |name: &str| !name.starts_with('_');
    for f in &file.facts.functions {
        let users = consumers(&f.name);
        if public(&f.name) && !users.is_empty() {
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
