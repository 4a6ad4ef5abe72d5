//! Key-derivation functions for CMS recipients.
//!
//! * HKDF (RFC 5869) as identified by RFC 8619 (`id-alg-hkdf-with-sha256/384/512`), used by
//!   KEMRecipientInfo (RFC 9629 §5, RFC 9936 §3) and by X25519 key agreement (RFC 8418 §2.2);
//! * the ANSI X9.63 KDF (SEC 1 §3.6.1) used by ECDH KeyAgreeRecipientInfo (RFC 5753 §7.2).

use aws_lc_rs::{digest, hkdf};
use const_oid::ObjectIdentifier;
use zeroize::Zeroizing;

use crate::alg::describe_oid;
use crate::asn1;
use crate::error::{Error, Result};
use crate::oids;

/// Bouncy Castle's default KEM KDF: KDF3 (ANSI X9.44) `1.3.133.16.840.9.44.1.2`. Recognised only
/// to name it in the error.
pub(crate) const ID_KDF_KDF3: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.133.16.840.9.44.1.2");
/// KDF2 (ANSI X9.44) `1.3.133.16.840.9.44.1.1`, as used by RSA-KEM (RFC 9690). Recognised only to
/// name it in the error.
pub(crate) const ID_KDF_KDF2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.133.16.840.9.44.1.1");

/// The KDFs a KEMRecipientInfo may name (RFC 8619 identifiers, parameters absent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum KemKdf {
    /// `id-alg-hkdf-with-sha256` (1.2.840.113549.1.9.16.3.28): RFC 9936's mandatory KDF.
    #[default]
    HkdfSha256,
    /// `id-alg-hkdf-with-sha384` (1.2.840.113549.1.9.16.3.29).
    HkdfSha384,
    /// `id-alg-hkdf-with-sha512` (1.2.840.113549.1.9.16.3.30).
    HkdfSha512,
}

impl KemKdf {
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            KemKdf::HkdfSha256 => oids::HKDF_SHA256,
            KemKdf::HkdfSha384 => oids::HKDF_SHA384,
            KemKdf::HkdfSha512 => oids::HKDF_SHA512,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            KemKdf::HkdfSha256 => "hkdf-sha256",
            KemKdf::HkdfSha384 => "hkdf-sha384",
            KemKdf::HkdfSha512 => "hkdf-sha512",
        }
    }

    /// Parses the names users type (`hkdf-sha256`, also OpenSSL's `HKDF-SHA256`).
    pub fn from_name(name: &str) -> Result<KemKdf> {
        match name.to_ascii_lowercase().as_str() {
            "hkdf-sha256" => Ok(KemKdf::HkdfSha256),
            "hkdf-sha384" => Ok(KemKdf::HkdfSha384),
            "hkdf-sha512" => Ok(KemKdf::HkdfSha512),
            _ => Err(Error::UnsupportedAlgorithm(format!(
                "unknown KEM key-derivation function '{name}' (known: hkdf-sha256, hkdf-sha384, hkdf-sha512)"
            ))),
        }
    }

    /// DER `KeyDerivationAlgorithmIdentifier`, parameters absent (RFC 8619 §3).
    pub fn algorithm_identifier(self) -> Vec<u8> {
        asn1::algorithm_identifier(&self.oid(), None)
    }

    /// Parses a `KeyDerivationAlgorithmIdentifier` (DER). Names the unsupported ones we know.
    pub fn from_algorithm_identifier(der: &[u8]) -> Result<KemKdf> {
        let (oid, params) = asn1::parse_algorithm_identifier(der)?;
        let kdf = if oid == oids::HKDF_SHA256 {
            KemKdf::HkdfSha256
        } else if oid == oids::HKDF_SHA384 {
            KemKdf::HkdfSha384
        } else if oid == oids::HKDF_SHA512 {
            KemKdf::HkdfSha512
        } else if oid == ID_KDF_KDF3 {
            return Err(Error::UnsupportedAlgorithm(format!(
                "KEMRecipientInfo key-derivation function KDF3 ({oid}, Bouncy Castle's default); \
                 pqsmime supports HKDF-SHA256/384/512 (RFC 8619), so ask the sender to use HKDF"
            )));
        } else if oid == ID_KDF_KDF2 {
            return Err(Error::UnsupportedAlgorithm(format!(
                "KEMRecipientInfo key-derivation function KDF2 ({oid}); pqsmime supports \
                 HKDF-SHA256/384/512 (RFC 8619)"
            )));
        } else {
            return Err(Error::UnsupportedAlgorithm(format!(
                "KEMRecipientInfo key-derivation function {}; pqsmime supports HKDF-SHA256/384/512 \
                 (RFC 8619)",
                describe_oid(&oid)
            )));
        };
        if params.is_some() {
            return Err(Error::Malformed(format!(
                "{} algorithm identifier has parameters, which RFC 8619 requires to be absent",
                kdf.name()
            )));
        }
        Ok(kdf)
    }

    /// `HKDF(salt = empty, IKM = ikm, info, L = len)`.
    pub fn derive(self, ikm: &[u8], info: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>> {
        let alg = match self {
            KemKdf::HkdfSha256 => hkdf::HKDF_SHA256,
            KemKdf::HkdfSha384 => hkdf::HKDF_SHA384,
            KemKdf::HkdfSha512 => hkdf::HKDF_SHA512,
        };
        hkdf_derive(alg, ikm, info, len)
    }
}

struct OkmLen(usize);

impl hkdf::KeyType for OkmLen {
    fn len(&self) -> usize {
        self.0
    }
}

