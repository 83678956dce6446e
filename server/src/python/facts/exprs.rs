//! Expressions: calls, literal values, strings, and the facts of function bodies.

use super::model::*;
use super::walk::{Scope, Walker, is_future};
use ruff_python_ast::token::TokenKind;
use ruff_python_ast::visitor::source_order::{self, SourceOrderVisitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

const MAX_TEXT: usize = 200;

/// How deep a [`Value`] nests (calls in calls, lists in dicts): deeper is kept as text. Every call
/// keeps its arguments, so without a bound `f(f(f(...)))` is quadratic, and recursion overflows.
const MAX_VALUE_DEPTH: usize = 24;

/// How many items a list, tuple, set or dict literal keeps: the first ones. Settings and
/// declarations are far shorter; a data table (netbox's 9,768 airport codes) would otherwise be
/// tens of thousands of values nobody reads.
const MAX_ITEMS: usize = 1_000;

/// Stack kept free while the visitors recurse, and how much more to take when it runs low.
const RED_ZONE: usize = 64 * 1024;
const GROW: usize = 4 * 1024 * 1024;

pub(super) fn span(r: TextRange) -> Span {
    r.start().to_usize()..r.end().to_usize()
}

/// `s` without whitespace, at most [`MAX_TEXT`] characters (the first ones that are not
/// whitespace), in a string of its exact size (facts are kept for the whole run: a string grown
/// by doubling would keep its slack).
pub(super) fn compact(s: &str) -> CompactString {
    // Every name, callee, comparison and value of a file goes through here. First the common
    // case, bytes while they are ASCII: a text without whitespace is its own head.
    let bytes = s.as_bytes();
    let mut end = 0;
    while end < bytes.len() && end < MAX_TEXT && bytes[end].is_ascii() && !space(bytes[end]) {
        end += 1;
    }
    if end == bytes.len() || end == MAX_TEXT {
        return s[..end].into();
    }
    // Else the first `MAX_TEXT` characters that are not whitespace, gathered on the stack (at
    // most four bytes each) and then copied once into a string of their size.
    let mut buf = [0u8; MAX_TEXT * 4];
    let mut len = 0;
    kept_chars(s, |c| {
        buf[len..len + c.len()].copy_from_slice(c.as_bytes());
        len += c.len();
    });
    std::str::from_utf8(&buf[..len]).map_or_else(|_| CompactString::default(), CompactString::from)
}

/// ASCII whitespace as `char::is_whitespace` knows it (vertical tab included).
fn space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// Calls `f` with each of the first [`MAX_TEXT`] characters of `s` that are not whitespace, a
/// byte at a time while they are ASCII.
fn kept_chars(s: &str, mut f: impl FnMut(&str)) {
    let (mut kept, mut i) = (0, 0);
    while kept < MAX_TEXT
        && let Some(&b) = s.as_bytes().get(i)
    {
        let (n, white) = if b.is_ascii() {
            (1, space(b))
        } else {
            let c = s[i..].chars().next();
            (
                c.map_or(1, char::len_utf8),
                c.is_some_and(char::is_whitespace),
            )
        };
        if !white {
            f(&s[i..i + n]);
            kept += 1;
        }
        i += n;
    }
}

pub(super) fn compact_annotation(s: &str) -> CompactString {
    compact(s).trim_matches(['"', '\'']).into()
}

fn mentions_timescale(t: &str) -> bool {
    t.contains("time_bucket(") || t.contains("create_hypertable")
}

/// Module- and class-level code: every call (flat, in order) and TimescaleDB strings; lambdas'
/// bodies are not read.
pub(super) struct Loose<'w, 'a> {
    w: &'w mut Walker<'a>,
}

impl Loose<'_, '_> {
    pub fn case(&mut self, case: &ast::MatchCase) {
        source_order::walk_match_case(self, case);
    }
    pub fn stmt(&mut self, stmt: &Stmt) {
        self.visit_stmt(stmt);
    }
}

impl<'a> SourceOrderVisitor<'a> for Loose<'_, '_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(c) => {
                let call = self.w.call(c);
                self.w.out.calls.push(call);
            }
            Expr::Lambda(_) => return,
            _ => {}
        }
        stacker::maybe_grow(RED_ZONE, GROW, || source_order::walk_expr(self, expr));
    }
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        stacker::maybe_grow(RED_ZONE, GROW, || source_order::walk_stmt(self, stmt));
    }
    fn visit_string_literal(&mut self, s: &'a ast::StringLiteral) {
        self.strings(s.range);
    }
    fn visit_bytes_literal(&mut self, s: &'a ast::BytesLiteral) {
        self.strings(s.range);
    }
    fn visit_f_string(&mut self, s: &'a ast::FString) {
        self.strings(s.range);
        source_order::walk_f_string(self, s);
    }
    fn visit_t_string(&mut self, s: &'a ast::TString) {
        self.strings(s.range);
        source_order::walk_t_string(self, s);
    }
}

