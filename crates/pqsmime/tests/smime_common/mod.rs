//! A small test PKI for the message-layer tests, built in process once per test binary:
//! a root CA (ML-DSA-65); Alice with ML-DSA-65 signing, ML-KEM-768 encryption and ECDSA P-256
//! signing certificates; Bob with ML-DSA-65 + ML-KEM-768; Carol with one RSA-2048 certificate
//! for encryption; Dave with Ed25519 signing (fast, for deep nesting).
#![allow(dead_code)]

use std::sync::OnceLock;

use pqsmime::alg::KeyKind;
use pqsmime::cms::enveloped::{DecryptionKey, Recipient};
use pqsmime::cms::signed::{Signer, VerifyOptions};
use pqsmime::keys::PrivateKey;
use pqsmime::smime::{open, Blob, OpenOptions, Opened};
use pqsmime::x509::{Certificate, CertificateBuilder, Usage};

pub struct Id {
    pub cert: Certificate,
    pub key: PrivateKey,
}

pub struct Pki {
    pub root: Id,
    pub alice_sign: Id,
    pub alice_enc: Id,
    pub alice_ec: Id,
    pub bob_sign: Id,
    pub bob_enc: Id,
    pub carol: Id,
    pub dave: Id,
}

fn issue(root: &Id, email: &str, alg: &str, usage: Usage) -> Id {
    let key = PrivateKey::generate(KeyKind::from_name(alg).unwrap()).unwrap();
    let cert = CertificateBuilder::end_entity(email, &key.public_key(), usage)
        .unwrap()
        .days(30)
        .sign(Some((&root.cert, &root.key)))
        .unwrap();
    Id { cert, key }
}

pub fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| {
        let key = PrivateKey::generate(KeyKind::from_name("ml-dsa-65").unwrap()).unwrap();
        let cert =
            CertificateBuilder::ca("CN=pqsmime message tests root,O=pqsmime tests,C=DE", &key)
                .unwrap()
                .days(30)
                .sign(None)
                .unwrap();
        let root = Id { cert, key };
        Pki {
            alice_sign: issue(&root, "alice@example.com", "ml-dsa-65", Usage::Sign),
            alice_enc: issue(&root, "alice@example.com", "ml-kem-768", Usage::Encrypt),
            alice_ec: issue(&root, "alice@example.com", "ec-p256", Usage::Sign),
            bob_sign: issue(&root, "bob@example.com", "ml-dsa-65", Usage::Sign),
            bob_enc: issue(&root, "bob@example.com", "ml-kem-768", Usage::Encrypt),
            carol: issue(&root, "carol@example.com", "rsa-2048", Usage::Encrypt),
            dave: issue(&root, "dave@example.com", "ed25519", Usage::Sign),
            root,
        }
    })
}

pub fn signer(id: &Id) -> Signer<'_> {
    Signer {
        cert: &id.cert,
        key: &id.key,
        digest: None,
        signature_algorithm: None,
    }
}

pub fn recipient(id: &Id) -> Recipient {
    Recipient::for_certificate(&id.cert).unwrap()
}

pub fn verify_opts() -> VerifyOptions {
    VerifyOptions {
        trust: vec![pki().root.cert.clone()],
        ..VerifyOptions::default()
    }
}

/// Opens `msg` trusting the root, with the given decryption identities.
pub fn open_with(msg: &[u8], keys: &[&Id]) -> pqsmime::Result<Opened> {
    let keys: Vec<DecryptionKey<'_>> = keys
        .iter()
        .map(|id| DecryptionKey::new(&id.cert, &id.key).unwrap())
        .collect();
    let opts = OpenOptions {
        verify: verify_opts(),
        keys,
        ..OpenOptions::default()
    };
    open(&Blob::from_vec(msg.to_vec()), &opts)
}

/// The unwrapped message as text.
pub fn unwrapped(o: &Opened) -> String {
    let mut out = Vec::new();
    o.write_unwrapped(&mut out).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

/// A whole message with non-ASCII headers (RFC 2047 and raw UTF-8) and an 8-bit body that
/// needs quoted-printable before it can be clear-signed.
pub const MESSAGE: &str = "From: Alice <alice@example.com>\r\n\
To: Bob <bob@example.com>, carol@example.com\r\n\
Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen?=\r\n\
X-Raw-Utf8: Grüße\r\n\
Date: Mon, 01 Jun 2026 10:00:00 +0200\r\n\
Message-ID: <m1@example.com>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\
\r\n\
Hallo Bob,\r\n\
From now on this line would be mangled by an mbox.\r\n\
Grüße, trailing space \r\n";
