//! Reference another model by identity: a `ForeignKey` or `OneToOneField` to another bounded
//! context's model (or to a model on another database) becomes a plain identifier field of the
//! target's primary-key type, `book = models.ForeignKey(BookRecord, ...)` ->
//! `book_isbn = models.CharField(max_length=17, db_index=True)`. The key type follows the target's
//! primary key (or `to_field`): a `CharField`/`SlugField`/`EmailField` key gives a `CharField` of
//! its length, a `UUIDField` a `UUIDField`, an integer key its own type, an implicit key the
//! app's `default_auto_field` or `DEFAULT_AUTO_FIELD` (`BigAutoField` -> `BigIntegerField`, the
//! fallback).
//!
//! Uses in the model's own context are rewritten where the rewrite is certain: keyword arguments
//! and lookups of the model's manager calls (`book_id=`, `book__isbn=`), `loan.book.isbn` and
//! `loan.book_id`, and `loan.book.title` through the other context's open host service when it
//! has one (a public function taking the key and returning a type with that attribute:
//! `get_book(loan.book_isbn).title`). A receiver counts as the model when its name says so
//! (`loan`, `old_loan`), when it is bound from the model's manager (`for loan in Loan.objects...`)
//! or when it is `self` in the model's own module. The uses left as they are (`loan.book`
//! handed on, `book=record`, joins through the field) are named in the title. The import that
//! fed the field goes when nothing else uses it; what stays of the import the action is offered
//! from (the model used elsewhere in the file, other names of the statement) is named in the
//! title. A migration follows: the title says so.
//!
//! Offered from a `cross-database-relation` finding (the field) and from a `cross-context-import`
//! finding whose imported model feeds relation fields of the file (all of them are rewritten).
//! A `ManyToManyField` is offered disabled: its rows live in a join table, and a list of ids in a
//! `JSONField` would give up the integrity of the key for no lookup the ORM can use; that choice
//! is left to the user.

use super::registry::{ActionKind, NotOffered, Outcome, RefactorKind, Scope, Target, Trigger};
use super::{Edit, FileChange, Refactor};
use crate::detect::{Relation, relations};
use crate::python::facts::{Call, Value};
use crate::python::project::{ClassRef, Project, SourceFile};
use crate::python::relations::relation_call;
use std::collections::BTreeMap;
use std::path::PathBuf;

mod uses;
use uses::uses;

/// The registry entry (see `registry.rs`).
pub struct ReferenceByIdentity;

impl RefactorKind for ReferenceByIdentity {
    fn id(&self) -> &'static str {
        "reference-by-identity"
    }
    fn summary(&self) -> &'static str {
        "Reference another context's model by identity instead of a relation field"
    }
    fn serves(&self) -> &'static [&'static str] {
        &["context-database"]
    }
    fn kind(&self) -> ActionKind {
        ActionKind::QuickFix
    }
    fn trigger(&self) -> Trigger {
        Trigger::Finding(&["cross-database-relation", "cross-context-import"])
    }
    fn target(&self, scope: &Scope, target: Target) -> bool {
        matches!(target, Target::Import(_))
            && scope
                .source()
                .facts
                .classes
                .iter()
                .any(|c| c.fields.iter().any(|f| relation_call(&f.value).is_some()))
    }
    fn edit(&self, scope: &Scope, target: Target) -> Result<Outcome, NotOffered> {
        let Target::Import(start) = target else {
            return Err(NotOffered::Silent);
        };
        reference(scope, start).map(Outcome::Files)
    }
}

/// The identifier a relation becomes: the target's key as (attribute name, field type, arguments).
struct Key {
    name: String,
    ty: &'static str,
    args: Vec<String>,
}

/// A function of the target's context that hands out what a use reads: `get_book(isbn) ->
/// BookSummary`.
struct Service {
    module: String,
    function: String,
    fields: Vec<String>,
}

/// One relation field to rewrite.
struct Plan<'a> {
    model: ClassRef,
    rel: Relation<'a>,
    key: Key,
    new_name: String,
    service: Option<Service>,
}

