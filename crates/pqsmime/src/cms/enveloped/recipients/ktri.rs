//! KeyTransRecipientInfo (RFC 5652 §6.2.1) with RSA.
//!
//! We encrypt with RSAES-OAEP, SHA-256 and MGF1-SHA-256 (RFC 8017, identifiers per RFC 4055
//! §4.1 / RFC 3560). We decrypt RSAES-OAEP with SHA-1/256/384/512 and PKCS #1 v1.5
//! (`rsaEncryption`, what OpenSSL writes by default). PKCS #1 v1.5 decryption never reports a
//! padding failure: per RFC 3218 §2.3.2 a random key of the right length stands in for the
//! recovered one, so a bad block surfaces later as the same generic decryption error as a bad
//! tag (no Bleichenbacher oracle).

use aws_lc_rs::rsa::{
    OaepAlgorithm, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, Pkcs1PrivateDecryptingKey,
    PublicEncryptingKey, OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OAEP_SHA384_MGF1SHA384,
    OAEP_SHA512_MGF1SHA512,
};
use const_oid::ObjectIdentifier;
use subtle::{Choice, ConditionallySelectable};
use zeroize::Zeroizing;

use super::RecipientIdentifier;
use crate::alg::{describe_oid, oid as alg_oid};
use crate::asn1::{self, Reader, Rules};
use crate::cms::enveloped::content::random;
use crate::error::{Error, Result};
use crate::keys::{PrivateKey, PublicKey};

/// How the content key was encrypted to the RSA key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RsaPadding {
    Pkcs1v15,
    Oaep(OaepHash),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OaepHash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl OaepHash {
    fn algorithm(self) -> &'static OaepAlgorithm {
        match self {
            OaepHash::Sha1 => &OAEP_SHA1_MGF1SHA1,
            OaepHash::Sha256 => &OAEP_SHA256_MGF1SHA256,
            OaepHash::Sha384 => &OAEP_SHA384_MGF1SHA384,
            OaepHash::Sha512 => &OAEP_SHA512_MGF1SHA512,
        }
    }

    fn from_algorithm_identifier(der: &[u8], what: &str) -> Result<OaepHash> {
        let (oid, params) = asn1::parse_algorithm_identifier(der)?;
        if let Some(p) = params {
            if p != [0x05, 0x00] {
                return Err(Error::Malformed(format!(
                    "{what} hash identifier has parameters other than NULL"
                )));
            }
        }
        if oid == alg_oid::SHA1 {
            Ok(OaepHash::Sha1)
        } else if oid == alg_oid::SHA256 {
            Ok(OaepHash::Sha256)
        } else if oid == alg_oid::SHA384 {
            Ok(OaepHash::Sha384)
        } else if oid == alg_oid::SHA512 {
            Ok(OaepHash::Sha512)
        } else {
            Err(Error::UnsupportedAlgorithm(format!(
                "{what} hash {} (pqsmime supports SHA-1, SHA-256, SHA-384, SHA-512)",
                describe_oid(&oid)
            )))
        }
    }
}

/// DER `RSAES-OAEP-params` for SHA-256: `{ hashFunc [0] sha256, maskGenFunc [1] mgf1(sha256) }`
/// with pSourceFunc left at its DEFAULT (empty label). SHA-256 parameters absent (RFC 5754 §2).
pub(crate) fn oaep_sha256_identifier() -> Vec<u8> {
    let hash = asn1::algorithm_identifier(&alg_oid::SHA256, None);
    let mgf = asn1::algorithm_identifier(&alg_oid::MGF1, Some(&hash));
    let mut params = asn1::tlv(0xA0, &hash);
    params.extend(asn1::tlv(0xA1, &mgf));
    asn1::algorithm_identifier(
        &alg_oid::RSAES_OAEP,
        Some(&asn1::tlv(asn1::TAG_SEQUENCE, &params)),
    )
}

