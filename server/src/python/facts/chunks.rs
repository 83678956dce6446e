//! An edited buffer's facts, collected again only for the top-level statements the edit touched.
//!
//! A file that parses without errors is cut into *chunks*: a chunk starts at a top-level statement
//! that begins a logical line at column 0 (the first chunk at the start of the text) and runs to
//! the next chunk. At a chunk's start the lexer is in its first state: no open bracket or string,
//! no line continuation, indentation 0. And the walk of a chunk reads nothing past the first token
//! of the next one (the comments that close a definition's body are in its own chunk). So a run of
//! chunks, edited, can be parsed alone (ruff's parser starting at an offset, spans kept in the
//! whole text): if it parses without error and still ends at a line start, its facts are the ones
//! a parse of the whole file gives. The other chunks' facts are kept, those after the edit moved
//! by its change in length.
//!
//! Anything else (an edit that leaves or meets a syntax error, an `__all__` in the edited chunks, a
//! text the chunks were not made from, a module named otherwise since) returns `None`, and the
//! caller collects the whole file.

use super::model::*;
use super::walk::{Scope, Walker};
use ruff_python_ast::token::TokenKind;
use ruff_python_ast::{PySourceType, Stmt};
use ruff_python_parser::ParseOptions;
use ruff_text_size::{Ranged, TextRange, TextSize};

/// Where the chunks of a collected text start, and what each holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunks {
    chunks: Vec<Chunk>,
    /// The length and hash of the text they were cut from.
    len: usize,
    sum: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Chunk {
    start: usize,
    /// The index of the chunk's first import, class, function, assignment and module-level call
    /// in [`FileFacts`]' lists.
    first: Counts,
    /// A string of the chunk mentions TimescaleDB ([`FileFacts::timescale_sql`]).
    timescale: bool,
    /// The chunk assigns `__all__` ([`FileFacts::all`]: the last assignment wins).
    sets_all: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    imports: usize,
    classes: usize,
    functions: usize,
    assigns: usize,
    calls: usize,
}

impl Counts {
    fn of(f: &FileFacts) -> Counts {
        Counts {
            imports: f.imports.len(),
            classes: f.classes.len(),
            functions: f.functions.len(),
            assigns: f.assigns.len(),
            calls: f.calls.len(),
        }
    }
}

impl Chunks {
    /// How many chunks the text was cut into.
    pub fn len(&self) -> usize {
        self.chunks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }
}

/// Walks `body` (top-level statements of a parse whose tokens the walker holds), chunk by chunk:
/// the first chunk starts at `start`, the next ones at each statement that begins a logical line.
fn walk_chunked(w: &mut Walker<'_>, body: &[Stmt], start: usize) -> Vec<Chunk> {
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let at = if i == 0 {
            start
        } else {
            body[i].start().to_usize()
        };
        let mut j = i + 1;
        while j < body.len() && !starts_line(w, &body[j]) {
            j += 1;
        }
        // A chunk's own `timescale_sql` and `__all__`, the file's kept aside meanwhile.
        let timescale = std::mem::replace(&mut w.out.timescale_sql, false);
        let all = w.out.all.take();
        let first = Counts::of(&w.out);
        for stmt in &body[i..j] {
            w.statement(stmt, Scope::default(), None);
        }
        let sets_all = w.out.all.is_some();
        if !sets_all {
            w.out.all = all;
        }
        chunks.push(Chunk {
            start: at,
            first,
            timescale: w.out.timescale_sql,
            sets_all,
        });
        w.out.timescale_sql |= timescale;
        i = j;
    }
    if chunks.is_empty() {
        chunks.push(Chunk {
            start,
            first: Counts::of(&w.out),
            timescale: false,
            sets_all: false,
        });
    }
    chunks
}