fn reference(scope: &Scope, start: usize) -> Result<Refactor, NotOffered> {
    let project = scope.project;
    let fi = scope.file;
    let file = scope.source();
    // Spans come from the analysed text: the file view must hold the same.
    if scope.files.text(&file.path).as_deref() != Some(&*file.text) {
        return Err(NotOffered::Silent);
    }
    let models: Vec<ClassRef> = (0..file.facts.classes.len())
        .map(|ci| (fi, ci))
        .filter(|&r| project.is_model(r))
        .collect();
    let import = file.facts.imports.iter().find(|i| i.span.start == start);
    let mut chosen: Vec<(ClassRef, Relation)> = Vec::new();
    for &m in &models {
        for rel in relations(project, m) {
            let wanted = match import {
                Some(imp) => {
                    imp.is_from && {
                        let first = rel.written.split('.').next().unwrap_or_default();
                        imp.names
                            .iter()
                            .any(|(n, a)| a.as_deref().unwrap_or(n) == first)
                    }
                }
                None => rel.field.span.start == start,
            };
            let by_name = matches!(
                rel.call.args.first().or_else(|| rel.call.kwarg("to")),
                Some(Value::Name(..))
            );
            if wanted && (by_name || import.is_none()) && rel.target.is_some_and(|t| t != m) {
                chosen.push((m, rel));
            }
        }
    }
    if chosen.is_empty() {
        return Err(NotOffered::Silent);
    }
    let mut targets: Vec<String> = Vec::new();
    for (_, r) in &chosen {
        if let Some(t) = r.target {
            let name = format!("`{}`", project.class(t).name);
            if !targets.contains(&name) {
                targets.push(name);
            }
        }
    }
    let title = format!("Reference {} by identity", targets.join(", "));
    let disabled = |reason: String| NotOffered::Disabled {
        title: title.clone(),
        reason,
    };
    let (many, chosen): (Vec<_>, Vec<_>) = chosen
        .into_iter()
        .partition(|(_, r)| r.call.method() == "ManyToManyField");
    if chosen.is_empty() {
        return Err(disabled(format!(
            "`{}` is a ManyToManyField: its rows live in a join table; keep the ids in a model of this context (or a JSONField list) by hand",
            many.first().map_or("?", |(_, r)| r.field.name.as_str())
        )));
    }
    let mut plans = Vec::new();
    for (model, rel) in chosen {
        let Some(target) = rel.target else { continue };
        let key = key_of(project, target, rel.call).map_err(disabled)?;
        let new_name = if key.name == "id" || key.name == "pk" {
            format!("{}_id", rel.field.name)
        } else {
            format!("{}_{}", rel.field.name, key.name)
        };
        if project
            .class(model)
            .fields
            .iter()
            .any(|f| f.name == new_name)
        {
            return Err(disabled(format!(
                "`{}` already has a field `{new_name}`",
                project.class(model).name
            )));
        }
        if matches!(rel.call.kwarg("primary_key"), Some(Value::Bool(true, _))) {
            return Err(disabled(format!(
                "`{}.{}` is the model's primary key",
                project.class(model).name,
                rel.field.name
            )));
        }
        let service = service_for(project, target, &key.name);
        plans.push(Plan {
            model,
            rel,
            key,
            new_name,
            service,
        });
    }

    let mut edits: BTreeMap<PathBuf, Vec<Edit>> = BTreeMap::new();
    let mut left: Vec<String> = Vec::new();
    // The fields.
    let has_models = file.facts.imports.iter().any(|i| {
        i.is_from
            && i.module == "django.db"
            && i.names.iter().any(|(n, a)| n == "models" && a.is_none())
    });
    for p in &plans {
        let prefix = match p.rel.call.func.rsplit_once('.') {
            Some((prefix, _)) => format!("{prefix}."),
            None if has_models => "models.".to_string(),
            None => {
                let stmt = format!("from django.db.models import {}", p.key.ty);
                if let Some(e) = super::ensure_import(file, &stmt) {
                    edits.entry(file.path.clone()).or_default().push(e);
                }
                String::new()
            }
        };
        let mut args = p.key.args.clone();
        for k in [
            "null",
            "blank",
            "db_column",
            "verbose_name",
            "help_text",
            "db_comment",
        ] {
            if let Some(v) = p.rel.call.kwarg(k)
                && let Some(text) = file.text.get(v.span())
            {
                args.push(format!("{k}={text}"));
            }
        }
        if p.rel.call.method() == "OneToOneField" {
            args.push("unique=True".into());
        } else if let Some(v) = p.rel.call.kwarg("db_index") {
            args.push(format!(
                "db_index={}",
                file.text.get(v.span()).unwrap_or("True")
            ));
        } else {
            args.push("db_index=True".into());
        }
        edits.entry(file.path.clone()).or_default().push(Edit {
            span: p.rel.field.span.clone(),
            text: format!("{} = {prefix}{}({})", p.new_name, p.key.ty, args.join(", ")),
        });
    }
    // The import that fed them, when nothing else uses its name.
    let rewritten: Vec<std::ops::Range<usize>> =
        plans.iter().map(|p| p.rel.field.span.clone()).collect();
    let mut dropped: Vec<&str> = Vec::new();
    let mut kept: Vec<&str> = Vec::new();
    for p in &plans {
        let local = p.rel.written.split('.').next().unwrap_or_default();
        match drop_import(file, local, &rewritten) {
            Some(e) => {
                let list = edits.entry(file.path.clone()).or_default();
                if !list.iter().any(|x| x.span == e.span) {
                    list.push(e);
                }
                if !dropped.contains(&local) {
                    dropped.push(local);
                }
            }
            None => {
                if !kept.contains(&local) {
                    kept.push(local);
                }
            }
        }
    }
    // What the import the action is offered from still brings across: names the file uses
    // elsewhere, and the other names of the statement. The title says so: the relation goes,
    // the import does not.
    let mut stays: Vec<String> = Vec::new();
    if let Some(imp) = import {
        for l in kept.iter().filter(|l| {
            imp.names
                .iter()
                .any(|(n, a)| a.as_deref().unwrap_or(n) == **l)
        }) {
            let lines = other_uses(file, l, &rewritten);
            let shown: Vec<String> = lines.iter().take(3).map(|n| n.to_string()).collect();
            let more = if lines.len() > 3 {
                format!(" and {} more", lines.len() - 3)
            } else {
                String::new()
            };
            stays.push(match lines.len() {
                0 => format!("`{l}` stays imported"),
                1 => format!("`{l}` stays imported, used on line {}", shown.join(", ")),
                _ => format!(
                    "`{l}` stays imported, used on lines {}{more}",
                    shown.join(", ")
                ),
            });
        }
        let others: Vec<String> = imp
            .names
            .iter()
            .map(|(n, a)| a.as_deref().unwrap_or(n))
            .filter(|l| !dropped.contains(l) && !kept.contains(l))
            .map(|l| format!("`{l}`"))
            .collect();
        if !others.is_empty() {
            stays.push(format!(
                "the import from `{}` stays for {}",
                imp.module,
                others.join(", ")
            ));
        }
    }
    // The uses in the model's context.
    for p in &plans {
        uses(project, p, &mut edits, &mut left);
    }
    let mut changes = Vec::new();
    for (path, mut list) in edits {
        list.sort_by_key(|e| (e.span.start, e.span.end));
        list.dedup_by(|a, b| a.span == b.span);
        if list.windows(2).any(|w| w[0].span.end > w[1].span.start) {
            return Err(NotOffered::Silent);
        }
        changes.push((path, FileChange::Edit(list)));
    }
    let names: Vec<String> = plans.iter().map(|p| format!("`{}`", p.new_name)).collect();
    let mut detail = format!("{}; run makemigrations", names.join(", "));
    for s in &stays {
        detail.push_str(&format!("; {s}"));
    }
    if !left.is_empty() {
        let shown: Vec<&str> = left.iter().take(3).map(String::as_str).collect();
        detail.push_str(&format!("; not rewritten: {}", shown.join(", ")));
        if left.len() > 3 {
            detail.push_str(&format!(" and {} more", left.len() - 3));
        }
    }
    Ok(Refactor {
        title: format!("{title} ({detail})"),
        changes,
    })
}

