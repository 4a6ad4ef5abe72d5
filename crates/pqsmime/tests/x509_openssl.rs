//! OpenSSL 4 accepts the certificates pqsmime issues: `openssl x509 -text` reads them and
//! `openssl verify -purpose smimesign|smimeencrypt` validates them against the issuing CA.
//!
//! The OpenSSL 4 binary is taken from `PQSMIME_OPENSSL` or
//! `~/.cache/pqsmime/openssl-4.0.3/bin/openssl`; build it with `.ci/build-openssl4.sh`.

mod x509_common;

use std::path::{Path, PathBuf};
use std::process::Command;

use pqsmime::x509::{Certificate, CertificateBuilder, Usage};
use x509_common::*;

fn openssl() -> PathBuf {
    if let Some(p) = std::env::var_os("PQSMIME_OPENSSL") {
        let p = PathBuf::from(p);
        assert!(p.exists(), "PQSMIME_OPENSSL={} does not exist", p.display());
        return p;
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let p = home.join(".cache/pqsmime/openssl-4.0.3/bin/openssl");
    assert!(
        p.exists(),
        "OpenSSL 4 not found: set PQSMIME_OPENSSL or run .ci/build-openssl4.sh (expected {})",
        p.display()
    );
    p
}

fn run(bin: &Path, args: &[&str]) -> (bool, String) {
    let mut cmd = Command::new(bin);
    cmd.args(args);
    if let Some(conf) = bin
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("ssl/openssl.cnf"))
    {
        if conf.exists() {
            cmd.env("OPENSSL_CONF", conf);
        }
    }
    let out = cmd.output().expect("run openssl");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn write(dir: &Path, name: &str, c: &Certificate) -> String {
    let p = dir.join(name);
    std::fs::write(&p, c.to_pem()).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn openssl_4_reads_and_verifies_issued_certificates() {
    let bin = openssl();
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, Usage, &str); 11] = [
        ("ml-dsa-65", "ec-p256", Usage::Encrypt, "id-ecPublicKey"),
        ("ml-dsa-65", "ml-dsa-65", Usage::Sign, "ML-DSA-65"),
        ("ml-dsa-65", "ml-kem-768", Usage::Encrypt, "ML-KEM-768"),
        ("ml-dsa-65", "rsa-2048", Usage::Sign, "rsaEncryption"),
        ("ml-dsa-65", "rsa-2048", Usage::Encrypt, "rsaEncryption"),
        ("ml-dsa-65", "ec-p256", Usage::Sign, "id-ecPublicKey"),
        ("ml-dsa-65", "ed25519", Usage::Sign, "ED25519"),
        (
            "ml-dsa-65",
            "slh-dsa-sha2-128f",
            Usage::Sign,
            "SLH-DSA-SHA2-128f",
        ),
        ("rsa-2048", "ml-dsa-44", Usage::Sign, "ML-DSA-44"),
        ("ec-p384", "ml-kem-1024", Usage::Encrypt, "ML-KEM-1024"),
        ("slh-dsa-sha2-128f", "ml-dsa-87", Usage::Sign, "ML-DSA-87"),
    ];
    let mut failures = Vec::new();
    for (i, (ca_kind, ee_kind, usage, key_text)) in cases.into_iter().enumerate() {
        let ca_key = key(ca_kind);
        let ca = root("CN=Interop Root,O=pqsmime,C=DE", &ca_key);
        let k = key(ee_kind);
        let c = CertificateBuilder::end_entity("alice@example.com", &k.public_key(), usage)
            .unwrap()
            .non_repudiation(usage == Usage::Sign)
            .sign(Some((&ca, &ca_key)))
            .unwrap();
        let ca_path = write(dir.path(), &format!("ca{i}.pem"), &ca);
        let ee_path = write(dir.path(), &format!("ee{i}.pem"), &c);
        let label = format!("{ee_kind} {usage:?} by {ca_kind}");

        let (ok, text) = run(&bin, &["x509", "-in", &ee_path, "-noout", "-text"]);
        if !ok {
            failures.push(format!("{label}: x509 -text failed: {text}"));
            continue;
        }
        for needle in [
            "Version: 3 (0x2)",
            "Issuer: C=DE, O=pqsmime, CN=Interop Root",
            "Subject: CN=alice@example.com",
            key_text,
            "X509v3 Basic Constraints: critical",
            "CA:FALSE",
            "X509v3 Key Usage: critical",
            "E-mail Protection",
            "email:alice@example.com",
            "X509v3 Subject Key Identifier",
            "X509v3 Authority Key Identifier",
        ] {
            if !text.contains(needle) {
                failures.push(format!("{label}: x509 -text lacks '{needle}':\n{text}"));
            }
        }
        let (ok, text) = run(&bin, &["x509", "-in", &ca_path, "-noout", "-text"]);
        if !ok || !text.contains("CA:TRUE") || !text.contains("Certificate Sign, CRL Sign") {
            failures.push(format!("{label}: CA certificate text: {text}"));
        }
        // OpenSSL's smimeencrypt purpose insists on keyEncipherment, which RFC 8813 and the
        // S/MIME BR forbid for EC keys (they get keyAgreement); for those, check the chain
        // without a purpose and that OpenSSL names the purpose as the only objection.
        let ec_agreement = usage == Usage::Encrypt && ee_kind.starts_with("ec-");
        let purpose = match usage {
            Usage::Sign | Usage::Both => "smimesign",
            Usage::Encrypt => "smimeencrypt",
        };
        let (ok, text) = run(
            &bin,
            &["verify", "-CAfile", &ca_path, "-purpose", purpose, &ee_path],
        );
        if ec_agreement {
            if ok || !text.contains("unsuitable certificate purpose") {
                failures.push(format!(
                    "{label}: expected OpenSSL's purpose objection: {text}"
                ));
            }
            let (ok, text) = run(&bin, &["verify", "-CAfile", &ca_path, &ee_path]);
            if !ok || !text.contains(": OK") {
                failures.push(format!("{label}: openssl verify: {text}"));
            }
        } else if !ok || !text.contains(": OK") {
            failures.push(format!(
                "{label}: openssl verify -purpose {purpose}: {text}"
            ));
        }
        // the CA also verifies itself
        let (ok, text) = run(&bin, &["verify", "-CAfile", &ca_path, &ca_path]);
        if !ok {
            failures.push(format!("{label}: root does not verify: {text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn openssl_4_refuses_a_tampered_certificate() {
    // the negative control: the same check fails when the signature is broken
    let bin = openssl();
    let dir = tempfile::tempdir().unwrap();
    let ca_key = key("ml-dsa-44");
    let ca = root("CN=Root", &ca_key);
    let k = key("ml-dsa-44");
    let c = ee("alice@example.com", &k, Usage::Sign, &ca, &ca_key);
    let mut der = c.der().to_vec();
    let last = der.len() - 1;
    der[last] ^= 1;
    let broken = Certificate::from_der(&der).unwrap();
    let ca_path = write(dir.path(), "ca.pem", &ca);
    let ee_path = write(dir.path(), "ee.pem", &broken);
    let (ok, text) = run(
        &bin,
        &[
            "verify",
            "-CAfile",
            &ca_path,
            "-purpose",
            "smimesign",
            &ee_path,
        ],
    );
    assert!(!ok, "OpenSSL accepted a broken signature: {text}");
}
