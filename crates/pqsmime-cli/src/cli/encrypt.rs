//! `pqsmime encrypt`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{Format, InputArg, OutputArg};

const EXAMPLES: &str = "\
EXAMPLES:
  # To an ML-KEM certificate and an RSA certificate, AES-256-GCM (AuthEnvelopedData)
  pqsmime encrypt --to bob-enc.crt --to carol-rsa.crt -o encrypted.eml message.eml

  # EnvelopedData with AES-128-CBC for old clients
  pqsmime encrypt --to bob-enc.crt --cipher aes-128-cbc -o encrypted.eml message.eml";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct EncryptArgs {
    /// Recipient certificate: ML-KEM (KEMRecipientInfo), RSA (RSA-OAEP) or EC (ECDH);
    /// repeatable
    #[arg(long, value_name = "CRT", action = clap::ArgAction::Append, required = true)]
    pub to: Vec<PathBuf>,

    /// Content encryption; GCM makes AuthEnvelopedData, CBC EnvelopedData
    #[arg(long, value_enum, value_name = "CIPHER", default_value = "aes-256-gcm")]
    pub cipher: Cipher,

    /// Output format
    #[arg(long, value_enum, value_name = "F", default_value = "smime")]
    pub format: Format,

    #[command(flatten)]
    pub output: OutputArg,

    #[command(flatten)]
    pub input: InputArg,
}

/// `--cipher` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Cipher {
    #[value(name = "aes-256-gcm")]
    Aes256Gcm,
    #[value(name = "aes-128-gcm")]
    Aes128Gcm,
    #[value(name = "aes-256-cbc")]
    Aes256Cbc,
    #[value(name = "aes-128-cbc")]
    Aes128Cbc,
}

impl Cipher {
    /// Whether the cipher is authenticated (AuthEnvelopedData) rather than CBC (EnvelopedData).
    pub fn is_aead(self) -> bool {
        matches!(self, Cipher::Aes256Gcm | Cipher::Aes128Gcm)
    }
}
