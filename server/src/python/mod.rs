//! Python source -> facts. tree-sitter parses (error-tolerant); one walk per file collects the
//! small facts every detector needs ([`facts::FileFacts`]); the tree is dropped after, unless the
//! caller keeps it for incremental reparsing. Never imports or runs the user's code.

pub mod facts;
pub mod incremental;
pub mod names;
pub mod project;
pub mod queries;

use std::cell::RefCell;
use tree_sitter::{Parser, Tree};

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Parses `text`, reusing `old` (already edited with `Tree::edit`) when given. One parser per thread.
pub fn parse(text: &str, old: Option<&Tree>) -> Option<Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut parser = Parser::new();
            parser
                .set_language(&tree_sitter_python::LANGUAGE.into())
                .ok()?;
            *slot = Some(parser);
        }
        slot.as_mut()?.parse(text, old)
    })
}
