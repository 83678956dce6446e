//! One pass over a file's syntax tree (ruff's parser, a typed AST), collecting the facts
//! detectors read.
//!
//! Facts hold byte spans into the file's text and short strings; no tree nodes. Half-typed code
//! yields fewer facts near the error (the parser recovers, and this walk reads what it recovered),
//! and nothing else changes.

mod chunks;
mod exprs;
mod model;
mod walk;

pub use chunks::{Chunks, recollect};
pub use model::*;

use ruff_python_ast::PySourceType;

/// Collects the facts of one file's text.
pub fn collect(src: &str, module: &str, is_package: bool) -> FileFacts {
    collect_with(src, module, is_package, false).0
}

/// Collects the facts of one file's text, and, when it parses without errors, the chunks an edit
/// of it can be collected again from ([`recollect`]).
pub fn collect_chunked(src: &str, module: &str, is_package: bool) -> (FileFacts, Option<Chunks>) {
    collect_with(src, module, is_package, true)
}

fn collect_with(
    src: &str,
    module: &str,
    is_package: bool,
    chunked: bool,
) -> (FileFacts, Option<Chunks>) {
    // CPython itself refuses more than 200 nested brackets; ruff's parser recurses per level.
    // A text nested deeper than this (counted roughly, strings included) is not Python anyone
    // runs: it yields no facts, as a file with errors, instead of a deep recursion.
    if too_deep(src) {
        let facts = FileFacts {
            module: module.into(),
            is_package,
            has_errors: true,
            ..Default::default()
        };
        return (facts, None);
    }
    // The parser and the AST's drop recurse: deep nesting (5,000 nested calls) needs more stack
    // than a rayon worker has. `stacker` grows it on demand (ruff's parser does the same).
    stacker::maybe_grow(256 * 1024, 16 * 1024 * 1024, || {
        let parsed = ruff_python_parser::parse_unchecked_source(src, PySourceType::Python);
        let mut w = walk::Walker::new(src, parsed.tokens(), module, is_package);
        w.out.has_errors = !parsed.errors().is_empty();
        let body = &parsed.syntax().body;
        let chunks = if chunked && !w.out.has_errors {
            Some(chunks::walk_file(&mut w, body, src))
        } else {
            for stmt in body {
                w.statement(stmt, walk::Scope::default(), None);
            }
            None
        };
        let mut out = w.out;
        out.module = module.into();
        out.is_package = is_package;
        drop(parsed);
        out.shrink();
        (out, chunks)
    })
}

/// Is `offset` inside a string literal or a comment (the cursor just after its last character
/// counts, an unterminated string reaches the end of its line)? Tokens from ruff's lexer.
pub fn in_string_or_comment(src: &str, offset: usize) -> bool {
    use ruff_python_ast::token::TokenKind;
    use ruff_text_size::Ranged;
    if too_deep(src) {
        return false;
    }
    stacker::maybe_grow(256 * 1024, 16 * 1024 * 1024, || {
        let parsed = ruff_python_parser::parse_unchecked_source(src, PySourceType::Python);
        parsed.tokens().iter().any(|t| {
            let (start, end) = (t.start().to_usize(), t.end().to_usize());
            start < offset
                && offset <= end
                && matches!(
                    t.kind(),
                    TokenKind::String
                        | TokenKind::Comment
                        | TokenKind::FStringStart
                        | TokenKind::FStringMiddle
                        | TokenKind::Unknown
                )
        })
    })
}

/// Deeper than this (roughly counted) is not parsed; CPython's own limit is 200.
const MAX_BRACKET_DEPTH: usize = 1_000;

/// Are brackets nested deeper than [`MAX_BRACKET_DEPTH`] (see [`bracket_depth`])? Most files do
/// not open that many brackets in all: a count of the opening ones, which the compiler vectorises,
/// settles it without the walk.
fn too_deep(src: &str) -> bool {
    opens_more_than(src.as_bytes(), MAX_BRACKET_DEPTH) && bracket_depth(src) > MAX_BRACKET_DEPTH
}

/// Does `bytes` hold more than `bound` opening brackets? Counted 64 bytes at a time into a byte
/// (a shape the compiler turns into vector compares), stopping once past the bound.
fn opens_more_than(bytes: &[u8], bound: usize) -> bool {
    let opening = |b: &u8| u8::from(*b == b'(') + u8::from(*b == b'[') + u8::from(*b == b'{');
    let mut chunks = bytes.chunks_exact(64);
    let mut n = 0usize;
    for chunk in &mut chunks {
        n += usize::from(chunk.iter().map(opening).fold(0u8, u8::wrapping_add));
        if n > bound {
            return true;
        }
    }
    n + chunks
        .remainder()
        .iter()
        .map(|b| usize::from(opening(b)))
        .sum::<usize>()
        > bound
}