/// Does `stmt` begin a logical line at column 0 (after a `Newline` token, not after `;` or a
/// backslash continuation)?
fn starts_line(w: &Walker<'_>, stmt: &Stmt) -> bool {
    let at = stmt.start();
    if at.to_usize() == 0 || w.src.as_bytes().get(at.to_usize() - 1) != Some(&b'\n') {
        return false;
    }
    w.before(at)
        .iter()
        .rev()
        .find(|t| {
            !matches!(
                t.kind(),
                TokenKind::Comment
                    | TokenKind::NonLogicalNewline
                    | TokenKind::Dedent
                    | TokenKind::Indent
            )
        })
        .is_some_and(|t| t.kind() == TokenKind::Newline)
}

/// Walks a whole file's top-level statements (`text`: the file's), cutting them into chunks.
pub(super) fn walk_file(w: &mut Walker<'_>, body: &[Stmt], text: &str) -> Chunks {
    Chunks {
        chunks: walk_chunked(w, body, 0),
        len: text.len(),
        sum: crate::python::source::text_sum(text),
    }
}

/// The facts of `new`, an edit of `old` whose facts and chunks are given, and its chunks; `None`
/// when the edit cannot be collected alone (then collect `new` whole).
pub fn recollect(
    old: &str,
    facts: &FileFacts,
    chunks: &Chunks,
    new: &str,
    module: &str,
    is_package: bool,
) -> Option<(FileFacts, Chunks)> {
    // Relative imports were resolved against the module: a file now named otherwise (an
    // `__init__.py` appeared above it) is collected whole.
    if chunks.len != old.len()
        || chunks.sum != crate::python::source::text_sum(old)
        || chunks.chunks.is_empty()
        || facts.has_errors
        || facts.module != module
        || facts.is_package != is_package
    {
        return None;
    }
    let cs = &chunks.chunks;
    // The edit: the bytes between the common prefix and the common suffix.
    let prefix = common_prefix(old.as_bytes(), new.as_bytes());
    let room = old.len().min(new.len()) - prefix;
    let suffix = common_suffix(old.as_bytes(), new.as_bytes()).min(room);
    if prefix == old.len() && old.len() == new.len() {
        return Some((facts.clone(), chunks.clone()));
    }
    let old_end = old.len() - suffix;
    // The chunks it touches. An edit at a chunk's very start takes the chunk before it too: text
    // put before a statement (a comment under the last body, a decorator) is read with that one.
    let mut a = cs.partition_point(|c| c.start <= prefix).saturating_sub(1);
    if a > 0 && cs[a].start == prefix {
        a -= 1;
    }
    let b = if old_end > prefix {
        cs.partition_point(|c| c.start < old_end).saturating_sub(1)
    } else {
        a
    }
    .max(a);
    let start = cs[a].start;
    let old_stop = cs.get(b + 1).map_or(old.len(), |c| c.start);
    if cs[a..=b].iter().any(|c| c.sets_all) {
        return None;
    }
    // In the new text, the run ends where the next kept chunk starts.
    let stop = new.len() - (old.len() - old_stop);
    let run = new.get(start..stop)?;
    if stop < new.len() && (!run.ends_with('\n') || continued(run)) {
        return None;
    }
    // The guard a whole collect applies, to the whole text: it counts brackets in strings too, so
    // a run's depth carries on into the chunks after it.
    if super::too_deep(new) {
        return None;
    }
    let range = TextRange::new(
        TextSize::try_from(start).ok()?,
        TextSize::try_from(stop).ok()?,
    );
    let (part, part_chunks) = stacker::maybe_grow(256 * 1024, 16 * 1024 * 1024, || {
        let parsed = ruff_python_parser::parse_cells_unchecked(
            new,
            [range],
            &ParseOptions::from(PySourceType::Python),
        );
        if !parsed.errors().is_empty() {
            return None;
        }
        let body = &parsed.syntax().body;
        // Past the first chunk, the run starts with a statement (its first byte is untouched).
        // A first chunk holds the file's first statement: a run of it without one is not a chunk.
        let first = body.first().map(|s| s.start().to_usize());
        if (a > 0 && first != Some(start)) || (first.is_none() && b + 1 < cs.len()) {
            return None;
        }
        let mut w = Walker::new(new, parsed.tokens(), module, is_package);
        let part_chunks = walk_chunked(&mut w, body, start);
        let mut part = w.out;
        drop(parsed);
        part.shrink();
        Some((part, part_chunks))
    })?;
    if part.all.is_some() {
        return None;
    }
    let delta = new.len() as isize - old.len() as isize;
    let kept_before = cs[a].first;
    let kept_after = cs.get(b + 1).map(|c| c.first);
    let out = FileFacts {
        module: facts.module.clone(),
        is_package: facts.is_package,
        imports: splice(
            &facts.imports,
            kept_before.imports,
            kept_after.map(|c| c.imports),
            part.imports,
            delta,
        ),
        classes: splice(
            &facts.classes,
            kept_before.classes,
            kept_after.map(|c| c.classes),
            part.classes,
            delta,
        ),
        functions: splice(
            &facts.functions,
            kept_before.functions,
            kept_after.map(|c| c.functions),
            part.functions,
            delta,
        ),
        assigns: splice(
            &facts.assigns,
            kept_before.assigns,
            kept_after.map(|c| c.assigns),
            part.assigns,
            delta,
        ),
        calls: splice(
            &facts.calls,
            kept_before.calls,
            kept_after.map(|c| c.calls),
            part.calls,
            delta,
        ),
        timescale_sql: cs[..a].iter().chain(&cs[b + 1..]).any(|c| c.timescale)
            || part.timescale_sql,
        has_errors: false,
        all: facts.all.clone(),
    };
    // The chunks: those before kept, the run's, those after moved (in the text and in the lists).
    let mut out_chunks = Vec::with_capacity(a + part_chunks.len() + cs.len() - b - 1);
    out_chunks.extend_from_slice(&cs[..a]);
    out_chunks.extend(part_chunks.into_iter().map(|mut c| {
        c.first = add(c.first, kept_before);
        c
    }));
    // Those after it: their lists start as far on as the run's facts outnumber those replaced.
    let (was, now) = (Counts::of(facts), Counts::of(&out));
    out_chunks.extend(cs[b + 1..].iter().map(|c| Chunk {
        start: c.start.wrapping_add_signed(delta),
        first: sub(add(c.first, now), was),
        ..*c
    }));
    Some((
        out,
        Chunks {
            chunks: out_chunks,
            len: new.len(),
            sum: crate::python::source::text_sum(new),
        },
    ))
}

