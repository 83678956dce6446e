//! ## anticorruption-layer
//!
//! **What it recognises.** A translator: a module of one bounded context that imports another
//! context and builds a type of its own from the foreign object's attributes
//! (`Shipment(total=invoice.amount, ...)`). Reported at the translating function, or at its class.
//!
//! **Why it matters.** The consumer's model stays its own; a change in the provider breaks one
//! translator instead of every use. Imports of the other context inside this module are the
//! layer's job, not leaks. A module that merely re-exports the foreign model translates nothing.
//!
//! **Example.**
//! ```python
//! from billing.invoicing.models import Invoice
//! def to_shipment_cost(invoice: Invoice) -> ShipmentCost:
//!     return ShipmentCost(amount=invoice.total, currency=invoice.currency)
//! ```

use super::{Cx, Finding};
use crate::python::facts::{Function, Value};
use crate::python::project::Project;

/// Foreign modules a file imports (another context's), with the import's module name.
fn foreign_imports(project: &Project, fi: usize) -> Vec<String> {
    let file = &project.files[fi];
    let Some(mine) = project.context_of(&file.facts.module) else {
        return Vec::new();
    };
    file.facts
        .imports
        .iter()
        .filter(|i| !i.module.starts_with("django."))
        .filter(|i| {
            project
                .context_of(&i.module)
                .is_some_and(|c| c.name != mine.name)
        })
        .map(|i| i.module.clone())
        .collect()
}

/// A function that builds one of the file's own types from attributes: (class index if a method, function).
pub(super) fn translators(
    project: &Project,
    fi: usize,
) -> impl Iterator<Item = (Option<usize>, &Function)> {
    let foreign = foreign_imports(project, fi);
    let file = &project.files[fi];
    let foreign_names: Vec<String> = file
        .facts
        .imports
        .iter()
        .filter(|i| foreign.contains(&i.module))
        .flat_map(|i| {
            i.names
                .iter()
                .map(|(n, a)| a.clone().unwrap_or_else(|| n.clone()))
        })
        .collect();
    let all = file.facts.functions.iter().map(|f| (None, f)).chain(
        file.facts
            .classes
            .iter()
            .enumerate()
            .flat_map(|(ci, c)| c.methods.iter().map(move |m| (Some(ci), m))),
    );
    let active = !foreign.is_empty() && !file.is_test && !file.is_migration;
    all.filter(move |(_, f)| {
        active
            && f.calls.iter().any(|call| {
                let callee = call.func.as_str();
                let own_type = callee.chars().next().is_some_and(char::is_uppercase)
                    && !callee.contains('.')
                    && !foreign_names.iter().any(|n| n == callee)
                    && project.resolve_model(fi, callee).is_none();
                let reads_attributes = call
                    .kwargs
                    .iter()
                    .filter(|(_, v)| matches!(v, Value::Name(n, _) if n.contains('.')))
                    .count()
                    >= 1;
                own_type && reads_attributes
            })
    })
}

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    if !cx.roles.acl_files.contains(&cx.index) {
        return;
    }
    let foreign = foreign_imports(cx.project, cx.index);
    let mut seen_classes = Vec::new();
    for (class, f) in translators(cx.project, cx.index) {
        let (span, name) = match class {
            Some(ci) => {
                if seen_classes.contains(&ci) {
                    continue;
                }
                seen_classes.push(ci);
                let c = &cx.file.facts.classes[ci];
                (cx.class_span(c), c.name.clone())
            }
            None => (cx.def_span(f), f.name.clone()),
        };
        out.push(cx.finding(
            "anticorruption-layer",
            span,
            format!("`{name}` translates another bounded context's model (from `{}`) into this context's own types: an anticorruption layer", foreign.join("`, `")),
            vec![format!("imports {}", foreign.join(", ")), format!("`{}` builds its own type from foreign attributes", f.name)],
        ));
    }
}
