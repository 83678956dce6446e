//! The protocol-free features: plain data with byte ranges over an owned snapshot. Only `lsp/`
//! knows the protocol and converts positions (once each way).

pub mod actions;
pub mod completion;
pub mod diagnostics;
pub mod files;
pub mod fix_all;
pub mod hints;
pub mod hover;
pub mod lenses;
pub mod snapshot;
pub mod symbols;

/// The title of the pattern a finding recognises (its id when the catalog lacks it).
fn pattern_title(catalog: &crate::catalog::Catalog, f: &crate::detect::Finding) -> String {
    catalog
        .get(&f.pattern)
        .map_or(f.pattern.clone(), |p| p.title.clone())
}

/// A finding for the features' tests: `kind` of `pattern` (also its rule) over `span`.
#[cfg(test)]
fn test_finding(
    kind: crate::detect::Kind,
    pattern: &str,
    span: crate::vocab::Span,
) -> crate::detect::Finding {
    crate::detect::Finding {
        kind,
        rule: pattern.into(),
        pattern: pattern.into(),
        severity: crate::catalog::Severity::Info,
        span,
        message: "seen".into(),
        evidence: Vec::new(),
        related: Vec::new(),
    }
}
