//! The uses of a relation field that "Reference `X` by identity" replaces: rewritten where the
//! rewrite is certain, else named (`path:line \`use\``) for the title.

use super::Plan;
use crate::python::facts::Value;
use crate::python::project::Project;
use crate::refactor::Edit;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Rewrites the uses of `p`'s field in the model's context; what it cannot rewrite goes to
/// `left` as `path:line \`use\``.
pub(super) fn uses(
    project: &Project,
    p: &Plan,
    edits: &mut BTreeMap<PathBuf, Vec<Edit>>,
    left: &mut Vec<String>,
) {
    let model_file = &project.files[p.model.0];
    let model_name = &project.class(p.model).name;
    let Some(context) = project
        .context_of(&model_file.facts.module)
        .map(|c| c.name.clone())
    else {
        return;
    };
    let field = p.rel.field.name.as_str();
    let attname = format!("{field}_id");
    let snake = crate::refactor::snake_case(model_name);
    for (fj, f) in project.files.iter().enumerate() {
        if f.is_test
            || f.is_migration
            || project
                .context_of(&f.facts.module)
                .is_none_or(|c| c.name != context)
        {
            continue;
        }
        // The names this file knows the model by.
        let mut locals: Vec<String> = Vec::new();
        if fj == p.model.0 {
            locals.push(model_name.to_string());
        }
        for imp in f.facts.imports.iter().filter(|i| i.is_from) {
            for (n, a) in &imp.names {
                let local = a.as_deref().unwrap_or(n);
                if project.resolve_model(fj, local) == Some(p.model) {
                    locals.push(local.to_string());
                }
            }
        }
        if locals.is_empty() {
            continue;
        }
        let text = &*f.text;
        let line_of = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
        let rel = crate::refactor::shown(f);
        let mut mine: Vec<Edit> = Vec::new();
        let mut needs_service = false;
        // Keyword arguments and lookups of the model's calls.
        for call in f.facts.all_calls() {
            let ours = locals
                .iter()
                .any(|l| call.func == *l || call.func.starts_with(&format!("{l}.")));
            if !ours {
                continue;
            }
            let Some(call_text) = text.get(call.span.clone()) else {
                continue;
            };
            for (k, _) in &call.kwargs {
                let renamed = rename_lookup(k, field, &attname, &p.key.name, &p.new_name);
                match renamed {
                    Some(new) if new == *k => {}
                    Some(new) => {
                        if let Some(at) = kwarg_at(call_text, k) {
                            let s = call.span.start + at;
                            mine.push(Edit {
                                span: s..s + k.len(),
                                text: new,
                            });
                        }
                    }
                    None => left.push(format!("{rel}:{} `{k}=`", line_of(call.span.start))),
                }
            }
            for a in &call.args {
                let Value::Str(s, span) = a else { continue };
                let (sign, bare) = s.strip_prefix('-').map_or(("", s.as_str()), |b| ("-", b));
                match rename_lookup(bare, field, &attname, &p.key.name, &p.new_name) {
                    Some(new) if new == bare => {}
                    // A plain one-quote literal only (no prefix, no triple quotes).
                    Some(new) => match text.get(span.clone()) {
                        Some(lit) if lit == format!("\"{s}\"") || lit == format!("'{s}'") => {
                            let q = &lit[..1];
                            mine.push(Edit {
                                span: span.clone(),
                                text: format!("{q}{sign}{new}{q}"),
                            });
                        }
                        _ => left.push(format!("{rel}:{} `\"{s}\"`", line_of(span.start))),
                    },
                    None => left.push(format!("{rel}:{} `\"{s}\"`", line_of(span.start))),
                }
            }
        }
        // Attribute reads: `loan.book.isbn`, `loan.book_id`, `loan.book.title`.
        let bodies = f
            .facts
            .functions
            .iter()
            .chain(f.facts.classes.iter().flat_map(|c| c.methods.iter()));
        for func in bodies {
            for (chain, span) in &func.attributes {
                let segs: Vec<&str> = chain.split('.').collect();
                let Some(i) = segs
                    .iter()
                    .enumerate()
                    .skip(1)
                    .find(|(_, s)| **s == field || **s == attname)
                    .map(|(i, _)| i)
                else {
                    continue;
                };
                let receiver = segs[..i].join(".");
                if !names_instance(&segs[..i], &snake, fj == p.model.0, &locals, text) {
                    continue;
                }
                // Only a chain written without spaces maps back to the text.
                if text.get(span.clone()) != Some(chain.as_str()) {
                    left.push(format!(
                        "{rel}:{} `{receiver}.{field}`",
                        line_of(span.start)
                    ));
                    continue;
                }
                let upto = receiver.len() + 1 + segs[i].len();
                let next = segs.get(i + 1).copied();
                let s = span.start;
                if segs[i] == attname {
                    if attname != p.new_name {
                        mine.push(Edit {
                            span: s + receiver.len() + 1..s + upto,
                            text: p.new_name.clone(),
                        });
                    }
                    continue;
                }
                match next {
                    Some(n) if n == p.key.name || n == "pk" => mine.push(Edit {
                        span: s..s + upto + 1 + n.len(),
                        text: format!("{receiver}.{}", p.new_name),
                    }),
                    Some(n)
                        if p.service
                            .as_ref()
                            .is_some_and(|sv| sv.fields.iter().any(|x| x == n)) =>
                    {
                        let sv = p.service.as_ref().map_or("", |sv| sv.function.as_str());
                        needs_service = true;
                        mine.push(Edit {
                            span: s..s + upto,
                            text: format!("{sv}({receiver}.{})", p.new_name),
                        });
                    }
                    _ => left.push(format!("{rel}:{} `{receiver}.{field}`", line_of(s))),
                }
            }
        }
        if needs_service
            && let Some(sv) = &p.service
            && let Some(e) = crate::refactor::ensure_import(
                f,
                &format!("from {} import {}", sv.module, sv.function),
            )
        {
            mine.push(e);
        }
        if !mine.is_empty() {
            edits.entry(f.path.clone()).or_default().extend(mine);
        }
    }
    reverse_uses(project, p, &context, left);
}

