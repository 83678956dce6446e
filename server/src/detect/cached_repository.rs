//! ## cached-repository
//!
//! **What it recognises.** A repository whose reads go through Django's cache framework
//! (`cache.get`, `cache.get_or_set`, `caches["x"].get`).
//!
//! **Why it matters.** Reads of rarely changing data get fast; every write must then invalidate,
//! or readers see stale data (the smell `cache-not-invalidated`).
//!
//! **Example.**
//! ```python
//! def get(self, sku):
//!     return cache.get_or_set(f"product:{sku}", lambda: self._load(sku))
//! ```
//! `functools.lru_cache` on a settings getter, `cache` and `cached_property` are not the Django
//! cache and are not this pattern.

use super::{Cx, Finding};
use crate::python::facts::{Call, Class};

pub(super) fn is_cache_call(call: &Call, names: &[&str]) -> bool {
    let func = call.func.as_str();
    let Some((owner, method)) = func.rsplit_once('.') else {
        return false;
    };
    let owner_ok = owner == "cache"
        || owner.ends_with(".cache")
        || owner.starts_with("caches")
        || owner == "self.cache"
        || owner == "self._cache";
    owner_ok && names.contains(&method)
}

pub(super) const READS: &[&str] = &["get", "get_or_set", "get_many"];

/// The first cache read of a class, if it reads through the Django cache.
pub(crate) fn cache_read(class: &Class) -> Option<&Call> {
    class
        .methods
        .iter()
        .flat_map(|m| m.calls.iter())
        .find(|c| is_cache_call(c, READS))
}

/// A read-through composition: a method reads `self.<cache>.get...`, falls back to another
/// store (`self.<db>.get...`) and fills the cache (`self.<cache>.save...`). Returns the read,
/// the cache attribute and the store attribute.
pub(crate) fn read_through(class: &Class) -> Option<(&Call, String, String)> {
    let attr = |c: &Call| -> Option<(String, String)> {
        let rest = c.func.strip_prefix("self.")?;
        let (a, m) = rest.split_once('.')?;
        (!m.contains('.')).then(|| (a.to_string(), m.to_string()))
    };
    let reads = |m: &str| {
        ["get", "fetch", "find", "load"]
            .iter()
            .any(|p| m.starts_with(p))
    };
    let fills = |m: &str| {
        ["save", "set", "put", "store", "add"]
            .iter()
            .any(|p| m.starts_with(p))
    };
    for m in &class.methods {
        let calls: Vec<(&Call, String, String)> = m
            .calls
            .iter()
            .filter_map(|c| attr(c).map(|(a, n)| (c, a, n)))
            .collect();
        for (i, (read, cache, name)) in calls.iter().enumerate() {
            if !cache.contains("cache") || !reads(name) {
                continue;
            }
            let rest = &calls[i + 1..];
            let fallback = rest
                .iter()
                .position(|(_, a, n)| !a.contains("cache") && reads(n));
            if let Some(j) = fallback
                && rest[j + 1..].iter().any(|(_, a, n)| a == cache && fills(n))
            {
                return Some((read, cache.clone(), rest[j].1.clone()));
            }
        }
    }
    None
}

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    for class in &cx.file.facts.classes {
        if cache_read(class).is_some() || super::is_excluded_class(class) {
            continue;
        }
        if let Some((read, cache, store)) = read_through(class) {
            out.push(cx.finding(
                "cached-repository",
                cx.class_span(class),
                format!(
                    "`{}` is a cached repository: it reads `self.{cache}` first, falls back to `self.{store}` and fills the cache (`{}`)",
                    class.name, read.func
                ),
                vec![format!("read-through `{}`", read.func), format!("backing store `self.{store}`")],
            ));
        }
    }
    run_django_cache(cx, out);
}

fn run_django_cache(cx: &Cx, out: &mut Vec<Finding>) {
    for (ci, class) in cx.file.facts.classes.iter().enumerate() {
        if !cx.roles.repositories.contains(&(cx.index, ci)) {
            continue;
        }
        if let Some(read) = cache_read(class) {
            out.push(cx.finding(
                "cached-repository",
                cx.class_span(class),
                format!(
                    "`{}` is a cached repository: it reads through the Django cache (`{}`)",
                    class.name, read.func
                ),
                vec![format!("cache read `{}`", read.func)],
            ));
        }
    }
}
