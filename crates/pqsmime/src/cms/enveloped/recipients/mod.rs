//! RecipientInfo (RFC 5652 §6.2): who can open a message, and how each of them gets the
//! content-encryption key.
//!
//! * [`kem`]: KEMRecipientInfo (RFC 9629) for ML-KEM (RFC 9936);
//! * [`ktri`]: KeyTransRecipientInfo for RSA (RSAES-OAEP out, OAEP and PKCS #1 v1.5 in);
//! * [`kari`]: KeyAgreeRecipientInfo for ECDH (RFC 5753) and X25519 (RFC 8418).

pub(crate) mod kari;
pub(crate) mod kem;
pub(crate) mod ktri;

use zeroize::Zeroizing;

use super::content::ContentParams;
use super::kdf::KemKdf;
use super::kw::KeyWrapAlgorithm;
use crate::alg::KeyKind;
use crate::asn1::{self, Reader, Rules, Tlv};
use crate::error::{Error, Result};
use crate::keys::{PrivateKey, PublicKey};
use crate::x509::{Certificate, KeyUsage};

/// `RecipientIdentifier` (RFC 5652 §6.2.1): how a RecipientInfo names the recipient's
/// certificate.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RecipientIdentifier {
    /// The certificate's issuer `Name` (DER, exactly as in the certificate) and the contents
    /// octets of its serialNumber INTEGER.
    IssuerAndSerialNumber { issuer: Vec<u8>, serial: Vec<u8> },
    /// The certificate's subjectKeyIdentifier.
    SubjectKeyIdentifier(Vec<u8>),
}

impl RecipientIdentifier {
    /// issuerAndSerialNumber of `cert`.
    pub fn issuer_and_serial(cert: &Certificate) -> RecipientIdentifier {
        RecipientIdentifier::IssuerAndSerialNumber {
            issuer: cert.issuer_der().to_vec(),
            serial: cert.serial_bytes().to_vec(),
        }
    }

    /// subjectKeyIdentifier of `cert`, if it has that extension.
    pub fn subject_key_identifier(cert: &Certificate) -> Option<RecipientIdentifier> {
        cert.subject_key_identifier()
            .map(|ski| RecipientIdentifier::SubjectKeyIdentifier(ski.to_vec()))
    }

    /// DER `RecipientIdentifier` as used by ktri and KEMRecipientInfo: the IssuerAndSerialNumber
    /// SEQUENCE, or `[0] IMPLICIT SubjectKeyIdentifier` (0x80).
    pub(crate) fn encode(&self) -> Vec<u8> {
        match self {
            RecipientIdentifier::IssuerAndSerialNumber { issuer, serial } => {
                let mut body = issuer.clone();
                body.extend(asn1::tlv(asn1::TAG_INTEGER, serial));
                asn1::tlv(asn1::TAG_SEQUENCE, &body)
            }
            RecipientIdentifier::SubjectKeyIdentifier(ski) => asn1::tlv(0x80, ski),
        }
    }

    /// DER `KeyAgreeRecipientIdentifier` (RFC 5652 §6.2.2): IssuerAndSerialNumber or
    /// `rKeyId [0] IMPLICIT RecipientKeyIdentifier` (0xA0 { OCTET STRING ski }).
    pub(crate) fn encode_kari(&self) -> Vec<u8> {
        match self {
            RecipientIdentifier::IssuerAndSerialNumber { .. } => self.encode(),
            RecipientIdentifier::SubjectKeyIdentifier(ski) => {
                asn1::tlv(0xA0, &asn1::octet_string(ski))
            }
        }
    }

    /// Parses a `RecipientIdentifier` element (ktri, KEMRecipientInfo).
    pub(crate) fn parse(tlv: &Tlv<'_>, what: &str) -> Result<RecipientIdentifier> {
        match tlv.tag {
            asn1::TAG_SEQUENCE => parse_issuer_and_serial(tlv.value, what),
            0x80 => Ok(RecipientIdentifier::SubjectKeyIdentifier(
                tlv.value.to_vec(),
            )),
            t => Err(Error::Malformed(format!(
                "{what}: recipient identifier has tag 0x{t:02X} (expected issuerAndSerialNumber \
                 or [0] subjectKeyIdentifier)"
            ))),
        }
    }

