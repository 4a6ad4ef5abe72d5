//! `pqsmime encrypt`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use pqsmime::cms::enveloped::{ContentCipher, KemKdf, KeyWrapAlgorithm};

use super::{Format, InputArg, OutputArg};

const EXAMPLES: &str = "\
EXAMPLES:
  # To an ML-KEM certificate and an RSA certificate, AES-256-GCM (AuthEnvelopedData)
  pqsmime encrypt --to bob-enc.crt --to carol-rsa.crt -o encrypted.eml message.eml

  # EnvelopedData with AES-128-CBC for old clients
  pqsmime encrypt --to bob-enc.crt --cipher aes-128-cbc -o encrypted.eml message.eml

  # Sign, then encrypt, a large file as a stream (CMS in binary), in one pass
  pqsmime encrypt --sign-cert alice.crt --sign-key alice.key --to bob-enc.crt \\
      --format der -o big.tar.p7m big.tar
  # ... which makes the same as the pipe
  pqsmime sign --cert alice.crt --key alice.key --format der < big.tar \\
      | pqsmime encrypt --to bob-enc.crt --format der -o big.tar.p7m

RECIPIENTS:
  ML-KEM certificates get a KEMRecipientInfo (RFC 9629, RFC 9936: HKDF-SHA256 and
  aes128-wrap for ML-KEM-512, aes256-wrap for ML-KEM-768/1024 unless --kem-kdf/--key-wrap
  say otherwise), RSA certificates a KeyTransRecipientInfo (RSAES-OAEP with SHA-256), EC
  P-256/P-384/P-521 and X25519 certificates a KeyAgreeRecipientInfo (ephemeral-static
  ECDH, X9.63 KDF). A certificate whose keyUsage does not allow encryption is refused.

FORMATS:
  smime (default): an application/pkcs7-mime entity (smime-type authEnveloped-data for
  GCM, enveloped-data for CBC) with a base64 body; the input is encrypted in canonical
  form (CRLF line endings). A complete RFC 5322 message (From, To, Subject, ...) keeps
  its header fields outside for delivery and, unless --no-header-protection, carries
  them inside too (RFC 9788; the outer Subject becomes [...]).
  der, pem: a CMS ContentInfo of the input bytes as they are; DER for inputs up to
  1 MiB, BER with indefinite lengths when larger (streamed in constant memory).

SIGN-THEN-ENCRYPT (--sign-cert/--sign-key, --format der or pem):
  The input is signed (SignedData, content encapsulated, BER when streamed) and the
  SignedData is encrypted (as id-data), exactly what `pqsmime sign --format der | pqsmime
  encrypt --format der` makes, but in one process: signing and encryption run on two
  threads joined by a bounded in-memory pipe. Read it back with `pqsmime decrypt --verify`.";

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

    /// Key-derivation function of ML-KEM recipients (default hkdf-sha256, RFC 9936)
    #[arg(long, value_enum, value_name = "KDF")]
    pub kem_kdf: Option<KemKdfArg>,

    /// Key wrap of ML-KEM recipients (default by ML-KEM level: aes128 for ML-KEM-512,
    /// aes256 otherwise)
    #[arg(long, value_enum, value_name = "WRAP")]
    pub key_wrap: Option<KeyWrapArg>,

    /// User keying material (hex) for ML-KEM and ECDH recipients
    #[arg(long, value_name = "HEX")]
    pub ukm: Option<String>,

    /// Sign first with this certificate (repeatable, pairs with --sign-key): a CMS
    /// SignedData with the content inside is made and encrypted in the same streaming pass
    /// (--format der or pem; for S/MIME mail use `pqsmime protect`). Further certificates in
    /// the same file (e.g. the issuing CA) are included as chain certificates
    #[arg(long, value_name = "CRT", action = clap::ArgAction::Append, requires = "sign_key")]
    pub sign_cert: Vec<PathBuf>,

    /// The signer's private key (one per --sign-cert, in the same order)
    #[arg(long, value_name = "KEY", action = clap::ArgAction::Append, requires = "sign_cert")]
    pub sign_key: Vec<PathBuf>,

    /// Do not copy a whole message's header fields into the encrypted part or obscure its
    /// Subject (RFC 9788 header protection is on by default)
    #[arg(long)]
    pub no_header_protection: bool,

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
    /// The library's cipher.
    pub fn content_cipher(self) -> ContentCipher {
        match self {
            Cipher::Aes256Gcm => ContentCipher::Aes256Gcm,
            Cipher::Aes128Gcm => ContentCipher::Aes128Gcm,
            Cipher::Aes256Cbc => ContentCipher::Aes256Cbc,
            Cipher::Aes128Cbc => ContentCipher::Aes128Cbc,
        }
    }
}

/// `--kem-kdf` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KemKdfArg {
    #[value(name = "hkdf-sha256")]
    HkdfSha256,
    #[value(name = "hkdf-sha384")]
    HkdfSha384,
    #[value(name = "hkdf-sha512")]
    HkdfSha512,
}

impl KemKdfArg {
    pub fn kdf(self) -> KemKdf {
        match self {
            KemKdfArg::HkdfSha256 => KemKdf::HkdfSha256,
            KemKdfArg::HkdfSha384 => KemKdf::HkdfSha384,
            KemKdfArg::HkdfSha512 => KemKdf::HkdfSha512,
        }
    }
}

/// `--key-wrap` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyWrapArg {
    /// id-aes128-wrap (RFC 3394)
    Aes128,
    /// id-aes256-wrap (RFC 3394)
    Aes256,
}

impl KeyWrapArg {
    pub fn wrap(self) -> KeyWrapAlgorithm {
        match self {
            KeyWrapArg::Aes128 => KeyWrapAlgorithm::Aes128,
            KeyWrapArg::Aes256 => KeyWrapAlgorithm::Aes256,
        }
    }
}
