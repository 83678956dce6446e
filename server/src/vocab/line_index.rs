//! One line index for every position that crosses a boundary.
//!
//! Rust strings and tree-sitter count bytes; LSP counts UTF-16 code units (or UTF-8 bytes when the
//! client agrees); the CLI reports 1-based lines and columns in Unicode characters. Every
//! conversion goes through [`LineIndex`], so all of them agree on what a line is: LSP breaks lines
//! only at `\n`, `\r\n` and `\r`, and so does this index.

/// How a column is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 code units (bytes).
    Utf8,
    /// UTF-16 code units: the LSP default.
    Utf16,
    /// Unicode scalar values: what the CLI prints.
    Char,
}

/// A zero-based line and column, the column counted in some [`Encoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset of the start of each line.
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        // Line breaks found by `memchr` (every file with findings is indexed): `\n`, `\r\n` (its
        // `\n` starts the line) and a lone `\r`.
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                starts.push(i + 1);
            }
        }
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset where `line` starts (clamped to the end of the text).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    /// Zero-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// The byte range of `line` without its line break.
    pub fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let start = self.line_start(line);
        let mut end = if line + 1 < self.starts.len() {
            self.starts[line + 1]
        } else {
            self.len
        };
        let bytes = text.as_bytes();
        while end > start && matches!(bytes.get(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        start..end
    }

    /// Converts a byte offset into a line and a column in `enc`. An offset inside a character
    /// counts as that character's start.
    pub fn to_line_col(&self, text: &str, offset: usize, enc: Encoding) -> LineCol {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let prefix = &text[start..offset];
        let col = match enc {
            Encoding::Utf8 => prefix.len(),
            Encoding::Utf16 => prefix.chars().map(char::len_utf16).sum(),
            Encoding::Char => prefix.chars().count(),
        };
        LineCol {
            line: line as u32,
            col: col as u32,
        }
    }

    /// Converts a line and column in `enc` into a byte offset. A column past the end of the line
    /// clamps to the line's end; a line past the end clamps to the end of the text; a column in
    /// the middle of a character (a lone UTF-16 surrogate half) clamps to the character's start.
    pub fn to_offset(&self, text: &str, pos: LineCol, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= self.starts.len() {
            return self.len;
        }
        let range = self.line_range(text, line);
        let line_text = &text[range.clone()];
        let want = pos.col as usize;
        let mut seen = 0usize;
        for (i, ch) in line_text.char_indices() {
            let w = match enc {
                Encoding::Utf8 => ch.len_utf8(),
                Encoding::Utf16 => ch.len_utf16(),
                Encoding::Char => 1,
            };
            if seen + w > want {
                return range.start + i;
            }
            seen += w;
        }
        range.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line starts as first computed, a byte at a time.
    fn reference(text: &str) -> Vec<usize> {
        let bytes = text.as_bytes();
        let (mut starts, mut i) = (vec![0], 0);
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(i + 1);
                }
                _ => {}
            }
            i += 1;
        }
        starts
    }

    #[test]
    fn line_starts_match_the_byte_loop() {
        for t in [
            "",
            "\n",
            "\r",
            "\r\n",
            "\n\r",
            "\r\r\n\n",
            "a\nb\r\nc\rd",
            "é\r\né\n",
            "x\r",
            "\n\n\r\n\r\rend",
        ] {
            assert_eq!(LineIndex::new(t).starts, reference(t), "{t:?}");
        }
    }

    #[test]
    fn breaks_at_lf_crlf_and_cr_only() {
        let text = "a\nb\r\nc\rd\u{2028}e";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_range(text, 1), 2..3);
        assert_eq!(&text[idx.line_range(text, 3)], "d\u{2028}e");
    }

    #[test]
    fn columns_in_each_encoding() {
        let text = "x = 'é😀z'\n";
        let idx = LineIndex::new(text);
        let z = text.find('z').unwrap();
        assert_eq!(idx.to_line_col(text, z, Encoding::Utf8).col, 11);
        assert_eq!(idx.to_line_col(text, z, Encoding::Utf16).col, 8);
        assert_eq!(idx.to_line_col(text, z, Encoding::Char).col, 7);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Char] {
            let lc = idx.to_line_col(text, z, enc);
            assert_eq!(idx.to_offset(text, lc, enc), z);
        }
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "ab\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.to_offset(text, LineCol { line: 0, col: 99 }, Encoding::Utf16),
            2
        );
        assert_eq!(
            idx.to_offset(text, LineCol { line: 9, col: 0 }, Encoding::Utf16),
            5
        );
        // Half of a surrogate pair lands on the character's start.
        let text = "😀x";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.to_offset(text, LineCol { line: 0, col: 1 }, Encoding::Utf16),
            0
        );
    }
}
