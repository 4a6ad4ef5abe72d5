//! KEMRecipientInfo (RFC 9629) with ML-KEM (RFC 9936).
//!
//! ```asn1
//! KEMRecipientInfo ::= SEQUENCE {
//!   version CMSVersion,  -- always set to 0
//!   rid RecipientIdentifier,
//!   kem KEMAlgorithmIdentifier,
//!   kemct OCTET STRING,
//!   kdf KeyDerivationAlgorithmIdentifier,
//!   kekLength INTEGER (1..65535),
//!   ukm [0] EXPLICIT UserKeyingMaterial OPTIONAL,
//!   wrap KeyEncryptionAlgorithmIdentifier,
//!   encryptedKey EncryptedKey }
//!
//! CMSORIforKEMOtherInfo ::= SEQUENCE {
//!   wrap KeyEncryptionAlgorithmIdentifier,
//!   kekLength INTEGER (1..65535),
//!   ukm [0] EXPLICIT UserKeyingMaterial OPTIONAL }
//! ```
//! carried as `[4] OtherRecipientInfo { id-ori-kem, KEMRecipientInfo }`.

use zeroize::Zeroizing;

use super::{parse_explicit_ukm, RecipientIdentifier};
use crate::alg::{describe_oid, MlKemLevel};
use crate::asn1::{self, Reader, Rules};
use crate::cms::enveloped::kdf::KemKdf;
use crate::cms::enveloped::kw::KeyWrapAlgorithm;
use crate::cms::enveloped::recipients::KemOptions;
use crate::error::{Error, Result};
use crate::keys::{PrivateKey, PublicKey};
use crate::oids;

/// The wrap RFC 9936 §3 makes mandatory for each level.
pub(crate) fn default_wrap(level: MlKemLevel) -> KeyWrapAlgorithm {
    match level {
        MlKemLevel::L512 => KeyWrapAlgorithm::Aes128,
        MlKemLevel::L768 | MlKemLevel::L1024 => KeyWrapAlgorithm::Aes256,
    }
}

/// DER `CMSORIforKEMOtherInfo`, the HKDF info (RFC 9629 §5).
pub(crate) fn kdf_info(wrap: KeyWrapAlgorithm, kek_len: usize, ukm: Option<&[u8]>) -> Vec<u8> {
    let mut body = wrap.algorithm_identifier();
    body.extend(asn1::integer_u64(kek_len as u64));
    if let Some(ukm) = ukm {
        body.extend(asn1::tlv(0xA0, &asn1::octet_string(ukm)));
    }
    asn1::tlv(asn1::TAG_SEQUENCE, &body)
}

/// Builds the `[4] ori` RecipientInfo for one ML-KEM recipient: a fresh encapsulation, the KEK
/// from the KDF, and the wrapped `cek`.
pub(crate) fn build(
    rid: &RecipientIdentifier,
    key: &PublicKey,
    level: MlKemLevel,
    opts: &KemOptions,
    cek: &[u8],
) -> Result<Vec<u8>> {
    let wrap = opts.wrap.unwrap_or_else(|| default_wrap(level));
    let kek_len = wrap.kek_len();
    let (kemct, ss) = key.kem_encapsulate()?;
    let info = kdf_info(wrap, kek_len, opts.ukm.as_deref());
    let kek = opts.kdf.derive(&ss, &info, kek_len)?;
    drop(ss);
    let encrypted_key = wrap.wrap(&kek, cek)?;

    let mut body = asn1::integer_u64(0);
    body.extend(rid.encode());
    body.extend(asn1::algorithm_identifier(&level.oid(), None));
    body.extend(asn1::octet_string(&kemct));
    body.extend(opts.kdf.algorithm_identifier());
    body.extend(asn1::integer_u64(kek_len as u64));
    if let Some(ukm) = &opts.ukm {
        body.extend(asn1::tlv(0xA0, &asn1::octet_string(ukm)));
    }
    body.extend(wrap.algorithm_identifier());
    body.extend(asn1::octet_string(&encrypted_key));
    let kemri = asn1::tlv(asn1::TAG_SEQUENCE, &body);

    let mut ori = asn1::oid(&oids::ID_ORI_KEM);
    ori.extend(kemri);
    Ok(asn1::tlv(0xA4, &ori))
}

