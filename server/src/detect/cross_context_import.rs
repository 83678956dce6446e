//! ## cross-context-import (smell)
//!
//! **What it flags.** A module of one bounded context importing the ORM models of another
//! context's app (`from billing.invoicing.models import Invoice` in `shipping`). A warning when
//! both contexts are declared in the config; a hint when contexts are inferred (each app its own).
//!
//! **Never flagged.** Imports under `if TYPE_CHECKING:`, in tests and migrations, from
//! `django.contrib`, and inside an anticorruption-layer module (translating is its job).
//!
//! **Use instead.** Translate in an `anticorruption-layer`, or call the other context's
//! `open-host-service`.

use super::{Cx, Finding, Related};
use crate::catalog::Severity;

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    let project = cx.project;
    let file = cx.file;
    if cx.roles.acl_files.contains(&cx.index) {
        return;
    }
    let Some(mine) = project.context_of(&file.facts.module) else {
        return;
    };
    for imp in &file.facts.imports {
        if imp.type_checking || imp.module.starts_with("django.") {
            continue;
        }
        // `from x.models import A`, `from x.models.sub import A`, `import x.models`, `from x import models`.
        let (models_module, names): (String, Vec<String>) =
            if imp.module.split('.').any(|s| s == "models") {
                (
                    imp.module.clone(),
                    imp.names
                        .iter()
                        .map(|(n, _)| n.clone())
                        .filter(|n| !n.is_empty())
                        .collect(),
                )
            } else if imp.is_from && imp.names.iter().any(|(n, _)| n == "models") {
                (format!("{}.models", imp.module), Vec::new())
            } else {
                continue;
            };
        let Some(theirs) = project.context_of(&models_module) else {
            continue;
        };
        if theirs.name == mine.name {
            continue;
        }
        let Some(app) = project.app_of(&models_module) else {
            continue;
        };
        let declared = mine.declared && theirs.declared;
        let what = if names.is_empty() {
            format!("`{models_module}`")
        } else {
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut f = cx.finding(
            "cross-context-import",
            cx.line_span(&imp.span),
            format!(
                "`{}` (context `{}`) imports {what} from the models of `{}` (context `{}`): translate through an anticorruption layer or call its open host service",
                file.facts.module, mine.name, app.label, theirs.name
            ),
            vec![format!("import from `{models_module}`"), format!("context `{}` -> context `{}`", mine.name, theirs.name)],
        );
        if !declared {
            f.severity = Severity::Hint;
        }
        if let Some(target) = project.file_by_module(&models_module) {
            for n in &names {
                if let Some(c) = target.facts.classes.iter().find(|c| &c.name == n) {
                    f.related.push(Related {
                        path: target.path.clone(),
                        span: super::header_span(&target.text, c.span.start),
                        message: format!("`{n}` is defined here"),
                    });
                }
            }
        }
        out.push(f);
    }
}
