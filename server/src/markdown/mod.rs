//! Pattern references in Markdown prose: `[[pattern-id]]` wiki links, links to catalog pages
//! (`../repository/cached-repository.md`), and plain mentions of a pattern's title or alias,
//! matched case-insensitively as whole words, outside code.

use crate::catalog::Catalog;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use pulldown_cmark::{Event, Options, Parser, Tag};
use std::ops::Range;

pub mod fences;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    Wiki,
    Link,
    Mention,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub kind: RefKind,
    /// The whole reference (`[[id]]` with its brackets, the link, the mention).
    pub span: Range<usize>,
    /// The id as written (for wiki links) or the pattern's id.
    pub target: String,
    /// Whether the catalog knows the target.
    pub known: bool,
}

/// Every name of every pattern, for mention matching.
pub struct Names {
    ac: Option<AhoCorasick>,
    ids: Vec<String>,
}

impl Names {
    pub fn new(catalog: &Catalog) -> Names {
        let mut pats = Vec::new();
        let mut ids = Vec::new();
        for p in catalog.patterns() {
            for name in p.names() {
                if name.chars().count() >= 3 {
                    pats.push(name.to_string());
                    ids.push(p.id.clone());
                }
            }
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&pats)
            .ok();
        Names { ac, ids }
    }
}

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// Byte ranges of code (inline and blocks), links, and front matter: no mentions inside. The
/// second list holds the code ranges alone: no wiki links inside those either.
fn excluded(text: &str) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
    let mut out = Vec::new();
    let mut code = Vec::new();
    if crate::catalog::page::has_front_matter(text) {
        let end = text[3..].find("\n+++").map_or(0, |i| i + 7);
        out.push(0..end.min(text.len()));
    }
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        match event {
            Event::Code(_) | Event::Html(_) | Event::InlineHtml(_) => {
                code.push(range.clone());
                out.push(range)
            }
            Event::Start(Tag::CodeBlock(_)) => {
                code.push(range.clone());
                out.push(range)
            }
            Event::Start(Tag::Link { .. })
            | Event::Start(Tag::Image { .. })
            | Event::Start(Tag::Heading { .. }) => out.push(range),
            _ => {}
        }
    }
    (out, code)
}

/// Is `s..e` inside one of the sorted, disjoint `ranges`?
fn inside(ranges: &[Range<usize>], s: usize, e: usize) -> bool {
    let i = ranges.partition_point(|r| r.start <= s);
    i > 0 && ranges[i - 1].end >= e
}

/// Is `s..e` inside a reference found so far (wiki links sorted first, then a few links)?
fn inside_refs(refs: &[Reference], wiki_count: usize, s: usize, e: usize) -> bool {
    let wiki = &refs[..wiki_count];
    let i = wiki.partition_point(|r| r.span.start <= s);
    (i > 0 && wiki[i - 1].span.end >= e)
        || refs[wiki_count..]
            .iter()
            .any(|r| r.span.start <= s && e <= r.span.end)
}

/// The pattern id a link destination points at (`../repository/cached-repository.md#x`).
fn link_target(dest: &str, catalog: &Catalog) -> Option<String> {
    let path = dest.split(['#', '?']).next()?;
    let file = path.rsplit('/').next()?;
    let id = file.strip_suffix(".md")?;
    catalog.get(id).map(|p| p.id.clone())
}

/// The id a link destination names when it has the shape of a link to a catalog page
/// (`../repository/cached-repositroy.md`, `patterns/repository/x.md`: a `.md` file in a folder named
/// after a category of the catalog), whether or not the catalog has that page.
fn pattern_page_link(dest: &str, catalog: &Catalog) -> Option<String> {
    if dest.contains("://") || dest.starts_with("mailto:") {
        return None;
    }
    let path = dest.split(['#', '?']).next()?;
    let mut parts = path.rsplit('/');
    let id = parts.next()?.strip_suffix(".md")?;
    let folder = parts.next()?;
    (!id.is_empty() && catalog.category(folder).is_some()).then(|| id.to_string())
}

