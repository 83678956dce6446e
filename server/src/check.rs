//! `pattern-language check`: batch analysis for CI, in text, JSON, SARIF or GitHub format.

use crate::analysis::{self, Analysis};
use crate::catalog::{Catalog, Severity};
use crate::compiled::CompiledCatalog;
use crate::detect::{Finding, Kind};
use crate::line_index::{Encoding, LineIndex};
use clap::ValueEnum;
use serde::{Deserialize, Serialize};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or folders to analyse (default: the current folder).
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also list recognised patterns in text, GitHub and SARIF output (JSON always lists them).
    #[arg(long)]
    pub patterns: bool,
    /// Extra catalog folders or files, on top of the embedded default and the config's.
    #[arg(long = "catalog", value_name = "PATH")]
    pub catalogs: Vec<PathBuf>,
    /// A config file to use instead of the one found from the first path upward.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Apply the safe fixes (unused suppressions, ...) and report what remains.
    #[arg(long)]
    pub fix: bool,
    /// Print the safe fixes as a unified diff instead of writing them; exits 1 when there are any.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,
    /// Analyse Python code fences in Markdown files (the default; config `fences`).
    #[arg(long, overrides_with = "no_fences")]
    pub fences: bool,
    /// Do not analyse Python code fences in Markdown files.
    #[arg(long, overrides_with = "fences")]
    pub no_fences: bool,
    /// Do not read or write the facts cache (`.pattern-language-cache/` in each project folder).
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
}

/// One finding as printed: design.md's JSON shape.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub kind: Kind,
    pub pattern: String,
    pub rule: String,
    pub severity: Severity,
    pub message: String,
}

fn display_path(path: &Path, cwd: &Path) -> String {
    let p = path.strip_prefix(cwd).unwrap_or(path);
    p.to_string_lossy().replace('\\', "/")
}

pub fn record(path: &str, text: &str, index: &LineIndex, f: &Finding) -> Record {
    let start = index.to_line_col(text, f.span.start, Encoding::Char);
    let end = index.to_line_col(text, f.span.end, Encoding::Char);
    Record {
        path: path.to_string(),
        line: start.line + 1,
        column: start.col + 1,
        end_line: end.line + 1,
        end_column: end.col + 1,
        kind: f.kind,
        pattern: f.pattern.clone(),
        rule: f.rule.clone(),
        severity: f.severity,
        message: f.message.clone(),
    }
}