/// A parsed KEMRecipientInfo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KemRecipientInfo {
    pub rid: RecipientIdentifier,
    pub level: MlKemLevel,
    pub kemct: Vec<u8>,
    pub kdf: KemKdf,
    pub kek_len: usize,
    pub ukm: Option<Vec<u8>>,
    pub wrap: KeyWrapAlgorithm,
    pub encrypted_key: Vec<u8>,
}

/// Parses the contents of a KEMRecipientInfo SEQUENCE. Public-encoding problems (unsupported
/// KEM or KDF, kekLength not matching the wrap) are input errors here, before any secret is
/// touched.
pub(crate) fn parse(body: &[u8]) -> Result<KemRecipientInfo> {
    let mut r = Reader::new_ber(body);
    let version = asn1::read_small_uint(&mut r, "KEMRecipientInfo version")?;
    if version != 0 {
        return Err(Error::Malformed(format!(
            "KEMRecipientInfo version is {version}; RFC 9629 requires 0"
        )));
    }
    let rid_tlv = r.read()?;
    let rid = RecipientIdentifier::parse(&rid_tlv, "KEMRecipientInfo rid")?;
    let kem = r.read_expected(asn1::TAG_SEQUENCE, "KEMRecipientInfo kem")?;
    let (kem_oid, kem_params) = asn1::parse_algorithm_identifier(kem.raw)?;
    let level = [MlKemLevel::L512, MlKemLevel::L768, MlKemLevel::L1024]
        .into_iter()
        .find(|l| l.oid() == kem_oid)
        .ok_or_else(|| {
            Error::UnsupportedAlgorithm(format!(
                "KEMRecipientInfo KEM {} (pqsmime supports ML-KEM-512/768/1024)",
                describe_oid(&kem_oid)
            ))
        })?;
    if kem_params.is_some() {
        return Err(Error::Malformed(format!(
            "{} KEM identifier has parameters, which RFC 9936 requires to be absent",
            level.name()
        )));
    }
    let kemct_tlv = r.read()?;
    if kemct_tlv.tag != asn1::TAG_OCTET_STRING && kemct_tlv.tag != 0x24 {
        return Err(Error::malformed(
            "KEMRecipientInfo kemct is not an OCTET STRING",
        ));
    }
    let kemct = asn1::octet_string_contents(&kemct_tlv, Rules::Ber)?.into_owned();
    let kdf_tlv = r.read_expected(asn1::TAG_SEQUENCE, "KEMRecipientInfo kdf")?;
    let kdf = KemKdf::from_algorithm_identifier(kdf_tlv.raw)?;
    let kek_len = asn1::read_small_uint(&mut r, "KEMRecipientInfo kekLength")?;
    if !(1..=65535).contains(&kek_len) {
        return Err(Error::Malformed(format!(
            "KEMRecipientInfo kekLength {kek_len} is outside 1..65535"
        )));
    }
    let ukm = match r.read_optional(0xA0)? {
        Some(t) => Some(parse_explicit_ukm(&t, "KEMRecipientInfo ukm")?),
        None => None,
    };
    let wrap_tlv = r.read_expected(asn1::TAG_SEQUENCE, "KEMRecipientInfo wrap")?;
    let wrap = KeyWrapAlgorithm::from_algorithm_identifier(wrap_tlv.raw)?;
    if kek_len as usize != wrap.kek_len() {
        return Err(Error::Malformed(format!(
            "KEMRecipientInfo kekLength is {kek_len} but {} needs {} (RFC 9629 §3)",
            wrap.name(),
            wrap.kek_len()
        )));
    }
    let ek_tlv = r.read()?;
    if ek_tlv.tag != asn1::TAG_OCTET_STRING && ek_tlv.tag != 0x24 {
        return Err(Error::malformed(
            "KEMRecipientInfo encryptedKey is not an OCTET STRING",
        ));
    }
    let encrypted_key = asn1::octet_string_contents(&ek_tlv, Rules::Ber)?.into_owned();
    r.finish("KEMRecipientInfo")?;
    Ok(KemRecipientInfo {
        rid,
        level,
        kemct,
        kdf,
        kek_len: kek_len as usize,
        ukm,
        wrap,
        encrypted_key,
    })
}

