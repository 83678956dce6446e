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
//! fed the field goes when nothing else uses it. A migration follows: the title says so.
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
use std::collections::BTreeMap;
use std::path::PathBuf;

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
                .any(|c| c.fields.iter().any(|f| is_relation(&f.value)))
    }
    fn edit(&self, scope: &Scope, target: Target) -> Result<Outcome, NotOffered> {
        let Target::Import(start) = target else {
            return Err(NotOffered::Silent);
        };
        reference(scope, start).map(Outcome::Files)
    }
}

fn is_relation(v: &Value) -> bool {
    matches!(v, Value::Call(c) if matches!(c.method(), "ForeignKey" | "OneToOneField" | "ManyToManyField"))
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
    for p in &plans {
        let local = p.rel.written.split('.').next().unwrap_or_default();
        if let Some(e) = drop_import(file, local, &rewritten) {
            let list = edits.entry(file.path.clone()).or_default();
            if !list.iter().any(|x| x.span == e.span) {
                list.push(e);
            }
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
                name: f.name.clone(),
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
                .map(|a| a.name.clone())
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
                        module: module.clone(),
                        function: func.name.clone(),
                        fields,
                    },
                ));
            }
        }
    }
    best.map(|(_, s)| s)
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
    let used = super::words(text, local).any(|s| {
        !file.facts.imports.iter().any(|i| i.span.contains(&s))
            && !rewritten.iter().any(|r| r.contains(&s))
    });
    if used {
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

/// Rewrites the uses of `p`'s field in the model's context; what it cannot rewrite goes to
/// `left` as `path:line \`use\``.
fn uses(
    project: &Project,
    p: &Plan,
    edits: &mut BTreeMap<PathBuf, Vec<Edit>>,
    left: &mut Vec<String>,
) {
    let model_file = &project.files[p.model.0];
    let model_name = &project.class(p.model).name;
    let Some(context) = project
        .context_of(&model_file.facts.module)
        .map(|c| c.name.clone())
    else {
        return;
    };
    let field = p.rel.field.name.as_str();
    let attname = format!("{field}_id");
    let snake = super::snake_case(model_name);
    for (fj, f) in project.files.iter().enumerate() {
        if f.is_test
            || f.is_migration
            || project
                .context_of(&f.facts.module)
                .is_none_or(|c| c.name != context)
        {
            continue;
        }
        // The names this file knows the model by.
        let mut locals: Vec<String> = Vec::new();
        if fj == p.model.0 {
            locals.push(model_name.clone());
        }
        for imp in f.facts.imports.iter().filter(|i| i.is_from) {
            for (n, a) in &imp.names {
                let local = a.as_deref().unwrap_or(n);
                if project.resolve_model(fj, local) == Some(p.model) {
                    locals.push(local.to_string());
                }
            }
        }
        if locals.is_empty() {
            continue;
        }
        let text = &*f.text;
        let line_of = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
        let rel = super::shown(f);
        let mut mine: Vec<Edit> = Vec::new();
        let mut needs_service = false;
        // Keyword arguments and lookups of the model's calls.
        for call in f.facts.all_calls() {
            let ours = locals
                .iter()
                .any(|l| call.func == *l || call.func.starts_with(&format!("{l}.")));
            if !ours {
                continue;
            }
            let Some(call_text) = text.get(call.span.clone()) else {
                continue;
            };
            for (k, _) in &call.kwargs {
                let renamed = rename_lookup(k, field, &attname, &p.key.name, &p.new_name);
                match renamed {
                    Some(new) if new == *k => {}
                    Some(new) => {
                        if let Some(at) = kwarg_at(call_text, k) {
                            let s = call.span.start + at;
                            mine.push(Edit {
                                span: s..s + k.len(),
                                text: new,
                            });
                        }
                    }
                    None => left.push(format!("{rel}:{} `{k}=`", line_of(call.span.start))),
                }
            }
            for a in &call.args {
                let Value::Str(s, span) = a else { continue };
                let (sign, bare) = s.strip_prefix('-').map_or(("", s.as_str()), |b| ("-", b));
                match rename_lookup(bare, field, &attname, &p.key.name, &p.new_name) {
                    Some(new) if new == bare => {}
                    // A plain one-quote literal only (no prefix, no triple quotes).
                    Some(new) => match text.get(span.clone()) {
                        Some(lit) if lit == format!("\"{s}\"") || lit == format!("'{s}'") => {
                            let q = &lit[..1];
                            mine.push(Edit {
                                span: span.clone(),
                                text: format!("{q}{sign}{new}{q}"),
                            });
                        }
                        _ => left.push(format!("{rel}:{} `\"{s}\"`", line_of(span.start))),
                    },
                    None => left.push(format!("{rel}:{} `\"{s}\"`", line_of(span.start))),
                }
            }
        }
        // Attribute reads: `loan.book.isbn`, `loan.book_id`, `loan.book.title`.
        let bodies = f
            .facts
            .functions
            .iter()
            .chain(f.facts.classes.iter().flat_map(|c| c.methods.iter()));
        for func in bodies {
            for (chain, span) in &func.attributes {
                let segs: Vec<&str> = chain.split('.').collect();
                let Some(i) = segs
                    .iter()
                    .enumerate()
                    .skip(1)
                    .find(|(_, s)| **s == field || **s == attname)
                    .map(|(i, _)| i)
                else {
                    continue;
                };
                let receiver = segs[..i].join(".");
                let last = segs[i - 1];
                let is_model = receiver
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
                    && (last == snake
                        || last.ends_with(&format!("_{snake}"))
                        || (last == "self" && fj == p.model.0)
                        || locals.iter().any(|l| {
                            text.contains(&format!("for {last} in {l}."))
                                || text.contains(&format!("{last} = {l}.objects"))
                        }));
                if !is_model {
                    continue;
                }
                // Only a chain written without spaces maps back to the text.
                if text.get(span.clone()) != Some(chain.as_str()) {
                    left.push(format!(
                        "{rel}:{} `{receiver}.{field}`",
                        line_of(span.start)
                    ));
                    continue;
                }
                let upto = receiver.len() + 1 + segs[i].len();
                let next = segs.get(i + 1).copied();
                let s = span.start;
                if segs[i] == attname {
                    if attname != p.new_name {
                        mine.push(Edit {
                            span: s + receiver.len() + 1..s + upto,
                            text: p.new_name.clone(),
                        });
                    }
                    continue;
                }
                match next {
                    Some(n) if n == p.key.name || n == "pk" => mine.push(Edit {
                        span: s..s + upto + 1 + n.len(),
                        text: format!("{receiver}.{}", p.new_name),
                    }),
                    Some(n)
                        if p.service
                            .as_ref()
                            .is_some_and(|sv| sv.fields.iter().any(|x| x == n)) =>
                    {
                        let sv = p.service.as_ref().map_or("", |sv| sv.function.as_str());
                        needs_service = true;
                        mine.push(Edit {
                            span: s..s + upto,
                            text: format!("{sv}({receiver}.{})", p.new_name),
                        });
                    }
                    _ => left.push(format!("{rel}:{} `{receiver}.{field}`", line_of(s))),
                }
            }
        }
        if needs_service
            && let Some(sv) = &p.service
            && let Some(e) =
                super::ensure_import(f, &format!("from {} import {}", sv.module, sv.function))
        {
            mine.push(e);
        }
        if !mine.is_empty() {
            edits.entry(f.path.clone()).or_default().extend(mine);
        }
    }
    reverse_uses(project, p, &context, left);
}

/// The reverse accessor (`related_name`, else `<model>_set`) read in the model's or the target's
/// context: it goes with the relation, and nothing here can rewrite it.
fn reverse_uses(project: &Project, p: &Plan, context: &str, left: &mut Vec<String>) {
    let Some(target) = p.rel.target else { return };
    let model_name = &project.class(p.model).name;
    let accessor = match p.rel.call.kwarg("related_name").and_then(Value::as_str) {
        Some(r) if r.ends_with('+') => return,
        Some(r) => r.to_string(),
        None => format!("{}_set", model_name.to_lowercase()),
    };
    let theirs = project
        .context_of(&project.files[target.0].facts.module)
        .map(|c| c.name.clone());
    for f in project.files.iter() {
        let here = project.context_of(&f.facts.module).map(|c| c.name.clone());
        if f.is_test || f.is_migration || (here.as_deref() != Some(context) && here != theirs) {
            continue;
        }
        let bodies = f
            .facts
            .functions
            .iter()
            .chain(f.facts.classes.iter().flat_map(|c| c.methods.iter()));
        for func in bodies {
            for (chain, span) in &func.attributes {
                if chain.split('.').skip(1).any(|s| s == accessor) {
                    let line = f.text[..span.start.min(f.text.len())].matches('\n').count() + 1;
                    let rel = super::shown(f);
                    left.push(format!("{rel}:{line} `.{accessor}`"));
                }
            }
        }
    }
}

/// A lookup or keyword through the field, renamed for the identifier field; `None` when it
/// reaches through the relation (a join, or an instance), the same text when it is not about it.
fn rename_lookup(k: &str, field: &str, attname: &str, key: &str, new: &str) -> Option<String> {
    if k == field {
        return None;
    }
    if k == attname {
        return Some(new.to_string());
    }
    if let Some(rest) = k.strip_prefix(&format!("{attname}__")) {
        return Some(format!("{new}__{rest}"));
    }
    let Some(rest) = k.strip_prefix(&format!("{field}__")) else {
        return Some(k.to_string());
    };
    let (first, tail) = rest
        .split_once("__")
        .map_or((rest, None), |(a, b)| (a, Some(b)));
    if first == key || first == "pk" {
        return Some(match tail {
            Some(t) => format!("{new}__{t}"),
            None => new.to_string(),
        });
    }
    None
}

/// Where keyword `k` is passed in a call's text (`k=`, not `k==`).
fn kwarg_at(call_text: &str, k: &str) -> Option<usize> {
    super::words(call_text, k).find(|&i| {
        let before = call_text[..i].trim_end();
        let after = call_text[i + k.len()..].trim_start();
        (before.ends_with('(') || before.ends_with(','))
            && after.starts_with('=')
            && !after.starts_with("==")
    })
}
