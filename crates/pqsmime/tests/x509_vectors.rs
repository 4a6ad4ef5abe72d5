//! Certificates made by others: the LAMPS RFC 9881 / RFC 9935 / RFC 9909 examples and the
//! OpenSSL 3.5 S/MIME test hierarchy. Provenance: `tests/vectors/*/INDEX.md`.

mod x509_common;

use pqsmime::alg::{KeyKind, MlDsaLevel, MlKemLevel, SignatureAlgorithm, SlhDsaSet};
use pqsmime::keys::PublicKey;
use pqsmime::x509::{format_rfc3339, validate_path, Certificate, KeyUsage, Purpose};
use pqsmime::Error;
use x509_common::*;

const LEVELS: [(&str, MlDsaLevel, MlKemLevel); 3] = [
    ("44", MlDsaLevel::L44, MlKemLevel::L512),
    ("65", MlDsaLevel::L65, MlKemLevel::L768),
    ("87", MlDsaLevel::L87, MlKemLevel::L1024),
];

#[test]
fn lamps_ml_dsa_certificates_are_self_signed_and_fully_readable() {
    for (n, level, _) in LEVELS {
        let c = cert(&format!(
            "lamps-dilithium-certificates/examples/ML-DSA-{n}.crt"
        ));
        assert_eq!(c.version(), 3);
        assert_eq!(
            c.signature_algorithm().unwrap(),
            SignatureAlgorithm::MlDsa(level)
        );
        // RFC 9881: parameters absent, byte-exact
        assert_eq!(
            c.signature_algorithm_der(),
            SignatureAlgorithm::MlDsa(level).algorithm_identifier()
        );
        assert_eq!(c.subject_string(), "CN=LAMPS WG,O=IETF");
        assert_eq!(c.issuer_string(), "CN=LAMPS WG,O=IETF");
        assert_eq!(c.subject_der(), c.issuer_der());
        assert!(c.is_self_issued());
        assert_eq!(c.serial_hex(), "159FFE6F22FD5CC42C524DF6FD5E28D0DE38F34E");
        assert_eq!(format_rfc3339(c.not_before())[..10], *"2020-02-03");
        assert_eq!(format_rfc3339(c.not_after())[..10], *"2040-01-29");
        let key = c.public_key().unwrap();
        assert_eq!(key.kind(), KeyKind::MlDsa(level));
        assert_eq!(key.raw().len(), level.public_key_len());
        // the .pub file holds the same SPKI
        let pubkey = PublicKey::from_pem_or_der(&read(&format!(
            "lamps-dilithium-certificates/examples/ML-DSA-{n}.pub"
        )))
        .unwrap();
        assert_eq!(pubkey.spki_der(), c.spki_der());
        // The LAMPS generator did not use RFC 5280 method 1 for its key identifiers (checked
        // with OpenSSL: neither SHA-1 of the key bits nor of the SPKI), so only the shape is
        // checked here; AKI/SKI chaining is checked with the ML-KEM certificates.
        assert_eq!(c.subject_key_identifier().unwrap().len(), 20);
        assert_eq!(c.authority_key_identifier(), None); // self-signed, no AKI
        c.verify_signature(&key).unwrap();
        assert!(c.email_addresses().is_empty());
        // the signed bytes are the received ones, in place
        let tbs = c.tbs_der();
        assert_eq!(
            &c.der()[c.der().len() - c.signature_value().len()..],
            c.signature_value()
        );
        assert!(contains(c.der(), tbs) && tbs.len() < c.der().len());
        assert!(contains(tbs, c.spki_der()) && contains(tbs, c.subject_der()));
    }
}