/// The target's key (its primary key, or the relation's `to_field`) as an identifier field.
fn key_of(project: &Project, target: ClassRef, call: &Call) -> Result<Key, String> {
    let to_field = call.kwarg("to_field").and_then(Value::as_str);
    let name = &project.class(target).name;
    // The class and its project bases.
    let mut chain = vec![target];
    let mut i = 0;
    while i < chain.len() && chain.len() < 16 {
        let c = chain[i];
        for b in &project.class(c).bases {
            if let Some(parent) = project.resolve_class(c.0, b)
                && !chain.contains(&parent)
            {
                chain.push(parent);
            }
        }
        i += 1;
    }
    for &c in &chain {
        let text = &project.files[c.0].text;
        for f in &project.class(c).fields {
            let Value::Call(fc) = &f.value else { continue };
            let hit = match to_field {
                Some(t) => f.name == t,
                None => matches!(fc.kwarg("primary_key"), Some(Value::Bool(true, _))),
            };
            if !hit {
                continue;
            }
            let length = |default: &str| {
                fc.kwarg("max_length")
                    .and_then(|v| text.get(v.span()))
                    .unwrap_or(default)
                    .to_string()
            };
            let (ty, args) = match fc.method() {
                "CharField" => match fc.kwarg("max_length").and_then(|v| text.get(v.span())) {
                    Some(n) => ("CharField", vec![format!("max_length={n}")]),
                    None => return Err(format!("`{name}.{}` has no max_length", f.name)),
                },
                "SlugField" => ("CharField", vec![format!("max_length={}", length("50"))]),
                "EmailField" => ("CharField", vec![format!("max_length={}", length("254"))]),
                "UUIDField" => ("UUIDField", vec![]),
                "AutoField" | "IntegerField" => ("IntegerField", vec![]),
                "BigAutoField" | "BigIntegerField" => ("BigIntegerField", vec![]),
                "SmallAutoField" | "SmallIntegerField" => ("SmallIntegerField", vec![]),
                "PositiveIntegerField" => ("PositiveIntegerField", vec![]),
                "PositiveBigIntegerField" => ("PositiveBigIntegerField", vec![]),
                "PositiveSmallIntegerField" => ("PositiveSmallIntegerField", vec![]),
                other => {
                    return Err(format!(
                        "the key `{name}.{}` is a `{other}`, which has no identifier field here",
                        f.name
                    ));
                }
            };
            return Ok(Key {
                name: f.name.to_string(),
                ty,
                args,
            });
        }
    }
    if let Some(t) = to_field {
        return Err(format!("`{name}` has no field `{t}` in the project"));
    }
    // The implicit `id`: the app's default_auto_field, else DEFAULT_AUTO_FIELD.
    let module = &project.files[target.0].facts.module;
    let app_default = project
        .app_of(module)
        .and_then(|a| a.config_class)
        .and_then(|(f, c)| {
            project.files[f].facts.classes[c]
                .fields
                .iter()
                .find(|a| a.name == "default_auto_field")
                .and_then(|a| a.value.as_str().map(str::to_string))
        });
    let setting = || {
        project.files.iter().filter(|f| !f.is_test).find_map(|f| {
            f.facts
                .assigns
                .iter()
                .find(|a| a.name == "DEFAULT_AUTO_FIELD")
                .and_then(|a| a.value.as_str().map(str::to_string))
        })
    };
    let auto = app_default.or_else(setting).unwrap_or_default();
    let ty = match auto.rsplit('.').next().unwrap_or_default() {
        "AutoField" => "IntegerField",
        "SmallAutoField" => "SmallIntegerField",
        _ => "BigIntegerField",
    };
    Ok(Key {
        name: "id".into(),
        ty,
        args: vec![],
    })
}

