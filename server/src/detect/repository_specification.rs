//! ## repository-specification
//!
//! **What it recognises.** A specification: a class with `is_satisfied_by` (its own or its
//! base's), or with a `to_q`-style method returning a `Q(...)` expression that is combined
//! (`__and__`/`__or__`/`__invert__`) or that a repository calls. Any method returning `Q` is not
//! enough: filter backends, GraphQL filter types and models build `Q` too.
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
use crate::python::facts::Class;

/// Methods that hand a specification to the ORM.
const TO_Q: &[&str] = &["to_q", "as_q", "to_query", "as_query", "to_filter", "q"];

fn combinators(class: &Class) -> bool {
    class
        .methods
        .iter()
        .any(|m| matches!(m.name.as_str(), "__and__" | "__or__" | "__invert__"))
}

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    let project = cx.project;
    for (ci, class) in cx.file.facts.classes.iter().enumerate() {
        if super::is_excluded_class(class) || project.is_model((cx.index, ci)) {
            continue;
        }
        let satisfied = class
            .methods
            .iter()
            .find(|m| m.name == "is_satisfied_by")
            .or_else(|| {
                // Inherited from a specification base of the project.
                class.bases.iter().find_map(|b| {
                    let r = project.resolve_class(cx.index, b)?;
                    project
                        .class(r)
                        .methods
                        .iter()
                        .find(|m| m.name == "is_satisfied_by")
                })
            });
        let to_q = class
            .methods
            .iter()
            .find(|m| m.returns_q && TO_Q.contains(&m.name.as_str()));
        // `to_q` counts with combinators, or when a repository hands it to the ORM.
        let consumed = to_q.is_some_and(|m| {
            combinators(class)
                || class.bases.iter().any(|b| {
                    project
                        .resolve_class(cx.index, b)
                        .is_some_and(|r| combinators(project.class(r)))
                })
                || cx.roles.repositories.iter().any(|&r| {
                    project.class(r).methods.iter().any(|rm| {
                        rm.calls
                            .iter()
                            .any(|c| c.method() == m.name && c.func.contains('.'))
                    })
                })
        });
        let evidence = match (satisfied, to_q) {
            (Some(_), _) => "defines `is_satisfied_by`".to_string(),
            (None, Some(m)) if consumed => {
                format!(
                    "`{}` compiles it to a `Q` expression a repository filters with",
                    m.name
                )
            }
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
