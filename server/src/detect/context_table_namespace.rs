//! ## context-table-namespace
//!
//! **What it recognises.** Explicit `Meta.db_table` names sharing a prefix (`billing_invoice`,
//! `billing_payment`) across at least two managed models of one bounded context.
//!
//! **Why it matters.** The tables say which context owns them: private by convention, the first
//! step of data separation (then schemas, then databases).
//!
//! **Example.**
//! ```python
//! class Meta:
//!     db_table = "billing_invoice"
//! ```
//! `managed = False` models map tables someone else owns and do not count.

use super::{Cx, Finding};

pub(super) fn prefix(table: &str) -> Option<&str> {
    if table.contains('"') || table.contains('.') {
        return None;
    }
    table
        .split_once('_')
        .map(|(p, _)| p)
        .filter(|p| !p.is_empty())
}

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    let project = cx.project;
    let my_context = project
        .context_of(&cx.file.facts.module)
        .map(|c| c.name.clone());
    for (ci, class) in cx.file.facts.classes.iter().enumerate() {
        if !project.is_model((cx.index, ci)) {
            continue;
        }
        let Some(meta) = &class.meta else { continue };
        if meta.is_abstract || meta.managed == Some(false) {
            continue;
        }
        let Some((table, span)) = &meta.db_table else {
            continue;
        };
        let Some(p) = prefix(table) else { continue };
        // Other managed models of the same context with the same prefix.
        let mut peers = Vec::new();
        for list in project.models.values() {
            for &(fi, oci) in list {
                if (fi, oci) == (cx.index, ci) {
                    continue;
                }
                let other = &project.files[fi];
                let Some(ometa) = &other.facts.classes[oci].meta else {
                    continue;
                };
                if ometa.is_abstract || ometa.managed == Some(false) {
                    continue;
                }
                let same_context = project
                    .context_of(&other.facts.module)
                    .map(|c| c.name.clone())
                    == my_context;
                if same_context && ometa.db_table.as_ref().and_then(|(t, _)| prefix(t)) == Some(p) {
                    peers.push(other.facts.classes[oci].name.clone());
                }
            }
        }
        if peers.is_empty() {
            continue;
        }
        peers.sort();
        out.push(cx.finding(
            "context-table-namespace",
            cx.line_span(span),
            format!("`{}` puts its table in the `{p}_` namespace, shared with {}: a context table namespace", class.name, peers.join(", ")),
            vec![format!("db_table `{table}`"), format!("same prefix: {}", peers.join(", "))],
        ));
    }
}
