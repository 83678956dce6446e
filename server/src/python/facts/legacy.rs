//! One walk over a file's syntax tree, collecting the facts detectors read.
//!
//! Facts hold byte spans into the file's text and short strings; no tree nodes. Half-typed code
//! yields fewer facts near the error (tree-sitter wraps it in `ERROR` nodes, which this walk skips
//! into but never trusts for structure), and nothing else changes.

use tree_sitter::Node;

use super::model::*;

const MAX_TEXT: usize = 200;

/// How deep a [`Value`] nests (calls in calls, lists in dicts): deeper is kept as text. Every call
/// keeps its arguments, so without a bound `f(f(f(...)))` is quadratic, and recursion overflows.
const MAX_VALUE_DEPTH: usize = 24;

/// How deep compound statements nest before the walk stops descending (the walk recurses).
const MAX_STATEMENT_DEPTH: usize = 100;

struct Walker<'a> {
    src: &'a str,
    module: String,
    is_package: bool,
    out: FileFacts,
    /// Nesting of the statement being walked.
    depth: usize,
    /// Nesting of the value being read.
    value_depth: std::cell::Cell<usize>,
}

fn compact(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .take(MAX_TEXT)
        .collect()
}

/// A base class without its type arguments (`Generic[T]` -> `Generic`).
fn base_name(s: &str) -> String {
    let mut out = compact(s);
    if let Some(i) = out.find('[') {
        out.truncate(i);
    }
    out
}

/// Collects the facts of one parsed file.
pub fn collect(tree: &tree_sitter::Tree, src: &str, module: &str, is_package: bool) -> FileFacts {
    collect_cached(tree, src, module, is_package, &mut FactsCache::default())
}

/// Facts of top-level statements, by their text: an edit re-walks only the statements it touched.
#[derive(Default, Debug, Clone)]
pub struct FactsCache {
    entries: std::collections::HashMap<u64, FileFacts>,
}

fn statement_key(text: &str, module: &str, is_package: bool) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    module.hash(&mut h);
    is_package.hash(&mut h);
    h.finish()
}

/// Like [`collect`], reusing the facts of unchanged top-level statements from `cache` (and
/// leaving in it exactly the statements of this text).
pub fn collect_cached(
    tree: &tree_sitter::Tree,
    src: &str,
    module: &str,
    is_package: bool,
    cache: &mut FactsCache,
) -> FileFacts {
    let root = tree.root_node();
    let mut out = FileFacts {
        has_errors: root.has_error(),
        ..FileFacts::default()
    };
    let mut next = std::collections::HashMap::new();
    let mut cursor = root.walk();
    for child in root.named_children(&mut cursor) {
        let range = child.byte_range();
        let text = src.get(range.clone()).unwrap_or("");
        let key = statement_key(text, module, is_package);
        // Error recovery depends on the text that follows: a statement with an error inside is
        // walked again every time, and never cached.
        let trusted = !child.has_error();
        let cached = if trusted {
            cache
                .entries
                .remove(&key)
                .or_else(|| next.get(&key).cloned())
        } else {
            None
        };
        let part = match cached {
            Some(part) => part,
            None => {
                let mut w = Walker {
                    src,
                    module: module.to_string(),
                    is_package,
                    out: FileFacts::default(),
                    depth: 0,
                    value_depth: std::cell::Cell::new(0),
                };
                w.statement(child, Scope::default(), None);
                let mut part = w.out;
                shift(&mut part, -(range.start as isize));
                part
            }
        };
        let mut placed = part.clone();
        shift(&mut placed, range.start as isize);
        if trusted {
            next.insert(key, part);
        }
        out.imports.extend(placed.imports);
        out.classes.extend(placed.classes);
        out.functions.extend(placed.functions);
        out.assigns.extend(placed.assigns);
        out.calls.extend(placed.calls);
        out.timescale_sql |= placed.timescale_sql;
        if placed.all.is_some() {
            out.all = placed.all;
        }
    }
    cache.entries = next;
    out.module = module.to_string();
    out.is_package = is_package;
    out
}

fn shift_span(span: &mut Span, by: isize) {
    span.start = (span.start as isize + by).max(0) as usize;
    span.end = (span.end as isize + by).max(0) as usize;
}