/// HKDF-Extract with an empty salt (equivalent to HashLen zero bytes, RFC 5869 §2.2) followed
/// by HKDF-Expand.
pub(crate) fn hkdf_derive(
    alg: hkdf::Algorithm,
    ikm: &[u8],
    info: &[u8],
    len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let prk = hkdf::Salt::new(alg, &[]).extract(ikm);
    let info_parts = [info];
    let okm = prk
        .expand(&info_parts, OkmLen(len))
        .map_err(|_| Error::Crypto(format!("HKDF cannot produce {len} bytes")))?;
    let mut out = Zeroizing::new(vec![0u8; len]);
    okm.fill(&mut out)
        .map_err(|_| Error::Crypto("HKDF expansion failed".into()))?;
    Ok(out)
}

/// Hash functions the X9.63 KDF runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum X963Hash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl X963Hash {
    fn algorithm(self) -> &'static digest::Algorithm {
        match self {
            X963Hash::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            X963Hash::Sha224 => &digest::SHA224,
            X963Hash::Sha256 => &digest::SHA256,
            X963Hash::Sha384 => &digest::SHA384,
            X963Hash::Sha512 => &digest::SHA512,
        }
    }
}

/// ANSI X9.63 KDF: `K = H(Z ‖ 00000001 ‖ SharedInfo) ‖ H(Z ‖ 00000002 ‖ SharedInfo) ‖ …`
/// truncated to `len` bytes (SEC 1 v2 §3.6.1).
pub(crate) fn x963_kdf(
    hash: X963Hash,
    z: &[u8],
    shared_info: &[u8],
    len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let alg = hash.algorithm();
    let blocks = len.div_ceil(alg.output_len());
    if blocks > 255 {
        return Err(Error::Crypto(format!("X9.63 KDF asked for {len} bytes")));
    }
    let mut out = Zeroizing::new(Vec::with_capacity(blocks * alg.output_len()));
    for counter in 1..=blocks as u32 {
        let mut ctx = digest::Context::new(alg);
        ctx.update(z);
        ctx.update(&counter.to_be_bytes());
        ctx.update(shared_info);
        out.extend_from_slice(ctx.finish().as_ref());
    }
    out.truncate(len);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn rfc9936_example_kek() {
        // RFC 9936 Appendix A: shared secret, ori_info and KEK (tests/vectors/lamps-cms-kyber).
        let ss = h("7DF12D412AE299A24FDE6D7C3BB8E3194C80AD3C733DCF2775E09FE8BEDB86D8");
        let info = h("3010300B0609608648016503040105020110");
        let kek = KemKdf::HkdfSha256.derive(&ss, &info, 16).unwrap();
        assert_eq!(*kek, h("CF453A3E2BAE0A78701B8206C185A008"));
        // Different hash, different KEK.
        assert_ne!(*KemKdf::HkdfSha512.derive(&ss, &info, 16).unwrap(), *kek);
    }

    #[test]
    fn rfc5869_test_case_3_empty_salt_and_info() {
        // RFC 5869 A.3: SHA-256, IKM = 22 x 0x0b, salt and info empty, L = 42.
        let okm = hkdf_derive(hkdf::HKDF_SHA256, &[0x0b; 22], &[], 42).unwrap();
        assert_eq!(
            *okm,
            h("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
        );
    }

    #[test]
    fn x963_kdf_sha256_known_answer() {
        // NIST CAVS 12.0 ANSI X9.63 KDF, SHA-256, shared secret 192 bits, SharedInfo 0,
        // key data 128 bits, COUNT = 0.
        let z = h("96c05619d56c328ab95fe84b18264b08725b85e33fd34f08");
        let k = x963_kdf(X963Hash::Sha256, &z, &[], 16).unwrap();
        assert_eq!(*k, h("443024c3dae66b95e6f5670601558f71"));
    }

    #[test]
    fn x963_kdf_spans_blocks_and_truncates() {
        let z = [1u8; 32];
        let long = x963_kdf(X963Hash::Sha1, &z, b"info", 45).unwrap();
        assert_eq!(long.len(), 45);
        let short = x963_kdf(X963Hash::Sha1, &z, b"info", 20).unwrap();
        assert_eq!(&long[..20], &short[..]);
        let mut ctx = digest::Context::new(&digest::SHA1_FOR_LEGACY_USE_ONLY);
        ctx.update(&z);
        ctx.update(&[0, 0, 0, 2]);
        ctx.update(b"info");
        assert_eq!(&long[20..40], ctx.finish().as_ref());
    }

    #[test]
    fn kdf_identifiers() {
        for kdf in [KemKdf::HkdfSha256, KemKdf::HkdfSha384, KemKdf::HkdfSha512] {
            let der = kdf.algorithm_identifier();
            assert_eq!(KemKdf::from_algorithm_identifier(&der).unwrap(), kdf);
            assert_eq!(KemKdf::from_name(kdf.name()).unwrap(), kdf);
        }
        let kdf3 = asn1::algorithm_identifier(
            &ID_KDF_KDF3,
            Some(&asn1::algorithm_identifier(&crate::alg::oid::SHA256, None)),
        );
        let err = KemKdf::from_algorithm_identifier(&kdf3).unwrap_err();
        assert!(matches!(err, Error::UnsupportedAlgorithm(_)));
        assert!(err.to_string().contains("KDF3"), "{err}");
        let with_null = asn1::algorithm_identifier(&oids::HKDF_SHA256, Some(&[5, 0]));
        assert!(matches!(
            KemKdf::from_algorithm_identifier(&with_null),
            Err(Error::Malformed(_))
        ));
    }
}
