//! Path validation: the good paths, each rule failing on its own, and the work limits.
// `&[cert.clone()]` reads better than `std::slice::from_ref(&cert)` in these tables of cases.
#![allow(clippy::cloned_ref_to_slice_refs)]

mod x509_common;

use std::time::{Duration, SystemTime};

use pqsmime::keys::PrivateKey;
use pqsmime::oids;
use pqsmime::x509::{
    validate_path, Certificate, CertificateBuilder, Extension, KeyUsage, Purpose, Usage,
    MAX_SIGNATURE_CHECKS,
};
use pqsmime::Error;
use x509_common::*;

struct Pki {
    root_key: PrivateKey,
    root: Certificate,
    sub_key: PrivateKey,
    sub: Certificate,
}

/// Root (ML-DSA-65) → Sub (Ed25519, for speed).
fn pki() -> Pki {
    let root_key = key("ml-dsa-65");
    let root = root("CN=Root,O=Example,C=DE", &root_key);
    let sub_key = key("ed25519");
    let sub = CertificateBuilder::ca("CN=Sub,O=Example,C=DE", &sub_key)
        .unwrap()
        .sign(Some((&root, &root_key)))
        .unwrap();
    Pki {
        root_key,
        root,
        sub_key,
        sub,
    }
}

fn alice(p: &Pki) -> (PrivateKey, Certificate) {
    let k = key("ed25519");
    let c = ee("alice@example.com", &k, Usage::Sign, &p.sub, &p.sub_key);
    (k, c)
}

fn now() -> SystemTime {
    SystemTime::now()
}

fn fail(
    ee: &Certificate,
    inter: &[Certificate],
    anchors: &[Certificate],
    purpose: Purpose,
) -> String {
    let err = validate_path(ee, inter, anchors, now(), purpose).unwrap_err();
    assert!(matches!(err, Error::Certificate(_)), "{err:?}");
    err.to_string()
}

#[test]
fn good_path_through_an_intermediate() {
    let p = pki();
    let (_, c) = alice(&p);
    let path = validate_path(
        &c,
        &[p.sub.clone()],
        &[p.root.clone()],
        now(),
        Purpose::EmailSigning,
    )
    .unwrap();
    assert_eq!(path, [c.clone(), p.sub.clone(), p.root.clone()]);
    // the intermediate may also be trusted directly
    let path = validate_path(&c, &[], &[p.sub.clone()], now(), Purpose::EmailSigning).unwrap();
    assert_eq!(path.len(), 2);
    // a directly trusted end entity
    let path = validate_path(&c, &[], &[c.clone()], now(), Purpose::EmailSigning).unwrap();
    assert_eq!(path, [c.clone()]);
    // a signing certificate is not an encryption certificate
    let msg = fail(
        &c,
        &[p.sub.clone()],
        &[p.root.clone()],
        Purpose::EmailEncryption,
    );
    assert!(
        msg.contains("ed25519 key, which cannot be used for email encryption"),
        "{msg}"
    );
}

#[test]
fn expired_end_entity() {
    let p = pki();
    let k = key("ed25519");
    let c = CertificateBuilder::end_entity("alice@example.com", &k.public_key(), Usage::Sign)
        .unwrap()
        .not_before(at(1_704_067_200)) // 2024-01-01
        .not_after(at(1_735_689_600)) // 2025-01-01
        .sign(Some((&p.sub, &p.sub_key)))
        .unwrap();
    let msg = fail(
        &c,
        &[p.sub.clone()],
        &[p.root.clone()],
        Purpose::EmailSigning,
    );
    assert_eq!(
        msg,
        "certificate rejected: certificate 'CN=alice@example.com' expired on 2025-01-01T00:00:00Z"
    );
    // at a time inside its validity (and the CAs') it is fine
    let then = p.sub.not_before() + Duration::from_secs(10);
    let c2 = CertificateBuilder::end_entity("alice@example.com", &k.public_key(), Usage::Sign)
        .unwrap()
        .not_before(p.sub.not_before())
        .days(1)
        .sign(Some((&p.sub, &p.sub_key)))
        .unwrap();
    validate_path(
        &c2,
        &[p.sub.clone()],
        &[p.root.clone()],
        then,
        Purpose::EmailSigning,
    )
    .unwrap();
    assert!(validate_path(
        &c2,
        &[p.sub.clone()],
        &[p.root.clone()],
        then + Duration::from_secs(86_400),
        Purpose::EmailSigning
    )
    .is_err());
}

