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
        let users = annotation_users(cx, &c.name, true);
        if let Some(user) = users.first() {
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
