//! Cache a repository: single-expression read methods go through the Django cache, and every
//! write invalidates it. Keys carry a per-repository version that each write bumps, so a write
//! never needs to know which keys its data appears under: invalidation is coarse, and always right.

use super::{Edit, Fix};
use crate::detect::header_span;
use crate::python::facts::Function;
use crate::python::project::SourceFile;

/// The `return <expr>` line of a method whose body is that one statement (a docstring aside):
/// (byte span of the line's content, the expression).
pub(super) fn single_return<'a>(
    text: &'a str,
    m: &Function,
) -> Option<(std::ops::Range<usize>, &'a str)> {
    let header = header_span(text, m.span.start);
    if !text[header.clone()].trim_end().ends_with(':') {
        return None;
    }
    let body_start = text[header.end..].find('\n')? + header.end + 1;
    let body = text.get(body_start..m.span.end)?;
    let mut statement = None;
    let mut offset = body_start;
    for (i, line) in body.split_inclusive('\n').enumerate() {
        let t = line.trim();
        let is_doc = i == 0
            && (t.starts_with("\"\"\"") || t.starts_with("'''"))
            && t.len() >= 6
            && (t.ends_with("\"\"\"") || t.ends_with("'''"));
        if !t.is_empty() && !t.starts_with('#') && !is_doc {
            if statement.is_some() {
                return None;
            }
            let lead = line.len() - line.trim_start().len();
            statement = Some((offset + lead..offset + lead + line.trim().len(), t));
        }
        offset += line.len();
    }
    let (span, t) = statement?;
    let expr = t.strip_prefix("return ")?;
    let balanced = expr.matches(['(', '[', '{']).count() == expr.matches([')', ']', '}']).count();
    (balanced && !expr.contains("yield")).then_some((span, expr))
}

/// The refactor for repository class `ci` (as a multi-edit fix over its file).
pub fn cache(file: &SourceFile, ci: usize) -> Result<Fix, String> {
    let text = &*file.text;
    let class = &file.facts.classes[ci];
    let mut edits = Vec::new();
    let mut reads = 0;
    let mut writes = 0;
    let name = &class.name;
    for m in &class.methods {
        if m.name.starts_with('_') || m.is_abstract {
            continue;
        }
        if crate::detect::is_write(m) {
            // Bump the version after the write: before a final `return`, else at the end.
            let indent = "        ";
            match single_return(text, m) {
                Some((span, _)) => edits.push(Edit {
                    span: span.start..span.start,
                    text: format!("self._invalidate()\n{indent}"),
                }),
                None => {
                    let end = m.span.end;
                    let last_line = &text[text[..end].rfind('\n').map_or(0, |i| i + 1)..end];
                    if last_line.trim_start().starts_with("return") {
                        return Err(format!(
                            "`{}` returns in the middle of a longer body",
                            m.name
                        ));
                    }
                    edits.push(Edit {
                        span: end..end,
                        text: format!("\n{indent}self._invalidate()"),
                    });
                }
            }
            writes += 1;
        } else if let Some((span, expr)) = single_return(text, m) {
            let params: Vec<&str> = m
                .params
                .iter()
                .map(|p| p.name.as_str())
                .filter(|p| *p != "self" && *p != "cls")
                .collect();
            if m.params.iter().any(|p| p.name.starts_with('*')) {
                continue;
            }
            let key_parts = std::iter::once(format!("\"{}\"", m.name))
                .chain(params.iter().map(|p| p.to_string()))
                .collect::<Vec<_>>()
                .join(", ");
            edits.push(Edit {
                span,
                text: format!("return cache.get_or_set(self._cache_key({key_parts}), lambda: {expr}, self.cache_timeout)"),
            });
            reads += 1;
        }
    }
    if reads == 0 {
        return Err("no read method is a single `return` expression to cache".into());
    }
    // Helpers at the end of the class.
    let end = class.span.end;
    edits.push(Edit {
        span: end..end,
        text: format!(
            "\n\n    cache_timeout = 300\n\n    def _cache_key(self, *parts) -> str:\n        version = cache.get_or_set(\"{name}:version\", 1, None)\n        return \":\".join([\"{name}\", str(version), *map(str, parts)])\n\n    def _invalidate(self) -> None:\n        try:\n            cache.incr(\"{name}:version\")\n        except ValueError:\n            cache.set(\"{name}:version\", 2, None)"
        ),
    });
    edits.extend(super::ensure_import(
        file,
        "from django.core.cache import cache",
    ));
    Ok(Fix {
        title: format!(
            "Cache `{name}`: {reads} read(s) through the Django cache, {writes} write(s) invalidate"
        ),
        rule: "cached-repository".into(),
        at: class.header.clone(),
        edits,
        safe: false,
    })
}

/// The registry entry (see `registry.rs`).
pub struct CacheRepository;

impl super::registry::RefactorKind for CacheRepository {
    fn id(&self) -> &'static str {
        "cache-repository"
    }
    fn summary(&self) -> &'static str {
        "Cache a repository (reads through the cache, writes invalidate)"
    }
    fn serves(&self) -> &'static [&'static str] {
        &["cached-repository"]
    }
    fn kind(&self) -> super::registry::ActionKind {
        super::registry::ActionKind::Rewrite
    }
    /// A repository that does not cache yet.
    fn target(&self, scope: &super::registry::Scope, target: super::registry::Target) -> bool {
        let Some(ci) = super::registry::class_of(target) else {
            return false;
        };
        let file = scope.source();
        !file.is_domain
            && scope.roles.repositories.contains(&(scope.file, ci))
            && !file.facts.classes[ci]
                .methods
                .iter()
                .flat_map(|m| m.calls.iter())
                .any(|c| c.func.starts_with("cache") || c.func.starts_with("caches"))
    }
    fn edit(
        &self,
        scope: &super::registry::Scope,
        target: super::registry::Target,
    ) -> Result<super::registry::Outcome, super::registry::NotOffered> {
        let ci = super::registry::class_of(target).ok_or("not a class")?;
        Ok(super::registry::Outcome::Fix(cache(scope.source(), ci)?))
    }
}
