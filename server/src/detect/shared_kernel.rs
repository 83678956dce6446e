//! ## shared-kernel
//!
//! **What it recognises.** A package that belongs to no app and that modules of two or more
//! bounded contexts import: the classes they share.
//!
//! **Why it matters.** A small shared model saves translation, but every change needs the
//! agreement of all the contexts that use it. A `core/` package used by one context is not one.
//!
//! **Example.** `kernel/money.py` defines `Money`, imported by billing and shipping.

use super::{Cx, Finding};
use std::collections::BTreeSet;

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    let project = cx.project;
    let file = cx.file;
    let module = &file.facts.module;
    if file.is_test
        || file.is_migration
        || project.app_of(module).is_some()
        || project.context_of(module).is_some()
    {
        return;
    }
    for (ci, c) in file.facts.classes.iter().enumerate() {
        if project.is_model((cx.index, ci)) {
            continue;
        }
        // A shared *model*: value types, not framework plumbing (exceptions, helpers).
        let value_type = c
            .decorators
            .iter()
            .any(|d| d.starts_with("dataclass") || d.contains("attr"))
            || c.bases.iter().any(|b| {
                matches!(
                    b.rsplit('.').next(),
                    Some(
                        "NamedTuple"
                            | "TypedDict"
                            | "Enum"
                            | "StrEnum"
                            | "IntEnum"
                            | "BaseModel"
                            | "Struct"
                    )
                )
            });
        if !value_type {
            continue;
        }
        let mut contexts = BTreeSet::new();
        for key in [format!("{module}.{}", c.name)] {
            for &i in project.importers.get(&key).into_iter().flatten() {
                let importer = &project.files[i];
                if importer.is_test || importer.is_migration {
                    continue;
                }
                if let Some(ctx) = project.context_of(&importer.facts.module) {
                    contexts.insert(ctx.name.clone());
                }
            }
        }
        if contexts.len() >= 2 {
            let list: Vec<String> = contexts.into_iter().collect();
            out.push(
                cx.finding(
                    "shared-kernel",
                    cx.class_span(c),
                    format!(
                        "`{}` belongs to a shared kernel: the contexts {} use it",
                        c.name,
                        list.join(", ")
                    ),
                    list.iter()
                        .map(|l| format!("used by context `{l}`"))
                        .collect(),
                ),
            );
        }
    }
}
