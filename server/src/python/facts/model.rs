//! The facts detectors read: byte spans into the file's text and short strings, no tree nodes.

use serde::{Deserialize, Serialize};
use std::ops::Range;

// Fact strings (names, callees, attribute chains) are mostly short: a `CompactString` keeps up to
// 24 bytes inline, so a project's facts are not a heap allocation per name.
pub use compact_str::CompactString;

pub type Span = Range<usize>;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FileFacts {
    /// Dotted module name (`billing.invoicing.models`).
    pub module: CompactString,
    /// The file is a package's `__init__.py`.
    pub is_package: bool,
    pub imports: Vec<Import>,
    pub classes: Vec<Class>,
    /// Module-level functions.
    pub functions: Vec<Function>,
    /// Module-level `NAME = value` and `NAME += value`.
    pub assigns: Vec<Assign>,
    /// Every call in the file, in order.
    pub calls: Vec<Call>,
    /// String literals mention TimescaleDB's `time_bucket(` or `create_hypertable`.
    pub timescale_sql: bool,
    /// The tree had syntax errors.
    pub has_errors: bool,
    /// `__all__` names, when given.
    pub all: Option<Vec<CompactString>>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Import {
    /// Absolute module imported from (`from a.b import c` -> `a.b`; `import a.b` -> `a.b`).
    pub module: CompactString,
    /// Names imported with `from ... import` (`*` for a star import), with their local alias.
    pub names: Vec<(CompactString, Option<CompactString>)>,
    pub is_from: bool,
    pub span: Span,
    pub type_checking: bool,
    /// Inside a function (a lazy import).
    pub nested: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Class {
    pub name: CompactString,
    /// From the `class` keyword to the end of the body.
    pub span: Span,
    /// The `class` line ([`header_span`] of `span.start`): where a finding about the class is
    /// placed, known without the text.
    pub header: Span,
    pub name_span: Span,
    /// Superclass expressions as written, type arguments removed (`Generic[T]` -> `Generic`).
    pub bases: Vec<CompactString>,
    pub decorators: Vec<CompactString>,
    pub methods: Vec<Function>,
    pub fields: Vec<Assign>,
    pub meta: Option<Meta>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Meta {
    pub db_table: Option<(CompactString, Span)>,
    pub managed: Option<bool>,
    pub is_abstract: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Function {
    pub name: CompactString,
    /// From `def` (or `async`) to the end of the body.
    pub span: Span,
    pub name_span: Span,
    pub params: Vec<Param>,
    pub returns: Option<CompactString>,
    pub decorators: Vec<CompactString>,
    /// Calls in the body, in order.
    pub calls: Vec<Call>,
    /// Attribute chains read in the body (`Invoice.objects`, `self.model.objects`).
    pub attributes: Vec<(CompactString, Span)>,
    /// A `return` returns a `Q(...)` expression (or `&`, `|`, `~` of them).
    pub returns_q: bool,
    /// Context managers used by `with` statements, as written.
    pub withs: Vec<CompactString>,
    /// Comparisons in the body, as written (`model._meta.app_label == "billing"`).
    pub comparisons: Vec<CompactString>,
    /// String literals returned.
    pub returns_string: bool,
    pub is_abstract: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Param {
    pub name: CompactString,
    pub annotation: Option<CompactString>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Call {
    /// The callee as written, whitespace removed (`Invoice.objects.filter`).
    pub func: CompactString,
    /// Sized exactly (a `Box<[_]>` is a pointer and a length): calls are the most numerous fact.
    pub args: Box<[Value]>,
    pub kwargs: Box<[(CompactString, Value)]>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Assign {
    pub name: CompactString,
    /// The type annotation, if any (`lines: list[InvoiceLine]`).
    pub annotation: Option<CompactString>,
    pub value: Value,
    pub span: Span,
    pub augmented: bool,
}

/// A small literal view of an expression: enough for settings and field declarations.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Value {
    Str(CompactString, Span),
    Bool(bool, Span),
    List(Vec<Value>, Span),
    /// Entries with the span of each key.
    Dict(Vec<(Value, Value)>, Span),
    Call(Box<Call>),
    /// A name or attribute chain (`uuid.uuid4`), or a `**spread` as `**name`.
    Name(CompactString, Span),
    Other(CompactString, Span),
}

impl Value {
    pub fn span(&self) -> Span {
        match self {
            Value::Str(_, s)
            | Value::Bool(_, s)
            | Value::List(_, s)
            | Value::Dict(_, s)
            | Value::Name(_, s)
            | Value::Other(_, s) => s.clone(),
            Value::Call(c) => c.span.clone(),
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s, _) => Some(s),
            _ => None,
        }
    }
    /// A dict's value for a string key.
    pub fn get(&self, key: &str) -> Option<(&Value, &Value)> {
        match self {
            Value::Dict(entries, _) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(k, v)| (k, v)),
            Value::Call(c) if c.func == "dict" => {
                c.kwargs.iter().find(|(k, _)| k == key).map(|(_, v)| (v, v))
            }
            _ => None,
        }
    }
    pub fn items(&self) -> &[Value] {
        match self {
            Value::List(items, _) => items,
            _ => &[],
        }
    }
    /// The text a name, attribute or string stands for.
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Str(s, _) | Value::Name(s, _) | Value::Other(s, _) => Some(s),
            Value::Call(c) => Some(&c.func),
            _ => None,
        }
    }
}

impl Call {
    pub fn kwarg(&self, name: &str) -> Option<&Value> {
        self.kwargs.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
    /// The last segment of the callee (`Invoice.objects.filter` -> `filter`).
    pub fn method(&self) -> &str {
        self.func.rsplit('.').next().unwrap_or(&self.func)
    }
}

impl FileFacts {
    /// Every call of the file: module level, in functions and methods, and in class-level values.
    pub fn all_calls(&self) -> Vec<&Call> {
        fn in_value<'a>(v: &'a Value, out: &mut Vec<&'a Call>) {
            match v {
                Value::Call(c) => {
                    out.push(c);
                    c.args
                        .iter()
                        .chain(c.kwargs.iter().map(|(_, v)| v))
                        .for_each(|a| in_value(a, out));
                }
                Value::List(items, _) => items.iter().for_each(|i| in_value(i, out)),
                Value::Dict(entries, _) => entries.iter().for_each(|(k, v)| {
                    in_value(k, out);
                    in_value(v, out);
                }),
                _ => {}
            }
        }
        let mut out: Vec<&Call> = self.calls.iter().collect();
        for f in &self.functions {
            out.extend(f.calls.iter());
        }
        for c in &self.classes {
            for m in &c.methods {
                out.extend(m.calls.iter());
            }
            for a in &c.fields {
                in_value(&a.value, &mut out);
            }
        }
        out
    }
}

/// From `start` to the end of its line (trailing whitespace kept out).
pub fn header_span(text: &str, start: usize) -> Span {
    let start = start.min(text.len());
    let end = text[start..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| start + i);
    let trimmed = text[start..end].trim_end();
    start..start + trimmed.len()
}

/// What to call the module holding `rel_path` (relative to its source root, `/` separated).
pub fn module_name(rel_path: &str) -> (String, bool) {
    let trimmed = rel_path.trim_end_matches(".pyi").trim_end_matches(".py");
    let mut parts: Vec<&str> = trimmed.split('/').filter(|p| !p.is_empty()).collect();
    let is_package = parts.last() == Some(&"__init__");
    if is_package {
        parts.pop();
    }
    (parts.join("."), is_package)
}

/// Resolves a relative import (`..models`) against `module`.
pub fn resolve_relative(module: &str, is_package: bool, dots: usize, rest: &str) -> String {
    let mut parts: Vec<&str> = if module.is_empty() {
        Vec::new()
    } else {
        module.split('.').collect()
    };
    if !is_package {
        parts.pop();
    }
    for _ in 1..dots {
        parts.pop();
    }
    if !rest.is_empty() {
        parts.push(rest);
    }
    parts.join(".")
}

/// Gives back the capacity a fact holds beyond its length. Facts are collected by pushes (a
/// vector grows by doubling) and then kept for the whole run, every file's at once.
trait Shrink {
    fn shrink(&mut self);
}

impl Shrink for CompactString {
    fn shrink(&mut self) {
        self.shrink_to_fit();
    }
}

impl<T: Shrink> Shrink for Vec<T> {
    fn shrink(&mut self) {
        self.iter_mut().for_each(Shrink::shrink);
        self.shrink_to_fit();
    }
}

impl<T: Shrink> Shrink for Box<[T]> {
    fn shrink(&mut self) {
        self.iter_mut().for_each(Shrink::shrink);
    }
}

impl<T: Shrink> Shrink for Option<T> {
    fn shrink(&mut self) {
        if let Some(t) = self {
            t.shrink();
        }
    }
}

impl<A: Shrink, B: Shrink> Shrink for (A, B) {
    fn shrink(&mut self) {
        self.0.shrink();
        self.1.shrink();
    }
}

impl Shrink for Span {
    fn shrink(&mut self) {}
}

impl Shrink for Value {
    fn shrink(&mut self) {
        match self {
            Value::Str(s, _) | Value::Name(s, _) | Value::Other(s, _) => s.shrink(),
            Value::Bool(..) => {}
            Value::List(items, _) => items.shrink(),
            Value::Dict(entries, _) => entries.shrink(),
            Value::Call(c) => c.shrink(),
        }
    }
}

/// `Shrink` for a struct: each listed field shrinks (the others hold no capacity worth giving back).
macro_rules! shrink_fields {
    ($($t:ty { $($field:ident),* })*) => {
        $(impl Shrink for $t {
            fn shrink(&mut self) {
                $(self.$field.shrink();)*
            }
        })*
    };
}

shrink_fields! {
    Call { func, args, kwargs }
    Assign { name, annotation, value }
    Param { name, annotation }
    Function { params, decorators, calls, attributes, withs, comparisons }
    Class { bases, decorators, methods, fields }
    Import { names }
}

impl FileFacts {
    /// Gives back what the collection's vectors and strings hold beyond their length.
    pub fn shrink(&mut self) {
        self.imports.shrink();
        self.classes.shrink();
        self.functions.shrink();
        self.assigns.shrink();
        self.calls.shrink();
        self.all.shrink();
    }
}