fn shift_value(v: &mut Value, by: isize) {
    match v {
        Value::Str(_, s) | Value::Bool(_, s) | Value::Name(_, s) | Value::Other(_, s) => {
            shift_span(s, by)
        }
        Value::List(items, s) => {
            shift_span(s, by);
            items.iter_mut().for_each(|i| shift_value(i, by));
        }
        Value::Dict(entries, s) => {
            shift_span(s, by);
            for (k, v) in entries {
                shift_value(k, by);
                shift_value(v, by);
            }
        }
        Value::Call(c) => shift_call(c, by),
    }
}

fn shift_call(c: &mut Call, by: isize) {
    shift_span(&mut c.span, by);
    c.args.iter_mut().for_each(|a| shift_value(a, by));
    c.kwargs.iter_mut().for_each(|(_, v)| shift_value(v, by));
}

fn shift_assign(a: &mut Assign, by: isize) {
    shift_span(&mut a.span, by);
    shift_value(&mut a.value, by);
}

fn shift_function(f: &mut Function, by: isize) {
    shift_span(&mut f.span, by);
    shift_span(&mut f.name_span, by);
    f.calls.iter_mut().for_each(|c| shift_call(c, by));
    f.attributes.iter_mut().for_each(|(_, s)| shift_span(s, by));
}

/// Moves every span of `facts` by `by` bytes.
fn shift(facts: &mut FileFacts, by: isize) {
    facts
        .imports
        .iter_mut()
        .for_each(|i| shift_span(&mut i.span, by));
    for c in &mut facts.classes {
        shift_span(&mut c.span, by);
        shift_span(&mut c.name_span, by);
        c.methods.iter_mut().for_each(|m| shift_function(m, by));
        c.fields.iter_mut().for_each(|a| shift_assign(a, by));
        if let Some((_, s)) = c.meta.as_mut().and_then(|m| m.db_table.as_mut()) {
            shift_span(s, by);
        }
    }
    facts
        .functions
        .iter_mut()
        .for_each(|f| shift_function(f, by));
    facts.assigns.iter_mut().for_each(|a| shift_assign(a, by));
    facts.calls.iter_mut().for_each(|c| shift_call(c, by));
}

#[derive(Default, Clone, Copy)]
struct Scope {
    type_checking: bool,
    nested: bool,
}

