//! pattern-language: Domain-Driven Design patterns for Django, as a library, a language server
//! and a checker. See ARCHITECTURE.md for the map.
pub mod analysis;
pub mod cache;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod compiled;
pub mod config;
pub mod detect;
pub mod ide;
pub mod lsp;
pub mod map;
pub mod map_command;
pub mod markdown;
pub mod python;
pub mod refactor;
pub mod suppression;
pub mod vocab;

/// The line index lives in the leaf vocabulary; this path stays for its many users.
pub use vocab::line_index;