/// Builds the KeyTransRecipientInfo (RSAES-OAEP-SHA256) carrying `cek`.
pub(crate) fn build(rid: &RecipientIdentifier, key: &PublicKey, cek: &[u8]) -> Result<Vec<u8>> {
    let public = PublicEncryptingKey::from_der(key.spki_der())
        .map_err(|e| Error::InvalidKey(format!("RSA public key rejected for encryption ({e})")))?;
    let oaep = OaepPublicEncryptingKey::new(public)
        .map_err(|_| Error::InvalidKey("RSA public key rejected for RSAES-OAEP".into()))?;
    let mut out = vec![0u8; oaep.ciphertext_size()];
    let ct = oaep
        .encrypt(&OAEP_SHA256_MGF1SHA256, cek, &mut out, None)
        .map_err(|_| Error::Crypto("RSAES-OAEP encryption failed".into()))?;
    let version = match rid {
        RecipientIdentifier::IssuerAndSerialNumber { .. } => 0,
        RecipientIdentifier::SubjectKeyIdentifier(_) => 2,
    };
    let mut body = asn1::integer_u64(version);
    body.extend(rid.encode());
    body.extend(oaep_sha256_identifier());
    body.extend(asn1::octet_string(ct));
    Ok(asn1::tlv(asn1::TAG_SEQUENCE, &body))
}

/// A parsed KeyTransRecipientInfo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KeyTransRecipientInfo {
    pub rid: RecipientIdentifier,
    pub padding: RsaPadding,
    pub label: Vec<u8>,
    pub encrypted_key: Vec<u8>,
}

/// Parses the contents of a KeyTransRecipientInfo SEQUENCE.
pub(crate) fn parse(body: &[u8]) -> Result<KeyTransRecipientInfo> {
    let mut r = Reader::new_ber(body);
    let version = asn1::read_small_uint(&mut r, "KeyTransRecipientInfo version")?;
    let rid_tlv = r.read()?;
    let rid = RecipientIdentifier::parse(&rid_tlv, "KeyTransRecipientInfo rid")?;
    let expected = match rid {
        RecipientIdentifier::IssuerAndSerialNumber { .. } => 0,
        RecipientIdentifier::SubjectKeyIdentifier(_) => 2,
    };
    if version != expected {
        return Err(Error::Malformed(format!(
            "KeyTransRecipientInfo version is {version} but its rid requires {expected} \
             (RFC 5652 §6.2.1)"
        )));
    }
    let alg = r.read_expected(
        asn1::TAG_SEQUENCE,
        "KeyTransRecipientInfo keyEncryptionAlgorithm",
    )?;
    let (padding, label) = parse_key_encryption_algorithm(alg.raw)?;
    let ek = r.read()?;
    if ek.tag != asn1::TAG_OCTET_STRING && ek.tag != 0x24 {
        return Err(Error::malformed(
            "KeyTransRecipientInfo encryptedKey is not an OCTET STRING",
        ));
    }
    let encrypted_key = asn1::octet_string_contents(&ek, Rules::Ber)?.into_owned();
    r.finish("KeyTransRecipientInfo")?;
    Ok(KeyTransRecipientInfo {
        rid,
        padding,
        label,
        encrypted_key,
    })
}