pub fn run(args: CheckArgs) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![cwd.clone()]
    } else {
        args.paths.iter().map(|p| cwd.join(p)).collect()
    };
    for p in &paths {
        if !p.exists() {
            eprintln!("error: no such file or folder: {}", display_path(p, &cwd));
            return ExitCode::from(2);
        }
    }
    if let Some(file) = &args.config
        && !cwd.join(file).is_file()
    {
        eprintln!("error: no such config file: {}", file.display());
        return ExitCode::from(2);
    }
    let (config, mut config_problems) = match &args.config {
        Some(file) => crate::config::load_file(&cwd.join(file)),
        None => crate::config::load_for(&paths[0], None),
    };
    let root = analysis::config_root(&config, &paths[0], &cwd);
    let mut catalogs = config.catalog.clone();
    catalogs.extend(args.catalogs.iter().map(|c| cwd.join(c)));

    let timings = std::env::var_os("PATTERN_LANGUAGE_TIMINGS").is_some();
    let started = std::time::Instant::now();
    // Each given path is read with its whole project, and only its own files are reported.
    let scan = analysis::scan_roots(&paths);
    // The catalog (Markdown pages to parse, a few ms) loads on a thread of its own while the
    // files are walked; a stored result that needs no catalog does not wait for it.
    let loading = {
        let catalogs = catalogs.clone();
        std::thread::spawn(move || CompiledCatalog::load(&catalogs))
    };
    let loaded = |loading: std::thread::JoinHandle<CompiledCatalog>| {
        loading
            .join()
            .unwrap_or_else(|_| CompiledCatalog::load(&catalogs))
    };
    let (files, markdown) = analysis::python_and_markdown_files(&scan, &paths, &config, &root);
    let wanted = |p: &Path| paths.iter().any(|given| p.starts_with(given));
    let total = files.iter().filter(|f| wanted(f)).count();
    if timings {
        eprintln!("walk: {:?} ({} files)", started.elapsed(), files.len());
    }
    // Nothing read changed since the last check with these options: print its records again.
    let stored = (!args.no_cache && !args.fix && !args.diff).then(|| {
        let mut key = crate::cache::InputKey::default();
        key.add((&cwd, &paths, fences_wanted(&args, &config), &catalogs));
        key.add(format!("{config:?}{config_problems:?}"));
        for c in &catalogs {
            for page in analysis::markdown_files(std::slice::from_ref(c), &config, &root) {
                key.add_file(&page);
            }
        }
        // Each file by size and mtime, and, where the check reads it and it was modified in the
        // last seconds, content (`file_stamp`: an edit that keeps both within a coarse mtime
        // tick is seen); tests and migrations are not read.
        use rayon::prelude::*;
        let stamps: Vec<_> = files
            .par_iter()
            .map(|f| {
                let module = analysis::module_for(f, &root);
                let read = analysis::has_findings(f, &root, &module.0);
                (crate::cache::file_stamp(f, read), module)
            })
            .chain(
                markdown
                    .par_iter()
                    .map(|f| (crate::cache::file_stamp(f, true), Default::default())),
            )
            .collect();
        // Paths by their bytes: `Path`'s own hash parses components, a third of this key's cost.
        for f in files.iter().chain(&markdown) {
            key.add(f.as_os_str().as_encoded_bytes());
        }
        key.add(stamps);
        key.finish()
    });
    if let Some(key) = stored
        && let Some(bytes) = crate::cache::load_result(&root, key)
        && let Ok((records, skipped)) = postcard::from_bytes::<(Vec<Record>, usize)>(&bytes)
    {
        if timings {
            eprintln!("stored result: {:?}", started.elapsed());
        }
        // The catalog is waited for only where the output needs it (SARIF's rule help): a
        // replay costs a walk and the files' stamps.
        let catalog = (args.format == Format::Sarif).then(|| loaded(loading));
        let catalog = catalog.as_ref().map(|c| c.catalog());
        return finish(&args, &records, catalog, total + markdown.len(), skipped);
    }
    // The key above holds the config's own problems; those the catalog adds follow from the
    // config and the catalog, both in the key.
    let catalog = loaded(loading);
    let known = crate::detect::registry::known_ids(&catalog);
    config_problems.extend(crate::config::unknown_rules(&config, &known));
    let groups = analysis::group_by_project(files, &scan);
    let show_progress = std::io::stderr().is_terminal() && total > 500;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let progress = |_: usize| {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if n.is_multiple_of(100) {
            eprint!("\ranalysing {n} files");
        }
    };
    let python = config.python_version;
    // Fixes rewrite texts; findings alone read each file's text again when they need it.
    let texts = if args.fix || args.diff {
        analysis::Texts::Keep
    } else {
        analysis::Texts::Release
    };
    let analyse = |groups: &[(PathBuf, Vec<PathBuf>)]| -> Vec<Analysis> {
        groups
            .iter()
            .map(|(project, group)| {
                // One cache per project folder, as one analysis per project.
                let cache = (!args.no_cache)
                    .then(|| crate::cache::FactsCache::open(project, catalog.facts_key()));
                Analysis::run(
                    group,
                    &root,
                    config.clone(),
                    catalog.team_queries(),
                    if show_progress { Some(&progress) } else { None },
                    cache.as_ref(),
                    texts,
                )
            })
            .collect()
    };
    let mut results = analyse(&groups);
    if show_progress {
        eprint!("\r\x1b[K");
    }
    if timings {
        eprintln!(
            "analysis (read, parse, project, roles): {:?}{}",
            started.elapsed(),
            peak_rss()
        );
    }
    if args.fix || args.diff {
        let mut fixed_files = 0;
        let mut diff_out = String::new();
        for result in &results {
            for i in 0..result.project.files.len() {
                let file = &result.project.files[i];
                if !wanted(&file.path) {
                    continue;
                }
                // The same fix-all as `source.fixAll.pattern-language`.
                let fixes =
                    crate::ide::fix_all::file_fixes(file, result.detected(i).to_vec(), python);
                let Some(all) = crate::ide::fix_all::fix_all(&fixes) else {
                    continue;
                };
                let edits = all.edits;
                let new_text = crate::refactor::apply(&file.text, &edits);
                let path = display_path(&file.path, &cwd);
                if args.diff {
                    let diff = similar::TextDiff::from_lines(&*file.text, &new_text);
                    diff_out.push_str(
                        &diff
                            .unified_diff()
                            .header(&format!("a/{path}"), &format!("b/{path}"))
                            .to_string(),
                    );
                } else if let Err(err) = std::fs::write(&file.path, new_text) {
                    eprintln!("error: cannot write {path}: {err}");
                    return ExitCode::from(2);
                }
                fixed_files += 1;
            }
        }
        if args.diff {
            let mut out = std::io::stdout().lock();
            if let Err(err) = out.write_all(diff_out.as_bytes()).and_then(|_| out.flush())
                && err.kind() != std::io::ErrorKind::BrokenPipe
            {
                eprintln!("error: cannot write output: {err}");
                return ExitCode::from(2);
            }
            eprintln!("{fixed_files} file(s) would be fixed");
            return if fixed_files > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
        eprintln!("fixed {fixed_files} file(s)");
        if fixed_files > 0 {
            results = analyse(&groups);
        }
    }

    let mut records = Vec::new();
    for p in &config_problems {
        let path = p
            .path
            .as_deref()
            .map_or_else(|| "config".to_string(), |x| display_path(x, &cwd));
        records.push(problem_record(path, p.line, "config", p.message.clone()));
    }
    for p in catalog
        .problems()
        .iter()
        .filter(|p| p.severity >= Severity::Warning && p.source.path().is_some())
    {
        records.push(problem_record(
            p.source.display_path(),
            p.line,
            "catalog",
            p.message.clone(),
        ));
    }
    for result in &results {
        for p in result.problems.iter().filter(|p| wanted(&p.path)) {
            records.push(problem_record(
                display_path(&p.path, &cwd),
                p.line,
                "unreadable-file",
                p.message.clone(),
            ));
        }
    }
    for result in &results {
        let files = result.map_findings_where(
            |f| wanted(&f.path),
            |i, text, findings| {
                let index = LineIndex::new(text);
                let path = display_path(&result.project.files[i].path, &cwd);
                findings
                    .iter()
                    .map(|f| record(&path, text, &index, f))
                    .collect::<Vec<_>>()
            },
        );
        records.extend(files.into_iter().flatten());
    }
    records.extend(markdown_records(&markdown, &config, &catalog, &cwd));
    if fences_wanted(&args, &config) {
        records.extend(fence_records(&markdown, &config, &catalog, &cwd));
    }
    let skipped = results
        .iter()
        .flat_map(|r| r.project.files.iter())
        .filter(|f| wanted(&f.path) && (f.is_test || f.is_migration))
        .count();
    if timings {
        eprintln!("findings: {:?}{}", started.elapsed(), peak_rss());
    }
    records.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.rule).cmp(&(&b.path, b.line, b.column, &b.rule))
    });
    if let Some(key) = stored
        && let Ok(bytes) = postcard::to_stdvec(&(&records, skipped))
    {
        crate::cache::save_result(&root, key, &bytes);
    }
    let code = finish(
        &args,
        &records,
        Some(&catalog),
        total + markdown.len(),
        skipped,
    );
    // The process ends here: freeing every fact, tree and finding one by one costs time and
    // gives nothing back.
    std::mem::forget(records);
    std::mem::forget(results);
    std::mem::forget(groups);
    std::mem::forget(catalog);
    code
}

