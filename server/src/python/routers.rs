//! Database routers read from the source: which database alias a router sends an app label to.
//! A router counts when its `db_for_write` or `allow_migrate` compares an app label; its
//! `db_for_read`, `db_for_write` and `allow_migrate` are read line by line, pairing the labels of
//! an `if`/`elif` on `app_label` (string literals, or a set named by an attribute or a module
//! constant) with the alias the next `return "alias"` / `return db == "alias"` answers; a
//! `return` that looks the label up in a dict literal of labels to aliases (`self.routes.get(
//! model._meta.app_label)`, `db == ROUTES[app_label]`) routes every label of the dict. Apps no
//! router claims stay on `default` (for the callers to decide). Never runs the router.

use super::facts::{Class, Value};
use super::project::{Project, SourceFile};
use std::collections::HashMap;

/// App label -> database alias, read from every routing class of the project (tests and
/// migrations aside), installed or not: the context map's reading.
pub fn app_databases(project: &Project) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for file in project.files.iter() {
        if file.is_test || file.is_migration {
            continue;
        }
        for class in &file.facts.classes {
            routes_of(file, class, &mut out);
        }
    }
    out
}

/// The routers a non-test settings module lists in `DATABASE_ROUTERS` (in order, each once), as
/// (dotted path, file, class index), when the project defines them.
pub fn installed(project: &Project) -> Vec<(String, usize, usize)> {
    let mut out: Vec<(String, usize, usize)> = Vec::new();
    for file in project.files.iter() {
        if file.is_test || file.is_migration {
            continue;
        }
        for assign in file
            .facts
            .assigns
            .iter()
            .filter(|a| a.name == "DATABASE_ROUTERS")
        {
            for item in assign.value.items() {
                let Value::Str(path, _) = item else {
                    continue;
                };
                let Some((module, name)) = path.rsplit_once('.') else {
                    continue;
                };
                let Some(&fi) = project.by_module.get(module) else {
                    continue;
                };
                let Some(ci) = project.files[fi]
                    .facts
                    .classes
                    .iter()
                    .position(|c| c.name == name)
                else {
                    continue;
                };
                if !out.iter().any(|(p, _, _)| p == path) {
                    out.push((path.to_string(), fi, ci));
                }
            }
        }
    }
    out
}

/// App label -> database alias through the installed routers only, the first router to claim a
/// label winning (Django asks them in order). Empty when no installed router routes app labels.
pub fn installed_app_databases(project: &Project) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (_, fi, ci) in installed(project) {
        let file = &project.files[fi];
        routes_of(file, &file.facts.classes[ci], &mut out);
    }
    out
}

/// The labels `class` routes, with their alias, added to `out` (a label already there is kept).
fn routes_of(file: &SourceFile, class: &Class, out: &mut HashMap<String, String>) {
    let routing = class.methods.iter().any(|m| {
        matches!(m.name.as_str(), "db_for_write" | "allow_migrate")
            && m.comparisons.iter().any(|c| c.contains("app_label"))
    });
    if !routing {
        return;
    }
    let named = |name: &str| -> Vec<String> {
        let name = name.trim_start_matches("self.").trim_start_matches("cls.");
        let Some(assign) = class
            .fields
            .iter()
            .chain(file.facts.assigns.iter())
            .find(|a| a.name == name)
        else {
            return Vec::new();
        };
        // A dict of label -> alias names its keys.
        if let Some(pairs) = label_dict(&assign.value) {
            return pairs.into_iter().map(|(label, _)| label).collect();
        }
        file.contents()
            .get(assign.span.clone())
            .map(quoted)
            .unwrap_or_default()
    };
    // A name standing for one string (`self.alias`, `ALIAS`).
    let named_str = |name: &str| -> Option<String> {
        let name = name
            .trim()
            .trim_start_matches("self.")
            .trim_start_matches("cls.");
        class
            .fields
            .iter()
            .chain(file.facts.assigns.iter())
            .find(|a| a.name == name)
            .and_then(|a| a.value.as_str().map(str::to_string))
    };
    let alias_of = |expr: &str| -> Option<String> {
        let expr = expr.trim();
        let expr = expr
            .strip_prefix("db ==")
            .or_else(|| expr.strip_prefix("db=="))
            .unwrap_or(expr)
            .trim();
        quoted_exact(expr).or_else(|| named_str(expr))
    };
    // The labels an `app_label` condition names: literals, else a set named by an attribute or a
    // constant.
    let labels_of = |cond: &str| -> Vec<String> {
        let labels = quoted(cond);
        if !labels.is_empty() {
            return labels;
        }
        cond.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .find(|w| {
                (w.starts_with("self.")
                    || w.starts_with("cls.")
                    || w.chars().all(|c| c.is_uppercase() || c == '_'))
                    && !w.is_empty()
                    && !w.ends_with("app_label")
            })
            .map(named)
            .unwrap_or_default()
    };
    let text = file.contents();
    for m in &class.methods {
        if !matches!(
            m.name.as_str(),
            "db_for_write" | "allow_migrate" | "db_for_read"
        ) {
            continue;
        }
        let Some(body) = text.get(m.span.clone()) else {
            continue;
        };
        let mut labels: Vec<String> = Vec::new();
        for line in body.lines() {
            let l = line.trim();
            if l.contains("app_label") && (l.starts_with("if ") || l.starts_with("elif ")) {
                labels = labels_of(l);
                continue;
            }
            let Some(rest) = l.strip_prefix("return ") else {
                continue;
            };
            // `return ALIAS if <app_label condition> else None`.
            if let Some((answer, tail)) = rest.split_once(" if ")
                && let Some((cond, _)) = tail.split_once(" else ")
                && cond.contains("app_label")
            {
                if let Some(alias) = alias_of(answer) {
                    for label in labels_of(cond) {
                        out.entry(label).or_insert_with(|| alias.clone());
                    }
                }
                continue;
            }
            // `return self.route_app_labels.get(model._meta.app_label)`, `return db ==
            // ROUTES[app_label]`: every label of the dict goes to its alias.
            if let Some(pairs) = dict_lookup(file, class, rest) {
                labels.clear();
                for (label, alias) in pairs {
                    out.entry(label).or_insert(alias);
                }
                continue;
            }
            if let Some(alias) = alias_of(rest) {
                for label in labels.drain(..) {
                    out.entry(label).or_insert_with(|| alias.clone());
                }
            }
        }
    }
}

