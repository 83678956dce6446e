//! The language server.
use std::process::ExitCode;

pub fn run_stdio() -> ExitCode {
    eprintln!("error: `server` is not built yet");
    ExitCode::from(2)
}
