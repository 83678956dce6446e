//! Open documents: text in a rope, edits applied in order, positions through the shared
//! [`LineIndex`]. No syntax tree is kept: facts come from ruff's parser on the whole text, and
//! tree-sitter parses a buffer only when the catalog carries team queries (`lsp::analysis`).

use crate::line_index::{Encoding, LineCol, LineIndex};
use ropey::Rope;
use std::sync::{Arc, OnceLock};
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
    /// The text as one string, and its line index: built from the rope on first use after a
    /// batch of changes, by whoever reads it (a request's blocking thread), never by
    /// `did_change`, which must stay cheap on big buffers.
    text: OnceLock<Arc<str>>,
    index: OnceLock<LineIndex>,
}

fn next_generation() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Is this Python buffer over the analysis cap (then it is neither parsed nor analysed)?
pub fn too_large(language: Language, len: usize) -> bool {
    language == Language::Python && len as u64 > crate::analysis::MAX_FILE_BYTES
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
        Document {
            version,
            generation: next_generation(),
            language,
            rope: Rope::from_str(text),
            text: OnceLock::from(Arc::<str>::from(text)),
            index: OnceLock::new(),
        }
    }

    /// The whole text.
    pub fn text(&self) -> &Arc<str> {
        self.text.get_or_init(|| Arc::from(self.rope.to_string()))
    }

    /// The line index of [`Document::text`].
    pub fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(self.text()))
    }

    /// The length of the text in bytes (no need to build it).
    pub fn len(&self) -> usize {
        self.rope.len_bytes()
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.rope.len_bytes() == 0
    }

    /// Applies changes in order: rope edits only; the text and index are built when next read.
    pub fn apply(
        &mut self,
        changes: &[TextDocumentContentChangeEvent],
        version: i32,
        enc: Encoding,
    ) {
        for change in changes {
            match change.range {
                None => self.rope = Rope::from_str(&change.text),
                Some(range) => {
                    let start = char_at(&self.rope, range.start, enc);
                    let end = char_at(&self.rope, range.end, enc).max(start);
                    self.rope.remove(start..end);
                    self.rope.insert(start, &change.text);
                }
            }
        }
        self.version = version;
        self.generation = next_generation();
        self.text = OnceLock::new();
        self.index = OnceLock::new();
    }

    pub fn offset(&self, pos: Position, enc: Encoding) -> usize {
        self.index().to_offset(
            self.text(),
            LineCol {
                line: pos.line,
                col: pos.character,
            },
            enc,
        )
    }

    pub fn position(&self, offset: usize, enc: Encoding) -> Position {
        to_position(self.text(), self.index(), offset, enc)
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

impl crate::ide::files::Buffer for Document {
    fn text(&self) -> Arc<str> {
        Document::text(self).clone()
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
    fn changes_apply_in_order_in_the_client_encoding() {
        let mut doc = Document::new("class A:\n    x = 'é😀'\n", 1, Language::Python);
        doc.apply(
            &[change(1, 12, 1, 12, "z"), change(0, 6, 0, 7, "Bé")],
            2,
            Encoding::Utf16,
        );
        assert_eq!(&**doc.text(), "class Bé:\n    x = 'é😀z'\n");
        assert_eq!(doc.version, 2);
    }
}
