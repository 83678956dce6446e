//! ## orm-in-domain (smell)
//!
//! **What it flags.** A domain module (a `domain` package or `domain.py`) importing `django.db`.
//!
//! **Why it matters.** The domain model then cannot be used or tested without the ORM, and the
//! tables start to dictate the model.
//!
//! **Use instead.** Keep ORM models in `models.py` and map them in a `django-orm-repository`.

use super::{Cx, Finding};

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    if !cx.file.is_domain {
        return;
    }
    for imp in &cx.file.facts.imports {
        let hit = imp.module == "django.db"
            || imp.module.starts_with("django.db.")
            || (imp.module == "django" && imp.names.iter().any(|(n, _)| n == "db"));
        if hit && !imp.type_checking {
            out.push(cx.finding(
                "orm-in-domain",
                cx.line_span(&imp.span),
                format!("the domain module `{}` imports `{}`: keep the ORM out of the domain and map in a repository", cx.file.facts.module, imp.module),
                vec![format!("import `{}`", imp.module)],
            ));
        }
    }
}
