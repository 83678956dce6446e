//! ## single-app-bounded-context and multi-app-bounded-context
//!
//! **What it recognises.** Django apps as bounded contexts, at their `AppConfig` class. A context
//! comes from the config (`contexts = { billing = ["invoicing", "payments"] }`) or is inferred:
//! apps under one parent package that is not itself an app form one context.
//! * single-app: the app is its context's only app, and the context is declared or the app has a
//!   domain layer (a domain module or a `repositories` module);
//! * multi-app: the context has two or more apps.
//!
//! **Why it matters.** The app boundary is where a model's language is allowed to change.
//!
//! **Example.** `billing/invoicing/apps.py` and `billing/payments/apps.py`: one context, two apps.

use super::{Cx, Finding};

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    let project = cx.project;
    for app in &project.apps {
        let Some((fi, ci)) = app.config_class else {
            continue;
        };
        if fi != cx.index {
            continue;
        }
        let class = &cx.file.facts.classes[ci];
        let Some(context) = project.context_of(&app.package) else {
            continue;
        };
        if context.apps.len() >= 2 {
            let how = if context.declared {
                "declared in the config"
            } else {
                "inferred from the package layout"
            };
            out.push(cx.finding(
                "multi-app-bounded-context",
                cx.class_span(class),
                format!(
                    "app `{}` is one of {} apps of the bounded context `{}` ({how})",
                    app.label,
                    context.apps.len(),
                    context.name
                ),
                vec![format!(
                    "context `{}`: {}",
                    context.name,
                    context.apps.join(", ")
                )],
            ));
        } else {
            // The app's own domain layer, or its context package's layers.
            let home = context.package.as_deref().unwrap_or(&app.package);
            let prefix = format!("{home}.");
            let domain_layer = project.files.iter().find(|f| {
                f.facts.module.starts_with(&prefix)
                    && (f.is_domain || f.facts.module.split('.').any(|s| s == "repositories"))
            });
            if context.declared || domain_layer.is_some() || context.package.is_some() {
                let why = match (domain_layer, &context.package) {
                    _ if context.declared => "the config declares it".to_string(),
                    (_, Some(p)) => format!("it is the only app of the layered package `{p}`"),
                    (Some(f), None) => format!("it has a domain layer (`{}`)", f.facts.module),
                    (None, None) => "the config declares it".to_string(),
                };
                out.push(cx.finding(
                    "single-app-bounded-context",
                    cx.class_span(class),
                    format!(
                        "app `{}` is the bounded context `{}` on its own: {why}",
                        app.label, context.name
                    ),
                    vec![why],
                ));
            }
        }
    }
}
