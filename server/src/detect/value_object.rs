//! ## value-object
//!
//! **What it recognises.** An immutable value in the domain: a frozen dataclass of a domain module
//! that another domain class or a repository uses in an annotation.
//!
//! **Why it matters.** Money, addresses and quantities compare by value and validate once.
//!
//! **Example.**
//! ```python
//! @dataclass(frozen=True)
//! class Money:
//!     amount: Decimal
//!     currency: str
//! ```

use super::aggregate::annotation_users;
use super::{Cx, Finding};

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    if !cx.file.is_domain {
        return;
    }
    for c in &cx.file.facts.classes {
        let frozen = c
            .decorators
            .iter()
            .any(|d| d.starts_with("dataclass") && d.contains("frozen=True"))
            || c.decorators
                .iter()
                .any(|d| d.contains("attr") && d.contains("frozen"));
        if !frozen {
            continue;
        }
        // A value describes an entity: it is held in another domain class's field. A frozen
        // record a repository loads or stores as its own row is not one.
        let users = annotation_users(cx, &c.name, true);
        let stored = annotation_users(cx, &c.name, false);
        let held = super::aggregate::held_by(cx, &c.name);
        if !stored.is_empty() {
            continue;
        }
        if let (Some(user), true) = (users.first(), held) {
            out.push(cx.finding(
                "value-object",
                cx.class_span(c),
                format!(
                    "`{}` is a value object: a frozen dataclass used by `{user}`",
                    c.name
                ),
                vec!["frozen dataclass".into(), format!("used by `{user}`")],
            ));
        }
    }
}
