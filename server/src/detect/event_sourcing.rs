//! ## event-sourcing
//!
//! **What it recognises.** Classes built on the `eventsourcing` library: subclasses of its
//! `Aggregate` or `Application`. Django's own `Aggregate` (SQL aggregates) is not this.

use super::{Cx, Finding};

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    let facts = &cx.file.facts;
    let imports: Vec<_> = facts
        .imports
        .iter()
        .filter(|i| i.module == "eventsourcing" || i.module.starts_with("eventsourcing."))
        .collect();
    if imports.is_empty() {
        return;
    }
    let names: Vec<String> = imports
        .iter()
        .flat_map(|i| {
            i.names
                .iter()
                .map(|(n, a)| a.as_ref().unwrap_or(n).to_string())
        })
        .collect();
    let mut any = false;
    for c in &facts.classes {
        let base = c.bases.iter().find(|b| {
            let last = b.rsplit('.').next().unwrap_or(b);
            matches!(last, "Aggregate" | "Application")
                && (names.iter().any(|n| n == *b) || b.starts_with("eventsourcing"))
        });
        if let Some(base) = base {
            any = true;
            out.push(cx.finding(
                "event-sourcing",
                cx.class_span(c),
                format!(
                    "`{}` is event-sourced: it subclasses the eventsourcing library's `{base}`",
                    c.name
                ),
                vec![format!("base `{base}` from eventsourcing")],
            ));
        }
    }
    if !any {
        let i = imports[0];
        out.push(cx.finding(
            "event-sourcing",
            cx.line_span(&i.span),
            format!("imports the event sourcing library (`{}`)", i.module),
            vec![format!("import `{}`", i.module)],
        ));
    }
}
