//! Hovers: plain Markdown over byte spans, no protocol. On findings (Python files and fences),
//! with the refactors on offer, and on pattern references in Markdown.

use crate::catalog::{Catalog, Pattern, render};
use crate::detect::{Finding, Kind};
use crate::line_index::LineIndex;
use crate::markdown;
use crate::vocab::Span;

/// A refactor on offer where the hover is: its title, and why it cannot apply when it is offered
/// disabled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HereOffer {
    pub title: String,
    pub disabled: Option<String>,
}

/// The hover's closing lines on the refactors on offer here, `None` when there are none: enabled
/// ones point at the code action, disabled ones say why they cannot apply.
pub fn offers_markdown(offers: &[HereOffer]) -> Option<String> {
    if offers.is_empty() {
        return None;
    }
    let mut md = String::from(
        "**Refactors here:**
",
    );
    for o in offers {
        match &o.disabled {
            None => md.push_str(&format!("- {} (code action)\n", o.title)),
            Some(reason) => md.push_str(&format!("- {}: not available, {reason}\n", o.title)),
        }
    }
    Some(md.trim_end().to_string())
}

/// The Markdown of one finding's hover. `link` is where a pattern's page opens (the protocol
/// edge knows how to name a file).
pub fn finding_hover(
    f: &Finding,
    catalog: &Catalog,
    link: &dyn Fn(&Pattern) -> Option<String>,
) -> String {
    let pattern = catalog.get(&f.pattern);
    let mut md = String::new();
    match f.kind {
        Kind::Smell => {
            let info = crate::detect::smell(&f.rule);
            md.push_str(&format!("### Smell: `{}`\n\n{}\n\n", f.rule, f.message));
            if let Some(info) = info {
                let fixes: Vec<String> = info
                    .fixed_by
                    .iter()
                    .map(|id| {
                        catalog
                            .get(id)
                            .map_or(format!("`{id}`"), |p| format!("**{}** (`{id}`)", p.title))
                    })
                    .collect();
                md.push_str(&format!("Fixed by {}.\n\n", fixes.join(" or ")));
            }
            if let Some(p) = pattern {
                md.push_str(&format!(
                    "**{}.** {}\n\n",
                    p.title,
                    render::brief(&p.sections.solution)
                ));
                if let Some(link) = link(p) {
                    md.push_str(&format!("[Open the pattern page]({link})"));
                }
            }
        }
        _ => {
            let title = pattern.map_or(f.pattern.as_str(), |p| p.title.as_str());
            md.push_str(&format!(
                "### {title}\n`{}` · recognised pattern\n\n",
                f.pattern
            ));
            md.push_str(&format!("**Why:** {}\n\n", f.message));
            if !f.evidence.is_empty() {
                md.push_str("**Evidence**\n");
                for e in &f.evidence {
                    md.push_str(&format!("- {e}\n"));
                }
                md.push('\n');
            }
            if let Some(p) = pattern {
                if !p.sections.summary.is_empty() {
                    md.push_str(&format!("{}\n\n", render::brief(&p.sections.summary)));
                }
                md.push_str(&render::trade_offs(p));
                let related: Vec<String> = p
                    .related
                    .iter()
                    .map(|id| {
                        catalog
                            .get(id)
                            .map_or(format!("`{id}`"), |r| r.title.clone())
                    })
                    .collect();
                if !related.is_empty() {
                    md.push_str(&format!("**Related:** {}\n\n", related.join(", ")));
                }
                let refactors = crate::refactor::registry::summaries_for(&p.id);
                if !refactors.is_empty() {
                    md.push_str(&format!("**Refactors:** {}\n\n", refactors.join("; ")));
                }
                if let Some(link) = link(p) {
                    md.push_str(&format!("[Open the pattern page]({link})"));
                }
            }
        }
    }
    md.trim_end().to_string()
}

/// A hover: Markdown over an optional byte span of the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoverText {
    pub markdown: String,
    pub span: Option<Span>,
}

/// The findings of `found` that start on `line`.
pub fn on_line<'f>(found: &'f [Finding], index: &LineIndex, line: usize) -> Vec<&'f Finding> {
    found
        .iter()
        .filter(|f| index.line_of(f.span.start) == line)
        .collect()
}

