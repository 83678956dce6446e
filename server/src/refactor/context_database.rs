//! Give a bounded context its own database: a router sending the context's apps to a new alias,
//! the alias in `DATABASES`, and the router in `DATABASE_ROUTERS`, in the settings module the
//! project uses. Not offered while a model of the context has a foreign key into another context
//! (or the other way round): Django cannot follow relations across databases. Where an installed
//! router routes apps through a dict of labels to aliases, the context's labels go into that dict
//! instead ("Route the `members` context through `LendingRouter` ..."), with the alias in
//! `DATABASES` when it is missing; any other router is left alone and a new one is written.

use super::{Edit, FileChange, Refactor};
use crate::ide::files::FileView;
use crate::python::project::Project;
use std::path::PathBuf;

/// Foreign keys that cross the context's border, as readable reasons.
fn crossing_relations(project: &Project, context: &str) -> Vec<String> {
    project
        .relation_ends()
        .iter()
        .filter(|r| {
            let inside = r.here.as_deref() == Some(context);
            let points_inside = r.target.as_deref() == Some(context);
            inside != points_inside && r.target.is_some()
        })
        .map(|r| {
            format!(
                "`{}.{}` relates `{}` to {}",
                r.class,
                r.field,
                r.here.as_deref().unwrap_or("?"),
                r.target.as_deref().unwrap_or_default()
            )
        })
        .collect()
}

