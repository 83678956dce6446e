//! The leaf vocabulary: the words every layer shares and none owns. Severity, problems and where
//! they come from, byte spans of text, and the line index with its column encodings.
//!
//! *Invariant*: this module imports nothing of the crate above it (`server/tests/tidy.rs` checks),
//! so catalog, config, python, detect and the edges can all depend on it without circles.

pub mod line_index;

pub use line_index::{Encoding, LineCol, LineIndex};

use std::path::{Path, PathBuf};

/// A byte range in a text (tree-sitter and Rust strings count bytes).
pub type Span = std::ops::Range<usize>;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

/// Where a pattern or a problem comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// A page of the default catalog, by its path below `patterns/`.
    Embedded(String),
    /// A file on disk.
    File(PathBuf),
}

impl Source {
    /// `embedded` for the default catalog, else the file's path: what `catalog list` prints.
    pub fn label(&self) -> String {
        match self {
            Source::Embedded(_) => "embedded".to_string(),
            Source::File(p) => p.display().to_string(),
        }
    }

    /// A path to print beside a line number.
    pub fn display_path(&self) -> String {
        match self {
            Source::Embedded(rel) => format!("patterns/{rel}"),
            Source::File(p) => p.display().to_string(),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::File(p) => Some(p),
            Source::Embedded(_) => None,
        }
    }
}

/// Something wrong with a catalog file (a page, a guide, a detection query).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub source: Source,
    /// 1-based line.
    pub line: u32,
    pub severity: Severity,
    pub message: String,
}

impl Problem {
    pub fn new(source: &Source, line: u32, severity: Severity, message: impl Into<String>) -> Self {
        Problem {
            source: source.clone(),
            line: line.max(1),
            severity,
            message: message.into(),
        }
    }
}
