//! The relation fields of a project's models (`ForeignKey`, `OneToOneField`,
//! `ManyToManyField`) with the bounded contexts at their two ends, read once per project: the
//! context-database refactor asks for them on every hover of a model class.

use super::facts::{Call, Value};
use super::project::Project;

/// The call of a relation field's value (`models.ForeignKey(...)`, `OneToOneField`,
/// `ManyToManyField`), or `None` for any other value.
pub fn relation_call(value: &Value) -> Option<&Call> {
    match value {
        Value::Call(call)
            if matches!(
                call.method(),
                "ForeignKey" | "OneToOneField" | "ManyToManyField"
            ) =>
        {
            Some(call)
        }
        _ => None,
    }
}

/// A relation field and the contexts at its two ends (`None`: the end's context is not known).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelationEnds {
    pub class: String,
    pub field: String,
    /// The context of the model that holds the field.
    pub here: Option<String>,
    /// The context the field points into, as a reader would name it (a context, `app
    /// \`label\``, or "the user model's app").
    pub target: Option<String>,
}

impl Project {
    /// Every relation field of the project's models (tests and migrations aside), in file and
    /// class order; computed on first use.
    pub fn relation_ends(&self) -> &[RelationEnds] {
        self.relation_ends.get_or_init(|| {
            let mut models: Vec<_> = self.model_set.iter().copied().collect();
            models.sort_unstable();
            let mut out = Vec::new();
            for (fi, ci) in models {
                let file = &self.files[fi];
                if file.is_test || file.is_migration {
                    continue;
                }
                let here = self.context_of(&file.facts.module).map(|c| c.name.clone());
                let class = &file.facts.classes[ci];
                for field in &class.fields {
                    let Some(call) = relation_call(&field.value) else {
                        continue;
                    };
                    let target = match call.args.first() {
                        Some(Value::Str(s, _)) if s == "self" => here.clone(),
                        Some(Value::Str(s, _)) => match s.split_once('.') {
                            Some((label, _)) => self
                                .apps
                                .iter()
                                .find(|a| a.label == label)
                                .and_then(|a| self.context_of(&a.package))
                                .map(|c| c.name.clone())
                                .or_else(|| Some(format!("app `{label}`"))),
                            None => here.clone(),
                        },
                        Some(Value::Name(n, _)) if n.ends_with("AUTH_USER_MODEL") => {
                            Some("the user model's app".into())
                        }
                        Some(Value::Name(n, _)) => self
                            .resolve_model(fi, n)
                            .and_then(|r| self.context_of(&self.files[r.0].facts.module))
                            .map(|c| c.name.clone()),
                        _ => None,
                    };
                    out.push(RelationEnds {
                        class: class.name.to_string(),
                        field: field.name.to_string(),
                        here: here.clone(),
                        target,
                    });
                }
            }
            out
        })
    }
}
