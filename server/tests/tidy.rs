//! Tidy: the layering and size rules of ARCHITECTURE.md, checked on the source text (as
//! rust-analyzer's `tidy` test does). Each allow-list says why an entry is there and may only
//! shrink: remove an entry when its module stops needing it.

use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file below `server/src`, as (path relative to `src/` with `/`, text).
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.path());
        for e in entries {
            let p = e.path();
            if p.is_dir() {
                walk(&p, root, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&src(), &src(), &mut out);
    out
}

/// Modules (a file, or a folder ending in `/`) allowed to touch the file system, each with why.
/// Another helper is building the file view (`ide/`); as its users move there, drop them here.
const FS_ALLOWED: &[(&str, &str)] = &[
    (
        "analysis.rs",
        "the walk and read of Python files (the file view until ide/ exists)",
    ),
    ("catalog/", "catalog loading: folders of pattern pages"),
    (
        "cache.rs",
        "the facts cache: reads and atomically writes `.pattern-language-cache/`",
    ),
    ("config.rs", "config loading"),
    (
        "python/source.rs",
        "a file's text read again after `check` let it go (`SourceFile::contents`)",
    ),
    (
        "check.rs",
        "check: reads Markdown files, writes `--fix` edits",
    ),
    ("map_command.rs", "map: writes the rendered map"),
    (
        "map/mod.rs",
        "reads a Markdown file to keep its marker block (map)",
    ),
    (
        "lsp/",
        "editor: files not open in the editor, writes of the map and of pages",
    ),
    (
        "refactor/",
        "refactors read files they would edit that are not open",
    ),
    ("ide/", "the file view being built by another helper"),
];

/// Files over the size limit, with their size when this list was written: a ceiling that may only
/// go down. Empty: no source file is over the limit.
const LONG_FILES: &[(&str, usize)] = &[];

const MAX_LINES: usize = 800;

fn allowed(rel: &str, list: &[(&str, &str)]) -> bool {
    list.iter().any(|(m, _)| {
        if m.ends_with('/') {
            rel.starts_with(m)
        } else {
            rel == *m
        }
    })
}

#[test]
fn protocol_types_only_under_lsp() {
    let bad: Vec<String> = sources()
        .into_iter()
        .filter(|(rel, _)| !rel.starts_with("lsp/"))
        .filter(|(_, text)| text.contains("tower_lsp_server") || text.contains("lsp_types"))
        .map(|(rel, _)| rel)
        .collect();
    assert!(
        bad.is_empty(),
        "protocol types outside server/src/lsp/: {bad:?}"
    );
}

/// Protocol type names (`ls_types`) that no protocol-free module may name, even under another
/// path or as a look-alike of its own: `ide/` returns plain data with byte ranges, and only
/// `lsp/` converts.
const PROTOCOL_NAMES: &[&str] = &[
    "Uri",
    "Url",
    "Position",
    "Diagnostic",
    "DiagnosticSeverity",
    "Hover",
    "HoverContents",
    "MarkupContent",
    "CompletionItem",
    "CompletionItemKind",
    "CompletionResponse",
    "InsertTextFormat",
    "DocumentSymbol",
    "SymbolInformation",
    "SymbolKind",
    "InlayHint",
    "CodeLens",
    "CodeAction",
    "Command",
    "TextEdit",
    "WorkspaceEdit",
    "Location",
];

/// Modules that must not name the protocol, and must not reach into `lsp/`.
const PROTOCOL_FREE: &[&str] = &["ide/", "vocab/"];

#[test]
fn protocol_free_modules_name_no_protocol_type() {
    let mut bad = Vec::new();
    for (rel, text) in sources() {
        if !PROTOCOL_FREE.iter().any(|m| rel.starts_with(m)) {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if ["crate::lsp", "super::lsp", "lsp::"]
                .iter()
                .any(|p| code.contains(p))
            {
                bad.push(format!("{rel}:{}: reaches into lsp/", n + 1));
            }
            // Whole identifiers only: `Diag` or `HoverText` are the module's own plain types.
            for word in code.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                if PROTOCOL_NAMES.contains(&word) {
                    bad.push(format!("{rel}:{}: names `{word}`", n + 1));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "protocol types named outside server/src/lsp/: {bad:?}"
    );
}

#[test]
fn file_system_only_where_allowed() {
    let bad: Vec<String> = sources()
        .into_iter()
        .filter(|(rel, _)| !allowed(rel, FS_ALLOWED))
        .filter(|(_, text)| text.contains("std::fs") || text.contains("fs::"))
        .map(|(rel, _)| rel)
        .collect();
    assert!(
        bad.is_empty(),
        "std::fs outside its allow-list (file view, config, catalog loading, check/map writes): {bad:?}"
    );
}

#[test]
fn no_source_file_over_the_limit() {
    let files = sources();
    let mut bad = Vec::new();
    for (rel, text) in &files {
        let lines = text.lines().count();
        let ceiling = LONG_FILES
            .iter()
            .find(|(f, _)| f == rel)
            .map_or(MAX_LINES, |(_, n)| *n);
        if lines > ceiling {
            bad.push(format!("{rel}: {lines} lines (at most {ceiling})"));
        }
    }
    assert!(bad.is_empty(), "files over their line limit: {bad:?}");
    // Entries for files that are gone or now short enough must be removed.
    let stale: Vec<&str> = LONG_FILES
        .iter()
        .filter(|(f, _)| {
            files
                .iter()
                .find(|(rel, _)| rel == f)
                .is_none_or(|(_, text)| text.lines().count() <= MAX_LINES)
        })
        .map(|(f, _)| *f)
        .collect();
    assert!(stale.is_empty(), "remove from LONG_FILES: {stale:?}");
}

/// `(module, must not import)`: the leaf vocabulary imports nothing of the crate; the catalog
/// and the Python layer do not import each other.
const LAYERS: &[(&str, &[&str])] = &[
    ("vocab/", &["crate::"]),
    (
        "catalog/",
        &[
            "crate::python",
            "crate::detect",
            "crate::analysis",
            "crate::lsp",
        ],
    ),
    (
        "python/",
        &[
            "crate::catalog",
            "crate::detect",
            "crate::analysis",
            "crate::lsp",
        ],
    ),
];

#[test]
fn layers_import_only_below_them() {
    let mut bad = Vec::new();
    for (rel, text) in sources() {
        for (module, banned) in LAYERS {
            if !rel.starts_with(module) {
                continue;
            }
            for (n, line) in text.lines().enumerate() {
                if let Some(b) = banned.iter().find(|b| line.contains(**b)) {
                    bad.push(format!("{rel}:{}: imports `{b}`", n + 1));
                }
            }
        }
    }
    assert!(bad.is_empty(), "layering broken: {bad:?}");
}
