//! Team-defined detection: a catalog page's `query` block (in `## Detection`) is a tree-sitter
//! query over Python; each `@pattern` capture is a recognition of that page's pattern. A team
//! teaches the server a pattern of its own without writing Rust.

use crate::vocab::{Problem, Severity, Source};
use std::sync::Arc;
use tree_sitter::{Query, QueryCursor, StreamingIterator, Tree};

#[derive(Debug)]
pub struct TeamQuery {
    /// The pattern id.
    pub id: String,
    pub query: Query,
    pub capture: u32,
}

/// The compiled detection queries of a catalog. The catalog keeps their text; whoever runs them
/// compiles them, once per catalog version.
#[derive(Debug, Default, Clone)]
pub struct TeamQueries(Vec<Arc<TeamQuery>>);

/// One query to compile: (pattern id, where it is written, its text, the 1-based line of its first
/// line in that file).
pub type QueryText<'a> = (&'a str, &'a Source, &'a str, u32);

impl TeamQueries {
    /// Compiles queries. An invalid one is a problem at its line and is left out.
    pub fn compile<'a>(
        texts: impl IntoIterator<Item = QueryText<'a>>,
    ) -> (TeamQueries, Vec<Problem>) {
        let mut ok = Vec::new();
        let mut problems = Vec::new();
        let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        for (id, source, text, line) in texts {
            match Query::new(&language, text) {
                Ok(query) => match query.capture_index_for_name("pattern") {
                    Some(capture) => ok.push(Arc::new(TeamQuery { id: id.to_string(), query, capture })),
                    None => problems.push(Problem::new(
                        source,
                        line,
                        Severity::Error,
                        format!("detection query of `{id}` has no `@pattern` capture: mark the node to report with `@pattern`"),
                    )),
                },
                Err(err) => problems.push(Problem::new(
                    source,
                    line + err.row as u32,
                    Severity::Error,
                    format!("invalid detection query ({:?} at column {}): {}", err.kind, err.column + 1, err.message.trim()),
                )),
            }
        }
        (TeamQueries(ok), problems)
    }

    pub fn as_slice(&self) -> &[Arc<TeamQuery>] {
        &self.0
    }
}

/// Runs the queries over a file's text: tree-sitter parses it only when there are queries.
pub fn run_on_text(
    queries: &[Arc<TeamQuery>],
    text: &str,
) -> Vec<(String, std::ops::Range<usize>)> {
    if queries.is_empty() {
        return Vec::new();
    }
    match crate::python::parse(text, None) {
        Some(tree) => run(queries, &tree, text),
        None => Vec::new(),
    }
}

/// Runs the queries over a parsed file: (pattern id, byte span of the capture).
pub fn run(
    queries: &[Arc<TeamQuery>],
    tree: &Tree,
    text: &str,
) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    if queries.is_empty() {
        return out;
    }
    let mut cursor = QueryCursor::new();
    cursor.set_match_limit(256);
    for q in queries {
        let mut matches = cursor.matches(&q.query, tree.root_node(), text.as_bytes());
        while let Some(m) = matches.next() {
            for c in m.captures.iter().filter(|c| c.index == q.capture) {
                out.push((q.id.clone(), c.node.byte_range()));
            }
            if out.len() > 10_000 {
                return out;
            }
        }
    }
    out.sort_by_key(|(_, s)| s.start);
    out.dedup();
    out
}
