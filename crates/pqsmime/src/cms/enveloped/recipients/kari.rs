//! KeyAgreeRecipientInfo (RFC 5652 §6.2.2) with ephemeral-static ECDH: NIST curves per
//! RFC 5753 and X25519 per RFC 8418.
//!
//! ```asn1
//! KeyAgreeRecipientInfo ::= SEQUENCE {
//!   version CMSVersion,  -- always set to 3
//!   originator [0] EXPLICIT OriginatorIdentifierOrKey,   -- we use originatorKey [1]
//!   ukm [1] EXPLICIT UserKeyingMaterial OPTIONAL,
//!   keyEncryptionAlgorithm KeyEncryptionAlgorithmIdentifier,  -- KDF scheme { wrap }
//!   recipientEncryptedKeys RecipientEncryptedKeys }
//!
//! ECC-CMS-SharedInfo ::= SEQUENCE {
//!   keyInfo AlgorithmIdentifier,               -- the key wrap
//!   entityUInfo [0] EXPLICIT OCTET STRING OPTIONAL,   -- the ukm
//!   suppPubInfo [2] EXPLICIT OCTET STRING }    -- KEK length in bits, 32-bit big-endian
//! ```
//!
//! We write `dhSinglePass-stdDH-sha256kdf-scheme` (P-256, X25519), `-sha384kdf-` (P-384) and
//! `-sha512kdf-` (P-521), one KeyAgreeRecipientInfo per recipient with its own ephemeral key;
//! the wrap follows the content key (aes128-wrap for a 16-byte key on P-256/X25519,
//! aes256-wrap otherwise). We read the SHA-1/224/256/384/512 X9.63 schemes in their stdDH and
//! cofactorDH forms (the same thing on prime-order curves; OpenSSL's default is
//! SHA-1) and the RFC 8418 HKDF schemes.

use aws_lc_rs::agreement::{self, UnparsedPublicKey, ECDH_P256, ECDH_P384, ECDH_P521, X25519};
use aws_lc_rs::hkdf;
use const_oid::ObjectIdentifier;
use zeroize::Zeroizing;

use super::{parse_explicit_ukm, RecipientIdentifier};
use crate::alg::{describe_oid, oid as alg_oid, EcCurve, KeyKind};
use crate::asn1::{self, Reader, Rules};
use crate::cms::enveloped::kdf::{hkdf_derive, x963_kdf, X963Hash};
use crate::cms::enveloped::kw::KeyWrapAlgorithm;
use crate::error::{Error, Result};
use crate::keys::{PrivateKey, PublicKey};

const fn oid(s: &str) -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap(s)
}

