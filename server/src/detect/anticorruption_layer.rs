//! ## anticorruption-layer
//!
//! **What it recognises.** A translator: a function or method that builds a type this project
//! defines (a dataclass, DTO, entity or value object; not a model, view, form, serializer or
//! response) from foreign data, with keyword arguments or a `**payload` spread. The data is
//! foreign when
//! * a parameter's annotation resolves to a class of another bounded context and the new
//!   object's arguments read that parameter's attributes (`SizeDTO(length=size.length, ...)`
//!   for `size: ProductSizeDTO` of the shop context), or
//! * it loads another context's model through its manager (`Customer.objects.get(...)`) and
//!   the new object's arguments read attributes (`street=address.line1`, at least two), or
//! * it is a third party's payload: the function decodes JSON (`response.json()`,
//!   `json.loads`, `json.load`) or is a marshmallow `@post_load` hook, and the arguments come
//!   from it (`x["id"]`, `x.get(...)`, `**data`).
//!
//! Reported at the translator's class (once), or at the function. A call shape on its own
//! (`Q(...)`, `Response(...)`, `Form(initial=obj.attr)`) is never a translator. A translator
//! makes the foreign types it translates legitimate imports of its file; it does not silence
//! the file's other imports.
//!
//! **Why it matters.** The consumer's model stays its own; a change in the provider breaks one
//! translator instead of every use.
//!
//! **Example.**
//! ```python
//! from billing.invoicing.services import InvoiceDTO
//! def to_shipment_cost(invoice: InvoiceDTO) -> ShipmentCost:
//!     return ShipmentCost(amount=invoice.total, currency=invoice.currency)
//! ```

use super::{Cx, Finding, annotation_names};
use crate::python::facts::{Call, Function, Value};
use crate::python::project::{ClassRef, Project};

/// Bases (anywhere up the chain) of classes that are never a translation's target.
const NOT_TARGETS: &[&str] = &[
    "Model",
    "Form",
    "ModelForm",
    "Serializer",
    "ModelSerializer",
    "View",
    "APIView",
    "Response",
    "HttpResponse",
    "QuerySet",
    "Manager",
    "Exception",
    "Enum",
    "IntEnum",
    "StrEnum",
    "TextChoices",
    "IntegerChoices",
    "FilterSet",
    "Field",
    "Widget",
];

/// One translator found in a file.
pub(crate) struct Translator<'a> {
    /// The class holding the method, if any.
    pub class: Option<usize>,
    pub function: &'a Function,
    /// The type built.
    pub target: String,
    /// What is translated: the foreign types (imported names) or the third-party payload.
    pub source: Source,
}