#[test]
fn not_yet_valid_end_entity_and_intermediate() {
    let p = pki();
    let k = key("ed25519");
    let later = now() + Duration::from_secs(30 * 86_400);
    let c = CertificateBuilder::end_entity("alice@example.com", &k.public_key(), Usage::Sign)
        .unwrap()
        .not_before(later)
        .sign(Some((&p.sub, &p.sub_key)))
        .unwrap();
    let msg = fail(
        &c,
        &[p.sub.clone()],
        &[p.root.clone()],
        Purpose::EmailSigning,
    );
    assert!(
        msg.contains("certificate 'CN=alice@example.com' is not valid before"),
        "{msg}"
    );
    // an intermediate that is not yet valid
    let sub2 = CertificateBuilder::ca("CN=Sub,O=Example,C=DE", &p.sub_key)
        .unwrap()
        .not_before(later)
        .sign(Some((&p.root, &p.root_key)))
        .unwrap();
    let (_, c) = alice(&p);
    let msg = fail(&c, &[sub2], &[p.root.clone()], Purpose::EmailSigning);
    assert!(
        msg.contains("intermediate CA certificate 'CN=Sub,O=Example,C=DE' is not valid before"),
        "{msg}"
    );
}

#[test]
fn expired_trust_anchor() {
    let k = key("ed25519");
    let old_root = CertificateBuilder::ca("CN=Old Root", &k)
        .unwrap()
        .not_before(at(1_577_836_800)) // 2020-01-01
        .days(365)
        .sign(None)
        .unwrap();
    let ek = key("ed25519");
    let c = CertificateBuilder::end_entity("a@example.com", &ek.public_key(), Usage::Sign)
        .unwrap()
        .sign(Some((&old_root, &k)))
        .unwrap();
    let msg = fail(&c, &[], &[old_root], Purpose::EmailSigning);
    assert!(
        msg.contains("trust anchor 'CN=Old Root' expired on 2020-12-30T23:59:59Z"),
        "{msg}"
    );
}

#[test]
fn issuer_without_ca_bit() {
    let p = pki();
    let (_, c) = alice(&p); // issued while Sub was a CA
                            // the same name and key, re-issued without cA TRUE
    let not_ca = CertificateBuilder::ca("CN=Sub,O=Example,C=DE", &p.sub_key)
        .unwrap()
        .profile(Tweak(|e: &mut Vec<Extension>| {
            set_ext(e, Extension::basic_constraints(false, None))
        }))
        .sign(Some((&p.root, &p.root_key)))
        .unwrap();
    assert!(!not_ca.is_ca());
    let msg = fail(
        &c,
        &[not_ca.clone()],
        &[p.root.clone()],
        Purpose::EmailSigning,
    );
    assert!(
        msg.contains("'CN=Sub,O=Example,C=DE' is used as an issuer but is not a CA"),
        "{msg}"
    );
    // without basicConstraints at all
    let no_bc = CertificateBuilder::ca("CN=Sub,O=Example,C=DE", &p.sub_key)
        .unwrap()
        .profile(Tweak(|e: &mut Vec<Extension>| {
            e.retain(|x| x.oid != oids::EXT_BASIC_CONSTRAINTS)
        }))
        .sign(Some((&p.root, &p.root_key)))
        .unwrap();
    let msg = fail(&c, &[no_bc], &[p.root.clone()], Purpose::EmailSigning);
    assert!(msg.contains("is not a CA"), "{msg}");
}

