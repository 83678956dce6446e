//! Document symbols (classes and methods labelled with the patterns recognised on their line;
//! Markdown headings and the classes of Python fences) and workspace symbols (catalog pages), as
//! plain data with byte spans.

use super::pattern_title;
use crate::catalog::{Catalog, Pattern};
use crate::detect::{Finding, Kind as FindingKind};
use crate::line_index::LineIndex;
use crate::markdown;
use crate::python::project::SourceFile;
use crate::vocab::Span;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A Markdown heading.
    Heading,
    Class,
    Method,
    Function,
}

/// One symbol: `span` is the whole definition, `name_span` its name, in the document's bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: Kind,
    pub span: Span,
    pub name_span: Span,
    pub children: Option<Vec<Symbol>>,
}

/// The titles of the patterns recognised in `found`, by line.
fn patterns_by_line(
    found: &[Finding],
    index: &LineIndex,
    catalog: &Catalog,
) -> HashMap<usize, Vec<String>> {
    let mut by_line: HashMap<usize, Vec<String>> = HashMap::new();
    for f in found.iter().filter(|f| f.kind == FindingKind::Pattern) {
        by_line
            .entry(index.line_of(f.span.start))
            .or_default()
            .push(pattern_title(catalog, f));
    }
    by_line
}

/// The symbols of a Markdown document: its headings, and (below [`markdown::LARGE`]) the classes
/// of its Python fences labelled with the patterns `fence_findings` recognises on their line,
/// in document order.
pub fn markdown(
    text: &str,
    index: &LineIndex,
    catalog: &Catalog,
    fence_findings: impl FnOnce() -> Vec<Finding>,
) -> Vec<Symbol> {
    let mut symbols: Vec<Symbol> = markdown::headings(text)
        .into_iter()
        .map(|(level, title, span)| Symbol {
            name: if title.is_empty() {
                "(untitled)".into()
            } else {
                title
            },
            detail: Some(format!("h{level}")),
            kind: Kind::Heading,
            span: span.clone(),
            name_span: span,
            children: None,
        })
        .collect();
    if text.len() <= markdown::LARGE {
        let found = fence_findings();
        let by_line = patterns_by_line(&found, index, catalog);
        for fence in markdown::fences::python_fences(text) {
            for (name, span, name_span) in markdown::fences::classes(&fence) {
                let names = by_line.get(&index.line_of(span.start));
                symbols.push(Symbol {
                    name,
                    detail: names.map(|names| names.join(", ")),
                    kind: Kind::Class,
                    span,
                    name_span,
                    children: None,
                });
            }
        }
        symbols.sort_by_key(|s| s.span.start);
    }
    symbols
}

/// The symbols of a Python file: classes with their methods, then functions, each labelled with
/// the patterns of `found` recognised on its first line.
pub fn python(
    file: &SourceFile,
    index: &LineIndex,
    found: &[Finding],
    catalog: &Catalog,
) -> Vec<Symbol> {
    // Recognitions by line, once (not once per symbol: that was quadratic).
    let by_line = patterns_by_line(found, index, catalog);
    let label = |start: usize| -> Option<String> {
        by_line
            .get(&index.line_of(start))
            .map(|names| names.join(", "))
    };
    let mut symbols = Vec::new();
    for c in &file.facts.classes {
        let children: Vec<Symbol> = c
            .methods
            .iter()
            .map(|m| Symbol {
                name: m.name.to_string(),
                detail: label(m.span.start),
                kind: Kind::Method,
                span: m.span.clone(),
                name_span: m.name_span.clone(),
                children: None,
            })
            .collect();
        symbols.push(Symbol {
            name: c.name.to_string(),
            detail: label(c.span.start),
            kind: Kind::Class,
            span: c.span.clone(),
            name_span: c.name_span.clone(),
            children: Some(children),
        });
    }
    for f in &file.facts.functions {
        symbols.push(Symbol {
            name: f.name.to_string(),
            detail: label(f.span.start),
            kind: Kind::Function,
            span: f.span.clone(),
            name_span: f.name_span.clone(),
            children: None,
        });
    }
    symbols
}

/// The catalog pages whose id, title or aliases contain `query` (any case; all for an empty
/// query), in catalog order.
pub fn patterns<'c>(catalog: &'c Catalog, query: &str) -> impl Iterator<Item = &'c Pattern> {
    let q = query.to_lowercase();
    catalog
        .patterns()
        .iter()
        .filter(move |p| {
            q.is_empty() || p.id.contains(&q) || p.names().any(|n| n.to_lowercase().contains(&q))
        })
        .map(|p| &**p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_classes_methods_and_functions() {
        let text = "class A:\n    def m(self):\n        pass\n\n\ndef f():\n    pass\n";
        let facts = crate::python::facts::collect(text, "app.mod", false);
        let file = SourceFile::new("/p/app/mod.py".into(), text.into(), facts);
        let index = LineIndex::new(text);
        let symbols = python(&file, &index, &[], &Catalog::embedded());
        let brief: Vec<(&str, Kind, Span, Span)> = symbols
            .iter()
            .map(|s| (s.name.as_str(), s.kind, s.span.clone(), s.name_span.clone()))
            .collect();
        assert_eq!(
            brief,
            [
                ("A", Kind::Class, 0..38, 6..7),
                ("f", Kind::Function, 41..58, 45..46),
            ]
        );
        let m = &symbols[0].children.as_ref().unwrap()[0];
        assert_eq!(
            (m.name.as_str(), m.kind, m.span.clone(), m.name_span.clone()),
            ("m", Kind::Method, 13..38, 17..18)
        );
    }

    #[test]
    fn markdown_headings_and_fence_classes_in_order() {
        let text = "# Title\n\n```python\nclass Order:\n    pass\n```\n\n## \n";
        let index = LineIndex::new(text);
        let symbols = markdown(text, &index, &Catalog::embedded(), Vec::new);
        let brief: Vec<(&str, Option<&str>, Kind, Span)> = symbols
            .iter()
            .map(|s| (s.name.as_str(), s.detail.as_deref(), s.kind, s.span.clone()))
            .collect();
        assert_eq!(
            brief,
            [
                ("Title", Some("h1"), Kind::Heading, 0..8),
                ("Order", None, Kind::Class, 19..40),
                ("(untitled)", Some("h2"), Kind::Heading, 46..50),
            ]
        );
    }
}