pub(crate) enum Source {
    /// Parameter types of another context, by the name the file uses for them.
    Context(Vec<String>),
    ThirdParty(&'static str),
}

/// Is `r` a class a translation may build: defined in the project, not a model, not a
/// framework class.
fn is_target(project: &Project, r: ClassRef) -> bool {
    !project.is_model(r) && !super::inherits_any(project, r, NOT_TARGETS)
}

/// The class a callee names in `fi`, `cls(...)` and `Self(...)` inside class `class`.
fn target_of(project: &Project, fi: usize, class: Option<usize>, call: &Call) -> Option<ClassRef> {
    let callee = call.func.as_str();
    if matches!(callee, "cls" | "Self" | "self.__class__") {
        return class.map(|ci| (fi, ci));
    }
    // Only a CapWords callee can name a class: skip resolving `obj.method(...)` calls.
    if !callee
        .rsplit('.')
        .next()
        .is_some_and(|l| l.starts_with(char::is_uppercase))
    {
        return None;
    }
    project.resolve_class(fi, callee)
}

fn builds_from(call: &Call, reads: impl Fn(&Value) -> bool) -> bool {
    let spread = call
        .args
        .iter()
        .any(|a| matches!(a, Value::Other(t, _) if t.starts_with("**")) && reads(a));
    spread || call.kwargs.iter().filter(|(_, v)| reads(v)).count() >= 1
}

/// Does a value read `param` (its attributes, items or `.get`)?
fn reads_param(v: &Value, param: &str) -> bool {
    let text = match v {
        Value::Name(t, _) | Value::Other(t, _) => t.as_str(),
        Value::Call(c) => {
            return c.func.starts_with(&format!("{param}."))
                || c.args
                    .iter()
                    .chain(c.kwargs.iter().map(|(_, v)| v))
                    .any(|a| reads_param(a, param));
        }
        Value::List(items, _) => return items.iter().any(|i| reads_param(i, param)),
        _ => return false,
    };
    let rest = text.trim_start_matches("**");
    rest.strip_prefix(param)
        .is_some_and(|r| r.starts_with('.') || r.starts_with('['))
}

/// Does a value come out of a decoded payload (`x["id"]`, `x.get("id")`, `**x`)?
fn reads_payload(v: &Value) -> bool {
    match v {
        Value::Other(t, _) => t.starts_with("**") || t.contains("[\"") || t.contains("['"),
        Value::Call(c) => {
            c.method() == "get"
                || c.args
                    .iter()
                    .chain(c.kwargs.iter().map(|(_, v)| v))
                    .any(reads_payload)
        }
        _ => false,
    }
}

/// Every translator of file `fi`.
pub(crate) fn translators(project: &Project, fi: usize) -> Vec<Translator<'_>> {
    let file = &project.files[fi];
    let mut out = Vec::new();
    if file.is_test || file.is_migration {
        return out;
    }
    // Views parse requests: turning a request body into a DTO is not an anticorruption layer.
    if file
        .facts
        .module
        .split('.')
        .any(|s| matches!(s, "views" | "viewsets"))
    {
        return out;
    }
    let mine = project
        .context_of(&file.facts.module)
        .map(|c| c.name.as_str());
    let all = file.facts.functions.iter().map(|f| (None, f)).chain(
        file.facts
            .classes
            .iter()
            .enumerate()
            .flat_map(|(ci, c)| c.methods.iter().map(move |m| (Some(ci), m))),
    );
    // Views, forms and admins are not translators: decided once per class, not per method.
    let presentation: Vec<bool> = (0..file.facts.classes.len())
        .map(|ci| {
            super::inherits_any(
                project,
                (fi, ci),
                &["View", "APIView", "Form", "ModelAdmin"],
            )
        })
        .collect();
    for (class, f) in all {
        if class.is_some_and(|ci| presentation[ci]) {
            continue;
        }
        // Parameters typed with another context's classes (resolved only for a function that
        // builds a target: most build none).
        let foreign_params = std::cell::OnceCell::new();
        let foreign_params = || {
            foreign_params.get_or_init(|| {
                f.params
                    .iter()
                    .filter_map(|p| {
                        let ann = p.annotation.as_deref()?;
                        let foreign =
                            annotation_names(ann.trim_matches(['"', '\''])).find(|n| {
                                project.resolve_class(fi, n).is_some_and(|r| {
                                    let theirs = project
                                        .context_of(&project.files[r.0].facts.module)
                                        .map(|c| c.name.as_str());
                                    theirs.is_some() && mine.is_some() && theirs != mine
                                })
                            })?;
                        Some((p.name.as_str(), foreign))
                    })
                    .collect::<Vec<(&str, &str)>>()
            })
        };
        let decodes = f.calls.iter().any(|c| {
            matches!(c.func.as_str(), "json.loads" | "json.load" | "loads") || c.method() == "json"
        });
        let post_load = f.decorators.iter().any(|d| {
            let d = d.split('(').next().unwrap_or(d);
            d.rsplit('.').next() == Some("post_load")
        });
        // Another context's model read through its manager (`Customer.objects.get(...)`).
        let foreign_model = std::cell::OnceCell::new();
        let foreign_model = || {
            foreign_model.get_or_init(|| {
                f.attributes.iter().find_map(|(chain, _)| {
                    let (owner, _) = chain.split_once(".objects")?;
                    let r = project.resolve_model(fi, owner)?;
                    let theirs = project
                        .context_of(&project.files[r.0].facts.module)
                        .map(|c| c.name.as_str());
                    (theirs.is_some() && mine.is_some() && theirs != mine)
                        .then(|| owner.to_string())
                })
            })
        };
        for call in &f.calls {
            if call.kwargs.is_empty() && call.args.is_empty() {
                continue;
            }
            let Some(target) = target_of(project, fi, class, call) else {
                continue;
            };
            if !is_target(project, target) {
                continue;
            }
            let target_name = project.class(target).name.clone();
            let via_param: Vec<String> = foreign_params()
                .iter()
                .filter(|(param, _)| builds_from(call, |v| reads_param(v, param)))
                .map(|(_, ty)| ty.to_string())
                .collect();
            let source = if !via_param.is_empty() {
                Source::Context(via_param)
            } else if !f.name.starts_with('_')
                && let Some(model) = foreign_model()
                && call
                    .kwargs
                    .iter()
                    .filter(|(_, v)| matches!(v, Value::Name(n, _) if n.contains('.')))
                    .count()
                    >= 2
            {
                Source::Context(vec![model.clone()])
            } else if post_load && (builds_from(call, |_| true) || !call.kwargs.is_empty()) {
                Source::ThirdParty("a marshmallow `@post_load` payload")
            } else if decodes && builds_from(call, reads_payload) {
                Source::ThirdParty("a decoded JSON payload")
            } else {
                continue;
            };
            out.push(Translator {
                class,
                function: f,
                target: target_name.to_string(),
                source,
            });
            break;
        }
    }
    out
}

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    let mut seen_classes = Vec::new();
    for t in translators(cx.project, cx.index) {
        let (span, name) = match t.class {
            Some(ci) => {
                if seen_classes.contains(&ci) {
                    continue;
                }
                seen_classes.push(ci);
                let c = &cx.file.facts.classes[ci];
                (cx.class_span(c), c.name.clone())
            }
            None => (cx.def_span(t.function), t.function.name.clone()),
        };
        let from = match &t.source {
            Source::Context(types) => format!("another bounded context's `{}`", types.join("`, `")),
            Source::ThirdParty(what) => what.to_string(),
        };
        out.push(cx.finding(
            "anticorruption-layer",
            span,
            format!(
                "`{name}` translates {from} into this project's own `{}`: an anticorruption layer",
                t.target
            ),
            vec![format!(
                "`{}` builds `{}` from {from}",
                t.function.name, t.target
            )],
        ));
    }
}