#[test]
fn lamps_ml_kem_certificates_verify_with_the_ml_dsa_key_of_the_same_level() {
    let signers: Vec<PublicKey> = LEVELS
        .iter()
        .map(|(n, _, _)| {
            cert(&format!(
                "lamps-dilithium-certificates/examples/ML-DSA-{n}.crt"
            ))
            .public_key()
            .unwrap()
        })
        .collect();
    for (i, (_, level, kem)) in LEVELS.into_iter().enumerate() {
        let n = match kem {
            MlKemLevel::L512 => "512",
            MlKemLevel::L768 => "768",
            MlKemLevel::L1024 => "1024",
        };
        let c = cert(&format!("lamps-kyber-certificates/example/ML-KEM-{n}.crt"));
        assert_eq!(c.public_key().unwrap().kind(), KeyKind::MlKem(kem));
        assert_eq!(
            c.signature_algorithm().unwrap(),
            SignatureAlgorithm::MlDsa(level)
        );
        // RFC 9935 §5: keyEncipherment and nothing else
        assert_eq!(c.key_usage(), Some(KeyUsage::KEY_ENCIPHERMENT));
        c.verify_signature(&signers[i]).unwrap();
        let issuer = cert(&format!(
            "lamps-dilithium-certificates/examples/ML-DSA-{}.crt",
            LEVELS[i].0
        ));
        assert_eq!(
            c.authority_key_identifier(),
            issuer.subject_key_identifier()
        );
        // a different level's key is refused (wrong algorithm for the key)
        let other = &signers[(i + 1) % 3];
        let err = c.verify_signature(other).unwrap_err();
        assert!(matches!(err, Error::BadSignature(_)), "{err}");
        // and the KEM key cannot check anything
        let own = c.public_key().unwrap();
        assert!(c.verify_signature(&own).is_err());
    }
}

#[test]
fn lamps_slh_dsa_certificate_is_self_signed() {
    let c = cert("lamps-x509-slhdsa/id-slh-dsa-sha2-128s.pem");
    assert_eq!(
        c.signature_algorithm().unwrap(),
        SignatureAlgorithm::SlhDsa(SlhDsaSet::Sha2_128s)
    );
    assert_eq!(
        c.subject_string(),
        "O=Bogus SLH-DSA-SHA2-128s CA,L=Paris,C=FR"
    );
    assert_eq!(
        c.signature_value().len(),
        SlhDsaSet::Sha2_128s.signature_len()
    );
    let k = c.public_key().unwrap();
    c.verify_signature(&k).unwrap();
    // trusted as an anchor, it validates itself only as an end entity if its key usage fits
    assert!(c.is_ca());
}

#[test]
fn tampering_with_a_lamps_certificate_is_detected() {
    let c = cert("lamps-dilithium-certificates/examples/ML-DSA-44.crt");
    let key = c.public_key().unwrap();
    // flip one bit of the subject name inside tbsCertificate
    let mut der = c.der().to_vec();
    let pos = der
        .windows(8)
        .rposition(|w| w == b"LAMPS WG") // the subject comes after the issuer
        .expect("subject text");
    der[pos] ^= 0x20;
    let changed = Certificate::from_der(&der).unwrap();
    assert_eq!(changed.subject_string(), "CN=lAMPS WG,O=IETF");
    assert!(changed.verify_signature(&key).is_err());
    // flip one byte of the signature
    let mut der = c.der().to_vec();
    let last = der.len() - 10;
    der[last] ^= 0x01;
    let changed = Certificate::from_der(&der).unwrap();
    assert!(changed.verify_signature(&key).is_err());
}

#[test]
fn structural_damage_is_refused_without_panicking() {
    let c = cert("lamps-dilithium-certificates/examples/ML-DSA-44.crt");
    let der = c.der();
    // every truncation
    for cut in 0..der.len() {
        assert!(Certificate::from_der(&der[..cut]).is_err(), "cut at {cut}");
    }
    // trailing data
    let mut longer = der.to_vec();
    longer.push(0);
    let err = Certificate::from_der(&longer).unwrap_err();
    assert!(err.to_string().contains("trailing"), "{err}");
    // outer signatureAlgorithm differs from tbsCertificate.signature: the last occurrence of
    // the ML-DSA-44 OID is the outer one; make it ML-DSA-65
    let oid44 = [
        0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x11,
    ];
    let mut mismatched = der.to_vec();
    let pos = mismatched
        .windows(oid44.len())
        .rposition(|w| w == oid44)
        .unwrap();
    mismatched[pos + oid44.len() - 1] = 0x12;
    let err = Certificate::from_der(&mismatched).unwrap_err();
    assert!(
        err.to_string()
            .contains("differs from tbsCertificate.signature"),
        "{err}"
    );
    // every single-byte corruption either parses or fails with an error (never panics)
    for i in (0..der.len()).step_by(7) {
        let mut d = der.to_vec();
        d[i] ^= 0xFF;
        let _ = Certificate::from_der(&d);
    }
    // garbage and empty input
    assert!(Certificate::from_pem_or_der(b"").is_err());
    assert!(Certificate::from_pem_or_der(b"hello").is_err());
    assert!(Certificate::from_pem_or_der(&[0x30, 0x80, 0x00, 0x00]).is_err());
}