#[test]
fn issuer_key_usage_without_key_cert_sign() {
    let p = pki();
    let (_, c) = alice(&p);
    let crl_only = CertificateBuilder::ca("CN=Sub,O=Example,C=DE", &p.sub_key)
        .unwrap()
        .profile(Tweak(|e: &mut Vec<Extension>| {
            set_ext(
                e,
                Extension::key_usage(KeyUsage::CRL_SIGN | KeyUsage::DIGITAL_SIGNATURE),
            )
        }))
        .sign(Some((&p.root, &p.root_key)))
        .unwrap();
    let msg = fail(&c, &[crl_only], &[p.root.clone()], Purpose::EmailSigning);
    assert!(
        msg.contains("'CN=Sub,O=Example,C=DE' may not sign certificates: its keyUsage (digitalSignature, cRLSign) lacks keyCertSign"),
        "{msg}"
    );
    // no keyUsage at all is allowed for a CA (RFC 5280 §6.1.4 (n) only applies when present)
    let no_ku = CertificateBuilder::ca("CN=Sub,O=Example,C=DE", &p.sub_key)
        .unwrap()
        .profile(Tweak(|e: &mut Vec<Extension>| {
            e.retain(|x| x.oid != oids::EXT_KEY_USAGE)
        }))
        .sign(Some((&p.root, &p.root_key)))
        .unwrap();
    validate_path(
        &c,
        &[no_ku],
        &[p.root.clone()],
        now(),
        Purpose::EmailSigning,
    )
    .unwrap();
}

#[test]
fn broken_signatures() {
    let p = pki();
    let (_, c) = alice(&p);
    // flip a byte of the end entity's signature
    let mut der = c.der().to_vec();
    let last = der.len() - 1;
    der[last] ^= 0x01;
    let broken = Certificate::from_der(&der).unwrap();
    let msg = fail(
        &broken,
        &[p.sub.clone()],
        &[p.root.clone()],
        Purpose::EmailSigning,
    );
    assert!(
        msg.contains("the signature of certificate 'CN=alice@example.com' does not verify with the key of 'CN=Sub,O=Example,C=DE'"),
        "{msg}"
    );
    // and of the intermediate's (ML-DSA signature by the root)
    let mut der = p.sub.der().to_vec();
    let mid = der.len() - 100;
    der[mid] ^= 0x80;
    let broken_sub = Certificate::from_der(&der).unwrap();
    let msg = fail(&c, &[broken_sub], &[p.root.clone()], Purpose::EmailSigning);
    assert!(msg.contains("the signature of certificate 'CN=Sub,O=Example,C=DE' does not verify with the key of 'CN=Root,O=Example,C=DE'"), "{msg}");
}

#[test]
fn wrong_extended_key_usage() {
    let p = pki();
    let k = key("ed25519");
    let c = CertificateBuilder::end_entity("alice@example.com", &k.public_key(), Usage::Sign)
        .unwrap()
        .profile(Tweak(|e: &mut Vec<Extension>| {
            set_ext(
                e,
                Extension::extended_key_usage(&[oids::KP_SERVER_AUTH, oids::KP_CLIENT_AUTH]),
            )
        }))
        .sign(Some((&p.sub, &p.sub_key)))
        .unwrap();
    let msg = fail(
        &c,
        &[p.sub.clone()],
        &[p.root.clone()],
        Purpose::EmailSigning,
    );
    assert!(
        msg.contains(
            "its extendedKeyUsage (serverAuth, clientAuth) does not include emailProtection"
        ),
        "{msg}"
    );
    // anyExtendedKeyUsage is fine
    let any = CertificateBuilder::end_entity("alice@example.com", &k.public_key(), Usage::Sign)
        .unwrap()
        .profile(Tweak(|e: &mut Vec<Extension>| {
            set_ext(
                e,
                Extension::extended_key_usage(&[oids::ANY_EXTENDED_KEY_USAGE]),
            )
        }))
        .sign(Some((&p.sub, &p.sub_key)))
        .unwrap();
    validate_path(
        &any,
        &[p.sub.clone()],
        &[p.root.clone()],
        now(),
        Purpose::EmailSigning,
    )
    .unwrap();
    // an intermediate restricted to TLS cannot issue S/MIME certificates
    let (_, c) = alice(&p);
    let tls_sub = CertificateBuilder::ca("CN=Sub,O=Example,C=DE", &p.sub_key)
        .unwrap()
        .profile(Tweak(|e: &mut Vec<Extension>| {
            e.push(Extension::extended_key_usage(&[oids::KP_SERVER_AUTH]))
        }))
        .sign(Some((&p.root, &p.root_key)))
        .unwrap();
    let msg = fail(&c, &[tls_sub], &[p.root.clone()], Purpose::EmailSigning);
    assert!(
        msg.contains("restricted by extendedKeyUsage (serverAuth)"),
        "{msg}"
    );
}

