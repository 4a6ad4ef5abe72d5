//! Helpers shared by the `x509_*` integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pqsmime::alg::KeyKind;
use pqsmime::keys::PrivateKey;
use pqsmime::x509::{
    Certificate, CertificateBuilder, Extension, IssueRequest, Profile, TestProfile, Usage,
};
use pqsmime::Result;

pub fn vectors(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors")
        .join(rel)
}

pub fn read(rel: &str) -> Vec<u8> {
    let p = vectors(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// The first certificate of a vector file.
pub fn cert(rel: &str) -> Certificate {
    let mut v = Certificate::from_pem_or_der(&read(rel))
        .unwrap_or_else(|e| panic!("{rel} does not parse: {e}"));
    v.remove(0)
}

/// Seconds since the epoch as a `SystemTime`.
pub fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// 2030-01-01T00:00:00Z.
pub fn y2030() -> SystemTime {
    at(1_893_456_000)
}

pub fn key(kind: &str) -> PrivateKey {
    PrivateKey::generate(KeyKind::from_name(kind).unwrap()).unwrap()
}

/// A self-signed test CA.
pub fn root(dn: &str, k: &PrivateKey) -> Certificate {
    CertificateBuilder::ca(dn, k).unwrap().sign(None).unwrap()
}

/// An end-entity certificate with the test profile.
pub fn ee(
    email: &str,
    k: &PrivateKey,
    usage: Usage,
    ca: &Certificate,
    ca_key: &PrivateKey,
) -> Certificate {
    CertificateBuilder::end_entity(email, &k.public_key(), usage)
        .unwrap()
        .sign(Some((ca, ca_key)))
        .unwrap()
}

/// A profile that starts from [`TestProfile`] and edits its extensions, to make the broken
/// certificates the negative tests need.
pub struct Tweak<F: Fn(&mut Vec<Extension>)>(pub F);

impl<F: Fn(&mut Vec<Extension>)> Profile for Tweak<F> {
    fn name(&self) -> &str {
        "tweak"
    }
    fn validity(&self, r: &IssueRequest<'_>) -> Result<(SystemTime, SystemTime)> {
        TestProfile.validity(r)
    }
    fn extensions(&self, r: &IssueRequest<'_>) -> Result<Vec<Extension>> {
        let mut e = TestProfile.extensions(r)?;
        (self.0)(&mut e);
        Ok(e)
    }
}

/// Replaces the extension with the same OID (or appends it).
pub fn set_ext(exts: &mut Vec<Extension>, e: Extension) {
    match exts.iter_mut().find(|x| x.oid == e.oid) {
        Some(x) => *x = e,
        None => exts.push(e),
    }
}

/// Searches `hay` for `needle`.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
