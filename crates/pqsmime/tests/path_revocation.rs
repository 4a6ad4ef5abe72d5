//! Revocation checking with CRLs during path validation (RFC 5280 §6.3): revoked end entities
//! and intermediates, stale and future CRLs, CRLs signed by the wrong key or by a CA without
//! cRLSign, the coverage modes, and ML-DSA-signed CRLs. Also the CMS verifier's `crls` option.
// `&[cert.clone()]` reads better than `std::slice::from_ref(&cert)` in these tables of cases.
#![allow(clippy::cloned_ref_to_slice_refs)]

mod x509_common;

use std::time::{Duration, SystemTime};

use pqsmime::cms::signed::{self, SignOptions, Signer, VerifyOptions};
use pqsmime::keys::PrivateKey;
use pqsmime::x509::{
    validate, validate_path_with_crls, Certificate, CertificateBuilder, Crl, CrlBuilder, Extension,
    KeyUsage, PathOptions, Purpose, RevocationCheck, RevocationReason, Usage,
};
use pqsmime::Error;
use x509_common::*;

struct Pki {
    root_key: PrivateKey,
    root: Certificate,
    sub_key: PrivateKey,
    sub: Certificate,
    alice_key: PrivateKey,
    alice: Certificate,
}

/// Root (ML-DSA-65) → Sub (ML-DSA-44) → alice (Ed25519).
fn pki() -> Pki {
    let root_key = key("ml-dsa-65");
    let root = root("CN=CRL Root,O=Example,C=DE", &root_key);
    let sub_key = key("ml-dsa-44");
    let sub = CertificateBuilder::ca("CN=CRL Sub,O=Example,C=DE", &sub_key)
        .unwrap()
        .sign(Some((&root, &root_key)))
        .unwrap();
    let alice_key = key("ed25519");
    let alice = ee("alice@example.com", &alice_key, Usage::Sign, &sub, &sub_key);
    Pki {
        root_key,
        root,
        sub_key,
        sub,
        alice_key,
        alice,
    }
}

fn now() -> SystemTime {
    SystemTime::now()
}

fn run(p: &Pki, crls: &[Crl], mode: RevocationCheck) -> pqsmime::Result<Vec<String>> {
    let inter = [p.sub.clone()];
    let anchors = [p.root.clone()];
    let opts = PathOptions {
        crls,
        revocation: mode,
        ..PathOptions::new(&inter, &anchors, now(), Purpose::EmailSigning)
    };
    validate(&p.alice, &opts).map(|v| v.revocation)
}

fn empty_crl(issuer: &Certificate, k: &PrivateKey) -> Crl {
    CrlBuilder::new(issuer, k).unwrap().sign().unwrap()
}

#[test]
fn revoked_end_entity_fails_with_serial_crl_and_reason() {
    let p = pki();
    let crl = CrlBuilder::new(&p.sub, &p.sub_key)
        .unwrap()
        .revoke_certificate(
            &p.alice,
            now() - Duration::from_secs(60),
            Some(RevocationReason::KeyCompromise),
        )
        .unwrap()
        .sign()
        .unwrap();
    assert_eq!(
        crl.signature_algorithm().unwrap().name(),
        "ML-DSA-44",
        "CRLs are signed with the CA key's algorithm"
    );
    let e = run(&p, &[crl], RevocationCheck::EndEntity).unwrap_err();
    assert!(matches!(e, Error::Certificate(_)), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("revocation check failed (RFC 5280 §6.3)")
            && msg.contains(&format!("(serial {}) is revoked", p.alice.serial_hex()))
            && msg.contains("the CRL of 'CN=CRL Sub,O=Example,C=DE'")
            && msg.contains("reason keyCompromise"),
        "{msg}"
    );
}

#[test]
fn not_revoked_is_reported_and_off_ignores_crls() {
    let p = pki();
    let other = key("ed25519");
    let bob = ee("bob@example.com", &other, Usage::Sign, &p.sub, &p.sub_key);
    let crl = CrlBuilder::new(&p.sub, &p.sub_key)
        .unwrap()
        .revoke_certificate(&bob, now(), Some(RevocationReason::Superseded))
        .unwrap()
        .sign()
        .unwrap();
    let lines = run(&p, &[crl.clone()], RevocationCheck::EndEntity).unwrap();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("'CN=alice@example.com' is not revoked"),
        "{lines:?}"
    );
    // With revocation off, a CRL revoking alice is ignored.
    let revoking = CrlBuilder::new(&p.sub, &p.sub_key)
        .unwrap()
        .revoke_certificate(&p.alice, now(), None)
        .unwrap()
        .sign()
        .unwrap();
    assert!(run(&p, &[revoking], RevocationCheck::Off)
        .unwrap()
        .is_empty());
}

