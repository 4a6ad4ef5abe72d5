//! `pqsmime decrypt`: not implemented yet; the encryption layer (EnvelopedData,
//! AuthEnvelopedData, KEMRecipientInfo) is being built in the library.
//!
//! Contract (cli.md): find the RecipientInfo for `--cert`, write the content to `-o` or
//! stdout, exit 1 with one generic message for any failure to decrypt (no detail that could
//! serve as a padding or KEM oracle), `--json` prints one object on stdout.

use std::process::ExitCode;

use crate::cli::decrypt::DecryptArgs;
use crate::error::{CliError, CliResult};

pub fn run(_args: DecryptArgs) -> CliResult<ExitCode> {
    Err(CliError::not_implemented("pqsmime decrypt"))
}
