//! One catalog page: TOML front matter between `+++` lines, then Markdown sections.
//!
//! ```text
//! +++
//! id = "cached-repository"
//! title = "Cached repository"
//! category = "repository"
//! aliases = ["cached repository pattern"]
//! related = ["django-orm-repository"]
//! tags = ["performance"]
//! +++
//!
//! # Cached repository
//! A one-paragraph summary.
//! ## Context ... ## Problem ... ## Solution ... ## Resulting context
//! ### Advantages ... ### Disadvantages ... ## Example ... ## Detection ... ## Refactorings
//! ## Further reading
//! ```
//!
//! A `README.md` (or `index.md`) in a category folder introduces the category instead.

use super::{Catalog, Category, PageQuery, Parsed, Pattern, Problem, Sections, Severity, Source};
use crate::line_index::LineIndex;
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::sync::Arc;
use toml::de::{DeTable, DeValue};

/// The `##` sections a page must have, in order.
pub const REQUIRED_SECTIONS: &[&str] = &[
    "Context",
    "Problem",
    "Solution",
    "Resulting context",
    "Example",
    "Detection",
    "Refactorings",
    "Further reading",
];

const KNOWN_KEYS: &[&str] = &[
    "id",
    "title",
    "category",
    "aliases",
    "related",
    "tags",
    "detectable",
];

pub fn has_front_matter(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines().next().is_some_and(|l| l.trim_end() == "+++")
}

/// Is this text a catalog page (front matter with an `id` near the top), not a design doc?
pub fn looks_like_page(text: &str) -> bool {
    has_front_matter(text)
        && text
            .lines()
            .take(12)
            .any(|l| l.trim_start().starts_with("id"))
}

/// A heading in a Markdown document, with its byte range.
#[derive(Clone, Debug)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    /// Start of the heading line.
    pub start: usize,
    /// End of the heading (where its content starts).
    pub end: usize,
}

/// Every heading of `text`, in order.
pub fn headings(text: &str) -> Vec<Heading> {
    let mut out = Vec::new();
    let mut current: Option<Heading> = None;
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                current = Some(Heading {
                    level: level_num(level),
                    text: String::new(),
                    start: range.start,
                    end: range.end,
                });
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = current.as_mut() {
                    h.text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(mut h) = current.take() {
                    h.text = h.text.trim().to_string();
                    out.push(h);
                }
            }
            _ => {}
        }
    }
    out
}

fn level_num(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Fenced code blocks tagged `query`, with the byte offset of their first content line.
fn query_blocks(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang)))
                if lang.split_whitespace().next() == Some("query") =>
            {
                let first_line = text[range.clone()]
                    .find('\n')
                    .map_or(range.start, |i| range.start + i + 1);
                current = Some((first_line, String::new()));
            }
            Event::Text(t) => {
                if let Some((_, body)) = current.as_mut() {
                    body.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(block) = current.take() {
                    out.push(block);
                }
            }
            _ => {}
        }
    }
    out
}