#[test]
fn wrong_key_usage_for_the_purpose() {
    let p = pki();
    let k = key("ec-p256");
    let enc = ee("alice@example.com", &k, Usage::Encrypt, &p.sub, &p.sub_key);
    validate_path(
        &enc,
        &[p.sub.clone()],
        &[p.root.clone()],
        now(),
        Purpose::EmailEncryption,
    )
    .unwrap();
    let msg = fail(
        &enc,
        &[p.sub.clone()],
        &[p.root.clone()],
        Purpose::EmailSigning,
    );
    assert!(
        msg.contains("its keyUsage (keyAgreement) lacks digitalSignature or nonRepudiation"),
        "{msg}"
    );
    // an EC key with keyEncipherment (RFC 8813 forbids it) is no encryption certificate
    let ke = CertificateBuilder::end_entity("alice@example.com", &k.public_key(), Usage::Encrypt)
        .unwrap()
        .profile(Tweak(|e: &mut Vec<Extension>| {
            set_ext(e, Extension::key_usage(KeyUsage::KEY_ENCIPHERMENT))
        }))
        .sign(Some((&p.sub, &p.sub_key)))
        .unwrap();
    let msg = fail(
        &ke,
        &[p.sub.clone()],
        &[p.root.clone()],
        Purpose::EmailEncryption,
    );
    assert!(msg.contains("lacks keyAgreement"), "{msg}");
}

#[test]
fn unknown_critical_extension() {
    let p = pki();
    let k = key("ed25519");
    let odd = Extension {
        oid: const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.55555.1"),
        critical: true,
        value: vec![0x05, 0x00],
    };
    let o2 = odd.clone();
    let c = CertificateBuilder::end_entity("alice@example.com", &k.public_key(), Usage::Sign)
        .unwrap()
        .profile(Tweak(move |e: &mut Vec<Extension>| e.push(o2.clone())))
        .sign(Some((&p.sub, &p.sub_key)))
        .unwrap();
    let msg = fail(
        &c,
        &[p.sub.clone()],
        &[p.root.clone()],
        Purpose::EmailSigning,
    );
    assert!(
        msg.contains("has an unknown critical extension: 1.3.6.1.4.1.55555.1"),
        "{msg}"
    );
    // the same extension, not critical, is ignored
    let o3 = Extension {
        critical: false,
        ..odd.clone()
    };
    let c = CertificateBuilder::end_entity("alice@example.com", &k.public_key(), Usage::Sign)
        .unwrap()
        .profile(Tweak(move |e: &mut Vec<Extension>| e.push(o3.clone())))
        .sign(Some((&p.sub, &p.sub_key)))
        .unwrap();
    validate_path(
        &c,
        &[p.sub.clone()],
        &[p.root.clone()],
        now(),
        Purpose::EmailSigning,
    )
    .unwrap();
    // critical name constraints on an intermediate are processed: permitted passes, a
    // name outside fails (more cases in path_constraints.rs)
    let (_, c) = alice(&p);
    let nc = |base: &'static [u8]| Extension {
        oid: oids::EXT_NAME_CONSTRAINTS,
        critical: true,
        // permittedSubtrees: rfc822Name <base>
        value: pqsmime::asn1::sequence(&[&pqsmime::asn1::tlv(
            0xA0,
            &pqsmime::asn1::sequence(&[&pqsmime::asn1::tlv(0x81, base)]),
        )]),
    };
    for (base, ok) in [(&b"example.com"[..], true), (&b"example.org"[..], false)] {
        let e = nc(base);
        let constrained = CertificateBuilder::ca("CN=Sub,O=Example,C=DE", &p.sub_key)
            .unwrap()
            .profile(Tweak(move |x: &mut Vec<Extension>| x.push(e.clone())))
            .sign(Some((&p.root, &p.root_key)))
            .unwrap();
        let r = validate_path(
            &c,
            &[constrained],
            &[p.root.clone()],
            now(),
            Purpose::EmailSigning,
        );
        assert_eq!(r.is_ok(), ok, "{base:?}: {r:?}");
        if !ok {
            let msg = r.unwrap_err().to_string();
            assert!(
                msg.contains("name constraints violated")
                    && msg.contains("mailbox 'alice@example.com'"),
                "{msg}"
            );
        }
    }
}

