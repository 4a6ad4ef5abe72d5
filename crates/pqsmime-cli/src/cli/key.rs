//! `pqsmime key gen` and `pqsmime key pub`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use pqsmime::alg::KeyKind;

use super::OutputArg;

const GEN_EXAMPLES: &str = "\
EXAMPLES:
  # An ML-DSA-65 signing key (PKCS#8 PEM, seed form), readable only by you
  pqsmime key gen --alg ml-dsa-65 -o alice.key

  # An ML-KEM-768 encryption key
  pqsmime key gen --alg ml-kem-768 -o alice-enc.key

  # A classical key for old clients
  pqsmime key gen --alg ec-p256 -o alice-ec.key";

const PUB_EXAMPLES: &str = "\
EXAMPLES:
  # The SubjectPublicKeyInfo PEM for a certificate request or `cert issue --pub`
  pqsmime key pub alice.key -o alice.pub";

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a private key (PKCS#8 PEM; ML-DSA and ML-KEM in seed form)
    Gen(KeyGenArgs),
    /// Write the public key (SubjectPublicKeyInfo PEM) of a private key or certificate
    Pub(KeyPubArgs),
}

#[derive(Debug, Args)]
#[command(after_help = GEN_EXAMPLES)]
pub struct KeyGenArgs {
    /// Algorithm: ml-dsa-44|65|87, slh-dsa-sha2-128s|128f|192s|192f|256s|256f,
    /// slh-dsa-shake-128s|..., ml-kem-512|768|1024, rsa-2048|3072|4096, ec-p256|p384|p521,
    /// ed25519, x25519
    #[arg(long, value_name = "ALG", value_parser = parse_key_kind)]
    pub alg: KeyKind,

    #[command(flatten)]
    pub output: OutputArg,

    /// Replace an existing output file
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
#[command(after_help = PUB_EXAMPLES)]
pub struct KeyPubArgs {
    /// Private key (PKCS#8 PEM or DER) or certificate; `-` reads standard input
    #[arg(value_name = "KEY")]
    pub key: PathBuf,

    #[command(flatten)]
    pub output: OutputArg,
}

/// `--alg` values: the names of `shared/spec/cli.md`, via the library's registry.
pub fn parse_key_kind(s: &str) -> Result<KeyKind, String> {
    KeyKind::from_name(s).map_err(|_| {
        format!(
            "unknown algorithm '{s}' (known: {})",
            KeyKind::GENERATABLE.join(", ")
        )
    })
}