/// Reads one file of a catalog folder: a pattern page, or a category introduction.
pub fn parse_file(
    text: &str,
    source: &Source,
    folder: Option<&str>,
    _base: Option<&Catalog>,
    out: &mut Parsed,
) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let index = LineIndex::new(text);
    let line_at = |offset: usize| index.line_of(offset) as u32 + 1;
    let file_name = match source {
        Source::Embedded(rel) => rel.rsplit('/').next().unwrap_or(rel).to_string(),
        Source::File(p) => p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let is_intro = matches!(
        file_name.to_ascii_lowercase().as_str(),
        "readme.md" | "index.md" | "_index.md"
    );

    if text.trim().is_empty() {
        if !is_intro {
            out.problems.push(Problem::new(
                source,
                1,
                Severity::Error,
                "empty page: a page needs front matter and the sections of a pattern",
            ));
        }
        return;
    }

    // Front matter.
    let (front, body_start) = match split_front_matter(text) {
        Ok(split) => split,
        Err(message) => {
            out.problems
                .push(Problem::new(source, 1, Severity::Error, message));
            (None, 0)
        }
    };
    let mut fields = Fields::default();
    if let Some((front_text, front_start)) = front {
        read_fields(front_text, front_start, &line_at, source, &mut fields, out);
    }
    let body = &text[body_start..];
    let heads = headings(body);

    if is_intro {
        let title = fields
            .title
            .clone()
            .or_else(|| heads.iter().find(|h| h.level == 1).map(|h| h.text.clone()))
            .unwrap_or_default();
        let id = fields
            .category
            .clone()
            .or_else(|| folder.map(str::to_string))
            .unwrap_or_default();
        if !id.is_empty() {
            let intro = match heads.iter().find(|h| h.level == 1) {
                Some(h) => body[h.end..].trim().to_string(),
                None => body.trim().to_string(),
            };
            out.categories.push(Category {
                id,
                title,
                intro,
                source: source.clone(),
            });
        }
        return;
    }

    // Sections, by their headings.
    let mut sections = Sections::default();
    let mut present: Vec<(String, usize)> = Vec::new();
    let h1 = heads.iter().position(|h| h.level == 1);
    let section_end = |i: usize, level: u8| -> usize {
        heads[i + 1..]
            .iter()
            .find(|h| h.level <= level)
            .map_or(body.len(), |h| h.start)
    };
    if let Some(i) = h1 {
        let end = heads.get(i + 1).map_or(body.len(), |h| h.start);
        sections.summary = body[heads[i].end..end].trim().to_string();
    }
    let mut in_resulting = false;
    for (i, h) in heads.iter().enumerate() {
        let content = || body[h.end..section_end(i, h.level)].trim().to_string();
        let line = line_at(body_start + h.start);
        match h.level {
            2 => {
                in_resulting = false;
                let name = h.text.trim();
                let known = REQUIRED_SECTIONS
                    .iter()
                    .find(|s| s.eq_ignore_ascii_case(name));
                if let Some(known) = known {
                    present.push((known.to_string(), line as usize));
                }
                match name.to_ascii_lowercase().as_str() {
                    "context" => sections.context = content(),
                    "problem" => sections.problem = content(),
                    "solution" => sections.solution = content(),
                    "resulting context" => in_resulting = true,
                    "example" | "examples" => sections.example = content(),
                    "detection" => sections.detection = content(),
                    "refactorings" => sections.refactorings = content(),
                    "further reading" => sections.further_reading = content(),
                    _ => {}
                }
                if known.is_some() && name != "Resulting context" && content().is_empty() {
                    out.problems.push(Problem::new(
                        source,
                        line,
                        Severity::Warning,
                        format!("section `## {name}` is empty: write it, or remove the heading"),
                    ));
                }
            }
            3 if in_resulting => match h.text.to_ascii_lowercase().as_str() {
                "advantages" => sections.advantages = content(),
                "disadvantages" => sections.disadvantages = content(),
                _ => {}
            },
            _ => {}
        }
    }

    let page_line = front.map_or(1, |(_, start)| line_at(start).saturating_sub(1).max(1));
    let heading_line = h1.map_or(page_line, |i| line_at(body_start + heads[i].start));

    // Missing and out-of-order sections.
    let mut last = 0usize;
    for required in REQUIRED_SECTIONS {
        match present.iter().position(|(name, _)| name == required) {
            None => out.problems.push(Problem::new(
                source,
                heading_line,
                Severity::Error,
                format!(
                    "missing section `## {required}`: every page has {}",
                    REQUIRED_SECTIONS.join(", ")
                ),
            )),
            Some(pos) => {
                if pos < last {
                    out.problems.push(Problem::new(
                        source,
                        present[pos].1 as u32,
                        Severity::Warning,
                        format!(
                            "section `## {required}` is out of order: the order is {}",
                            REQUIRED_SECTIONS.join(", ")
                        ),
                    ));
                }
                last = last.max(pos);
            }
        }
    }
    if present.iter().any(|(n, _)| n == "Resulting context")
        && sections.advantages.is_empty()
        && sections.disadvantages.is_empty()
    {
        let line = present
            .iter()
            .find(|(n, _)| n == "Resulting context")
            .map_or(heading_line, |(_, l)| *l as u32);
        out.problems.push(Problem::new(
            source,
            line,
            Severity::Error,
            "`## Resulting context` needs `### Advantages` and `### Disadvantages`",
        ));
    }

    // Queries in the detection section.
    let detection_range = heads
        .iter()
        .enumerate()
        .find(|(_, h)| h.level == 2 && h.text.eq_ignore_ascii_case("detection"))
        .map(|(i, h)| h.end..section_end(i, 2));
    let queries = query_blocks(body)
        .into_iter()
        .filter(|(at, _)| detection_range.as_ref().is_some_and(|r| r.contains(at)))
        .map(|(at, text)| PageQuery {
            text,
            line: line_at(body_start + at),
        })
        .collect();

    let Some(id) = fields.id.clone() else {
        if front.is_some() {
            out.problems.push(Problem::new(
                source,
                page_line,
                Severity::Error,
                "front matter has no `id`: add `id = \"your-pattern-id\"`",
            ));
        }
        return;
    };
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        out.problems.push(Problem::new(
            source,
            fields.id_line,
            Severity::Error,
            format!("id `{id}` is not a valid id: use lower-case letters, digits and `-`"),
        ));
        return;
    }
    let title = match fields.title.clone() {
        Some(t) if !t.trim().is_empty() => t,
        _ => {
            out.problems.push(Problem::new(
                source,
                page_line,
                Severity::Error,
                "front matter has no `title`: add `title = \"...\"`",
            ));
            id.clone()
        }
    };
    let category = match fields.category.clone() {
        Some(c) => {
            if let Some(folder) = folder
                && folder != c
            {
                out.problems.push(Problem::new(
                    source,
                    fields.category_line,
                    Severity::Warning,
                    format!("category `{c}` differs from the page's folder `{folder}`: move the page or fix the category"),
                ));
            }
            c
        }
        None => {
            out.problems.push(Problem::new(
                source,
                page_line,
                Severity::Error,
                "front matter has no `category`: add `category = \"...\"`",
            ));
            folder.unwrap_or("uncategorised").to_string()
        }
    };
    if let Some(stem) = file_name.strip_suffix(".md")
        && stem != id
    {
        out.problems.push(Problem::new(
            source,
            fields.id_line,
            Severity::Warning,
            format!("id `{id}` differs from the file name `{file_name}`: name the file `{id}.md`"),
        ));
    }
    out.patterns.push(Pattern {
        id,
        title,
        category,
        aliases: fields.aliases,
        related: fields.related,
        tags: fields.tags,
        detectable: fields.detectable,
        sections,
        queries,
        source: source.clone(),
        line: heading_line,
        text: Arc::from(text),
    });
}