fn parse_key_encryption_algorithm(der: &[u8]) -> Result<(RsaPadding, Vec<u8>)> {
    let (oid, params) = asn1::parse_algorithm_identifier(der)?;
    if oid == alg_oid::RSA_ENCRYPTION {
        if params.is_some_and(|p| p != [0x05, 0x00]) {
            return Err(Error::malformed(
                "rsaEncryption key-encryption identifier has parameters other than NULL",
            ));
        }
        return Ok((RsaPadding::Pkcs1v15, Vec::new()));
    }
    if oid != alg_oid::RSAES_OAEP {
        return Err(unsupported(&oid));
    }
    // RSAES-OAEP-params ::= SEQUENCE { hashFunc [0] DEFAULT sha1, maskGenFunc [1] DEFAULT
    // mgf1SHA1, pSourceFunc [2] DEFAULT pSpecifiedEmpty } (RFC 4055 §4.1).
    let mut hash = OaepHash::Sha1;
    let mut mgf_hash = OaepHash::Sha1;
    let mut label = Vec::new();
    if let Some(p) = params {
        let mut outer = Reader::new(p);
        let seq = outer.read_expected(asn1::TAG_SEQUENCE, "RSAES-OAEP-params")?;
        outer.finish("RSAES-OAEP-params")?;
        let mut r = seq.reader(Rules::Der);
        if let Some(t) = r.read_optional(0xA0)? {
            hash = OaepHash::from_algorithm_identifier(t.value, "RSAES-OAEP")?;
        }
        if let Some(t) = r.read_optional(0xA1)? {
            let (mo, mp) = asn1::parse_algorithm_identifier(t.value)?;
            if mo != alg_oid::MGF1 {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "RSAES-OAEP mask generation function {}",
                    describe_oid(&mo)
                )));
            }
            let mp = mp.ok_or_else(|| Error::malformed("MGF1 identifier without a hash"))?;
            mgf_hash = OaepHash::from_algorithm_identifier(mp, "RSAES-OAEP MGF1")?;
        }
        if let Some(t) = r.read_optional(0xA2)? {
            let (po, pp) = asn1::parse_algorithm_identifier(t.value)?;
            if po != alg_oid::P_SPECIFIED {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "RSAES-OAEP label source {}",
                    describe_oid(&po)
                )));
            }
            let pp = pp.ok_or_else(|| Error::malformed("pSpecified without a label"))?;
            let mut lr = Reader::new(pp);
            label = lr
                .read_expected(asn1::TAG_OCTET_STRING, "RSAES-OAEP label")?
                .value
                .to_vec();
            lr.finish("RSAES-OAEP label")?;
        }
        r.finish("RSAES-OAEP-params")?;
    }
    if hash != mgf_hash {
        return Err(Error::UnsupportedAlgorithm(
            "RSAES-OAEP with an MGF1 hash different from the label hash".into(),
        ));
    }
    Ok((RsaPadding::Oaep(hash), label))
}

fn unsupported(oid: &ObjectIdentifier) -> Error {
    Error::UnsupportedAlgorithm(format!(
        "key-transport algorithm {} (pqsmime reads RSAES-OAEP and rsaEncryption)",
        describe_oid(oid)
    ))
}