/// The deepest nesting of brackets, counted over the raw bytes outside comments (strings are
/// not skipped: a false alarm needs a thousand unclosed brackets inside literals).
fn bracket_depth(src: &str) -> usize {
    /// What a byte adds to the depth.
    const DELTA: [i32; 256] = {
        let mut t = [0; 256];
        t[b'(' as usize] = 1;
        t[b'[' as usize] = 1;
        t[b'{' as usize] = 1;
        t[b')' as usize] = -1;
        t[b']' as usize] = -1;
        t[b'}' as usize] = -1;
        t
    };
    let bytes = src.as_bytes();
    let (mut depth, mut max) = (0i32, 0i32);
    let mut rest = bytes;
    // The text between comments: a table lookup, an add and two maxima per byte, no branch
    // that depends on the byte (brackets are dense in code); comments are found by `memchr`
    // and skipped to their line's end.
    loop {
        let code_end = memchr::memchr(b'#', rest).unwrap_or(rest.len());
        for &b in &rest[..code_end] {
            depth = (depth + DELTA[b as usize]).max(0);
            max = max.max(depth);
        }
        if code_end == rest.len() {
            break;
        }
        let after = &rest[code_end..];
        match memchr::memchr(b'\n', after) {
            Some(n) => rest = &after[n + 1..],
            None => break,
        }
    }
    usize::try_from(max).unwrap_or(0)
}

/// Where `name` is used in `src` as code: its name tokens (not comments, docstrings or other
/// strings), and string annotations naming it (`"Loan"`, `"list[Loan]"`: a string of one type
/// expression, no spaces but around `|` and after `,`). Byte offsets, from ruff's lexer.
pub fn name_uses(src: &str, name: &str) -> Vec<usize> {
    use ruff_python_ast::token::TokenKind;
    use ruff_text_size::Ranged;
    if too_deep(src) || name.is_empty() {
        return Vec::new();
    }
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    stacker::maybe_grow(256 * 1024, 16 * 1024 * 1024, || {
        let parsed = ruff_python_parser::parse_unchecked_source(src, PySourceType::Python);
        let mut out = Vec::new();
        for t in parsed.tokens().iter() {
            let (start, end) = (t.start().to_usize(), t.end().to_usize());
            let Some(text) = src.get(start..end) else {
                continue;
            };
            match t.kind() {
                TokenKind::Name if text == name => out.push(start),
                TokenKind::String => {
                    let inner = text.trim_matches(['"', '\'']);
                    let typed = inner.len() + 2 == text.len()
                        && inner
                            .replace(" | ", "|")
                            .replace(", ", ",")
                            .chars()
                            .all(|c| {
                                c.is_alphanumeric()
                                    || matches!(c, '_' | '.' | '[' | ']' | ',' | '|')
                            });
                    if typed
                        && inner.match_indices(name).any(|(i, _)| {
                            !is_word(inner[..i].chars().next_back())
                                && !is_word(inner[i + name.len()..].chars().next())
                        })
                    {
                        out.push(start);
                    }
                }
                _ => {}
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::{MAX_BRACKET_DEPTH, bracket_depth, too_deep};

    /// The count as first written: a byte at a time.
    fn reference(src: &str) -> usize {
        let (mut depth, mut max, mut comment) = (0usize, 0usize, false);
        for b in src.bytes() {
            match b {
                b'\n' => comment = false,
                _ if comment => {}
                b'#' => comment = true,
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    max = max.max(depth);
                }
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        max
    }

    #[test]
    fn opening_brackets_are_counted_past_a_bound() {
        for n in [0usize, 1, 63, 64, 65, 999, 1000, 1001, 5000] {
            for filler in ["", "x", "a)b", "é"] {
                let text: String = (0..n)
                    .map(|i| format!("{filler}{}", ["(", "[", "{"][i % 3]))
                    .collect();
                for bound in [0usize, 1, 64, 1000] {
                    assert_eq!(
                        super::opens_more_than(text.as_bytes(), bound),
                        n > bound,
                        "{n} {filler:?} {bound}"
                    );
                }
            }
        }
    }

    #[test]
    fn bracket_depth_counts_as_the_byte_loop() {
        let mut texts: Vec<String> = [
            "",
            "((",
            "f(a[1], {2: (3)})",
            "# ((((\n(",
            "x = 1  # ) ) )\n((",
            "((# )\n))",
            "# only a comment, no newline (((",
            "))))((",
            "s = '((('  # é (\r\n[é]",
            "#\n#\n(\n#(\n)",
        ]
        .map(String::from)
        .to_vec();
        texts.push(format!("{}1{}", "(".repeat(1500), ")".repeat(1500)));
        // Many brackets, none deep; and just over the bound, in a comment's shadow.
        texts.push("f(x)[0]\n".repeat(1500));
        texts.push(format!("# (((\n{}", "[".repeat(MAX_BRACKET_DEPTH + 1)));
        texts.push("(".repeat(MAX_BRACKET_DEPTH));
        texts.extend(
            [
                include_str!("../../../../tests/fixtures/shop/shop/settings/base.py"),
                include_str!("../../../../tests/fixtures/shop/billing/invoicing/models.py"),
                include_str!("../../../../tests/fixtures/shop/catalog/repositories.py"),
            ]
            .map(String::from),
        );
        for t in &texts {
            assert_eq!(bracket_depth(t), reference(t), "{t:?}");
            assert_eq!(too_deep(t), reference(t) > MAX_BRACKET_DEPTH, "{t:?}");
        }
    }
}
