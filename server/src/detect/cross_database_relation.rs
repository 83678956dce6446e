//! ## cross-database-relation (smell)
//!
//! **What it flags.** A `ForeignKey`, `OneToOneField` or `ManyToManyField` whose model and
//! target model the project's database routers send to different databases. Where a model goes
//! is read from the routers listed in `DATABASE_ROUTERS` (`python::routers`: the app labels a
//! router compares in `db_for_read`, `db_for_write` or `allow_migrate` and the alias it
//! answers; the first router claiming a label wins, as in Django); an app no router claims stays
//! on `default`. Targets are resolved by name (imports and aliases followed), by `"app.Model"`
//! string, or `settings.AUTH_USER_MODEL` (its setting, else `auth`).
//!
//! **Why it matters.** Django follows no relation across databases: the key cannot be enforced,
//! and joins, `select_related` and lookups through the field fail at run time.
//!
//! **Never flagged.** Without an installed router that routes app labels; relations to `self`
//! or within one database; abstract models; tests and migrations.
//!
//! **Example.** With `LendingRouter` sending `lending` to the `lending` alias,
//! `book = models.ForeignKey(BookRecord, ...)` in `lending/models.py`, `BookRecord` being a
//! model of `catalog` (on `default`).
//!
//! **Use instead.** Reference the other model by identity (`book_isbn = models.CharField(...)`)
//! and read it through its context's open host service.

use super::{Cx, Finding, Related};
use crate::python::facts::{Assign, Call, Value};
use crate::python::project::{ClassRef, Project};
use crate::python::relations::relation_call;

/// A relation field of a model and what it points to.
pub(crate) struct Relation<'a> {
    pub field: &'a Assign,
    pub call: &'a Call,
    /// The target model, when it is a class of the project.
    pub target: Option<ClassRef>,
    /// The target's app label, when known.
    pub label: Option<String>,
    /// The target as written (`BookRecord`, `"catalog.BookRecord"`).
    pub written: String,
}

/// The relation fields of model `r` (file index, class index).
pub(crate) fn relations(project: &Project, r: ClassRef) -> Vec<Relation<'_>> {
    let file = &project.files[r.0];
    let own_label = project.app_of(&file.facts.module).map(|a| a.label.clone());
    let mut out = Vec::new();
    for field in &project.class(r).fields {
        let Some(call) = relation_call(&field.value) else {
            continue;
        };
        let Some(to) = call.args.first().or_else(|| call.kwarg("to")) else {
            continue;
        };
        let (target, label, written) = match to {
            Value::Str(s, _) if s == "self" => (Some(r), own_label.clone(), s.clone()),
            Value::Str(s, _) => {
                let (label, name) = match s.split_once('.') {
                    Some((label, name)) => (Some(label.to_string()), name),
                    None => (own_label.clone(), s.as_str()),
                };
                let target = label
                    .as_deref()
                    .and_then(|l| model_in_app(project, l, name));
                (target, label, s.clone())
            }
            Value::Name(n, _) if n.ends_with("AUTH_USER_MODEL") => {
                let label = user_model_label(project);
                let target = label
                    .as_ref()
                    .and_then(|(l, name)| model_in_app(project, l, name));
                (target, label.map(|(l, _)| l), n.clone())
            }
            Value::Name(n, _) => {
                let target = project.resolve_model(r.0, n);
                let label = target.and_then(|t| {
                    project
                        .app_of(&project.files[t.0].facts.module)
                        .map(|a| a.label.clone())
                });
                (target, label, n.clone())
            }
            _ => continue,
        };
        out.push(Relation {
            field,
            call,
            target,
            label,
            written: written.to_string(),
        });
    }
    out
}

/// The model `name` of the app labelled `label`.
fn model_in_app(project: &Project, label: &str, name: &str) -> Option<ClassRef> {
    project.models.get(name)?.iter().copied().find(|m| {
        project
            .app_of(&project.files[m.0].facts.module)
            .is_some_and(|a| a.label == label)
    })
}

/// `AUTH_USER_MODEL` of a settings module as (app label, model name); `auth.User` without one.
fn user_model_label(project: &Project) -> Option<(String, String)> {
    let setting = project.files.iter().filter(|f| !f.is_test).find_map(|f| {
        f.facts
            .assigns
            .iter()
            .find(|a| a.name == "AUTH_USER_MODEL")
            .and_then(|a| a.value.as_str().map(str::to_string))
    });
    let value = setting.unwrap_or_else(|| "auth.User".to_string());
    let (label, name) = value.split_once('.')?;
    Some((label.to_string(), name.to_string()))
}

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    let project = cx.project;
    let file = cx.file;
    let models: Vec<usize> = (0..file.facts.classes.len())
        .filter(|&ci| {
            let c = &file.facts.classes[ci];
            project.is_model((cx.index, ci))
                && !c.meta.as_ref().is_some_and(|m| m.is_abstract)
                && c.fields.iter().any(|f| relation_call(&f.value).is_some())
        })
        .collect();
    if models.is_empty() {
        return;
    }
    let Some(own) = project.app_of(&file.facts.module) else {
        return;
    };
    let databases = &cx.roles.app_databases;
    if databases.is_empty() {
        return;
    }
    let db_of = |label: &str| databases.get(label).map_or("default", String::as_str);
    let here = db_of(&own.label);
    for ci in models {
        let class = &file.facts.classes[ci];
        for rel in relations(project, (cx.index, ci)) {
            let Some(label) = rel.label.as_deref() else {
                continue;
            };
            let there = db_of(label);
            if there == here || rel.target == Some((cx.index, ci)) {
                continue;
            }
            let target_name = rel.target.map_or_else(
                || rel.written.trim_matches(['"', '\'']).to_string(),
                |t| project.class(t).name.to_string(),
            );
            let mut f = cx.finding(
                "cross-database-relation",
                cx.line_span(&rel.field.span),
                format!(
                    "`{}.{}` is a {} from `{}` (database `{here}`) to `{target_name}` of `{label}` (database `{there}`): Django cannot follow a relation across databases; reference `{target_name}` by identity",
                    class.name,
                    rel.field.name,
                    rel.call.method(),
                    own.label,
                ),
                vec![
                    format!("app `{}` is routed to `{here}`", own.label),
                    format!("app `{label}` is routed to `{there}`"),
                ],
            );
            if let Some(t) = rel.target {
                let tf = &project.files[t.0];
                f.related.push(Related {
                    path: tf.path.clone(),
                    span: project.class(t).header.clone(),
                    message: format!("`{target_name}` is defined here, on database `{there}`"),
                });
            }
            out.push(f);
        }
    }
}
