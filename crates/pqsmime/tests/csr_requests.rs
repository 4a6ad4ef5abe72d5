//! PKCS #10 requests and RFC 9883 statements of possession: round trips for every signature
//! key type, the CA-side checks with their negative cases (tampered proof, wrong or
//! untrusted vouching certificate, statement for a signature key, other mailbox), and
//! OpenSSL 4 reading (and, for self-signed requests, verifying) what we write.
// `&[cert.clone()]` reads better than `std::slice::from_ref(&cert)` in these tables of cases.
#![allow(clippy::cloned_ref_to_slice_refs)]

mod x509_common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use pqsmime::asn1;
use pqsmime::keys::PrivateKey;
use pqsmime::x509::{
    CertificateBuilder, CertificationRequest, CsrBuilder, Usage, AT_STATEMENT_OF_POSSESSION,
};
use x509_common::*;

fn now() -> SystemTime {
    SystemTime::now()
}

struct Pki {
    ca_key: PrivateKey,
    ca: pqsmime::x509::Certificate,
    sig_key: PrivateKey,
    sig: pqsmime::x509::Certificate,
}

fn pki() -> Pki {
    let ca_key = key("ml-dsa-65");
    let ca = root("CN=CSR CA,O=Example Ltd,C=GB", &ca_key);
    let sig_key = key("ml-dsa-65");
    let sig = ee("alice@example.com", &sig_key, Usage::Sign, &ca, &ca_key);
    Pki {
        ca_key,
        ca,
        sig_key,
        sig,
    }
}

#[test]
fn self_signed_requests_for_every_signature_key_type() {
    for kind in [
        "ml-dsa-44",
        "ml-dsa-65",
        "ml-dsa-87",
        "slh-dsa-sha2-128f",
        "rsa-2048",
        "ec-p256",
        "ec-p384",
        "ec-p521",
        "ed25519",
    ] {
        let k = key(kind);
        let csr = CsrBuilder::new("alice@example.com")
            .unwrap()
            .self_signed(&k)
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let back = CertificationRequest::from_der(csr.der()).unwrap();
        assert_eq!(back, csr);
        let v = back
            .verify_for_issuance("alice@example.com", &[], &[], now())
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(v.public_key.spki_der(), k.public_key().spki_der(), "{kind}");
        assert!(v.vouching.is_none());
    }
    // Keys that cannot sign cannot make a self-signed request.
    for kind in ["ml-kem-768", "x25519"] {
        let e = CsrBuilder::new("alice@example.com")
            .unwrap()
            .self_signed(&key(kind))
            .unwrap_err()
            .to_string();
        assert!(e.contains("RFC 9883"), "{kind}: {e}");
    }
}

#[test]
fn tampered_proof_of_possession_is_refused() {
    let k = key("ml-dsa-44");
    let csr = CsrBuilder::new("alice@example.com")
        .unwrap()
        .self_signed(&k)
        .unwrap();
    // Swap in another key of the same type: the signature no longer matches.
    let other = key("ml-dsa-44").public_key();
    let der = csr.der();
    let swapped = replace(der, csr.spki_der(), other.spki_der());
    let bad = CertificationRequest::from_der(&swapped).unwrap();
    let e = bad
        .verify_for_issuance("alice@example.com", &[], &[], now())
        .unwrap_err();
    assert!(matches!(e, pqsmime::Error::BadSignature(_)), "{e:?}");
    assert!(e.to_string().contains("proof of possession"), "{e}");
}

fn replace(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let pos = hay.windows(from.len()).position(|w| w == from).unwrap();
    // Same length keys: lengths in the headers do not change.
    assert_eq!(from.len(), to.len());
    [&hay[..pos], to, &hay[pos + from.len()..]].concat()
}