/// A dict literal of string keys to string values (app label -> alias), in source order.
pub fn label_dict(value: &Value) -> Option<Vec<(String, String)>> {
    let Value::Dict(entries, _) = value else {
        return None;
    };
    entries
        .iter()
        .map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
        .collect()
}

/// The name a routing expression looks an app label up in: `NAME.get(<app_label>)` (with an
/// optional `None` default) or `NAME[<app_label>]`, `db ==` in front allowed; `NAME` as written
/// (`self.routes`, `ROUTES`).
pub fn lookup_name(expr: &str) -> Option<&str> {
    let expr = expr.trim();
    let expr = expr
        .strip_prefix("db ==")
        .or_else(|| expr.strip_prefix("db=="))
        .unwrap_or(expr)
        .trim();
    let (name, arg) = if let Some(inner) = expr.strip_suffix(')') {
        let (name, arg) = inner.split_once(".get(")?;
        let arg = arg.trim();
        (name, arg.strip_suffix(", None").unwrap_or(arg))
    } else {
        let inner = expr.strip_suffix(']')?;
        inner.split_once('[')?
    };
    let simple = |w: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
    };
    (simple(name) && simple(arg.trim()) && arg.trim().ends_with("app_label")).then_some(name)
}

/// The class attribute or module constant a router's lookup names, with its routes, when it is a
/// dict literal of labels to aliases.
pub fn lookup_dict<'a>(
    file: &'a SourceFile,
    class: &'a Class,
    expr: &str,
) -> Option<(&'a super::facts::Assign, Vec<(String, String)>)> {
    let name = lookup_name(expr)?;
    let (bare, attribute) = match name
        .strip_prefix("self.")
        .or_else(|| name.strip_prefix("cls."))
    {
        Some(bare) => (bare, true),
        None => (name, false),
    };
    // `self.X` is a class attribute; a bare name, a module constant.
    let mut candidates: Box<dyn Iterator<Item = &super::facts::Assign>> = if attribute {
        Box::new(class.fields.iter())
    } else if name.contains('.') {
        return None;
    } else {
        Box::new(file.facts.assigns.iter())
    };
    let assign = candidates.find(|a| a.name == bare && !a.augmented)?;
    Some((assign, label_dict(&assign.value)?))
}

fn dict_lookup(file: &SourceFile, class: &Class, expr: &str) -> Option<Vec<(String, String)>> {
    lookup_dict(file, class, expr).map(|(_, pairs)| pairs)
}

/// Every string literal in `text`.
fn quoted(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['"', '\'']) {
        let q = rest.as_bytes()[i] as char;
        let after = &rest[i + 1..];
        match after.find(q) {
            Some(j) => {
                out.push(after[..j].to_string());
                rest = &after[j + 1..];
            }
            None => break,
        }
    }
    out
}

/// `text` is one string literal: its content.
fn quoted_exact(text: &str) -> Option<String> {
    let t = text.trim();
    let q = t.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = t.strip_prefix(q)?.strip_suffix(q)?;
    (!inner.contains(q)).then(|| inner.to_string())
}
