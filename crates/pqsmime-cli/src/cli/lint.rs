//! `pqsmime lint`.

use std::path::PathBuf;

use clap::Args;

use super::Profile;

const EXAMPLES: &str = "\
EXAMPLES:
  pqsmime lint alice.crt alice-enc.crt
  pqsmime lint --profile mailbox-legacy --json old.crt";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct LintArgs {
    /// Profile to check against; by default taken from the certificate's policy OID
    #[arg(long, value_enum, value_name = "PROFILE")]
    pub profile: Option<Profile>,

    /// Print one JSON object on standard output (the findings go to standard error)
    #[arg(long)]
    pub json: bool,

    /// Certificates to check
    #[arg(value_name = "CRT", required = true)]
    pub certs: Vec<PathBuf>,
}
