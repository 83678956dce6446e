//! Introduce a specification: a repository's `get_by_*` / `find_by_*` methods become one
//! `find(spec)` (and `find_one(spec)` for the `get_by_*` ones), with a specification class per
//! query that compiles to a `Q` object. Call sites whose receiver is known to be that repository
//! (a parameter annotated with it, or a variable constructed from it in the same function) are
//! rewritten; the others are named in the action's title.
//!
//! Offered only when every query method is `return <expr>` with exactly one
//! `.filter(field=param)` / `.get(field=param)` on its single parameter, and the methods of a
//! group differ only in that lookup.

use super::cache_repository::single_return;
use super::{Edit, FileChange, Refactor};
use crate::ide::files::FileView;
use crate::python::project::Project;
use std::collections::BTreeMap;

struct Query {
    name: String,
    group: &'static str,
    lookup: String,
    spec: String,
    template: String,
    span: std::ops::Range<usize>,
}

/// `.filter(lookup=param)` or `.get(lookup=param)` in `expr`: (lookup, byte range of the args).
fn lookup_call(expr: &str, param: &str) -> Option<(String, std::ops::Range<usize>)> {
    let mut found = None;
    for method in [".filter(", ".get("] {
        let mut from = 0;
        while let Some(i) = expr[from..].find(method) {
            let open = from + i + method.len();
            let close = expr[open..].find(')')? + open;
            let args = expr[open..close].trim();
            if let Some((k, v)) = args.split_once('=')
                && v.trim() == param
                && k.trim().chars().all(|c| c.is_alphanumeric() || c == '_')
            {
                if found.is_some() {
                    return None;
                }
                found = Some((k.trim().to_string(), open..close));
            }
            from = close;
        }
    }
    found
}