fn findings_markdown(
    here: &[&Finding],
    catalog: &Catalog,
    link: &dyn Fn(&Pattern) -> Option<String>,
) -> String {
    let mut md = String::new();
    for f in here {
        if !md.is_empty() {
            md.push_str("\n\n---\n\n");
        }
        md.push_str(&finding_hover(f, catalog, link));
    }
    md
}

/// The hover on the findings of the line under `offset` (Python files and fences alike), over
/// the first one's span.
pub fn findings(
    index: &LineIndex,
    found: &[Finding],
    offset: usize,
    catalog: &Catalog,
    link: &dyn Fn(&Pattern) -> Option<String>,
) -> Option<HoverText> {
    let here = on_line(found, index, index.line_of(offset));
    let first = here.first()?;
    Some(HoverText {
        markdown: findings_markdown(&here, catalog, link),
        span: Some(first.span.clone()),
    })
}

/// The hover in a Python file: the findings of the line under `offset`, then the refactors on
/// offer there (`offers` gets the line and the findings' (rule, start)): on a finding, or on a
/// class header where a refactor is on offer (enabled or not: the hover says why a missing
/// action is missing).
pub fn python(
    index: &LineIndex,
    found: &[Finding],
    offset: usize,
    catalog: &Catalog,
    link: &dyn Fn(&Pattern) -> Option<String>,
    offers: impl FnOnce(usize, &[(&str, usize)]) -> Vec<HereOffer>,
) -> Option<HoverText> {
    let line = index.line_of(offset);
    let here = on_line(found, index, line);
    let rules: Vec<(&str, usize)> = here
        .iter()
        .map(|f| (f.rule.as_str(), f.span.start))
        .collect();
    let offers = offers(line, &rules);
    if here.is_empty() && offers.is_empty() {
        return None;
    }
    let mut md = findings_markdown(&here, catalog, link);
    if let Some(more) = offers_markdown(&offers) {
        if !md.is_empty() {
            md.push_str("\n\n");
        }
        md.push_str(&more);
    }
    Some(HoverText {
        markdown: md,
        span: here.first().map(|f| f.span.clone()),
    })
}

/// The hover on a pattern reference (`[[id]]`, a link to a page, a mention) in Markdown.
pub fn reference(
    text: &str,
    offset: usize,
    catalog: &Catalog,
    names: &markdown::Names,
    link: &dyn Fn(&Pattern) -> Option<String>,
) -> Option<HoverText> {
    let r = markdown::reference_at(text, offset, catalog, names)?;
    let p = catalog.get(&r.target)?;
    Some(HoverText {
        markdown: render::hover_markdown(p, catalog, link(p).as_deref()),
        span: Some(r.span),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smell(span: Span) -> Finding {
        crate::ide::test_finding(Kind::Smell, "no-such-rule", span)
    }

    #[test]
    fn findings_of_the_line_under_the_cursor() {
        let text = "import a\nimport b\n";
        let index = LineIndex::new(text);
        let catalog = Catalog::embedded();
        let found = [smell(9..17), smell(11..15)];
        let h = findings(&index, &found, 10, &catalog, &|_| None).unwrap();
        assert_eq!(h.span, Some(9..17));
        assert_eq!(
            h.markdown,
            "### Smell: `no-such-rule`\n\nseen\n\n---\n\n### Smell: `no-such-rule`\n\nseen"
        );
        assert_eq!(findings(&index, &found, 2, &catalog, &|_| None), None);
    }

    #[test]
    fn a_python_hover_lists_the_offers_of_the_line() {
        let text = "class A:\n    pass\n";
        let index = LineIndex::new(text);
        let catalog = Catalog::embedded();
        let offers = |line: usize, rules: &[(&str, usize)]| {
            assert_eq!((line, rules.len()), (0, 0));
            vec![HereOffer {
                title: "Extract".into(),
                disabled: Some("no".into()),
            }]
        };
        let h = python(&index, &[], 3, &catalog, &|_| None, offers).unwrap();
        assert_eq!(
            h,
            HoverText {
                markdown: "**Refactors here:**\n- Extract: not available, no".into(),
                span: None
            }
        );
    }
}
