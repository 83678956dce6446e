//! Extract a Django ORM repository for a model: a domain dataclass (in the app's `domain/`
//! package or `domain.py`) and a repository (in `repositories.py`) with `get`, `add`, `list` and
//! `remove` that maps rows to domain objects and back.

use super::Refactor;
use crate::ide::files::FileView;
use crate::python::facts::{Class, Value};
use crate::python::project::Project;

/// The Python type of a model field, from its field class.
fn field_type(call: &str) -> Option<&'static str> {
    let t = match call {
        "CharField"
        | "TextField"
        | "SlugField"
        | "EmailField"
        | "URLField"
        | "GenericIPAddressField"
        | "FilePathField" => "str",
        "IntegerField"
        | "BigIntegerField"
        | "SmallIntegerField"
        | "PositiveIntegerField"
        | "PositiveBigIntegerField"
        | "PositiveSmallIntegerField"
        | "AutoField"
        | "BigAutoField"
        | "SmallAutoField" => "int",
        "BooleanField" => "bool",
        "FloatField" => "float",
        "DecimalField" => "Decimal",
        "DateTimeField" => "datetime",
        "DateField" => "date",
        "TimeField" => "time",
        "DurationField" => "timedelta",
        "UUIDField" => "UUID",
        "JSONField" => "dict",
        "BinaryField" => "bytes",
        _ => return None,
    };
    Some(t)
}

struct Field {
    name: String,
    ty: String,
    primary_key: bool,
}

fn fields(class: &Class) -> Vec<Field> {
    let mut out = Vec::new();
    for a in &class.fields {
        let Value::Call(call) = &a.value else {
            continue;
        };
        let kind = call.method();
        let nullable = matches!(call.kwarg("null"), Some(Value::Bool(true, _)));
        let primary_key = matches!(call.kwarg("primary_key"), Some(Value::Bool(true, _)));
        let (name, ty) = match kind {
            "ForeignKey" | "OneToOneField" => (format!("{}_id", a.name), "int".to_string()),
            _ => match field_type(kind) {
                Some(t) => (a.name.to_string(), t.to_string()),
                None => continue,
            },
        };
        let ty = if nullable { format!("{ty} | None") } else { ty };
        out.push(Field {
            name,
            ty,
            primary_key,
        });
    }
    out
}

fn entity_name(model: &str) -> String {
    for suffix in ["Model", "Record", "Row", "Orm"] {
        if let Some(stem) = model.strip_suffix(suffix)
            && !stem.is_empty()
        {
            return stem.to_string();
        }
    }
    model.to_string()
}

fn imports_for(fields: &[Field]) -> Vec<&'static str> {
    let mut out = vec!["from dataclasses import dataclass"];
    let has = |t: &str| {
        fields
            .iter()
            .any(|f| f.ty.split([' ', '|']).any(|w| w == t))
    };
    if has("Decimal") {
        out.push("from decimal import Decimal");
    }
    let dt: Vec<&str> = ["date", "datetime", "time", "timedelta"]
        .into_iter()
        .filter(|t| has(t))
        .collect();
    if !dt.is_empty() {
        out.push(match dt.as_slice() {
            ["datetime"] => "from datetime import datetime",
            ["date"] => "from datetime import date",
            _ => "from datetime import date, datetime, time, timedelta",
        });
    }
    if has("UUID") {
        out.push("from uuid import UUID");
    }
    out
}

