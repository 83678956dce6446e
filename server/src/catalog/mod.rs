//! The pattern catalog: Markdown pages in, a typed, validated model out.
//!
//! * [`page`] reads one page with TOML front matter (the shipped format).
//! * [`guide`] reads a whole guide written as one document in the original style.
//! * [`Catalog`] layers catalogs: the embedded default first, then each extra catalog, by id.
//!
//! Loading never fails: whatever cannot be read becomes a [`Problem`] with a file, a line and a
//! message that says how to fix it, and the rest still loads.

pub mod guide;
pub mod page;
pub mod render;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use crate::vocab::{Problem, Severity, Source};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_catalog.rs"));
}

/// A tree-sitter query carried by a page's `## Detection` section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageQuery {
    pub text: String,
    /// 1-based line of the query's first line in its file.
    pub line: u32,
}

/// The prose of a pattern page, section by section, as Markdown source.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sections {
    pub summary: String,
    pub context: String,
    pub problem: String,
    pub solution: String,
    /// Consequences that are neither clearly good nor bad (the guide's `Resulting context:`).
    pub resulting: String,
    pub advantages: String,
    pub disadvantages: String,
    pub example: String,
    pub detection: String,
    pub refactorings: String,
    pub further_reading: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    pub id: String,
    pub title: String,
    pub category: String,
    pub aliases: Vec<String>,
    pub related: Vec<String>,
    pub tags: Vec<String>,
    /// Front matter `detectable = false`: the pattern cannot be seen in code (most strategic
    /// patterns), so its Example is not held to a detector. Unset means detectable.
    pub detectable: Option<bool>,
    pub sections: Sections,
    pub queries: Vec<PageQuery>,
    pub source: Source,
    /// 1-based line of the page's heading (the front matter's start for pages).
    pub line: u32,
    /// The whole page as written: what go-to-definition shows.
    pub text: Arc<str>,
}

impl Pattern {
    /// Can the pattern be seen in code? (`detectable = false` in the front matter says not.)
    pub fn is_detectable(&self) -> bool {
        self.detectable.unwrap_or(true)
    }

    /// Title and aliases: every name prose may use for the pattern.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.title.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    pub id: String,
    pub title: String,
    pub intro: String,
    pub source: Source,
}

/// What one file yields.
#[derive(Debug, Default)]
pub struct Parsed {
    pub patterns: Vec<Pattern>,
    pub categories: Vec<Category>,
    pub problems: Vec<Problem>,
}

/// A layered, validated catalog.
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    patterns: Vec<Arc<Pattern>>,
    index: HashMap<String, usize>,
    categories: BTreeMap<String, Category>,
    problems: Vec<Problem>,
}

/// Normalises a heading or name for matching: lower case, no parenthetical remarks, no trailing
/// "pattern(s)", hyphens as spaces, single spaces.
pub fn normalize_name(name: &str) -> String {
    let mut s = String::with_capacity(name.len());
    let mut depth = 0;
    for ch in name.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = (depth - 1).max(0),
            _ if depth > 0 => {}
            '-' | '_' => s.push(' '),
            c => s.extend(c.to_lowercase()),
        }
    }
    let mut words: Vec<&str> = s.split_whitespace().collect();
    while matches!(words.last(), Some(&"pattern" | &"patterns")) && words.len() > 1 {
        words.pop();
    }
    words.join(" ")
}

/// An id made from a title: lower case words joined by `-`.
pub fn slug(title: &str) -> String {
    normalize_name(title)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
}

impl Catalog {
    /// The default catalog, embedded at build time.
    pub fn embedded() -> Catalog {
        let mut catalog = Catalog::default();
        let mut layer = Parsed::default();
        for (rel, text) in embedded::EMBEDDED {
            let source = Source::Embedded((*rel).to_string());
            page::parse_file(text, &source, rel_folder(rel).as_deref(), None, &mut layer);
        }
        catalog.add_layer(layer);
        catalog.validate();
        catalog
    }

