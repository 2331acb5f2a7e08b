//! `ssmq`: the terminal side of ssmq-core. Parses arguments, runs one command, writes data to
//! stdout or a file and everything else (notices, warnings, errors) to stderr.
//!
//! Exit codes: 0 success, 2 error. A closed stdout (`ssmq … | head`) ends quietly with 0.

mod cli;
mod commands;
mod output;
mod progress;
mod report_help;
mod shell;

use std::process::ExitCode;
use std::sync::Arc;

use crate::output::{Output, Stderr};

fn main() -> ExitCode {
    let cli = cli::parse();
    let stderr = Arc::new(Stderr::new(cli.global.verbose));
    let output = Arc::new(Output::new(&cli.global));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            stderr.error(&anyhow::Error::new(e).context("Failed to start the async runtime"));
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(commands::run(cli, Arc::clone(&output), Arc::clone(&stderr)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) if output.pipe_closed() => ExitCode::SUCCESS,
        Err(e) if e.is::<commands::ExitOne>() => {
            stderr.notice(&e.to_string());
            ExitCode::from(1)
        }
        Err(e) => {
            stderr.error(&e);
            ExitCode::from(2)
        }
    }
}
