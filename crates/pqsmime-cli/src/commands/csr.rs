//! `pqsmime csr`: not implemented yet (RFC 2986 requests and RFC 9883 statements of
//! possession for ML-KEM keys belong to a later issue).

use std::process::ExitCode;

use crate::cli::csr::CsrArgs;
use crate::error::{CliError, CliResult};

pub fn run(_args: CsrArgs) -> CliResult<ExitCode> {
    Err(CliError::not_implemented("pqsmime csr"))
}