/// Prints the records in the chosen format; the exit code says whether any failed.
fn finish(
    args: &CheckArgs,
    records: &[Record],
    catalog: Option<&Catalog>,
    total: usize,
    skipped: usize,
) -> ExitCode {
    let failed = records
        .iter()
        .any(|r| r.kind != Kind::Pattern && r.severity >= Severity::Warning);

    // Colour (and its stripping when stdout is not a terminal) is for the text format only;
    // the others are written through one buffer.
    let mut out: Box<dyn Write> = if args.format == Format::Text {
        Box::new(anstream::AutoStream::auto(std::io::stdout().lock()))
    } else {
        Box::new(std::io::BufWriter::with_capacity(
            1 << 16,
            std::io::stdout().lock(),
        ))
    };
    let shown: Vec<&Record> = records
        .iter()
        .filter(|r| args.format == Format::Json || args.patterns || r.kind != Kind::Pattern)
        .collect();
    let res = match args.format {
        Format::Json => serde_json::to_writer_pretty(&mut out, records)
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out)),
        Format::Text => write_text(&mut out, &shown, records, total, skipped),
        Format::Github => write_github(&mut out, &shown),
        Format::Sarif => match catalog {
            Some(catalog) => write_sarif(&mut out, &shown, catalog),
            None => Err(std::io::Error::other("no catalog for SARIF output")),
        },
    };
    // A closed stdout (`check | head`) is not an error: stop quietly.
    if let Err(err) = res.and_then(|_| out.flush())
        && err.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: cannot write output: {err}");
        return ExitCode::from(2);
    }
    drop(out);
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The Markdown side of `check`: unknown `[[ids]]`, broken links to pattern pages, and the
/// problems of catalog pages, the same findings the editor shows. Catalog pages found here are
/// laid over the catalog (as the editor does with open pages), so references to them resolve;
/// pages of the config's catalog folders were loaded already and their problems reported.
/// Are Markdown fences analysed? The flag wins, then the config's `fences`, else on.
fn fences_wanted(args: &CheckArgs, config: &crate::config::Config) -> bool {
    if args.no_fences {
        false
    } else {
        args.fences || config.fences.unwrap_or(true)
    }
}

