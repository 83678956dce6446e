//! Namespace the tables of a bounded context: every managed model of the context gets
//! `Meta.db_table = "<context>_<model>"` (added, or adjusted when it has another prefix). The
//! tables are renamed by the migration that `makemigrations` then writes.

use super::{Edit, FileChange, Refactor};
use crate::python::project::Project;
use std::collections::BTreeMap;

/// The refactor for the context of model `ci` in file `fi`.
pub fn namespace(project: &Project, fi: usize, ci: usize) -> Result<Refactor, String> {
    let module = &project.files[fi].facts.module;
    let context = project
        .context_of(module)
        .ok_or("the model belongs to no bounded context")?;
    let prefix: String = context
        .name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    let _ = ci;
    let mut by_file: BTreeMap<usize, Vec<Edit>> = BTreeMap::new();
    let (mut count, mut managed) = (0, 0);
    for refs in project.models.values() {
        for &(mfi, mci) in refs {
            let file = &project.files[mfi];
            if file.is_test
                || file.is_migration
                || project.context_of(&file.facts.module).map(|c| &c.name) != Some(&context.name)
            {
                continue;
            }
            let class = &file.facts.classes[mci];
            let meta = class.meta.as_ref();
            if meta.is_some_and(|m| m.is_abstract || m.managed == Some(false)) {
                continue;
            }
            managed += 1;
            let table = format!("{prefix}_{}", class.name.to_lowercase());
            let text = &*file.text;
            let edit = match meta.and_then(|m| m.db_table.as_ref()) {
                Some((current, _)) if current.starts_with(&format!("{prefix}_")) => continue,
                Some((current, span)) => {
                    // Replace the string literal in the `db_table = "..."` statement.
                    let stmt = &text[span.clone()];
                    let Some(at) = stmt.find(current.as_str()) else {
                        continue;
                    };
                    let start = span.start + at;
                    Edit {
                        span: start..start + current.len(),
                        text: table,
                    }
                }
                None => {
                    let body = &text[class.span.clone()];
                    let class_indent = indent_of(text, class.span.start);
                    match body.find("class Meta:") {
                        Some(at) => {
                            let meta_start = class.span.start + at;
                            let line_end = text[meta_start..]
                                .find('\n')
                                .map_or(text.len(), |i| meta_start + i + 1);
                            let ind = format!("{}        ", class_indent);
                            Edit {
                                span: line_end..line_end,
                                text: format!("{ind}db_table = \"{table}\"\n"),
                            }
                        }
                        None => {
                            let end = class.span.end;
                            let ind = format!("{class_indent}    ");
                            Edit {
                                span: end..end,
                                text: format!(
                                    "\n\n{ind}class Meta:\n{ind}    db_table = \"{table}\""
                                ),
                            }
                        }
                    }
                }
            };
            count += 1;
            by_file.entry(mfi).or_default().push(edit);
        }
    }
    // A shared prefix says "these tables belong together": with one model there is nothing to
    // group yet (and nothing a reader could recognise the context by).
    if managed < 2 {
        return Err(format!(
            "`{}` has one managed model: a table prefix groups two or more",
            context.name
        ));
    }
    if count == 0 {
        return Err(format!(
            "every table of `{}` is already namespaced",
            context.name
        ));
    }
    // `project.models` is a hash map: order each file's edits by place, so the edit (and what a
    // client is sent) is the same on every request.
    let changes = by_file
        .into_iter()
        .map(|(f, mut edits)| {
            edits.sort_by_key(|e| e.span.start);
            (project.files[f].path.clone(), FileChange::Edit(edits))
        })
        .collect();
    Ok(Refactor {
        title: format!(
            "Namespace the tables of the `{}` context as `{prefix}_*` ({count} model(s); run makemigrations after)",
            context.name
        ),
        changes,
    })
}

fn indent_of(text: &str, offset: usize) -> String {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..offset]
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect()
}

/// The registry entry (see `registry.rs`).
pub struct NamespaceTables;

impl super::registry::RefactorKind for NamespaceTables {
    fn id(&self) -> &'static str {
        "namespace-tables"
    }
    fn summary(&self) -> &'static str {
        "Namespace a context's tables"
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
        target: super::registry::Target,
    ) -> Result<super::registry::Outcome, super::registry::NotOffered> {
        let ci = super::registry::class_of(target).ok_or("not a class")?;
        let r = namespace(scope.project, scope.file, ci)?;
        Ok(super::registry::Outcome::Files(r))
    }
}
