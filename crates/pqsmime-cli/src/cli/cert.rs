//! `pqsmime cert ca` and `pqsmime cert issue`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::{OutputArg, Profile};

const CA_EXAMPLES: &str = "\
EXAMPLES:
  # A self-signed ML-DSA-87 root, valid for ten years
  pqsmime key gen --alg ml-dsa-87 -o ca.key
  pqsmime cert ca --key ca.key --subject 'CN=Test Root,O=Example,C=DE' --days 3650 -o ca.crt";

const ISSUE_EXAMPLES: &str = "\
EXAMPLES:
  # A signing certificate for an ML-DSA key
  pqsmime cert issue --ca-cert ca.crt --ca-key ca.key --pub alice.pub \\
      --email alice@example.com --usage sign -o alice.crt

  # An encryption certificate for an ML-KEM key (keyUsage keyEncipherment only)
  pqsmime key pub alice-enc.key -o alice-enc.pub
  pqsmime cert issue --ca-cert ca.crt --ca-key ca.key --pub alice-enc.pub \\
      --email alice@example.com --usage encrypt -o alice-enc.crt";

#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Make a self-signed CA certificate
    Ca(CertCaArgs),
    /// Issue an S/MIME certificate for a public key
    Issue(CertIssueArgs),
}

#[derive(Debug, Args)]
#[command(after_help = CA_EXAMPLES)]
pub struct CertCaArgs {
    /// The CA's private key
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,

    /// Subject distinguished name, e.g. 'CN=Test Root,O=Example,C=DE'
    #[arg(long, value_name = "DN")]
    pub subject: String,

    /// Validity in days from now
    #[arg(long, value_name = "N", default_value_t = 3650,
          value_parser = clap::value_parser!(u32).range(1..=36500))]
    pub days: u32,

    #[command(flatten)]
    pub output: OutputArg,
}

/// What the issued certificate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Usage {
    /// Signing: keyUsage digitalSignature (and nonRepudiation)
    Sign,
    /// Encryption: keyUsage keyEncipherment (KEM, RSA) or keyAgreement (ECDH)
    Encrypt,
}

#[derive(Debug, Args)]
#[command(after_help = ISSUE_EXAMPLES)]
pub struct CertIssueArgs {
    /// The issuing CA's certificate
    #[arg(long, value_name = "CRT")]
    pub ca_cert: PathBuf,

    /// The issuing CA's private key
    #[arg(long, value_name = "KEY")]
    pub ca_key: PathBuf,

    /// The subject's public key (SubjectPublicKeyInfo PEM or DER)
    #[arg(
        long = "pub",
        value_name = "PUB",
        required_unless_present = "csr",
        conflicts_with = "csr"
    )]
    pub public_key: Option<PathBuf>,

    /// A certificate signing request instead of --pub (not supported yet)
    #[arg(long, value_name = "CSR")]
    pub csr: Option<PathBuf>,

    /// The subject's email address (subjectAltName rfc822Name)
    #[arg(long, value_name = "ADDR")]
    pub email: String,

    /// What the certificate is for; by default derived from the key (ML-KEM, X25519:
    /// encrypt; signature keys: sign)
    #[arg(long, value_enum, value_name = "USAGE")]
    pub usage: Option<Usage>,

    /// Subject distinguished name instead of the default 'CN=<email>'
    #[arg(long, value_name = "DN")]
    pub subject: Option<String>,

    /// Signing certificates: also assert nonRepudiation (contentCommitment)
    #[arg(long)]
    pub non_repudiation: bool,

    /// S/MIME Baseline Requirements profile (only mailbox-strict is supported yet)
    #[arg(
        long,
        value_enum,
        value_name = "PROFILE",
        default_value = "mailbox-strict",
        hide_possible_values = true
    )]
    pub profile: Profile,

    /// Validity in days from now
    #[arg(long, value_name = "N", default_value_t = 365,
          value_parser = clap::value_parser!(u32).range(1..=36500))]
    pub days: u32,

    #[command(flatten)]
    pub output: OutputArg,
}