/// Findings of the Python fences of Markdown files, at their Markdown lines. Each fence is its own
/// one-file project; a fence that does not parse yields nothing. Catalog pages are left to
/// `catalog check`. Unreadable files are reported by [`markdown_records`], not here.
fn fence_records(
    files: &[PathBuf],
    config: &crate::config::Config,
    catalog: &CompiledCatalog,
    cwd: &Path,
) -> Vec<Record> {
    use rayon::prelude::*;
    files
        .par_iter()
        .flat_map_iter(|path| {
            let text = std::fs::metadata(path)
                .ok()
                .filter(|m| m.len() <= analysis::MAX_FILE_BYTES)
                .and_then(|_| std::fs::read_to_string(path).ok())
                .unwrap_or_default();
            let mut out = Vec::new();
            // A catalog page's examples show smells on purpose; `catalog check` proves them.
            if (text.contains("```") || text.contains("~~~"))
                && !crate::catalog::page::looks_like_page(&text)
            {
                let shown = display_path(path, cwd);
                let index = LineIndex::new(&text);
                for f in
                    crate::markdown::fences::findings(path, &text, config, catalog.team_queries())
                {
                    out.push(record(&shown, &text, &index, &f));
                }
            }
            out.into_iter()
        })
        .collect()
}

fn markdown_records(
    files: &[PathBuf],
    config: &crate::config::Config,
    catalog: &Catalog,
    cwd: &Path,
) -> Vec<Record> {
    let mut records = Vec::new();
    if files.is_empty() {
        return records;
    }
    let mut texts = Vec::new();
    for path in files {
        let shown = display_path(path, cwd);
        let text = match std::fs::metadata(path) {
            Ok(m) if m.len() > analysis::MAX_FILE_BYTES => Err(format!(
                "file is {} MB, over the {} MB limit: not analysed",
                m.len() / (1024 * 1024),
                analysis::MAX_FILE_BYTES / (1024 * 1024)
            )),
            _ => std::fs::read(path)
                .map_err(|e| format!("cannot read file: {e}"))
                .and_then(|b| {
                    String::from_utf8(b)
                        .map_err(|_| "not valid UTF-8: save the file as UTF-8".to_string())
                }),
        };
        match text {
            Ok(text) => texts.push((path, shown, text)),
            Err(message) => records.push(problem_record(shown, 1, "unreadable-file", message)),
        }
    }
    let in_config_catalog = |p: &Path| config.catalog.iter().any(|c| p.starts_with(c));
    let pages: Vec<&(&PathBuf, String, String)> = texts
        .iter()
        .filter(|(p, _, t)| !in_config_catalog(p) && crate::catalog::page::looks_like_page(t))
        .collect();
    let laid_over;
    let laid = if pages.is_empty() {
        catalog
    } else {
        let mut c = catalog.clone();
        for (path, _, text) in &pages {
            c.add_text(path, text);
        }
        c.validate();
        // Compiled, so the detection queries of these pages are checked too.
        laid_over = CompiledCatalog::new(c);
        laid_over.catalog()
    };
    for (path, shown, _) in &pages {
        for p in laid
            .problems()
            .iter()
            .filter(|p| p.source.path() == Some(path.as_path()))
        {
            let mut r = problem_record(shown.clone(), p.line, "catalog", p.message.clone());
            r.severity = p.severity;
            records.push(r);
        }
    }
    let names = crate::markdown::Names::new(laid);
    for (_, shown, text) in &texts {
        let index = LineIndex::new(text);
        for u in crate::markdown::unresolved(text, laid, &names) {
            let start = index.to_line_col(text, u.span.start, Encoding::Char);
            let end = index.to_line_col(text, u.span.end, Encoding::Char);
            records.push(Record {
                path: shown.clone(),
                line: start.line + 1,
                column: start.col + 1,
                end_line: end.line + 1,
                end_column: end.col + 1,
                kind: Kind::Problem,
                pattern: u.closest.first().cloned().unwrap_or_default(),
                rule: u.rule.to_string(),
                severity: Severity::Warning,
                message: u.message,
            });
        }
    }
    records
}

