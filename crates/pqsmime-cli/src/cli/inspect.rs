//! `pqsmime inspect`.

use clap::Args;

use super::InputArg;

const EXAMPLES: &str = "\
EXAMPLES:
  # Signers, algorithms and signed attributes of a signed mail
  pqsmime inspect signed.eml

  # A certificate, with every extension in words
  pqsmime inspect alice.crt

  # A key: algorithm and form only, never key material
  pqsmime inspect alice.key

  # A JSON tree for scripts
  pqsmime inspect --json encrypted.eml | jq .";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct InspectArgs {
    /// Print a JSON tree on standard output (the text tree goes to standard error)
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub input: InputArg,
}
