use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match pattern_language::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return match err.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    pattern_language::cli::run(cli)
}
