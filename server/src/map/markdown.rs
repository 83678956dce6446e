//! The context map inside a Markdown design doc: a ```mermaid block between marker comments,
//! inserted once and refreshed in place.

pub const START: &str = "<!-- pattern-language:map -->";
pub const END: &str = "<!-- /pattern-language:map -->";

/// The block with its markers.
pub fn block(mermaid: &str) -> String {
    let mut body = mermaid.to_string();
    if !body.ends_with('\n') {
        body.push('\n');
    }
    format!("{START}\n```mermaid\n{body}```\n{END}")
}

/// Byte range of an existing block, markers included.
pub fn find(text: &str) -> Option<std::ops::Range<usize>> {
    let start = text.find(START)?;
    let end = text[start..].find(END)? + start + END.len();
    Some(start..end)
}

/// The edit that writes the map into `text`: (byte range to replace, new text). An existing
/// block is replaced; otherwise the block goes at `insert_at` (clamped to a line start), on lines
/// of its own.
pub fn edit(text: &str, mermaid: &str, insert_at: usize) -> (std::ops::Range<usize>, String) {
    if let Some(range) = find(text) {
        return (range, block(mermaid));
    }
    let mut at = insert_at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    // To the start of its line.
    at = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut new = block(mermaid);
    new.push('\n');
    if at > 0 && !text[..at].ends_with("\n\n") {
        new.insert(0, '\n');
    }
    if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
        new.insert(0, '\n');
    }
    (at..at, new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, (range, new): (std::ops::Range<usize>, String)) -> String {
        format!("{}{}{}", &text[..range.start], new, &text[range.end..])
    }

    #[test]
    fn inserts_then_refreshes_in_place() {
        let doc = "# Design\n\nSome prose.\n\n## Next\n";
        let at = doc.find("## Next").unwrap_or(0);
        let once = apply(doc, edit(doc, "flowchart BT\n  a --> b\n", at));
        assert!(once.contains("<!-- pattern-language:map -->\n```mermaid\nflowchart BT\n"));
        assert!(
            once.ends_with("<!-- /pattern-language:map -->\n## Next\n"),
            "{once}"
        );
        let twice = apply(&once, edit(&once, "flowchart BT\n  a --> c\n", 0));
        assert!(twice.contains("a --> c") && !twice.contains("a --> b"));
        assert_eq!(twice.matches(START).count(), 1);
        assert!(twice.starts_with("# Design\n\nSome prose.\n\n"));
    }
}
