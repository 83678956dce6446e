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

use super::aggregate::{annotation_users, names_word, repository_like};
use super::{Cx, Finding};

/// Write verbs of a repository: a class such a method takes is stored as a row of its own.
const WRITES: &[&str] = &[
    "add", "save", "store", "put", "persist", "create", "insert", "update", "upsert", "register",
];

/// Whether a repository loads or stores class `name` as its own row: one of its methods returns
/// it, or a write method (`add`, `save`, ...) takes it. A lookup key (`get(isbn: Isbn)`) is a
/// value the repository is asked with, not a row it keeps.
fn stored_by_repository(cx: &Cx, name: &str) -> bool {
    let mentions = |ann: &str| names_word(ann, name);
    cx.project.files.iter().enumerate().any(|(fi, f)| {
        f.facts.classes.iter().enumerate().any(|(ci, c)| {
            repository_like(cx, (fi, ci), &c.name)
                && c.name != name
                && c.methods.iter().any(|m| {
                    let verb = m
                        .name
                        .trim_start_matches('_')
                        .split('_')
                        .next()
                        .unwrap_or("");
                    m.returns.as_deref().is_some_and(mentions)
                        || (WRITES.contains(&verb)
                            && m.params
                                .iter()
                                .any(|p| p.annotation.as_deref().is_some_and(mentions)))
                })
        })
    })
}

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
        let users = annotation_users(cx, &c.name);
        let held = super::aggregate::held_by(cx, &c.name);
        if stored_by_repository(cx, &c.name) {
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