type FrontMatter<'a> = Option<(&'a str, usize)>;

/// Splits off the front matter: `(Some((toml, its byte offset)), body offset)`.
fn split_front_matter(text: &str) -> Result<(FrontMatter<'_>, usize), String> {
    if !has_front_matter(text) {
        return Err("missing front matter: start the page with a `+++` line, the TOML keys id, title, category, aliases, related, tags, and a closing `+++` line".into());
    }
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = first_end;
    for line in text[first_end..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Ok((
                Some((&text[first_end..offset], first_end)),
                offset + line.len(),
            ));
        }
        offset += line.len();
    }
    Err("front matter is not closed: add a `+++` line after the TOML keys".into())
}

#[derive(Default)]
struct Fields {
    id: Option<String>,
    id_line: u32,
    title: Option<String>,
    category: Option<String>,
    category_line: u32,
    aliases: Vec<String>,
    related: Vec<String>,
    tags: Vec<String>,
    detectable: Option<bool>,
}

fn read_fields(
    front: &str,
    front_start: usize,
    line_at: &dyn Fn(usize) -> u32,
    source: &Source,
    fields: &mut Fields,
    out: &mut Parsed,
) {
    let (table, errors) = DeTable::parse_recoverable(front);
    for err in errors {
        let line = err
            .span()
            .map_or(line_at(front_start), |s| line_at(front_start + s.start));
        out.problems.push(Problem::new(
            source,
            line,
            Severity::Error,
            format!("front matter is not valid TOML: {}", err.message().trim()),
        ));
    }
    for (key, value) in table.get_ref().iter() {
        let line = line_at(front_start + key.span().start);
        let name: &str = key.get_ref();
        match name {
            "id" | "title" | "category" => match value.get_ref() {
                DeValue::String(s) => {
                    let s = s.to_string();
                    match name {
                        "id" => {
                            fields.id = Some(s);
                            fields.id_line = line;
                        }
                        "title" => fields.title = Some(s),
                        _ => {
                            fields.category = Some(s);
                            fields.category_line = line;
                        }
                    }
                }
                _ => out.problems.push(Problem::new(
                    source,
                    line,
                    Severity::Error,
                    format!("`{name}` must be a string, as in `{name} = \"...\"`"),
                )),
            },
            "detectable" => match value.get_ref() {
                DeValue::Boolean(b) => fields.detectable = Some(*b),
                _ => out.problems.push(Problem::new(
                    source,
                    line,
                    Severity::Error,
                    "`detectable` must be true or false".to_string(),
                )),
            },
            "aliases" | "related" | "tags" => {
                let mut list = Vec::new();
                match value.get_ref() {
                    DeValue::Array(items) => {
                        for item in items.iter() {
                            match item.get_ref() {
                                DeValue::String(s) => list.push(s.to_string()),
                                _ => out.problems.push(Problem::new(
                                    source,
                                    line_at(front_start + item.span().start),
                                    Severity::Error,
                                    format!("`{name}` holds strings only"),
                                )),
                            }
                        }
                    }
                    _ => out.problems.push(Problem::new(
                        source,
                        line,
                        Severity::Error,
                        format!(
                            "`{name}` must be an array of strings, as in `{name} = [\"a\", \"b\"]`"
                        ),
                    )),
                }
                match name {
                    "aliases" => fields.aliases = list,
                    "related" => fields.related = list,
                    _ => fields.tags = list,
                }
            }
            _ => {
                let hint = KNOWN_KEYS
                    .iter()
                    .map(|k| (strsim::jaro_winkler(k, name), k))
                    .filter(|(s, _)| *s > 0.8)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, k)| format!("; did you mean `{k}`?"))
                    .unwrap_or_default();
                out.problems.push(Problem::new(
                    source,
                    line,
                    Severity::Warning,
                    format!(
                        "unknown front matter key `{name}`{hint} (known: {})",
                        KNOWN_KEYS.join(", ")
                    ),
                ));
            }
        }
    }
}
