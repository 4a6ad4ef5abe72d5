//! `pqsmime encrypt`: not implemented yet; the encryption layer is being built in the library.
//!
//! The seam: [`EncryptArgs`] (in `cli/encrypt.rs`) carries the contract's flags. An
//! implementation loads each `--to` certificate with [`super::load_cert_and_rest`], reads the
//! input like `sign` does (canonicalize for `--format smime`), calls the library's
//! EnvelopedData / AuthEnvelopedData builder with one recipient per certificate
//! (KEMRecipientInfo for ML-KEM, RSA-OAEP ktri, ECDH kari) and [`EncryptArgs::cipher`], and
//! writes `smime::pkcs7_mime(der, "authEnveloped-data" | "enveloped-data")`, PEM `CMS` or DER
//! through [`crate::io::Output`].

use std::process::ExitCode;

pub use crate::cli::encrypt::{Cipher, EncryptArgs};
use crate::error::{CliError, CliResult};

pub fn run(_args: EncryptArgs) -> CliResult<ExitCode> {
    Err(CliError::not_implemented("pqsmime encrypt"))
}

/// The smime-type an encrypted message gets (RFC 8551 §3.2.2; exact case).
#[allow(dead_code)]
pub fn smime_type(cipher: Cipher) -> &'static str {
    if cipher.is_aead() {
        "authEnveloped-data"
    } else {
        "enveloped-data"
    }
}