    /// Parses a `KeyAgreeRecipientIdentifier` element.
    pub(crate) fn parse_kari(tlv: &Tlv<'_>, what: &str) -> Result<RecipientIdentifier> {
        match tlv.tag {
            asn1::TAG_SEQUENCE => parse_issuer_and_serial(tlv.value, what),
            0xA0 => {
                let mut r = Reader::new_ber(tlv.value);
                let ski = r.read_expected(asn1::TAG_OCTET_STRING, "RecipientKeyIdentifier")?;
                // date and other are informational; skip them.
                Ok(RecipientIdentifier::SubjectKeyIdentifier(
                    ski.value.to_vec(),
                ))
            }
            t => Err(Error::Malformed(format!(
                "{what}: KeyAgreeRecipientIdentifier has tag 0x{t:02X}"
            ))),
        }
    }
}

fn parse_issuer_and_serial(body: &[u8], what: &str) -> Result<RecipientIdentifier> {
    let mut r = Reader::new_ber(body);
    let issuer = r.read_expected(asn1::TAG_SEQUENCE, "IssuerAndSerialNumber issuer")?;
    let serial = r.read_expected(asn1::TAG_INTEGER, "IssuerAndSerialNumber serialNumber")?;
    r.finish(what)?;
    Ok(RecipientIdentifier::IssuerAndSerialNumber {
        issuer: issuer.raw.to_vec(),
        serial: serial.value.to_vec(),
    })
}

/// Options for a KEMRecipientInfo (RFC 9629).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KemOptions {
    /// The KDF; HKDF-SHA256 by default (RFC 9936 §3's mandatory one).
    pub kdf: KemKdf,
    /// The key wrap; `None` picks by ML-KEM level: aes128-wrap for ML-KEM-512, aes256-wrap for
    /// ML-KEM-768/1024, exactly the algorithms RFC 9936 §3 requires every receiver of those
    /// levels to support. (OpenSSL instead picks by the content cipher's key size; both are
    /// read fine by either side.)
    pub wrap: Option<KeyWrapAlgorithm>,
    /// Optional user keying material, fed into the KDF through CMSORIforKEMOtherInfo.
    pub ukm: Option<Vec<u8>>,
}

/// One recipient of a message being encrypted: the public key, how to name its certificate,
/// and per-kind options.
#[derive(Clone, Debug)]
pub struct Recipient {
    pub(crate) rid: RecipientIdentifier,
    pub(crate) key: PublicKey,
    pub(crate) kem: KemOptions,
    pub(crate) ukm_kari: Option<Vec<u8>>,
}

impl Recipient {
    /// The recipient of `cert`, named by issuerAndSerialNumber. ML-KEM certificates get a
    /// KEMRecipientInfo, RSA a KeyTransRecipientInfo (RSAES-OAEP with SHA-256), EC P-256/384/521
    /// and X25519 a KeyAgreeRecipientInfo (ephemeral-static ECDH). A keyUsage extension, if
    /// present, must allow the use (keyEncipherment, or keyAgreement for ECDH).
    pub fn for_certificate(cert: &Certificate) -> Result<Recipient> {
        let key = cert.public_key()?;
        if let Some(ku) = cert.key_usage() {
            let (needed, name) = match key.kind() {
                KeyKind::Ec(_) | KeyKind::X25519 => (KeyUsage::KEY_AGREEMENT, "keyAgreement"),
                _ => (KeyUsage::KEY_ENCIPHERMENT, "keyEncipherment"),
            };
            if !ku.contains(needed) {
                return Err(Error::Certificate(format!(
                    "certificate {} cannot be an encryption recipient: its keyUsage lacks {name}",
                    cert.subject_string()
                )));
            }
        }
        Recipient::new(RecipientIdentifier::issuer_and_serial(cert), key)
    }

