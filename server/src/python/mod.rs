//! Python source -> facts. ruff's parser (error-tolerant, a typed AST) and one walk per file
//! collect the small facts every detector needs ([`facts::FileFacts`]); no tree is kept.
//! tree-sitter ([`parse`]) serves only the team `query` blocks of catalog pages, and the
//! refactors' parse check. Never imports or runs the user's code.

pub mod facts;
pub mod incremental;
pub mod names;
pub mod project;
pub mod queries;
pub mod relations;
pub mod routers;
pub mod source;

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
