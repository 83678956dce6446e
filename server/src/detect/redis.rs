//! ## redis and dragonfly
//!
//! **What it recognises.** An in-memory database behind Django's cache or a client: a `CACHES`
//! alias whose `BACKEND` is Django's `RedisCache` or django-redis, and `redis.Redis(...)`,
//! `redis.from_url(...)` clients. Dragonfly speaks the Redis protocol, so it is recognised only
//! where the `LOCATION` or URL names a dragonfly host.
//!
//! **Why it matters.** Caches, sessions and queues move out of the database; a cached repository
//! usually stands on one.
//!
//! **Example.**
//! ```python
//! CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
//!                       "LOCATION": "redis://cache:6379/1"}}
//! ```

use super::{Cx, Finding};
use crate::python::facts::Value;

const BACKENDS: &[&str] = &[
    "django.core.cache.backends.redis.RedisCache",
    "django_redis.cache.RedisCache",
];
const CLIENTS: &[&str] = &[
    "redis.Redis",
    "redis.StrictRedis",
    "redis.from_url",
    "Redis.from_url",
    "StrictRedis.from_url",
    "redis.Redis.from_url",
    "aioredis.from_url",
    "redis.asyncio.Redis",
    "redis.asyncio.from_url",
];

fn names_dragonfly(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Str(s, _)) => s.to_ascii_lowercase().contains("dragonfly"),
        Some(Value::List(items, _)) => items.iter().any(|i| names_dragonfly(Some(i))),
        Some(Value::Name(n, _)) => n.to_ascii_lowercase().contains("dragonfly"),
        Some(Value::Call(c)) => c
            .args
            .iter()
            .chain(c.kwargs.iter().map(|(_, v)| v))
            .any(|a| names_dragonfly(Some(a))),
        _ => false,
    }
}

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    for assign in cx.file.facts.assigns.iter().filter(|a| a.name == "CACHES") {
        let Value::Dict(entries, _) = &assign.value else {
            continue;
        };
        for (alias, cache) in entries {
            let Some(alias) = alias.as_str() else {
                continue;
            };
            let Some((key, backend)) = cache.get("BACKEND") else {
                continue;
            };
            let Some(backend) = backend.as_str() else {
                continue;
            };
            if !BACKENDS.contains(&backend) {
                continue;
            }
            let location = cache.get("LOCATION").map(|(_, v)| v);
            let (rule, what) = if names_dragonfly(location) {
                ("dragonfly", "Dragonfly")
            } else {
                ("redis", "Redis")
            };
            out.push(cx.finding(
                rule,
                cx.line_span(&key.span()),
                format!("cache `{alias}` is served by {what} through `{backend}`"),
                vec![format!("BACKEND {backend}")],
            ));
        }
    }
    for call in cx.file.facts.all_calls() {
        if !CLIENTS.contains(&call.func.as_str()) {
            continue;
        }
        let dragonfly = call
            .args
            .iter()
            .chain(call.kwargs.iter().map(|(_, v)| v))
            .any(|a| names_dragonfly(Some(a)));
        let (rule, what) = if dragonfly {
            ("dragonfly", "Dragonfly")
        } else {
            ("redis", "Redis")
        };
        out.push(cx.finding(
            rule,
            cx.line_span(&call.span),
            format!("`{}` opens a {what} client", call.func),
            vec![format!("client `{}`", call.func)],
        ));
    }
}
