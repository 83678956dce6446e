//! Suppression comments: `# pattern-language: ignore[rule, ...]` on the line of a finding.
//! `analysis` applies them to every file's findings; the unused ones are findings of their own
//! (and a safe fix removes them).

use crate::detect::Finding;

/// A `# pattern-language: ignore[rule, ...]` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// Byte span of the comment.
    pub span: std::ops::Range<usize>,
    /// Shared: a suppression is cloned once per rule it names (see [`suppress`]).
    pub rules: std::sync::Arc<[String]>,
    pub line: usize,
}

pub const SUPPRESS_MARK: &str = "# pattern-language: ignore[";

pub fn suppressions(text: &str) -> Vec<Suppression> {
    let mut out = Vec::new();
    // One search over the whole text (most files have no mark): a searcher per line cost more
    // than the rest of this function on a big project.
    let mut line = 0;
    let mut line_start = 0;
    let mut tried = None;
    for (at, _) in text.match_indices(SUPPRESS_MARK) {
        line += text[line_start..at].bytes().filter(|&b| b == b'\n').count();
        line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let rest = &text[at + SUPPRESS_MARK.len()..line_end];
        if tried == Some(line) {
            continue; // only the first mark of a line counts
        }
        tried = Some(line);
        if let Some(end) = rest.find(']') {
            let rules = rest[..end]
                .split(',')
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect::<Vec<_>>()
                .into();
            out.push(Suppression {
                span: at..at + SUPPRESS_MARK.len() + end + 1,
                rules,
                line,
            });
        }
    }
    out
}

/// Drops suppressed findings. Returns the kept findings and the suppressions (with rule) that
/// silenced nothing.
pub fn suppress(text: &str, findings: Vec<Finding>) -> (Vec<Finding>, Vec<(Suppression, String)>) {
    let sups = suppressions(text);
    if sups.is_empty() {
        return (findings, Vec::new());
    }
    let index = crate::line_index::LineIndex::new(text);
    // (suppression index, rule) pairs that silenced something.
    let mut used: std::collections::HashSet<(usize, &str)> = std::collections::HashSet::new();
    let mut by_line: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for (i, s) in sups.iter().enumerate() {
        by_line.entry(s.line).or_insert(i);
    }
    let kept = findings
        .into_iter()
        .filter(|f| {
            let line = index.line_of(f.span.start);
            match by_line
                .get(&line)
                .filter(|i| sups[**i].rules.contains(&f.rule))
            {
                Some(i) => {
                    if let Some(r) = sups[*i].rules.iter().find(|r| **r == f.rule) {
                        used.insert((*i, r.as_str()));
                    }
                    false
                }
                None => true,
            }
        })
        .collect();
    let mut unused = Vec::new();
    for (i, s) in sups.iter().enumerate() {
        let mut seen = std::collections::HashSet::new();
        for r in s.rules.iter() {
            // A rule named twice is reported once.
            if seen.insert(r.as_str()) && !used.contains(&(i, r.as_str())) {
                unused.push((s.clone(), r.clone()));
            }
        }
    }
    (kept, unused)
}
