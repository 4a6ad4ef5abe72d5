//! Incremental message digests for every [`DigestAlgorithm`].
//!
//! SHA-2 and SHA-3 run on aws-lc-rs; SHAKE128/256 (fixed 256/512-bit output, RFC 8702) run on
//! RustCrypto `sha3`, since aws-lc-rs exposes no SHAKE API.

use aws_lc_rs::digest as lc;
use sha3::digest::{ExtendableOutput, Update, XofReader};

use crate::alg::DigestAlgorithm;

/// A running digest computation. Feed it with [`Hasher::update`], finish with
/// [`Hasher::finish`].
pub struct Hasher {
    alg: DigestAlgorithm,
    inner: Inner,
}

enum Inner {
    Lc(lc::Context),
    Shake128(sha3::Shake128),
    Shake256(sha3::Shake256),
}

impl Hasher {
    pub fn new(alg: DigestAlgorithm) -> Hasher {
        let inner = match alg {
            DigestAlgorithm::Sha256 => Inner::Lc(lc::Context::new(&lc::SHA256)),
            DigestAlgorithm::Sha384 => Inner::Lc(lc::Context::new(&lc::SHA384)),
            DigestAlgorithm::Sha512 => Inner::Lc(lc::Context::new(&lc::SHA512)),
            DigestAlgorithm::Sha3_256 => Inner::Lc(lc::Context::new(&lc::SHA3_256)),
            DigestAlgorithm::Sha3_384 => Inner::Lc(lc::Context::new(&lc::SHA3_384)),
            DigestAlgorithm::Sha3_512 => Inner::Lc(lc::Context::new(&lc::SHA3_512)),
            DigestAlgorithm::Shake128 => Inner::Shake128(sha3::Shake128::default()),
            DigestAlgorithm::Shake256 => Inner::Shake256(sha3::Shake256::default()),
        };
        Hasher { alg, inner }
    }

    pub fn algorithm(&self) -> DigestAlgorithm {
        self.alg
    }

    pub fn update(&mut self, data: &[u8]) {
        match &mut self.inner {
            Inner::Lc(c) => c.update(data),
            Inner::Shake128(s) => s.update(data),
            Inner::Shake256(s) => s.update(data),
        }
    }

    pub fn finish(self) -> Vec<u8> {
        let len = self.alg.output_len();
        match self.inner {
            Inner::Lc(c) => c.finish().as_ref().to_vec(),
            Inner::Shake128(s) => {
                let mut out = vec![0u8; len];
                s.finalize_xof().read(&mut out);
                out
            }
            Inner::Shake256(s) => {
                let mut out = vec![0u8; len];
                s.finalize_xof().read(&mut out);
                out
            }
        }
    }
}

impl std::io::Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One-shot digest.
pub fn digest(alg: DigestAlgorithm, data: &[u8]) -> Vec<u8> {
    let mut h = Hasher::new(alg);
    h.update(data);
    h.finish()
}

/// SHA-1, only for key identifiers (RFC 5280 §4.2.1.2 method 1) and ESS legacy fields.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    let d = lc::digest(&lc::SHA1_FOR_LEGACY_USE_ONLY, data);
    let mut out = [0u8; 20];
    out.copy_from_slice(d.as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        // FIPS 180-4 / FIPS 202 "abc" vectors.
        assert_eq!(
            hex::encode(digest(DigestAlgorithm::Sha256, b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex::encode(digest(DigestAlgorithm::Sha3_256, b"abc")),
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"
        );
        // SHAKE128("", 256 bits) from FIPS 202 examples.
        assert_eq!(
            hex::encode(digest(DigestAlgorithm::Shake128, b"")),
            "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26"
        );
        for alg in DigestAlgorithm::ALL {
            assert_eq!(digest(alg, b"x").len(), alg.output_len());
        }
    }

    #[test]
    fn incremental_equals_one_shot() {
        for alg in DigestAlgorithm::ALL {
            let mut h = Hasher::new(alg);
            h.update(b"hello ");
            h.update(b"world");
            assert_eq!(h.finish(), digest(alg, b"hello world"));
        }
    }
}
