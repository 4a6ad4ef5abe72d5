//! Hostile input: every truncation and thousands of bit flips, insertions and deletions of a
//! CRL, a PKCS #10 / RFC 9883 request and a constrained CA certificate go through the parsers
//! and the checks built on them (CRL scope and revocation, request verification, name
//! constraints and policies in path validation) without a panic; the outcome is a value or an
//! error.

mod x509_common;

use std::time::SystemTime;

use pqsmime::asn1;
use pqsmime::oids;
use pqsmime::x509::{
    validate, Certificate, CertificateBuilder, CertificationRequest, Crl, CrlBuilder, CsrBuilder,
    Extension, PathOptions, Purpose, RevocationCheck, RevocationReason, Usage,
};
use x509_common::*;

/// xorshift64* for reproducible mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutations(seed: &[u8], rng: &mut Rng, count: usize) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = (0..seed.len()).map(|n| seed[..n].to_vec()).collect();
    for _ in 0..count {
        let mut m = seed.to_vec();
        match rng.below(4) {
            0 => {
                let i = rng.below(m.len());
                m[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(m.len());
                m[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(m.len());
                m.insert(i, rng.next() as u8);
            }
            _ => {
                let i = rng.below(m.len());
                m.remove(i);
            }
        }
        out.push(m);
    }
    out
}

#[test]
fn mutated_crls_requests_and_constrained_cas_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let root_key = key("ed25519");
    let nc = Extension {
        oid: oids::EXT_NAME_CONSTRAINTS,
        critical: true,
        value: asn1::sequence(&[&asn1::tlv(
            0xA0,
            &asn1::sequence(&[&asn1::tlv(0x81, b"example.com")]),
        )]),
    };
    let policies = Extension {
        oid: oids::EXT_CERTIFICATE_POLICIES,
        critical: false,
        value: asn1::sequence(&[&asn1::sequence(&[&asn1::oid(&pqsmime::x509::ANY_POLICY)])]),
    };
    let root = CertificateBuilder::ca("CN=Mutation Root,O=Example Ltd,C=GB", &root_key)
        .unwrap()
        .profile(Tweak(move |e: &mut Vec<Extension>| {
            set_ext(e, nc.clone());
            set_ext(e, policies.clone());
        }))
        .sign(None)
        .unwrap();
    let ee_key = key("ed25519");
    let alice = ee("alice@example.com", &ee_key, Usage::Sign, &root, &root_key);
    let crl = CrlBuilder::new(&root, &root_key)
        .unwrap()
        .revoke_certificate(
            &alice,
            SystemTime::now(),
            Some(RevocationReason::Superseded),
        )
        .unwrap()
        .revoke(&[0x01, 0x02], SystemTime::now(), None)
        .unwrap()
        .sign()
        .unwrap();

    let mut parsed = 0usize;
    for m in mutations(crl.der(), &mut rng, 3000) {
        if let Ok(c) = Crl::from_der(&m) {
            parsed += 1;
            let _ = c.covers(&alice);
            let _ = c.find(alice.serial_bytes());
            let _ = c.check_time(SystemTime::now());
            let crls = [c];
            let anchors = [root.clone()];
            let opts = PathOptions {
                crls: &crls,
                revocation: RevocationCheck::All,
                ..PathOptions::new(&[], &anchors, SystemTime::now(), Purpose::EmailSigning)
            };
            let _ = validate(&alice, &opts);
        }
    }
    assert!(
        parsed > 0,
        "no mutated CRL parsed at all: the mutations are too coarse"
    );

    // Requests.
    let kem = key("ml-kem-512");
    let vouching = CsrBuilder::new("alice@example.com")
        .unwrap()
        .with_possession(&kem.public_key(), &alice, &ee_key)
        .unwrap();
    let plain = CsrBuilder::new("alice@example.com")
        .unwrap()
        .self_signed(&ee_key)
        .unwrap();
    for seed in [vouching.der(), plain.der()] {
        for m in mutations(seed, &mut rng, 1500) {
            if let Ok(r) = CertificationRequest::from_der(&m) {
                let _ = r.verify_for_issuance(
                    "alice@example.com",
                    &[],
                    std::slice::from_ref(&root),
                    SystemTime::now(),
                );
            }
            let _ = CertificationRequest::from_pem_or_der(&m);
        }
    }

    // A constrained, policy-bearing anchor, mutated, as the anchor of a path.
    for m in mutations(root.der(), &mut rng, 1500) {
        if let Ok(r) = Certificate::from_der(&m) {
            let anchors = [r];
            let _ = validate(
                &alice,
                &PathOptions::new(&[], &anchors, SystemTime::now(), Purpose::EmailSigning),
            );
        }
    }
}
