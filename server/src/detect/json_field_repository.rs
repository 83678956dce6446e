//! ## json-field-repository
//!
//! **What it recognises.** A model whose only payload column is one `JSONField` (besides id and
//! audit fields), and the repository that round-trips an aggregate through it: it serialises
//! (`model_dump`, `asdict`, `json.dumps`, ...) and deserialises (`model_validate`, `json.loads`,
//! `Cls(**row.data)`, ...).
//!
//! **Why it matters.** One generic repository persists many aggregates with almost no mapping
//! code and few migrations, at the price of ORM queries on the payload.
//!
//! **Example.**
//! ```python
//! class AggregateRecord(models.Model):
//!     id = models.UUIDField(primary_key=True)
//!     data = models.JSONField()
//! ```
//! A `JSONField` of preferences beside ordinary columns is not this pattern.

use super::{Cx, Finding};
use crate::python::facts::{Class, Value};
use crate::python::project::{ClassRef, Project};

const SERIALISE: &[&str] = &[
    "model_dump",
    "model_dump_json",
    "asdict",
    "dict",
    "json",
    "dumps",
    "to_dict",
    "to_json",
    "serialize",
    "serialise",
];
const DESERIALISE: &[&str] = &[
    "model_validate",
    "model_validate_json",
    "parse_obj",
    "parse_raw",
    "from_dict",
    "loads",
    "deserialize",
    "deserialise",
    "from_json",
];

fn field_call_name(value: &Value) -> Option<&str> {
    match value {
        Value::Call(c) => Some(c.method()),
        _ => None,
    }
}

fn is_audit(name: &str) -> bool {
    matches!(
        name,
        "id" | "pk" | "uuid" | "version" | "kind" | "type" | "aggregate_type" | "aggregate_id"
    ) || name.starts_with("created")
        || name.starts_with("updated")
        || name.starts_with("modified")
        || name.ends_with("_at")
}

/// The single JSONField of a payload-only model.
pub(super) fn json_payload(class: &Class) -> Option<&str> {
    let fields: Vec<_> = class
        .fields
        .iter()
        .filter(|a| {
            field_call_name(&a.value).is_some_and(|n| n.ends_with("Field") || n == "ForeignKey")
        })
        .collect();
    let json: Vec<_> = fields
        .iter()
        .filter(|a| field_call_name(&a.value) == Some("JSONField"))
        .collect();
    if json.len() != 1 {
        return None;
    }
    let others_ok = fields
        .iter()
        .all(|a| field_call_name(&a.value) == Some("JSONField") || is_audit(&a.name));
    others_ok.then(|| json[0].name.as_str())
}

/// The models a class reaching `models` through their managers stores whole, when it both
/// serialises and deserialises (or spreads `**` a dict into a call): the candidates for a JSON
/// field repository, kept if the model has a JSON payload (`Roles::assemble`).
pub(super) fn stored_models(
    project: &Project,
    fi: usize,
    class: &Class,
    models: &[String],
) -> Vec<ClassRef> {
    let calls = || class.methods.iter().flat_map(|m| m.calls.iter());
    let spreads = || {
        calls().any(|c| {
            c.args
                .iter()
                .any(|a| matches!(a, Value::Other(s, _) if s.starts_with("**")))
        })
    };
    let ser = calls().any(|c| SERIALISE.contains(&c.method()));
    if !ser || !(calls().any(|c| DESERIALISE.contains(&c.method())) || spreads()) {
        return Vec::new();
    }
    models
        .iter()
        .filter_map(|m| project.resolve_model(fi, m))
        .collect()
}

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    for (ci, class) in cx.file.facts.classes.iter().enumerate() {
        let r = (cx.index, ci);
        if cx.roles.json_models.contains(&r) {
            let field = json_payload(class).unwrap_or("data");
            out.push(cx.finding(
                "json-field-repository",
                cx.class_span(class),
                format!("`{}` stores a whole aggregate in the JSONField `{field}`: a JSON field repository", class.name),
                vec![format!("`{field}` is the only payload column"), "a repository serialises and deserialises it".into()],
            ));
        }
        if cx.roles.json_repositories.contains(&r) {
            out.push(cx.finding(
                "json-field-repository",
                cx.class_span(class),
                format!("`{}` round-trips aggregates through a single JSONField: a JSON field repository", class.name),
                vec!["serialises on write and deserialises on read".into()],
            ));
        }
    }
}
