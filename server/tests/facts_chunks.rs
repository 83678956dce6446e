//! An edited buffer's facts collected again from the top-level statements the edit touched
//! (`facts::recollect`, as the server does on every change of an open file) equal a whole collect
//! of the new text: facts and chunks, over thousands of edits of the fixture projects' files and
//! over code typed a character at a time.

use pattern_language::python::facts::{collect_chunked, recollect};
use std::path::Path;

/// Texts the edits are made in: the fixture projects' Python files and a few shapes of their
/// own (statements on one line, continuations, comments that close a body, `__all__`).
fn texts() -> Vec<String> {
    let mut out = vec![
        "import os\nx = 1; y = 2\nz = 3 \\\n    + 4\n".to_string(),
        "class A:\n    x = 1\n    # closes A\n# not A's\nclass B(A):\n    pass\n".to_string(),
        "@dec\nclass A:\n    pass\n\n\n@other(1)\ndef f():\n    return g()\n".to_string(),
        "__all__ = ['a']\nfrom .m import a\nif TYPE_CHECKING:\n    from b import C\n".to_string(),
        "SQL = 'SELECT time_bucket(1)'\n\ndef f():\n    return h()\n".to_string(),
        "\u{feff}# coding: utf-8\n\"\"\"Doc.\"\"\"\nx = 'é'\r\ny = 2\r\n".to_string(),
        String::new(),
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let mut stack = vec![root];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "py") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() > 50, "the fixture projects' Python files");
    out.extend(files.iter().filter_map(|p| std::fs::read_to_string(p).ok()));
    out
}

const SNIPPETS: &[&str] = &[
    "x",
    "\n",
    "(",
    ")",
    "#",
    "    ",
    "'",
    "\"\"\"",
    "\\\n",
    ";",
    ":",
    "\n\n\n",
    "class Z(models.Model):\n    id = models.UUIDField(default=uuid.uuid4)\n",
    "@dec\n",
    "__all__ = ['a']\n",
    "    # c\n",
    "from x.y import z\n",
    "'time_bucket('",
    "def g(a: int) -> str:\n    return f(a)\n",
];

/// The edit number `k` at byte `at` of `text`: a snippet inserted, or a character, a line or
/// a range deleted.
fn edit(text: &str, at: usize, k: usize) -> String {
    let at = (0..=at)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let mut out = text.to_string();
    match k % (SNIPPETS.len() + 3) {
        n if n < SNIPPETS.len() => out.insert_str(at, SNIPPETS[n]),
        n if n == SNIPPETS.len() => {
            if let Some(c) = text[at..].chars().next() {
                out.replace_range(at..at + c.len_utf8(), "");
            }
        }
        n if n == SNIPPETS.len() + 1 => {
            let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
            out.replace_range(start..end, "");
        }
        _ => {
            let end = (at + 37).min(text.len());
            let end = (end..=text.len())
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(at);
            out.replace_range(at..end, "");
        }
    }
    out
}

fn json<T: serde::Serialize>(t: &T) -> String {
    serde_json::to_string(t).unwrap_or_default()
}

/// Every edit collected alone gives the facts and the chunks a whole collect of the new text
/// gives; chains of edits too (each from the last one's result).
#[test]
fn an_edit_collected_alone_matches_a_whole_collect() {
    let (mut tried, mut alone) = (0usize, 0usize);
    for (n, text) in texts().iter().enumerate() {
        let (module, is_package) = ("app.models", n % 5 == 0);
        let mut current = text.clone();
        let (facts, chunks) = collect_chunked(&current, module, is_package);
        // The last clean text, its facts and chunks.
        let mut clean = chunks.map(|c| (current.clone(), facts, c));
        let step = (text.len() / 41).max(1);
        for (k, at) in (0..=text.len()).step_by(step).enumerate() {
            let at = at.min(current.len());
            let new = edit(&current, at, k + n);
            let (whole, whole_chunks) = collect_chunked(&new, module, is_package);
            if let Some((old, facts, chunks)) = &clean {
                tried += 1;
                if let Some((f, ch)) = recollect(old, facts, chunks, &new, module, is_package) {
                    alone += 1;
                    assert_eq!(
                        json(&f),
                        json(&whole),
                        "facts after edit {k} at {at} of text {n}:\n{new}"
                    );
                    assert_eq!(
                        Some(&ch),
                        whole_chunks.as_ref(),
                        "chunks after edit {k} at {at} of text {n}:\n{new}"
                    );
                }
            }
            // Every other edit that leaves a clean text is kept, so that edits chain.
            if k % 2 == 0
                && let Some(c) = whole_chunks
            {
                current = new.clone();
                clean = Some((new, whole, c));
            }
        }
    }
    assert!(tried > 3000, "{tried} edits of a clean text tried");
    assert!(
        alone * 3 > tried,
        "{alone} of {tried} edits collected alone: the chunks serve too few"
    );
}

