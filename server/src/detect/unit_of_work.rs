//! ## unit-of-work
//!
//! **What it recognises.** A class that is a context manager (`__enter__`/`__exit__`, or the
//! async pair) and has both `commit` and `rollback`: one business transaction around repositories.
//!
//! **Why it matters.** Services say when work is done; the unit of work decides how it is stored.
//! A bare `transaction.atomic()` block is not one.
//!
//! **Example.**
//! ```python
//! class DjangoUnitOfWork:
//!     def __enter__(self): ...
//!     def __exit__(self, *args): ...
//!     def commit(self): ...
//!     def rollback(self): ...
//! ```

use super::{Cx, Finding};
use crate::python::facts::Class;

pub(super) fn is_unit_of_work(c: &Class) -> bool {
    let has = |n: &str| c.methods.iter().any(|m| m.name == n);
    ((has("__enter__") && has("__exit__")) || (has("__aenter__") && has("__aexit__")))
        && has("commit")
        && has("rollback")
}

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    for (ci, c) in cx.file.facts.classes.iter().enumerate() {
        if cx.roles.units_of_work.contains(&(cx.index, ci)) {
            out.push(cx.finding(
                "unit-of-work",
                cx.class_span(c),
                format!(
                    "`{}` is a unit of work: a context manager with `commit` and `rollback`",
                    c.name
                ),
                vec!["__enter__/__exit__".into(), "commit and rollback".into()],
            ));
        }
    }
}