impl Loose<'_, '_> {
    fn strings(&mut self, r: TextRange) {
        if mentions_timescale(self.w.text(r)) {
            self.w.out.timescale_sql = true;
        }
    }
}

/// A function body: its calls, attribute chains, comparisons, context managers, returns and
/// lazy imports. Nested functions and classes are not read (their decorators are).
struct Body<'w, 'a, 'f> {
    w: &'w mut Walker<'a>,
    f: &'f mut Function,
    scope: Scope,
    /// The expression being visited is the object of an attribute (`a.b` of `a.b.c`).
    in_attribute: bool,
}

impl<'a> SourceOrderVisitor<'a> for Body<'_, '_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(ast::StmtFunctionDef { decorator_list, .. })
            | Stmt::ClassDef(ast::StmtClassDef { decorator_list, .. }) => {
                for d in decorator_list {
                    self.visit_decorator(d);
                }
                return;
            }
            Stmt::ImportFrom(i) if is_future(i) => return,
            Stmt::Import(_) | Stmt::ImportFrom(_) => {
                self.w.nested_import(stmt, self.scope);
                return;
            }
            Stmt::If(s) if self.w.text(&*s.test).contains("TYPE_CHECKING") => {
                for s in &s.body {
                    match s {
                        Stmt::ImportFrom(i) if is_future(i) => {}
                        Stmt::Import(_) | Stmt::ImportFrom(_) => self.w.nested_import(
                            s,
                            Scope {
                                type_checking: true,
                                ..self.scope
                            },
                        ),
                        _ => {}
                    }
                }
                return;
            }
            Stmt::Return(r) => {
                if let Some(v) = &r.value {
                    if is_q_expression(v, self.w.src) {
                        self.f.returns_q = true;
                    }
                    if is_single_string(v) && !self.w.parenthesized(v) {
                        self.f.returns_string = true;
                    }
                }
            }
            Stmt::With(s) => {
                for item in &s.items {
                    let end = item
                        .optional_vars
                        .as_ref()
                        .map_or(item.context_expr.end(), |v| v.end());
                    let r = self
                        .w
                        .with_parens(TextRange::new(item.context_expr.start(), end));
                    self.f.withs.push(compact(self.w.text(r)));
                }
            }
            _ => {}
        }
        stacker::maybe_grow(RED_ZONE, GROW, || source_order::walk_stmt(self, stmt));
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        let parent_is_attribute = self.in_attribute;
        self.in_attribute = false;
        match expr {
            Expr::Call(c) => {
                let call = self.w.call(c);
                self.w.out.calls.push(call);
            }
            Expr::Compare(_) => self.f.comparisons.push(compact(self.w.text(expr))),
            Expr::Attribute(_) => {
                if !parent_is_attribute {
                    self.f
                        .attributes
                        .push((compact(self.w.text(expr)), span(expr.range())));
                }
                self.in_attribute = true;
            }
            _ => {}
        }
        stacker::maybe_grow(RED_ZONE, GROW, || source_order::walk_expr(self, expr));
        self.in_attribute = parent_is_attribute;
    }

    fn visit_pattern(&mut self, _: &'a ast::Pattern) {
        // Match patterns are names, not attribute reads.
    }

    fn visit_string_literal(&mut self, s: &'a ast::StringLiteral) {
        self.strings(s.range);
    }
    fn visit_bytes_literal(&mut self, s: &'a ast::BytesLiteral) {
        self.strings(s.range);
    }
    fn visit_f_string(&mut self, s: &'a ast::FString) {
        self.strings(s.range);
        source_order::walk_f_string(self, s);
    }
    fn visit_t_string(&mut self, s: &'a ast::TString) {
        self.strings(s.range);
        source_order::walk_t_string(self, s);
    }
}

impl Body<'_, '_, '_> {
    fn strings(&mut self, r: TextRange) {
        let t = self.w.text(r);
        if t.len() > 12 && mentions_timescale(t) {
            self.w.out.timescale_sql = true;
        }
    }
}

/// One string literal, not a concatenation (`"a"`, `b"a"`, `f"{a}"`).
fn is_single_string(e: &Expr) -> bool {
    match e {
        Expr::StringLiteral(s) => !s.value.is_implicit_concatenated(),
        Expr::BytesLiteral(s) => !s.value.is_implicit_concatenated(),
        Expr::FString(s) => !s.value.is_implicit_concatenated(),
        Expr::TString(s) => !s.value.is_implicit_concatenated(),
        _ => false,
    }
}