    /// A recipient from a public key and the identifier to put in the RecipientInfo.
    pub fn new(rid: RecipientIdentifier, key: PublicKey) -> Result<Recipient> {
        match key.kind() {
            KeyKind::MlKem(_) | KeyKind::Rsa(_) | KeyKind::Ec(_) | KeyKind::X25519 => {}
            other => {
                return Err(Error::Usage(format!(
                    "a {} key cannot receive encrypted messages (use ML-KEM, RSA, EC or X25519)",
                    other.description()
                )))
            }
        }
        Ok(Recipient {
            rid,
            key,
            kem: KemOptions::default(),
            ukm_kari: None,
        })
    }

    /// Names the certificate by subjectKeyIdentifier instead of issuerAndSerialNumber.
    pub fn with_identifier(mut self, rid: RecipientIdentifier) -> Recipient {
        self.rid = rid;
        self
    }

    /// The KDF for a KEMRecipientInfo (ignored for other kinds).
    pub fn with_kem_kdf(mut self, kdf: KemKdf) -> Recipient {
        self.kem.kdf = kdf;
        self
    }

    /// The key wrap for a KEMRecipientInfo (ignored for other kinds).
    pub fn with_key_wrap(mut self, wrap: KeyWrapAlgorithm) -> Recipient {
        self.kem.wrap = Some(wrap);
        self
    }

    /// User keying material: KEMRecipientInfo.ukm or KeyAgreeRecipientInfo.ukm (ignored for RSA).
    pub fn with_ukm(mut self, ukm: Vec<u8>) -> Recipient {
        self.kem.ukm = Some(ukm.clone());
        self.ukm_kari = Some(ukm);
        self
    }

    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    pub fn identifier(&self) -> &RecipientIdentifier {
        &self.rid
    }

    /// The DER RecipientInfo carrying `cek` to this recipient.
    pub(crate) fn build(&self, cek: &[u8]) -> Result<RecipientInfoOut> {
        match self.key.kind() {
            KeyKind::MlKem(level) => Ok(RecipientInfoOut {
                der: kem::build(&self.rid, &self.key, level, &self.kem, cek)?,
                version: RiVersion::Ori,
            }),
            KeyKind::Rsa(_) => Ok(RecipientInfoOut {
                der: ktri::build(&self.rid, &self.key, cek)?,
                version: match self.rid {
                    RecipientIdentifier::IssuerAndSerialNumber { .. } => RiVersion::V0,
                    RecipientIdentifier::SubjectKeyIdentifier(_) => RiVersion::Other,
                },
            }),
            KeyKind::Ec(_) | KeyKind::X25519 => Ok(RecipientInfoOut {
                der: kari::build(&self.rid, &self.key, self.ukm_kari.as_deref(), cek)?,
                version: RiVersion::Other,
            }),
            other => Err(Error::Usage(format!(
                "a {} key cannot receive encrypted messages",
                other.description()
            ))),
        }
    }
}

/// What the EnvelopedData version rule (RFC 5652 §6.1) needs to know about a RecipientInfo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RiVersion {
    /// A version-0 RecipientInfo that does not force version 3: a ktri with
    /// issuerAndSerialNumber.
    V0,
    /// pwri or ori (KEMRecipientInfo).
    Ori,
    /// Anything else (ktri v2, kari v3, kekri v4).
    Other,
}

pub(crate) struct RecipientInfoOut {
    pub der: Vec<u8>,
    pub version: RiVersion,
}

/// The key and certificate identifiers used to find one's RecipientInfo in a message.
pub struct DecryptionKey<'a> {
    pub(crate) key: &'a PrivateKey,
    pub(crate) ids: Vec<RecipientIdentifier>,
}

