//! `pqsmime key gen` and `pqsmime key pub`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use pqsmime::alg::KeyKind;
use pqsmime::keys::{PrivateKey, PublicKey};
use pqsmime::x509::Certificate;
use zeroize::Zeroizing;

use crate::cli::key::{KeyCommand, KeyGenArgs, KeyPubArgs};
use crate::error::{CliError, CliResult, Context};
use crate::io::{read_file, Output, Secrecy};
use crate::pem;

pub fn run(c: KeyCommand) -> CliResult<ExitCode> {
    match c {
        KeyCommand::Gen(a) => gen(a),
        KeyCommand::Pub(a) => public(a),
    }
}

fn gen(a: KeyGenArgs) -> CliResult<ExitCode> {
    // Open first, so an existing file is refused before a slow key generation.
    let mut out = Output::create(a.output.output.as_deref(), Secrecy::Private, a.force)?;
    let key = PrivateKey::generate(a.alg).ctx(|| format!("generating a {} key", a.alg.name()))?;
    let pem = key.to_pkcs8_pem()?;
    out.put(pem.as_bytes())?;
    let dest = out.describe();
    out.commit()?;
    let _ = writeln!(std::io::stderr(), "{}", summary(key.kind(), &dest));
    Ok(ExitCode::SUCCESS)
}

/// "wrote ML-DSA-65 private key (seed form) to alice.key"
pub fn summary(kind: KeyKind, dest: &str) -> String {
    let form = match kind {
        KeyKind::MlDsa(_) | KeyKind::MlKem(_) => " (seed form)",
        _ => "",
    };
    format!("wrote {} private key{form} to {dest}", short_name(kind))
}

/// "ML-DSA-65", "SLH-DSA-SHA2-128s", "EC P-256": the description without the standard.
pub fn short_name(kind: KeyKind) -> String {
    let d = kind.description();
    match d.find(" (") {
        Some(i) => d[..i].to_string(),
        None => d,
    }
}

fn public(a: KeyPubArgs) -> CliResult<ExitCode> {
    let public = read_public(&a.key)?;
    let mut out = Output::create(a.output.output.as_deref(), Secrecy::Public, true)?;
    out.put(public.to_pem().as_bytes())?;
    out.commit()?;
    Ok(ExitCode::SUCCESS)
}

/// The public key of a private key, a certificate, or a public key file.
fn read_public(path: &Path) -> CliResult<PublicKey> {
    let data = Zeroizing::new(read_file(path, "key")?);
    let name = path.display();
    let label = if pem::looks_like_pem(&data) {
        pem::decode_all(&data)
            .ctx(|| format!("reading {name}"))?
            .first()
            .map(|b| b.label.clone())
    } else {
        None
    };
    match label.as_deref() {
        Some("CERTIFICATE") => first_cert_key(&data, path),
        Some("PUBLIC KEY") => {
            PublicKey::from_pem_or_der(&data).ctx(|| format!("reading public key {name}"))
        }
        Some("PRIVATE KEY") => Ok(PrivateKey::from_pem_or_der(&data)
            .ctx(|| format!("reading private key {name}"))?
            .public_key()),
        Some(other) => Err(CliError::input(format!(
            "{name} holds a PEM '{other}' block; expected a PRIVATE KEY or CERTIFICATE"
        ))),
        None => match PrivateKey::from_pem_or_der(&data) {
            Ok(k) => Ok(k.public_key()),
            Err(key_err) => first_cert_key(&data, path)
                .or_else(|_| PublicKey::from_pem_or_der(&data).map_err(CliError::from))
                .map_err(|_| {
                    CliError::from(key_err).context(format!("reading private key {name}"))
                }),
        },
    }
}

fn first_cert_key(data: &[u8], path: &Path) -> CliResult<PublicKey> {
    let certs = Certificate::from_pem_or_der(data)
        .ctx(|| format!("reading certificate {}", path.display()))?;
    let first = certs
        .first()
        .ok_or_else(|| CliError::input(format!("{} holds no certificate", path.display())))?;
    first
        .public_key()
        .ctx(|| format!("reading the public key of certificate {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pqsmime::alg::{EcCurve, MlDsaLevel, MlKemLevel, SlhDsaSet};

    #[test]
    fn summary_names_algorithm_form_and_destination() {
        assert_eq!(
            summary(KeyKind::MlDsa(MlDsaLevel::L65), "alice.key"),
            "wrote ML-DSA-65 private key (seed form) to alice.key"
        );
        assert_eq!(
            summary(KeyKind::MlKem(MlKemLevel::L768), "standard output"),
            "wrote ML-KEM-768 private key (seed form) to standard output"
        );
        assert_eq!(
            summary(KeyKind::Ec(EcCurve::P256), "e.key"),
            "wrote EC P-256 private key to e.key"
        );
        assert_eq!(
            short_name(KeyKind::SlhDsa(SlhDsaSet::Shake128s)),
            "SLH-DSA-SHAKE-128s"
        );
    }
}