/// `Q(...)`, `models.Q(...)`, or `&`, `|`, `~` of them (iterative: operands nest arbitrarily).
fn is_q_expression(e: &Expr, src: &str) -> bool {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match e {
            Expr::Call(c) => {
                let f = src.get(span(c.func.range())).unwrap_or("");
                if f == "Q" || f.ends_with(".Q") {
                    return true;
                }
            }
            Expr::BinOp(b) => {
                stack.push(&b.right);
                stack.push(&b.left);
            }
            Expr::UnaryOp(u) if u.op != ast::UnaryOp::Not => stack.push(&u.operand),
            _ => {}
        }
    }
    false
}

impl<'a> Walker<'a> {
    /// Module- and class-level expressions: calls and strings.
    pub(super) fn expression(&mut self, e: &Expr) {
        Loose { w: self }.visit_expr(e);
    }

    pub(super) fn expression_walk(&mut self, f: impl FnOnce(&mut Loose<'_, 'a>)) {
        f(&mut Loose { w: self });
    }

    pub(super) fn body(&mut self, body: &[Stmt], f: &mut Function, scope: Scope) {
        let mut v = Body {
            w: self,
            f,
            scope,
            in_attribute: false,
        };
        for s in body {
            v.visit_stmt(s);
        }
    }

    /// `e` is written in parentheses.
    pub(super) fn parenthesized(&self, e: &Expr) -> bool {
        self.with_parens(e.range()) != e.range()
    }

    pub(super) fn call(&self, c: &ast::ExprCall) -> Call {
        let (args, kwargs) = self.arguments(&c.arguments);
        Call {
            func: compact(self.text(&*c.func)),
            args: args.into_boxed_slice(),
            kwargs: kwargs.into_boxed_slice(),
            span: span(c.range()),
        }
    }

    /// A call's positional arguments (with `*`/`**` spreads as text) and keyword arguments.
    fn arguments(&self, args: &ast::Arguments) -> (Vec<Value>, Vec<(CompactString, Value)>) {
        let named = args.keywords.iter().filter(|k| k.arg.is_some()).count();
        let mut positional = Vec::with_capacity(args.args.len() + args.keywords.len() - named);
        let mut keywords = Vec::with_capacity(named);
        // `f(x for x in xs)`: the walk this one replaced listed the generator's parts as arguments.
        if let ([Expr::Generator(g)], []) = (&*args.args, args.keywords.as_slice())
            && !g.parenthesized
        {
            positional.push(self.value(&g.elt));
            for comp in &g.generators {
                let end = self.with_parens(comp.iter.range()).end();
                positional.push(self.other(TextRange::new(comp.start(), end)));
                let mut from = end;
                for cond in &comp.ifs {
                    let start = self
                        .within(TextRange::new(from, cond.start()))
                        .iter()
                        .rev()
                        .find(|t| t.kind() == TokenKind::If)
                        .map_or(cond.start(), |t| t.start());
                    positional.push(self.other(TextRange::new(start, cond.end())));
                    from = cond.end();
                }
            }
            return (positional, keywords);
        }
        for a in args.iter_source_order() {
            match a {
                ast::ArgOrKeyword::Arg(e) => positional.push(self.value(e)),
                ast::ArgOrKeyword::Keyword(k) => match &k.arg {
                    Some(name) => keywords.push((name.as_str().into(), self.value(&k.value))),
                    None => positional.push(self.other(k.range)),
                },
            }
        }
        (positional, keywords)
    }

    fn other(&self, r: TextRange) -> Value {
        Value::Other(compact(self.text(r)), span(r))
    }

    pub(super) fn value(&self, e: &Expr) -> Value {
        let depth = self.value_depth.get();
        if depth >= MAX_VALUE_DEPTH {
            return self.other(e.range());
        }
        self.value_depth.set(depth + 1);
        let v = self.value_inner(e);
        self.value_depth.set(depth);
        v
    }

