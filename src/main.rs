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

mod allocator {
    use std::ffi::{c_int, c_long};

    /// `mi_option_purge_delay` in mimalloc's `mimalloc.h` (the same in its versions 2 and 3).
    const PURGE_DELAY: c_int = 15;

    // mimalloc's own option calls, in the library the `mimalloc` crate links.
    unsafe extern "C" {
        fn mi_option_set(option: c_int, value: c_long);
        #[cfg(test)]
        fn mi_option_get(option: c_int) -> c_long;
    }

    /// mimalloc gives memory freed for a second back to the system (`purge_delay`, 1,000 ms).
    /// A build frees and reuses hundreds of megabytes over its second or two, so what was
    /// given back was soon faulted in again: 1,700 page faults more in a clean build of
    /// 10,000 posts, and 1–2 % of its time where a fault is dear (a virtual machine). Ten
    /// seconds keeps a build's memory for its run and still lets `serve` give back what it no
    /// longer needs.
    pub(crate) fn keep_freed_memory_a_while() {
        // SAFETY: sets one of mimalloc's options, which it reads each time it purges.
        unsafe { mi_option_set(PURGE_DELAY, 10_000) }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// The option number is the purge delay's: read before anything sets it, it has that
        /// option's documented default (unless the environment sets it).
        #[test]
        fn the_option_set_is_the_purge_delay() {
            if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
                // SAFETY: reads one of mimalloc's options.
                assert_eq!(unsafe { mi_option_get(PURGE_DELAY) }, 1_000);
            }
            keep_freed_memory_a_while();
            // SAFETY: as above.
            assert_eq!(unsafe { mi_option_get(PURGE_DELAY) }, 10_000);
        }
    }
}

fn main() -> ExitCode {
    allocator::keep_freed_memory_a_while();
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
