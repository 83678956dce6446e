//! One pass over a file's syntax tree (ruff's parser, a typed AST), collecting the facts
//! detectors read.
//!
//! Facts hold byte spans into the file's text and short strings; no tree nodes. Half-typed code
//! yields fewer facts near the error (the parser recovers, and this walk reads what it recovered),
//! and nothing else changes.

mod exprs;
mod model;
mod walk;

pub use model::*;

use ruff_python_ast::PySourceType;

/// Collects the facts of one file's text.
pub fn collect(src: &str, module: &str, is_package: bool) -> FileFacts {
    // The parser and the AST's drop recurse: deep nesting (5,000 nested calls) needs more stack
    // than a rayon worker has. `stacker` grows it on demand (ruff's parser does the same).
    stacker::maybe_grow(256 * 1024, 16 * 1024 * 1024, || {
        let parsed = ruff_python_parser::parse_unchecked_source(src, PySourceType::Python);
        let mut w = walk::Walker::new(src, parsed.tokens(), module, is_package);
        w.out.has_errors = !parsed.errors().is_empty();
        for stmt in &parsed.syntax().body {
            w.statement(stmt, walk::Scope::default(), None);
        }
        let mut out = w.out;
        out.module = module.to_string();
        out.is_package = is_package;
        drop(parsed);
        out
    })
}
