//! ## aggregate
//!
//! **What it recognises.** A domain-module class that a repository loads or stores: it is named in
//! the annotations of a repository's (or repository port's) methods.
//!
//! **Why it matters.** The aggregate is the consistency boundary; repositories exist per
//! aggregate. Django's `Aggregate` (SQL `SUM`, `AVG`, ...) is not this, whatever its name.

use super::{Cx, Finding};
use crate::python::project::ClassRef;

/// A repository or repository port, by role, or by its name where no role says so.
pub(super) fn repository_like(cx: &Cx, r: ClassRef, class_name: &str) -> bool {
    cx.roles.repositories.contains(&r)
        || cx.roles.ports.contains(&r)
        || class_name.ends_with("Repository")
}

/// Whether an annotation names `name` as one of its words (`list[Money]`, `Money | None`).
pub(super) fn names_word(ann: &str, name: &str) -> bool {
    ann.split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|w| w == name)
}

/// Classes whose annotations mention `name`: repositories (and ports), and the other classes of
/// domain modules.
pub(super) fn annotation_users(cx: &Cx, name: &str) -> Vec<String> {
    let mentions = |ann: &str| names_word(ann, name);
    let mut users = Vec::new();
    for (fi, f) in cx.project.files.iter().enumerate() {
        for (ci, c) in f.facts.classes.iter().enumerate() {
            if c.name == name {
                continue;
            }
            let eligible = f.is_domain || repository_like(cx, (fi, ci), &c.name);
            if !eligible {
                continue;
            }
            let in_methods = c.methods.iter().any(|m| {
                m.returns.as_deref().is_some_and(mentions)
                    || m.params
                        .iter()
                        .any(|p| p.annotation.as_deref().is_some_and(mentions))
            });
            let in_fields = f.is_domain
                && c.fields
                    .iter()
                    .any(|a| a.annotation.as_deref().is_some_and(mentions));
            if in_methods || in_fields {
                users.push(c.name.to_string());
            }
        }
    }
    users
}

/// Where a repository (or port) names class `target` in its method signatures, `__init__`
/// aside: (repository, returns it, takes it). Names are resolved in the repository's file, so an
/// alias (`Cart as CartEntity`) or a re-export still names the class.
fn repository_signatures(cx: &Cx, target: ClassRef) -> Option<(String, bool, bool)> {
    let name = cx.project.class(target).name.as_str();
    let mentions = |fi: usize, ann: &str| {
        ann.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .filter(|w| w.starts_with(char::is_uppercase) || w.contains('.'))
            .any(|w| {
                cx.project.resolve_class(fi, w) == Some(target)
                    || (w == name && cx.project.resolve_class(fi, w).is_none())
            })
    };
    let mut best: Option<(String, bool, bool)> = None;
    for (fi, f) in cx.project.files.iter().enumerate() {
        for (ci, c) in f.facts.classes.iter().enumerate() {
            let r = (fi, ci);
            if !repository_like(cx, r, &c.name) || r == target {
                continue;
            }
            let (mut returns, mut takes) = (false, false);
            for m in c.methods.iter().filter(|m| m.name != "__init__") {
                returns |= m.returns.as_deref().is_some_and(|a| mentions(fi, a));
                takes |= m
                    .params
                    .iter()
                    .any(|p| p.annotation.as_deref().is_some_and(|a| mentions(fi, a)));
            }
            if returns || takes {
                let better = best
                    .as_ref()
                    .is_none_or(|(_, r, t)| (returns && takes) && !(*r && *t));
                if better {
                    best = Some((c.name.to_string(), returns, takes));
                }
            }
        }
    }
    best
}