#[test]
fn path_length_constraint() {
    // Root → A (pathLen 0) → B → EE: B exceeds A's limit. With pathLen 1 it is fine.
    let root_key = key("ed25519");
    let root_cert = root("CN=Root", &root_key);
    let a_key = key("ed25519");
    let b_key = key("ed25519");
    let ee_key = key("ed25519");
    let make = |len: u32| {
        let a = CertificateBuilder::ca("CN=A", &a_key)
            .unwrap()
            .path_len(Some(len))
            .sign(Some((&root_cert, &root_key)))
            .unwrap();
        let b = CertificateBuilder::ca("CN=B", &b_key)
            .unwrap()
            .sign(Some((&a, &a_key)))
            .unwrap();
        let c = ee("e@example.com", &ee_key, Usage::Sign, &b, &b_key);
        (a, b, c)
    };
    let (a, b, c) = make(0);
    let msg = fail(&c, &[a, b], &[root_cert.clone()], Purpose::EmailSigning);
    assert!(
        msg.contains(
            "pathLenConstraint of CA certificate 'CN=A' is exceeded by the CA certificate 'CN=B'"
        ),
        "{msg}"
    );
    let (a, b, c) = make(1);
    let path = validate_path(
        &c,
        &[b, a],
        &[root_cert.clone()],
        now(),
        Purpose::EmailSigning,
    )
    .unwrap();
    assert_eq!(path.len(), 4);
    // pathLen 0 still lets A issue end entities
    let (a, _, _) = make(0);
    let direct = ee("d@example.com", &ee_key, Usage::Sign, &a, &a_key);
    validate_path(&direct, &[a], &[root_cert], now(), Purpose::EmailSigning).unwrap();
}

#[test]
fn no_path_to_an_anchor() {
    let p = pki();
    let (_, c) = alice(&p);
    let other_key = key("ed25519");
    let other = root("CN=Other Root", &other_key);
    // intermediate missing
    let msg = fail(&c, &[], &[p.root.clone()], Purpose::EmailSigning);
    assert!(
        msg.contains(
            "no issuer certificate 'CN=Sub,O=Example,C=DE' of 'CN=alice@example.com' was found"
        ),
        "{msg}"
    );
    // wrong anchor: the search reaches the root and finds it untrusted
    let msg = fail(
        &c,
        &[p.sub.clone(), p.root.clone()],
        &[other.clone()],
        Purpose::EmailSigning,
    );
    assert!(msg.contains("'CN=Root,O=Example,C=DE' is a self-issued (root) certificate that is not among the trust anchors"), "{msg}");
    // an anchor with the right name but another key
    let impostor = root("CN=Sub,O=Example,C=DE", &other_key);
    let msg = fail(&c, &[], &[impostor], Purpose::EmailSigning);
    assert!(
        msg.contains("no issuer certificate"),
        "AKI/SKI mismatch filters it: {msg}"
    );
    // no anchors at all
    let err = validate_path(&c, &[p.sub.clone()], &[], now(), Purpose::EmailSigning).unwrap_err();
    assert!(
        err.to_string().contains("no trust anchors were given"),
        "{err}"
    );
}

