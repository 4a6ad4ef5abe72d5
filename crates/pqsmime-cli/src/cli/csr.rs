//! `pqsmime csr` (RFC 2986 requests; RFC 9883 statements of possession for ML-KEM keys).

use std::path::PathBuf;

use clap::Args;

use super::OutputArg;

const EXAMPLES: &str = "\
EXAMPLES:
  # A request for an ML-DSA signing key (self-signed: proof of possession)
  pqsmime csr --key alice.key --email alice@example.com -o alice.csr

  # An ML-KEM key cannot sign its own request: the signing certificate vouches for it
  # (RFC 9883 statement of possession; subject and mailbox are the certificate's)
  pqsmime csr --key alice-enc.key --email alice@example.com \\
      --possession-cert alice.crt --possession-key alice.key -o alice-enc.csr

  # Check what a request holds
  openssl req -in alice.csr -noout -verify -text";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct CsrArgs {
    /// The subject's private key (the key to be certified)
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,

    /// The subject's email address (subjectAltName in the extensionRequest attribute)
    #[arg(long, value_name = "ADDR")]
    pub email: String,

    /// Subject distinguished name instead of 'CN=<email>' (or, with --possession-cert, the
    /// certificate's subject); a CA takes only the key and the mailbox it validated
    #[arg(long, value_name = "DN")]
    pub subject: Option<String>,

    /// Signing certificate that vouches for a key that cannot sign (RFC 9883)
    #[arg(long, value_name = "CRT", requires = "possession_key")]
    pub possession_cert: Option<PathBuf>,

    /// Private key of --possession-cert
    #[arg(long, value_name = "KEY", requires = "possession_cert")]
    pub possession_key: Option<PathBuf>,

    /// Write DER instead of PEM
    #[arg(long)]
    pub der: bool,

    #[command(flatten)]
    pub output: OutputArg,
}
