//! Switch a uuid4 primary key default to uuid7: stdlib `uuid.uuid7` on Python 3.14 and later,
//! else `uuid_utils.compat.uuid7` (Django's `UUIDField` rejects the plain `uuid_utils.uuid7()`,
//! whose objects are not `uuid.UUID`). Only primary keys: the finding comes from
//! `uuid4-primary-key`, never from a token field, where a time-ordered id leaks creation time.

use super::{Edit, Fix, ensure_import};
use crate::detect::{Finding, header_span};
use crate::python::facts::Value;
use crate::python::project::SourceFile;

pub(super) fn fix(file: &SourceFile, finding: &Finding, python: Option<(u32, u32)>) -> Option<Fix> {
    let field = file
        .facts
        .classes
        .iter()
        .flat_map(|c| c.fields.iter())
        .find(|a| header_span(&file.text, a.span.start) == finding.span)?;
    let Value::Call(call) = &field.value else {
        return None;
    };
    let default = call.kwarg("default")?;
    let Value::Name(name, span) = default else {
        return None;
    };
    if name.rsplit('.').next() != Some("uuid4") {
        return None;
    }
    let stdlib = python.is_some_and(|v| v >= (3, 14));
    let (replacement, import, title) = if stdlib {
        (
            "uuid.uuid7",
            "import uuid",
            "Switch the primary key default to `uuid.uuid7` (Python 3.14+)",
        )
    } else {
        (
            "uuid_utils.compat.uuid7",
            "import uuid_utils.compat",
            "Switch the primary key default to `uuid_utils.compat.uuid7`",
        )
    };
    let mut edits = vec![Edit {
        span: span.clone(),
        text: replacement.to_string(),
    }];
    edits.extend(ensure_import(file, import));
    Some(Fix {
        title: title.to_string(),
        rule: finding.rule.clone(),
        at: finding.span.clone(),
        edits,
        safe: false,
    })
}
