//! ## time-series-oltp-repository and time-series-olap-repository
//!
//! **What it recognises.** Repositories over time-series databases: QuestDB's ingestion client
//! (`questdb.ingress.Sender`) for OLTP work; TimescaleDB SQL (`time_bucket(`,
//! `create_hypertable`) or the CrateDB client (`crate.client`) for OLAP work. Reported at the
//! class that uses them, else at the import.
//!
//! **Why it matters.** Time-series data outgrows a row store; the repository keeps the choice of
//! engine out of the application.

use super::{Cx, Finding};

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    let facts = &cx.file.facts;
    let questdb = facts
        .imports
        .iter()
        .find(|i| i.module.starts_with("questdb"));
    let crate_db = facts
        .imports
        .iter()
        .find(|i| i.module == "crate" || i.module.starts_with("crate.client"));
    for (rule, import, what) in [
        (
            "time-series-oltp-repository",
            questdb,
            "QuestDB's ingestion client",
        ),
        (
            "time-series-olap-repository",
            crate_db,
            "the CrateDB client",
        ),
    ] {
        let Some(import) = import else { continue };
        let names: Vec<String> = import
            .names
            .iter()
            .map(|(n, a)| a.as_ref().unwrap_or(n).to_string())
            .collect();
        let module_alias = import
            .module
            .rsplit('.')
            .next()
            .unwrap_or(&import.module)
            .to_string();
        let users: Vec<_> = facts
            .classes
            .iter()
            .filter(|c| {
                c.methods.iter().flat_map(|m| m.calls.iter()).any(|call| {
                    let head = call.func.split('.').next().unwrap_or("");
                    names.iter().any(|n| n == head)
                        || head == module_alias
                        || call.func.starts_with(&*import.module)
                })
            })
            .collect();
        if users.is_empty() {
            out.push(cx.finding(
                rule,
                cx.line_span(&import.span),
                format!("imports {what}: a time-series repository"),
                vec![format!("import `{}`", import.module)],
            ));
        }
        for c in users {
            out.push(cx.finding(
                rule,
                cx.class_span(c),
                format!("`{}` stores time series through {what}", c.name),
                vec![format!("uses `{}`", import.module)],
            ));
        }
    }
    if facts.timescale_sql {
        for c in &facts.classes {
            let uses_sql = c.methods.iter().flat_map(|m| m.calls.iter()).any(|call| {
                matches!(
                    call.method(),
                    "execute" | "raw" | "executemany" | "fetch" | "fetchall"
                )
            });
            if uses_sql {
                out.push(cx.finding(
                    "time-series-olap-repository",
                    cx.class_span(c),
                    format!("`{}` queries TimescaleDB (`time_bucket`/hypertables): a time-series OLAP repository", c.name),
                    vec!["TimescaleDB SQL".into()],
                ));
            }
        }
    }
}
