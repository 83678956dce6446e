//! ## service-layer
//!
//! **What it recognises.** A module-level function that takes a unit of work or a repository as
//! a parameter (by annotation) and calls it: an application service orchestrating a use case.
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

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    let project = cx.project;
    for f in &cx.file.facts.functions {
        let mut found = None;
        for p in &f.params {
            let Some(ann) = &p.annotation else { continue };
            let simple = ann.rsplit('.').next().unwrap_or(ann);
            let known = project.resolve_class(cx.index, simple).is_some_and(|r| {
                cx.roles.units_of_work.contains(&r)
                    || cx.roles.repositories.contains(&r)
                    || cx.roles.ports.contains(&r)
            });
            if !(known || simple.ends_with("UnitOfWork") || simple.ends_with("Repository")) {
                continue;
            }
            let prefix = format!("{}.", p.name);
            let used =
                f.calls.iter().any(|c| c.func.starts_with(&prefix)) || f.withs.contains(&p.name);
            if used {
                found = Some(format!("takes `{}: {ann}` and uses it", p.name));
                break;
            }
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
}
