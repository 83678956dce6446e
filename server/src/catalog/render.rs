//! Pattern pages rendered for people: a terminal page for `explain`, and Markdown for hovers.

use super::{Catalog, Pattern};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const CYAN: &str = "\x1b[36m";
const UNDERLINE: &str = "\x1b[4m";
const RESET: &str = "\x1b[0m";

/// Renders Markdown for a terminal: headings in bold, code indented, links as `text <url>`.
/// Styles are ANSI escapes; the caller strips them where the output is not a terminal.
pub fn markdown_to_terminal(markdown: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    let mut list_depth = 0usize;
    let mut in_code = false;
    let mut link_stack: Vec<String> = Vec::new();
    let indent = |depth: usize| "  ".repeat(depth);
    let flush = |out: &mut String, line: &mut String, prefix: &str| {
        let text = std::mem::take(line);
        if text.trim().is_empty() {
            return;
        }
        out.push_str(&wrap(&text, width, prefix));
        out.push('\n');
    };
    for event in Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                flush(&mut out, &mut line, "");
                if !out.is_empty() {
                    out.push('\n');
                }
                line.push_str(BOLD);
                if level == HeadingLevel::H1 {
                    line.push_str(UNDERLINE);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                line.push_str(RESET);
                flush(&mut out, &mut line, "");
            }
            Event::Start(Tag::Paragraph) => {}
            Event::End(TagEnd::Paragraph) => {
                let prefix = indent(list_depth);
                flush(&mut out, &mut line, &prefix);
                if list_depth == 0 {
                    out.push('\n');
                }
            }
            Event::Start(Tag::List(_)) => {
                flush(&mut out, &mut line, &indent(list_depth));
                list_depth += 1;
            }
            Event::End(TagEnd::List(_)) => {
                list_depth = list_depth.saturating_sub(1);
                if list_depth == 0 {
                    out.push('\n');
                }
            }
            Event::Start(Tag::Item) => {
                flush(&mut out, &mut line, &indent(list_depth));
                line.push_str(&indent(list_depth - 1));
                line.push_str("• ");
            }
            Event::End(TagEnd::Item) => flush(&mut out, &mut line, &indent(list_depth)),
            Event::Start(Tag::CodeBlock(kind)) => {
                flush(&mut out, &mut line, "");
                in_code = true;
                if let CodeBlockKind::Fenced(lang) = kind
                    && !lang.is_empty()
                {
                    out.push_str(&format!("    {DIM}{lang}{RESET}\n"));
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                out.push('\n');
            }
            Event::Text(t) if in_code => {
                for l in t.lines() {
                    out.push_str(&format!("    {CYAN}{l}{RESET}\n"));
                }
            }
            Event::Text(t) => line.push_str(&t),
            Event::Code(t) => line.push_str(&format!("{CYAN}{t}{RESET}")),
            Event::Start(Tag::Strong) => line.push_str(BOLD),
            Event::End(TagEnd::Strong) => line.push_str(RESET),
            Event::Start(Tag::Link { dest_url, .. }) => link_stack.push(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = link_stack.pop()
                    && url.starts_with("http")
                {
                    line.push_str(&format!(" {DIM}<{url}>{RESET}"));
                }
            }
            Event::SoftBreak => line.push(' '),
            Event::HardBreak => flush(&mut out, &mut line, &indent(list_depth)),
            Event::Rule => out.push_str("────────\n"),
            _ => {}
        }
    }
    flush(&mut out, &mut line, "");
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// Word-wraps one logical line. Escape sequences take no width.
fn wrap(text: &str, width: usize, prefix: &str) -> String {
    let mut out = String::new();
    let mut col = 0usize;
    let visible = |w: &str| {
        let mut n = 0;
        let mut esc = false;
        for c in w.chars() {
            if c == '\x1b' {
                esc = true;
            } else if esc {
                if c == 'm' {
                    esc = false;
                }
            } else {
                n += 1;
            }
        }
        n
    };
    let lead: String = text.chars().take_while(|c| *c == ' ').collect();
    out.push_str(&lead);
    col += lead.len();
    let cont = format!("{prefix}  ");
    for word in text.split_whitespace() {
        let w = visible(word);
        if col > lead.len() && col + 1 + w > width {
            out.push('\n');
            out.push_str(&cont);
            col = cont.len();
        } else if col > lead.len() {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += w;
    }
    out
}

/// The whole page of a pattern for `explain`.
pub fn terminal_page(pattern: &Pattern, catalog: &Catalog, width: usize) -> String {
    let s = &pattern.sections;
    let mut md = format!("# {}\n\n", pattern.title);
    let category = catalog
        .category(&pattern.category)
        .map_or(pattern.category.as_str(), |c| c.title.as_str());
    md.push_str(&format!("*{}* · `{}`", category, pattern.id));
    if !pattern.aliases.is_empty() {
        md.push_str(&format!(" · also: {}", pattern.aliases.join(", ")));
    }
    md.push_str("\n\n");
    if !s.summary.is_empty() {
        md.push_str(&s.summary);
        md.push_str("\n\n");
    }
    let mut section = |title: &str, body: &str| {
        if !body.trim().is_empty() {
            md.push_str(&format!("## {title}\n\n{}\n\n", body.trim()));
        }
    };
    section("Context", &s.context);
    section("Problem", &s.problem);
    section("Solution", &s.solution);
    section("Resulting context", &s.resulting);
    section("Advantages", &s.advantages);
    section("Disadvantages", &s.disadvantages);
    section("Example", &s.example);
    section("Detection", &s.detection);
    section("Refactorings", &s.refactorings);
    let related = related_line(pattern, catalog);
    section("Related patterns", &related);
    section("Further reading", &s.further_reading);
    md.push_str(&format!("Source: {}\n", pattern.source.display_path()));
    markdown_to_terminal(&md, width)
}

fn related_line(pattern: &Pattern, catalog: &Catalog) -> String {
    pattern
        .related
        .iter()
        .map(|id| match catalog.get(id) {
            Some(p) => format!("- {} (`{id}`)", p.title),
            None => format!("- `{id}`"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A compact Markdown explanation for hovers: gist, problem, solution, trade-offs, related.
pub fn hover_markdown(pattern: &Pattern, catalog: &Catalog, link: Option<&str>) -> String {
    let s = &pattern.sections;
    let category = catalog
        .category(&pattern.category)
        .map_or(pattern.category.as_str(), |c| c.title.as_str());
    let mut md = format!(
        "### {}\n*{}* · `{}`\n\n",
        pattern.title, category, pattern.id
    );
    if !s.summary.is_empty() {
        md.push_str(&first_paragraph(&s.summary));
        md.push_str("\n\n");
    }
    if !s.problem.is_empty() {
        md.push_str(&format!("**Problem.** {}\n\n", brief(&s.problem)));
    }
    if !s.solution.is_empty() {
        md.push_str(&format!("**Solution.** {}\n\n", brief(&s.solution)));
    }
    md.push_str(&trade_offs(pattern));
    let related: Vec<String> = pattern
        .related
        .iter()
        .map(|id| {
            catalog
                .get(id)
                .map_or_else(|| format!("`{id}`"), |p| format!("{} (`{id}`)", p.title))
        })
        .collect();
    if !related.is_empty() {
        md.push_str(&format!("**Related:** {}\n\n", related.join(", ")));
    }
    if let Some(first) = first_link(&s.further_reading) {
        md.push_str(&format!("**Read more:** {first}\n\n"));
    }
    if let Some(link) = link {
        md.push_str(&format!("[Open the pattern page]({link})\n"));
    }
    md.trim_end().to_string()
}

/// Advantages and disadvantages, at most three each.
pub fn trade_offs(pattern: &Pattern) -> String {
    let s = &pattern.sections;
    let mut md = String::new();
    let bullets = |text: &str| -> Vec<String> {
        text.lines()
            .map(str::trim)
            .filter(|l| l.starts_with("- ") || l.starts_with("* "))
            .map(|l| l[2..].to_string())
            .take(3)
            .collect()
    };
    let pros = bullets(&s.advantages);
    let cons = bullets(&s.disadvantages);
    if !pros.is_empty() {
        md.push_str("**Advantages**\n");
        for p in pros {
            md.push_str(&format!("- {p}\n"));
        }
        md.push('\n');
    }
    if !cons.is_empty() {
        md.push_str("**Disadvantages**\n");
        for c in cons {
            md.push_str(&format!("- {c}\n"));
        }
        md.push('\n');
    }
    md
}

/// The first paragraph, or the first two bullets of a list, of a section.
pub fn brief(text: &str) -> String {
    let para = first_paragraph(text);
    if para.lines().all(|l| {
        l.trim_start().starts_with("- ") || l.trim_start().starts_with("* ") || l.starts_with("  ")
    }) {
        let items: Vec<&str> = para
            .lines()
            .filter(|l| l.trim_start().starts_with(['-', '*']))
            .map(|l| l.trim_start()[2..].trim())
            .take(2)
            .collect();
        return items.join(" ");
    }
    para.replace('\n', " ")
}

fn first_paragraph(text: &str) -> String {
    text.trim()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .trim()
        .to_string()
}

fn first_link(text: &str) -> Option<String> {
    let start = text.find('[')?;
    let rest = &text[start..];
    let close = rest.find(')')?;
    Some(rest[..=close].to_string())
}
