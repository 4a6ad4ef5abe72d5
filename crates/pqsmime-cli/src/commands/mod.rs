//! What each command does; one file per command, arguments in [`crate::cli`].

use std::path::Path;

use pqsmime::keys::{PrivateKey, PublicKey};
use pqsmime::x509::Certificate;
use zeroize::Zeroizing;

use crate::error::{CliError, CliResult, Context};
use crate::io::read_file;

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

/// Every certificate in a PEM bundle or the one in a DER file; `what` names the role
/// ("signer certificate", "trust anchor") for messages.
pub fn load_certs(path: &Path, what: &str) -> CliResult<Vec<Certificate>> {
    let data = read_file(path, what)?;
    let certs =
        Certificate::from_pem_or_der(&data).ctx(|| format!("reading {what} {}", path.display()))?;
    if certs.is_empty() {
        return Err(CliError::input(format!(
            "{} holds no certificate (expected the {what})",
            path.display()
        )));
    }
    Ok(certs)
}

/// The first certificate of a file, and any further ones (chain certificates in the same file).
pub fn load_cert_and_rest(path: &Path, what: &str) -> CliResult<(Certificate, Vec<Certificate>)> {
    let mut certs = load_certs(path, what)?;
    let first = certs.remove(0);
    Ok((first, certs))
}

/// A private key (PKCS#8 PEM or DER). The file bytes are wiped after parsing.
pub fn load_private_key(path: &Path, what: &str) -> CliResult<PrivateKey> {
    let data = Zeroizing::new(read_file(path, what)?);
    PrivateKey::from_pem_or_der(&data).ctx(|| format!("reading {what} {}", path.display()))
}

/// A public key (SubjectPublicKeyInfo PEM or DER).
pub fn load_public_key(path: &Path, what: &str) -> CliResult<PublicKey> {
    let data = read_file(path, what)?;
    PublicKey::from_pem_or_der(&data).ctx(|| format!("reading {what} {}", path.display()))
}
