//! `pqsmime sign`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use pqsmime::alg::DigestAlgorithm;

use super::{Format, InputArg, OutputArg};

const EXAMPLES: &str = "\
EXAMPLES:
  # Clear-signed S/MIME (multipart/signed) with an ML-DSA key
  pqsmime sign --cert alice.crt --key alice.key -o signed.eml message.eml

  # Two signers, so that old and new clients can both verify
  pqsmime sign --cert alice.crt --key alice.key \\
      --cert alice-ec.crt --key alice-ec.key -o signed.eml message.eml

  # Advertise the ML-KEM encryption certificate and include the CA chain
  pqsmime sign --cert alice.crt --key alice.key --encryption-cert alice-enc.crt \\
      --chain ca.crt -o signed.eml message.eml

  # CMS SignedData with the content inside, PEM encoded
  pqsmime sign --cert alice.crt --key alice.key --format pem -o data.pem data.bin

WHOLE MESSAGES:
  A complete RFC 5322 message (an .eml file) keeps its header fields outside the signature
  (From, To, Subject, Date, Message-ID, ..., byte for byte) and becomes a complete signed
  message for an MTA. The MIME body is signed in canonical form (CRLF); parts that would
  not survive relays (8-bit text, long lines, trailing white space, lines starting with
  'From ') are re-encoded as quoted-printable or base64 first (RFC 8551 §3.1), with a note
  on stderr. The header fields are also copied into the signed part with hp=\"clear\"
  (RFC 9788) unless --no-header-protection is given. To sign and encrypt in one step use
  `pqsmime protect`.

MICALG:
  multipart/signed needs a micalg token for each signer's digest (RFC 8551 §3.5.3.2);
  only sha-256, sha-384 and sha-512 have one. When a signer uses SHA-3 or SHAKE (for
  example SLH-DSA-SHAKE), `--format smime` without --detached produces the opaque form
  (application/pkcs7-mime; smime-type=signed-data) instead, with a note on stderr, and
  an explicit --detached is refused.";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct SignArgs {
    /// Signer certificate (repeatable; pairs with the --key in the same position).
    /// Further certificates in the same file are included as chain certificates
    #[arg(long, value_name = "CRT", action = clap::ArgAction::Append, required = true)]
    pub cert: Vec<PathBuf>,

    /// Signer private key (repeatable; one per --cert, in the same order)
    #[arg(long, value_name = "KEY", action = clap::ArgAction::Append, required = true)]
    pub key: Vec<PathBuf>,

    /// More certificates to include, e.g. intermediate CAs (repeatable)
    #[arg(long, value_name = "CRT", action = clap::ArgAction::Append)]
    pub chain: Vec<PathBuf>,

    /// Leave the content out of the SignedData (default for --format smime:
    /// multipart/signed)
    #[arg(long, conflicts_with = "opaque")]
    pub detached: bool,

    /// Put the content inside the SignedData (default for --format der and pem;
    /// application/pkcs7-mime for smime)
    #[arg(long)]
    pub opaque: bool,

    /// The signer's separate encryption certificate, advertised with
    /// SMIMEEncryptionKeyPreference and included
    #[arg(long, value_name = "CRT")]
    pub encryption_cert: Option<PathBuf>,

    /// Output format
    #[arg(long, value_enum, value_name = "F", default_value = "smime")]
    pub format: Format,

    /// Do not copy the message's header fields into the signed part (RFC 9788 header
    /// protection is on by default for whole messages)
    #[arg(long)]
    pub no_header_protection: bool,

    /// Message digest for every signer instead of each algorithm's default
    /// (must suit the algorithm, e.g. ML-DSA-87 needs 512-bit output)
    #[arg(long, value_enum, value_name = "DIGEST")]
    pub digest: Option<DigestArg>,

    #[command(flatten)]
    pub output: OutputArg,

    #[command(flatten)]
    pub input: InputArg,
}

/// `--digest` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DigestArg {
    Sha256,
    Sha384,
    Sha512,
    #[value(name = "sha3-256")]
    Sha3_256,
    #[value(name = "sha3-384")]
    Sha3_384,
    #[value(name = "sha3-512")]
    Sha3_512,
    Shake128,
    Shake256,
}

impl DigestArg {
    pub fn algorithm(self) -> DigestAlgorithm {
        match self {
            DigestArg::Sha256 => DigestAlgorithm::Sha256,
            DigestArg::Sha384 => DigestAlgorithm::Sha384,
            DigestArg::Sha512 => DigestAlgorithm::Sha512,
            DigestArg::Sha3_256 => DigestAlgorithm::Sha3_256,
            DigestArg::Sha3_384 => DigestAlgorithm::Sha3_384,
            DigestArg::Sha3_512 => DigestAlgorithm::Sha3_512,
            DigestArg::Shake128 => DigestAlgorithm::Shake128,
            DigestArg::Shake256 => DigestAlgorithm::Shake256,
        }
    }
}
