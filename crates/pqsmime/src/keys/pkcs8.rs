//! The outer PKCS#8 structure (RFC 5208 `PrivateKeyInfo`, RFC 5958 `OneAsymmetricKey`).
//!
//! ```asn1
//! OneAsymmetricKey ::= SEQUENCE {
//!   version                   Version,              -- v1(0) or v2(1)
//!   privateKeyAlgorithm       PrivateKeyAlgorithmIdentifier,
//!   privateKey                PrivateKey,           -- OCTET STRING
//!   attributes            [0] Attributes OPTIONAL,
//!   ...,
//!   [[2: publicKey        [1] PublicKey OPTIONAL ]], -- BIT STRING, v2 only
//!   ... }
//! ```
//!
//! The algorithm-specific contents of `privateKey` are handled in `keys/mod.rs`.

use const_oid::ObjectIdentifier;
use zeroize::Zeroizing;

use crate::asn1::{self, Reader, Rules};
use crate::error::{Error, Result};

/// A parsed `OneAsymmetricKey`, borrowing from the input.
pub(crate) struct OneAsymmetricKey<'a> {
    pub algorithm: ObjectIdentifier,
    /// Raw encoding of the AlgorithmIdentifier parameters, if present.
    pub parameters: Option<&'a [u8]>,
    /// Contents of the `privateKey` OCTET STRING.
    pub private_key: &'a [u8],
    /// Contents of the `publicKey` BIT STRING (without the unused-bits octet), v2 only.
    pub public_key: Option<&'a [u8]>,
}

/// Parses a DER `PrivateKeyInfo` / `OneAsymmetricKey`.
pub(crate) fn parse(der: &[u8]) -> Result<OneAsymmetricKey<'_>> {
    let mut outer = Reader::new(der);
    let seq = outer.read_expected(asn1::TAG_SEQUENCE, "PKCS#8 private key")?;
    outer.finish("PKCS#8 private key")?;
    let mut r = seq.reader(Rules::Der);
    if r.peek_tag() == Some(asn1::TAG_SEQUENCE) {
        return Err(Error::UnsupportedAlgorithm(
            "encrypted PKCS#8 private keys (EncryptedPrivateKeyInfo); decrypt it first, e.g. \
             with `openssl pkey -in KEY -out plain.pem`"
                .to_string(),
        ));
    }
    let version = asn1::read_small_uint(&mut r, "PKCS#8 version")?;
    if version > 1 {
        return Err(Error::malformed(format!(
            "PKCS#8 version {version} is unknown (expected 0 for v1 or 1 for v2)"
        )));
    }
    let alg = r.read_expected(asn1::TAG_SEQUENCE, "PKCS#8 privateKeyAlgorithm")?;
    let (algorithm, parameters) = asn1::parse_algorithm_identifier(alg.raw)?;
    let private_key = r
        .read_expected(asn1::TAG_OCTET_STRING, "PKCS#8 privateKey")?
        .value;
    // attributes [0] IMPLICIT SET OF Attribute: carried by some tools, not used here.
    let _attributes = r.read_optional(0xA0)?;
    let public_key =
        match r.read_optional(0x81)? {
            None => None,
            Some(_) if version == 0 => return Err(Error::malformed(
                "PKCS#8 version 0 (v1) key carries a publicKey field, which needs version 1 (v2)",
            )),
            Some(bits) => match bits.value.split_first() {
                Some((0, raw)) => Some(raw),
                _ => {
                    return Err(Error::malformed(
                        "PKCS#8 publicKey BIT STRING is empty or has unused bits",
                    ))
                }
            },
        };
    r.finish("PKCS#8 OneAsymmetricKey")?;
    Ok(OneAsymmetricKey {
        algorithm,
        parameters,
        private_key,
        public_key,
    })
}

/// Writes a version 0 `PrivateKeyInfo` with `algorithm_identifier` (DER) and the given
/// `privateKey` contents, without copies outside the zeroized output.
pub(crate) fn write_v1(algorithm_identifier: &[u8], private_key: &[u8]) -> Zeroizing<Vec<u8>> {
    let version = [asn1::TAG_INTEGER, 0x01, 0x00];
    let pk_header = asn1::header(asn1::TAG_OCTET_STRING, private_key.len());
    let body_len = version.len() + algorithm_identifier.len() + pk_header.len() + private_key.len();
    let outer = asn1::header(asn1::TAG_SEQUENCE, body_len);
    let mut out = Zeroizing::new(Vec::with_capacity(outer.len() + body_len));
    out.extend_from_slice(&outer);
    out.extend_from_slice(&version);
    out.extend_from_slice(algorithm_identifier);
    out.extend_from_slice(&pk_header);
    out.extend_from_slice(private_key);
    out
}

/// A DER element with a secret body, built in a zeroized buffer.
pub(crate) fn secret_tlv(tag: u8, value: &[u8]) -> Zeroizing<Vec<u8>> {
    let header = asn1::header(tag, value.len());
    let mut out = Zeroizing::new(Vec::with_capacity(header.len() + value.len()));
    out.extend_from_slice(&header);
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alg::oid;

    #[test]
    fn v1_round_trip() {
        let alg = asn1::algorithm_identifier(&oid::ED25519, None);
        let der = write_v1(&alg, &[0x04, 0x02, 0xAA, 0xBB]);
        let parsed = parse(&der).unwrap();
        assert_eq!(parsed.algorithm, oid::ED25519);
        assert!(parsed.parameters.is_none());
        assert_eq!(parsed.private_key, [0x04, 0x02, 0xAA, 0xBB]);
        assert!(parsed.public_key.is_none());
    }

    #[test]
    fn v2_public_key_and_attributes() {
        let alg = asn1::algorithm_identifier(&oid::ED25519, None);
        let body = [
            asn1::integer_u64(1),
            alg.clone(),
            asn1::octet_string(&[1, 2, 3]),
            asn1::tlv(0xA0, &[]),
            asn1::tlv(0x81, &[0x00, 9, 9]),
        ]
        .concat();
        let der = asn1::tlv(0x30, &body);
        let parsed = parse(&der).unwrap();
        assert_eq!(parsed.public_key, Some(&[9u8, 9][..]));

        // publicKey in a v1 structure is refused.
        let body_v1 = [
            asn1::integer_u64(0),
            alg.clone(),
            asn1::octet_string(&[1, 2, 3]),
            asn1::tlv(0x81, &[0x00, 9, 9]),
        ]
        .concat();
        assert!(parse(&asn1::tlv(0x30, &body_v1)).is_err());

        // Unknown version and trailing elements are refused.
        let body_v3 = [asn1::integer_u64(2), alg.clone(), asn1::octet_string(&[1])].concat();
        assert!(parse(&asn1::tlv(0x30, &body_v3)).is_err());
        let body_extra = [
            asn1::integer_u64(0),
            alg,
            asn1::octet_string(&[1]),
            asn1::integer_u64(5),
        ]
        .concat();
        assert!(parse(&asn1::tlv(0x30, &body_extra)).is_err());
    }

    #[test]
    fn encrypted_pkcs8_is_named() {
        let alg = asn1::algorithm_identifier(&oid::SHA256, None);
        let der = asn1::sequence(&[&alg, &asn1::octet_string(&[0; 16])]);
        let err = parse(&der).err().unwrap();
        assert!(err.to_string().contains("encrypted"), "{err}");
    }
}