fn problem_record(path: String, line: u32, rule: &str, message: String) -> Record {
    Record {
        path,
        line: line.max(1),
        column: 1,
        end_line: line.max(1),
        end_column: 1,
        kind: Kind::Problem,
        pattern: String::new(),
        rule: rule.to_string(),
        severity: Severity::Error,
        message,
    }
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Hint => "hint",
        Severity::Info => "info",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

fn write_text(
    out: &mut impl Write,
    shown: &[&Record],
    all: &[Record],
    files: usize,
    skipped: usize,
) -> std::io::Result<()> {
    for r in shown {
        let color = match r.severity {
            Severity::Error => "\x1b[31m",
            Severity::Warning => "\x1b[33m",
            Severity::Info => "\x1b[36m",
            Severity::Hint => "\x1b[2m",
        };
        writeln!(
            out,
            "\x1b[1m{}:{}:{}:\x1b[0m {color}{}\x1b[0m[{}] {}",
            r.path,
            r.line,
            r.column,
            severity_word(r.severity),
            r.rule,
            r.message
        )?;
    }
    let count = |k: Kind| all.iter().filter(|r| r.kind == k).count();
    let skipped = if skipped > 0 {
        format!(" ({skipped} skipped as tests or migrations)")
    } else {
        String::new()
    };
    writeln!(
        out,
        "{} files{skipped}: {} smells, {} problems, {} patterns recognised",
        files,
        count(Kind::Smell),
        count(Kind::Problem),
        count(Kind::Pattern)
    )
}

fn gh_escape(s: &str, property: bool) -> String {
    let mut s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        s = s.replace(':', "%3A").replace(',', "%2C");
    }
    s
}

fn write_github(out: &mut impl Write, shown: &[&Record]) -> std::io::Result<()> {
    for r in shown {
        let level = match r.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            _ => "notice",
        };
        writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            gh_escape(&r.path, true),
            r.line,
            r.column,
            r.end_line,
            r.end_column,
            gh_escape(&format!("pattern-language ({})", r.rule), true),
            gh_escape(&r.message, false)
        )?;
    }
    Ok(())
}

fn write_sarif(out: &mut impl Write, shown: &[&Record], catalog: &Catalog) -> std::io::Result<()> {
    use serde_json::json;
    let mut rule_ids: Vec<&str> = shown.iter().map(|r| r.rule.as_str()).collect();
    rule_ids.sort();
    rule_ids.dedup();
    let rules: Vec<serde_json::Value> = rule_ids
        .iter()
        .map(|id| {
            let smell = crate::detect::smell(id);
            let pattern_id = smell.map_or(*id, |s| s.fixed_by[0]);
            let pattern = catalog.get(pattern_id);
            let short = match (smell, pattern) {
                (Some(s), _) => s.summary.to_string(),
                (None, Some(p)) => p.title.clone(),
                _ => id.to_string(),
            };
            let full = pattern.map(|p| p.sections.summary.clone()).unwrap_or_else(|| short.clone());
            let help_md = pattern.map(|p| crate::catalog::render::hover_markdown(p, catalog, None)).unwrap_or_default();
            json!({
                "id": id,
                "name": id,
                "shortDescription": {"text": short},
                "fullDescription": {"text": full},
                "help": {"text": full, "markdown": help_md},
                "properties": {"pattern": pattern_id, "kind": if smell.is_some() { "smell" } else if pattern.is_some() { "pattern" } else { "problem" }},
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = shown
        .iter()
        .map(|r| {
            let level = match r.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                _ => "note",
            };
            json!({
                "ruleId": r.rule,
                "ruleIndex": rule_ids.iter().position(|x| *x == r.rule).unwrap_or(0),
                "level": level,
                "kind": if r.kind == Kind::Pattern { "informational" } else { "fail" },
                "message": {"text": r.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": r.path},
                    "region": {"startLine": r.line, "startColumn": r.column, "endLine": r.end_line, "endColumn": r.end_column}
                }}],
            })
        })
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "pattern-language",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &sarif).map_err(std::io::Error::from)?;
    writeln!(out)
}

/// The peak resident memory so far, for `PATTERN_LANGUAGE_TIMINGS` (Linux; elsewhere empty).
fn peak_rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .map(|kb| format!(", peak RSS {}", kb.trim()))
        .unwrap_or_default()
}