/// The first installed router whose routing methods (`db_for_read`, `db_for_write`,
/// `allow_migrate`, those it has, `db_for_write` among them) all look the app label up in one
/// dict literal of labels to aliases, a class attribute or a module constant
/// (`route_app_labels = {"lending": "lending"}` read as `self.route_app_labels.get(...)` or
/// `[...]`): the edits that send `labels` to `alias` through it (an entry per label, added at
/// the end of the dict), its file and its class name. `None` for any other router: a set of
/// labels all sent to one database (adding to it would share that database, not give the
/// context its own), or `if`/`elif` chains, which a new entry cannot extend safely. A router
/// listed earlier that claims one of the labels also makes it `None` (Django asks them in order).
fn through_router(
    project: &Project,
    routed: &std::collections::HashMap<String, String>,
    files: &dyn FileView,
    labels: &[String],
    alias: &str,
) -> Option<(PathBuf, Vec<Edit>, String)> {
    if labels.iter().any(|l| routed.contains_key(l)) {
        return None;
    }
    for (_, fi, ci) in crate::python::routers::installed(project) {
        let file = &project.files[fi];
        let class = &file.facts.classes[ci];
        let mut dict = None;
        let mut writes = false;
        let mut every = true;
        for m in &class.methods {
            if !matches!(
                m.name.as_str(),
                "db_for_read" | "db_for_write" | "allow_migrate"
            ) {
                continue;
            }
            writes |= m.name == "db_for_write";
            let body = file.text.get(m.span.clone()).unwrap_or_default();
            let looked_up = body.lines().find_map(|line| {
                let rest = line.trim().strip_prefix("return ")?;
                crate::python::routers::lookup_dict(file, class, rest)
            });
            match (looked_up, dict) {
                (Some((assign, _)), None) => dict = Some(assign),
                (Some((assign, _)), Some(d)) if std::ptr::eq(assign, d) => {}
                _ => every = false,
            }
        }
        let Some(assign) = dict.filter(|_| writes && every) else {
            continue;
        };
        let crate::python::facts::Value::Dict(entries, span) = &assign.value else {
            continue;
        };
        // Edit what the editor has, and only while it is what was analysed.
        let text = files.text(&file.path)?;
        if *text != *file.text || text.get(span.clone())? != file.text.get(span.clone())? {
            return None;
        }
        let entries_text: String = labels
            .iter()
            .map(|l| format!("\"{l}\": \"{alias}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let edit = match entries.last() {
            None => Edit {
                span: span.start + 1..span.start + 1,
                text: entries_text,
            },
            Some((key, value)) => {
                let end = value.span().end;
                let multiline = text[span.clone()].contains('\n');
                let joined = if multiline {
                    let line_start = text[..key.span().start].rfind('\n').map_or(0, |i| i + 1);
                    let indent: String = text[line_start..key.span().start]
                        .chars()
                        .take_while(|c| c.is_whitespace())
                        .collect();
                    labels
                        .iter()
                        .map(|l| format!(",\n{indent}\"{l}\": \"{alias}\""))
                        .collect::<String>()
                } else {
                    format!(", {entries_text}")
                };
                Edit {
                    span: end..end,
                    text: joined,
                }
            }
        };
        return Some((file.path.clone(), vec![edit], class.name.to_string()));
    }
    None
}

/// The refactor for the context of `module`; `Err` carries the reason it cannot be offered.
pub fn give_database(
    project: &Project,
    roles: &crate::detect::Roles,
    files: &dyn FileView,
    module: &str,
    can_create: bool,
) -> Result<Refactor, String> {
    let context = project
        .context_of(module)
        .ok_or("the module belongs to no bounded context")?;
    // A context the installed routers already send to a database of its own has one.
    let routed = &roles.app_databases;
    if let Some(alias) = context
        .apps
        .iter()
        .map(|label| routed.get(label))
        .collect::<Option<Vec<_>>>()
        .and_then(|aliases| {
            aliases
                .first()
                .copied()
                .filter(|a| aliases.iter().all(|b| b == a))
        })
        .filter(|a| a.as_str() != "default")
    {
        return Err(format!(
            "`{}` has its own database `{alias}` through the project's routers already",
            context.name
        ));
    }
    let blocking = crossing_relations(project, &context.name);
    if !blocking.is_empty() {
        return Err(format!(
            "foreign keys cross the context's border, and Django cannot follow them across databases: {}",
            blocking.join("; ")
        ));
    }
    let alias = context.name.to_lowercase();
    // The settings module that defines DATABASES (the base of a split chain first).
    let settings = project
        .files
        .iter()
        .filter(|f| {
            !f.is_test
                && f.facts
                    .assigns
                    .iter()
                    .any(|a| a.name == "DATABASES" && !a.augmented)
        })
        .min_by_key(|f| (!f.facts.module.ends_with("base"), f.facts.module.len()))
        .ok_or("no settings module defines DATABASES")?;
    let databases = settings
        .facts
        .assigns
        .iter()
        .find(|a| a.name == "DATABASES" && !a.augmented)
        .ok_or("no DATABASES")?;
    let text = &*settings.text;
    let after_databases = text[databases.span.end..]
        .find('\n')
        .map_or(text.len(), |i| databases.span.end + i + 1);
    let alias_line = format!(
        "\n# The `{ctx}` context's own database: point NAME (and HOST, USER, ...) at it.\nDATABASES[\"{alias}\"] = {{**DATABASES[\"default\"], \"NAME\": \"{alias}\"}}\n",
        ctx = context.name
    );
    // An installed router that routes labels through a dict of its own takes the context's
    // labels: one router, as the project has it, instead of a second one.
    if let Some((router_path, router_edits, router_class)) =
        through_router(project, routed, files, &context.apps, &alias)
    {
        let defined = databases.value.get(&alias).is_some();
        if defined && routed.values().any(|a| *a == alias) {
            return Err(format!(
                "DATABASES already has an alias `{alias}` another app is routed to"
            ));
        }
        let mut changes = vec![(router_path, FileChange::Edit(router_edits))];
        if !defined {
            changes.push((
                settings.path.clone(),
                FileChange::Edit(vec![Edit {
                    span: after_databases..after_databases,
                    text: alias_line,
                }]),
            ));
        }
        return Ok(Refactor {
            title: format!(
                "Route the `{}` context through `{router_class}` to its own database `{alias}` ({})",
                context.name,
                if defined {
                    "router entry"
                } else {
                    "router entry, DATABASES alias"
                }
            ),
            changes,
        });
    }
    if databases.value.get(&alias).is_some() {
        return Err(format!("DATABASES already has an alias `{alias}`"));
    }
    // The router goes beside the settings: `<project>/routers.py`.
    let settings_dir = settings.path.parent().ok_or("no folder")?;
    let (router_dir, router_module): (PathBuf, String) = {
        let parent = crate::python::project::parent_module(&settings.facts.module);
        if settings_dir.file_name().is_some_and(|n| n == "settings") && !parent.is_empty() {
            (
                settings_dir.parent().ok_or("no folder")?.to_path_buf(),
                format!("{}.routers", crate::python::project::parent_module(parent)),
            )
        } else {
            (
                settings_dir.to_path_buf(),
                if parent.is_empty() {
                    "routers".to_string()
                } else {
                    format!("{parent}.routers")
                },
            )
        }
    };
    let router_module = router_module.trim_start_matches('.').to_string();
    let class = format!("{}Router", super::camel(&context.name));
    let labels = context
        .apps
        .iter()
        .map(|l| format!("\"{l}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let router = format!(
        r#"

class {class}:
    """Sends the `{ctx}` bounded context ({labels}) to its own database, `{alias}`."""

    route_app_labels = {{{labels}}}

    def db_for_read(self, model, **hints):
        if model._meta.app_label in self.route_app_labels:
            return "{alias}"
        return None

    def db_for_write(self, model, **hints):
        if model._meta.app_label in self.route_app_labels:
            return "{alias}"
        return None

    def allow_relation(self, obj1, obj2, **hints):
        if obj1._meta.app_label in self.route_app_labels and obj2._meta.app_label in self.route_app_labels:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label in self.route_app_labels:
            return db == "{alias}"
        return None
"#,
        ctx = context.name,
    );
    let router_path = router_dir.join("routers.py");
    let router_change = match files.text(&router_path) {
        Some(existing) => {
            if existing.contains(&format!("class {class}")) {
                return Err(format!(
                    "{} already defines `{class}`",
                    router_path.display()
                ));
            }
            let end = existing.len();
            FileChange::Edit(vec![Edit {
                span: end..end,
                text: router.clone(),
            }])
        }
        None if can_create => FileChange::Create(format!("\"\"\"Database routers.\"\"\"{router}")),
        None => {
            return Err(format!(
                "{} does not exist and the editor cannot create files",
                router_path.display()
            ));
        }
    };
    let dotted = format!("{router_module}.{class}");
    let routers_line = if settings
        .facts
        .assigns
        .iter()
        .any(|a| a.name == "DATABASE_ROUTERS")
    {
        format!("DATABASE_ROUTERS += [\"{dotted}\"]\n")
    } else {
        format!("DATABASE_ROUTERS = [\"{dotted}\"]\n")
    };
    let settings_edit = Edit {
        span: after_databases..after_databases,
        text: format!("{alias_line}{routers_line}"),
    };
    Ok(Refactor {
        title: format!(
            "Give the `{}` context its own database `{alias}` (router, DATABASES alias, DATABASE_ROUTERS)",
            context.name
        ),
        changes: vec![
            (router_path, router_change),
            (settings.path.clone(), FileChange::Edit(vec![settings_edit])),
        ],
    })
}

/// The registry entry (see `registry.rs`).
pub struct ContextDatabase;

impl super::registry::RefactorKind for ContextDatabase {
    fn id(&self) -> &'static str {
        "context-database"
    }
    fn summary(&self) -> &'static str {
        "Give a context its own database"
    }
    fn kind(&self) -> super::registry::ActionKind {
        super::registry::ActionKind::Rewrite
    }
    fn target(&self, scope: &super::registry::Scope, target: super::registry::Target) -> bool {
        super::registry::class_of(target)
            .is_some_and(|ci| !scope.source().is_domain && scope.project.is_model((scope.file, ci)))
    }
    fn edit(
        &self,
        scope: &super::registry::Scope,
        _: super::registry::Target,
    ) -> Result<super::registry::Outcome, super::registry::NotOffered> {
        let module = &scope.source().facts.module;
        match give_database(
            scope.project,
            scope.roles,
            scope.files,
            module,
            scope.can_create,
        ) {
            Ok(r) => Ok(super::registry::Outcome::Files(r)),
            // Say why, where the reason is about the code (not about a missing context or
            // settings).
            Err(reason) if reason.starts_with("foreign keys") => {
                let name = scope
                    .project
                    .context_of(module)
                    .map_or(String::new(), |c| c.name.clone());
                Err(super::registry::NotOffered::Disabled {
                    title: format!("Give the `{name}` context its own database"),
                    reason,
                })
            }
            Err(_) => Err(super::registry::NotOffered::Silent),
        }
    }
}
