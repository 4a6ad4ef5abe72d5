//! Command-line arguments (clap derive), one file per command, following Sequoia's `sq`:
//! verbs for messages (`sign`, `verify`, `encrypt`, `decrypt`, `inspect`), nouns for objects
//! (`key`, `cert`, `csr`, `lint`). The contract is `shared/spec/cli.md`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub mod cert;
pub mod crl;
pub mod csr;
pub mod decrypt;
pub mod demo;
pub mod encrypt;
pub mod inspect;
pub mod key;
pub mod lint;
pub mod protect;
pub mod sign;
pub mod verify;

const EXAMPLES: &str = "\
EXAMPLES:
  # A CA, a signing key and certificate for Alice, and a signed message
  pqsmime key gen --alg ml-dsa-65 -o ca.key
  pqsmime cert ca --key ca.key --subject 'CN=Test Root,O=Example,C=DE' -o ca.crt
  pqsmime key gen --alg ml-dsa-65 -o alice.key
  pqsmime key pub alice.key -o alice.pub
  pqsmime cert issue --ca-cert ca.crt --ca-key ca.key --pub alice.pub \\
      --email alice@example.com --usage sign --profile test -o alice.crt
  pqsmime sign --cert alice.crt --key alice.key -o signed.eml message.eml
  pqsmime verify --trust ca.crt signed.eml

  # What is in this file?
  pqsmime inspect signed.eml

EXIT STATUS:
  0  success
  1  the message or certificate is bad (signature invalid, chain not trusted,
     decryption failed, lint errors found)
  2  usage or input error (unreadable file, unsupported algorithm, malformed encoding)";

/// Quantum-safe S/MIME and CMS: ML-DSA, SLH-DSA and ML-KEM next to RSA, ECDSA and EdDSA.
#[derive(Debug, Parser)]
#[command(
    name = "pqsmime",
    version,
    about = "Quantum-safe S/MIME and CMS: ML-DSA, SLH-DSA and ML-KEM next to RSA, ECDSA and EdDSA",
    after_help = EXAMPLES,
    propagate_version = true,
    subcommand_required = true,
    arg_required_else_help = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate private keys and extract public keys
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// Make a test CA and issue S/MIME certificates
    #[command(subcommand)]
    Cert(cert::CertCommand),
    /// Make a certificate signing request (RFC 2986; RFC 9883 for ML-KEM keys)
    Csr(csr::CsrArgs),
    /// Issue a certificate revocation list
    Crl(crl::CrlArgs),
    /// Sign a message: S/MIME multipart/signed, or CMS SignedData
    Sign(sign::SignArgs),
    /// Verify a signed message and its signers' certificates
    Verify(verify::VerifyArgs),
    /// Encrypt a message to recipients' certificates (ML-KEM, RSA, EC)
    Encrypt(encrypt::EncryptArgs),
    /// Decrypt a message (S/MIME, PEM or DER) with a recipient certificate and key
    Decrypt(decrypt::DecryptArgs),
    /// Show what a CMS message, certificate, CSR, CRL or key contains
    Inspect(inspect::InspectArgs),
    /// Check certificates against the S/MIME Baseline Requirements
    Lint(lint::LintArgs),
    /// Sign, then encrypt, a whole message in one step
    Protect(protect::ProtectArgs),
    /// Walk through quantum-safe S/MIME: CA, split certificates, a signed and encrypted mail
    Demo(demo::DemoArgs),
}

/// `IN`: a path, or `-`/absent for standard input.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArg {
    /// Input file; `-` or absent reads standard input
    #[arg(value_name = "IN")]
    pub input: Option<PathBuf>,
}

/// `-o OUT`: a path, or absent for standard output.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArg {
    /// Output file; absent (or `-`) writes standard output
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
}

/// `--format` for `sign` and `encrypt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A complete RFC 8551 MIME entity (headers and body, CRLF line endings)
    Smime,
    /// PEM `-----BEGIN CMS-----`
    Pem,
    /// Binary DER (BER with indefinite lengths when streaming large encapsulated content)
    Der,
}

/// S/MIME Baseline Requirements certificate profiles (`cert issue --profile`, `lint --profile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Profile {
    MailboxStrict,
    MailboxMultipurpose,
    OrganizationStrict,
    OrganizationMultipurpose,
    SponsoredStrict,
    SponsoredMultipurpose,
    IndividualStrict,
    IndividualMultipurpose,
    MailboxLegacy,
    OrganizationLegacy,
    SponsoredLegacy,
    IndividualLegacy,
}

impl Profile {
    pub fn name(self) -> &'static str {
        match self {
            Profile::MailboxStrict => "mailbox-strict",
            Profile::MailboxMultipurpose => "mailbox-multipurpose",
            Profile::OrganizationStrict => "organization-strict",
            Profile::OrganizationMultipurpose => "organization-multipurpose",
            Profile::SponsoredStrict => "sponsored-strict",
            Profile::SponsoredMultipurpose => "sponsored-multipurpose",
            Profile::IndividualStrict => "individual-strict",
            Profile::IndividualMultipurpose => "individual-multipurpose",
            Profile::MailboxLegacy => "mailbox-legacy",
            Profile::OrganizationLegacy => "organization-legacy",
            Profile::SponsoredLegacy => "sponsored-legacy",
            Profile::IndividualLegacy => "individual-legacy",
        }
    }

    pub fn is_legacy(self) -> bool {
        matches!(
            self,
            Profile::MailboxLegacy
                | Profile::OrganizationLegacy
                | Profile::SponsoredLegacy
                | Profile::IndividualLegacy
        )
    }
}
