//! ## repository-specification
//!
//! **What it recognises.** A specification: a class with `is_satisfied_by`, or with a method that
//! returns a `Q(...)` expression a repository can filter with.
//!
//! **Why it matters.** One `find(spec)` replaces a method per query and keeps the repository's
//! interface narrow. Operator methods alone (`&`, `|`, `~`) prove nothing: DRF permissions have them.
//!
//! **Example.**
//! ```python
//! class OverdueInvoices:
//!     def to_q(self) -> Q:
//!         return Q(due__lt=date.today()) & Q(paid=False)
//! ```

use super::{Cx, Finding};

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    for class in &cx.file.facts.classes {
        if super::is_excluded_class(class) {
            continue;
        }
        let satisfied = class.methods.iter().find(|m| m.name == "is_satisfied_by");
        let q = class
            .methods
            .iter()
            .find(|m| m.returns_q && !m.name.starts_with("__"));
        let evidence = match (satisfied, q) {
            (Some(_), _) => "defines `is_satisfied_by`".to_string(),
            (None, Some(m)) => format!("`{}` returns a `Q` expression", m.name),
            _ => continue,
        };
        out.push(cx.finding(
            "repository-specification",
            cx.class_span(class),
            format!("`{}` is a specification: it {evidence}", class.name),
            vec![evidence],
        ));
    }
}