const OPENSSL_FILES: [&str; 21] = [
    "badrsa.pem",
    "csrsa1.pem",
    "sm_mldsa44.pem",
    "sm_slhdsa_sha2_128s.pem",
    "sm_slhdsa_shake_128s.pem",
    "sm_slhdsa_shake_256s.pem",
    "smdh.pem",
    "smdsa1.pem",
    "smdsa2.pem",
    "smdsa3.pem",
    "smdsap.pem",
    "smec1.pem",
    "smec2.pem",
    "smec3.pem",
    "smroot.pem",
    "smrsa1.pem",
    "smrsa1024.pem",
    "smrsa2.pem",
    "smrsa3-cert.pem",
    "smrsa3-key.pem",
    "smrsa3.pem",
];

#[test]
fn openssl_smime_certs_all_parse_except_the_bad_ones() {
    let root = cert("openssl-cms-testdata/smime-certs/smroot.pem");
    let root_key = root.public_key().unwrap();
    for f in OPENSSL_FILES {
        let data = read(&format!("openssl-cms-testdata/smime-certs/{f}"));
        let result = Certificate::from_pem_or_der(&data);
        match f {
            "badrsa.pem" => {
                let err = result.unwrap_err();
                assert!(matches!(err, Error::Malformed(_)), "{err}");
                assert!(
                    err.to_string().contains("serialNumber is negative"),
                    "{err}"
                );
            }
            "smdsap.pem" | "smrsa3-key.pem" => {
                let err = result.unwrap_err();
                assert!(
                    err.to_string().contains("no certificate found"),
                    "{f}: {err}"
                );
            }
            _ => {
                let certs = result.unwrap_or_else(|e| panic!("{f}: {e}"));
                assert_eq!(certs.len(), 1, "{f}");
                let c = &certs[0];
                assert_eq!(c.issuer_der(), root.subject_der(), "{f}");
                assert_eq!(
                    c.issuer_string(),
                    "CN=Test S/MIME RSA Root,O=OpenSSL Group,C=UK"
                );
                // smec3.pem was not signed by this generation of the root (OpenSSL's own
                // `openssl verify` says "unable to get local issuer certificate" too)
                let verified = c.verify_signature(&root_key);
                if f == "smec3.pem" {
                    assert!(verified.is_err());
                } else {
                    verified.unwrap_or_else(|e| panic!("{f}: {e}"));
                }
                if f != "smec3.pem" {
                    assert_eq!(
                        c.authority_key_identifier(),
                        root.subject_key_identifier(),
                        "{f}"
                    );
                }
                // keys pqsmime does not support fail cleanly
                let key = c.public_key();
                match f {
                    "smdh.pem" | "smdsa1.pem" | "smdsa2.pem" | "smdsa3.pem" | "smec2.pem"
                    | "smrsa1024.pem" => {
                        assert!(key.is_err(), "{f}")
                    }
                    _ => {
                        key.unwrap_or_else(|e| panic!("{f}: {e}"));
                    }
                }
            }
        }
    }
}