/// Key-agreement schemes: (OID, KDF). SEC 1 / RFC 5753 §7.1.4, RFC 8418 §2.
const SCHEMES: [(ObjectIdentifier, KariKdf, &str); 13] = [
    (
        oid("1.3.133.16.840.63.0.2"),
        KariKdf::X963(X963Hash::Sha1),
        "dhSinglePass-stdDH-sha1kdf-scheme",
    ),
    (
        oid("1.3.133.16.840.63.0.3"),
        KariKdf::X963(X963Hash::Sha1),
        "dhSinglePass-cofactorDH-sha1kdf-scheme",
    ),
    (
        oid("1.3.132.1.11.0"),
        KariKdf::X963(X963Hash::Sha224),
        "dhSinglePass-stdDH-sha224kdf-scheme",
    ),
    (
        oid("1.3.132.1.11.1"),
        KariKdf::X963(X963Hash::Sha256),
        "dhSinglePass-stdDH-sha256kdf-scheme",
    ),
    (
        oid("1.3.132.1.11.2"),
        KariKdf::X963(X963Hash::Sha384),
        "dhSinglePass-stdDH-sha384kdf-scheme",
    ),
    (
        oid("1.3.132.1.11.3"),
        KariKdf::X963(X963Hash::Sha512),
        "dhSinglePass-stdDH-sha512kdf-scheme",
    ),
    (
        oid("1.3.132.1.14.0"),
        KariKdf::X963(X963Hash::Sha224),
        "dhSinglePass-cofactorDH-sha224kdf-scheme",
    ),
    (
        oid("1.3.132.1.14.1"),
        KariKdf::X963(X963Hash::Sha256),
        "dhSinglePass-cofactorDH-sha256kdf-scheme",
    ),
    (
        oid("1.3.132.1.14.2"),
        KariKdf::X963(X963Hash::Sha384),
        "dhSinglePass-cofactorDH-sha384kdf-scheme",
    ),
    (
        oid("1.3.132.1.14.3"),
        KariKdf::X963(X963Hash::Sha512),
        "dhSinglePass-cofactorDH-sha512kdf-scheme",
    ),
    (
        oid("1.2.840.113549.1.9.16.3.19"),
        KariKdf::Hkdf(HkdfHash::Sha256),
        "dhSinglePass-stdDH-hkdf-sha256-scheme",
    ),
    (
        oid("1.2.840.113549.1.9.16.3.20"),
        KariKdf::Hkdf(HkdfHash::Sha384),
        "dhSinglePass-stdDH-hkdf-sha384-scheme",
    ),
    (
        oid("1.2.840.113549.1.9.16.3.21"),
        KariKdf::Hkdf(HkdfHash::Sha512),
        "dhSinglePass-stdDH-hkdf-sha512-scheme",
    ),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HkdfHash {
    Sha256,
    Sha384,
    Sha512,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KariKdf {
    X963(X963Hash),
    Hkdf(HkdfHash),
}

impl KariKdf {
    fn derive(self, z: &[u8], shared_info: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>> {
        match self {
            KariKdf::X963(h) => x963_kdf(h, z, shared_info, len),
            KariKdf::Hkdf(h) => {
                let alg = match h {
                    HkdfHash::Sha256 => hkdf::HKDF_SHA256,
                    HkdfHash::Sha384 => hkdf::HKDF_SHA384,
                    HkdfHash::Sha512 => hkdf::HKDF_SHA512,
                };
                hkdf_derive(alg, z, shared_info, len)
            }
        }
    }
}

fn scheme_oid(kdf: KariKdf) -> ObjectIdentifier {
    // The stdDH entries come first for every KDF we write.
    SCHEMES
        .iter()
        .find(|(_, k, name)| *k == kdf && name.contains("stdDH"))
        .map(|(o, _, _)| *o)
        .unwrap_or(SCHEMES[3].0)
}

fn agreement_alg(kind: KeyKind) -> Result<&'static agreement::Algorithm> {
    match kind {
        KeyKind::Ec(EcCurve::P256) => Ok(&ECDH_P256),
        KeyKind::Ec(EcCurve::P384) => Ok(&ECDH_P384),
        KeyKind::Ec(EcCurve::P521) => Ok(&ECDH_P521),
        KeyKind::X25519 => Ok(&X25519),
        other => Err(Error::Usage(format!(
            "key agreement needs an EC or X25519 key, not a {} key",
            other.description()
        ))),
    }
}

/// DER `ECC-CMS-SharedInfo` (RFC 5753 §7.2).
pub(crate) fn shared_info(wrap: KeyWrapAlgorithm, ukm: Option<&[u8]>) -> Vec<u8> {
    let mut body = wrap.algorithm_identifier();
    if let Some(ukm) = ukm {
        body.extend(asn1::tlv(0xA0, &asn1::octet_string(ukm)));
    }
    let bits = (wrap.kek_len() as u32) * 8;
    body.extend(asn1::tlv(0xA2, &asn1::octet_string(&bits.to_be_bytes())));
    asn1::tlv(asn1::TAG_SEQUENCE, &body)
}

/// Builds a KeyAgreeRecipientInfo carrying `cek` to `key` with a fresh ephemeral key.
pub(crate) fn build(
    rid: &RecipientIdentifier,
    key: &PublicKey,
    ukm: Option<&[u8]>,
    cek: &[u8],
) -> Result<Vec<u8>> {
    let kind = key.kind();
    let alg = agreement_alg(kind)?;
    let (kdf, wrap) = match kind {
        KeyKind::Ec(EcCurve::P384) => (KariKdf::X963(X963Hash::Sha384), KeyWrapAlgorithm::Aes256),
        KeyKind::Ec(EcCurve::P521) => (KariKdf::X963(X963Hash::Sha512), KeyWrapAlgorithm::Aes256),
        _ if cek.len() > 16 => (KariKdf::X963(X963Hash::Sha256), KeyWrapAlgorithm::Aes256),
        _ => (KariKdf::X963(X963Hash::Sha256), KeyWrapAlgorithm::Aes128),
    };
    let ephemeral = agreement::PrivateKey::generate(alg)
        .map_err(|_| Error::Crypto("ephemeral key generation failed".into()))?;
    let eph_public = ephemeral
        .compute_public_key()
        .map_err(|_| Error::Crypto("ephemeral public key computation failed".into()))?;
    let info = shared_info(wrap, ukm);
    let kek = agreement::agree(
        &ephemeral,
        UnparsedPublicKey::new(alg, key.raw()),
        Error::InvalidKey(format!(
            "the recipient's {} public key is invalid",
            kind.description()
        )),
        |z| kdf.derive(z, &info, wrap.kek_len()),
    )?;
    let encrypted_key = wrap.wrap(&kek, cek)?;

    let originator_alg = match kind {
        KeyKind::X25519 => asn1::algorithm_identifier(&alg_oid::X25519, None),
        _ => asn1::algorithm_identifier(&alg_oid::EC_PUBLIC_KEY, None),
    };
    let mut orig_key = originator_alg;
    orig_key.extend(asn1::bit_string(eph_public.as_ref()));
    let originator = asn1::tlv(0xA0, &asn1::tlv(0xA1, &orig_key));

    let mut body = asn1::integer_u64(3);
    body.extend(originator);
    if let Some(ukm) = ukm {
        body.extend(asn1::tlv(0xA1, &asn1::octet_string(ukm)));
    }
    body.extend(asn1::algorithm_identifier(
        &scheme_oid(kdf),
        Some(&wrap.algorithm_identifier()),
    ));
    let mut rek = rid.encode_kari();
    rek.extend(asn1::octet_string(&encrypted_key));
    let reks = asn1::tlv(asn1::TAG_SEQUENCE, &asn1::tlv(asn1::TAG_SEQUENCE, &rek));
    body.extend(reks);
    Ok(asn1::tlv(0xA1, &body))
}

/// A parsed KeyAgreeRecipientInfo, reduced to the RecipientEncryptedKey addressed to us.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KeyAgreeRecipientInfo {
    /// AlgorithmIdentifier OID of the originator key and its raw public key.
    pub originator_alg: ObjectIdentifier,
    pub originator_params: Option<Vec<u8>>,
    pub originator_key: Vec<u8>,
    pub ukm: Option<Vec<u8>>,
    pub kdf: KariKdf,
    pub wrap: KeyWrapAlgorithm,
    pub encrypted_key: Vec<u8>,
}

/// Parses the contents of a `[1]` KeyAgreeRecipientInfo; returns it if one of its
/// RecipientEncryptedKeys satisfies `is_ours`.
pub(crate) fn parse(
    body: &[u8],
    is_ours: impl Fn(&RecipientIdentifier) -> bool,
) -> Result<Option<KeyAgreeRecipientInfo>> {
    let mut r = Reader::new_ber(body);
    let version = asn1::read_small_uint(&mut r, "KeyAgreeRecipientInfo version")?;
    if version != 3 {
        return Err(Error::Malformed(format!(
            "KeyAgreeRecipientInfo version is {version}; RFC 5652 requires 3"
        )));
    }
    let originator = r.read_expected(0xA0, "KeyAgreeRecipientInfo originator")?;
    let ukm_tlv = r.read_optional(0xA1)?;
    let kea = r.read_expected(
        asn1::TAG_SEQUENCE,
        "KeyAgreeRecipientInfo keyEncryptionAlgorithm",
    )?;
    let reks = r.read_expected(asn1::TAG_SEQUENCE, "RecipientEncryptedKeys")?;
    r.finish("KeyAgreeRecipientInfo")?;

    // Find our entry first: what is addressed only to others (an originator form or a scheme
    // we do not support) must not stop us from reading our own.
    let mut rr = reks.reader(Rules::Ber);
    let mut mine = None;
    while !rr.is_empty() {
        let rek = rr.read_expected(asn1::TAG_SEQUENCE, "RecipientEncryptedKey")?;
        let mut er = rek.reader(Rules::Ber);
        let rid_tlv = er.read()?;
        let rid = RecipientIdentifier::parse_kari(&rid_tlv, "RecipientEncryptedKey rid")?;
        let ek = er.read()?;
        if ek.tag != asn1::TAG_OCTET_STRING && ek.tag != 0x24 {
            return Err(Error::malformed(
                "RecipientEncryptedKey encryptedKey is not an OCTET STRING",
            ));
        }
        er.finish("RecipientEncryptedKey")?;
        if mine.is_none() && is_ours(&rid) {
            mine = Some(asn1::octet_string_contents(&ek, Rules::Ber)?.into_owned());
        }
    }
    let Some(encrypted_key) = mine else {
        return Ok(None);
    };

    let mut o = originator.reader(Rules::Ber);
    let choice = o.read()?;
    o.finish("KeyAgreeRecipientInfo originator")?;
    if choice.tag != 0xA1 {
        return Err(Error::UnsupportedAlgorithm(
            "KeyAgreeRecipientInfo with a static originator key (issuerAndSerialNumber or \
             subjectKeyIdentifier); pqsmime reads ephemeral-static ECDH (originatorKey)"
                .into(),
        ));
    }
    let mut ok = choice.reader(Rules::Ber);
    let alg = ok.read_expected(asn1::TAG_SEQUENCE, "OriginatorPublicKey algorithm")?;
    let (originator_alg, params) = asn1::parse_algorithm_identifier(alg.raw)?;
    let bits = ok.read_expected(asn1::TAG_BIT_STRING, "OriginatorPublicKey publicKey")?;
    ok.finish("OriginatorPublicKey")?;
    let originator_key = match bits.value.split_first() {
        Some((0, rest)) => rest.to_vec(),
        _ => {
            return Err(Error::malformed(
                "OriginatorPublicKey publicKey BIT STRING has unused bits or is empty",
            ))
        }
    };
    let ukm = match ukm_tlv {
        Some(t) => Some(parse_explicit_ukm(&t, "KeyAgreeRecipientInfo ukm")?),
        None => None,
    };
    let (scheme, wrap_der) = asn1::parse_algorithm_identifier(kea.raw)?;
    let kdf = SCHEMES
        .iter()
        .find(|(o, _, _)| *o == scheme)
        .map(|(_, k, _)| *k)
        .ok_or_else(|| {
            Error::UnsupportedAlgorithm(format!(
                "key-agreement scheme {} (pqsmime reads the X9.63 and HKDF ECDH schemes of \
                 RFC 5753 and RFC 8418)",
                describe_oid(&scheme)
            ))
        })?;
    let wrap_der = wrap_der.ok_or_else(|| {
        Error::malformed("key-agreement scheme identifier lacks its KeyWrapAlgorithm parameter")
    })?;
    let wrap = KeyWrapAlgorithm::from_algorithm_identifier(wrap_der)?;
    Ok(Some(KeyAgreeRecipientInfo {
        originator_alg,
        originator_params: params.map(<[u8]>::to_vec),
        originator_key,
        ukm,
        kdf,
        wrap,
        encrypted_key,
    }))
}

impl KeyAgreeRecipientInfo {
    /// ECDH with the originator key, KDF, unwrap.
    pub(crate) fn decrypt(&self, key: &PrivateKey) -> Result<Zeroizing<Vec<u8>>> {
        let kind = key.kind();
        let alg = agreement_alg(kind)?;
        // The originator key must be on our curve (RFC 5753 §3.1.1: id-ecPublicKey with
        // absent, NULL or our named-curve parameters; RFC 8418 §2.1: id-X25519, absent).
        let fits = match kind {
            KeyKind::Ec(curve) => {
                self.originator_alg == alg_oid::EC_PUBLIC_KEY
                    && match &self.originator_params {
                        None => true,
                        Some(p) => p == &[0x05, 0x00] || *p == asn1::oid(&curve.oid()),
                    }
            }
            KeyKind::X25519 => {
                self.originator_alg == alg_oid::X25519 && self.originator_params.is_none()
            }
            _ => false,
        };
        if !fits {
            return Err(Error::Decrypt);
        }
        let info = shared_info(self.wrap, self.ukm.as_deref());
        let kek = agreement::agree(
            key.agreement_key()?,
            UnparsedPublicKey::new(alg, &self.originator_key),
            Error::Decrypt,
            |z| self.kdf.derive(z, &info, self.wrap.kek_len()),
        )?;
        self.wrap.unwrap(&kek, &self.encrypted_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(kind: KeyKind, cek_len: usize, ukm: Option<&[u8]>) {
        let sk = PrivateKey::generate(kind).unwrap();
        let rid = RecipientIdentifier::SubjectKeyIdentifier(vec![4; 20]);
        let cek = vec![0x33u8; cek_len];
        let der = build(&rid, &sk.public_key(), ukm, &cek).unwrap();
        let t = Reader::new(&der).read().unwrap();
        assert_eq!(t.tag, 0xA1);
        assert!(parse(t.value, |_| false).unwrap().is_none());
        let ri = parse(t.value, |r| *r == rid).unwrap().unwrap();
        assert_eq!(ri.ukm.as_deref(), ukm);
        assert_eq!(*ri.decrypt(&sk).unwrap(), cek, "{kind:?}");
        let other = PrivateKey::generate(kind).unwrap();
        assert!(matches!(ri.decrypt(&other), Err(Error::Decrypt)));
    }

    #[test]
    fn ecdh_round_trips() {
        round_trip(KeyKind::Ec(EcCurve::P256), 16, None);
        round_trip(
            KeyKind::Ec(EcCurve::P256),
            32,
            Some(b"user keying material"),
        );
        round_trip(KeyKind::Ec(EcCurve::P384), 32, None);
        round_trip(KeyKind::Ec(EcCurve::P521), 16, None);
        round_trip(KeyKind::X25519, 32, None);
    }

    #[test]
    fn shared_info_encoding() {
        // SEQUENCE { aes128-wrap, [2] { OCTET STRING 00000080 } }
        assert_eq!(
            hex::encode_upper(shared_info(KeyWrapAlgorithm::Aes128, None)),
            "3015300B0609608648016503040105A206040400000080"
        );
    }

    #[test]
    fn scheme_oids_written() {
        assert_eq!(
            scheme_oid(KariKdf::X963(X963Hash::Sha256)).to_string(),
            "1.3.132.1.11.1"
        );
        assert_eq!(
            scheme_oid(KariKdf::X963(X963Hash::Sha384)).to_string(),
            "1.3.132.1.11.2"
        );
    }
}
