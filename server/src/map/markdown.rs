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
    // To the start of its line, and out of a fenced code block the cursor is in.
    at = text[..at].rfind('\n').map_or(0, |i| i + 1);
    at = outside_fence(text, at);
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

/// `at` (a line start), or the start of the line after the fence that closes the block `at` is in.
fn outside_fence(text: &str, at: usize) -> usize {
    let mut open: Option<&str> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        let fence = ["```", "~~~"].into_iter().find(|f| t.starts_with(f));
        if offset >= at && open.is_none() {
            return at;
        }
        match (open, fence) {
            (None, Some(f)) => open = Some(f),
            (Some(o), Some(f))
                if o == f && t.trim_end().chars().all(|c| c == f.as_bytes()[0] as char) =>
            {
                open = None;
                if offset >= at {
                    return offset + line.len();
                }
            }
            _ => {}
        }
        offset += line.len();
    }
    if open.is_some() { text.len() } else { at }
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

    #[test]
    fn never_inside_a_code_block() {
        let doc = "# Design\n\n```python\nx = 1\ny = 2\n```\nAfter.\n";
        let at = doc.find("y = 2").unwrap_or(0);
        let out = apply(doc, edit(doc, "flowchart BT\n", at));
        assert!(
            out.contains("y = 2\n```\n\n<!-- pattern-language:map -->"),
            "{out}"
        );
        let unclosed = "# Design\n```\ncode\n";
        let out = apply(unclosed, edit(unclosed, "flowchart BT\n", 14));
        assert!(out.starts_with("# Design\n```\ncode\n"), "{out}");
    }
}