impl KeyTransRecipientInfo {
    /// Recovers the content key. `cek_len` is the content cipher's key length, needed for
    /// PKCS #1 v1.5 implicit rejection.
    pub(crate) fn decrypt(&self, key: &PrivateKey, cek_len: usize) -> Result<Zeroizing<Vec<u8>>> {
        let private = key.rsa_decrypting_key().map_err(|_| Error::Decrypt)?;
        match self.padding {
            RsaPadding::Oaep(hash) => {
                let oaep = OaepPrivateDecryptingKey::new(private).map_err(|_| Error::Decrypt)?;
                let mut out = Zeroizing::new(vec![0u8; oaep.min_output_size()]);
                let label = if self.label.is_empty() {
                    None
                } else {
                    Some(self.label.as_slice())
                };
                let n = oaep
                    .decrypt(hash.algorithm(), &self.encrypted_key, &mut out, label)
                    .map_err(|_| Error::Decrypt)?
                    .len();
                out.truncate(n);
                Ok(out)
            }
            RsaPadding::Pkcs1v15 => {
                // RFC 3218 §2.3.2: prepare a random key first, then pick it instead of the
                // decrypted one whenever decryption fails or yields the wrong length.
                let mut fallback = Zeroizing::new(vec![0u8; cek_len]);
                random(&mut fallback)?;
                let pkcs1 = Pkcs1PrivateDecryptingKey::new(private).map_err(|_| Error::Decrypt)?;
                let mut out = Zeroizing::new(vec![0u8; pkcs1.min_output_size().max(cek_len)]);
                let (ok, len) = match pkcs1.decrypt(&self.encrypted_key, &mut out) {
                    Ok(pt) => (1u8, pt.len()),
                    Err(_) => (0u8, 0),
                };
                let good = Choice::from(ok)
                    & subtle::ConstantTimeEq::ct_eq(&(len as u64), &(cek_len as u64));
                let mut cek = Zeroizing::new(vec![0u8; cek_len]);
                for i in 0..cek_len {
                    cek[i] = u8::conditional_select(&fallback[i], &out[i], good);
                }
                Ok(cek)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alg::KeyKind;
    use aws_lc_rs::rsa::Pkcs1PublicEncryptingKey;

    fn ktri_for(der: &[u8]) -> KeyTransRecipientInfo {
        let t = Reader::new(der).read().unwrap();
        parse(t.value).unwrap()
    }

    #[test]
    fn oaep_identifier_matches_rfc4055_shape() {
        // RFC 4055 §4.1 rSAES-OAEP-SHA256-Identifier with absent SHA-256 parameters.
        let der = oaep_sha256_identifier();
        assert_eq!(
            hex::encode_upper(&der),
            concat!(
                "303806092A864886F70D010107302B",
                "A00D300B0609608648016503040201",
                "A11A301806092A864886F70D010108300B0609608648016503040201"
            )
        );
        assert_eq!(
            parse_key_encryption_algorithm(&der).unwrap(),
            (RsaPadding::Oaep(OaepHash::Sha256), Vec::new())
        );
        // No parameters: SHA-1 defaults.
        let sha1 = asn1::algorithm_identifier(&alg_oid::RSAES_OAEP, Some(&asn1::sequence(&[])));
        assert_eq!(
            parse_key_encryption_algorithm(&sha1).unwrap().0,
            RsaPadding::Oaep(OaepHash::Sha1)
        );
    }

    #[test]
    fn oaep_round_trip_and_wrong_key() {
        let sk = PrivateKey::generate(KeyKind::Rsa(2048)).unwrap();
        let rid = RecipientIdentifier::SubjectKeyIdentifier(vec![7; 20]);
        let der = build(&rid, &sk.public_key(), &[3u8; 32]).unwrap();
        let ri = ktri_for(&der);
        assert_eq!(ri.rid, rid);
        assert_eq!(*ri.decrypt(&sk, 32).unwrap(), [3u8; 32]);
        let other = PrivateKey::generate(KeyKind::Rsa(2048)).unwrap();
        assert!(matches!(ri.decrypt(&other, 32), Err(Error::Decrypt)));
    }

    #[test]
    fn pkcs1_v15_failure_yields_a_random_key_not_an_error() {
        let sk = PrivateKey::generate(KeyKind::Rsa(2048)).unwrap();
        let public = PublicEncryptingKey::from_der(sk.public_key().spki_der()).unwrap();
        let enc = Pkcs1PublicEncryptingKey::new(public).unwrap();
        let mut ct = vec![0u8; enc.ciphertext_size()];
        let ct = enc.encrypt(&[9u8; 16], &mut ct).unwrap().to_vec();
        let mut ri = KeyTransRecipientInfo {
            rid: RecipientIdentifier::SubjectKeyIdentifier(vec![1]),
            padding: RsaPadding::Pkcs1v15,
            label: Vec::new(),
            encrypted_key: ct,
        };
        assert_eq!(*ri.decrypt(&sk, 16).unwrap(), [9u8; 16]);
        // Wrong expected length: random key, no error.
        let k = ri.decrypt(&sk, 32).unwrap();
        assert_eq!(k.len(), 32);
        // Corrupted block: random key each time, no error.
        ri.encrypted_key[10] ^= 0xFF;
        let a = ri.decrypt(&sk, 16).unwrap();
        let b = ri.decrypt(&sk, 16).unwrap();
        assert_ne!(*a, [9u8; 16]);
        assert_ne!(*a, *b);
    }
}