impl KemRecipientInfo {
    /// Decapsulates, derives the KEK and unwraps the content key.
    pub(crate) fn decrypt(&self, key: &PrivateKey) -> Result<Zeroizing<Vec<u8>>> {
        if key.kind() != crate::alg::KeyKind::MlKem(self.level) {
            return Err(Error::Decrypt);
        }
        let ss = key.kem_decapsulate(&self.kemct)?;
        let kek = self.derive_kek(&ss)?;
        self.wrap.unwrap(&kek, &self.encrypted_key)
    }

    /// The KEK from the shared secret (exposed for the RFC 9936 intermediate-value test).
    pub(crate) fn derive_kek(&self, ss: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let info = kdf_info(self.wrap, self.kek_len, self.ukm.as_deref());
        self.kdf.derive(ss, &info, self.kek_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alg::KeyKind;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn rfc9936_kdf_info_bytes() {
        assert_eq!(
            kdf_info(KeyWrapAlgorithm::Aes128, 16, None),
            h("3010300B0609608648016503040105020110")
        );
        assert_eq!(
            kdf_info(KeyWrapAlgorithm::Aes256, 32, None),
            h("3010300B060960864801650304012D020120")
        );
        let with_ukm = kdf_info(KeyWrapAlgorithm::Aes256, 32, Some(b"abc"));
        assert_eq!(&with_ukm[with_ukm.len() - 7..], &h("A0050403616263")[..]);
    }

    #[test]
    fn build_parse_decrypt_round_trip_every_level_and_option() {
        let cek = [0x5Au8; 32];
        for level in [MlKemLevel::L512, MlKemLevel::L768, MlKemLevel::L1024] {
            let sk = PrivateKey::generate(KeyKind::MlKem(level)).unwrap();
            let rid = RecipientIdentifier::SubjectKeyIdentifier(vec![1, 2, 3]);
            for (kdf, wrap, ukm) in [
                (KemKdf::HkdfSha256, None, None),
                (
                    KemKdf::HkdfSha384,
                    Some(KeyWrapAlgorithm::Aes128),
                    Some(b"ukm".to_vec()),
                ),
                (KemKdf::HkdfSha512, Some(KeyWrapAlgorithm::Aes256), None),
            ] {
                let opts = KemOptions {
                    kdf,
                    wrap,
                    ukm: ukm.clone(),
                };
                let ori = build(&rid, &sk.public_key(), level, &opts, &cek).unwrap();
                let outer = Reader::new(&ori).read().unwrap();
                assert_eq!(outer.tag, 0xA4);
                let mut o = outer.reader(Rules::Der);
                assert_eq!(asn1::read_oid(&mut o, "t").unwrap(), oids::ID_ORI_KEM);
                let seq = o.read().unwrap();
                let ri = parse(seq.value).unwrap();
                assert_eq!(ri.level, level);
                assert_eq!(ri.kdf, kdf);
                assert_eq!(ri.wrap, wrap.unwrap_or_else(|| default_wrap(level)));
                assert_eq!(ri.ukm, ukm);
                assert_eq!(ri.kemct.len(), level.ciphertext_len());
                assert_eq!(*ri.decrypt(&sk).unwrap(), cek);
                // A different key of the same level: implicit rejection, then unwrap fails.
                let other = PrivateKey::generate(KeyKind::MlKem(level)).unwrap();
                assert!(matches!(ri.decrypt(&other), Err(Error::Decrypt)));
            }
        }
    }

    #[test]
    fn kek_length_must_match_wrap() {
        let sk = PrivateKey::generate(KeyKind::MlKem(MlKemLevel::L768)).unwrap();
        let rid = RecipientIdentifier::SubjectKeyIdentifier(vec![1]);
        let ori = build(
            &rid,
            &sk.public_key(),
            MlKemLevel::L768,
            &KemOptions::default(),
            &[1; 16],
        )
        .unwrap();
        // kekLength 02 01 20 → 02 01 10 (16 with aes256-wrap).
        let needle = [0x02, 0x01, 0x20, 0x30, 0x0B];
        let pos = ori.windows(5).position(|w| w == needle).unwrap();
        let mut bad = ori.clone();
        bad[pos + 2] = 0x10;
        let outer = Reader::new(&bad).read().unwrap();
        let mut o = outer.reader(Rules::Der);
        o.read().unwrap();
        let seq = o.read().unwrap();
        let err = parse(seq.value).unwrap_err();
        assert!(matches!(err, Error::Malformed(_)));
        assert!(err.to_string().contains("kekLength is 16"), "{err}");
    }
}