impl<'a> Walker<'a> {
    fn text(&self, n: Node) -> &'a str {
        self.src.get(n.byte_range()).unwrap_or("")
    }

    fn block(&mut self, node: Node, scope: &mut Scope, mut class: Option<&mut Class>) {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        for child in children {
            match class.as_deref_mut() {
                Some(c) => self.statement(child, *scope, Some(c)),
                None => self.statement(child, *scope, None),
            }
        }
    }

    fn statement(&mut self, node: Node, scope: Scope, class: Option<&mut Class>) {
        if self.depth >= MAX_STATEMENT_DEPTH {
            return;
        }
        self.depth += 1;
        self.statement_inner(node, scope, class);
        self.depth -= 1;
    }

    fn statement_inner(&mut self, node: Node, scope: Scope, mut class: Option<&mut Class>) {
        match node.kind() {
            "import_statement" | "import_from_statement" => self.import(node, scope),
            "future_import_statement" => {}
            "class_definition" => {
                let c = self.class(node, Vec::new(), scope);
                match class {
                    Some(_) => {} // nested classes other than Meta are not tracked
                    None if !scope.nested => self.out.classes.push(c),
                    None => {}
                }
            }
            "function_definition" => {
                let f = self.function(node, Vec::new(), scope);
                self.place_function(f, scope, class);
            }
            "decorated_definition" => {
                let mut cursor = node.walk();
                let decorators: Vec<String> = node
                    .named_children(&mut cursor)
                    .filter(|n| n.kind() == "decorator")
                    .map(|d| compact(self.text(d).trim_start_matches('@')))
                    .collect();
                if let Some(def) = node.child_by_field_name("definition") {
                    match def.kind() {
                        "class_definition" => {
                            let c = self.class(def, decorators, scope);
                            if class.is_none() && !scope.nested {
                                self.out.classes.push(c);
                            }
                        }
                        "function_definition" => {
                            let f = self.function(def, decorators, scope);
                            self.place_function(f, scope, class);
                        }
                        _ => {}
                    }
                }
            }
            "expression_statement" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    match child.kind() {
                        "assignment" | "augmented_assignment" => {
                            self.assignment(child, node, scope, class.as_deref_mut())
                        }
                        _ => self.expression(child, None),
                    }
                }
            }
            "if_statement" => {
                let cond = node
                    .child_by_field_name("condition")
                    .map(|c| self.text(c))
                    .unwrap_or("");
                let tc = cond.contains("TYPE_CHECKING");
                let inner = Scope {
                    type_checking: scope.type_checking || tc,
                    ..scope
                };
                if let Some(c) = node.child_by_field_name("condition") {
                    self.expression(c, None);
                }
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    match child.kind() {
                        "block" => self.block(child, &mut inner.clone(), None),
                        "elif_clause" | "else_clause" => {
                            let s = if child.kind() == "else_clause" {
                                scope
                            } else {
                                inner
                            };
                            if let Some(b) = child
                                .child_by_field_name("consequence")
                                .or_else(|| child.child_by_field_name("body"))
                            {
                                self.block(b, &mut s.clone(), None);
                            }
                        }
                        _ => {}
                    }
                }
            }
            "try_statement" | "with_statement" | "for_statement" | "while_statement"
            | "match_statement" => {
                self.descend(node, scope);
            }
            "ERROR" => self.descend(node, scope),
            _ => {
                self.expression(node, None);
            }
        }
    }

    /// Walks compound statements' blocks as module-level code (settings in `try:` blocks count).
    fn descend(&mut self, node: Node, scope: Scope) {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        for child in children {
            match child.kind() {
                "block" => self.block(child, &mut scope.clone(), None),
                "except_clause" | "finally_clause" | "else_clause" | "case_clause" => {
                    self.descend(child, scope)
                }
                "with_clause" => self.expression(child, None),
                k if k.ends_with("statement") || k.ends_with("definition") || k == "ERROR" => {
                    self.statement(child, scope, None)
                }
                _ => self.expression(child, None),
            }
        }
    }

    fn place_function(&mut self, f: Function, scope: Scope, class: Option<&mut Class>) {
        match class {
            Some(c) => c.methods.push(f),
            None if !scope.nested => self.out.functions.push(f),
            None => {}
        }
    }

    fn import(&mut self, node: Node, scope: Scope) {
        let span = node.byte_range();
        if node.kind() == "import_statement" {
            let mut cursor = node.walk();
            let names: Vec<Node> = node.children_by_field_name("name", &mut cursor).collect();
            for n in names {
                let (module, alias) = match n.kind() {
                    "aliased_import" => (
                        n.child_by_field_name("name")
                            .map(|x| self.text(x))
                            .unwrap_or(""),
                        n.child_by_field_name("alias")
                            .map(|x| self.text(x).to_string()),
                    ),
                    _ => (self.text(n), None),
                };
                self.out.imports.push(Import {
                    module: compact(module),
                    names: alias
                        .map(|a| vec![(String::new(), Some(a))])
                        .unwrap_or_default(),
                    is_from: false,
                    span: span.clone(),
                    type_checking: scope.type_checking,
                    nested: scope.nested,
                });
            }
            return;
        }
        let Some(module_node) = node.child_by_field_name("module_name") else {
            return;
        };
        let module = if module_node.kind() == "relative_import" {
            let raw = self.text(module_node);
            let dots = raw.chars().take_while(|c| *c == '.').count();
            resolve_relative(&self.module, self.is_package, dots, raw[dots..].trim())
        } else {
            compact(self.text(module_node))
        };
        let mut names = Vec::new();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if child.kind() == "wildcard_import" {
                names.push(("*".to_string(), None));
            }
        }
        let mut cursor = node.walk();
        let listed: Vec<Node> = node.children_by_field_name("name", &mut cursor).collect();
        for n in listed {
            match n.kind() {
                "aliased_import" => names.push((
                    n.child_by_field_name("name")
                        .map(|x| self.text(x).to_string())
                        .unwrap_or_default(),
                    n.child_by_field_name("alias")
                        .map(|x| self.text(x).to_string()),
                )),
                _ => names.push((self.text(n).to_string(), None)),
            }
        }
        self.out.imports.push(Import {
            module,
            names,
            is_from: true,
            span,
            type_checking: scope.type_checking,
            nested: scope.nested,
        });
    }

    fn class(&mut self, node: Node, decorators: Vec<String>, scope: Scope) -> Class {
        let mut class = Class {
            name: node
                .child_by_field_name("name")
                .map(|n| self.text(n).to_string())
                .unwrap_or_default(),
            span: node.byte_range(),
            name_span: node
                .child_by_field_name("name")
                .map_or(node.byte_range(), |n| n.byte_range()),
            decorators,
            ..Class::default()
        };
        if let Some(supers) = node.child_by_field_name("superclasses") {
            let mut cursor = supers.walk();
            for arg in supers.named_children(&mut cursor) {
                if arg.kind() != "keyword_argument" {
                    class.bases.push(base_name(self.text(arg)));
                }
            }
        }
        if let Some(body) = node.child_by_field_name("body") {
            let inner = Scope {
                nested: false,
                ..scope
            };
            let mut cursor = body.walk();
            let children: Vec<Node> = body.named_children(&mut cursor).collect();
            for child in children {
                let def = if child.kind() == "decorated_definition" {
                    child.child_by_field_name("definition")
                } else {
                    Some(child)
                };
                if let Some(def) = def
                    && def.kind() == "class_definition"
                    && def.child_by_field_name("name").map(|n| self.text(n)) == Some("Meta")
                {
                    class.meta = Some(self.meta(def));
                    continue;
                }
                self.statement(child, inner, Some(&mut class));
            }
        }
        class
    }

    fn meta(&mut self, node: Node) -> Meta {
        let mut meta = Meta::default();
        let Some(body) = node.child_by_field_name("body") else {
            return meta;
        };
        let mut cursor = body.walk();
        for stmt in body.named_children(&mut cursor) {
            if stmt.kind() != "expression_statement" {
                continue;
            }
            let Some(assign) = stmt.named_child(0).filter(|n| n.kind() == "assignment") else {
                continue;
            };
            let (Some(left), Some(right)) = (
                assign.child_by_field_name("left"),
                assign.child_by_field_name("right"),
            ) else {
                continue;
            };
            match self.text(left) {
                "db_table" => {
                    if let Value::Str(s, _) = self.value(right) {
                        meta.db_table = Some((s, stmt.byte_range()));
                    }
                }
                "managed" => meta.managed = Some(self.text(right) != "False"),
                "abstract" => meta.is_abstract = self.text(right) == "True",
                _ => {}
            }
        }
        meta
    }

    fn function(&mut self, node: Node, decorators: Vec<String>, scope: Scope) -> Function {
        let mut f = Function {
            name: node
                .child_by_field_name("name")
                .map(|n| self.text(n).to_string())
                .unwrap_or_default(),
            span: node.byte_range(),
            name_span: node
                .child_by_field_name("name")
                .map_or(node.byte_range(), |n| n.byte_range()),
            returns: node
                .child_by_field_name("return_type")
                .map(|n| compact_annotation(self.text(n))),
            is_abstract: decorators.iter().any(|d| d.ends_with("abstractmethod")),
            decorators,
            ..Function::default()
        };
        if let Some(params) = node.child_by_field_name("parameters") {
            let mut cursor = params.walk();
            for p in params.named_children(&mut cursor) {
                let (name, annotation) = match p.kind() {
                    "identifier" => (self.text(p).to_string(), None),
                    "typed_parameter" => (
                        p.named_child(0)
                            .map(|n| self.text(n).to_string())
                            .unwrap_or_default(),
                        p.child_by_field_name("type")
                            .map(|t| compact_annotation(self.text(t))),
                    ),
                    "default_parameter" => (
                        p.child_by_field_name("name")
                            .map(|n| self.text(n).to_string())
                            .unwrap_or_default(),
                        None,
                    ),
                    "typed_default_parameter" => (
                        p.child_by_field_name("name")
                            .map(|n| self.text(n).to_string())
                            .unwrap_or_default(),
                        p.child_by_field_name("type")
                            .map(|t| compact_annotation(self.text(t))),
                    ),
                    _ => continue,
                };
                f.params.push(Param { name, annotation });
            }
        }
        if let Some(body) = node.child_by_field_name("body") {
            let saved_calls = std::mem::take(&mut self.out.calls);
            self.body(
                body,
                &mut f,
                Scope {
                    nested: true,
                    ..scope
                },
            );
            // A function's calls live with the function only: see `FileFacts::all_calls`.
            f.calls = std::mem::replace(&mut self.out.calls, saved_calls);
        }
        f
    }

    /// A function body: statements, with the function's own facts collected on the way.
    fn body(&mut self, node: Node, f: &mut Function, scope: Scope) {
        // (node, whether its parent is an attribute): `Node::parent` walks from the root.
        let mut stack = vec![(node, false)];
        while let Some((n, in_attribute)) = stack.pop() {
            match n.kind() {
                "function_definition" | "class_definition" if n != node => continue,
                "import_statement" | "import_from_statement" => {
                    self.import(n, scope);
                    continue;
                }
                "if_statement"
                    if n.child_by_field_name("condition")
                        .is_some_and(|c| self.text(c).contains("TYPE_CHECKING")) =>
                {
                    let mut cursor = n.walk();
                    for b in n
                        .named_children(&mut cursor)
                        .filter(|c| c.kind() == "block")
                    {
                        let mut c2 = b.walk();
                        for s in b.named_children(&mut c2) {
                            if matches!(s.kind(), "import_statement" | "import_from_statement") {
                                self.import(
                                    s,
                                    Scope {
                                        type_checking: true,
                                        ..scope
                                    },
                                );
                            }
                        }
                    }
                    continue;
                }
                "return_statement" => {
                    if let Some(v) = n.named_child(0) {
                        if is_q_expression(v, self.src) {
                            f.returns_q = true;
                        }
                        if v.kind() == "string" {
                            f.returns_string = true;
                        }
                    }
                }
                "with_item" => {
                    if let Some(v) = n.child_by_field_name("value") {
                        f.withs.push(compact(self.text(v)));
                    }
                }
                "comparison_operator" => f.comparisons.push(compact(self.text(n))),
                "call" => {
                    let call = self.call(n);
                    self.out.calls.push(call);
                }
                "attribute" if !in_attribute => {
                    f.attributes.push((compact(self.text(n)), n.byte_range()));
                }
                "string" => {
                    let t = self.text(n);
                    if t.len() > 12
                        && (t.contains("time_bucket(") || t.contains("create_hypertable"))
                    {
                        self.out.timescale_sql = true;
                    }
                }
                _ => {}
            }
            let mut cursor = n.walk();
            let children: Vec<Node> = n.named_children(&mut cursor).collect();
            let is_attribute = n.kind() == "attribute";
            stack.extend(children.into_iter().rev().map(|c| (c, is_attribute)));
        }
    }

    /// Module- and class-level expressions: calls and strings.
    fn expression(&mut self, node: Node, _hint: Option<()>) {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            match n.kind() {
                "call" => {
                    let call = self.call(n);
                    self.out.calls.push(call);
                }
                "string" => {
                    let t = self.text(n);
                    if t.contains("time_bucket(") || t.contains("create_hypertable") {
                        self.out.timescale_sql = true;
                    }
                }
                "lambda" => continue,
                _ => {}
            }
            let mut cursor = n.walk();
            let children: Vec<Node> = n.named_children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
    }

    fn call(&self, node: Node) -> Call {
        let func = node
            .child_by_field_name("function")
            .map(|f| compact(self.text(f)))
            .unwrap_or_default();
        let mut call = Call {
            func,
            args: Vec::new(),
            kwargs: Vec::new(),
            span: node.byte_range(),
        };
        if let Some(args) = node.child_by_field_name("arguments") {
            let mut cursor = args.walk();
            for a in args.named_children(&mut cursor) {
                match a.kind() {
                    "keyword_argument" => {
                        if let (Some(k), Some(v)) = (
                            a.child_by_field_name("name"),
                            a.child_by_field_name("value"),
                        ) {
                            call.kwargs.push((self.text(k).to_string(), self.value(v)));
                        }
                    }
                    "comment" => {}
                    _ => call.args.push(self.value(a)),
                }
            }
        }
        call
    }

    fn value(&self, node: Node) -> Value {
        let depth = self.value_depth.get();
        if depth >= MAX_VALUE_DEPTH {
            return Value::Other(compact(self.text(node)), node.byte_range());
        }
        self.value_depth.set(depth + 1);
        let v = self.value_inner(node);
        self.value_depth.set(depth);
        v
    }

    fn value_inner(&self, node: Node) -> Value {
        let span = node.byte_range();
        match node.kind() {
            "string" | "concatenated_string" => Value::Str(string_value(node, self.src), span),
            "true" => Value::Bool(true, span),
            "false" => Value::Bool(false, span),
            "identifier" | "attribute" => Value::Name(compact(self.text(node)), span),
            "list" | "tuple" | "set" => {
                let mut cursor = node.walk();
                let items = node
                    .named_children(&mut cursor)
                    .filter(|n| n.kind() != "comment")
                    .map(|n| self.value(n))
                    .collect();
                Value::List(items, span)
            }
            "dictionary" => {
                let mut entries = Vec::new();
                let mut cursor = node.walk();
                for pair in node.named_children(&mut cursor) {
                    match pair.kind() {
                        "pair" => {
                            if let (Some(k), Some(v)) = (
                                pair.child_by_field_name("key"),
                                pair.child_by_field_name("value"),
                            ) {
                                entries.push((self.value(k), self.value(v)));
                            }
                        }
                        "dictionary_splat" => {
                            let name = pair
                                .named_child(0)
                                .map(|n| format!("**{}", compact(self.text(n))))
                                .unwrap_or_default();
                            entries.push((
                                Value::Name(name, pair.byte_range()),
                                Value::Other(String::new(), pair.byte_range()),
                            ));
                        }
                        _ => {}
                    }
                }
                Value::Dict(entries, span)
            }
            "call" => Value::Call(Box::new(self.call(node))),
            "parenthesized_expression" => node
                .named_child(0)
                .map_or(Value::Other(String::new(), span.clone()), |n| self.value(n)),
            _ => Value::Other(compact(self.text(node)), span),
        }
    }

    fn assignment(&mut self, node: Node, stmt: Node, scope: Scope, class: Option<&mut Class>) {
        let (Some(left), right) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
        ) else {
            return;
        };
        // Calls in a class-level value live in the field's value: see `FileFacts::all_calls`.
        if let Some(right) = right
            && (class.is_none() || left.kind() != "identifier")
        {
            self.expression(right, None);
        }
        if left.kind() != "identifier" {
            return;
        }
        let name = self.text(left).to_string();
        let value = match right {
            Some(r) if r.kind() == "assignment" => r
                .child_by_field_name("right")
                .map_or(Value::Other(String::new(), r.byte_range()), |v| {
                    self.value(v)
                }),
            Some(r) => self.value(r),
            None => Value::Other(String::new(), node.byte_range()),
        };
        let annotation = node.child_by_field_name("type").map(|t| {
            self.text(t)
                .chars()
                .filter(|c| !c.is_whitespace())
                .take(MAX_TEXT)
                .collect()
        });
        let assign = Assign {
            name,
            annotation,
            value,
            span: stmt.byte_range(),
            augmented: node.kind() == "augmented_assignment",
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
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect(),
                    );
                }
                self.out.assigns.push(assign)
            }
            None => {}
        }
    }
}

