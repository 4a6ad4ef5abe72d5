//! Incremental message digests for every [`DigestAlgorithm`].
//!
//! SHA-256 and SHA-3 run on aws-lc-rs; SHAKE128/256 (fixed 256/512-bit output, RFC 8702) run
//! on RustCrypto `sha3`, since aws-lc-rs exposes no SHAKE API.
//!
//! SHA-384 and SHA-512 run on RustCrypto `sha2`: aws-lc enables its SIMD SHA-512 code only on
//! Intel CPUs, and on the AMD EPYC machines pqsmime is measured on its generic code hashed
//! 872 MB/s against 915 MB/s for `sha2`'s AVX2 code (256 MiB in 64 KiB updates, release
//! build, 2026-11-28). SHA-512 is the default digest of every ML-DSA signature, so this is
//! the ceiling of signing and verifying large messages; `docs/benchmarks.md` has the numbers.

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
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
    Shake128(sha3::Shake128),
    Shake256(sha3::Shake256),
}

impl Hasher {
    pub fn new(alg: DigestAlgorithm) -> Hasher {
        let inner = match alg {
            DigestAlgorithm::Sha256 => Inner::Lc(lc::Context::new(&lc::SHA256)),
            DigestAlgorithm::Sha384 => Inner::Sha384(sha2::Sha384::default()),
            DigestAlgorithm::Sha512 => Inner::Sha512(sha2::Sha512::default()),
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
            Inner::Sha384(h) => sha2::Digest::update(h, data),
            Inner::Sha512(h) => sha2::Digest::update(h, data),
            Inner::Shake128(s) => s.update(data),
            Inner::Shake256(s) => s.update(data),
        }
    }

    pub fn finish(self) -> Vec<u8> {
        let len = self.alg.output_len();
        match self.inner {
            Inner::Lc(c) => c.finish().as_ref().to_vec(),
            Inner::Sha384(h) => sha2::Digest::finalize(h).to_vec(),
            Inner::Sha512(h) => sha2::Digest::finalize(h).to_vec(),
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

    /// SHA-384/512 run on `sha2`: the FIPS 180-4 "abc" answers, and agreement with aws-lc for
    /// every length up to three blocks, fed in uneven pieces.
    #[test]
    fn sha384_and_sha512_match_fips_and_aws_lc() {
        assert_eq!(
            hex::encode(digest(DigestAlgorithm::Sha512, b"abc")),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
        assert_eq!(
            hex::encode(digest(DigestAlgorithm::Sha384, b"abc")),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
             8086072ba1e7cc2358baeca134c825a7"
        );
        let data: Vec<u8> = (0..384u32).map(|i| (i * 31 + 7) as u8).collect();
        for (alg, lc_alg) in [
            (DigestAlgorithm::Sha384, &lc::SHA384),
            (DigestAlgorithm::Sha512, &lc::SHA512),
        ] {
            for len in 0..=data.len() {
                let mut h = Hasher::new(alg);
                for piece in data[..len].chunks(37) {
                    h.update(piece);
                }
                assert_eq!(
                    h.finish(),
                    lc::digest(lc_alg, &data[..len]).as_ref(),
                    "{alg:?} of {len} bytes"
                );
            }
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