#[test]
fn coverage_modes() {
    let p = pki();
    // EndEntity: the end entity's issuer must have a CRL.
    let root_crl = empty_crl(&p.root, &p.root_key);
    let msg = run(&p, &[root_crl.clone()], RevocationCheck::EndEntity)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains(
            "revocation status of certificate 'CN=alice@example.com' cannot be determined"
        ) && msg.contains("no CRL issued by 'CN=CRL Sub,O=Example,C=DE' was given"),
        "{msg}"
    );
    // All: the intermediate needs the root's CRL as well.
    let sub_crl = empty_crl(&p.sub, &p.sub_key);
    let msg = run(&p, &[sub_crl.clone()], RevocationCheck::All)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("CA certificate 'CN=CRL Sub,O=Example,C=DE' cannot be determined"),
        "{msg}"
    );
    let lines = run(&p, &[sub_crl, root_crl], RevocationCheck::All).unwrap();
    assert_eq!(lines.len(), 2, "{lines:?}");
}

#[test]
fn revoked_intermediate_fails_when_its_issuer_crl_is_given() {
    let p = pki();
    let root_crl = CrlBuilder::new(&p.root, &p.root_key)
        .unwrap()
        .revoke_certificate(&p.sub, now(), Some(RevocationReason::CaCompromise))
        .unwrap()
        .sign()
        .unwrap();
    let sub_crl = empty_crl(&p.sub, &p.sub_key);
    let msg = run(&p, &[sub_crl, root_crl], RevocationCheck::EndEntity)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("CA certificate 'CN=CRL Sub,O=Example,C=DE'")
            && msg.contains("reason cACompromise"),
        "{msg}"
    );
}

#[test]
fn stale_future_and_forged_crls_are_not_trusted() {
    let p = pki();
    let day = Duration::from_secs(86_400);
    let stale = CrlBuilder::new(&p.sub, &p.sub_key)
        .unwrap()
        .this_update(now() - 10 * day)
        .days(3)
        .sign()
        .unwrap();
    let msg = run(&p, &[stale], RevocationCheck::EndEntity)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("is out of date: its nextUpdate was"), "{msg}");
    let future = CrlBuilder::new(&p.sub, &p.sub_key)
        .unwrap()
        .this_update(now() + day)
        .sign()
        .unwrap();
    let msg = run(&p, &[future], RevocationCheck::EndEntity)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("is not valid yet"), "{msg}");
    // A CA with the same name but another key: its CRL carries another key identifier.
    let impostor_key = key("ml-dsa-44");
    let impostor = CertificateBuilder::ca("CN=CRL Sub,O=Example,C=DE", &impostor_key)
        .unwrap()
        .sign(Some((&p.root, &p.root_key)))
        .unwrap();
    let forged = CrlBuilder::new(&impostor, &impostor_key)
        .unwrap()
        .sign()
        .unwrap();
    let msg = run(&p, &[forged.clone()], RevocationCheck::EndEntity)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("signed by another key"), "{msg}");
    // The same CRL with its signature damaged.
    let good = empty_crl(&p.sub, &p.sub_key);
    let mut der = good.der().to_vec();
    let n = der.len();
    der[n - 5] ^= 0x40;
    let broken = Crl::from_der(&der).unwrap();
    let msg = run(&p, &[broken], RevocationCheck::EndEntity)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("cannot be determined") && msg.contains("signature"),
        "{msg}"
    );
}

#[test]
fn crl_issuer_without_crl_sign_is_refused() {
    let p = pki();
    // Same name and key as Sub, but keyUsage keyCertSign only.
    let no_crl_sign = CertificateBuilder::ca("CN=CRL Sub,O=Example,C=DE", &p.sub_key)
        .unwrap()
        .profile(Tweak(|e: &mut Vec<Extension>| {
            set_ext(e, Extension::key_usage(KeyUsage::KEY_CERT_SIGN))
        }))
        .sign(Some((&p.root, &p.root_key)))
        .unwrap();
    let crl = empty_crl(&p.sub, &p.sub_key);
    let anchors = [p.root.clone()];
    let inter = [no_crl_sign];
    let msg = validate_path_with_crls(
        &p.alice,
        &inter,
        &anchors,
        &[crl],
        now(),
        Purpose::EmailSigning,
    )
    .unwrap_err()
    .to_string();
    assert!(msg.contains("lacks cRLSign"), "{msg}");
}

#[test]
fn cms_verifier_checks_revocation_with_crls() {
    let p = pki();
    let content = b"revocation test";
    let signed = signed::sign(
        content,
        &[Signer {
            cert: &p.alice,
            key: &p.alice_key,
            digest: None,
            signature_algorithm: None,
        }],
        &SignOptions {
            extra_certs: vec![p.sub.clone()],
            detached: false,
            ..SignOptions::default()
        },
    )
    .unwrap();
    let verify = |crls: Vec<Crl>| {
        signed::verify(
            &signed,
            None,
            &VerifyOptions {
                trust: vec![p.root.clone()],
                crls,
                ..VerifyOptions::default()
            },
        )
        .unwrap()
    };
    assert!(verify(vec![]).valid);
    assert!(verify(vec![empty_crl(&p.sub, &p.sub_key)]).valid);
    let revoking = CrlBuilder::new(&p.sub, &p.sub_key)
        .unwrap()
        .revoke_certificate(&p.alice, now(), Some(RevocationReason::KeyCompromise))
        .unwrap()
        .sign()
        .unwrap();
    let report = verify(vec![revoking]);
    assert!(!report.valid);
    let err = report.signers[0].error.clone().unwrap_or_default();
    assert!(err.contains("is revoked"), "{err}");
}