/// A reference the catalog cannot resolve: an unknown `[[id]]` (rule `unknown-pattern`) or a link
/// to a pattern page that does not exist (rule `broken-pattern-link`). What the editor shows as
/// diagnostics and `check` reports as findings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unresolved {
    pub span: Range<usize>,
    pub rule: &'static str,
    pub message: String,
    /// Ids to offer instead, best first.
    pub closest: Vec<String>,
}

/// The unresolved references of `text`, in order.
pub fn unresolved(text: &str, catalog: &Catalog, names: &Names) -> Vec<Unresolved> {
    references(text, catalog, names)
        .into_iter()
        .filter(|r| !r.known && r.kind != RefKind::Mention)
        .map(|r| {
            let close = catalog.closest(&r.target);
            let hint = match close.first() {
                Some(c) => format!("; did you mean `{c}`?"),
                None => String::new(),
            };
            let (rule, message) = match r.kind {
                RefKind::Wiki => (
                    "unknown-pattern",
                    format!("unknown pattern `{}`{hint}", r.target),
                ),
                _ => (
                    "broken-pattern-link",
                    format!(
                        "link to a pattern page that is not in the catalog: `{}`{hint}",
                        r.target
                    ),
                ),
            };
            let closest = if close.is_empty() {
                catalog.suggestions(&r.target, 3)
            } else {
                close
            };
            Unresolved {
                span: r.span,
                rule,
                message,
                closest: closest.into_iter().map(str::to_string).collect(),
            }
        })
        .collect()
}

/// Above this size only wiki links are found: Markdown parsing and mention matching stop.
pub const LARGE: usize = 1024 * 1024;

/// All references in `text`, in order.
pub fn references(text: &str, catalog: &Catalog, names: &Names) -> Vec<Reference> {
    let mut refs = Vec::new();
    // Wiki links.
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(found) = text[i..].find("[[") {
        let start = i + found;
        let Some(len) = text[start + 2..].find("]]") else {
            break;
        };
        let inner = &text[start + 2..start + 2 + len];
        if inner.contains('\n') || inner.contains("[[") {
            i = start + 2;
            continue;
        }
        let target = inner.split('|').next().unwrap_or(inner).trim().to_string();
        let known = catalog.get(&target).is_some();
        refs.push(Reference {
            kind: RefKind::Wiki,
            span: start..start + 2 + len + 2,
            target,
            known,
        });
        i = start + 2 + len + 2;
        if i >= bytes.len() {
            break;
        }
    }
    if text.len() > LARGE {
        return refs;
    }
    let (mut skip, code) = excluded(text);
    // `[[id]]` written inside code is an example, not a reference.
    refs.retain(|r| !inside(&code, r.span.start, r.span.end));
    skip.sort_by_key(|r| r.start);
    // Merge overlapping ranges so that a binary search finds the one that could contain a match.
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(skip.len());
    for r in skip {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let skip = merged;
    // Links to catalog pages.
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        if let Event::Start(Tag::Link { dest_url, .. }) = event {
            let (target, known) = match link_target(&dest_url, catalog) {
                Some(id) => (id, true),
                None => match pattern_page_link(&dest_url, catalog) {
                    Some(id) => (id, false),
                    None => continue,
                },
            };
            refs.push(Reference {
                kind: RefKind::Link,
                span: range,
                target,
                known,
            });
        }
    }
    // Mentions. Wiki links come first in `refs`, sorted; links after them.
    let wiki_count = refs.iter().filter(|r| r.kind == RefKind::Wiki).count();
    if let Some(ac) = &names.ac {
        for m in ac.find_iter(text) {
            let (s, e) = (m.start(), m.end());
            let before = text[..s].chars().next_back();
            let after = text[e..].chars().next();
            if is_word(before) || is_word(after) {
                continue;
            }
            if inside(&skip, s, e) || inside_refs(&refs, wiki_count, s, e) {
                continue;
            }
            refs.push(Reference {
                kind: RefKind::Mention,
                span: s..e,
                target: names.ids[m.pattern().as_usize()].clone(),
                known: true,
            });
        }
    }
    refs.sort_by_key(|r| r.span.start);
    refs
}

