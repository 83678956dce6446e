//! ## context-database-schema, and the smell schema-on-sqlite
//!
//! **What it recognises.** A bounded context with its own database schema: a `DATABASES` entry
//! whose `OPTIONS` set `-c search_path=...`, or a schema-qualified `db_table`
//! (`'billing"."invoice'`).
//!
//! **Why it matters.** A schema separates a context's tables more firmly than a prefix, while
//! the data stays in one database.
//!
//! **The smell.** SQLite has no schemas: a schema configured for a database whose `ENGINE` (in
//! the same settings chain) is `sqlite3` does nothing, or fails. Use a context database instead.
//!
//! **Example.**
//! ```python
//! DATABASES = {"billing": {"ENGINE": "django.db.backends.postgresql",
//!                          "OPTIONS": {"options": "-c search_path=billing"}}}
//! ```

use super::{Cx, Finding, Related};
use crate::python::facts::Value;

const SQLITE: &str = "django.db.backends.sqlite3";

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    let project = cx.project;
    // Settings: DATABASES entries with a search_path.
    for assign in cx
        .file
        .facts
        .assigns
        .iter()
        .filter(|a| a.name == "DATABASES")
    {
        let Value::Dict(entries, _) = &assign.value else {
            continue;
        };
        for (alias, db) in entries {
            let Some(alias) = alias.as_str() else {
                continue;
            };
            let Some((_, options)) = db.get("OPTIONS") else {
                continue;
            };
            let Some((key, value)) = options.get("options") else {
                continue;
            };
            let Some(text) = value.as_str() else { continue };
            let Some(path) = text.split("search_path=").nth(1) else {
                continue;
            };
            let schema = path.split([' ', ',']).next().unwrap_or(path).to_string();
            out.push(cx.finding(
                "context-database-schema",
                cx.line_span(&key.span()),
                format!(
                    "database `{alias}` works in the schema `{schema}`: a context database schema"
                ),
                vec![format!("OPTIONS search_path={schema}")],
            ));
            let engine = db.get("ENGINE").map(|(_, v)| v);
            if let Some(engine) = engine
                && engine.as_str() == Some(SQLITE)
            {
                let mut f = cx.finding(
                    "schema-on-sqlite",
                    cx.line_span(&key.span()),
                    format!("database `{alias}` is SQLite, which has no schemas: `search_path={schema}` does nothing; give the context its own database instead"),
                    vec![format!("ENGINE {SQLITE}"), format!("search_path={schema}")],
                );
                f.related.push(Related {
                    path: cx.file.path.clone(),
                    span: engine.span(),
                    message: "the SQLite engine".into(),
                });
                out.push(f);
            }
        }
    }
    // Models: schema-qualified table names.
    for (ci, class) in cx.file.facts.classes.iter().enumerate() {
        if !project.is_model((cx.index, ci)) {
            continue;
        }
        let Some((table, span)) = class.meta.as_ref().and_then(|m| m.db_table.as_ref()) else {
            continue;
        };
        let Some((schema, _)) = table.split_once("\".\"") else {
            continue;
        };
        let schema = schema.trim_matches('"');
        out.push(cx.finding(
            "context-database-schema",
            cx.line_span(span),
            format!(
                "`{}` lives in the schema `{schema}`: a context database schema",
                class.name
            ),
            vec![format!("db_table `{table}`")],
        ));
        // SQLite everywhere the default database is configured?
        let engines: Vec<(usize, Value)> = (0..project.files.len())
            .filter(|&fi| {
                project.files[fi]
                    .facts
                    .assigns
                    .iter()
                    .any(|a| a.name == "DATABASES")
            })
            .filter_map(|fi| {
                let (_, dbs) = project.setting(fi, "DATABASES")?;
                let (_, default) = dbs.get("default")?;
                let (_, engine) = default.get("ENGINE")?;
                Some((fi, engine.clone()))
            })
            .collect();
        if let Some(sqlite) = engines.iter().position(|(_, e)| e.as_str() == Some(SQLITE)) {
            let mut f = cx.finding(
                "schema-on-sqlite",
                cx.line_span(span),
                format!("`{}` names the schema `{schema}`, but a settings module runs the default database on SQLite, which has no schemas", class.name),
                vec![format!("ENGINE {SQLITE}")],
            );
            let (fi, engine) = &engines[sqlite];
            f.related.push(Related {
                path: project.files[*fi].path.clone(),
                span: engine.span(),
                message: "the SQLite engine".into(),
            });
            out.push(f);
        }
    }
}
