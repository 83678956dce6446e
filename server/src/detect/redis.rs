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
    // Settings pointing at a Redis server: Celery's broker and result backend, REDIS_URL, ...
    for assign in &cx.file.facts.assigns {
        let upper = assign
            .name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit());
        if !upper || assign.name == "CACHES" {
            continue;
        }
        let url = match &assign.value {
            Value::Str(s, _) => s.starts_with("redis://") || s.starts_with("rediss://"),
            _ => false,
        };
        let queues = assign.name == "RQ_QUEUES";
        if url || queues {
            let what = if queues {
                "django-rq queues, which run on Redis".to_string()
            } else {
                "a `redis://` URL".to_string()
            };
            out.push(cx.finding(
                "redis",
                cx.line_span(&assign.span),
                format!("`{}` is {what}", assign.name),
                vec![format!("setting `{}`", assign.name)],
            ));
        }
    }
    for call in cx.file.facts.all_calls() {
        // `Redis(...)` imported from the redis client library counts like `redis.Redis(...)`.
        // The callee's name first: looking up its import scans the file's imports.
        let imported = matches!(call.method(), "Redis" | "StrictRedis" | "from_url")
            && cx
                .project
                .import_source(cx.index, &call.func)
                .is_some_and(|m| {
                    m == "redis" || m.starts_with("redis.") || m.starts_with("aioredis")
                });
        if !CLIENTS.contains(&call.func.as_str()) && !imported {
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