/// Why class `r` of a domain module is not an aggregate root that still needs a repository, or
/// `None` when it is one: an entity with an identity and behaviour, which no repository loads or
/// stores and no other domain class holds. Value objects (frozen), policies, DTOs, commands and
/// events are never roots. For the refactors that give an aggregate its first repository.
pub fn not_a_root_without_repository(
    project: &crate::python::project::Project,
    roles: &super::Roles,
    r: ClassRef,
) -> Option<&'static str> {
    let file = &project.files[r.0];
    let c = &file.facts.classes[r.1];
    let text = crate::python::source::FileText::new(file);
    let cx = Cx {
        project,
        index: r.0,
        file,
        text: &text,
        roles,
    };
    const NOT_ROOTS: &[&str] = &[
        "Policy",
        "Specification",
        "Spec",
        "DTO",
        "Dto",
        "Schema",
        "Request",
        "Response",
        "Command",
        "Query",
        "Event",
        "Config",
        "Settings",
        "Error",
        "Result",
        "Service",
        "Factory",
        "Serializer",
        "Form",
        "Filter",
        "Rule",
    ];
    if !file.is_domain {
        return Some("not in a domain module");
    }
    if is_frozen(c) {
        return Some("a frozen value object");
    }
    if NOT_ROOTS.iter().any(|s| c.name.ends_with(s)) {
        return Some("a policy, DTO, command or event by its name");
    }
    if super::inherits_any(project, r, &["ABC", "Protocol", "Enum", "Exception"]) {
        return Some("an interface, enum or exception");
    }
    let identity = c.fields.iter().any(|f| {
        let n = f.name.as_str();
        matches!(
            n,
            "id" | "pk" | "uuid" | "number" | "reference" | "code" | "key" | "sku" | "isbn"
        ) || n.ends_with("_id")
            || f.annotation.as_deref().is_some_and(|a| {
                a.split(|ch: char| !ch.is_alphanumeric() && ch != '_')
                    .any(|w| w == "UUID" || w.ends_with("Id") || w.ends_with("ID"))
            })
    });
    if !identity {
        return Some("it has no identity field");
    }
    let behaviour = c.methods.iter().any(|m| {
        !m.name.starts_with('_')
            && !m.decorators.iter().any(|d| {
                matches!(d.as_str(), "property" | "staticmethod" | "classmethod")
                    || d.ends_with(".setter")
            })
    });
    if !behaviour {
        return Some("it has no behaviour");
    }
    if repository_signatures(&cx, r).is_some() {
        return Some("a repository loads or stores it already");
    }
    if held_by(&cx, &c.name) {
        return Some("another domain class holds it");
    }
    None
}

fn is_frozen(c: &crate::python::facts::Class) -> bool {
    c.decorators
        .iter()
        .any(|d| d.starts_with("dataclass") && d.contains("frozen=True"))
        || c.decorators
            .iter()
            .any(|d| d.contains("attr") && d.contains("frozen"))
}

/// Does another domain class hold `name` in a field (an entity inside an aggregate, a value)?
fn held_by_domain_class(cx: &Cx, name: &str) -> Option<String> {
    let mentions = |ann: &str| {
        ann.split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|w| w == name)
    };
    cx.project
        .files
        .iter()
        .filter(|f| f.is_domain)
        .find_map(|f| {
            f.facts.classes.iter().find_map(|c| {
                (c.name != name
                    && c.fields
                        .iter()
                        .any(|a| a.annotation.as_deref().is_some_and(mentions)))
                .then(|| c.name.to_string())
            })
        })
}

/// Is `name` held in a field of another domain class?
pub(super) fn held_by(cx: &Cx, name: &str) -> bool {
    held_by_domain_class(cx, name).is_some()
}

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    if !cx.file.is_domain {
        return;
    }
    for (ci, c) in cx.file.facts.classes.iter().enumerate() {
        let r = (cx.index, ci);
        if c.bases
            .iter()
            .any(|b| b.rsplit('.').next() == Some("Aggregate") && b.contains("models"))
            || cx.roles.ports.contains(&r)
            || cx.roles.repositories.contains(&r)
            || is_frozen(c)
            || super::inherits_any(cx.project, r, &["ABC", "Protocol", "Enum", "Exception"])
        {
            continue;
        }
        // Behaviour: a public method that is neither a property nor a constructor.
        let behaviour = c.methods.iter().find(|m| {
            !m.name.starts_with('_')
                && !m.decorators.iter().any(|d| {
                    matches!(d.as_str(), "property" | "staticmethod" | "classmethod")
                        || d.ends_with(".setter")
                })
        });
        let Some(behaviour) = behaviour else {
            continue;
        };
        // Loaded and stored whole by a repository, and not itself held inside another class.
        let Some((repo, true, stores)) = repository_signatures(cx, r) else {
            continue;
        };
        if held_by(cx, &c.name) {
            continue;
        }
        out.push(cx.finding(
            "aggregate",
            cx.class_span(c),
            format!(
                "`{}` is an aggregate: the repository `{repo}` {}, and `{}` changes it",
                c.name,
                if stores {
                    "loads and stores it whole"
                } else {
                    "loads it whole"
                },
                behaviour.name
            ),
            vec![
                format!(
                    "{} `{repo}`'s methods",
                    if stores {
                        "returned and taken by"
                    } else {
                        "returned by"
                    }
                ),
                format!("behaviour: `{}`", behaviour.name),
            ],
        ));
    }
}
