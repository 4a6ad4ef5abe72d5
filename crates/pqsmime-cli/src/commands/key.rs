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

    #[cfg(unix)]
    #[test]
    fn key_gen_writes_0600_and_refuses_to_overwrite_without_force() {
        use std::os::unix::fs::PermissionsExt;
        use std::process::ExitCode;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alice.key");
        let p = path.to_str().unwrap();
        let run = |extra: &[&str]| {
            let mut args = vec!["pqsmime", "key", "gen", "--alg", "ed25519", "-o", p];
            args.extend_from_slice(extra);
            crate::app::main_with_args(args)
        };
        assert_eq!(run(&[]), ExitCode::SUCCESS);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let first = std::fs::read(&path).unwrap();
        assert!(first.starts_with(b"-----BEGIN PRIVATE KEY-----"));
        assert!(PrivateKey::from_pem_or_der(&first).is_ok());

        assert_eq!(run(&[]), ExitCode::from(2));
        assert_eq!(
            std::fs::read(&path).unwrap(),
            first,
            "refused overwrite changed the file"
        );

        assert_eq!(run(&["--force"]), ExitCode::SUCCESS);
        let second = std::fs::read(&path).unwrap();
        assert_ne!(second, first, "--force did not write a new key");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn key_pub_reads_a_private_key_or_a_certificate_file() {
        let dir = tempfile::tempdir().unwrap();
        let key = PrivateKey::generate(KeyKind::Ed25519).unwrap();
        let key_path = dir.path().join("k.pem");
        std::fs::write(&key_path, key.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
        let from_key = read_public(&key_path).unwrap();
        assert!(from_key == key.public_key());
        let garbage = dir.path().join("g");
        std::fs::write(&garbage, b"\x30\x03\x02\x01\x00").unwrap();
        let e = read_public(&garbage).unwrap_err();
        assert_eq!(e.exit.code(), 2);
        assert!(e.message.contains("reading private key"), "{}", e.message);
    }

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
