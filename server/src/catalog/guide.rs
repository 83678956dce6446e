//! A whole guide written as one Markdown document, in the style of the original
//! `pattern-language.md`: `##` headings are categories, deeper headings are patterns, and a pattern's
//! prose comes in labelled paragraphs (`Context:`, `Problem:`, `Solution:`,
//! `Resulting context (advantages):`, ...).
//!
//! Such a guide is imperfect input: stub sections, empty `Example implementation:` lines, text that
//! was UTF-8 decoded as Windows-1252 and encoded again. The reader loads what is there, reports what
//! is malformed, and never fails.
//!
//! Which headings are patterns:
//! * reading lists ("Further reading", "Inspiration" and everything under a top-level one) are not;
//! * a heading with sub-headings (other than reading lists) groups patterns; its `Context:` and
//!   `Problem:` carry over to children that lack their own;
//! * a leaf heading is a pattern when it has labelled paragraphs, or when its title names a pattern
//!   of the catalog below it (title or alias). Otherwise it is prose, reported as such.

use super::page::{Heading, headings};
use super::{
    Catalog, Category, Parsed, Pattern, Problem, Sections, Severity, Source, normalize_name, slug,
};
use crate::line_index::LineIndex;
use std::sync::Arc;

/// A text without front matter that is still written as a page (`## Context`, `## Solution`).
pub fn looks_like_page_fragment(text: &str) -> bool {
    let heads = headings(text);
    heads
        .iter()
        .any(|h| h.level == 2 && h.text.eq_ignore_ascii_case("context"))
        && heads
            .iter()
            .any(|h| h.level == 2 && h.text.eq_ignore_ascii_case("solution"))
}

fn is_reading_list(title: &str) -> bool {
    let t = normalize_name(title);
    [
        "further reading",
        "inspiration",
        "references",
        "see also",
        "resources",
    ]
    .iter()
    .any(|r| t == *r || t.starts_with(r))
}

/// Repairs text that was UTF-8, read as Windows-1252, and written as UTF-8 again ("â€™" for "’").
/// Returns the repaired text when anything changed.
pub fn repair_mojibake(text: &str) -> Option<String> {
    if !text
        .chars()
        .any(|c| matches!(c, 'Ã' | 'â' | 'Â' | 'Å' | 'Ä'))
    {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        // Try to decode a run of 2..=4 chars as one UTF-8 sequence.
        let mut done = false;
        if let Some(lead) = cp1252_byte(chars[i])
            && lead >= 0xC2
        {
            let need = if lead >= 0xF0 {
                4
            } else if lead >= 0xE0 {
                3
            } else {
                2
            };
            if i + need <= chars.len() {
                let bytes: Option<Vec<u8>> =
                    chars[i..i + need].iter().map(|&c| cp1252_byte(c)).collect();
                if let Some(bytes) = bytes
                    && let Ok(s) = std::str::from_utf8(&bytes)
                {
                    out.push_str(s);
                    i += need;
                    changed = true;
                    done = true;
                }
            }
        }
        if !done {
            out.push(chars[i]);
            i += 1;
        }
    }
    changed.then_some(out)
}

