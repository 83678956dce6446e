//! The command line: `server`, `check`, `explain`, `catalog list|check`.
//!
//! This module and `lsp/` are the only ones that know about terminals and protocols; everything
//! they print comes from the library's plain data.

use crate::catalog::{Problem, Severity, render};
use crate::compiled::CompiledCatalog;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "pattern-language", version, about = "Domain-Driven Design patterns for Django: a language server and a checker", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the language server over stdio.
    Server,
    /// Analyse Python/Django files and report patterns and smells.
    Check(crate::check::CheckArgs),
    /// Draw the context map: bounded contexts and their relations (SVG, Mermaid, DOT or JSON).
    Map(crate::map_command::MapArgs),
    /// Print one pattern page, rendered for a terminal.
    Explain {
        /// A pattern id, title or alias (`anticorruption-layer`, "Anticorruption layer", ACL).
        id: String,
        /// Extra catalog folders or files, on top of the embedded default.
        #[arg(long = "catalog", value_name = "PATH")]
        catalogs: Vec<PathBuf>,
    },
    /// List or validate a pattern catalog.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum CatalogCommand {
    /// List the patterns of the catalog.
    List {
        /// Extra catalog folders or files, on top of the embedded default.
        #[arg(long = "catalog", value_name = "PATH")]
        catalogs: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Validate the catalog: prints `path:line: severity: message`, exits 1 when there are problems.
    Check {
        /// Extra catalog folders or files, on top of the embedded default.
        #[arg(long = "catalog", value_name = "PATH")]
        catalogs: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ListFormat {
    Text,
    Json,
}

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Server => crate::lsp::run_stdio(),
        Command::Check(args) => crate::check::run(args),
        Command::Map(args) => crate::map_command::run(args),
        Command::Explain { id, catalogs } => explain(&id, &catalogs),
        Command::Catalog { command } => match command {
            CatalogCommand::List { catalogs, format } => list(&catalogs, format),
            CatalogCommand::Check { catalogs } => check_catalog(&catalogs),
        },
    }
}

fn stdout() -> anstream::AutoStream<std::io::Stdout> {
    anstream::AutoStream::auto(std::io::stdout())
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w: &usize| *w >= 40)
        .unwrap_or(100)
        .min(120)
}

fn explain(id: &str, catalogs: &[PathBuf]) -> ExitCode {
    let catalog = CompiledCatalog::load(catalogs);
    let pattern = catalog.get(id).or_else(|| catalog.by_name(id));
    match pattern {
        Some(p) => {
            let page = render::terminal_page(p, &catalog, terminal_width());
            let _ = writeln!(stdout(), "{page}");
            ExitCode::SUCCESS
        }
        None => {
            let close = catalog.closest(id);
            let hint = if close.is_empty() {
                "run `pattern-language catalog list` to see every id".to_string()
            } else {
                format!(
                    "did you mean {}?",
                    close
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            eprintln!("error: no pattern `{id}` in the catalog; {hint}");
            ExitCode::from(2)
        }
    }
}

#[derive(serde::Serialize)]
struct ListEntry<'a> {
    id: &'a str,
    title: &'a str,
    category: &'a str,
    aliases: &'a [String],
    related: &'a [String],
    source: String,
}

fn list(catalogs: &[PathBuf], format: ListFormat) -> ExitCode {
    let catalog = CompiledCatalog::load(catalogs);
    let mut patterns: Vec<_> = catalog.patterns().iter().collect();
    patterns.sort_by(|a, b| (&a.category, &a.id).cmp(&(&b.category, &b.id)));
    report_problems_brief(catalog.problems());
    let mut out = stdout();
    match format {
        ListFormat::Json => {
            let entries: Vec<ListEntry> = patterns
                .iter()
                .map(|p| ListEntry {
                    id: &p.id,
                    title: &p.title,
                    category: &p.category,
                    aliases: &p.aliases,
                    related: &p.related,
                    source: p.source.label(),
                })
                .collect();
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&entries).unwrap_or_default()
            );
        }
        ListFormat::Text => {
            let width = patterns.iter().map(|p| p.id.len()).max().unwrap_or(0);
            let mut category = "";
            for p in &patterns {
                if p.category != category {
                    category = &p.category;
                    let title = catalog
                        .category(category)
                        .map_or(category, |c| c.title.as_str());
                    let _ = writeln!(out, "\x1b[1m{title}\x1b[0m");
                }
                let source = match p.source.path() {
                    Some(path) => format!("  \x1b[2m({})\x1b[0m", path.display()),
                    None => String::new(),
                };
                let _ = writeln!(out, "  {:width$}  {}{source}", p.id, p.title);
            }
        }
    }
    ExitCode::SUCCESS
}

fn report_problems_brief(problems: &[Problem]) {
    let errors = problems
        .iter()
        .filter(|p| p.severity >= Severity::Warning)
        .count();
    if errors > 0 {
        eprintln!(
            "warning: the catalog has {errors} problem(s); run `pattern-language catalog check` to see them"
        );
    }
}

/// Pages of a project catalog whose `## Example` their own detector does not recognise, as
/// warnings; returns how many. Embedded pages are held to it by the `catalog_examples` test.
fn check_examples(catalog: &CompiledCatalog, out: &mut impl Write) -> usize {
    let mut n = 0;
    for p in catalog
        .patterns()
        .iter()
        .filter(|p| p.source.path().is_some())
    {
        if let Err(message) = crate::markdown::fences::check_example(p, catalog) {
            n += 1;
            let _ = writeln!(
                out,
                "{}:{}: \x1b[33mwarning\x1b[0m: {message}",
                p.source.display_path(),
                p.line
            );
        }
    }
    n
}

fn check_catalog(catalogs: &[PathBuf]) -> ExitCode {
    let catalog = CompiledCatalog::load(catalogs);
    let mut out = stdout();
    for p in catalog.problems() {
        let sev = match p.severity {
            Severity::Error => "\x1b[31merror\x1b[0m",
            Severity::Warning => "\x1b[33mwarning\x1b[0m",
            Severity::Info => "info",
            Severity::Hint => "hint",
        };
        let _ = writeln!(
            out,
            "{}:{}: {sev}: {}",
            p.source.display_path(),
            p.line,
            p.message
        );
    }
    let n = catalog.problems().len() + check_examples(&catalog, &mut out);
    if n == 0 {
        if std::io::stderr().is_terminal() {
            eprintln!("{} patterns, no problems", catalog.patterns().len());
        }
        ExitCode::SUCCESS
    } else {
        eprintln!("{} patterns, {n} problem(s)", catalog.patterns().len());
        ExitCode::FAILURE
    }
}
