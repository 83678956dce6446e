//! The one list of rules. Each rule (a pattern the engine recognises or a smell it reports) is
//! defined once in [`RULES`]: its id (the public interface: config `select`/`ignore`/`severity`,
//! suppression comments, SARIF, `--format json`), its kind, default severity, the patterns that
//! fix it (smells), a one-line summary and the detectors that produce it. Everything that lists
//! rules derives from here: [`super::check_file`] (a detector runs only when one of its rules is
//! enabled), config validation, SARIF's rule list, completion of rule ids, the rule list of
//! `docs/detection-rules.md` (`tests/rules_doc.rs`) and the data-driven cases of
//! `server/tests/cases/<rule-id>/` (`tests/cases.rs`, which fails for a rule without cases).

use super::{Cx, Finding, Kind};
use crate::catalog::Severity;

/// A detector: one file of `detect/`, one `run` function, producing one or more rules.
pub struct Detector {
    /// Its file in `server/src/detect/`, without `.rs`.
    pub name: &'static str,
    pub run: fn(&Cx, &mut Vec<Finding>),
}

/// One rule of the engine.
pub struct Rule {
    pub id: &'static str,
    /// [`Kind::Pattern`] or [`Kind::Smell`].
    pub kind: Kind,
    pub severity: Severity,
    /// The patterns that fix a smell (the first is its `pattern`); empty for a pattern.
    pub fixed_by: &'static [&'static str],
    /// One line: what the rule reports.
    pub summary: &'static str,
    /// The detectors that produce it (usually one).
    pub detectors: &'static [&'static Detector],
}

macro_rules! detectors {
    ($($konst:ident = $module:ident;)*) => {
        $(const $konst: Detector = Detector { name: stringify!($module), run: super::$module::run };)*
    };
}

detectors! {
    DJANGO_ORM_REPOSITORY = django_orm_repository;
    JSON_FIELD_REPOSITORY = json_field_repository;
    CACHED_REPOSITORY = cached_repository;
    CACHE_NOT_INVALIDATED = cache_not_invalidated;
    REPOSITORY_SPECIFICATION = repository_specification;
    QUERY_METHOD_SPRAWL = query_method_sprawl;
    CONTEXT_TABLE_NAMESPACE = context_table_namespace;
    CONTEXT_DATABASE_SCHEMA = context_database_schema;
    CONTEXT_DATABASE = context_database;
    CROSS_DATABASE_RELATION = cross_database_relation;
    BOUNDED_CONTEXT = bounded_context;
    RANDOM_IDENTIFIER = random_identifier;
    DOMAIN_SPECIFIC_IDENTIFIER = domain_specific_identifier;
    ANTICORRUPTION_LAYER = anticorruption_layer;
    OPEN_HOST_SERVICE = open_host_service;
    SHARED_KERNEL = shared_kernel;
    REDIS = redis;
    TIME_SERIES = time_series;
    INSTALLED_APPS = installed_apps;
    UNIT_OF_WORK = unit_of_work;
    SERVICE_LAYER = service_layer;
    TRANSACTIONAL_OUTBOX = transactional_outbox;
    CQRS = cqrs;
    EVENT_SOURCING = event_sourcing;
    VALUE_OBJECT = value_object;
    AGGREGATE = aggregate;
    DOMAIN_EVENT = domain_event;
    CROSS_CONTEXT_IMPORT = cross_context_import;
    ORM_IN_DOMAIN = orm_in_domain;
}

const fn pattern(
    id: &'static str,
    summary: &'static str,
    detectors: &'static [&'static Detector],
) -> Rule {
    Rule {
        id,
        kind: Kind::Pattern,
        severity: Severity::Info,
        fixed_by: &[],
        summary,
        detectors,
    }
}

const fn smell(
    id: &'static str,
    severity: Severity,
    fixed_by: &'static [&'static str],
    summary: &'static str,
    detectors: &'static [&'static Detector],
) -> Rule {
    Rule {
        id,
        kind: Kind::Smell,
        severity,
        fixed_by,
        summary,
        detectors,
    }
}