#[test]
fn key_identifiers_pick_the_right_issuer_among_namesakes() {
    let p = pki();
    // another CA with the same name and a different key, listed first
    let twin_key = key("ed25519");
    let twin = CertificateBuilder::ca("CN=Sub,O=Example,C=DE", &twin_key)
        .unwrap()
        .sign(Some((&p.root, &p.root_key)))
        .unwrap();
    let (_, c) = alice(&p);
    let path = validate_path(
        &c,
        &[twin.clone(), p.sub.clone()],
        &[p.root.clone()],
        now(),
        Purpose::EmailSigning,
    )
    .unwrap();
    assert_eq!(path[1], p.sub);
    // without key identifiers both are tried; the wrong one fails its signature check and
    // the right one is found next
    let strip = |e: &mut Vec<Extension>| {
        e.retain(|x| {
            x.oid != oids::EXT_SUBJECT_KEY_IDENTIFIER && x.oid != oids::EXT_AUTHORITY_KEY_IDENTIFIER
        })
    };
    let k = key("ed25519");
    let bare = CertificateBuilder::end_entity("alice@example.com", &k.public_key(), Usage::Sign)
        .unwrap()
        .profile(Tweak(strip))
        .sign(Some((&p.sub, &p.sub_key)))
        .unwrap();
    assert!(bare.authority_key_identifier().is_none());
    let path = validate_path(
        &bare,
        &[twin, p.sub.clone()],
        &[p.root.clone()],
        now(),
        Purpose::EmailSigning,
    )
    .unwrap();
    assert_eq!(path[1], p.sub);
}

#[test]
fn signature_budget_is_a_named_limit() {
    // 120 CAs called "CN=Crowd" without key identifiers; the end entity's issuer is none of
    // them, so each costs a signature check until the budget runs out.
    let strip = |e: &mut Vec<Extension>| {
        e.retain(|x| {
            x.oid != oids::EXT_SUBJECT_KEY_IDENTIFIER && x.oid != oids::EXT_AUTHORITY_KEY_IDENTIFIER
        })
    };
    let anchor_key = key("ed25519");
    let anchor = root("CN=Anchor", &anchor_key);
    let crowd: Vec<Certificate> = (0..120)
        .map(|_| {
            let k = key("ed25519");
            CertificateBuilder::ca("CN=Crowd", &k)
                .unwrap()
                .profile(Tweak(strip))
                .sign(None)
                .unwrap()
        })
        .collect();
    let real_key = key("ed25519");
    let real = CertificateBuilder::ca("CN=Crowd", &real_key)
        .unwrap()
        .profile(Tweak(strip))
        .sign(None)
        .unwrap();
    let ek = key("ed25519");
    let c = CertificateBuilder::end_entity("a@example.com", &ek.public_key(), Usage::Sign)
        .unwrap()
        .profile(Tweak(strip))
        .sign(Some((&real, &real_key)))
        .unwrap();
    let err = validate_path(&c, &crowd, &[anchor], now(), Purpose::EmailSigning).unwrap_err();
    assert!(matches!(err, Error::Limit(_)), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("{MAX_SIGNATURE_CHECKS} signature checks")),
        "{err}"
    );
}

#[test]
fn cross_signed_loops_terminate() {
    // A and B certify each other; neither is trusted.
    let a_key = key("ed25519");
    let b_key = key("ed25519");
    let a_self = root("CN=A", &a_key);
    let b_by_a = CertificateBuilder::ca("CN=B", &b_key)
        .unwrap()
        .sign(Some((&a_self, &a_key)))
        .unwrap();
    let a_by_b = CertificateBuilder::ca("CN=A", &a_key)
        .unwrap()
        .sign(Some((&b_by_a, &b_key)))
        .unwrap();
    let ek = key("ed25519");
    let c = ee("e@example.com", &ek, Usage::Sign, &a_self, &a_key);
    let anchor = root("CN=Elsewhere", &key("ed25519"));
    let msg = fail(
        &c,
        &[a_by_b.clone(), b_by_a.clone(), a_self.clone()],
        &[anchor],
        Purpose::EmailSigning,
    );
    assert!(msg.contains("no path to a trust anchor"), "{msg}");
    // trusting B makes the same bag work: e ← A (by B) ← B
    let path = validate_path(
        &c,
        &[a_by_b, a_self],
        &[b_by_a.clone()],
        now(),
        Purpose::EmailSigning,
    )
    .unwrap();
    assert_eq!(path.last().unwrap(), &b_by_a);
}