impl<'a> DecryptionKey<'a> {
    /// The holder of `cert` with private key `key`. Matches RecipientInfos that name `cert`
    /// by issuerAndSerialNumber or by subjectKeyIdentifier. Fails (usage error) when the key
    /// does not belong to the certificate.
    pub fn new(cert: &Certificate, key: &'a PrivateKey) -> Result<DecryptionKey<'a>> {
        if cert.spki_der() != key.public_key().spki_der() {
            return Err(Error::Usage(format!(
                "the private key does not belong to certificate {}",
                cert.subject_string()
            )));
        }
        let mut ids = vec![RecipientIdentifier::issuer_and_serial(cert)];
        ids.extend(RecipientIdentifier::subject_key_identifier(cert));
        Ok(DecryptionKey { key, ids })
    }

    /// A key matched against explicit identifiers (for keys without a certificate object).
    pub fn with_identifiers(
        key: &'a PrivateKey,
        ids: Vec<RecipientIdentifier>,
    ) -> DecryptionKey<'a> {
        DecryptionKey { key, ids }
    }

    fn matches(&self, rid: &RecipientIdentifier) -> bool {
        self.ids.iter().any(|id| id == rid)
    }
}

/// The kind of RecipientInfo that opened a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecipientKind {
    /// KEMRecipientInfo (RFC 9629).
    Kem,
    /// KeyTransRecipientInfo.
    KeyTransport,
    /// KeyAgreeRecipientInfo.
    KeyAgreement,
}

impl RecipientKind {
    pub fn name(self) -> &'static str {
        match self {
            RecipientKind::Kem => "KEMRecipientInfo",
            RecipientKind::KeyTransport => "KeyTransRecipientInfo",
            RecipientKind::KeyAgreement => "KeyAgreeRecipientInfo",
        }
    }
}

/// A RecipientInfo found for our key, parsed, not yet opened.
pub(crate) enum Matched {
    Kem(kem::KemRecipientInfo),
    Ktri(ktri::KeyTransRecipientInfo),
    Kari(kari::KeyAgreeRecipientInfo),
}

impl Matched {
    pub(crate) fn kind(&self) -> RecipientKind {
        match self {
            Matched::Kem(_) => RecipientKind::Kem,
            Matched::Ktri(_) => RecipientKind::KeyTransport,
            Matched::Kari(_) => RecipientKind::KeyAgreement,
        }
    }

    /// Recovers the content-encryption key. Every failure that depends on secret values is
    /// [`Error::Decrypt`]; problems visible in the public encoding (unsupported KDF, kekLength
    /// not matching the wrap) were reported when the RecipientInfo was parsed.
    pub(crate) fn recover_cek(
        &self,
        key: &PrivateKey,
        content: &ContentParams,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let cek = match self {
            Matched::Kem(ri) => ri.decrypt(key),
            Matched::Ktri(ri) => ri.decrypt(key, content.key_len()),
            Matched::Kari(ri) => ri.decrypt(key),
        };
        // One generic error for everything secret-dependent.
        let cek = cek.map_err(|e| match e {
            Error::UnsupportedAlgorithm(_) | Error::Malformed(_) | Error::Limit(_) => e,
            _ => Error::Decrypt,
        })?;
        if cek.len() != content.key_len() {
            return Err(Error::Decrypt);
        }
        Ok(cek)
    }
}

/// Summary of the RecipientInfos of a message (for reports).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecipientSummary {
    pub kem: usize,
    pub key_transport: usize,
    pub key_agreement: usize,
    pub other: usize,
}

