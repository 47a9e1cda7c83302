//! The edge: parse the command line, run the command (`src/cmd/`), print an error once.

mod cmd;

/// Rendering and checking allocate many short strings on all cores; mimalloc makes that cost a
/// third of the system allocator's (measured in bench/).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use budkavle::Error;

fn main() -> ExitCode {
    let cli = cmd::Cli::parse();
    match cmd::run(&cli) {
        Ok(code) => code,
        // The reader of our output has gone (`budkavle check | head`): nothing is wrong.
        Err(e) if e.is_closed_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            report(&e);
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}

fn report(e: &Error) {
    let mut err = std::io::stderr().lock();
    if let Error::Invalid(diags) = e {
        for d in diags {
            let _ = writeln!(err, "error: {d}");
        }
    }
    let _ = writeln!(err, "error: {e}");
}
