//! Detectors: project facts in, findings out. One file per pattern or smell, each documented in
//! the style of ruff's rules (what it recognises, why it matters, an example). `docs/detection-rules.md`
//! is the contract for what each one needs and where its finding sits.
//!
//! Detectors read [`Cx`]: the project, the file at hand and the [`Roles`] computed once per project
//! (which classes are repositories, which modules translate between contexts, ...). They never
//! see a syntax tree or a protocol type.

use crate::catalog::Severity;
use crate::python::facts::{Class, Function, Span};
use crate::python::project::{ClassRef, Project, SourceFile};
use crate::python::source::FileText;
use std::path::PathBuf;

mod aggregate;
mod anticorruption_layer;
mod bounded_context;
mod cache_not_invalidated;
pub(crate) use cache_not_invalidated::is_write;
pub(crate) use cached_repository::cache_read;
mod cached_repository;
mod context_database;
mod context_database_schema;
mod context_table_namespace;
mod cqrs;
mod cross_context_import;
mod cross_database_relation;
pub(crate) use cross_database_relation::{Relation, relations};
mod django_orm_repository;
mod domain_event;
mod domain_specific_identifier;
mod event_sourcing;
mod installed_apps;
mod json_field_repository;
mod open_host_service;
mod orm_in_domain;
mod query_method_sprawl;
mod random_identifier;
mod redis;
pub mod registry;
mod repository_specification;
mod roles;
mod service_layer;
mod shared_kernel;
mod time_series;
mod transactional_outbox;
mod unit_of_work;
mod value_object;

pub use aggregate::not_a_root_without_repository;
pub use registry::{RULES, Rule};
pub use roles::Roles;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Pattern,
    Smell,
    Problem,
}

/// The other end of a finding (the imported model, the cache read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub path: PathBuf,
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub rule: String,
    pub pattern: String,
    pub severity: Severity,
    /// Byte span in the file.
    pub span: Span,
    pub message: String,
    /// What was seen, with names from the code.
    pub evidence: Vec<String>,
    pub related: Vec<Related>,
}

/// The smell of this id, from [`registry::RULES`].
pub fn smell(id: &str) -> Option<&'static Rule> {
    registry::rule(id).filter(|r| r.kind == Kind::Smell)
}

pub struct Cx<'a> {
    pub project: &'a Project,
    pub index: usize,
    pub file: &'a SourceFile,
    /// The file's text, read where a finding needs it.
    pub text: &'a FileText<'a>,
    pub roles: &'a Roles,
}

impl<'a> Cx<'a> {
    pub fn finding(
        &self,
        rule: &str,
        span: Span,
        message: impl Into<String>,
        evidence: Vec<String>,
    ) -> Finding {
        let (kind, pattern, severity) = match smell(rule) {
            Some(s) => (Kind::Smell, s.fixed_by[0].to_string(), s.severity),
            None => (Kind::Pattern, rule.to_string(), Severity::Info),
        };
        Finding {
            kind,
            rule: rule.to_string(),
            pattern,
            severity,
            span,
            message: message.into(),
            evidence,
            related: Vec::new(),
        }
    }

    /// The span of a class's `class` line (the keyword to the end of the header).
    pub fn class_span(&self, c: &Class) -> Span {
        c.header.clone()
    }

    pub fn def_span(&self, f: &Function) -> Span {
        header_span(self.text.get(), f.span.start)
    }

    pub fn line_span(&self, span: &Span) -> Span {
        header_span(self.text.get(), span.start)
    }
}

pub use crate::python::facts::header_span;

const NOT_REPOSITORY_BASES: &[&str] = &[
    "Manager",
    "BaseManager",
    "QuerySet",
    "View",
    "APIView",
    "ViewSet",
    "ModelViewSet",
    "GenericAPIView",
    "ModelAdmin",
    "Form",
    "ModelForm",
    "Serializer",
    "ModelSerializer",
    "BaseCommand",
    "Command",
    "TestCase",
    "TransactionTestCase",
    "SimpleTestCase",
    "Migration",
    "AppConfig",
    "TemplateView",
    "ListView",
    "DetailView",
    "FormView",
    "CreateView",
    "UpdateView",
    "DeleteView",
    "Admin",
    "TabularInline",
    "StackedInline",
    "FilterSet",
    "Feed",
    "Sitemap",
    "Widget",
    "Field",
    "Aggregate",
    "Func",
    "Lookup",
    "Transform",
    "Expression",
    "DataLoader",
];

