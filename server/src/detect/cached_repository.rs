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

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
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
