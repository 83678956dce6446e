//! Inlay hints: the title of each recognised pattern after its finding, as plain data.

use super::pattern_title;
use crate::catalog::Catalog;
use crate::detect::{Finding, Kind};
use crate::line_index::LineIndex;

/// A hint shown at byte `offset` of the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    pub offset: usize,
    pub label: String,
    pub tooltip: String,
}

/// A hint after each pattern of `found` that starts on one of `lines` (first and last, inclusive).
pub fn patterns(
    found: &[Finding],
    index: &LineIndex,
    catalog: &Catalog,
    lines: (u32, u32),
) -> Vec<Hint> {
    found
        .iter()
        .filter(|f| f.kind == Kind::Pattern)
        .filter(|f| {
            let line = index.line_of(f.span.start) as u32;
            lines.0 <= line && line <= lines.1
        })
        .map(|f| Hint {
            offset: f.span.end,
            label: format!("◆ {}", pattern_title(catalog, f)),
            tooltip: f.message.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recognised(pattern: &str, span: crate::vocab::Span) -> Finding {
        crate::ide::test_finding(Kind::Pattern, pattern, span)
    }

    #[test]
    fn a_hint_after_each_pattern_in_the_lines() {
        let text = "class A:\n    pass\nclass B:\n    pass\n";
        let index = LineIndex::new(text);
        let found = [recognised("no-such", 0..17), recognised("no-such", 18..35)];
        let hints = patterns(&found, &index, &Catalog::embedded(), (0, 1));
        assert_eq!(
            hints,
            [Hint {
                offset: 17,
                label: "◆ no-such".into(),
                tooltip: "seen".into()
            }]
        );
    }
}
