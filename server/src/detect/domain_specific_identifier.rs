//! ## domain-specific-identifier
//!
//! **What it recognises.** A model identified by a code from its domain: an ISBN, VIN, SKU, EAN,
//! GTIN, IBAN, UPC or ASIN field that is the primary key or unique.
//!
//! **Why it matters.** The domain already has an identity that people use; a surrogate key
//! beside it is a second truth to keep in step.
//!
//! **Example.** `isbn = models.CharField(max_length=13, primary_key=True)`

use super::{Cx, Finding};
use crate::python::facts::Value;

const CODES: &[&str] = &[
    "isbn", "isbn13", "isbn10", "vin", "sku", "ean", "gtin", "iban", "upc", "asin",
];

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    for (ci, class) in cx.file.facts.classes.iter().enumerate() {
        if !cx.project.is_model((cx.index, ci)) {
            continue;
        }
        for field in &class.fields {
            let Value::Call(call) = &field.value else {
                continue;
            };
            // No allocation per field: most fields are not codes.
            let name = field.name.as_str();
            let code = CODES.iter().find(|c| {
                name.eq_ignore_ascii_case(c)
                    || (name.len() > c.len() + 1
                        && name[name.len() - c.len()..].eq_ignore_ascii_case(c)
                        && name.as_bytes()[name.len() - c.len() - 1] == b'_')
            });
            let Some(code) = code else { continue };
            let key = if matches!(call.kwarg("primary_key"), Some(Value::Bool(true, _))) {
                "primary key"
            } else if matches!(call.kwarg("unique"), Some(Value::Bool(true, _))) {
                "unique key"
            } else {
                continue;
            };
            out.push(cx.finding(
                "domain-specific-identifier",
                cx.line_span(&field.span),
                format!(
                    "`{}.{}` identifies by a domain code ({}) as its {key}",
                    class.name,
                    field.name,
                    code.to_uppercase()
                ),
                vec![format!("{} field `{}`", key, field.name)],
            ));
        }
    }
}