/// A public function of the target's context, outside its models, taking the key and returning
/// a non-model class with fields: the lookup a use of the relation goes through.
fn service_for(project: &Project, target: ClassRef, key: &str) -> Option<Service> {
    let context = project
        .context_of(&project.files[target.0].facts.module)?
        .name
        .clone();
    let mut best: Option<(bool, Service)> = None;
    for (fi, f) in project.files.iter().enumerate() {
        let module = &f.facts.module;
        if f.is_test
            || f.is_migration
            || module.split('.').any(|s| s == "models")
            || project.context_of(module).is_none_or(|c| c.name != context)
        {
            continue;
        }
        for func in &f.facts.functions {
            if func.name.starts_with('_') || func.params.len() != 1 {
                continue;
            }
            let p = &func.params[0].name;
            let takes_key = p == key
                || p == "pk"
                || p.ends_with(&format!("_{key}"))
                || (key == "id" && p.ends_with("_id"));
            let Some(ret) = func.returns.as_deref() else {
                continue;
            };
            let ret = ret.trim_matches(['"', '\'']);
            if !takes_key || ret.contains(['[', '|', '.']) {
                continue;
            }
            let Some(r) = project.resolve_class(fi, ret) else {
                continue;
            };
            if project.is_model(r) {
                continue;
            }
            let fields: Vec<String> = project
                .class(r)
                .fields
                .iter()
                .map(|a| a.name.to_string())
                .filter(|n| !n.starts_with('_'))
                .collect();
            if fields.is_empty() {
                continue;
            }
            let interface = module.split('.').any(|s| {
                matches!(
                    s,
                    "services" | "selectors" | "api" | "public" | "interfaces"
                )
            });
            if best.as_ref().is_none_or(|(i, _)| interface && !i) {
                best = Some((
                    interface,
                    Service {
                        module: module.to_string(),
                        function: func.name.to_string(),
                        fields,
                    },
                ));
            }
        }
    }
    best.map(|(_, s)| s)
}

