//! Small parts of the analysis pipeline: suppression comments, the order of walked paths.

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

/// The walk's byte order is `Path`'s component order on clean paths.
#[test]
fn path_order_is_component_order() {
    use pattern_language::analysis::path_order;
    use std::path::PathBuf;
    let mut paths: Vec<PathBuf> = [
        "/a/b",
        "/a.b",
        "/a/b/c",
        "/a-b/c",
        "/a",
        "/ab",
        "/a/b.py",
        "/a/b/__init__.py",
        "/a0",
        "/a/B",
        "/a/é/x.py",
        "/a/e/x.py",
        "/a /b",
        "/a/b c",
        "/z",
        "/a/b/c/d/e.md",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    let mut by_components = paths.clone();
    by_components.sort();
    paths.sort_by(|a, b| path_order(a, b));
    assert_eq!(paths, by_components);
}
