//! `pqsmime verify`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use pqsmime::cms::signed::SignerPolicy;

use super::{InputArg, OutputArg};

const EXAMPLES: &str = "\
EXAMPLES:
  # Verify a signed mail against a trust anchor and save the signed content
  pqsmime verify --trust ca.crt -o content.eml signed.eml

  # Require at least one quantum-safe signer, machine-readable result
  pqsmime verify --trust ca.crt --policy require-pq --json signed.eml

  # A detached DER signature over a file
  pqsmime verify --trust ca.crt --content data.bin data.p7s

  # Check the signatures only, not the certificates
  pqsmime verify --no-chain signed.eml

OUTPUT:
  The signed content goes to OUT (standard output without -o) only when the message is
  valid. The report goes to standard error; with --json one JSON object goes to
  standard output instead of the content:
  {\"valid\", \"signers\": [{\"subject\", \"email\", \"algorithm\", \"quantum_safe\",
   \"signature_valid\", \"chain_valid\", \"error\", ...}], \"content_type\", ...}";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct VerifyArgs {
    /// Trust anchor certificate(s) (repeatable; a file may hold several)
    #[arg(long, value_name = "CRT", action = clap::ArgAction::Append)]
    pub trust: Vec<PathBuf>,

    /// More certificates for finding signers and building chains (repeatable)
    #[arg(long, value_name = "CRT", action = clap::ArgAction::Append)]
    pub certs: Vec<PathBuf>,

    /// The signed content, for a detached DER or PEM signature
    #[arg(long, value_name = "FILE")]
    pub content: Option<PathBuf>,

    /// Check signatures only; do not validate certificate chains
    #[arg(long)]
    pub no_chain: bool,

    /// Which signers must be valid
    #[arg(long, value_enum, value_name = "POLICY", default_value = "any")]
    pub policy: PolicyArg,

    /// Print one JSON object on standard output (the report goes to standard error)
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub output: OutputArg,

    #[command(flatten)]
    pub input: InputArg,
}

/// `--policy` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyArg {
    /// At least one valid signer
    Any,
    /// Every signer valid
    All,
    /// At least one valid signer with a quantum-safe algorithm
    RequirePq,
}

impl PolicyArg {
    pub fn policy(self) -> SignerPolicy {
        match self {
            PolicyArg::Any => SignerPolicy::Any,
            PolicyArg::All => SignerPolicy::All,
            PolicyArg::RequirePq => SignerPolicy::RequirePq,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            PolicyArg::Any => "any",
            PolicyArg::All => "all",
            PolicyArg::RequirePq => "require-pq",
        }
    }
}
