//! Code lenses: one over each recognised pattern, naming it, as plain data.

use super::pattern_title;
use crate::catalog::Catalog;
use crate::detect::{Finding, Kind};
use crate::vocab::Span;

/// A lens over `span` titled `title`, that shows the page of `pattern`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lens {
    pub span: Span,
    pub title: String,
    pub pattern: String,
}

/// A lens over each pattern of `found`.
pub fn patterns(found: &[Finding], catalog: &Catalog) -> Vec<Lens> {
    found
        .iter()
        .filter(|f| f.kind == Kind::Pattern)
        .map(|f| Lens {
            span: f.span.clone(),
            title: format!("◆ {}", pattern_title(catalog, f)),
            pattern: f.pattern.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lens_over_each_pattern_with_its_title() {
        let catalog = Catalog::embedded();
        let p = &catalog.patterns()[0];
        let found = [
            crate::ide::test_finding(Kind::Pattern, &p.id, 4..9),
            crate::ide::test_finding(Kind::Smell, "x", 0..3),
        ];
        assert_eq!(
            patterns(&found, &catalog),
            [Lens {
                span: 4..9,
                title: format!("◆ {}", p.title),
                pattern: p.id.clone()
            }]
        );
    }
}