/// Every rule, in the order the detectors run (a detector runs at its first rule). One line each.
#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    pattern("django-orm-repository", "a repository mapping Django models to domain objects, and the port it implements", &[&DJANGO_ORM_REPOSITORY]),
    pattern("json-field-repository", "a model with one JSONField and the repository that (de)serialises domain objects into it", &[&JSON_FIELD_REPOSITORY]),
    pattern("cached-repository", "a repository reading through Django's cache, or a read-through composition", &[&CACHED_REPOSITORY]),
    smell("cache-not-invalidated", Severity::Warning, &["cached-repository"], "a cached repository write leaves the cache stale", &[&CACHE_NOT_INVALIDATED]),
    pattern("repository-specification", "a specification object a repository turns into a query (`is_satisfied_by`, `to_q`)", &[&REPOSITORY_SPECIFICATION]),
    smell("query-method-sprawl", Severity::Warning, &["repository-specification"], "a repository with a get_by_*/find_by_* method per query", &[&QUERY_METHOD_SPRAWL]),
    pattern("context-table-namespace", "a context's tables share a `db_table` prefix", &[&CONTEXT_TABLE_NAMESPACE]),
    pattern("context-database-schema", "a context's tables live in their own PostgreSQL schema", &[&CONTEXT_DATABASE_SCHEMA]),
    smell("schema-on-sqlite", Severity::Warning, &["context-database"], "per-context schemas configured on SQLite, which has no schemas", &[&CONTEXT_DATABASE_SCHEMA]),
    pattern("context-database", "a database router sending a context's apps to their own database", &[&CONTEXT_DATABASE]),
    smell("cross-database-relation", Severity::Warning, &["context-database"], "a ForeignKey, OneToOneField or ManyToManyField whose two models the routers send to different databases", &[&CROSS_DATABASE_RELATION]),
    pattern("single-app-bounded-context", "a bounded context made of one Django app", &[&BOUNDED_CONTEXT]),
    pattern("multi-app-bounded-context", "a bounded context made of several Django apps", &[&BOUNDED_CONTEXT]),
    pattern("random-identifier", "a primary key defaulting to a time-ordered random id (uuid7, ULID, nanoid)", &[&RANDOM_IDENTIFIER]),
    smell("uuid4-primary-key", Severity::Hint, &["random-identifier"], "a model primary key defaults to uuid4; uuid7 keeps index locality", &[&RANDOM_IDENTIFIER]),
    pattern("domain-specific-identifier", "a natural key of the domain (ISBN, VIN, SKU, IBAN, ...) as primary or unique key", &[&DOMAIN_SPECIFIC_IDENTIFIER]),
    pattern("anticorruption-layer", "a translator building this context's objects from another context's or a third party's data", &[&ANTICORRUPTION_LAYER]),
    pattern("open-host-service", "a published function or class another context imports, handing out no models", &[&OPEN_HOST_SERVICE]),
    pattern("shared-kernel", "a class of a package outside every app, imported by two or more contexts", &[&SHARED_KERNEL]),
    pattern("redis", "a cache, broker or client served by Redis", &[&REDIS]),
    pattern("dragonfly", "a cache, broker or client served by Dragonfly", &[&REDIS]),
    pattern("time-series-oltp-repository", "a repository writing to QuestDB", &[&TIME_SERIES]),
    pattern("time-series-olap-repository", "a repository querying TimescaleDB or CrateDB", &[&TIME_SERIES]),
    pattern("generic-subdomain", "a reusable app solving a generic subdomain (auth, e-mail, tagging, ...)", &[&INSTALLED_APPS]),
    pattern("multi-tenancy", "a multi-tenant project (django-tenants and kin, a TenantMixin model)", &[&INSTALLED_APPS]),
    pattern("unit-of-work", "a context manager with commit and rollback", &[&UNIT_OF_WORK]),
    pattern("service-layer", "application services calling repositories and units of work", &[&SERVICE_LAYER]),
    pattern("transactional-outbox", "an outbox app, or an outbox model with a payload and a published flag", &[&INSTALLED_APPS, &TRANSACTIONAL_OUTBOX]),
    pattern("cqrs", "django-cqrs: its app, or a master or replica model", &[&INSTALLED_APPS, &CQRS]),
    pattern("event-sourcing", "an aggregate or application of the eventsourcing library", &[&EVENT_SOURCING]),
    pattern("value-object", "a frozen domain class held by another domain class", &[&VALUE_OBJECT]),
    pattern("aggregate", "a domain class with behaviour that a repository loads and stores whole", &[&AGGREGATE]),
    pattern("domain-event", "a domain class published, dispatched or recorded as an event", &[&DOMAIN_EVENT]),
    smell("cross-context-import", Severity::Warning, &["anticorruption-layer", "open-host-service"], "one bounded context imports another's ORM models", &[&CROSS_CONTEXT_IMPORT]),
    smell("orm-in-domain", Severity::Warning, &["django-orm-repository"], "a domain module imports django.db", &[&ORM_IN_DOMAIN]),
];

/// The rule of this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Every rule id.
pub fn ids() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|r| r.id)
}

/// The ids a config may name: the engine's rules and the catalog's patterns (team patterns
/// included, whose `query` blocks produce findings of their own id).
pub fn known_ids(catalog: &crate::catalog::Catalog) -> Vec<&str> {
    let mut known: Vec<&str> = catalog.patterns().iter().map(|p| p.id.as_str()).collect();
    for id in ids() {
        if !known.contains(&id) {
            known.push(id);
        }
    }
    known
}

/// The smells, in registry order.
pub fn smells() -> impl Iterator<Item = &'static Rule> {
    RULES.iter().filter(|r| r.kind == Kind::Smell)
}

/// Each detector once, in the order it runs, with the rules it produces.
pub fn detectors() -> &'static [(&'static Detector, Vec<&'static str>)] {
    static DETECTORS: std::sync::OnceLock<Vec<(&'static Detector, Vec<&'static str>)>> =
        std::sync::OnceLock::new();
    DETECTORS.get_or_init(|| {
        let mut out: Vec<(&'static Detector, Vec<&'static str>)> = Vec::new();
        for r in RULES {
            for d in r.detectors {
                match out.iter_mut().find(|(e, _)| e.name == d.name) {
                    Some((_, rules)) => rules.push(r.id),
                    None => out.push((d, vec![r.id])),
                }
            }
        }
        out
    })
}
