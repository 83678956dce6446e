//! Introduce a JSON field repository for an aggregate: a model whose payload is one `JSONField`,
//! and a repository that round-trips the whole aggregate through it. With pydantic in the project
//! the aggregate goes through a pydantic DTO (which also rebuilds nested values); without it, the
//! action is offered only for aggregates whose fields JSON holds as they are.

use super::Refactor;
use crate::ide::files::FileView;
use crate::python::project::Project;

const JSON_NATIVE: &[&str] = &["str", "int", "float", "bool", "dict", "list", "None"];

fn json_native(annotation: &str) -> bool {
    annotation
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .all(|w| JSON_NATIVE.contains(&w) || w == "Optional" || w == "Any")
}

pub fn introduce(
    project: &Project,
    roles: &crate::detect::Roles,
    files: &dyn FileView,
    fi: usize,
    ci: usize,
    can_create: bool,
) -> Result<Refactor, String> {
    let file = &project.files[fi];
    let class = &file.facts.classes[ci];
    if let Some(why) = crate::detect::not_a_root_without_repository(project, roles, (fi, ci)) {
        return Err(format!(
            "`{}` is not an aggregate root without a repository: {why}",
            class.name
        ));
    }
    let is_dataclass = class
        .decorators
        .iter()
        .any(|d| d.starts_with("dataclass") || d.ends_with(".dataclass"));
    let is_pydantic = class
        .bases
        .iter()
        .any(|b| b.rsplit('.').next() == Some("BaseModel"));
    if !is_dataclass && !is_pydantic {
        return Err("the aggregate is neither a dataclass nor a pydantic model".into());
    }
    let fields: Vec<(&str, &str)> = class
        .fields
        .iter()
        .filter_map(|a| a.annotation.as_deref().map(|t| (a.name.as_str(), t)))
        .collect();
    if fields.is_empty() {
        return Err("the aggregate has no annotated fields".into());
    }
    let uses_pydantic = project.files.iter().any(|f| {
        f.facts
            .imports
            .iter()
            .any(|i| i.module == "pydantic" || i.module.starts_with("pydantic."))
    });
    if !uses_pydantic && !is_pydantic && !fields.iter().all(|(_, t)| json_native(t)) {
        return Err(
            "some fields are not JSON values and the project has no pydantic to convert them"
                .into(),
        );
    }
    let app = project
        .app_of(&file.facts.module)
        .ok_or("the aggregate is not in a Django app")?;
    let app_dir = super::app_dir(&file.path, &file.facts.module, &app.package)
        .ok_or("cannot find the app's folder")?;
    let name = &class.name;
    let record = format!("{name}Record");
    if project.models.contains_key(&record) {
        return Err(format!("`{record}` exists already"));
    }
    let key_field = fields
        .iter()
        .map(|(n, _)| *n)
        .find(|n| {
            *n == "id"
                || n.ends_with("_id")
                || matches!(*n, "number" | "reference" | "code" | "key" | "sku" | "isbn")
        })
        .unwrap_or(fields[0].0);
    let domain_import = format!(
        "from {} import {name}",
        relative(&file.facts.module, &app.package)
    );

    let (imports, to_data, from_data, dto) = if is_pydantic {
        (
            format!("{domain_import}\n"),
            "aggregate.model_dump(mode=\"json\")".to_string(),
            format!("{name}.model_validate(data)"),
            String::new(),
        )
    } else if uses_pydantic {
        let field_lines: String = fields
            .iter()
            .map(|(n, t)| format!("    {n}: {t}\n"))
            .collect();
        (
            format!(
                "from dataclasses import asdict\n\nfrom pydantic import BaseModel\n\n{domain_import}\n"
            ),
            format!("{name}DTO.model_validate(asdict(aggregate)).model_dump(mode=\"json\")"),
            format!("{name}(**dict({name}DTO.model_validate(data)))"),
            format!(
                "\n\nclass {name}DTO(BaseModel):\n    \"\"\"The JSON shape of `{name}`.\"\"\"\n\n{field_lines}"
            ),
        )
    } else {
        (
            format!("from dataclasses import asdict\n\n{domain_import}\n"),
            "asdict(aggregate)".to_string(),
            format!("{name}(**data)"),
            String::new(),
        )
    };
    let repo = format!(
        r#"{dto}

class {name}Repository:
    """JSON field repository: each `{name}` round-trips whole through `{record}.data`."""

    def get(self, key: str) -> {name}:
        return self._from_data(models.{record}.objects.get(pk=key).data)

    def list(self) -> list[{name}]:
        return [self._from_data(row.data) for row in models.{record}.objects.all()]

    def add(self, aggregate: {name}) -> None:
        models.{record}.objects.update_or_create(pk=str(aggregate.{key_field}), defaults={{"data": self._to_data(aggregate)}})

    def remove(self, aggregate: {name}) -> None:
        models.{record}.objects.filter(pk=str(aggregate.{key_field})).delete()

    @staticmethod
    def _to_data(aggregate: {name}) -> dict:
        return {to_data}

    @staticmethod
    def _from_data(data: dict) -> {name}:
        return {from_data}
"#
    );
    let model = format!(
        r#"

class {record}(models.Model):
    """Stores whole `{name}` aggregates as JSON (a JSON field repository)."""

    id = models.CharField(primary_key=True, max_length=64)
    data = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)
"#
    );
    let changes = vec![
        super::append_or_create(
            files,
            &app_dir.join("models.py"),
            "from django.db import models\n",
            &model,
            can_create,
        )?,
        super::append_or_create(
            files,
            &app_dir.join("repositories.py"),
            &format!("from . import models\n{imports}"),
            &repo,
            can_create,
        )?,
    ];
    Ok(Refactor {
        title: format!("Introduce a JSON field repository for `{name}` (a migration follows)"),
        changes,
    })
}

fn relative(module: &str, package: &str) -> String {
    match module.strip_prefix(package) {
        Some(rest) => format!(".{}", rest.trim_start_matches('.')),
        None => module.to_string(),
    }
}

/// The registry entry (see `registry.rs`).
pub struct JsonRepository;

impl super::registry::RefactorKind for JsonRepository {
    fn id(&self) -> &'static str {
        "json-field-repository"
    }
    fn summary(&self) -> &'static str {
        "Introduce a JSON field repository for an aggregate"
    }
    fn kind(&self) -> super::registry::ActionKind {
        super::registry::ActionKind::Extract
    }
    fn target(&self, scope: &super::registry::Scope, _: super::registry::Target) -> bool {
        scope.source().is_domain
    }
    fn edit(
        &self,
        scope: &super::registry::Scope,
        target: super::registry::Target,
    ) -> Result<super::registry::Outcome, super::registry::NotOffered> {
        let ci = super::registry::class_of(target).ok_or("not a class")?;
        let r = introduce(
            scope.project,
            scope.roles,
            scope.files,
            scope.file,
            ci,
            scope.can_create,
        )?;
        Ok(super::registry::Outcome::Files(r))
    }
}
