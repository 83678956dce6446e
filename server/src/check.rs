//! `pattern-language check`.
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or folders to analyse (default: the current folder).
    pub paths: Vec<PathBuf>,
}

pub fn run(_args: CheckArgs) -> ExitCode {
    eprintln!("error: `check` is not built yet");
    ExitCode::from(2)
}
