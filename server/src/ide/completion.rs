//! Completion that knows the patterns, protocol-free: items with byte-span edits. Rule ids after
//! `# pattern-language: ignore[`, pattern ids after `[[` (Markdown, Python comments and
//! strings), and in Python `DATABASE_ROUTERS` entries, `db_table` in a model's `Meta` and a
//! repository skeleton for a new class in a repositories module.

use crate::analysis::{self, Analysis};
use crate::catalog::{Catalog, Pattern};
use crate::compiled::CompiledCatalog;
use crate::line_index::LineIndex;
use crate::markdown;
use crate::vocab::Span;
use std::sync::Arc;

/// What an item is, for the editor's icon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    /// A rule id.
    EnumMember,
    /// A pattern id.
    Reference,
    Class,
    Property,
    Snippet,
}

/// A text edit in the document's bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub new_text: String,
}

/// One completion item.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub label: String,
    pub kind: ItemKind,
    pub detail: Option<String>,
    pub filter_text: Option<String>,
    /// `Some(true)`: the edit is a snippet; `Some(false)`: plain text said so; `None`: unsaid.
    pub snippet: Option<bool>,
    pub edit: Option<Edit>,
    pub additional_edits: Option<Vec<Edit>>,
    /// What completion resolve needs back.
    pub data: Option<serde_json::Value>,
}

impl Item {
    fn new(label: String, kind: ItemKind, detail: String, edit: Edit) -> Item {
        Item {
            label,
            kind,
            detail: Some(detail),
            filter_text: None,
            snippet: None,
            edit: Some(edit),
            additional_edits: None,
            data: None,
        }
    }
}

/// The items, as a bare array or as a (complete) list.
#[derive(Clone, Debug, PartialEq)]
pub enum Completions {
    Array(Vec<Item>),
    List(Vec<Item>),
}

/// Where completion was asked: byte `offset` of `text`.
#[derive(Clone, Copy)]
pub struct Cursor<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub offset: usize,
}

/// Completion at the cursor. `python`: the document is Python; `snippets`: the client takes
/// snippets; `rules_catalog`: the workspace's catalog (ids after a suppression mark);
/// `analysis`: this file's analysis and its index, asked at most once and only in Python;
/// `pages`: the catalog with open pages, asked at most once, for `[[` ids.
pub fn complete(
    at: Cursor,
    (python, snippets): (bool, bool),
    rules_catalog: &Catalog,
    analysis: impl FnOnce() -> (Arc<Analysis>, Option<usize>),
    pages: impl FnOnce() -> Arc<CompiledCatalog>,
) -> Option<Completions> {
    let Cursor {
        text,
        index,
        offset,
    } = at;
    let line_start = index.line_start(index.line_of(offset));
    let before = &text[line_start..offset];
    // `# pattern-language: ignore[` completes rule ids.
    if python
        && let Some(i) = before.rfind(analysis::SUPPRESS_MARK)
        && !before[i..].contains(']')
    {
        let partial_start = before
            .rfind([',', '['])
            .map_or(offset, |j| line_start + j + 1);
        let partial_start = partial_start + text[partial_start..offset].len()
            - text[partial_start..offset].trim_start().len();
        let span = partial_start..offset;
        let mut items: Vec<Item> = crate::detect::registry::smells()
            .map(|s| {
                Item::new(
                    s.id.to_string(),
                    ItemKind::EnumMember,
                    s.summary.to_string(),
                    Edit {
                        span: span.clone(),
                        new_text: s.id.to_string(),
                    },
                )
            })
            .collect();
        items.extend(rules_catalog.patterns().iter().map(|p| {
            Item::new(
                p.id.clone(),
                ItemKind::Reference,
                p.title.clone(),
                Edit {
                    span: span.clone(),
                    new_text: p.id.clone(),
                },
            )
        }));
        return Some(Completions::Array(items));
    }
    if python
        && markdown::wiki_prefix(text, offset).is_none()
        && let (a, Some(fi)) = analysis()
        && let Some(items) = python_items(text, offset, line_start, &a, fi, snippets)
    {
        return Some(Completions::Array(items));
    }
    let start = markdown::wiki_prefix(text, offset)?;
    if python && !before.contains('#') && !crate::python::facts::in_string_or_comment(text, offset)
    {
        return None;
    }
    let close = if text[offset..].starts_with("]]") {
        ""
    } else {
        "]]"
    };
    let catalog = pages();
    let mut items: Vec<Item> = catalog
        .patterns()
        .iter()
        .map(|p| pattern_item(p, start..offset, close))
        .collect();
    items.sort_by(|a, b| a.label.cmp(&b.label));
    Some(Completions::List(items))
}