/// The refactor for model `ci` of file `fi`, or why it is not offered.
pub fn extract(
    project: &Project,
    files: &dyn FileView,
    fi: usize,
    ci: usize,
    can_create: bool,
) -> Result<Refactor, String> {
    let file = &project.files[fi];
    let model = &file.facts.classes[ci];
    if !project.is_model((fi, ci)) {
        return Err(format!("`{}` is not a Django model", model.name));
    }
    if model.meta.as_ref().is_some_and(|m| m.is_abstract) {
        return Err(format!("`{}` is abstract", model.name));
    }
    let app = project
        .app_of(&file.facts.module)
        .ok_or("the model is not in a Django app")?;
    let app_dir = super::app_dir(&file.path, &file.facts.module, &app.package)
        .ok_or("cannot find the app's folder")?;
    let fields = fields(model);
    let entity = entity_name(&model.name);
    let snake = super::snake_case(&entity);
    let pk = fields
        .iter()
        .find(|f| f.primary_key)
        .map_or("id".to_string(), |f| f.name.clone());

    // The domain dataclass.
    let mut body = String::new();
    body.push_str(&format!("\n\n@dataclass\nclass {entity}:\n    \"\"\"{entity}, as the domain sees it (mapped from `{}` by `{}Repository`).\"\"\"\n\n", model.name, entity));
    for f in fields.iter().filter(|f| !f.primary_key) {
        body.push_str(&format!("    {}: {}\n", f.name, f.ty));
    }
    match fields.iter().find(|f| f.primary_key) {
        Some(f) => body.push_str(&format!(
            "    {}: {} | None = None\n",
            f.name,
            f.ty.trim_end_matches(" | None")
        )),
        None => body.push_str("    id: int | None = None\n"),
    }
    let domain_pkg = app_dir.join("domain");
    let (domain_path, domain_module) = if files.exists(&domain_pkg.join("__init__.py")) {
        (
            domain_pkg.join(format!("{snake}.py")),
            format!(".domain.{snake}"),
        )
    } else {
        (app_dir.join("domain.py"), ".domain".to_string())
    };
    let imports = imports_for(&fields).join("\n");
    let mut changes = Vec::new();
    changes.push(super::append_or_create(
        files,
        &domain_path,
        &format!("{imports}\n"),
        &body,
        can_create,
    )?);

    // The repository.
    let all_names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let to_domain = all_names
        .iter()
        .map(|n| format!("{n}=row.{n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let from_domain = all_names
        .iter()
        .map(|n| format!("{n}=entity.{n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let (to_domain, from_domain) = if fields.iter().any(|f| f.primary_key) {
        (to_domain, from_domain)
    } else {
        (
            format!("id=row.pk, {to_domain}"),
            format!("pk=entity.id, {from_domain}"),
        )
    };
    let m = format!("models.{}", model.name);
    let repo = format!(
        r#"

class {entity}Repository:
    """Django ORM repository for `{entity}`: loads and stores `{model}` rows as domain objects."""

    def get(self, pk) -> {entity}:
        return self._to_domain({m}.objects.get(pk=pk))

    def list(self) -> list[{entity}]:
        return [self._to_domain(row) for row in {m}.objects.all()]

    def add(self, entity: {entity}) -> {entity}:
        row = self._from_domain(entity)
        row.save()
        return self._to_domain(row)

    def remove(self, entity: {entity}) -> None:
        {m}.objects.filter(pk=entity.{pk}).delete()

    @staticmethod
    def _to_domain(row: {m}) -> {entity}:
        return {entity}({to_domain})

    @staticmethod
    def _from_domain(entity: {entity}) -> {m}:
        return {m}({from_domain})
"#,
        model = model.name,
    );
    // `from . import models` also reaches models defined in a `models/` package.
    let repo_imports = format!("from . import models\nfrom {domain_module} import {entity}\n");
    changes.push(super::append_or_create(
        files,
        &app_dir.join("repositories.py"),
        &repo_imports,
        &repo,
        can_create,
    )?);
    Ok(Refactor {
        title: format!("Extract a Django ORM repository for `{}`", model.name),
        changes,
    })
}

/// The registry entry (see `registry.rs`).
pub struct OrmRepository;

impl super::registry::RefactorKind for OrmRepository {
    fn id(&self) -> &'static str {
        "django-orm-repository"
    }
    fn summary(&self) -> &'static str {
        "Extract a Django ORM repository for a model"
    }
    fn serves(&self) -> &'static [&'static str] {
        &["django-orm-repository"]
    }
    fn kind(&self) -> super::registry::ActionKind {
        super::registry::ActionKind::Extract
    }
    /// A model that is not behind a repository yet.
    fn target(&self, scope: &super::registry::Scope, target: super::registry::Target) -> bool {
        let Some(ci) = super::registry::class_of(target) else {
            return false;
        };
        let name = scope.source().facts.classes[ci].name.as_str();
        !scope.source().is_domain
            && scope.project.is_model((scope.file, ci))
            // A model without a repository: views and services that reach its manager
            // directly do not count as one.
            && !scope.roles.orm_users.iter().any(|(user, models)| {
                scope.roles.repositories.contains(user)
                    && models.iter().any(|m| m.rsplit('.').next() == Some(name))
            })
    }
    fn edit(
        &self,
        scope: &super::registry::Scope,
        target: super::registry::Target,
    ) -> Result<super::registry::Outcome, super::registry::NotOffered> {
        let ci = super::registry::class_of(target).ok_or("not a class")?;
        let r = extract(scope.project, scope.files, scope.file, ci, scope.can_create)?;
        Ok(super::registry::Outcome::Files(r))
    }
}