#[test]
fn openssl_ml_dsa_and_slh_dsa_end_entities_chain_to_the_rsa_root() {
    let root = cert("openssl-cms-testdata/smime-certs/smroot.pem");
    for f in [
        "sm_mldsa44.pem",
        "sm_slhdsa_sha2_128s.pem",
        "sm_slhdsa_shake_128s.pem",
        "sm_slhdsa_shake_256s.pem",
    ] {
        let c = cert(&format!("openssl-cms-testdata/smime-certs/{f}"));
        let path = validate_path(
            &c,
            &[],
            std::slice::from_ref(&root),
            y2030(),
            Purpose::EmailSigning,
        )
        .unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(path.len(), 2);
        assert_eq!(path[0], c);
        assert_eq!(path[1], root);
        // a signature-only key cannot be used for encryption
        let err = validate_path(
            &c,
            &[],
            std::slice::from_ref(&root),
            y2030(),
            Purpose::EmailEncryption,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("cannot be used for email encryption"),
            "{f}: {err}"
        );
    }
    let c = cert("openssl-cms-testdata/smime-certs/sm_mldsa44.pem");
    assert_eq!(c.subject_string(), "CN=Test SMIME EE ML-DSA-44");
    assert_eq!(
        c.public_key().unwrap().kind(),
        KeyKind::MlDsa(MlDsaLevel::L44)
    );
    // before the certificate existed
    let err =
        validate_path(&c, &[], &[root], at(1_700_000_000), Purpose::EmailSigning).unwrap_err();
    assert!(
        err.to_string().contains("is not valid before 2025-03-18"),
        "{err}"
    );
}

#[test]
fn openssl_rsa_end_entity_validates_for_signing_and_encryption() {
    let root = cert("openssl-cms-testdata/smime-certs/smroot.pem");
    let c = cert("openssl-cms-testdata/smime-certs/smrsa1.pem");
    for p in [Purpose::EmailSigning, Purpose::EmailEncryption] {
        validate_path(&c, &[], std::slice::from_ref(&root), y2030(), p).unwrap();
    }
    // the root itself is not enough without being trusted
    let err = validate_path(
        &c,
        std::slice::from_ref(&root),
        &[cert("lamps-dilithium-certificates/examples/ML-DSA-44.crt")],
        y2030(),
        Purpose::EmailSigning,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("not among the trust anchors"),
        "{err}"
    );
}

#[test]
fn code_signing_certificate_is_refused_for_email_with_an_eku_error() {
    let root = cert("openssl-cms-testdata/smime-certs/smroot.pem");
    let c = cert("openssl-cms-testdata/smime-certs/csrsa1.pem");
    assert_eq!(
        c.extended_key_usage().unwrap(),
        [pqsmime::oids::KP_CODE_SIGNING]
    );
    let err = validate_path(&c, &[], &[root], y2030(), Purpose::EmailSigning).unwrap_err();
    assert!(matches!(err, Error::Certificate(_)), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("extendedKeyUsage (codeSigning)"), "{msg}");
    assert!(
        msg.contains("CN=Test CodeSign EE RSA #1,O=OpenSSL Group,C=UK"),
        "{msg}"
    );
}

#[test]
fn pem_with_keys_text_and_several_certificates() {
    let mut data = b"Some text before\n".to_vec();
    data.extend(read("openssl-cms-testdata/smime-certs/smrsa1.pem")); // key + cert
    data.extend(b"\nbetween\n");
    data.extend(read("openssl-cms-testdata/smime-certs/smroot.pem"));
    data.extend(
        cert("lamps-x509-slhdsa/id-slh-dsa-sha2-128s.pem")
            .to_pem()
            .as_bytes(),
    );
    let certs = Certificate::from_pem_or_der(&data).unwrap();
    assert_eq!(certs.len(), 3);
    assert_eq!(
        certs[0].subject_string(),
        "CN=Test S/MIME EE RSA #1,O=OpenSSL Group,C=UK"
    );
    assert_eq!(
        certs[1].subject_string(),
        "CN=Test S/MIME RSA Root,O=OpenSSL Group,C=UK"
    );
    // to_pem round trip
    let again = Certificate::from_pem_or_der(certs[2].to_pem().as_bytes()).unwrap();
    assert_eq!(again[0], certs[2]);
    // DER input
    let der = Certificate::from_pem_or_der(certs[1].der()).unwrap();
    assert_eq!(der, vec![certs[1].clone()]);
    // a broken block is reported with its position
    let mut broken = certs[0].to_pem();
    broken.push_str(&certs[1].to_pem().replace("MII", "M!I"));
    let err = Certificate::from_pem_or_der(broken.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("PEM block 2"), "{err}");
}