#[test]
fn statement_of_possession_checks() {
    let p = pki();
    let kem = key("ml-kem-768");
    let csr = CsrBuilder::new("alice@example.com")
        .unwrap()
        .with_possession(&kem.public_key(), &p.sig, &p.sig_key)
        .unwrap();
    // The attribute OID is the RFC 9883 one, DER 06 0A 2B 06 01 04 01 81 AC 60 02 01.
    assert!(contains(
        csr.der(),
        &[0x06, 0x0A, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x81, 0xAC, 0x60, 0x02, 0x01]
    ));
    assert_eq!(csr.subject_der(), p.sig.subject_der());
    let v = csr
        .verify_for_issuance("alice@example.com", &[], &[p.ca.clone()], now())
        .unwrap();
    assert_eq!(v.vouching.unwrap(), p.sig);

    // Untrusted: the vouching certificate does not chain to the anchors given.
    let other_key = key("ed25519");
    let other = root("CN=Other CA", &other_key);
    let e = csr
        .verify_for_issuance("alice@example.com", &[], &[other], now())
        .unwrap_err()
        .to_string();
    assert!(e.contains("is not valid") && e.contains("RFC 9883"), "{e}");

    // Expired vouching certificate.
    let old =
        CertificateBuilder::end_entity("alice@example.com", &p.sig_key.public_key(), Usage::Sign)
            .unwrap()
            .issued_at(now() - Duration::from_secs(400 * 86_400))
            .days(30)
            .sign(Some((&p.ca, &p.ca_key)))
            .unwrap();
    let csr_old = CsrBuilder::new("alice@example.com")
        .unwrap()
        .with_possession(&kem.public_key(), &old, &p.sig_key)
        .unwrap();
    let e = csr_old
        .verify_for_issuance("alice@example.com", &[], &[p.ca.clone()], now())
        .unwrap_err()
        .to_string();
    assert!(e.contains("expired"), "{e}");

    // Another mailbox than the one to be certified.
    let e = csr
        .verify_for_issuance("bob@example.com", &[], &[p.ca.clone()], now())
        .unwrap_err()
        .to_string();
    assert!(e.contains("bob@example.com"), "{e}");
}

/// A request assembled by hand: `spki` to certify, statement naming `named` and carrying
/// `included`, signed by `signer`.
fn forged(
    spki: &[u8],
    named: &pqsmime::x509::Certificate,
    included: Option<&pqsmime::x509::Certificate>,
    signer: &PrivateKey,
) -> CertificationRequest {
    let signer_id = asn1::sequence(&[named.issuer_der(), &asn1::tlv(0x02, named.serial_bytes())]);
    let mut st = signer_id;
    if let Some(c) = included {
        st.extend_from_slice(c.der());
    }
    let statement = asn1::tlv(0x30, &st);
    let attr = asn1::sequence(&[
        &asn1::oid(&AT_STATEMENT_OF_POSSESSION),
        &asn1::set_of(vec![statement]),
    ]);
    let subject = named.subject_der();
    let info = asn1::sequence(&[
        &asn1::integer_u64(0),
        subject,
        spki,
        &asn1::retag(&asn1::set_of(vec![attr]), 0xA0),
    ]);
    let alg = signer.kind().default_signature_algorithm().unwrap();
    let sig = signer.sign(alg, &info).unwrap();
    let der = asn1::sequence(&[&info, &alg.algorithm_identifier(), &asn1::bit_string(&sig)]);
    CertificationRequest::from_der(&der).unwrap()
}

