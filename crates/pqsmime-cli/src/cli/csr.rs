//! `pqsmime csr` (RFC 2986 / RFC 9883). Not implemented yet; the arguments are the contract.

use std::path::PathBuf;

use clap::Args;

use super::OutputArg;

const EXAMPLES: &str = "\
EXAMPLES:
  # A request for an ML-DSA signing key
  pqsmime csr --key alice.key --email alice@example.com -o alice.csr

  # An ML-KEM key cannot sign its own request: the signing certificate vouches for it
  pqsmime csr --key alice-enc.key --email alice@example.com \\
      --possession-cert alice.crt --possession-key alice.key -o alice-enc.csr";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct CsrArgs {
    /// The subject's private key
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,

    /// The subject's email address
    #[arg(long, value_name = "ADDR")]
    pub email: String,

    /// Signing certificate that vouches for a key that cannot sign (RFC 9883)
    #[arg(long, value_name = "CRT", requires = "possession_key")]
    pub possession_cert: Option<PathBuf>,

    /// Private key of --possession-cert
    #[arg(long, value_name = "KEY", requires = "possession_cert")]
    pub possession_key: Option<PathBuf>,

    #[command(flatten)]
    pub output: OutputArg,
}