fn pattern_item(p: &Pattern, span: Span, close: &str) -> Item {
    Item {
        filter_text: Some(format!(
            "{} {}",
            p.id,
            p.names().collect::<Vec<_>>().join(" ")
        )),
        data: Some(serde_json::json!({ "pattern": p.id })),
        ..Item::new(
            p.id.clone(),
            ItemKind::Reference,
            p.title.clone(),
            Edit {
                span,
                new_text: format!("{}{close}", p.id),
            },
        )
    }
}

/// Escapes text for a snippet.
fn snippet_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('$', "\\$")
        .replace('}', "\\}")
}

/// Pattern-aware completion in Python (file `fi` of `a`, whose text is `text`): `db_table` in a model's `Meta`, `DATABASE_ROUTERS`
/// entries, and a repository skeleton for a new class in a repositories module.
fn python_items(
    text: &str,
    offset: usize,
    line_start: usize,
    a: &Analysis,
    fi: usize,
    snippets: bool,
) -> Option<Vec<Item>> {
    let before = &text[line_start..offset];
    let file = &a.project.files[fi];

    // DATABASE_ROUTERS = ["...|"]
    if let Some(at) = text[..offset].rfind("DATABASE_ROUTERS")
        && !text[at..offset].contains(']')
        && before.matches(['"', '\'']).count() % 2 == 1
    {
        let quote = before
            .rfind(['"', '\''])
            .map_or(offset, |q| line_start + q + 1);
        let span = quote..offset;
        let items: Vec<Item> = a
            .project
            .files
            .iter()
            .flat_map(|f| f.facts.classes.iter().map(move |c| (f, c)))
            .filter(|(_, c)| {
                c.methods.iter().any(|m| {
                    matches!(
                        m.name.as_str(),
                        "db_for_read" | "db_for_write" | "allow_migrate" | "allow_relation"
                    )
                })
            })
            .map(|(f, c)| {
                let dotted = format!("{}.{}", f.facts.module, c.name);
                Item::new(
                    dotted.clone(),
                    ItemKind::Class,
                    "database router".into(),
                    Edit {
                        span: span.clone(),
                        new_text: dotted,
                    },
                )
            })
            .collect();
        return Some(items);
    }

    // db_table in a model's Meta.
    let word = before.trim_start();
    if !word.is_empty()
        && "db_table".starts_with(word.split([' ', '=']).next().unwrap_or(word))
        && !word.contains('"')
    {
        let (ci, class) = file
            .facts
            .classes
            .iter()
            .enumerate()
            .find(|(_, c)| c.span.start <= offset && offset <= c.span.end)?;
        if !a.project.is_model((fi, ci)) || !text[class.span.start..offset].contains("class Meta") {
            return None;
        }
        // The prefix the context's other models use, else the context's name.
        let context = a.project.context_of(&file.facts.module);
        let shared = a
            .project
            .models
            .values()
            .flatten()
            .filter(|r| **r != (fi, ci))
            .find_map(|&(ofi, oci)| {
                let other = &a.project.files[ofi];
                let same = a.project.context_of(&other.facts.module).map(|c| &c.name)
                    == context.map(|c| &c.name);
                let table = other.facts.classes[oci]
                    .meta
                    .as_ref()?
                    .db_table
                    .as_ref()?
                    .0
                    .clone();
                same.then(|| table.split_once('_').map(|(p, _)| p.to_string()))
                    .flatten()
            });
        let prefix = shared.or_else(|| context.map(|c| c.name.clone()))?;
        let table = format!("{prefix}_{}", class.name.to_lowercase());
        let start = line_start + (before.len() - word.len());
        let new_text = if snippets {
            format!("db_table = \"${{1:{}}}\"", snippet_escape(&table))
        } else {
            format!("db_table = \"{table}\"")
        };
        return Some(vec![Item {
            snippet: Some(snippets),
            ..Item::new(
                format!("db_table = \"{table}\""),
                ItemKind::Property,
                format!("table namespace of the `{prefix}` context"),
                Edit {
                    span: start..offset,
                    new_text,
                },
            )
        }]);
    }

    // `class ` at the start of a line in a repositories module.
    let leaf = file.facts.module.rsplit('.').next().unwrap_or("");
    if leaf == "repositories"
        && before.starts_with("class ")
        && before[6..].chars().all(|c| c.is_alphanumeric() || c == '_')
    {
        let app = a.project.app_of(&file.facts.module)?;
        let prefix = format!("{}.", app.package);
        let mut items = Vec::new();
        for (mi, f) in a.project.files.iter().enumerate() {
            if !f.facts.module.starts_with(&prefix) {
                continue;
            }
            for (ci, c) in f.facts.classes.iter().enumerate() {
                if !a.project.is_model((mi, ci)) || c.meta.as_ref().is_some_and(|m| m.is_abstract) {
                    continue;
                }
                let m = &c.name;
                let body = repository_skeleton(m);
                let needs_import = !text.lines().any(|l| l.trim() == "from . import models");
                let at = crate::refactor::import_insertion(file);
                // An import that would land where the class is typed goes into the same edit.
                let (body, import) = if needs_import && at >= line_start {
                    (format!("from . import models\n\n\n{body}"), None)
                } else if needs_import {
                    (
                        body,
                        Some(Edit {
                            span: at..at,
                            new_text: "from . import models\n".into(),
                        }),
                    )
                } else {
                    (body, None)
                };
                let new_text = if snippets {
                    format!("{}$0", snippet_escape(&body))
                } else {
                    body
                };
                items.push(Item {
                    snippet: Some(snippets),
                    additional_edits: import.map(|e| vec![e]),
                    ..Item::new(
                        format!("{m}Repository"),
                        ItemKind::Snippet,
                        format!("Django ORM repository skeleton for `{m}`"),
                        Edit {
                            span: line_start..offset,
                            new_text,
                        },
                    )
                });
            }
        }
        return (!items.is_empty()).then_some(items);
    }
    None
}