/// The byte Windows-1252 encodes `c` as, if any.
fn cp1252_byte(c: char) -> Option<u8> {
    let code = c as u32;
    if code < 0x80 || (0xA0..=0xFF).contains(&code) {
        return Some(code as u8);
    }
    const HIGH: [(char, u8); 27] = [
        ('€', 0x80),
        ('‚', 0x82),
        ('ƒ', 0x83),
        ('„', 0x84),
        ('…', 0x85),
        ('†', 0x86),
        ('‡', 0x87),
        ('ˆ', 0x88),
        ('‰', 0x89),
        ('Š', 0x8A),
        ('‹', 0x8B),
        ('Œ', 0x8C),
        ('Ž', 0x8E),
        ('‘', 0x91),
        ('’', 0x92),
        ('“', 0x93),
        ('”', 0x94),
        ('•', 0x95),
        ('–', 0x96),
        ('—', 0x97),
        ('˜', 0x98),
        ('™', 0x99),
        ('š', 0x9A),
        ('›', 0x9B),
        ('œ', 0x9C),
        ('ž', 0x9E),
        ('Ÿ', 0x9F),
    ];
    HIGH.iter().find(|(ch, _)| *ch == c).map(|(_, b)| *b)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Label {
    Context,
    Problem,
    Solution,
    Resulting,
    Advantages,
    Disadvantages,
    Example,
    FurtherReading,
}

/// Reads a labelled paragraph's label: `Context:`, `Resulting context (advantages):`, ...
/// Returns the label and anything after the colon on the same line.
fn parse_label(line: &str) -> Option<(Label, String)> {
    let (head, rest) = line.split_once(':')?;
    let key = head.trim().to_ascii_lowercase();
    if key.len() > 48 || key.is_empty() {
        return None;
    }
    let label = if key.starts_with("context") {
        Label::Context
    } else if key.starts_with("problem") {
        Label::Problem
    } else if key.starts_with("solution") {
        Label::Solution
    } else if key.starts_with("resulting context") {
        if key.contains("disadvantage") {
            Label::Disadvantages
        } else if key.contains("advantage") {
            Label::Advantages
        } else {
            Label::Resulting
        }
    } else if key.starts_with("example")
        || key.starts_with("implementation example")
        || key.starts_with("inspiration for implementation")
    {
        Label::Example
    } else if key.starts_with("further reading") {
        Label::FurtherReading
    } else {
        return None;
    };
    Some((label, rest.trim().to_string()))
}

struct Node {
    heading: Heading,
    children: Vec<usize>,
    parent: Option<usize>,
    /// Byte range of the heading's own content, up to the next heading.
    body: std::ops::Range<usize>,
}

pub fn parse_guide(text: &str, source: &Source, base: Option<&Catalog>, out: &mut Parsed) {
    let index = LineIndex::new(text);
    let line_at = |offset: usize| index.line_of(offset) as u32 + 1;
    let heads = headings(text);
    if heads.is_empty() {
        out.problems.push(Problem::new(
            source,
            1,
            Severity::Error,
            "no headings: a guide names each pattern in a heading, a catalog page starts with `+++` front matter",
        ));
        return;
    }

    // Mojibake, reported once per line.
    for (n, line) in text.lines().enumerate() {
        if let Some(fixed) = repair_mojibake(line) {
            let _ = fixed;
            let bad: String = line
                .chars()
                .skip_while(|c| !matches!(c, 'Ã' | 'â' | 'Â' | 'Å' | 'Ä'))
                .take(3)
                .collect();
            out.problems.push(Problem::new(
                source,
                n as u32 + 1,
                Severity::Warning,
                format!("double-encoded characters (`{}`): read as UTF-8 that was decoded as Windows-1252; save the text as plain UTF-8", bad.trim()),
            ));
        }
    }
    let clean = |s: &str| repair_mojibake(s).unwrap_or_else(|| s.to_string());

    // The heading tree.
    let mut nodes: Vec<Node> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for (i, h) in heads.iter().enumerate() {
        let end = heads.get(i + 1).map_or(text.len(), |n| n.start);
        while let Some(&top) = stack.last() {
            if nodes[top].heading.level >= h.level {
                stack.pop();
            } else {
                break;
            }
        }
        let parent = stack.last().copied();
        let id = nodes.len();
        nodes.push(Node {
            heading: h.clone(),
            children: Vec::new(),
            parent,
            body: h.end..end,
        });
        if let Some(p) = parent {
            nodes[p].children.push(id);
        }
        stack.push(id);
    }
    let top_level = nodes
        .iter()
        .map(|n| n.heading.level)
        .filter(|&l| l > 1)
        .min()
        .unwrap_or(2);

    let in_reading_list = |mut i: usize| loop {
        if is_reading_list(&nodes[i].heading.text) {
            return true;
        }
        match nodes[i].parent {
            Some(p) => i = p,
            None => return false,
        }
    };

    let mut groups_context: Vec<Option<(String, String)>> = vec![None; nodes.len()];
    for i in 0..nodes.len() {
        let node = &nodes[i];
        let level = node.heading.level;
        if level < top_level || in_reading_list(i) {
            continue;
        }
        let title = clean(&node.heading.text);
        let labelled = read_labelled(&clean(&text[node.body.clone()]));
        let real_children: Vec<usize> = node
            .children
            .iter()
            .copied()
            .filter(|&c| !is_reading_list(&nodes[c].heading.text))
            .collect();
        let line = line_at(node.heading.start);

        if level == top_level {
            // A category.
            let id = category_id(&title);
            let intro = clean(text[node.body.clone()].trim());
            out.categories.push(Category {
                id,
                title: title.clone(),
                intro,
                source: source.clone(),
            });
            groups_context[i] = Some((
                labelled.sections.context.clone(),
                labelled.sections.problem.clone(),
            ));
            if real_children.is_empty() {
                out.problems.push(Problem::new(
                    source,
                    line,
                    Severity::Info,
                    format!("category `{title}` has no patterns under it"),
                ));
            }
            continue;
        }
        if !real_children.is_empty() {
            // A group of patterns: its context carries over.
            groups_context[i] = Some((
                labelled.sections.context.clone(),
                labelled.sections.problem.clone(),
            ));
            continue;
        }

        let known = base.and_then(|c| c.by_name(&title));
        if !labelled.any_label && known.is_none() {
            out.problems.push(Problem::new(
                source,
                line,
                Severity::Info,
                format!("`{title}` has no `Context:`, `Problem:` or `Solution:` paragraph and names no known pattern: read as prose, not as a pattern"),
            ));
            continue;
        }
        let mut sections = labelled.sections;
        // Inherit the group's context and problem.
        let mut up = node.parent;
        while let Some(p) = up {
            if let Some((ctx, problem)) = &groups_context[p] {
                if sections.context.is_empty() && !ctx.is_empty() {
                    sections.context = ctx.clone();
                }
                if sections.problem.is_empty() && !problem.is_empty() {
                    sections.problem = problem.clone();
                }
            }
            up = nodes[p].parent;
        }
        for (label, at) in &labelled.empty {
            out.problems.push(Problem::new(
                source,
                line_at(node.body.start + at),
                Severity::Warning,
                format!("`{label}` in `{title}` is empty: write it, or remove the label"),
            ));
        }
        for (junk, at) in &labelled.junk_after_label {
            out.problems.push(Problem::new(
                source,
                line_at(node.body.start + at),
                Severity::Warning,
                format!("stray text `{junk}` after a label in `{title}`: a label line ends with its colon"),
            ));
        }
        if sections.solution.is_empty()
            && sections.summary.is_empty()
            && sections.context.is_empty()
        {
            out.problems.push(Problem::new(
                source,
                line,
                Severity::Warning,
                format!("`{title}` has no text: add at least a `Solution:` paragraph"),
            ));
        }
        let (id, category, aliases, related, tags) = match known {
            Some(p) => (
                p.id.clone(),
                p.category.clone(),
                Vec::new(),
                Vec::new(),
                Vec::new(),
            ),
            None => {
                let parent_cat = {
                    let mut up = node.parent;
                    let mut cat = String::from("guide");
                    while let Some(p) = up {
                        if nodes[p].heading.level == top_level {
                            cat = category_id(&clean(&nodes[p].heading.text));
                        }
                        up = nodes[p].parent;
                    }
                    cat
                };
                (slug(&title), parent_cat, Vec::new(), Vec::new(), Vec::new())
            }
        };
        let display_title = strip_remarks(&title);
        out.patterns.push(Pattern {
            id,
            title: display_title,
            category,
            aliases,
            related,
            tags,
            detectable: None,
            sections,
            queries: Vec::new(),
            source: source.clone(),
            line,
            text: Arc::from(clean(&text[node.heading.start..node.body.end]).as_str()),
        });
    }
}

/// "Core subdomain (stategic pattern)" -> "Core subdomain".
fn strip_remarks(title: &str) -> String {
    match title.find('(') {
        Some(i) if i > 0 => title[..i].trim().to_string(),
        _ => title.trim().to_string(),
    }
}

/// "Bounded context integration patterns" -> "integration"; "Project type patterns" -> "project-type".
fn category_id(title: &str) -> String {
    let s = slug(title);
    match s.as_str() {
        "bounded-context-integration" => "integration".to_string(),
        _ => s,
    }
}

struct Labelled {
    sections: Sections,
    any_label: bool,
    /// Labels with no text before the next label, with their byte offset.
    empty: Vec<(String, usize)>,
    junk_after_label: Vec<(String, usize)>,
}

/// Splits a heading's body into labelled paragraphs.
fn read_labelled(body: &str) -> Labelled {
    let mut sections = Sections::default();
    let mut empty = Vec::new();
    let mut junk = Vec::new();
    let mut any_label = false;
    let mut current: Option<(Label, String, String, usize)> = None; // label, label text, content, offset
    let mut unlabelled = String::new();
    let mut in_fence = false;
    let mut offset = 0usize;

    let flush = |cur: Option<(Label, String, String, usize)>,
                 sections: &mut Sections,
                 empty: &mut Vec<(String, usize)>| {
        let Some((label, name, content, at)) = cur else {
            return;
        };
        let content = content.trim().to_string();
        if content.is_empty() {
            empty.push((name, at));
            return;
        }
        let slot = match label {
            Label::Context => &mut sections.context,
            Label::Problem => &mut sections.problem,
            Label::Solution => &mut sections.solution,
            Label::Resulting => &mut sections.resulting,
            Label::Advantages => &mut sections.advantages,
            Label::Disadvantages => &mut sections.disadvantages,
            Label::Example => &mut sections.example,
            Label::FurtherReading => &mut sections.further_reading,
        };
        if !slot.is_empty() {
            slot.push_str("\n\n");
        }
        slot.push_str(&content);
    };

    for line in body.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
        }
        let label = if in_fence || line.starts_with(' ') || line.starts_with('-') {
            None
        } else {
            parse_label(trimmed)
        };
        match label {
            Some((label, rest)) => {
                any_label = true;
                flush(current.take(), &mut sections, &mut empty);
                let name = trimmed
                    .split(':')
                    .next()
                    .unwrap_or(trimmed)
                    .trim()
                    .to_string()
                    + ":";
                let mut content = String::new();
                let rest_clean: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
                if !rest.is_empty() {
                    if rest_clean.chars().all(|c| !c.is_alphanumeric()) {
                        junk.push((rest.clone(), offset));
                    } else {
                        content.push_str(&rest);
                        content.push('\n');
                    }
                }
                current = Some((label, name, content, offset));
            }
            None => match current.as_mut() {
                Some((_, _, content, _)) => content.push_str(line),
                None => unlabelled.push_str(line),
            },
        }
        offset += line.len();
    }
    flush(current.take(), &mut sections, &mut empty);
    sections.summary = first_paragraph(unlabelled.trim());
    if sections.summary.is_empty() {
        sections.summary = first_paragraph(if !sections.solution.is_empty() {
            &sections.solution
        } else {
            &sections.context
        });
    } else if sections.solution.is_empty() && !any_label {
        sections.solution = unlabelled.trim().to_string();
    }
    Labelled {
        sections,
        any_label,
        empty,
        junk_after_label: junk,
    }
}

fn first_paragraph(text: &str) -> String {
    text.split("\n\n").next().unwrap_or("").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_double_encoded_text() {
        assert_eq!(
            repair_mojibake("providerâ€™s model").as_deref(),
            Some("provider’s model")
        );
        assert_eq!(
            repair_mojibake("UniversitÃ© catholique").as_deref(),
            Some("Université catholique")
        );
        assert_eq!(repair_mojibake("plain text"), None);
        assert_eq!(
            repair_mojibake("Solution:â€š").as_deref(),
            Some("Solution:‚")
        );
    }

    #[test]
    fn labels() {
        assert_eq!(
            parse_label("Resulting context (disadvantage):").map(|l| l.0),
            Some(Label::Disadvantages)
        );
        assert_eq!(
            parse_label("Context (additional):").map(|l| l.0),
            Some(Label::Context)
        );
        assert_eq!(
            parse_label("Example implementation:").map(|l| l.0),
            Some(Label::Example)
        );
        assert_eq!(parse_label("See https://example.com"), None);
    }
}
