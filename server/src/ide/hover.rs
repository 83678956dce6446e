//! Hover text for findings: plain Markdown, no protocol.

use crate::catalog::{Catalog, Pattern, render};
use crate::detect::{Finding, Kind};

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
