//! `pqsmime protect`: sign, then encrypt, a whole message in one step.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use pqsmime::cms::enveloped::ContentCipher;

use super::sign::DigestArg;
use super::{InputArg, OutputArg};

const EXAMPLES: &str = "\
EXAMPLES:
  # Alice signs with ML-DSA-65 and ECDSA (so old clients can verify too), advertises her
  # ML-KEM encryption certificate, and encrypts to Bob (ML-KEM), Carol (RSA) and herself
  pqsmime protect --cert alice.crt --key alice.key --cert alice-ec.crt --key alice-ec.key \\
      --encryption-cert alice-enc.crt --to bob-enc.crt --to carol.crt \\
      -o outgoing.eml message.eml

WHAT IT MAKES:
  Sign-then-encrypt (RFC 8551 §3.7): the message body is signed (multipart/signed, or
  application/pkcs7-mime signed-data with --opaque) and the signed entity is encrypted
  (authEnveloped-data with AES-GCM, enveloped-data with AES-CBC). The outer header keeps
  From, To, Date, Message-ID, ... for delivery; Subject becomes [...] and the real header
  fields travel inside, marked hp=\"cipher\" (RFC 9788), unless --no-header-protection.
  The signature carries SMIMECapabilities and, with --encryption-cert,
  SMIMEEncryptionKeyPreference and that certificate, so the recipients can reply
  encrypted. The --encryption-cert is also a recipient (the sender can read the sent copy)
  unless --no-encrypt-to-self.

  The recipients read it with:
  pqsmime verify --trust ca.crt --decrypt-cert bob-enc.crt --decrypt-key bob-enc.key \\
      -o message.eml outgoing.eml";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct ProtectArgs {
    /// Signer certificate (repeatable; pairs with the --key in the same position)
    #[arg(long, value_name = "CRT", action = clap::ArgAction::Append, required = true)]
    pub cert: Vec<PathBuf>,

    /// Signer private key (repeatable; one per --cert, in the same order)
    #[arg(long, value_name = "KEY", action = clap::ArgAction::Append, required = true)]
    pub key: Vec<PathBuf>,

    /// More certificates to include in the signature, e.g. intermediate CAs (repeatable)
    #[arg(long, value_name = "CRT", action = clap::ArgAction::Append)]
    pub chain: Vec<PathBuf>,

    /// The sender's own encryption certificate: advertised with SMIMEEncryptionKeyPreference,
    /// included in the signature, and added as a recipient
    #[arg(long, value_name = "CRT")]
    pub encryption_cert: Option<PathBuf>,

    /// Do not add --encryption-cert as a recipient
    #[arg(long, requires = "encryption_cert")]
    pub no_encrypt_to_self: bool,

    /// Recipient certificate: ML-KEM, RSA or EC (repeatable)
    #[arg(long, value_name = "CRT", action = clap::ArgAction::Append, required = true)]
    pub to: Vec<PathBuf>,

    /// Content encryption; GCM makes AuthEnvelopedData, CBC EnvelopedData
    #[arg(long, value_enum, value_name = "CIPHER", default_value = "aes-256-gcm")]
    pub cipher: ProtectCipher,

    /// Sign in the opaque form (application/pkcs7-mime signed-data) inside the encryption
    #[arg(long)]
    pub opaque: bool,

    /// Do not copy the header fields inside or obscure the outer Subject (RFC 9788)
    #[arg(long)]
    pub no_header_protection: bool,

    /// Message digest for every signer instead of each algorithm's default
    #[arg(long, value_enum, value_name = "DIGEST")]
    pub digest: Option<DigestArg>,

    #[command(flatten)]
    pub output: OutputArg,

    #[command(flatten)]
    pub input: InputArg,
}

/// `--cipher` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProtectCipher {
    #[value(name = "aes-256-gcm")]
    Aes256Gcm,
    #[value(name = "aes-128-gcm")]
    Aes128Gcm,
    #[value(name = "aes-256-cbc")]
    Aes256Cbc,
    #[value(name = "aes-128-cbc")]
    Aes128Cbc,
}

impl ProtectCipher {
    pub fn content_cipher(self) -> ContentCipher {
        match self {
            ProtectCipher::Aes256Gcm => ContentCipher::Aes256Gcm,
            ProtectCipher::Aes128Gcm => ContentCipher::Aes128Gcm,
            ProtectCipher::Aes256Cbc => ContentCipher::Aes256Cbc,
            ProtectCipher::Aes128Cbc => ContentCipher::Aes128Cbc,
        }
    }
}