/// The reverse accessor (`related_name`, else `<model>_set`) read in the model's or the target's
/// context: it goes with the relation, and nothing here can rewrite it.
fn reverse_uses(project: &Project, p: &Plan, context: &str, left: &mut Vec<String>) {
    let Some(target) = p.rel.target else { return };
    let model_name = &project.class(p.model).name;
    let accessor = match p.rel.call.kwarg("related_name").and_then(Value::as_str) {
        Some(r) if r.ends_with('+') => return,
        Some(r) => r.to_string(),
        None => format!("{}_set", model_name.to_lowercase()),
    };
    let theirs = project
        .context_of(&project.files[target.0].facts.module)
        .map(|c| c.name.clone());
    let target_name = &project.class(target).name;
    let snake = crate::refactor::snake_case(target_name);
    for (fj, f) in project.files.iter().enumerate() {
        let here = project.context_of(&f.facts.module).map(|c| c.name.clone());
        if f.is_test || f.is_migration || (here.as_deref() != Some(context) && here != theirs) {
            continue;
        }
        // The names this file knows the target by.
        let mut locals: Vec<String> = Vec::new();
        if fj == target.0 {
            locals.push(target_name.to_string());
        }
        for imp in f.facts.imports.iter().filter(|i| i.is_from) {
            for (n, a) in &imp.names {
                let local = a.as_deref().unwrap_or(n);
                if project.resolve_model(fj, local) == Some(target) {
                    locals.push(local.to_string());
                }
            }
        }
        let bodies = f
            .facts
            .functions
            .iter()
            .chain(f.facts.classes.iter().flat_map(|c| c.methods.iter()));
        for func in bodies {
            for (chain, span) in &func.attributes {
                let segs: Vec<&str> = chain.split('.').collect();
                let at = segs.iter().skip(1).position(|s| *s == accessor);
                // Read on an instance of the target (`invoice.shipments`), not on anything that
                // has an attribute of that name (`self.shipments` of a unit of work).
                if at.is_some_and(|i| {
                    names_instance(&segs[..i + 1], &snake, fj == target.0, &locals, &f.text)
                }) {
                    let line = f.text[..span.start.min(f.text.len())].matches('\n').count() + 1;
                    let rel = crate::refactor::shown(f);
                    left.push(format!("{rel}:{line} `.{accessor}`"));
                }
            }
        }
    }
}

/// `receiver` (the segments before an attribute) is an instance of the model known in this file
/// as `locals`: its last segment is named after the model (`loan`, `old_loan`), is `self` in the
/// model's own module, or is bound from the model's manager (`for loan in Loan.objects...`,
/// `loan = Loan.objects...`).
fn names_instance(
    receiver: &[&str],
    snake: &str,
    own_module: bool,
    locals: &[String],
    text: &str,
) -> bool {
    let Some(&last) = receiver.last() else {
        return false;
    };
    receiver
        .iter()
        .all(|s| s.chars().all(|c| c.is_alphanumeric() || c == '_'))
        && (last == snake
            || last.ends_with(&format!("_{snake}"))
            || (last == "self" && own_module)
            || locals.iter().any(|l| {
                text.contains(&format!("for {last} in {l}."))
                    || text.contains(&format!("{last} = {l}.objects"))
            }))
}

/// A lookup or keyword through the field, renamed for the identifier field; `None` when it
/// reaches through the relation (a join, or an instance), the same text when it is not about it.
fn rename_lookup(k: &str, field: &str, attname: &str, key: &str, new: &str) -> Option<String> {
    if k == field {
        return None;
    }
    if k == attname {
        return Some(new.to_string());
    }
    if let Some(rest) = k.strip_prefix(&format!("{attname}__")) {
        return Some(format!("{new}__{rest}"));
    }
    let Some(rest) = k.strip_prefix(&format!("{field}__")) else {
        return Some(k.to_string());
    };
    let (first, tail) = rest
        .split_once("__")
        .map_or((rest, None), |(a, b)| (a, Some(b)));
    if first == key || first == "pk" {
        return Some(match tail {
            Some(t) => format!("{new}__{t}"),
            None => new.to_string(),
        });
    }
    None
}

/// Where keyword `k` is passed in a call's text (`k=`, not `k==`).
fn kwarg_at(call_text: &str, k: &str) -> Option<usize> {
    crate::refactor::words(call_text, k).find(|&i| {
        let before = call_text[..i].trim_end();
        let after = call_text[i + k.len()..].trim_start();
        (before.ends_with('(') || before.ends_with(','))
            && after.starts_with('=')
            && !after.starts_with("==")
    })
}
