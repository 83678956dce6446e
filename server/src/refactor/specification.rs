//! Introduce a specification: a repository's `get_by_*` / `find_by_*` methods become one
//! `find(spec)` (and `find_one(spec)` for the `get_by_*` ones), with a specification class per
//! query that compiles to a `Q` object. Call sites whose receiver is known to be that repository
//! (a parameter annotated with it, or a variable constructed from it in the same function) are
//! rewritten; the others are named in the action's title.
//!
//! A query method is rewritten when its body (one `return`, a comprehension, or a few statements
//! such as `row = ....filter(field=param).first()`) has exactly one `.filter(field=param)` /
//! `.get(field=param)` on its single parameter and the methods of its group differ only in that
//! lookup; the others stay as they are and are named in the title. Offered when two or more can
//! be rewritten.

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

/// The statements of `m`'s body, dedented, a one-line docstring aside.
fn body(text: &str, m: &crate::python::facts::Function) -> Option<String> {
    let header = crate::detect::header_span(text, m.span.start);
    if !text[header.clone()].trim_end().ends_with(':') {
        return None;
    }
    let body_start = text[header.end..].find('\n')? + header.end + 1;
    let body = text.get(body_start..m.span.end)?;
    let mut base = None;
    let mut out = Vec::new();
    for line in body.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let base = *base.get_or_insert(lead);
        if out.is_empty()
            && (t.starts_with("\"\"\"") || t.starts_with("'''"))
            && t.len() >= 6
            && (t.ends_with("\"\"\"") || t.ends_with("'''"))
        {
            continue;
        }
        if lead < base {
            return None;
        }
        out.push(line.get(base..)?.trim_end().to_string());
    }
    (!out.is_empty()).then(|| out.join("\n"))
}

/// A query method as a specification, or why it stays as it is.
fn query(
    text: &str,
    m: &crate::python::facts::Function,
    group: &'static str,
) -> Result<Query, String> {
    let params: Vec<&str> = m
        .params
        .iter()
        .map(|p| p.name.as_str())
        .filter(|p| *p != "self")
        .collect();
    let [param] = params.as_slice() else {
        return Err("takes more than one argument".into());
    };
    let body = match single_return(text, m) {
        Some((_, expr)) => format!("return {expr}"),
        None => body(text, m).ok_or("its body cannot be read")?,
    };
    let (lookup, args) =
        lookup_call(&body, param).ok_or(format!("no single `.filter(field={param})`"))?;
    let template = format!("{}spec.to_q(){}", &body[..args.start], &body[args.end..]);
    if template
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|w| w == *param)
    {
        return Err(format!("uses `{param}` beyond the lookup"));
    }
    if template
        .lines()
        .any(|l| l.trim_start().starts_with("def ") || l.trim_start().starts_with("class "))
    {
        return Err("defines functions of its own".into());
    }
    let stem = m
        .name
        .trim_start_matches("get_by_")
        .trim_start_matches("find_by_");
    Ok(Query {
        name: m.name.to_string(),
        group,
        lookup,
        spec: format!("By{}", super::camel(stem)),
        template,
        span: m.span.clone(),
    })
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
    // Query methods left as they are, with the reason.
    let mut kept: Vec<String> = Vec::new();
    for m in &class.methods {
        let group = if m.name.starts_with("get_by_") && m.name != "get_by_natural_key" {
            "find_one"
        } else if m.name.starts_with("find_by_") {
            "find"
        } else {
            continue;
        };
        match query(text, m, group) {
            Ok(q) => queries.push(q),
            Err(reason) => kept.push(format!("`{}` ({reason})", m.name)),
        }
    }
    // The methods of a group must share their body beyond the lookup: the first one's wins.
    let mut groups: BTreeMap<&str, String> = BTreeMap::new();
    queries.retain(|q| match groups.get(q.group) {
        Some(t) if *t != q.template => {
            kept.push(format!(
                "`{}` (differs from the other `{}` methods beyond its lookup)",
                q.name, q.group
            ));
            false
        }
        Some(_) => true,
        None => {
            groups.insert(q.group, q.template.clone());
            true
        }
    });
    if queries.len() < 2 {
        return Err(match kept.is_empty() {
            true => "fewer than two query methods".into(),
            false => format!(
                "fewer than two query methods have one `.filter(field=param)` on their one parameter: {}",
                kept.join(", ")
            ),
        });
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
        finders.push_str(&format!("{indent}def {group}(self, spec):\n{indent}    \"\"\"Rows matching a specification (see `{spec_module}`).\"\"\"\n"));
        for line in template.lines() {
            finders.push_str(&format!("{indent}    {line}\n"));
        }
        finders.push('\n');
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
    if !kept.is_empty() {
        title.push_str(&format!(
            " (query methods left as they are: {})",
            kept.join(", ")
        ));
    }
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