#[test]
fn wrong_vouching_certificates_are_refused() {
    let p = pki();
    let kem = key("ml-kem-768").public_key();
    // The statement names one certificate but includes another.
    let bob_key = key("ml-dsa-65");
    let bob = ee("alice@example.com", &bob_key, Usage::Sign, &p.ca, &p.ca_key);
    let mismatch = forged(kem.spki_der(), &p.sig, Some(&bob), &bob_key);
    let e = mismatch
        .verify_for_issuance("alice@example.com", &[], &[p.ca.clone()], now())
        .unwrap_err()
        .to_string();
    assert!(e.contains("not the one its signer field names"), "{e}");
    // Signed by a key other than the vouching certificate's.
    let wrong_signer = forged(kem.spki_der(), &p.sig, Some(&p.sig), &bob_key);
    let e = wrong_signer
        .verify_for_issuance("alice@example.com", &[], &[p.ca.clone()], now())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("does not verify with the key of the vouching certificate"),
        "{e}"
    );
    // The certificate left out: found among the given certificates, or refused.
    let by_reference = forged(kem.spki_der(), &p.sig, None, &p.sig_key);
    assert!(by_reference
        .verify_for_issuance("alice@example.com", &[], &[p.ca.clone()], now())
        .is_err());
    by_reference
        .verify_for_issuance(
            "alice@example.com",
            &[p.sig.clone()],
            &[p.ca.clone()],
            now(),
        )
        .unwrap();
    // A statement may not get a signature key certified (RFC 9883 §5).
    let sig_key = key("ml-dsa-44").public_key();
    let for_sig = forged(sig_key.spki_der(), &p.sig, Some(&p.sig), &p.sig_key);
    let e = for_sig
        .verify_for_issuance("alice@example.com", &[], &[p.ca.clone()], now())
        .unwrap_err()
        .to_string();
    assert!(e.contains("RFC 9883 §5"), "{e}");
    // An encryption-only certificate cannot vouch (its key cannot sign anyway, and its path
    // is not valid for signing).
    let kem2 = key("ml-kem-512");
    let enc = ee("alice@example.com", &kem2, Usage::Encrypt, &p.ca, &p.ca_key);
    let bad = forged(kem.spki_der(), &enc, Some(&enc), &p.sig_key);
    assert!(bad
        .verify_for_issuance("alice@example.com", &[], &[p.ca.clone()], now())
        .is_err());
    // A request with two statementOfPossession attributes is malformed.
    let stmt = |with_cert: bool| {
        let mut st = asn1::sequence(&[p.sig.issuer_der(), &asn1::tlv(0x02, p.sig.serial_bytes())]);
        if with_cert {
            st.extend_from_slice(p.sig.der());
        }
        asn1::sequence(&[
            &asn1::oid(&AT_STATEMENT_OF_POSSESSION),
            &asn1::set_of(vec![asn1::tlv(0x30, &st)]),
        ])
    };
    let info = asn1::sequence(&[
        &asn1::integer_u64(0),
        p.sig.subject_der(),
        kem.spki_der(),
        &asn1::retag(&asn1::set_of(vec![stmt(true), stmt(false)]), 0xA0),
    ]);
    let alg = p.sig_key.kind().default_signature_algorithm().unwrap();
    let sig = p.sig_key.sign(alg, &info).unwrap();
    let der = asn1::sequence(&[&info, &alg.algorithm_identifier(), &asn1::bit_string(&sig)]);
    let e = CertificationRequest::from_der(&der)
        .unwrap_err()
        .to_string();
    assert!(e.contains("more than once"), "{e}");
}

fn openssl() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PQSMIME_OPENSSL") {
        return Some(PathBuf::from(p));
    }
    let home = std::env::var_os("HOME").map(PathBuf::from)?;
    let p = home.join(".cache/pqsmime/openssl-4.0.3/bin/openssl");
    p.exists().then_some(p)
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
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn openssl_reads_and_verifies_our_requests() {
    let Some(bin) = openssl() else {
        panic!("OpenSSL 4 not found: set PQSMIME_OPENSSL or run .ci/build-openssl4.sh");
    };
    let dir = tempfile::tempdir().unwrap();
    for kind in [
        "ml-dsa-44",
        "ml-dsa-65",
        "ml-dsa-87",
        "ec-p256",
        "rsa-2048",
        "ed25519",
    ] {
        let csr = CsrBuilder::new("alice@example.com")
            .unwrap()
            .self_signed(&key(kind))
            .unwrap();
        let path = dir.path().join(format!("{kind}.csr"));
        std::fs::write(&path, csr.to_pem()).unwrap();
        let p = path.to_string_lossy();
        let (ok, text) = run(&bin, &["req", "-in", &p, "-noout", "-verify", "-text"]);
        assert!(ok, "{kind}: {text}");
        assert!(
            text.contains("verify OK")
                || text.contains("Certificate request self-signature verify OK"),
            "{kind}: {text}"
        );
        assert!(text.contains("email:alice@example.com"), "{kind}: {text}");
    }
    // The RFC 9883 request parses (OpenSSL shows the unknown attribute); its signature is
    // not a self-signature, so `-verify` would rightly fail.
    let p = pki();
    let csr = CsrBuilder::new("alice@example.com")
        .unwrap()
        .with_possession(&key("ml-kem-768").public_key(), &p.sig, &p.sig_key)
        .unwrap();
    let path = dir.path().join("kem.csr");
    std::fs::write(&path, csr.to_pem()).unwrap();
    let (ok, text) = run(
        &bin,
        &["req", "-in", &path.to_string_lossy(), "-noout", "-text"],
    );
    assert!(ok, "{text}");
    assert!(
        text.contains("ML-KEM-768") && text.contains("1.3.6.1.4.1.22112.2.1"),
        "{text}"
    );
}
