//! ## aggregate
//!
//! **What it recognises.** A domain-module class that a repository loads or stores: it is named in
//! the annotations of a repository's (or repository port's) methods.
//!
//! **Why it matters.** The aggregate is the consistency boundary; repositories exist per
//! aggregate. Django's `Aggregate` (SQL `SUM`, `AVG`, ...) is not this, whatever its name.

use super::{Cx, Finding};

/// Classes whose annotations mention `name`: repositories (and ports) always; other classes of
/// domain modules when `domain_classes`.
pub(super) fn annotation_users(cx: &Cx, name: &str, domain_classes: bool) -> Vec<String> {
    let mentions = |ann: &str| {
        ann.split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|w| w == name)
    };
    let mut users = Vec::new();
    for (fi, f) in cx.project.files.iter().enumerate() {
        for (ci, c) in f.facts.classes.iter().enumerate() {
            if c.name == name {
                continue;
            }
            let r = (fi, ci);
            let is_repo = cx.roles.repositories.contains(&r)
                || cx.roles.ports.contains(&r)
                || c.name.ends_with("Repository");
            let eligible = is_repo || (domain_classes && f.is_domain);
            if !eligible {
                continue;
            }
            let in_methods = c.methods.iter().any(|m| {
                m.returns.as_deref().is_some_and(mentions)
                    || m.params
                        .iter()
                        .any(|p| p.annotation.as_deref().is_some_and(mentions))
            });
            let in_fields = domain_classes
                && f.is_domain
                && c.fields
                    .iter()
                    .any(|a| a.annotation.as_deref().is_some_and(mentions));
            if in_methods || in_fields {
                users.push(c.name.clone());
            }
        }
    }
    users
}

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    if !cx.file.is_domain {
        return;
    }
    for c in &cx.file.facts.classes {
        if c.bases
            .iter()
            .any(|b| b.rsplit('.').next() == Some("Aggregate") && b.contains("models"))
        {
            continue;
        }
        let repos: Vec<String> = annotation_users(cx, &c.name, false);
        if let Some(repo) = repos.first() {
            out.push(cx.finding(
                "aggregate",
                cx.class_span(c),
                format!(
                    "`{}` is an aggregate: the repository `{repo}` loads and stores it whole",
                    c.name
                ),
                vec![format!("named in `{repo}`'s method signatures")],
            ));
        }
    }
}