fn add(a: Counts, b: Counts) -> Counts {
    Counts {
        imports: a.imports + b.imports,
        classes: a.classes + b.classes,
        functions: a.functions + b.functions,
        assigns: a.assigns + b.assigns,
        calls: a.calls + b.calls,
    }
}

fn sub(a: Counts, b: Counts) -> Counts {
    Counts {
        imports: a.imports - b.imports,
        classes: a.classes - b.classes,
        functions: a.functions - b.functions,
        assigns: a.assigns - b.assigns,
        calls: a.calls - b.calls,
    }
}

/// The run's last line ends in a backslash: the next line would continue it.
fn continued(run: &str) -> bool {
    run.trim_end_matches('\n')
        .trim_end_matches('\r')
        .ends_with('\\')
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    // Eight bytes at a time, then the rest: texts of hundreds of kilobytes, edited one byte.
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n && a[i..i + 8] == b[i..i + 8] {
        i += 8;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut i = 0;
    while i + 8 <= n && a[n - i - 8..n - i] == b[n - i - 8..n - i] {
        i += 8;
    }
    while i < n && a[n - i - 1] == b[n - i - 1] {
        i += 1;
    }
    i
}

/// `old`'s items before `keep_until`, then `part`, then `old`'s items from `resume` on, moved by
/// `delta` bytes.
fn splice<T: Clone + Shift>(
    old: &[T],
    keep_until: usize,
    resume: Option<usize>,
    part: Vec<T>,
    delta: isize,
) -> Vec<T> {
    let after = resume.map_or(&[][..], |r| &old[r..]);
    let mut out = Vec::with_capacity(keep_until + part.len() + after.len());
    out.extend_from_slice(&old[..keep_until]);
    out.extend(part);
    out.extend(after.iter().map(|t| {
        let mut t = t.clone();
        t.shift(delta);
        t
    }));
    out
}

/// Moves every byte span of a fact by `delta`. Each impl names every field of its struct, so a new
/// field does not compile until it is said whether it holds a span.
trait Shift {
    fn shift(&mut self, delta: isize);
}

impl Shift for Span {
    fn shift(&mut self, delta: isize) {
        self.start = self.start.wrapping_add_signed(delta);
        self.end = self.end.wrapping_add_signed(delta);
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, delta: isize) {
        self.iter_mut().for_each(|t| t.shift(delta));
    }
}

impl<T: Shift> Shift for Box<[T]> {
    fn shift(&mut self, delta: isize) {
        self.iter_mut().for_each(|t| t.shift(delta));
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, delta: isize) {
        if let Some(t) = self {
            t.shift(delta);
        }
    }
}

impl Shift for Import {
    fn shift(&mut self, delta: isize) {
        let Import {
            module: _,
            names: _,
            is_from: _,
            span,
            type_checking: _,
            nested: _,
        } = self;
        span.shift(delta);
    }
}

impl Shift for Class {
    fn shift(&mut self, delta: isize) {
        let Class {
            name: _,
            span,
            header,
            name_span,
            bases: _,
            decorators: _,
            methods,
            fields,
            meta,
        } = self;
        span.shift(delta);
        header.shift(delta);
        name_span.shift(delta);
        methods.shift(delta);
        fields.shift(delta);
        meta.shift(delta);
    }
}

impl Shift for Meta {
    fn shift(&mut self, delta: isize) {
        let Meta {
            db_table,
            managed: _,
            is_abstract: _,
        } = self;
        if let Some((_, span)) = db_table {
            span.shift(delta);
        }
    }
}

impl Shift for Function {
    fn shift(&mut self, delta: isize) {
        let Function {
            name: _,
            span,
            name_span,
            params: _,
            returns: _,
            decorators: _,
            calls,
            attributes,
            returns_q: _,
            withs: _,
            comparisons: _,
            returns_string: _,
            is_abstract: _,
        } = self;
        span.shift(delta);
        name_span.shift(delta);
        calls.shift(delta);
        attributes.iter_mut().for_each(|(_, s)| s.shift(delta));
    }
}

impl Shift for Call {
    fn shift(&mut self, delta: isize) {
        let Call {
            func: _,
            args,
            kwargs,
            span,
        } = self;
        args.shift(delta);
        kwargs.iter_mut().for_each(|(_, v)| v.shift(delta));
        span.shift(delta);
    }
}

impl Shift for Assign {
    fn shift(&mut self, delta: isize) {
        let Assign {
            name: _,
            annotation: _,
            value,
            span,
            augmented: _,
        } = self;
        value.shift(delta);
        span.shift(delta);
    }
}

impl Shift for Value {
    fn shift(&mut self, delta: isize) {
        match self {
            Value::Str(_, s) | Value::Bool(_, s) | Value::Name(_, s) | Value::Other(_, s) => {
                s.shift(delta)
            }
            Value::List(items, s) => {
                items.shift(delta);
                s.shift(delta);
            }
            Value::Dict(entries, s) => {
                entries.iter_mut().for_each(|(k, v)| {
                    k.shift(delta);
                    v.shift(delta);
                });
                s.shift(delta);
            }
            Value::Call(c) => c.shift(delta),
        }
    }
}
