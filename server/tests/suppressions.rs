//! `# pattern-language: ignore[...]` comments: where they are and what they name.

use pattern_language::analysis::suppressions;

#[test]
fn marks_with_their_lines_spans_and_rules() {
    let text = "import os\r\nx = 1  # pattern-language: ignore[cross-context-import, orm-in-domain]\n\n# pattern-language: ignore[]\ny = 2 # pattern-language: ignore[a] # pattern-language: ignore[b]\nz = 3 # pattern-language: ignore[never closed\nw = 4 # pattern-language: ignore[uuid4-primary-key]";
    let found: Vec<(usize, &str, Vec<String>)> = suppressions(text)
        .into_iter()
        .map(|s| (s.line, &text[s.span.clone()], s.rules.to_vec()))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                1,
                "# pattern-language: ignore[cross-context-import, orm-in-domain]",
                vec![
                    "cross-context-import".to_string(),
                    "orm-in-domain".to_string()
                ]
            ),
            (3, "# pattern-language: ignore[]", vec![]),
            // Only the first mark of a line counts.
            (4, "# pattern-language: ignore[a]", vec!["a".to_string()]),
            // A mark without its `]` on its line names nothing, and the next line is its own.
            (
                6,
                "# pattern-language: ignore[uuid4-primary-key]",
                vec!["uuid4-primary-key".to_string()]
            ),
        ]
    );
}

#[test]
fn no_marks_no_suppressions() {
    assert!(suppressions("").is_empty());
    assert!(suppressions("x = '# pattern-language: ignore'\n").is_empty());
}
