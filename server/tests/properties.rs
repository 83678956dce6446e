//! Seeded property tests of the parsers and loaders on hostile input (issue 16): catalog pages
//! and one-document guides, config files and editor settings, and Python files through the
//! whole pipeline (facts, project, detectors, suppressions, team queries). Stable Rust: a nightly
//! toolchain is installed on the build machine but `cargo-fuzz` is not, so these are seeded
//! mutation loops rather than `cargo fuzz` targets.
//!
//! The property: nothing panics, and every problem points at a line of its file.
//! `PATTERN_LANGUAGE_FUZZ_CASES=n` runs longer, `PATTERN_LANGUAGE_FUZZ_SEED=n` replays.

use pattern_language::analysis::{self, Analysis};
use pattern_language::catalog::Catalog;
use pattern_language::compiled::CompiledCatalog;
use pattern_language::config::{self, Config};
use std::path::Path;
use std::sync::Arc;

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

fn cases() -> usize {
    std::env::var("PATTERN_LANGUAGE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120)
}

fn seed() -> u64 {
    std::env::var("PATTERN_LANGUAGE_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16)
}

const TOKENS: &[&str] = &[
    "+++",
    "\n",
    "\r\n",
    "\r",
    "## ",
    "### ",
    "```",
    "```query\n",
    "id = ",
    "\"",
    "'",
    "[",
    "]",
    "{",
    "}",
    "=",
    ",",
    "\u{feff}",
    "Ã©",
    "\u{2028}",
    "\0",
    "é😀",
    "(",
    ")",
    "@pattern",
    "#",
    "[[",
    "]]",
    "- ",
    "Context:",
    "Problem:",
    "Solution:",
    "\t",
    "    ",
    "\\",
    "\"\"\"",
];

/// A mutation of `base` as bytes, made valid UTF-8 lossily (the loaders read text).
fn mutate(rng: &mut Rng, base: &str) -> String {
    let mut bytes = base.as_bytes().to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(6) {
            0 => bytes.truncate(at),
            1 => {
                let end = (at + rng.below(80)).min(bytes.len());
                bytes.drain(at..end);
            }
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                bytes.splice(at..at, t.iter().copied());
            }
            3 => {
                // Repeat a piece (duplicate sections, ids, front matter).
                let end = (at + rng.below(200)).min(bytes.len());
                let piece = bytes[at..end].to_vec();
                for _ in 0..rng.below(4) {
                    bytes.splice(at..at, piece.iter().copied());
                }
            }
            4 => {
                if at < bytes.len() {
                    bytes[at] = rng.below(256) as u8;
                }
            }
            _ => {
                let n = rng.below(3000);
                let t = TOKENS[rng.below(TOKENS.len())].repeat(n);
                bytes.splice(at..at, t.bytes());
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn pages() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../patterns");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "md")
                && let Ok(t) = std::fs::read_to_string(&p)
            {
                out.push(t);
            }
        }
    }
    out
}

#[test]
fn mutated_catalog_pages_and_guides_load_with_problems_at_their_lines() {
    let pages = pages();
    let mut rng = Rng(seed());
    let path = Path::new("/fuzz/team/page.md");
    for case in 0..cases() {
        let base = if rng.below(4) == 0 {
            // A one-document guide: several pages glued, front matter stripped.
            (0..3)
                .map(|_| pages[rng.below(pages.len())].replace("+++", ""))
                .collect::<Vec<_>>()
                .join("\n# Heading\n")
        } else {
            pages[rng.below(pages.len())].clone()
        };
        let text = mutate(&mut rng, &base);
        let mut catalog = Catalog::embedded();
        catalog.add_text(path, &text);
        catalog.validate();
        // Compiled, so the problems of detection queries are held to the same lines.
        let catalog = CompiledCatalog::new(catalog);
        let lines = pattern_language::line_index::LineIndex::new(&text).line_count() as u32 + 1;
        for p in catalog.problems() {
            if p.source.path() == Some(path) {
                assert!(
                    p.line >= 1 && p.line <= lines,
                    "case {case}: problem at line {} of {lines}: {}",
                    p.line,
                    p.message
                );
            }
        }
        let _ = pattern_language::markdown::references(
            &text,
            &catalog,
            &pattern_language::markdown::Names::new(&catalog),
        );
    }
}

const CONFIG: &str = "catalog = [\"docs/patterns\"]\nexclude = [\"legacy/**\"]\nselect = [\"ALL\"]\nignore = [\"uuid4-primary-key\"]\nseverity = { orm-in-domain = \"error\" }\ncontexts = { billing = [\"invoicing\", \"payments\"], shipping = [\"shipping\"] }\ninlay-hints = true\ncode-lens = true\n";

#[test]
fn mutated_config_files_and_settings_apply_what_they_can() {
    let mut rng = Rng(seed());
    let path = Path::new("/fuzz/pattern-language.toml");
    for case in 0..cases() {
        let text = mutate(&mut rng, CONFIG);
        let (config, problems) = config::parse(&text, path);
        let lines = pattern_language::line_index::LineIndex::new(&text).line_count() as u32 + 1;
        for p in &problems {
            assert!(
                p.line <= lines,
                "case {case}: problem at line {} of {lines}: {}",
                p.line,
                p.message
            );
        }
        let _ = config.exclude_set();
        // The same keys as editor settings (JSON), mutated as values.
        let json = serde_json::json!({
            "select": [mutate(&mut rng, "ALL")],
            "severity": {mutate(&mut rng, "orm-in-domain"): mutate(&mut rng, "error")},
            "exclude": [mutate(&mut rng, "legacy/**")],
            "catalog": mutate(&mut rng, "docs"),
            "contexts": {"a": [mutate(&mut rng, "billing")]},
            "inlay-hints": rng.below(2) == 0,
        });
        let mut c = Config::default();
        let mut problems = Vec::new();
        c.merge_json(&json, &mut problems);
        let _ = c.exclude_set();
    }
}

fn fixture_python() -> Vec<(String, String)> {
    let shop = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/shop");
    let mut out = Vec::new();
    let mut stack = vec![shop.clone()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "py")
                && let (Ok(t), Ok(rel)) = (std::fs::read_to_string(&p), p.strip_prefix(&shop))
            {
                out.push((rel.to_string_lossy().into_owned(), t));
            }
        }
    }
    out
}

