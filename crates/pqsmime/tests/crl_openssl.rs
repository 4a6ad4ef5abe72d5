//! CRL interoperability with OpenSSL 4: it verifies the CRLs we sign (ML-DSA-44/65/87, ECDSA,
//! RSA, Ed25519 issuers), prints our reason codes and CRL numbers, and `openssl verify
//! -crl_check` finds our revocations; in the other direction we read a CRL made by
//! `openssl ca -gencrl` and our path validation sees its revocation.
// `&[cert.clone()]` reads better than `std::slice::from_ref(&cert)` in these tables of cases.
#![allow(clippy::cloned_ref_to_slice_refs)]

mod x509_common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use pqsmime::x509::{
    validate_path_with_crls, Certificate, CertificateBuilder, Crl, CrlBuilder, Purpose,
    RevocationReason, Usage,
};
use x509_common::*;

fn openssl() -> PathBuf {
    if let Some(p) = std::env::var_os("PQSMIME_OPENSSL") {
        return PathBuf::from(p);
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

fn run(bin: &Path, args: &[&str], cwd: Option<&Path>) -> (bool, String) {
    let mut cmd = Command::new(bin);
    cmd.args(args);
    if let Some(d) = cwd {
        cmd.current_dir(d);
    }
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
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn openssl_verifies_our_crls_and_sees_revocations() {
    let bin = openssl();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut failures = Vec::new();
    for alg in [
        "ml-dsa-44",
        "ml-dsa-65",
        "ml-dsa-87",
        "ec-p256",
        "ec-p384",
        "rsa-2048",
        "ed25519",
    ] {
        let ca_key = key(alg);
        let ca = root(&format!("CN=CRL interop {alg},O=Example Ltd,C=GB"), &ca_key);
        let ee_key = key("ml-dsa-44");
        let revoked = ee("revoked@example.com", &ee_key, Usage::Sign, &ca, &ca_key);
        let fine = ee("fine@example.com", &ee_key, Usage::Sign, &ca, &ca_key);
        let crl = CrlBuilder::new(&ca, &ca_key)
            .unwrap()
            .number(&[0x2A])
            .unwrap()
            .revoke_certificate(
                &revoked,
                SystemTime::now(),
                Some(RevocationReason::KeyCompromise),
            )
            .unwrap()
            .revoke(
                &[0x7F, 0x01],
                SystemTime::now(),
                Some(RevocationReason::Superseded),
            )
            .unwrap()
            .sign()
            .unwrap();
        let ca_p = write(d, &format!("{alg}-ca.pem"), &ca.to_pem());
        let crl_p = write(d, &format!("{alg}.crl"), &crl.to_pem());
        let rev_p = write(d, &format!("{alg}-revoked.pem"), &revoked.to_pem());
        let fine_p = write(d, &format!("{alg}-fine.pem"), &fine.to_pem());
        let (ok, text) = run(
            &bin,
            &["crl", "-in", &crl_p, "-CAfile", &ca_p, "-noout"],
            None,
        );
        if !ok || !text.contains("verify OK") {
            failures.push(format!("{alg}: openssl crl -CAfile: {text}"));
        }
        let (ok, text) = run(&bin, &["crl", "-in", &crl_p, "-noout", "-text"], None);
        if !ok
            || !text.contains("Key Compromise")
            || !text.contains("Superseded")
            || !text.contains("X509v3 CRL Number")
            || !text.contains("42")
        {
            failures.push(format!("{alg}: openssl crl -text: {text}"));
        }
        let (ok, text) = run(
            &bin,
            &[
                "verify",
                "-crl_check",
                "-CRLfile",
                &crl_p,
                "-CAfile",
                &ca_p,
                &rev_p,
            ],
            None,
        );
        if ok || !text.contains("certificate revoked") {
            failures.push(format!("{alg}: openssl verify (revoked): {text}"));
        }
        let (ok, text) = run(
            &bin,
            &[
                "verify",
                "-crl_check",
                "-CRLfile",
                &crl_p,
                "-CAfile",
                &ca_p,
                &fine_p,
            ],
            None,
        );
        if !ok {
            failures.push(format!("{alg}: openssl verify (not revoked): {text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn we_read_a_crl_made_by_openssl_ca() {
    let bin = openssl();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // An OpenSSL CA (EC P-256) with a minimal `openssl ca` configuration.
    std::fs::write(d.join("index.txt"), "").unwrap();
    std::fs::write(d.join("crlnumber"), "1000\n").unwrap();
    std::fs::write(
        d.join("ca.cnf"),
        "[ca]\ndefault_ca = CA_default\n[CA_default]\ndir = .\ndatabase = ./index.txt\n\
         crlnumber = ./crlnumber\ncertificate = ./ca.pem\nprivate_key = ./ca.key\n\
         default_md = sha256\ndefault_crl_days = 7\ncrl_extensions = crl_ext\n\
         [crl_ext]\nauthorityKeyIdentifier = keyid:always\n\
         [req]\ndistinguished_name = dn\nx509_extensions = v3_ca\nprompt = no\n[dn]\nCN = OpenSSL CRL CA\n\
         [v3_ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n\
         subjectKeyIdentifier = hash\n",
    )
    .unwrap();
    let (ok, text) = run(
        &bin,
        &[
            "req",
            "-x509",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "30",
            "-config",
            "ca.cnf",
        ],
        Some(d),
    );
    assert!(ok, "{text}");
    let ca = Certificate::from_pem_or_der(&std::fs::read(d.join("ca.pem")).unwrap())
        .unwrap()
        .remove(0);
    // We issue an end entity with the OpenSSL CA's key, then OpenSSL revokes it.
    let ca_key =
        pqsmime::keys::PrivateKey::from_pem_or_der(&std::fs::read(d.join("ca.key")).unwrap())
            .unwrap();
    let ee_key = key("ed25519");
    let alice =
        CertificateBuilder::end_entity("alice@example.com", &ee_key.public_key(), Usage::Sign)
            .unwrap()
            .sign(Some((&ca, &ca_key)))
            .unwrap();
    std::fs::write(d.join("alice.pem"), alice.to_pem()).unwrap();
    let (ok, text) = run(
        &bin,
        &[
            "ca",
            "-config",
            "ca.cnf",
            "-revoke",
            "alice.pem",
            "-crl_reason",
            "keyCompromise",
        ],
        Some(d),
    );
    assert!(ok, "{text}");
    let (ok, text) = run(
        &bin,
        &["ca", "-config", "ca.cnf", "-gencrl", "-out", "ossl.crl"],
        Some(d),
    );
    assert!(ok, "{text}");
    let crls = Crl::from_pem_or_der(&std::fs::read(d.join("ossl.crl")).unwrap()).unwrap();
    let crl = &crls[0];
    assert_eq!(crl.crl_number_hex().as_deref(), Some("1000"));
    let entry = crl.find(alice.serial_bytes()).expect("alice is listed");
    assert_eq!(entry.reason, Some(RevocationReason::KeyCompromise));
    crl.check_issued_by(&ca, SystemTime::now()).unwrap();
    let e = validate_path_with_crls(
        &alice,
        &[],
        &[ca.clone()],
        &crls,
        SystemTime::now(),
        Purpose::EmailSigning,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("is revoked") && e.contains("keyCompromise"),
        "{e}"
    );
}