/// The lines where the file uses `local` as code, outside imports and the `rewritten` spans
/// (comments and docstrings that mention it aside).
fn other_uses(file: &SourceFile, local: &str, rewritten: &[std::ops::Range<usize>]) -> Vec<usize> {
    let text = &*file.text;
    let mut lines: Vec<usize> = crate::python::facts::name_uses(text, local)
        .into_iter()
        .filter(|s| {
            !file.facts.imports.iter().any(|i| i.span.contains(s))
                && !rewritten.iter().any(|r| r.contains(s))
        })
        .map(|s| text[..s].matches('\n').count() + 1)
        .collect();
    lines.dedup();
    lines
}

/// Removes `local` from the import that binds it when the file uses it nowhere else (outside
/// imports and the `rewritten` spans).
fn drop_import(
    file: &SourceFile,
    local: &str,
    rewritten: &[std::ops::Range<usize>],
) -> Option<Edit> {
    let text = &*file.text;
    let imp = file.facts.imports.iter().find(|i| {
        i.is_from
            && i.names
                .iter()
                .any(|(n, a)| a.as_deref().unwrap_or(n) == local)
    })?;
    if !other_uses(file, local, rewritten).is_empty() {
        return None;
    }
    if imp.names.len() == 1 {
        let start = text[..imp.span.start].rfind('\n').map_or(0, |i| i + 1);
        let mut end = text[imp.span.end..]
            .find('\n')
            .map_or(text.len(), |i| imp.span.end + i + 1);
        // The import's own group goes with it: one blank line of the two around it.
        if (start == 0 || text[..start].ends_with("\n\n")) && text[end..].starts_with('\n') {
            end += 1;
        }
        return Some(Edit {
            span: start..end,
            text: String::new(),
        });
    }
    // One name of several: the name (and its alias) with the comma after it, else before it.
    let stmt = text.get(imp.span.clone())?;
    let after_import = stmt.find(" import ")? + " import ".len();
    let (name, alias) = imp
        .names
        .iter()
        .find(|(n, a)| a.as_deref().unwrap_or(n) == local)?;
    let s = super::words(&stmt[after_import..], name).next()? + after_import;
    let mut e = s + name.len();
    if let Some(a) = alias {
        let rest = &stmt[e..];
        let t = rest.trim_start();
        let t2 = t.strip_prefix("as")?.trim_start();
        if !t2.starts_with(a.as_str()) {
            return None;
        }
        e += rest.len() - t2.len() + a.len();
    }
    let rest = &stmt[e..];
    let (s, e) = if let Some(r) = rest.trim_start().strip_prefix(',') {
        (s, e + rest.len() - r.trim_start().len())
    } else {
        let before = stmt[..s].trim_end();
        let before = before.strip_suffix(',')?;
        (before.len(), e)
    };
    Some(Edit {
        span: imp.span.start + s..imp.span.start + e,
        text: String::new(),
    })
}