    /// The embedded default plus extra catalogs (folders or single files), in order.
    pub fn load(extra: &[PathBuf]) -> Catalog {
        let mut catalog = Catalog::embedded();
        for path in extra {
            catalog.add_path(path);
        }
        catalog.validate();
        catalog
    }

    /// Adds a folder or a file on top of what is loaded. Call [`Catalog::validate`] after.
    pub fn add_path(&mut self, path: &Path) {
        let mut layer = Parsed::default();
        if path.is_dir() {
            let mut files = Vec::new();
            if let Err(limit) = collect_markdown(path, &mut files) {
                layer.problems.push(Problem::new(
                    &Source::File(path.to_path_buf()),
                    1,
                    Severity::Warning,
                    format!("catalog folder is too large: stopped after {limit}; give the folder of the pattern pages"),
                ));
            }
            files.sort();
            for file in files {
                let folder = file
                    .parent()
                    .filter(|p| *p != path)
                    .and_then(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned());
                read_into(&file, folder.as_deref(), Some(self), &mut layer);
            }
        } else if path.is_file() {
            read_into(path, None, Some(self), &mut layer);
        } else {
            layer.problems.push(Problem::new(
                &Source::File(path.to_path_buf()),
                1,
                Severity::Error,
                "catalog path not found: give an existing folder of pattern pages or a Markdown file",
            ));
        }
        self.add_layer(layer);
    }

