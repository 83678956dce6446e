//! ## cache-not-invalidated (smell)
//!
//! **What it flags.** In a cached repository, a write method (`add`, `save`, `update`, `delete`,
//! ... or one that calls `.save()`, `.delete()`, `.update()`, `.create()`) that never touches the
//! cache, neither directly (`cache.delete`, `cache.set`, ...) nor through a `self.` helper that does.
//!
//! **Why it matters.** Readers keep getting the old value until the entry expires.
//!
//! **Use instead.** Invalidate (or refresh) the entry in every write: the `cached-repository`
//! pattern.

use super::cached_repository::{cache_read, is_cache_call};
use super::{Cx, Finding, Related};
use crate::python::facts::{Call, Function};

const WRITE_PREFIXES: &[&str] = &[
    "add", "save", "update", "delete", "remove", "create", "put", "store", "upsert", "bulk",
];
const WRITE_CALLS: &[&str] = &[
    "save",
    "delete",
    "update",
    "create",
    "bulk_create",
    "bulk_update",
    "update_or_create",
    "get_or_create",
];
const INVALIDATE: &[&str] = &[
    "delete",
    "delete_many",
    "set",
    "set_many",
    "clear",
    "touch",
    "incr",
    "decr",
];

/// A write method: by its name, or by the ORM writes it calls.
pub(crate) fn is_write(m: &Function) -> bool {
    let name = m.name.trim_start_matches('_');
    if name.starts_with("__") || m.is_abstract {
        return false;
    }
    WRITE_PREFIXES
        .iter()
        .any(|p| name == *p || name.starts_with(&format!("{p}_")))
        || m.calls.iter().any(|c| {
            c.func.contains('.')
                && !c.func.starts_with("cache")
                && WRITE_CALLS.contains(&c.method())
        })
}

/// The finding at a write method `m` that leaves the cache `read` reads from stale.
fn stale_write(
    cx: &Cx,
    m: &Function,
    read: &Call,
    message: String,
    evidence: Vec<String>,
) -> Finding {
    let mut f = cx.finding("cache-not-invalidated", cx.def_span(m), message, evidence);
    f.related.push(Related {
        path: cx.file.path.clone(),
        span: read.span.clone(),
        message: "the cached read".into(),
    });
    f
}

/// Writes of a read-through repository that go to the store and leave the cache as it was.
fn read_through_writes(cx: &Cx, out: &mut Vec<Finding>) {
    for class in &cx.file.facts.classes {
        if cache_read(class).is_some() || super::is_excluded_class(class) {
            continue;
        }
        let Some((read, cache, store)) = super::cached_repository::read_through(class) else {
            continue;
        };
        let (cache_prefix, store_prefix) = (format!("self.{cache}."), format!("self.{store}."));
        for m in &class.methods {
            let writes_store = m.calls.iter().any(|c| c.func.starts_with(&store_prefix));
            let touches_cache = m.calls.iter().any(|c| c.func.starts_with(&cache_prefix));
            if !is_write(m) || !writes_store || touches_cache {
                continue;
            }
            out.push(stale_write(
                cx,
                m,
                read,
                format!("`{}.{}` writes through `self.{store}` but never updates `self.{cache}`, which `{}` reads first: readers get stale data", class.name, m.name, read.func),
                vec![format!("cached read `{}`", read.func), format!("write method `{}` leaves `self.{cache}` as it was", m.name)],
            ));
        }
    }
}

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    read_through_writes(cx, out);
    for (ci, class) in cx.file.facts.classes.iter().enumerate() {
        if !cx.roles.repositories.contains(&(cx.index, ci)) {
            continue;
        }
        let Some(read) = cache_read(class) else {
            continue;
        };
        let invalidates_directly =
            |m: &Function| m.calls.iter().any(|c| is_cache_call(c, INVALIDATE));
        let helpers: Vec<&str> = class
            .methods
            .iter()
            .filter(|m| invalidates_directly(m))
            .map(|m| m.name.as_str())
            .collect();
        for m in &class.methods {
            if !is_write(m) || invalidates_directly(m) {
                continue;
            }
            let via_helper = m.calls.iter().any(|c| {
                c.func
                    .strip_prefix("self.")
                    .is_some_and(|h| helpers.contains(&h))
            });
            if via_helper {
                continue;
            }
            out.push(stale_write(
                cx,
                m,
                read,
                format!("`{}.{}` writes but never invalidates the cache that `{}` reads: readers get stale data", class.name, m.name, read.func),
                vec![format!("cache read `{}`", read.func), format!("write method `{}` has no cache delete/set", m.name)],
            ));
        }
    }
}
