//! ## domain-event
//!
//! **What it recognises.** A domain-module class whose instances are published or recorded:
//! created inside `publish(...)`, `dispatch(...)`, `emit(...)`, `record_event(...)`, ..., or
//! appended to an `events` list.
//!
//! **Why it matters.** Other parts of the system react to what happened without the aggregate
//! knowing them. `threading.Event` and friends are not domain events.

use super::{Cx, Finding};
use crate::python::facts::{Call, Value};
use crate::python::project::ClassRef;

const PUBLISH: &[&str] = &[
    "publish",
    "dispatch",
    "emit",
    "record_event",
    "raise_event",
    "add_event",
    "record",
    "register_event",
    "send_event",
];
const EVENT_LISTS: &[&str] = &["events", "_events", "domain_events", "pending_events"];

/// Does `call` publish or record an instance of `name`: directly (`publish(OrderPaid(...))`) or
/// through a variable the same function built (`event = OrderPaid(...); self.raise_event(event)`)?
fn records(cx: &Cx, fi: usize, call: &Call, target: ClassRef, body: &[Call]) -> bool {
    let name = cx.project.class(target).name.as_str();
    // The callee is the class: resolved in the calling file, or by name when not resolvable.
    let is_target = |func: &str| match cx.project.resolve_class(fi, func) {
        Some(r) => r == target,
        None => func.rsplit('.').next() == Some(name),
    };
    let method = call.method();
    let owner = call.func.rsplit('.').nth(1);
    let publishes = PUBLISH.contains(&method);
    let appends = matches!(method, "append" | "add" | "extend")
        && owner.is_some_and(|o| EVENT_LISTS.contains(&o) || o.ends_with("_events"));
    if !(publishes || appends) {
        return false;
    }
    let built_here = || body.iter().any(|c| is_target(&c.func));
    call.args.iter().any(|a| match a {
        Value::Call(inner) => is_target(&inner.func),
        Value::Name(n, _) => !n.contains('.') && built_here(),
        _ => false,
    })
}

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    if !cx.file.is_domain {
        return;
    }
    for (ci, c) in cx.file.facts.classes.iter().enumerate() {
        let target = (cx.index, ci);
        let mut evidence = None;
        'files: for (fi, f) in cx.project.files.iter().enumerate() {
            let bodies = f
                .facts
                .functions
                .iter()
                .chain(f.facts.classes.iter().flat_map(|k| k.methods.iter()));
            for body in bodies {
                if let Some(call) = body
                    .calls
                    .iter()
                    .find(|call| records(cx, fi, call, target, &body.calls))
                {
                    evidence = Some(format!(
                        "`{}` records a `{}` in `{}`",
                        call.func, c.name, f.facts.module
                    ));
                    break 'files;
                }
            }
            for call in &f.facts.calls {
                if records(cx, fi, call, target, &f.facts.calls) {
                    evidence = Some(format!(
                        "`{}({}(...))` in `{}`",
                        call.func, c.name, f.facts.module
                    ));
                    break 'files;
                }
            }
        }
        if let Some(evidence) = evidence {
            out.push(cx.finding(
                "domain-event",
                cx.class_span(c),
                format!("`{}` is a domain event: {evidence}", c.name),
                vec![evidence],
            ));
        }
    }
}
