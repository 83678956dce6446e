//! Seeded differential test (issue 16): random edit sequences applied as the server applies
//! them (rope edits in the client's encoding, facts from ruff's parser) against a fresh parse and
//! walk of the same text, on files that parse and files that do not.
//!
//! Brief by default. `PATTERN_LANGUAGE_FUZZ_EDITS=200000` runs longer,
//! `PATTERN_LANGUAGE_FUZZ_SECONDS=n` stops it after n seconds, `PATTERN_LANGUAGE_FUZZ_SEED=n` replays a seed; a failure prints the seed, the step and both
//! texts.

use pattern_language::line_index::{Encoding, LineIndex};
use pattern_language::lsp::{Doc, Language};
use pattern_language::python::facts;
use std::path::Path;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

/// splitmix64: small, seeded, good enough to pick edits.
pub struct Rng(u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

const SNIPPETS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    "\n",
    "\n    ",
    "    ",
    "'",
    "\"",
    "\"\"\"",
    "#",
    ",",
    "\\",
    "\u{2028}",
    "é😀",
    "\r\n",
    "\r",
    "x = f(",
    "class A(models.Model):\n    ",
    "def get(self, pk):\n        return A.objects.get(pk=pk)\n",
    "import uuid\n",
    "from .models import A\n",
    "id = models.UUIDField(primary_key=True, default=uuid.uuid4)\n",
    "@decorator\n",
    "if TYPE_CHECKING:\n    ",
    "try:\n    pass\nexcept E:\n    pass\n",
    "lambda: ",
    "return Q(a=1) | Q(b=2)\n",
    "# pattern-language: ignore[x]\n",
    "async ",
    "\t",
];

fn corpus() -> Vec<String> {
    let shop = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/shop");
    let mut out = Vec::new();
    let mut stack = vec![shop];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "py")
                && let Ok(t) = std::fs::read_to_string(&p)
            {
                out.push(t);
            }
        }
    }
    // Files that do not parse, from the start.
    out.push("[e(]\n".into());
    out.push("class A(models.Model:\n    x = models.CharField(\n\ndef f(:\n".into());
    out
}

fn boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn position(text: &str, offset: usize, enc: Encoding) -> Position {
    let lc = LineIndex::new(text).to_line_col(text, offset, enc);
    Position::new(lc.line, lc.col)
}

const STATEMENTS: &[&str] = &[
    "import uuid\n",
    "x = 1\n",
    "class B(models.Model):\n    name = models.CharField(max_length=5)\n",
    "def f(a, b=2):\n    return g(a)\n",
    "CACHES = {'default': {'BACKEND': 'x'}}\n",
    "\n",
    "# a comment\n",
    "if TYPE_CHECKING:\n    from a.models import B\n",
];

/// A change that keeps a text parsing more often: a whole statement inserted or a line removed,
/// at a line start.
fn gentle_change(rng: &mut Rng, text: &str) -> (usize, usize, String) {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|i| *i <= text.len())
        .collect();
    let at = starts[rng.below(starts.len())];
    if rng.below(2) == 0 {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        (at, end, String::new())
    } else {
        (at, at, STATEMENTS[rng.below(STATEMENTS.len())].to_string())
    }
}

/// One random change, as an LSP change event, and the text after it.
fn random_change(
    rng: &mut Rng,
    text: &str,
    enc: Encoding,
    gentle: bool,
) -> (TextDocumentContentChangeEvent, String) {
    if gentle || rng.below(2) == 0 {
        let (start, end, insert) = gentle_change(rng, text);
        return event(text, start, end, insert, enc);
    }
    let start = boundary(text, rng.below(text.len() + 1));
    let end = match rng.below(3) {
        0 => start,
        _ => boundary(text, start + rng.below(40)),
    };
    let insert = match rng.below(4) {
        0 => String::new(),
        1 => {
            // A piece of the text itself, moved.
            let a = boundary(text, rng.below(text.len() + 1));
            let b = boundary(text, a + rng.below(60));
            text[a..b].to_string()
        }
        _ => SNIPPETS[rng.below(SNIPPETS.len())].to_string(),
    };
    // A range must not split a `\r\n` (positions cannot name its middle).
    let split = |i: usize| i > 0 && text[..i].ends_with('\r') && text[i..].starts_with('\n');
    let (start, end) = (start - split(start) as usize, end - split(end) as usize);
    event(text, start, end.max(start), insert, enc)
}