/// The reference under `offset`. Only the line around it is read (plus a scan of line starts for
/// code fences), so the cost does not grow with the document.
pub fn reference_at(
    text: &str,
    offset: usize,
    catalog: &Catalog,
    names: &Names,
) -> Option<Reference> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    // Inside a fenced code block?
    let mut fenced = false;
    for line in text[..start].lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
        }
    }
    if fenced {
        return None;
    }
    let line = &text[start..end];
    references(line, catalog, names)
        .into_iter()
        .map(|mut r| {
            r.span = r.span.start + start..r.span.end + start;
            r
        })
        .find(|r| r.span.start <= offset && offset <= r.span.end)
}
/// A heading of a Markdown document: level, title, byte range of the heading line.
pub fn headings(text: &str) -> Vec<(u8, String, Range<usize>)> {
    crate::catalog::page::headings(text)
        .into_iter()
        .map(|h| (h.level, h.text, h.start..h.end))
        .collect()
}

/// Inside an unclosed `[[` on the line before `offset`: the start of the partial id.
pub fn wiki_prefix(text: &str, offset: usize) -> Option<usize> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let open = before.rfind("[[")?;
    if before[open..].contains("]]") {
        return None;
    }
    Some(line_start + open + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_wiki_links_links_and_mentions() {
        let catalog = Catalog::embedded();
        let names = Names::new(&catalog);
        let text = "Billing talks to shipping through an Anticorruption Layer.\nSee [[cached-repository]], [[no-such]] and [the page](../repository/json-field-repository.md).\n`anticorruption layer` in code is not a mention.\n";
        let refs = references(text, &catalog, &names);
        let got: Vec<(RefKind, &str, bool)> = refs
            .iter()
            .map(|r| (r.kind, r.target.as_str(), r.known))
            .collect();
        assert_eq!(
            got,
            vec![
                (RefKind::Mention, "anticorruption-layer", true),
                (RefKind::Wiki, "cached-repository", true),
                (RefKind::Wiki, "no-such", false),
                (RefKind::Link, "json-field-repository", true),
            ]
        );
        assert_eq!(&text[refs[0].span.clone()], "Anticorruption Layer");
    }

    #[test]
    fn wiki_prefix_only_inside_open_brackets() {
        assert_eq!(wiki_prefix("see [[cach", 10), Some(6));
        assert_eq!(wiki_prefix("see [[x]] y", 11), None);
    }
}

#[cfg(test)]
mod unresolved_tests {
    use super::*;

    #[test]
    fn unknown_ids_and_broken_page_links() {
        let catalog = Catalog::embedded();
        let names = Names::new(&catalog);
        let text = "See [[cached-repositroy]], `[[in-code]]`, [ok](../repository/cached-repository.md), \
            [broken](../repository/cached-repo.md#x), [docs](https://example.com/repository/x.md) \
            and [notes](../notes/x.md).\n";
        let got: Vec<(&str, &str)> = unresolved(text, &catalog, &names)
            .iter()
            .map(|u| (u.rule, &text[u.span.clone()]))
            .collect();
        assert_eq!(
            got,
            vec![
                ("unknown-pattern", "[[cached-repositroy]]"),
                (
                    "broken-pattern-link",
                    "[broken](../repository/cached-repo.md#x)"
                ),
            ]
        );
        let first = &unresolved(text, &catalog, &names)[0];
        assert_eq!(
            first.message,
            "unknown pattern `cached-repositroy`; did you mean `cached-repository`?"
        );
        assert_eq!(first.closest[0], "cached-repository");
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;
    #[test]
    fn mention_before_open_wiki_link() {
        let catalog = Catalog::embedded();
        let names = Names::new(&catalog);
        let text = "# Shipping design\n\nBilling talks to shipping through an anticorruption layer.\nSee [[no-such-pattern]] and [[cached-repository]].\n[[";
        let refs = references(text, &catalog, &names);
        assert!(refs.iter().any(|r| r.kind == RefKind::Mention), "{refs:?}");
    }
}
