//! ## cqrs
//!
//! **What it recognises.** django-cqrs models: classes mixing in `MasterMixin` (the write side)
//! or `ReplicaMixin` (a read model). (`dj_cqrs` in `INSTALLED_APPS` is recognised by
//! `installed_apps`.) A class named `Query` or `Command` proves nothing: graphene and management
//! commands have them.

use super::{Cx, Finding};

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    for c in &cx.file.facts.classes {
        let side = c.bases.iter().find_map(|b| match b.rsplit('.').next() {
            Some("MasterMixin") => Some("write side (master)"),
            Some("ReplicaMixin") => Some("read model (replica)"),
            _ => None,
        });
        if let Some(side) = side {
            out.push(cx.finding(
                "cqrs",
                cx.class_span(c),
                format!("`{}` is the {side} of a CQRS pair (django-cqrs)", c.name),
                vec![side.to_string()],
            ));
        }
    }
}