fn event(
    text: &str,
    start: usize,
    end: usize,
    insert: String,
    enc: Encoding,
) -> (TextDocumentContentChangeEvent, String) {
    let change = TextDocumentContentChangeEvent {
        range: Some(Range::new(
            position(text, start, enc),
            position(text, end, enc),
        )),
        range_length: None,
        text: insert.clone(),
    };
    let mut after = String::with_capacity(text.len() + insert.len());
    after.push_str(&text[..start]);
    after.push_str(&insert);
    after.push_str(&text[end..]);
    (change, after)
}

/// The facts of a document as the server collects them: from its edited text (no tree is kept
/// between edits).
fn facts_of(doc: &Doc) -> String {
    format!("{:?}", facts::collect(doc.text(), "app.models", false))
}

/// A fresh walk of the text, and whether it has syntax errors.
fn fresh(text: &str) -> (String, bool) {
    let f = facts::collect(text, "app.models", false);
    let errors = f.has_errors;
    (format!("{f:?}"), errors)
}

#[test]
fn incremental_edits_match_a_fresh_parse_and_walk() {
    let edits: usize = std::env::var("PATTERN_LANGUAGE_FUZZ_EDITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500);
    let seed: u64 = std::env::var("PATTERN_LANGUAGE_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    // `PATTERN_LANGUAGE_FUZZ_SECONDS=n` bounds a long run by time as well (a count, not a timing
    // assertion: the run just stops).
    let seconds: Option<u64> = std::env::var("PATTERN_LANGUAGE_FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok());
    let started = std::time::Instant::now();
    let corpus = corpus();
    let mut rng = Rng(seed);
    let (mut done, mut with_errors, mut sequences) = (0usize, 0usize, 0usize);
    while done < edits && seconds.is_none_or(|s| started.elapsed().as_secs() < s) {
        sequences += 1;
        let start = &corpus[rng.below(corpus.len())];
        let enc = if rng.below(2) == 0 {
            Encoding::Utf16
        } else {
            Encoding::Utf8
        };
        // Half the sequences edit whole statements only: their texts mostly parse.
        let gentle = rng.below(2) == 0;
        let mut doc = Doc::new(start, 1, Language::Python);
        let mut text = start.clone();
        let _ = facts_of(&doc);
        for step in 0..1 + rng.below(40) {
            // Sometimes several changes in one notification.
            let mut changes = Vec::new();
            for _ in 0..1 + rng.below(3) * rng.below(2) {
                let (c, after) = random_change(&mut rng, &text, enc, gentle);
                changes.push(c);
                text = after;
            }
            doc.apply(&changes, doc.version + 1, enc);
            assert_eq!(
                &**doc.text(),
                text,
                "seed {seed}, sequence {sequences}, step {step}: text"
            );
            let (expected, errors) = fresh(&text);
            with_errors += errors as usize;
            let got = facts_of(&doc);
            // The facts of the edited buffer are the facts of its text, whatever the edits were
            // (and collecting them never panics, parsing or not).
            assert!(
                got == expected,
                "seed {seed}, sequence {sequences}, step {step}: facts of the edited document differ from a fresh walk\ntext: {text:?}\nedited: {got}\nfresh: {expected}"
            );
            done += 1;
        }
    }
    println!(
        "{done} edits in {sequences} sequences, {with_errors} on texts with syntax errors (seed {seed})"
    );
    assert!(with_errors > 0 && with_errors < done);
}
