//! Statements: imports, classes, functions, assignments and compound statements, walked the way
//! detectors expect (module-level code inside `if`/`try`/`with`/`for` blocks counts as module
//! level; nested functions and classes are not tracked).

use super::exprs::{compact, compact_annotation, span};
use super::model::*;
use ruff_python_ast::token::{Token, TokenKind, Tokens};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};
use std::cell::Cell;

/// How deep compound statements nest before the walk stops descending (the walk recurses).
const MAX_STATEMENT_DEPTH: usize = 100;

#[derive(Default, Clone, Copy)]
pub(super) struct Scope {
    pub type_checking: bool,
    pub nested: bool,
}

pub(super) struct Walker<'a> {
    pub src: &'a str,
    pub tokens: &'a Tokens,
    module: &'a str,
    is_package: bool,
    pub out: FileFacts,
    /// Nesting of the statement being walked.
    depth: usize,
    /// Nesting of the value being read.
    pub value_depth: Cell<usize>,
}

impl<'a> Walker<'a> {
    pub fn new(src: &'a str, tokens: &'a Tokens, module: &'a str, is_package: bool) -> Self {
        Walker {
            src,
            tokens,
            module,
            is_package,
            out: FileFacts::default(),
            depth: 0,
            value_depth: Cell::new(0),
        }
    }