fn compact_annotation(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .take(MAX_TEXT)
        .collect::<String>()
        .trim_matches(['"', '\''])
        .to_string()
}

/// `Q(...)`, `models.Q(...)`, or `&`, `|`, `~` of them (iterative: operands nest arbitrarily).
fn is_q_expression(node: Node, src: &str) -> bool {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "call"
                if node
                    .child_by_field_name("function")
                    .and_then(|f| src.get(f.byte_range()))
                    .is_some_and(|f| f == "Q" || f.ends_with(".Q")) =>
            {
                return true;
            }
            "binary_operator" | "unary_operator" | "parenthesized_expression" => {
                let mut cursor = node.walk();
                stack.extend(node.named_children(&mut cursor));
            }
            _ => {}
        }
    }
    false
}

/// The text of a string literal without prefix and quotes (concatenations joined).
pub fn string_value(node: Node, src: &str) -> String {
    let mut out = String::new();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "string_content" => out.push_str(src.get(child.byte_range()).unwrap_or("")),
            "string" => out.push_str(&string_value(child, src)),
            "interpolation" => out.push_str("{…}"),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_collection_equals_a_fresh_one_after_edits() {
        let before = "import uuid\nfrom .models import A\n\nclass Repo:\n    def get(self, pk):\n        return A.objects.get(pk=pk).to_domain()\n\nX = {'a': [1, 'b']}\n";
        let after = "import uuid\nfrom .models import A, B\n\nclass Repo:\n    def get(self, pk):\n        return A.objects.get(pk=pk).to_domain()\n\nX = {'a': [1, 'b']}\n";
        let mut cache = FactsCache::default();
        let t1 = crate::python::parse(before, None).unwrap();
        let _ = collect_cached(&t1, before, "app.repos", false, &mut cache);
        let t2 = crate::python::parse(after, None).unwrap();
        let cached = collect_cached(&t2, after, "app.repos", false, &mut cache);
        let fresh = collect(&t2, after, "app.repos", false);
        assert_eq!(format!("{cached:?}"), format!("{fresh:?}"));
        assert_eq!(cache.entries.len(), 4);
    }
}
