//! Introduce an anticorruption layer for a cross-context import: a translator module (`acl.py`)
//! in the consuming package maps the other context's model to a type of the consumer's own, and
//! the import and its uses are rewritten to go through it.
//!
//! Offered only where the rewrite is certain: every use of the imported model in the module is a
//! type annotation or a `Model.objects.get(...)` lookup. Re-exporting the foreign model would not
//! be a translation, so the layer always returns the consumer's own dataclass.

use super::{Edit, FileChange, Refactor};
use crate::ide::files::FileView;
use crate::python::facts::{Import, Value};
use crate::python::project::Project;

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// The refactor for the import at `import_start` in file `fi`.
pub fn introduce(
    project: &Project,
    files: &dyn FileView,
    fi: usize,
    import_start: usize,
    can_create: bool,
) -> Result<Refactor, String> {
    let file = &project.files[fi];
    let imp: &Import = file
        .facts
        .imports
        .iter()
        .find(|i| i.span.start == import_start)
        .ok_or("no import there")?;
    if !imp.is_from || imp.names.len() != 1 || imp.names[0].1.is_some() {
        return Err("only a `from x.models import Model` import of one model is rewritten".into());
    }
    if !file.is_package_member() {
        return Err("the module is not in a package".into());
    }
    let name = imp.names[0].0.clone();
    let target = project
        .file_by_module(&imp.module)
        .ok_or("the imported module is not in the project")?;
    let model = target
        .facts
        .classes
        .iter()
        .find(|c| c.name == name)
        .ok_or("the imported name is not a class of that module")?;
    let view = format!("{name}View");
    let snake = super::snake_case(&name);
    let text = &*file.text;

    // Every use must be rewritable.
    let mut edits = vec![Edit {
        span: line_span(text, imp.span.clone()),
        text: format!("from .acl import {view}, get_{snake}\n"),
    }];
    let mut i = 0;
    while let Some(found) = text[i..].find(name.as_str()) {
        let s = i + found;
        let e = s + name.len();
        i = e;
        if imp.span.contains(&s)
            || is_word(text[..s].chars().next_back())
            || is_word(text[e..].chars().next())
        {
            continue;
        }
        if text[e..].starts_with(".objects.get(") {
            edits.push(Edit {
                span: s..e + ".objects.get".len(),
                text: format!("get_{snake}"),
            });
            continue;
        }
        let before = text[..s].trim_end_matches([' ', '"', '\'', '[', '|']);
        let annotation = before.ends_with(':') || before.ends_with("->");
        if annotation {
            edits.push(Edit {
                span: s..e,
                text: view.clone(),
            });
            continue;
        }
        let line = text[..s].matches('\n').count() + 1;
        return Err(format!(
            "`{name}` is used on line {line} in a way the layer cannot translate"
        ));
    }

    // The consumer's own type: the model's plain fields.
    let mut fields = vec![("pk".to_string(), "object".to_string())];
    for a in &model.fields {
        let Value::Call(call) = &a.value else {
            continue;
        };
        let ty = match call.method() {
            "CharField" | "TextField" | "SlugField" | "EmailField" | "URLField" => "str",
            "IntegerField" | "BigIntegerField" | "PositiveIntegerField" | "SmallIntegerField" => {
                "int"
            }
            "BooleanField" => "bool",
            "FloatField" => "float",
            "DecimalField" => "Decimal",
            "DateTimeField" => "datetime",
            "DateField" => "date",
            "UUIDField" => "UUID",
            _ => continue,
        };
        if a.name != "id" {
            fields.push((a.name.to_string(), ty.to_string()));
        }
    }
    let mut imports = vec!["from dataclasses import dataclass".to_string()];
    let uses = |t: &str| fields.iter().any(|(_, ty)| ty == t);
    if uses("Decimal") {
        imports.push("from decimal import Decimal".into());
    }
    if uses("datetime") || uses("date") {
        imports.push("from datetime import date, datetime".into());
    }
    if uses("UUID") {
        imports.push("from uuid import UUID".into());
    }
    imports.push(String::new());
    imports.push(format!("from {} import {name}", imp.module));
    let field_lines: String = fields
        .iter()
        .map(|(n, t)| format!("    {n}: {t}\n"))
        .collect();
    let mapping = fields
        .iter()
        .map(|(n, _)| format!("{n}=obj.{n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let foreign = project
        .context_of(&imp.module)
        .map_or(imp.module.as_str(), |c| c.name.as_str());
    let code = format!(
        r#"

@dataclass(frozen=True)
class {view}:
    """`{name}` of the `{foreign}` context, as this context uses it."""

{field_lines}

def to_{snake}(obj: {name}) -> {view}:
    """Translates the other context's model into this context's own type."""
    return {view}({mapping})


def get_{snake}(**lookup) -> {view}:
    """Looks a `{name}` up and hands back only the translation."""
    return to_{snake}({name}.objects.get(**lookup))
"#
    );
    let dir = file.path.parent().ok_or("no folder")?;
    let acl_path = dir.join("acl.py");
    // Read as the editor has it: an open, unsaved `acl.py` ends where its buffer ends.
    let change = match files.text(&acl_path) {
        Some(existing) => {
            if existing.contains(&format!("class {view}")) {
                return Err(format!("acl.py already defines `{view}`"));
            }
            let missing: Vec<&String> = imports
                .iter()
                .filter(|l| !l.is_empty() && !existing.lines().any(|e| e.trim() == l.trim()))
                .collect();
            let mut edits = Vec::new();
            if !missing.is_empty() {
                let at = super::import_insertion_in(&existing);
                edits.push(Edit {
                    span: at..at,
                    text: missing.iter().map(|s| format!("{s}\n")).collect(),
                });
            }
            let end = existing.len();
            edits.push(Edit {
                span: end..end,
                text: code.clone(),
            });
            FileChange::Edit(edits)
        }
        None if can_create => FileChange::Create(format!(
            "\"\"\"Anticorruption layer: the `{foreign}` context's models, translated into this context's types.\"\"\"\n\n{}\n{code}",
            imports.join("\n")
        )),
        None => return Err("acl.py does not exist and the editor cannot create files".into()),
    };
    Ok(Refactor {
        title: format!("Introduce an anticorruption layer for `{name}`"),
        changes: vec![
            (acl_path, change),
            (file.path.clone(), FileChange::Edit(edits)),
        ],
    })
}

/// The import statement's whole line(s), with the line break.
fn line_span(text: &str, span: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[span.end..]
        .find('\n')
        .map_or(text.len(), |i| span.end + i + 1);
    start..end
}

/// The registry entry (see `registry.rs`): offered from a `cross-context-import` finding.
pub struct AnticorruptionLayer;

impl super::registry::RefactorKind for AnticorruptionLayer {
    fn id(&self) -> &'static str {
        "anticorruption-layer"
    }
    fn summary(&self) -> &'static str {
        "Introduce an anticorruption layer for a cross-context import"
    }
    fn serves(&self) -> &'static [&'static str] {
        &["anticorruption-layer"]
    }
    fn kind(&self) -> super::registry::ActionKind {
        super::registry::ActionKind::QuickFix
    }
    fn trigger(&self) -> super::registry::Trigger {
        super::registry::Trigger::Finding(&["cross-context-import"])
    }
    fn target(&self, _: &super::registry::Scope, target: super::registry::Target) -> bool {
        matches!(target, super::registry::Target::Import(_))
    }
    fn edit(
        &self,
        scope: &super::registry::Scope,
        target: super::registry::Target,
    ) -> Result<super::registry::Outcome, super::registry::NotOffered> {
        let super::registry::Target::Import(start) = target else {
            return Err(super::registry::NotOffered::Silent);
        };
        let r = introduce(
            scope.project,
            scope.files,
            scope.file,
            start,
            scope.can_create,
        )?;
        Ok(super::registry::Outcome::Files(r))
    }
}