    /// Adds one file's text on top (the editor's unsaved buffer of a catalog page).
    pub fn add_text(&mut self, path: &Path, text: &str) {
        let mut layer = Parsed::default();
        let folder = path
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned());
        let source = Source::File(path.to_path_buf());
        parse_any(text, &source, folder.as_deref(), Some(self), &mut layer);
        self.add_layer(layer);
    }

    fn add_layer(&mut self, layer: Parsed) {
        let mut seen: HashMap<String, Source> = HashMap::new();
        for pattern in layer.patterns {
            if let Some(first) = seen.get(&pattern.id) {
                self.problems.push(Problem::new(
                    &pattern.source,
                    pattern.line,
                    Severity::Error,
                    format!(
                        "duplicate id `{}`: {} already defines it; give one of them another id",
                        pattern.id,
                        first.display_path()
                    ),
                ));
                continue;
            }
            seen.insert(pattern.id.clone(), pattern.source.clone());
            match self.index.get(&pattern.id) {
                Some(&i) => {
                    let merged = merge(&self.patterns[i], pattern);
                    self.patterns[i] = Arc::new(merged);
                }
                None => {
                    self.index.insert(pattern.id.clone(), self.patterns.len());
                    self.patterns.push(Arc::new(pattern));
                }
            }
        }
        for category in layer.categories {
            self.categories.insert(category.id.clone(), category);
        }
        self.problems.extend(layer.problems);
    }

    /// Cross-page checks: unknown `related` ids. Idempotent. It also drops the problems of detection
    /// queries: whoever compiles the queries files them again ([`Catalog::add_problems`]).
    pub fn validate(&mut self) {
        self.problems.retain(|p| {
            !p.message.starts_with("unknown related id") && !p.message.contains("detection query")
        });
        let mut found = Vec::new();
        for pattern in &self.patterns {
            for rel in &pattern.related {
                if !self.index.contains_key(rel) {
                    let hint = match self.closest(rel).first() {
                        Some(best) => format!("; did you mean `{best}`?"),
                        None => String::new(),
                    };
                    found.push(Problem::new(
                        &pattern.source,
                        pattern.line,
                        Severity::Error,
                        format!("unknown related id `{rel}` in `{}`{hint}", pattern.id),
                    ));
                }
            }
        }
        self.problems.extend(found);
        self.problems
            .sort_by(|a, b| (&a.source, a.line).cmp(&(&b.source, b.line)));
        self.problems.dedup();
    }

    /// Problems found by whoever reads the catalog further (invalid detection queries, found when
    /// they are compiled), filed with the catalog's own at their line.
    pub fn add_problems(&mut self, problems: impl IntoIterator<Item = Problem>) {
        self.problems.extend(problems);
        self.problems
            .sort_by(|a, b| (&a.source, a.line).cmp(&(&b.source, b.line)));
        self.problems.dedup();
    }

    /// The `query` blocks of the pages, as text: (pattern id, where it is written, the query). The
    /// catalog does not compile them; `compiled::CompiledCatalog` does, once per catalog version.
    pub fn query_texts(&self) -> impl Iterator<Item = (&str, &Source, &PageQuery)> {
        self.patterns
            .iter()
            .flat_map(|p| p.queries.iter().map(move |q| (p.id.as_str(), &p.source, q)))
    }

    pub fn patterns(&self) -> &[Arc<Pattern>] {
        &self.patterns
    }

    pub fn get(&self, id: &str) -> Option<&Arc<Pattern>> {
        self.index.get(id).map(|&i| &self.patterns[i])
    }

    pub fn categories(&self) -> impl Iterator<Item = &Category> {
        self.categories.values()
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.get(id)
    }

    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Finds the pattern a heading or name denotes, by title or alias.
    pub fn by_name(&self, name: &str) -> Option<&Arc<Pattern>> {
        let want = normalize_name(name);
        if want.is_empty() {
            return None;
        }
        self.patterns.iter().find(|p| {
            p.names().any(|n| normalize_name(n) == want) || p.id.replace('-', " ") == want
        })
    }

    /// The `n` ids most like `id`, best first, however far: for quick fixes.
    pub fn suggestions(&self, id: &str, n: usize) -> Vec<&str> {
        let words: Vec<&str> = id.split(['-', '_', ' ']).filter(|w| w.len() > 2).collect();
        let mut scored: Vec<(f64, &str)> = self
            .patterns
            .iter()
            .map(|p| {
                let shared = words.iter().filter(|w| p.id.contains(*w)).count() as f64;
                (strsim::jaro_winkler(id, &p.id) + shared, p.id.as_str())
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored.into_iter().take(n).map(|(_, id)| id).collect()
    }

    /// Ids close to `id`, best first: for "did you mean" messages.
    pub fn closest(&self, id: &str) -> Vec<&str> {
        let mut scored: Vec<(f64, &str)> = self
            .patterns
            .iter()
            .map(|p| {
                let by_id = strsim::jaro_winkler(id, &p.id);
                let contains =
                    if !id.is_empty() && (p.id.contains(id) || id.contains(p.id.as_str())) {
                        0.9
                    } else {
                        0.0
                    };
                (by_id.max(contains), p.id.as_str())
            })
            .filter(|(s, _)| *s > 0.7)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored.into_iter().take(3).map(|(_, id)| id).collect()
    }
}

/// The folder name of an embedded page, its category by convention.
fn rel_folder(rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = rel.split('/').collect();
    parts.pop();
    parts.last().map(|s| s.to_string())
}

/// Bounds of a catalog folder walk: a catalog is a few hundred pages, not a home directory.
const MAX_WALK_ENTRIES: usize = 50_000;
const MAX_WALK_PAGES: usize = 5_000;
const MAX_WALK_DEPTH: usize = 16;

/// The Markdown files under `dir`: hidden entries skipped, each real folder visited once (a
/// symlink loop or a link back to an ancestor is not followed twice), bounded in depth, entries
/// and pages. `Err` says which bound stopped the walk.
fn collect_markdown(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let mut visited: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    let mut pages: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    let mut entries_seen = 0usize;
    while let Some((dir, depth)) = stack.pop() {
        let Ok(real) = std::fs::canonicalize(&dir) else {
            continue;
        };
        if !visited.insert(real) {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut subdirs = Vec::new();
        for entry in entries.flatten() {
            entries_seen += 1;
            if entries_seen > MAX_WALK_ENTRIES {
                return Err(format!("{MAX_WALK_ENTRIES} entries"));
            }
            let path = entry.path();
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            if path.is_dir() {
                if depth + 1 > MAX_WALK_DEPTH {
                    return Err(format!("{MAX_WALK_DEPTH} levels of folders"));
                }
                subdirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                if out.len() >= MAX_WALK_PAGES {
                    return Err(format!("{MAX_WALK_PAGES} pages"));
                }
                // A page linked under two names is read once.
                if std::fs::canonicalize(&path).is_ok_and(|real| pages.insert(real)) {
                    out.push(path);
                }
            }
        }
        // Depth first, in name order (the caller sorts the pages anyway).
        subdirs.sort();
        stack.extend(subdirs.into_iter().rev().map(|p| (p, depth + 1)));
    }
    Ok(())
}

fn read_into(path: &Path, folder: Option<&str>, base: Option<&Catalog>, layer: &mut Parsed) {
    let source = Source::File(path.to_path_buf());
    match std::fs::read(path) {
        Err(err) => layer.problems.push(Problem::new(
            &source,
            1,
            Severity::Error,
            format!("cannot read catalog file: {err}"),
        )),
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => parse_any(&text, &source, folder, base, layer),
            Err(err) => {
                let at = err.utf8_error().valid_up_to();
                let line = String::from_utf8_lossy(&err.as_bytes()[..at])
                    .lines()
                    .count()
                    .max(1);
                layer.problems.push(Problem::new(
                    &source,
                    line as u32,
                    Severity::Error,
                    format!("not valid UTF-8 (byte {at}): save the page as UTF-8"),
                ));
            }
        },
    }
}

/// A page with front matter, a category introduction, or a one-document guide.
fn parse_any(
    text: &str,
    source: &Source,
    folder: Option<&str>,
    base: Option<&Catalog>,
    layer: &mut Parsed,
) {
    if text.trim().is_empty()
        || page::has_front_matter(text)
        || guide::looks_like_page_fragment(text)
    {
        page::parse_file(text, source, folder, base, layer);
    } else {
        guide::parse_guide(text, source, base, layer);
    }
}

/// An override keeps what it does not say from the page it replaces.
fn merge(old: &Pattern, new: Pattern) -> Pattern {
    fn pick(new: String, old: &str) -> String {
        if new.trim().is_empty() {
            old.to_string()
        } else {
            new
        }
    }
    let s = new.sections;
    let o = &old.sections;
    let sections = Sections {
        summary: pick(s.summary, &o.summary),
        context: pick(s.context, &o.context),
        problem: pick(s.problem, &o.problem),
        solution: pick(s.solution, &o.solution),
        resulting: pick(s.resulting, &o.resulting),
        advantages: pick(s.advantages, &o.advantages),
        disadvantages: pick(s.disadvantages, &o.disadvantages),
        example: pick(s.example, &o.example),
        detection: pick(s.detection, &o.detection),
        refactorings: pick(s.refactorings, &o.refactorings),
        further_reading: pick(s.further_reading, &o.further_reading),
    };
    let or = |new: Vec<String>, old: &[String]| if new.is_empty() { old.to_vec() } else { new };
    Pattern {
        id: new.id,
        title: if new.title.is_empty() {
            old.title.clone()
        } else {
            new.title
        },
        category: if new.category.is_empty() {
            old.category.clone()
        } else {
            new.category
        },
        aliases: or(new.aliases, &old.aliases),
        related: or(new.related, &old.related),
        tags: or(new.tags, &old.tags),
        detectable: new.detectable.or(old.detectable),
        sections,
        queries: new.queries,
        source: new.source,
        line: new.line,
        text: new.text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise() {
        assert_eq!(
            normalize_name("Cached repository pattern"),
            "cached repository"
        );
        assert_eq!(
            normalize_name("Core subdomain (stategic pattern)"),
            "core subdomain"
        );
        assert_eq!(normalize_name("Multi-tenancy"), "multi tenancy");
        assert_eq!(
            slug("Django single app bounded context"),
            "django-single-app-bounded-context"
        );
        assert_eq!(slug("Open-host service"), "open-host-service");
    }
}
