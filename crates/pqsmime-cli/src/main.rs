//! `pqsmime`: quantum-safe S/MIME and CMS from the command line.
//!
//! The command-line contract is `shared/spec/cli.md`. Layout follows Sequoia's `sq`:
//! [`cli`] holds one clap file per command (arguments and help), [`commands`] one file per
//! command (what it does). [`app::run`] ties them together and returns the exit code, so tests
//! can drive it without a process; `main` only installs the panic hook and prints errors.

mod app;
mod cli;
mod commands;
mod error;
mod io;
mod pem;
mod tree;

use std::process::ExitCode;

fn main() -> ExitCode {
    app::install_panic_hook();
    app::main_with_args(std::env::args_os())
}
