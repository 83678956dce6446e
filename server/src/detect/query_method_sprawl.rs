//! ## query-method-sprawl (smell)
//!
//! **What it flags.** A repository with four or more `get_by_*` / `find_by_*` methods
//! (`get_by_natural_key`, which Django's managers need, does not count).
//!
//! **Why it matters.** Every new query widens the repository's interface and each fake.
//!
//! **Use instead.** One `find(spec)` taking a specification: `repository-specification`.

use super::{Cx, Finding};

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    for (ci, class) in cx.file.facts.classes.iter().enumerate() {
        let is_repo =
            cx.roles.repositories.contains(&(cx.index, ci)) || class.name.ends_with("Repository");
        if !is_repo || cx.project.is_model((cx.index, ci)) {
            continue;
        }
        let queries: Vec<&str> = class
            .methods
            .iter()
            .map(|m| m.name.as_str())
            .filter(|n| {
                (n.starts_with("get_by_") || n.starts_with("find_by_"))
                    && *n != "get_by_natural_key"
            })
            .collect();
        if queries.len() >= 4 {
            out.push(cx.finding(
                "query-method-sprawl",
                cx.class_span(class),
                format!("`{}` has {} query methods ({}): replace them with one `find(spec)` and specifications", class.name, queries.len(), queries.join(", ")),
                queries.iter().map(|q| format!("query method `{q}`")).collect(),
            ));
        }
    }
}