/// Walks the RecipientInfos (contents of the SET) and returns the first one addressed to
/// `dk`, parsed. Unknown kinds (kekri, pwri, other ori types) are skipped.
pub(crate) fn find_recipient(
    set_contents: &[u8],
    dk: &DecryptionKey<'_>,
) -> Result<(Option<Matched>, RecipientSummary)> {
    let mut r = Reader::new_ber(set_contents);
    let mut found = None;
    let mut summary = RecipientSummary::default();
    let key_kind = dk.key.kind();
    while !r.is_empty() {
        let ri = r.read()?;
        match ri.tag {
            asn1::TAG_SEQUENCE => {
                summary.key_transport += 1;
                if found.is_none()
                    && matches!(key_kind, KeyKind::Rsa(_))
                    && peek_rid(ri.value).is_some_and(|rid| dk.matches(&rid))
                {
                    found = Some(Matched::Ktri(ktri::parse(ri.value)?));
                }
            }
            0xA1 => {
                summary.key_agreement += 1;
                if found.is_none() && matches!(key_kind, KeyKind::Ec(_) | KeyKind::X25519) {
                    if let Some(parsed) = kari::parse(ri.value, |rid| dk.matches(rid))? {
                        found = Some(Matched::Kari(parsed));
                    }
                }
            }
            0xA4 => {
                let mut o = ri.reader(Rules::Ber);
                let ori_type = asn1::read_oid(&mut o, "OtherRecipientInfo oriType")?;
                if ori_type == crate::oids::ID_ORI_KEM {
                    summary.kem += 1;
                    let value = o.read_expected(asn1::TAG_SEQUENCE, "KEMRecipientInfo")?;
                    o.finish("OtherRecipientInfo")?;
                    if found.is_none()
                        && matches!(key_kind, KeyKind::MlKem(_))
                        && peek_rid(value.value).is_some_and(|rid| dk.matches(&rid))
                    {
                        found = Some(Matched::Kem(kem::parse(value.value)?));
                    }
                } else {
                    summary.other += 1;
                }
            }
            0xA2 | 0xA3 => summary.other += 1,
            t => {
                return Err(Error::Malformed(format!(
                    "RecipientInfo has tag 0x{t:02X} (expected ktri, [1] kari, [2] kekri, \
                     [3] pwri or [4] ori)"
                )))
            }
        }
    }
    if summary == RecipientSummary::default() {
        return Err(Error::malformed("recipientInfos is empty"));
    }
    Ok((found, summary))
}

/// The `rid` of a ktri or KEMRecipientInfo (both start `version, rid`), without looking at
/// the rest: algorithms addressed to other recipients must not stop us reading ours. `None`
/// if it cannot be read (then it cannot name us either).
fn peek_rid(body: &[u8]) -> Option<RecipientIdentifier> {
    let mut r = Reader::new_ber(body);
    r.read_expected(asn1::TAG_INTEGER, "version").ok()?;
    let tlv = r.read().ok()?;
    RecipientIdentifier::parse(&tlv, "rid").ok()
}

/// Reads a `[0] EXPLICIT UserKeyingMaterial` (0xA0 { OCTET STRING }) body.
pub(crate) fn parse_explicit_ukm(tlv: &Tlv<'_>, what: &str) -> Result<Vec<u8>> {
    let mut r = tlv.reader(Rules::Ber);
    let os = r.read()?;
    if os.tag != asn1::TAG_OCTET_STRING && os.tag != 0x24 {
        return Err(Error::Malformed(format!("{what} is not an OCTET STRING")));
    }
    let v = asn1::octet_string_contents(&os, Rules::Ber)?.into_owned();
    r.finish(what)?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_round_trip() {
        let ias = RecipientIdentifier::IssuerAndSerialNumber {
            issuer: asn1::sequence(&[]),
            serial: vec![0x01, 0x02],
        };
        let der = ias.encode();
        assert_eq!(der, [0x30, 0x06, 0x30, 0x00, 0x02, 0x02, 0x01, 0x02]);
        let tlv = Reader::new(&der).read().unwrap();
        assert_eq!(RecipientIdentifier::parse(&tlv, "rid").unwrap(), ias);
        let ski = RecipientIdentifier::SubjectKeyIdentifier(vec![9; 20]);
        let der = ski.encode();
        assert_eq!(der[0], 0x80);
        let tlv = Reader::new(&der).read().unwrap();
        assert_eq!(RecipientIdentifier::parse(&tlv, "rid").unwrap(), ski);
        let der = ski.encode_kari();
        assert_eq!(der[..4], [0xA0, 0x16, 0x04, 0x14]);
        let tlv = Reader::new(&der).read().unwrap();
        assert_eq!(RecipientIdentifier::parse_kari(&tlv, "rid").unwrap(), ski);
        let bad = Reader::new(&[0x81, 0x00]).read().unwrap();
        assert!(RecipientIdentifier::parse(&bad, "rid").is_err());
    }
}
