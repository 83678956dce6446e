//! ## context-database
//!
//! **What it recognises.** A database router that sends a bounded context's apps to their own
//! database alias: `db_for_write` or `allow_migrate` compares an app label with literals and
//! answers with an alias. The `DATABASE_ROUTERS` entry that installs it is reported too.
//!
//! **Why it matters.** The highest degree of data separation Django offers out of the box.
//!
//! **Example.**
//! ```python
//! class BillingRouter:
//!     def db_for_write(self, model, **hints):
//!         if model._meta.app_label in {"invoicing", "payments"}:
//!             return "billing"
//! ```
//! A router that routes by anything else (replicas, test routers answering one alias) is not it.

use super::{Cx, Finding};
use crate::python::facts::{Class, Value};

/// Evidence that a class routes app labels to an alias.
pub(super) fn routes_apps(class: &Class) -> Option<String> {
    for m in &class.methods {
        if !matches!(
            m.name.as_str(),
            "db_for_write" | "allow_migrate" | "db_for_read"
        ) {
            continue;
        }
        let compares_label = m.comparisons.iter().find(|c| {
            c.contains("app_label")
                && (c.contains('"')
                    || c.contains('\'')
                    || c.contains("self.")
                    || c.contains("_labels")
                    || c.contains("APPS"))
        });
        let answers_alias = m.returns_string
            || m.comparisons
                .iter()
                .any(|c| c.starts_with("db==") || c.contains("db=="));
        if let Some(cmp) = compares_label
            && answers_alias
            && m.name != "db_for_read"
        {
            return Some(format!("`{}` routes on `{cmp}`", m.name));
        }
    }
    None
}

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    let project = cx.project;
    for class in &cx.file.facts.classes {
        if let Some(evidence) = routes_apps(class) {
            out.push(cx.finding(
                "context-database",
                cx.class_span(class),
                format!(
                    "`{}` is a router that gives bounded contexts their own database: {evidence}",
                    class.name
                ),
                vec![evidence],
            ));
        }
    }
    // DATABASE_ROUTERS entries naming such a router.
    for assign in cx
        .file
        .facts
        .assigns
        .iter()
        .filter(|a| a.name == "DATABASE_ROUTERS")
    {
        for item in assign.value.items() {
            let Value::Str(path, span) = item else {
                continue;
            };
            let Some((module, class_name)) = path.rsplit_once('.') else {
                continue;
            };
            let Some(target) = project.file_by_module(module) else {
                continue;
            };
            let Some(class) = target.facts.classes.iter().find(|c| c.name == class_name) else {
                continue;
            };
            if let Some(evidence) = routes_apps(class) {
                out.push(cx.finding(
                    "context-database",
                    cx.line_span(span),
                    format!("installs the router `{class_name}`, which gives bounded contexts their own database"),
                    vec![format!("DATABASE_ROUTERS entry `{path}`"), evidence],
                ));
            }
        }
    }
}
