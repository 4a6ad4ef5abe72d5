//! `pqsmime lint`: not implemented yet (S/MIME Baseline Requirements checks belong to a later
//! issue).

use std::process::ExitCode;

use crate::cli::lint::LintArgs;
use crate::error::{CliError, CliResult};

pub fn run(_args: LintArgs) -> CliResult<ExitCode> {
    Err(CliError::not_implemented("pqsmime lint"))
}