/// A Django ORM repository skeleton for model `m` (completed after `class ` in a repositories
/// module).
pub fn repository_skeleton(m: &str) -> String {
    format!(
        "class {m}Repository:\n    \"\"\"Repository for `{m}`: hides `{m}.objects` behind domain operations.\"\"\"\n\n    def get(self, pk):\n        return self._to_domain(models.{m}.objects.get(pk=pk))\n\n    def list(self):\n        return [self._to_domain(row) for row in models.{m}.objects.all()]\n\n    def add(self, entity):\n        row = self._from_domain(entity)\n        row.save()\n        return self._to_domain(row)\n\n    def remove(self, entity):\n        models.{m}.objects.filter(pk=entity.pk).delete()\n\n    @staticmethod\n    def _to_domain(row):\n        raise NotImplementedError(\"map the row to a domain object\")\n\n    @staticmethod\n    def _from_domain(entity):\n        raise NotImplementedError(\"map the domain object to a row\")\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_analysis() -> (Arc<Analysis>, Option<usize>) {
        unreachable!("not asked outside Python code")
    }

    #[test]
    fn rule_ids_after_a_suppression_mark() {
        let text = "import x  # pattern-language: ignore[a, cro\n";
        let index = LineIndex::new(text);
        let at = Cursor {
            text,
            index: &index,
            offset: 43,
        };
        let catalog = Catalog::embedded();
        let Some(Completions::Array(items)) =
            complete(at, (true, false), &catalog, no_analysis, || unreachable!())
        else {
            panic!("an array of ids")
        };
        let rule = crate::detect::registry::smells().next().unwrap();
        assert_eq!(
            items[0],
            Item::new(
                rule.id.to_string(),
                ItemKind::EnumMember,
                rule.summary.to_string(),
                Edit {
                    span: 40..43,
                    new_text: rule.id.to_string()
                }
            )
        );
        assert_eq!(
            items.len(),
            crate::detect::registry::smells().count() + catalog.patterns().len()
        );
    }

    #[test]
    fn pattern_ids_after_double_brackets_in_markdown() {
        let text = "See [[rep";
        let index = LineIndex::new(text);
        let at = Cursor {
            text,
            index: &index,
            offset: 9,
        };
        let Some(Completions::List(items)) = complete(
            at,
            (false, false),
            &Catalog::embedded(),
            no_analysis,
            || Arc::new(CompiledCatalog::embedded()),
        ) else {
            panic!("a list of ids")
        };
        let first = &items[0];
        assert!(items.windows(2).all(|w| w[0].label <= w[1].label));
        assert_eq!(first.kind, ItemKind::Reference);
        assert_eq!(
            first.edit,
            Some(Edit {
                span: 6..9,
                new_text: format!("{}]]", first.label)
            })
        );
        assert_eq!(
            first.data,
            Some(serde_json::json!({ "pattern": first.label }))
        );
    }
}