/// Code typed a character at a time on a new line of a body, collected from the last text
/// without errors as the server does (one run then holds every keystroke since): what is
/// collected alone matches a whole collect, and every keystroke that leaves the file without
/// errors is collected alone.
#[test]
fn typing_is_collected_from_the_last_clean_text() {
    const TYPED: &str = "    title = models.CharField(max_length=20, default=\"x\")  # t";
    let (mut typed, mut alone, mut clean_after) = (0usize, 0usize, 0usize);
    for text in texts().iter().filter(|t| t.len() > 200) {
        // A new line before every fifth line of a body (four spaces in), typed into.
        let lines: Vec<usize> = text
            .match_indices("\n    ")
            .map(|(i, _)| i + 1)
            .filter(|&i| {
                text.as_bytes()
                    .get(i + 4)
                    .is_some_and(|b| !b.is_ascii_whitespace())
            })
            .step_by(5)
            .collect();
        for at in lines {
            let mut current = text.clone();
            current.insert(at, '\n');
            let (facts, chunks) = collect_chunked(&current, "app.models", false);
            let Some(chunks) = chunks else { continue };
            let mut clean = (current.clone(), facts, chunks);
            for (i, c) in TYPED.char_indices() {
                current.insert(at + i, c);
                let (whole, whole_chunks) = collect_chunked(&current, "app.models", false);
                typed += 1;
                let (old, f, ch) = &clean;
                if let Some((f, ch)) = recollect(old, f, ch, &current, "app.models", false) {
                    alone += 1;
                    assert_eq!(json(&f), json(&whole), "typed at {at}:\n{current}");
                    assert_eq!(Some(&ch), whole_chunks.as_ref(), "typed at {at}");
                }
                if let Some(c) = whole_chunks {
                    clean_after += 1;
                    clean = (current.clone(), whole, c);
                }
            }
        }
    }
    assert!(typed > 5_000, "{typed} keystrokes typed");
    assert_eq!(alone, clean_after, "of {typed} keystrokes");
    assert!(
        alone * 3 > typed,
        "{alone} of {typed} keystrokes collected alone"
    );
}

/// A line made to end in a backslash continues into the next chunk: not collected alone.
#[test]
fn a_run_whose_last_line_continues_is_collected_whole() {
    let text = "x = 1\ny = 2\n";
    let (facts, chunks) = collect_chunked(text, "m", false);
    let chunks = chunks.expect("clean");
    let new = "x = 1 \\\ny = 2\n";
    assert!(recollect(text, &facts, &chunks, new, "m", false).is_none());
}

#[test]
fn an_unchanged_text_keeps_its_facts() {
    let text = "class A:\n    x = 1\n";
    let (facts, chunks) = collect_chunked(text, "m", false);
    let chunks = chunks.expect("a clean text is cut into chunks");
    let (again, same) = recollect(text, &facts, &chunks, text, "m", false).expect("no edit");
    assert_eq!(json(&again), json(&facts));
    assert_eq!(same, chunks);
}

#[test]
fn errors_another_module_or_another_text_are_collected_whole() {
    assert!(collect_chunked("class A(:\n", "m", false).1.is_none());
    let text = "x = 1\n\ny = 2\n";
    let (facts, chunks) = collect_chunked(text, "m", false);
    let chunks = chunks.expect("clean");
    assert_eq!(chunks.len(), 2);
    assert!(recollect(text, &facts, &chunks, "x = (1\n\ny = 2\n", "m", false).is_none());
    // Facts of another module (relative imports resolved against it) are not kept.
    let edited = "x = 1\n\ny = 3\n";
    assert!(recollect(text, &facts, &chunks, edited, "m", false).is_some());
    assert!(recollect(text, &facts, &chunks, edited, "pkg.m", false).is_none());
    assert!(recollect(text, &facts, &chunks, edited, "m", true).is_none());
    // A text nested too deep as a whole (brackets in strings count, and carry across chunks) has
    // no facts, even where the edited run alone is shallow.
    let shallow = format!("a = '{}'\nb = ''\n", "(".repeat(600));
    let (f, c) = collect_chunked(&shallow, "m", false);
    let deep = format!("a = '{}'\nb = '{}'\n", "(".repeat(600), "(".repeat(600));
    assert!(collect_chunked(&deep, "m", false).0.has_errors);
    assert!(recollect(&shallow, &f, &c.expect("clean"), &deep, "m", false).is_none());
    // Chunks of another text (of the same length too) are not trusted.
    assert!(recollect("x = 2\n\ny = 2\n", &facts, &chunks, edited, "m", false).is_none());
    assert!(recollect("x = 1\n", &facts, &chunks, "x = 2\n", "m", false).is_none());
}
