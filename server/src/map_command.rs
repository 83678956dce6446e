//! `pattern-language map`: the context map of the analysed code, as SVG, Mermaid, DOT or JSON.

use crate::analysis::{self, Analysis};
use crate::compiled::CompiledCatalog;
use crate::map;
use clap::ValueEnum;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct MapArgs {
    /// Files or folders to analyse (default: the current folder).
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = MapFormat::Svg)]
    pub format: MapFormat,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// A config file to use instead of the one found from the first path upward.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum MapFormat {
    Svg,
    Mermaid,
    Dot,
    Json,
}

pub fn render(m: &map::ContextMap, format: MapFormat) -> String {
    match format {
        MapFormat::Svg => map::svg::render(m),
        MapFormat::Mermaid => map::mermaid::render(m),
        MapFormat::Dot => map::dot::render(m),
        MapFormat::Json => {
            let mut s = m.to_json();
            s.push('\n');
            s
        }
    }
}

/// Analyses `paths` as `check` does (config found from the first path upward).
pub fn analyse(paths: &[PathBuf], config_file: Option<&Path>) -> Analysis {
    let (config, _) = match config_file {
        Some(file) => crate::config::load_file(file),
        None => crate::config::load_for(&paths[0], None),
    };
    let root = analysis::config_root(&config, &paths[0], Path::new("."));
    let catalog = CompiledCatalog::load(&config.catalog);
    let files = analysis::python_files(paths, &config, &root);
    Analysis::run(
        &files,
        &root,
        config,
        catalog.team_queries(),
        None,
        None,
        analysis::Texts::Keep,
    )
}

pub fn run(args: MapArgs) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![cwd.clone()]
    } else {
        args.paths.iter().map(|p| cwd.join(p)).collect()
    };
    for p in &paths {
        if !p.exists() {
            eprintln!("error: no such file or folder: {}", p.display());
            return ExitCode::from(2);
        }
    }
    let config = args.config.as_ref().map(|c| cwd.join(c));
    let result = analyse(&paths, config.as_deref());
    let display = |p: &Path| {
        p.strip_prefix(&cwd)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let m = map::build(&result, &display);
    let text = render(&m, args.format);
    match &args.output {
        Some(file) => {
            if let Err(err) = std::fs::write(cwd.join(file), text) {
                eprintln!("error: cannot write {}: {err}", file.display());
                return ExitCode::from(2);
            }
        }
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            if out.write_all(text.as_bytes()).is_err() {
                return ExitCode::from(2);
            }
        }
    }
    ExitCode::SUCCESS
}