    pub fn text(&self, r: impl Ranged) -> &'a str {
        let r = r.range();
        self.src
            .get(r.start().to_usize()..r.end().to_usize())
            .unwrap_or("")
    }

    /// Tokens starting at or after `at` (never panics, unlike `Tokens::after` inside a token).
    pub fn after(&self, at: TextSize) -> &'a [Token] {
        let i = self.tokens.partition_point(|t| t.start() < at);
        &self.tokens[i..]
    }

    /// Tokens starting before `at`.
    pub fn before(&self, at: TextSize) -> &'a [Token] {
        let i = self.tokens.partition_point(|t| t.start() < at);
        &self.tokens[..i]
    }

    /// Tokens starting inside `r`.
    pub fn within(&self, r: TextRange) -> &'a [Token] {
        let i = self.tokens.partition_point(|t| t.start() < r.start());
        let j = self.tokens.partition_point(|t| t.start() < r.end());
        &self.tokens[i..j.max(i)]
    }

    /// `r` widened over the parentheses written around it, if any (comments inside kept).
    pub fn with_parens(&self, r: TextRange) -> TextRange {
        let left = self
            .before(r.start())
            .iter()
            .rev()
            .filter(|t| !t.kind().is_trivia());
        let right = self.after(r.end()).iter().filter(|t| !t.kind().is_trivia());
        left.take_while(|t| t.kind() == TokenKind::Lpar)
            .zip(right.take_while(|t| t.kind() == TokenKind::Rpar))
            .last()
            .map_or(r, |(l, r)| TextRange::new(l.start(), r.end()))
    }

    /// `r` widened over parentheses written around it inside `outer` (not `outer`'s own).
    fn with_parens_inside(&self, r: TextRange, outer: TextRange) -> TextRange {
        let w = self.with_parens(r);
        if w == r || (w.start() > outer.start() && w.end() < outer.end()) {
            return w;
        }
        let left = self
            .before(r.start())
            .iter()
            .rev()
            .filter(|t| !t.kind().is_trivia());
        let right = self.after(r.end()).iter().filter(|t| !t.kind().is_trivia());
        left.take_while(|t| t.kind() == TokenKind::Lpar && t.start() > outer.start())
            .zip(right.take_while(|t| t.kind() == TokenKind::Rpar && t.end() < outer.end()))
            .last()
            .map_or(r, |(l, r)| TextRange::new(l.start(), r.end()))
    }

    /// Where a definition ends: its body, and the comments after it indented at least as far as
    /// its body's last statement (they are in the body's block).
    fn def_end(&self, end: TextSize, body: &[Stmt]) -> usize {
        let Some(last) = body.last() else {
            return end.to_usize();
        };
        let indent = self.column(last.start().to_usize());
        let mut out = end.to_usize();
        for t in self.after(end) {
            match t.kind() {
                TokenKind::Comment if self.column(t.start().to_usize()) >= indent => {
                    out = t.end().to_usize()
                }
                TokenKind::Newline | TokenKind::NonLogicalNewline => {}
                _ => break,
            }
        }
        out
    }

    fn column(&self, at: usize) -> usize {
        let head = self.src.get(..at).unwrap_or("");
        at - head.rfind('\n').map_or(0, |i| i + 1)
    }

    /// A decorator's text, with a comment on its line (as the walk this one replaced read it).
    fn decorator_text(&self, d: &ast::Decorator) -> CompactString {
        let end = match self.after(d.end()).first() {
            Some(t) if t.kind() == TokenKind::Comment => t.end(),
            _ => d.end(),
        };
        compact(
            self.text(TextRange::new(d.start(), end))
                .trim_start_matches('@'),
        )
    }

    /// An annotation's text as written, parentheses included.
    fn annotation_text(&self, e: &Expr) -> &'a str {
        self.text(self.with_parens(e.range()))
    }

    pub fn statement(&mut self, stmt: &Stmt, scope: Scope, class: Option<&mut Class>) {
        if self.depth >= MAX_STATEMENT_DEPTH {
            return;
        }
        self.depth += 1;
        self.statement_inner(stmt, scope, class);
        self.depth -= 1;
    }

    fn block(&mut self, body: &[Stmt], scope: Scope) {
        for s in body {
            self.statement(s, scope, None);
        }
    }

    fn statement_inner(&mut self, stmt: &Stmt, scope: Scope, class: Option<&mut Class>) {
        match stmt {
            Stmt::Import(_) | Stmt::ImportFrom(_) => self.import(stmt, scope),
            Stmt::ClassDef(def) => {
                let c = self.class(def, scope);
                if class.is_none() && !scope.nested {
                    self.out.classes.push(c);
                }
            }
            Stmt::FunctionDef(def) => {
                let f = self.function(def, scope);
                match class {
                    Some(c) => c.methods.push(f),
                    None if !scope.nested => self.out.functions.push(f),
                    None => {}
                }
            }
            Stmt::Expr(e) => self.expression(&e.value),
            Stmt::Assign(_) | Stmt::AnnAssign(_) | Stmt::AugAssign(_) => {
                self.assignment(stmt, scope, class)
            }
            Stmt::If(s) => {
                let tc = self.text(&*s.test).contains("TYPE_CHECKING");
                let inner = Scope {
                    type_checking: scope.type_checking || tc,
                    ..scope
                };
                self.expression(&s.test);
                self.block(&s.body, inner);
                for clause in &s.elif_else_clauses {
                    // An `elif` keeps the `if`'s TYPE_CHECKING; its condition is not read.
                    let s = if clause.test.is_some() { inner } else { scope };
                    self.block(&clause.body, s);
                }
            }
            Stmt::Try(s) => {
                self.block(&s.body, scope);
                for h in &s.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    if let Some(t) = &h.type_ {
                        self.expression(t);
                    }
                    self.block(&h.body, scope);
                }
                self.block(&s.orelse, scope);
                self.block(&s.finalbody, scope);
            }
            Stmt::With(s) => {
                for item in &s.items {
                    self.expression(&item.context_expr);
                    if let Some(v) = &item.optional_vars {
                        self.expression(v);
                    }
                }
                self.block(&s.body, scope);
            }
            Stmt::For(s) => {
                self.expression(&s.target);
                self.expression(&s.iter);
                self.block(&s.body, scope);
                self.block(&s.orelse, scope);
            }
            Stmt::While(s) => {
                self.expression(&s.test);
                self.block(&s.body, scope);
                self.block(&s.orelse, scope);
            }
            Stmt::Match(s) => {
                self.expression(&s.subject);
                // A case is read as an expression: its calls and strings, no definitions.
                for case in &s.cases {
                    self.expression_walk(|v| v.case(case));
                }
            }
            _ => self.expression_walk(|v| v.stmt(stmt)),
        }
    }

    /// Where a definition starts: its `def`, `async` or `class` keyword, after any decorators.
    fn def_start(&self, range: TextRange, decorators: &[ast::Decorator]) -> usize {
        let Some(last) = decorators.last() else {
            return range.start().to_usize();
        };
        self.after(last.end())
            .iter()
            .find(|t| {
                matches!(
                    t.kind(),
                    TokenKind::Def | TokenKind::Async | TokenKind::Class
                )
            })
            .map_or(last.end().to_usize(), |t| t.start().to_usize())
    }

    fn decorators(&self, decorators: &[ast::Decorator]) -> Vec<CompactString> {
        decorators.iter().map(|d| self.decorator_text(d)).collect()
    }

    fn import(&mut self, stmt: &Stmt, scope: Scope) {
        let span = span(stmt.range());
        match stmt {
            Stmt::Import(i) => {
                for alias in &i.names {
                    self.out.imports.push(Import {
                        module: compact(self.text(&alias.name)),
                        names: alias
                            .asname
                            .as_ref()
                            .map(|a| vec![(CompactString::default(), Some(self.text(a).into()))])
                            .unwrap_or_default(),
                        is_from: false,
                        span: span.clone(),
                        type_checking: scope.type_checking,
                        nested: scope.nested,
                    });
                }
            }
            Stmt::ImportFrom(i) => {
                if is_future(i) {
                    return;
                }
                let module = if i.level > 0 {
                    let rest = i.module.as_ref().map_or("", |m| self.text(m).trim());
                    super::resolve_relative(self.module, self.is_package, i.level as usize, rest)
                        .into()
                } else {
                    match &i.module {
                        Some(m) => compact(self.text(m)),
                        None => return,
                    }
                };
                let names = i
                    .names
                    .iter()
                    .map(|a| {
                        let name = self.text(&a.name).into();
                        (name, a.asname.as_ref().map(|x| self.text(x).into()))
                    })
                    .collect();
                self.out.imports.push(Import {
                    module,
                    names,
                    is_from: true,
                    span,
                    type_checking: scope.type_checking,
                    nested: scope.nested,
                });
            }
            _ => {}
        }
    }

    fn class(&mut self, def: &ast::StmtClassDef, scope: Scope) -> Class {
        let start = self.def_start(def.range, &def.decorator_list);
        let mut class = Class {
            name: def.name.as_str().into(),
            span: start..self.def_end(def.range.end(), &def.body),
            header: super::header_span(self.src, start),
            name_span: span(def.name.range),
            decorators: self.decorators(&def.decorator_list),
            ..Class::default()
        };
        if let Some(args) = &def.arguments {
            class.bases = self.bases(args);
        }
        let inner = Scope {
            nested: false,
            ..scope
        };
        for stmt in &def.body {
            if let Stmt::ClassDef(c) = stmt
                && c.name.as_str() == "Meta"
            {
                class.meta = Some(self.meta(c));
                continue;
            }
            self.statement(stmt, inner, Some(&mut class));
        }
        class
    }

    /// Superclasses as written, in order: positional ones, `*`/`**` spreads, and the comments
    /// between them (the walk this one replaced listed those too).
    fn bases(&self, args: &ast::Arguments) -> Vec<CompactString> {
        let mut found: Vec<(TextSize, CompactString)> = Vec::new();
        let mut covered: Vec<TextRange> = Vec::new();
        for a in args.iter_source_order() {
            match a {
                ast::ArgOrKeyword::Arg(e) => {
                    let written = self.with_parens_inside(e.range(), args.range);
                    found.push((written.start(), base_name(self.text(written))));
                    covered.push(e.range());
                }
                ast::ArgOrKeyword::Keyword(k) => {
                    if k.arg.is_none() {
                        found.push((k.start(), base_name(self.text(k))));
                    }
                    covered.push(k.range());
                }
            }
        }
        for t in self.within(args.range) {
            if t.kind() == TokenKind::Comment
                && !covered.iter().any(|r| r.contains_range(t.range()))
            {
                found.push((t.start(), base_name(self.text(t.range()))));
            }
        }
        found.sort_by_key(|(at, _)| *at);
        found.into_iter().map(|(_, b)| b).collect()
    }

    fn meta(&mut self, def: &ast::StmtClassDef) -> Meta {
        let mut meta = Meta::default();
        for stmt in &def.body {
            let (left, right): (&Expr, RightSide) = match stmt {
                Stmt::Assign(a) => match a.targets.as_slice() {
                    [left] => (left, RightSide::Expr(&a.value)),
                    [left, second, ..] => (
                        left,
                        RightSide::Chain(TextRange::new(second.start(), a.value.end())),
                    ),
                    [] => continue,
                },
                Stmt::AnnAssign(a) => match &a.value {
                    Some(v) => (&a.target, RightSide::Expr(v)),
                    None => continue,
                },
                _ => continue,
            };
            let right_text = match right {
                RightSide::Expr(e) => self.text(e),
                RightSide::Chain(r) => self.text(r),
            };
            match self.text(left) {
                "db_table" => {
                    if let RightSide::Expr(e) = right
                        && let Value::Str(s, _) = self.value(e)
                    {
                        meta.db_table = Some((s, span(stmt.range())));
                    }
                }
                "managed" => meta.managed = Some(right_text != "False"),
                "abstract" => meta.is_abstract = right_text == "True",
                _ => {}
            }
        }
        meta
    }

    fn function(&mut self, def: &ast::StmtFunctionDef, scope: Scope) -> Function {
        let decorators = self.decorators(&def.decorator_list);
        let mut f = Function {
            name: def.name.as_str().into(),
            span: self.def_start(def.range, &def.decorator_list)
                ..self.def_end(def.range.end(), &def.body),
            name_span: span(def.name.range),
            returns: def
                .returns
                .as_ref()
                .map(|r| compact_annotation(self.annotation_text(r))),
            is_abstract: decorators.iter().any(|d| d.ends_with("abstractmethod")),
            decorators,
            ..Function::default()
        };
        let p = &def.parameters;
        let annotation = |a: &Option<Box<Expr>>| {
            a.as_ref()
                .map(|t| compact_annotation(self.annotation_text(t)))
        };
        for param in p.posonlyargs.iter().chain(&p.args) {
            f.params.push(Param {
                name: param.parameter.name.as_str().into(),
                annotation: annotation(&param.parameter.annotation),
            });
        }
        // Untyped `*args` and `**kwargs` are not listed; typed ones are, with their stars.
        if let Some(v) = &p.vararg
            && v.annotation.is_some()
        {
            f.params.push(Param {
                name: compact_str::format_compact!("*{}", v.name.as_str()),
                annotation: annotation(&v.annotation),
            });
        }
        for param in &p.kwonlyargs {
            f.params.push(Param {
                name: param.parameter.name.as_str().into(),
                annotation: annotation(&param.parameter.annotation),
            });
        }
        if let Some(v) = &p.kwarg
            && v.annotation.is_some()
        {
            f.params.push(Param {
                name: compact_str::format_compact!("**{}", v.name.as_str()),
                annotation: annotation(&v.annotation),
            });
        }
        let saved_calls = std::mem::take(&mut self.out.calls);
        let inner = Scope {
            nested: true,
            ..scope
        };
        self.body(&def.body, &mut f, inner);
        // A function's calls live with the function only: see `FileFacts::all_calls`.
        f.calls = std::mem::replace(&mut self.out.calls, saved_calls);
        f
    }

    /// An import in a function body, or in a `TYPE_CHECKING` block of one.
    pub fn nested_import(&mut self, stmt: &Stmt, scope: Scope) {
        self.import(stmt, scope);
    }

    fn assignment(&mut self, stmt: &Stmt, scope: Scope, class: Option<&mut Class>) {
        let (left, rest, right, annotation, augmented): (&Expr, &[Expr], Option<&Expr>, _, bool) =
            match stmt {
                Stmt::Assign(a) => match a.targets.split_first() {
                    Some((left, rest)) => (left, rest, Some(&*a.value), None, false),
                    None => return,
                },
                Stmt::AnnAssign(a) => (
                    &*a.target,
                    &[][..],
                    a.value.as_deref(),
                    Some(compact(self.annotation_text(&a.annotation))),
                    false,
                ),
                Stmt::AugAssign(a) => (&*a.target, &[][..], Some(&*a.value), None, true),
                _ => return,
            };
        let is_name = left.is_name_expr();
        // Calls in a class-level value live in the field's value: see `FileFacts::all_calls`.
        if right.is_some() && (class.is_none() || !is_name) {
            for t in rest {
                self.expression(t);
            }
            if let Some(r) = right {
                self.expression(r);
            }
        }
        if !is_name {
            return;
        }
        let value = match (right, rest) {
            (Some(r), [] | [_]) => self.value(r),
            // `a = b = c = 1`: the walk this one replaced read `c = 1` as the value.
            (Some(r), [_, third, ..]) => {
                let range = TextRange::new(third.start(), r.end());
                Value::Other(compact(self.text(range)), span(range))
            }
            (None, _) => Value::Other(CompactString::default(), span(stmt.range())),
        };
        let assign = Assign {
            name: self.text(left).into(),
            annotation,
            value,
            span: span(stmt.range()),
            augmented,
        };
        match class {
            Some(c) => c.fields.push(assign),
            None if !scope.nested => {
                if assign.name == "__all__" {
                    self.out.all = Some(
                        assign
                            .value
                            .items()
                            .iter()
                            .filter_map(|v| v.as_str().map(CompactString::from))
                            .collect(),
                    );
                }
                self.out.assigns.push(assign)
            }
            None => {}
        }
    }
}

#[derive(Clone, Copy)]
enum RightSide<'a> {
    Expr(&'a Expr),
    /// A chained assignment's tail (`b = 1` of `a = b = 1`).
    Chain(TextRange),
}

pub(super) fn is_future(i: &ast::StmtImportFrom) -> bool {
    i.level == 0
        && i.module
            .as_ref()
            .is_some_and(|m| m.as_str() == "__future__")
}

/// A base class without its type arguments (`Generic[T]` -> `Generic`).
fn base_name(s: &str) -> CompactString {
    let mut out = compact(s);
    if let Some(i) = out.find('[') {
        out.truncate(i);
    }
    out
}