pub fn introduce(
    project: &Project,
    files: &dyn FileView,
    fi: usize,
    ci: usize,
    can_create: bool,
) -> Result<Refactor, String> {
    let file = &project.files[fi];
    let text = &*file.text;
    let class = &file.facts.classes[ci];
    let mut queries = Vec::new();
    for m in &class.methods {
        let group = if m.name.starts_with("get_by_") && m.name != "get_by_natural_key" {
            "find_one"
        } else if m.name.starts_with("find_by_") {
            "find"
        } else {
            continue;
        };
        let params: Vec<&str> = m
            .params
            .iter()
            .map(|p| p.name.as_str())
            .filter(|p| *p != "self")
            .collect();
        let [param] = params.as_slice() else {
            return Err(format!("`{}` takes more than one argument", m.name));
        };
        let (_, expr) =
            single_return(text, m).ok_or(format!("`{}` is more than one `return`", m.name))?;
        let (lookup, args) = lookup_call(expr, param).ok_or(format!(
            "`{}` has no single `.filter({{field}}={param})`",
            m.name
        ))?;
        let template = format!("{}spec.to_q(){}", &expr[..args.start], &expr[args.end..]);
        if template
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|w| w == *param)
        {
            return Err(format!("`{}` uses `{param}` beyond the lookup", m.name));
        }
        let stem = m
            .name
            .trim_start_matches("get_by_")
            .trim_start_matches("find_by_");
        queries.push(Query {
            name: m.name.clone(),
            group,
            lookup,
            spec: format!("By{}", super::camel(stem)),
            template,
            span: m.span.clone(),
        });
    }
    if queries.len() < 2 {
        return Err("fewer than two query methods".into());
    }
    let mut groups: BTreeMap<&str, &str> = BTreeMap::new();
    for q in &queries {
        match groups.get(q.group) {
            Some(t) if *t != q.template => {
                return Err(format!(
                    "the `{}` methods differ beyond their lookup",
                    q.group
                ));
            }
            _ => {
                groups.insert(q.group, &q.template);
            }
        }
    }
    let app = project
        .app_of(&file.facts.module)
        .ok_or("the repository is not in a Django app")?;
    let app_dir = file.path.parent().ok_or("no folder")?;
    let spec_module = format!("{}.specifications", app.package);

    // The repository: query methods go, find/find_one come in their place.
    let mut repo_edits = Vec::new();
    let first = queries.iter().map(|q| q.span.start).min().unwrap_or(0);
    for q in &queries {
        // The whole lines of the method, with the blank line after it.
        let start = text[..q.span.start].rfind('\n').map_or(0, |i| i + 1);
        let mut end = text[q.span.end..]
            .find('\n')
            .map_or(text.len(), |i| q.span.end + i + 1);
        while text[end..].starts_with('\n') {
            end += 1;
        }
        repo_edits.push(Edit {
            span: start..end,
            text: String::new(),
        });
    }
    let indent: String = text[text[..first].rfind('\n').map_or(0, |i| i + 1)..first].to_string();
    let mut finders = String::new();
    for (group, template) in &groups {
        finders.push_str(&format!("{indent}def {group}(self, spec):\n{indent}    \"\"\"Rows matching a specification (see `{spec_module}`).\"\"\"\n{indent}    return {template}\n\n"));
    }
    let first_line = text[..first].rfind('\n').map_or(0, |i| i + 1);
    // The first query method's lines become the finders: one edit, no touching ranges.
    if let Some(e) = repo_edits.iter_mut().find(|e| e.span.start == first_line) {
        e.text = finders;
    }

    // Specification classes.
    let mut specs = String::new();
    let path = app_dir.join("specifications.py");
    let existing = files.text(&path);
    let has_base = existing
        .as_deref()
        .is_some_and(|t| t.contains("class Specification"));
    if !has_base {
        specs.push_str("\n\nclass Specification:\n    \"\"\"A query condition: combine with `&`, `|`, `~`; repositories filter with `to_q()`.\"\"\"\n\n    def to_q(self) -> Q:\n        raise NotImplementedError\n\n    def __and__(self, other: \"Specification\") -> \"Specification\":\n        return QSpecification(self.to_q() & other.to_q())\n\n    def __or__(self, other: \"Specification\") -> \"Specification\":\n        return QSpecification(self.to_q() | other.to_q())\n\n    def __invert__(self) -> \"Specification\":\n        return QSpecification(~self.to_q())\n\n\nclass QSpecification(Specification):\n    def __init__(self, q: Q) -> None:\n        self.q = q\n\n    def to_q(self) -> Q:\n        return self.q\n");
    }
    for q in &queries {
        specs.push_str(&format!(
            "\n\nclass {spec}(Specification):\n    \"\"\"Was `{repo}.{name}`.\"\"\"\n\n    def __init__(self, value) -> None:\n        self.value = value\n\n    def to_q(self) -> Q:\n        return Q({lookup}=self.value)\n",
            spec = q.spec,
            repo = class.name,
            name = q.name,
            lookup = q.lookup
        ));
    }
    let spec_change = match existing {
        Some(t) => {
            let mut edits = Vec::new();
            if !t
                .lines()
                .any(|l| l.trim() == "from django.db.models import Q")
            {
                let at = super::import_insertion_in(&t);
                edits.push(Edit {
                    span: at..at,
                    text: "from django.db.models import Q\n".into(),
                });
            }
            edits.push(Edit {
                span: t.len()..t.len(),
                text: specs,
            });
            FileChange::Edit(edits)
        }
        None if can_create => FileChange::Create(format!(
            "\"\"\"Specifications: query conditions as objects.\"\"\"\n\nfrom django.db.models import Q\n{specs}"
        )),
        None => {
            return Err(
                "specifications.py does not exist and the editor cannot create files".into(),
            );
        }
    };

    // Call sites.
    let mut changes: BTreeMap<std::path::PathBuf, Vec<Edit>> = BTreeMap::new();
    changes.insert(file.path.clone(), repo_edits);
    let mut left = Vec::new();
    for other in project
        .files
        .iter()
        .filter(|f| !f.is_test && !f.is_migration)
    {
        let functions = other
            .facts
            .functions
            .iter()
            .chain(other.facts.classes.iter().flat_map(|c| c.methods.iter()));
        for f in functions {
            for call in &f.calls {
                let Some((receiver, method)) = call.func.rsplit_once('.') else {
                    continue;
                };
                let Some(q) = queries.iter().find(|q| q.name == method) else {
                    continue;
                };
                let body = &other.text[f.span.clone()];
                let known = f.params.iter().any(|p| {
                    p.name == receiver
                        && p.annotation
                            .as_deref()
                            .is_some_and(|a| a.rsplit('.').next() == Some(class.name.as_str()))
                }) || body.contains(&format!("{receiver} = {}(", class.name));
                let line = other.text[..call.span.start].matches('\n').count() + 1;
                if !known {
                    left.push(format!("{}:{line}", other.facts.module));
                    continue;
                }
                let call_text = &other.text[call.span.clone()];
                let Some(open) = call_text.find('(') else {
                    continue;
                };
                let args = &call_text[open + 1..call_text.len().saturating_sub(1)];
                let edits = changes.entry(other.path.clone()).or_default();
                edits.push(Edit {
                    span: call.span.clone(),
                    text: format!("{receiver}.{}({}({args}))", q.group, q.spec),
                });
                let import = format!("from {spec_module} import {}", q.spec);
                if !other.text.lines().any(|l| l.trim() == import)
                    && !edits.iter().any(|e| e.text == format!("{import}\n"))
                {
                    let at = super::import_insertion(other);
                    edits.push(Edit {
                        span: at..at,
                        text: format!("{import}\n"),
                    });
                }
            }
        }
    }
    let mut title = format!(
        "Introduce a specification: `{}` gets {} instead of {} query methods",
        class.name,
        groups
            .keys()
            .map(|g| format!("`{g}(spec)`"))
            .collect::<Vec<_>>()
            .join(" and "),
        queries.len()
    );
    if !left.is_empty() {
        left.sort();
        left.dedup();
        title.push_str(&format!(
            " (call sites with an unknown receiver, left as they are: {})",
            left.join(", ")
        ));
    }
    let mut all = vec![(path, spec_change)];
    all.extend(changes.into_iter().map(|(p, e)| (p, FileChange::Edit(e))));
    Ok(Refactor {
        title,
        changes: all,
    })
}

/// The registry entry (see `registry.rs`).
pub struct Specification;

impl super::registry::RefactorKind for Specification {
    fn id(&self) -> &'static str {
        "specification"
    }
    fn summary(&self) -> &'static str {
        "Introduce a specification"
    }
    fn serves(&self) -> &'static [&'static str] {
        &["repository-specification"]
    }
    fn kind(&self) -> super::registry::ActionKind {
        super::registry::ActionKind::Rewrite
    }
    fn target(&self, scope: &super::registry::Scope, target: super::registry::Target) -> bool {
        let Some(ci) = super::registry::class_of(target) else {
            return false;
        };
        let file = scope.source();
        !file.is_domain
            && (scope.roles.repositories.contains(&(scope.file, ci))
                || file.facts.classes[ci].name.ends_with("Repository"))
    }
    fn edit(
        &self,
        scope: &super::registry::Scope,
        target: super::registry::Target,
    ) -> Result<super::registry::Outcome, super::registry::NotOffered> {
        let ci = super::registry::class_of(target).ok_or("not a class")?;
        let r = introduce(scope.project, scope.files, scope.file, ci, scope.can_create)?;
        Ok(super::registry::Outcome::Files(r))
    }
}