/// Does class `r` have a base named one of `names` anywhere up its chain (resolved through the
/// project, and by the last segment of bases defined outside it)?
pub(crate) fn inherits_any(project: &Project, r: ClassRef, names: &[&str]) -> bool {
    let mut stack = vec![r];
    let mut seen = Vec::new();
    while let Some(c) = stack.pop() {
        if seen.contains(&c) || seen.len() > 64 {
            continue;
        }
        seen.push(c);
        for (k, b) in project.class(c).bases.iter().enumerate() {
            if names.contains(&base_last(b)) {
                return true;
            }
            if let Some(parent) = project.base_class(c, k) {
                stack.push(parent);
            }
        }
    }
    false
}

/// Is `target` among the classes `r` inherits from (resolved through the project)?
pub(crate) fn inherits_class(project: &Project, r: ClassRef, target: ClassRef) -> bool {
    let mut stack = vec![r];
    let mut seen = Vec::new();
    while let Some(c) = stack.pop() {
        if c == target {
            return true;
        }
        if seen.contains(&c) || seen.len() > 64 {
            continue;
        }
        seen.push(c);
        for k in 0..project.class(c).bases.len() {
            if let Some(parent) = project.base_class(c, k) {
                stack.push(parent);
            }
        }
    }
    false
}

/// Type names in an annotation (`Optional["ProductDTO"]` -> `Optional`, `ProductDTO`), dotted
/// names kept whole.
pub(super) fn annotation_names(annotation: &str) -> impl Iterator<Item = &str> {
    annotation
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .filter(|s| s.chars().next().is_some_and(char::is_uppercase))
}

fn base_last(b: &str) -> &str {
    b.rsplit('.').next().unwrap_or(b)
}

fn is_excluded_class(class: &Class) -> bool {
    class
        .bases
        .iter()
        .any(|b| NOT_REPOSITORY_BASES.contains(&base_last(b)))
}

/// Method-name verbs of a repository's interface.
const REPOSITORY_VERBS: &[&str] = &[
    "get", "add", "save", "list", "find", "fetch", "create", "delete", "remove", "update", "store",
    "load", "exists", "count", "all", "put", "persist", "by",
];

fn is_repository_verb(method: &str) -> bool {
    let first = method
        .trim_start_matches('_')
        .split('_')
        .next()
        .unwrap_or("");
    REPOSITORY_VERBS.contains(&first)
}

/// A repository port: an abstract class (ABC, Protocol, or abstract methods) whose interface is
/// a repository's: named `*Repository`/`*Port`, or with repository verbs for at least two thirds
/// of its methods (`get`, `add`, `save`, `find_*`, ...). A payment-gateway or plugin ABC is not.
fn is_port(class: &Class) -> bool {
    let abstract_base = class
        .bases
        .iter()
        .any(|b| matches!(base_last(b), "ABC" | "Protocol"))
        || class.bases.iter().any(|b| b.contains("ABCMeta"));
    let abstract_methods = class.methods.iter().filter(|m| m.is_abstract).count();
    let is_abstract = abstract_base || abstract_methods >= 1;
    let methods: Vec<&str> = class
        .methods
        .iter()
        .map(|m| m.name.as_str())
        .filter(|n| !n.starts_with("__"))
        .collect();
    let named = ["Repository", "Repo", "Port"]
        .iter()
        .any(|s| class.name.ends_with(s));
    let verbs = methods.iter().filter(|m| is_repository_verb(m)).count();
    is_abstract && !methods.is_empty() && (named || verbs * 3 >= methods.len() * 2)
}

/// Runs the detectors of [`registry::RULES`] on one file (those with a rule enabled).
pub fn check_file(project: &Project, roles: &Roles, index: usize, text: &FileText) -> Vec<Finding> {
    let file = &project.files[index];
    let cx = Cx {
        project,
        index,
        file,
        text,
        roles,
    };
    let mut out = Vec::new();
    if file.is_test || file.is_migration {
        // Test doubles and migrations imitate everything: neither smells nor recognitions there.
        return out;
    }
    for (detector, rules) in registry::detectors() {
        // A detector whose rules are all switched off by the config does not run.
        if rules.iter().any(|r| project.config.enabled(r)) {
            (detector.run)(&cx, &mut out);
        }
    }
    // Team-defined patterns: the catalog's `query` blocks matched at load time.
    for (id, span) in &file.team_hits {
        let start = span.start;
        out.push(cx.finding(
            id,
            header_span(text.get(), start),
            format!("matches the detection query of the team pattern `{id}`"),
            vec![format!(
                    "query capture `@pattern` at `{}`",
                    text.get()
                        .get(span.clone())
                        .unwrap_or("")
                        .lines()
                        .next()
                        .unwrap_or("")
                        .trim()
                )],
        ));
    }
    out.retain(|f| project.config.enabled(&f.rule));
    for f in &mut out {
        f.severity = project.config.severity_for(&f.rule, f.severity);
    }
    out.sort_by(|a, b| (a.span.start, &a.rule).cmp(&(b.span.start, &b.rule)));
    out.dedup_by(|a, b| a.span.start == b.span.start && a.rule == b.rule);
    out
}
