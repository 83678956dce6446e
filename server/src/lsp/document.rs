//! Open documents: text in a rope, edits applied in order, positions through the shared
//! [`LineIndex`], and (for Python) the syntax tree kept for incremental reparsing.

use crate::line_index::{Encoding, LineCol, LineIndex};
use ropey::Rope;
use std::sync::Arc;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Python,
    Markdown,
    Other,
}

impl Language {
    pub fn from(language_id: &str, path: &str) -> Language {
        match language_id {
            "python" => Language::Python,
            "markdown" => Language::Markdown,
            _ if path.ends_with(".py") || path.ends_with(".pyi") => Language::Python,
            _ if path.ends_with(".md") || path.ends_with(".markdown") => Language::Markdown,
            _ => Language::Other,
        }
    }
}

/// A document as one request sees it: handlers take an `Arc` of it and release the map, so that
/// a change arriving meanwhile makes a new one (copy on write) instead of changing this one.
#[derive(Clone)]
pub struct Document {
    pub version: i32,
    /// A number no other content of any document ever had: caches are keyed by it, never by
    /// `version` (clients restart versions at 1 on every open).
    pub generation: u64,
    pub language: Language,
    rope: Rope,
    /// The text as one string, and its line index: rebuilt after each batch of changes.
    pub text: Arc<str>,
    pub index: LineIndex,
    pub tree: Option<tree_sitter::Tree>,
}

fn next_generation() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Is this Python buffer over the analysis cap (then it is neither parsed nor analysed)?
pub fn too_large(language: Language, text: &str) -> bool {
    language == Language::Python && text.len() as u64 > crate::analysis::MAX_FILE_BYTES
}

/// Where `pos` falls in `rope`, as a char index (clamped).
fn char_at(rope: &Rope, pos: Position, enc: Encoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let start = rope.line_to_char(line);
    let slice = rope.line(line);
    // Exclude the line break.
    let mut len = slice.len_chars();
    while len > 0 && matches!(slice.char(len - 1), '\n' | '\r') {
        len -= 1;
    }
    let want = pos.character as usize;
    let mut seen = 0usize;
    for (i, ch) in slice.chars().take(len).enumerate() {
        let w = match enc {
            Encoding::Utf8 => ch.len_utf8(),
            Encoding::Utf16 => ch.len_utf16(),
            Encoding::Char => 1,
        };
        if seen + w > want {
            return start + i;
        }
        seen += w;
    }
    start + len
}

impl Document {
    pub fn new(text: &str, version: i32, language: Language) -> Document {
        let rope = Rope::from_str(text);
        let text: Arc<str> = Arc::from(text);
        let index = LineIndex::new(&text);
        let tree = if language == Language::Python && !too_large(language, &text) {
            crate::python::parse(&text, None)
        } else {
            None
        };
        Document {
            version,
            generation: next_generation(),
            language,
            rope,
            text,
            index,
            tree,
        }
    }

    /// Applies changes in order. The Python tree is edited change by change and reparsed once.
    pub fn apply(
        &mut self,
        changes: &[TextDocumentContentChangeEvent],
        version: i32,
        enc: Encoding,
    ) {
        for change in changes {
            match change.range {
                None => {
                    self.rope = Rope::from_str(&change.text);
                    self.tree = None;
                }
                Some(range) => {
                    let start = char_at(&self.rope, range.start, enc);
                    let end = char_at(&self.rope, range.end, enc).max(start);
                    let start_byte = self.rope.char_to_byte(start);
                    let old_end_byte = self.rope.char_to_byte(end);
                    let start_point = point(&self.rope, start_byte);
                    let old_end_point = point(&self.rope, old_end_byte);
                    self.rope.remove(start..end);
                    self.rope.insert(start, &change.text);
                    let new_end_byte = start_byte + change.text.len();
                    if let Some(tree) = self.tree.as_mut() {
                        tree.edit(&tree_sitter::InputEdit {
                            start_byte,
                            old_end_byte,
                            new_end_byte,
                            start_position: start_point,
                            old_end_position: old_end_point,
                            new_end_position: point(&self.rope, new_end_byte),
                        });
                    }
                }
            }
        }
        self.version = version;
        self.generation = next_generation();
        let text = self.rope.to_string();
        self.index = LineIndex::new(&text);
        if too_large(self.language, &text) {
            self.tree = None;
        } else if self.language == Language::Python {
            self.tree = crate::python::parse(&text, self.tree.as_ref());
        }
        self.text = Arc::from(text);
    }

    pub fn offset(&self, pos: Position, enc: Encoding) -> usize {
        self.index.to_offset(
            &self.text,
            LineCol {
                line: pos.line,
                col: pos.character,
            },
            enc,
        )
    }

    pub fn position(&self, offset: usize, enc: Encoding) -> Position {
        to_position(&self.text, &self.index, offset, enc)
    }

    pub fn range(&self, span: &std::ops::Range<usize>, enc: Encoding) -> Range {
        Range::new(self.position(span.start, enc), self.position(span.end, enc))
    }
}

pub fn to_position(text: &str, index: &LineIndex, offset: usize, enc: Encoding) -> Position {
    let lc = index.to_line_col(text, offset, enc);
    Position::new(lc.line, lc.col)
}

pub fn to_range(
    text: &str,
    index: &LineIndex,
    span: &std::ops::Range<usize>,
    enc: Encoding,
) -> Range {
    Range::new(
        to_position(text, index, span.start, enc),
        to_position(text, index, span.end, enc),
    )
}

/// tree-sitter's point (row, byte column) of a byte offset.
fn point(rope: &Rope, byte: usize) -> tree_sitter::Point {
    let byte = byte.min(rope.len_bytes());
    let line = rope.byte_to_line(byte);
    tree_sitter::Point {
        row: line,
        column: byte - rope.line_to_byte(line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(l1: u32, c1: u32, l2: u32, c2: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l1, c1), Position::new(l2, c2))),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn incremental_edits_match_a_fresh_parse() {
        let mut doc = Document::new("class A:\n    x = 'é😀'\n", 1, Language::Python);
        doc.apply(
            &[change(1, 12, 1, 12, "z"), change(0, 6, 0, 7, "Bé")],
            2,
            Encoding::Utf16,
        );
        assert_eq!(&*doc.text, "class Bé:\n    x = 'é😀z'\n");
        let fresh = crate::python::parse(&doc.text, None).unwrap();
        assert_eq!(
            doc.tree.as_ref().unwrap().root_node().to_sexp(),
            fresh.root_node().to_sexp()
        );
    }
}