#[test]
fn mutated_python_projects_go_through_the_whole_pipeline() {
    let files = fixture_python();
    let mut rng = Rng(seed());
    let root = Path::new("/fuzz/shop");
    let mut catalog = Catalog::embedded();
    catalog.add_text(
        Path::new("/fuzz/team/gateway.md"),
        "+++\nid = \"team-gateway\"\ntitle = \"Gateway\"\ncategory = \"integration\"\n+++\n\n## Detection\n\n```query\n(class_definition name: (identifier) @name (#match? @name \"Repository$\")) @pattern\n```\n",
    );
    catalog.validate();
    let catalog = CompiledCatalog::new(catalog);
    for _ in 0..cases() / 20 {
        // The fixture project with a few of its files mutated.
        let sources: Vec<_> = files
            .iter()
            .map(|(rel, text)| {
                let text = if rng.below(6) == 0 {
                    mutate(&mut rng, text)
                } else {
                    text.clone()
                };
                Arc::new(analysis::from_text(
                    &root.join(rel),
                    root,
                    Arc::from(text),
                    catalog.team_queries(),
                ))
            })
            .collect();
        let a = Analysis::from_sources(sources, Vec::new(), Config::default());
        for i in 0..a.project.files.len() {
            let found = a.findings(i);
            let len = a.project.files[i].text.len();
            for f in found {
                assert!(f.span.start <= f.span.end && f.span.end <= len, "{f:?}");
            }
        }
    }
}
