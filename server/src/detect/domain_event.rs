//! ## domain-event
//!
//! **What it recognises.** A domain-module class whose instances are published or recorded:
//! created inside `publish(...)`, `dispatch(...)`, `emit(...)`, `record_event(...)`, ..., or
//! appended to an `events` list.
//!
//! **Why it matters.** Other parts of the system react to what happened without the aggregate
//! knowing them. `threading.Event` and friends are not domain events.

use super::{Cx, Finding};
use crate::python::facts::Value;

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

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    if !cx.file.is_domain {
        return;
    }
    for c in &cx.file.facts.classes {
        let mut evidence = None;
        'files: for f in &cx.project.files {
            for call in f.facts.all_calls() {
                let method = call.method();
                let publishes = PUBLISH.contains(&method);
                let appends = method == "append"
                    && call
                        .func
                        .rsplit('.')
                        .nth(1)
                        .is_some_and(|owner| EVENT_LISTS.contains(&owner));
                if !(publishes || appends) {
                    continue;
                }
                if call.args.iter().any(|a| matches!(a, Value::Call(inner) if inner.func.rsplit('.').next() == Some(c.name.as_str()))) {
                    evidence = Some(format!("`{}({}(...))` in `{}`", call.func, c.name, f.facts.module));
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
