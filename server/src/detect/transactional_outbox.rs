//! ## transactional-outbox
//!
//! **What it recognises.** An outbox model: a model named `...Outbox...` with a JSONField payload
//! and a published/processed/sent marker. (Outbox libraries in `INSTALLED_APPS` are recognised
//! by `installed_apps`.)
//!
//! **Why it matters.** Messages are written in the same transaction as the state change and
//! relayed after, so none is lost or sent for a rolled-back change.

use super::{Cx, Finding};
use crate::python::facts::Value;

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    for (ci, c) in cx.file.facts.classes.iter().enumerate() {
        if !cx.project.is_model((cx.index, ci)) || !c.name.to_ascii_lowercase().contains("outbox") {
            continue;
        }
        let field_kind = |a: &crate::python::facts::Assign| match &a.value {
            Value::Call(call) => Some(call.method().to_string()),
            _ => None,
        };
        let payload = c
            .fields
            .iter()
            .find(|a| field_kind(a).as_deref() == Some("JSONField"));
        let marker = c.fields.iter().find(|a| {
            ["published", "processed", "sent"]
                .iter()
                .any(|m| a.name.contains(m))
        });
        if let (Some(payload), Some(marker)) = (payload, marker) {
            out.push(cx.finding(
                "transactional-outbox",
                cx.class_span(c),
                format!(
                    "`{}` is a transactional outbox: payload `{}`, relay marker `{}`",
                    c.name, payload.name, marker.name
                ),
                vec![
                    format!("JSONField `{}`", payload.name),
                    format!("marker `{}`", marker.name),
                ],
            ));
        }
    }
}