    fn value_inner(&self, e: &Expr) -> Value {
        let s = span(e.range());
        match e {
            Expr::StringLiteral(_)
            | Expr::BytesLiteral(_)
            | Expr::FString(_)
            | Expr::TString(_) => Value::Str(self.string_value(e).into(), s),
            Expr::BooleanLiteral(b) => Value::Bool(b.value, s),
            Expr::Name(_) | Expr::Attribute(_) => Value::Name(compact(self.text(e)), s),
            Expr::List(ast::ExprList { elts, .. }) | Expr::Set(ast::ExprSet { elts, .. }) => {
                Value::List(
                    elts.iter().take(MAX_ITEMS).map(|i| self.value(i)).collect(),
                    s,
                )
            }
            Expr::Tuple(t) if t.parenthesized => Value::List(
                t.elts
                    .iter()
                    .take(MAX_ITEMS)
                    .map(|i| self.value(i))
                    .collect(),
                s,
            ),
            Expr::Dict(d) => {
                let mut entries = Vec::with_capacity(d.items.len().min(MAX_ITEMS));
                for item in d.items.iter().take(MAX_ITEMS) {
                    match &item.key {
                        Some(k) => entries.push((self.value(k), self.value(&item.value))),
                        None => {
                            let start = self
                                .before(item.value.start())
                                .iter()
                                .rev()
                                .find(|t| t.kind() == TokenKind::DoubleStar)
                                .map_or(item.value.start(), |t| t.start());
                            let r = span(TextRange::new(start, item.value.end()));
                            entries.push((
                                Value::Name(
                                    compact_str::format_compact!(
                                        "**{}",
                                        compact(self.text(&item.value))
                                    ),
                                    r.clone(),
                                ),
                                Value::Other(CompactString::default(), r),
                            ));
                        }
                    }
                }
                Value::Dict(entries, s)
            }
            Expr::Call(c) => Value::Call(Box::new(self.call(c))),
            _ => Value::Other(compact(self.text(e)), s),
        }
    }

    /// The text of a string literal without prefixes and quotes, as written (escapes kept;
    /// concatenations joined; each interpolation as `{…}`).
    pub(super) fn string_value(&self, e: &Expr) -> String {
        let mut out = String::new();
        let mut part = |r: TextRange, holes: &[TextRange]| {
            let text = self.text(r);
            let prefix = text.bytes().take_while(u8::is_ascii_alphabetic).count();
            let body = &text[prefix..];
            let q = if body.starts_with("\"\"\"") || body.starts_with("'''") {
                3
            } else {
                1.min(body.len())
            };
            let start = r.start().to_usize() + prefix + q;
            let quote = &body[..q];
            let end = if body.len() >= 2 * q && body.ends_with(quote) {
                r.end().to_usize() - q
            } else {
                r.end().to_usize()
            };
            let mut at = start;
            for h in holes {
                let (hs, he) = (h.start().to_usize(), h.end().to_usize());
                out.push_str(self.src.get(at..hs.max(at)).unwrap_or(""));
                out.push_str("{…}");
                at = he.max(at);
            }
            out.push_str(self.src.get(at..end.max(at)).unwrap_or(""));
        };
        match e {
            Expr::StringLiteral(s) => s.value.iter().for_each(|p| part(p.range, &[])),
            Expr::BytesLiteral(s) => s.value.iter().for_each(|p| part(p.range, &[])),
            Expr::FString(s) => {
                for p in s.value.iter() {
                    match p {
                        ast::FStringPart::Literal(l) => part(l.range, &[]),
                        ast::FStringPart::FString(f) => part(f.range, &holes(&f.elements)),
                    }
                }
            }
            Expr::TString(s) => {
                for t in s.value.iter() {
                    part(t.range, &holes(&t.elements));
                }
            }
            _ => {}
        }
        out
    }
}

fn holes(elements: &ast::InterpolatedStringElements) -> Vec<TextRange> {
    elements
        .iter()
        .filter_map(|e| match e {
            ast::InterpolatedStringElement::Interpolation(i) => Some(i.range),
            ast::InterpolatedStringElement::Literal(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{MAX_TEXT, compact};

    #[test]
    fn compact_drops_whitespace_and_keeps_at_most_max_text_characters() {
        for (text, want) in [
            ("Invoice.objects.filter", "Invoice.objects.filter"),
            ("a .b\t.c\n(\r1,\x0b2\x0c)", "a.b.c(1,2)"),
            ("x\u{a0}y\u{2003}z", "xyz"),
            ("é . è", "é.è"),
            ("", ""),
        ] {
            assert_eq!(compact(text), want, "{text:?}");
        }
        let long = "a".repeat(MAX_TEXT + 5);
        assert_eq!(compact(&long).len(), MAX_TEXT);
        let wide = "é".repeat(MAX_TEXT + 5);
        assert_eq!(compact(&wide).chars().count(), MAX_TEXT);
        let spaced = format!("{} {}", "a".repeat(MAX_TEXT), "b".repeat(10));
        assert_eq!(compact(&spaced).len(), MAX_TEXT);
    }
}
