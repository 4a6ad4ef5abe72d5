//! Certificate requests: PKCS #10 (RFC 2986) with proof of possession by self-signature for
//! signature keys, and the RFC 9883 statement of possession for keys that cannot sign
//! (ML-KEM): the request is signed with an existing signing certificate's key and names that
//! certificate in a `statementOfPossession` attribute (`shared/spec/key-possession.md`).
//!
//! ```text
//! CertificationRequest ::= SEQUENCE { certificationRequestInfo CertificationRequestInfo,
//!     signatureAlgorithm AlgorithmIdentifier, signature BIT STRING }
//! CertificationRequestInfo ::= SEQUENCE { version INTEGER { v1(0) }, subject Name,
//!     subjectPKInfo SubjectPublicKeyInfo, attributes [0] IMPLICIT SET OF Attribute }
//! PrivateKeyPossessionStatement ::= SEQUENCE {          -- id-at-statementOfPossession
//!     signer IssuerAndSerialNumber, cert Certificate OPTIONAL }   1.3.6.1.4.1.22112.2.1
//! ```
//!
//! [`CsrBuilder`] writes requests with an extensionRequest attribute (PKCS #9) holding the
//! subjectAltName mailboxes; for a statement of possession the subject and mailboxes are
//! those of the vouching certificate (RFC 9883 §4: they SHOULD match) and the certificate is
//! included. [`CertificationRequest::verify_for_issuance`] is the CA side: it checks the
//! proof, or the statement (RFC 9883 §5: path validation of the vouching certificate, the
//! request signature with its key, the same mailbox, and never for a signature key) and
//! returns the only things an issuer takes from a request: the public key.

use std::time::SystemTime;

use const_oid::ObjectIdentifier;

use super::crl::pem_blocks;
use super::ext;
use super::name;
use super::parse::{parse_bit_string, to_pem};
use super::path::{validate_path, Purpose};
use super::{Certificate, Extension};
use crate::alg::SignatureAlgorithm;
use crate::asn1::{self, Reader, Rules, TAG_BIT_STRING, TAG_INTEGER, TAG_SEQUENCE, TAG_SET};
use crate::error::{Error, Result};
use crate::keys::{PrivateKey, PublicKey};
use crate::oids;

/// id-at-statementOfPossession (RFC 9883).
pub const AT_STATEMENT_OF_POSSESSION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.22112.2.1");
/// PKCS #9 extensionRequest.
pub const AT_EXTENSION_REQUEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.14");

/// Most attributes read from one request.
const MAX_ATTRIBUTES: usize = 64;

/// The RFC 9883 statement in a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PossessionStatement {
    /// DER of the vouching certificate's issuer Name.
    pub issuer_der: Vec<u8>,
    /// Its serial number (INTEGER contents octets).
    pub serial: Vec<u8>,
    /// The certificate itself, when included.
    pub cert: Option<Certificate>,
}

/// A parsed PKCS #10 request that keeps its exact encoding.
#[derive(Clone)]
pub struct CertificationRequest {
    der: Vec<u8>,
    info: std::ops::Range<usize>,
    subject: std::ops::Range<usize>,
    spki: std::ops::Range<usize>,
    sig_alg: std::ops::Range<usize>,
    signature: std::ops::Range<usize>,
    subject_string: String,
    extensions: Vec<Extension>,
    emails: Vec<String>,
    possession: Option<PossessionStatement>,
}

impl std::fmt::Debug for CertificationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificationRequest")
            .field("subject", &self.subject_string)
            .field("emails", &self.emails)
            .field("possession", &self.possession.is_some())
            .finish()
    }
}

impl PartialEq for CertificationRequest {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

fn range_of(base: &[u8], sub: &[u8]) -> std::ops::Range<usize> {
    let start = (sub.as_ptr() as usize).saturating_sub(base.as_ptr() as usize);
    start..start + sub.len()
}

fn prefix(e: Error, what: &str) -> Error {
    match e {
        Error::Malformed(m) => Error::malformed(format!("{what}: {m}")),
        other => other,
    }
}

fn parse_statement(value: &[u8]) -> Result<PossessionStatement> {
    let what = "statementOfPossession";
    let t = ext::single(value, TAG_SEQUENCE, what)?;
    let mut r = t.reader(Rules::Der);
    let signer = r.read_expected(TAG_SEQUENCE, &format!("{what} signer"))?;
    let mut sr = signer.reader(Rules::Der);
    let issuer = sr.read_expected(TAG_SEQUENCE, &format!("{what} signer issuer"))?;
    name::parse_name(issuer.raw, &format!("{what} signer issuer"))?;
    let serial = sr.read_expected(TAG_INTEGER, &format!("{what} signer serialNumber"))?;
    if serial.value.is_empty() {
        return Err(Error::malformed(format!("{what}: empty serial number")));
    }
    sr.finish(&format!("{what} signer"))?;
    let cert = match r.read_optional(TAG_SEQUENCE)? {
        Some(c) => {
            Some(Certificate::from_der(c.raw).map_err(|e| prefix(e, &format!("{what} cert")))?)
        }
        None => None,
    };
    r.finish(what)?;
    Ok(PossessionStatement {
        issuer_der: issuer.raw.to_vec(),
        serial: serial.value.to_vec(),
        cert,
    })
}

fn parse_csr(der: &[u8]) -> Result<CertificationRequest> {
    let mut outer = Reader::new(der);
    let req = outer.read_expected(TAG_SEQUENCE, "CertificationRequest")?;
    outer.finish("CertificationRequest")?;
    let mut rr = req.reader(Rules::Der);
    let info = rr.read_expected(TAG_SEQUENCE, "certificationRequestInfo")?;
    let sig_alg = rr.read_expected(TAG_SEQUENCE, "request signatureAlgorithm")?;
    let sig = rr.read_expected(TAG_BIT_STRING, "request signature")?;
    rr.finish("CertificationRequest")?;
    asn1::parse_algorithm_identifier(sig_alg.raw)?;
    let (unused, _) = parse_bit_string(sig.value, "request signature")?;
    if unused != 0 {
        return Err(Error::malformed(
            "request signature is not a whole number of octets",
        ));
    }
    let sig_range = range_of(der, sig.value);

    let mut r = info.reader(Rules::Der);
    let version = asn1::read_small_uint(&mut r, "request version")?;
    if version != 0 {
        return Err(Error::malformed(format!(
            "request version {} is unknown (RFC 2986 defines only v1 = 0)",
            version + 1
        )));
    }
    let subject = r.read_expected(TAG_SEQUENCE, "request subject")?;
    let rdns = name::parse_name(subject.raw, "request subject")?;
    let spki = r.read_expected(TAG_SEQUENCE, "request subjectPKInfo")?;
    {
        let mut sr = spki.reader(Rules::Der);
        let alg = sr.read_expected(TAG_SEQUENCE, "request subjectPKInfo algorithm")?;
        asn1::parse_algorithm_identifier(alg.raw)?;
        let key = sr.read_expected(TAG_BIT_STRING, "request subjectPublicKey")?;
        parse_bit_string(key.value, "request subjectPublicKey")?;
        sr.finish("request subjectPKInfo")?;
    }
    let attrs = r.read_expected(0xA0, "request attributes")?;
    r.finish("certificationRequestInfo")?;
    let mut csr = CertificationRequest {
        der: der.to_vec(),
        info: range_of(der, info.raw),
        subject: range_of(der, subject.raw),
        spki: range_of(der, spki.raw),
        sig_alg: range_of(der, sig_alg.raw),
        signature: sig_range.start + 1..sig_range.end,
        subject_string: name::name_to_string(&rdns),
        extensions: Vec::new(),
        emails: Vec::new(),
        possession: None,
    };
    let mut ar = attrs.reader(Rules::Der);
    let mut seen: Vec<ObjectIdentifier> = Vec::new();
    while !ar.is_empty() {
        if seen.len() >= MAX_ATTRIBUTES {
            return Err(Error::Limit(format!(
                "request has more than {MAX_ATTRIBUTES} attributes"
            )));
        }
        let a = ar.read_expected(TAG_SEQUENCE, "request Attribute")?;
        let mut a_r = a.reader(Rules::Der);
        let oid = asn1::read_oid(&mut a_r, "request attribute type")?;
        let values = a_r.read_expected(TAG_SET, "request attribute values")?;
        a_r.finish("request Attribute")?;
        if seen.contains(&oid) {
            return Err(Error::malformed(format!(
                "request attribute {} appears more than once",
                crate::alg::describe_oid(&oid)
            )));
        }
        seen.push(oid);
        let mut vr = values.reader(Rules::Der);
        let mut vals = Vec::new();
        while !vr.is_empty() {
            vals.push(vr.read()?.raw);
        }
        if oid == AT_STATEMENT_OF_POSSESSION {
            let [one] = vals.as_slice() else {
                return Err(Error::malformed(
                    "the statementOfPossession attribute must have exactly one value (RFC 9883)",
                ));
            };
            csr.possession = Some(parse_statement(one)?);
        } else if oid == AT_EXTENSION_REQUEST {
            let [one] = vals.as_slice() else {
                return Err(Error::malformed(
                    "the extensionRequest attribute must have exactly one value",
                ));
            };
            let seq = ext::single(one, TAG_SEQUENCE, "extensionRequest")?;
            let mut er = seq.reader(Rules::Der);
            while !er.is_empty() {
                let e = er.read_expected(TAG_SEQUENCE, "extensionRequest Extension")?;
                let mut xr = e.reader(Rules::Der);
                let eoid = asn1::read_oid(&mut xr, "extensionRequest extnID")?;
                let critical = match xr.read_optional(asn1::TAG_BOOLEAN)? {
                    Some(b) => b.value == [0xFF],
                    None => false,
                };
                let v = xr.read_expected(asn1::TAG_OCTET_STRING, "extensionRequest extnValue")?;
                xr.finish("extensionRequest Extension")?;
                if eoid == oids::EXT_SUBJECT_ALT_NAME {
                    for g in ext::subject_alt_names(Some(v.value))? {
                        match g {
                            ext::GeneralName::Rfc822(m) => csr.emails.push(m.to_string()),
                            other => {
                                if let Some(m) = other.smtp_utf8_mailbox() {
                                    csr.emails.push(m.to_string());
                                }
                            }
                        }
                    }
                }
                csr.extensions.push(Extension {
                    oid: eoid,
                    critical,
                    value: v.value.to_vec(),
                });
            }
        }
    }
    Ok(csr)
}

/// Upper bound on requests read from one PEM input.
const MAX_PEM_REQUESTS: usize = 100;

impl CertificationRequest {
    pub fn from_der(der: &[u8]) -> Result<CertificationRequest> {
        parse_csr(der)
    }

    /// One request from PEM (`CERTIFICATE REQUEST` or `NEW CERTIFICATE REQUEST`) or DER.
    pub fn from_pem_or_der(data: &[u8]) -> Result<CertificationRequest> {
        if data.first() == Some(&0x30) {
            return CertificationRequest::from_der(data);
        }
        let mut blocks = pem_blocks(data, "CERTIFICATE REQUEST")?;
        if blocks.is_empty() {
            blocks = pem_blocks(data, "NEW CERTIFICATE REQUEST")?;
        }
        if blocks.len() > MAX_PEM_REQUESTS {
            return Err(Error::Limit("too many PEM certificate requests".into()));
        }
        match blocks.as_slice() {
            [one] => CertificationRequest::from_der(one),
            [] => Err(Error::malformed(
                "no certificate request found: expected PEM '-----BEGIN CERTIFICATE REQUEST-----' or DER",
            )),
            _ => Err(Error::malformed(
                "the input holds more than one certificate request",
            )),
        }
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// PEM `-----BEGIN CERTIFICATE REQUEST-----`.
    pub fn to_pem(&self) -> String {
        to_pem("CERTIFICATE REQUEST", &self.der)
    }

    /// DER of the certificationRequestInfo (what the signature covers).
    pub fn info_der(&self) -> &[u8] {
        &self.der[self.info.clone()]
    }

    pub fn subject_der(&self) -> &[u8] {
        &self.der[self.subject.clone()]
    }

    pub fn subject_string(&self) -> String {
        self.subject_string.clone()
    }

    pub fn spki_der(&self) -> &[u8] {
        &self.der[self.spki.clone()]
    }

    /// The key to be certified.
    pub fn public_key(&self) -> Result<PublicKey> {
        PublicKey::from_spki_der(self.spki_der())
    }

    /// The mailboxes of a requested subjectAltName (rfc822Name and SmtpUTF8Mailbox).
    pub fn requested_emails(&self) -> &[String] {
        &self.emails
    }

    /// The extensions of the extensionRequest attribute.
    pub fn requested_extensions(&self) -> &[Extension] {
        &self.extensions
    }

    /// The RFC 9883 statement of possession, if the request carries one.
    pub fn possession_statement(&self) -> Option<&PossessionStatement> {
        self.possession.as_ref()
    }

    pub fn signature_algorithm_der(&self) -> &[u8] {
        &self.der[self.sig_alg.clone()]
    }

    pub fn signature_value(&self) -> &[u8] {
        &self.der[self.signature.clone()]
    }

    pub fn signature_algorithm(&self) -> Result<SignatureAlgorithm> {
        SignatureAlgorithm::from_algorithm_identifier(self.signature_algorithm_der(), None)
    }

    /// Verifies the request signature with `key`.
    pub fn verify_signature_with(&self, key: &PublicKey) -> Result<()> {
        let alg = self.signature_algorithm()?;
        if !alg.matches_key(key.kind()) {
            return Err(Error::BadSignature(format!(
                "the request is signed with {alg}, which a {} key cannot make",
                key.kind()
            )));
        }
        key.verify(alg, self.info_der(), self.signature_value())
            .map_err(|e| match e {
                Error::BadSignature(m) => Error::BadSignature(format!("certificate request: {m}")),
                other => other,
            })
    }

    /// The CA side: checks that the requester holds the private key and may ask for a
    /// certificate for `email`, and returns the public key to certify.
    ///
    /// * Without a statement of possession: the key must be able to sign and the request
    ///   must verify with it (proof of possession, RFC 2986).
    /// * With one (RFC 9883 §5): the key must not be a signature key; the vouching
    ///   certificate (from the statement, or among `pool`) must be the one the statement
    ///   names, must validate for email signing to one of `anchors` at `at` (with `pool` as
    ///   intermediates), must hold `email`, and must verify the request signature.
    ///
    /// In both cases a requested subjectAltName must include `email`. Nothing else of the
    /// request (subject, other extensions) is used: the issuer takes identity from what it
    /// validated.
    pub fn verify_for_issuance(
        &self,
        email: &str,
        pool: &[Certificate],
        anchors: &[Certificate],
        at: SystemTime,
    ) -> Result<VerifiedRequest> {
        let key = self.public_key()?;
        let same = |a: &str, b: &str| match (a.rsplit_once('@'), b.rsplit_once('@')) {
            (Some((l1, d1)), Some((l2, d2))) => l1 == l2 && d1.eq_ignore_ascii_case(d2),
            _ => false,
        };
        if !self.emails.is_empty() && !self.emails.iter().any(|e| same(e, email)) {
            return Err(Error::Certificate(format!(
                "the request asks for {} but the certificate is to be issued for {email}",
                self.emails.join(", ")
            )));
        }
        let Some(st) = &self.possession else {
            if !key.kind().can_sign() {
                return Err(Error::Certificate(format!(
                    "the request is for a {} key, which cannot sign its own request: it needs an RFC 9883 statement of possession signed with a signing certificate",
                    key.kind().name()
                )));
            }
            self.verify_signature_with(&key).map_err(|e| {
                Error::BadSignature(format!(
                    "the request's proof of possession (its self-signature) does not verify: {e}"
                ))
            })?;
            return Ok(VerifiedRequest {
                public_key: key,
                vouching: None,
            });
        };
        if key.kind().can_sign() {
            return Err(Error::Certificate(format!(
                "a statement of possession may not be used to obtain a certificate for a {} signature key (RFC 9883 §5); sign the request with that key instead",
                key.kind().name()
            )));
        }
        let names_signer = |c: &Certificate| {
            name::names_match(c.issuer_der(), &st.issuer_der) && c.serial_bytes() == st.serial
        };
        let signer = match &st.cert {
            Some(c) => {
                if !names_signer(c) {
                    return Err(Error::Certificate(format!(
                        "the certificate in the statement of possession ('{}', serial {}) is not the one its signer field names (RFC 9883 §4)",
                        c.subject_string(),
                        c.serial_hex()
                    )));
                }
                c.clone()
            }
            None => pool.iter().find(|c| names_signer(c)).cloned().ok_or_else(|| {
                Error::Certificate(
                    "the statement of possession names a signing certificate that is neither in the request nor among the certificates given".into(),
                )
            })?,
        };
        let mut intermediates = pool.to_vec();
        intermediates.retain(|c| c != &signer);
        validate_path(&signer, &intermediates, anchors, at, Purpose::EmailSigning).map_err(
            |e| {
                Error::Certificate(format!(
                    "the certificate vouching for the key ('{}') is not valid (RFC 9883 §5 requires path validation): {e}",
                    signer.subject_string()
                ))
            },
        )?;
        if !signer.email_addresses().iter().any(|e| same(e, email)) {
            return Err(Error::Certificate(format!(
                "the certificate vouching for the key is for {}, not for {email}",
                signer.email_addresses().join(", ")
            )));
        }
        let signer_key = signer.public_key()?;
        self.verify_signature_with(&signer_key).map_err(|e| {
            Error::BadSignature(format!(
                "the request signature does not verify with the key of the vouching certificate '{}': {e}",
                signer.subject_string()
            ))
        })?;
        Ok(VerifiedRequest {
            public_key: key,
            vouching: Some(signer),
        })
    }
}

/// What [`CertificationRequest::verify_for_issuance`] established.
#[derive(Clone, Debug)]
pub struct VerifiedRequest {
    /// The key to certify.
    pub public_key: PublicKey,
    /// The signing certificate that vouched for the key (RFC 9883), if any.
    pub vouching: Option<Certificate>,
}

/// Writes PKCS #10 requests; see the module documentation.
pub struct CsrBuilder {
    emails: Vec<String>,
    subject: Option<Vec<u8>>,
}

impl CsrBuilder {
    /// A request for `email` (subject `CN=<email>` unless [`subject`](Self::subject) is set).
    pub fn new(email: &str) -> Result<CsrBuilder> {
        super::builder::validate_mailbox(email)?;
        Ok(CsrBuilder {
            emails: vec![email.to_string()],
            subject: None,
        })
    }

    /// The subject (RFC 4514).
    pub fn subject(mut self, dn: &str) -> Result<Self> {
        self.subject = Some(super::parse_dn(dn)?);
        Ok(self)
    }

    fn info(&self, spki: &[u8], subject: &[u8], extra_attr: Option<Vec<u8>>) -> Result<Vec<u8>> {
        let mut san_body = Vec::new();
        for e in &self.emails {
            let one = Extension::subject_alt_name_email(e, subject)?;
            let seq = ext::single(&one.value, TAG_SEQUENCE, "subjectAltName")?;
            san_body.extend_from_slice(seq.value);
        }
        let san = Extension {
            oid: oids::EXT_SUBJECT_ALT_NAME,
            critical: subject == [0x30, 0x00],
            value: asn1::tlv(TAG_SEQUENCE, &san_body),
        };
        let ext_req = asn1::sequence(&[
            &asn1::oid(&AT_EXTENSION_REQUEST),
            &asn1::set_of(vec![asn1::tlv(TAG_SEQUENCE, &san.to_der())]),
        ]);
        let mut attrs = vec![ext_req];
        if let Some(a) = extra_attr {
            attrs.push(a);
        }
        Ok(asn1::sequence(&[
            &asn1::integer_u64(0),
            subject,
            spki,
            &asn1::retag(&asn1::set_of(attrs), 0xA0),
        ]))
    }

    fn finish(info: Vec<u8>, signer: &PrivateKey) -> Result<CertificationRequest> {
        let alg = signer.kind().default_signature_algorithm().ok_or_else(|| {
            Error::Usage(format!(
                "a {} key cannot sign a request",
                signer.kind().name()
            ))
        })?;
        let sig = signer.sign(alg, &info)?;
        let der = asn1::sequence(&[&info, &alg.algorithm_identifier(), &asn1::bit_string(&sig)]);
        CertificationRequest::from_der(&der)
    }

    /// A request for a signature key, signed with it (proof of possession).
    pub fn self_signed(self, key: &PrivateKey) -> Result<CertificationRequest> {
        if !key.kind().can_sign() {
            return Err(Error::Usage(format!(
                "a {} key cannot sign its own request; give the signing certificate and key that vouch for it (RFC 9883)",
                key.kind().name()
            )));
        }
        let subject = match &self.subject {
            Some(s) => s.clone(),
            None => default_subject(&self.emails[0])?,
        };
        let info = self.info(key.public_key().spki_der(), &subject, None)?;
        let csr = Self::finish(info, key)?;
        csr.verify_signature_with(&key.public_key())?;
        Ok(csr)
    }

    /// A request for `kem_key` (a key that cannot sign) with an RFC 9883 statement of
    /// possession, signed with `cert_key`, the private key of the signing certificate `cert`
    /// (which is included). The subject is `cert`'s; `cert` must hold the request's mailbox.
    pub fn with_possession(
        self,
        kem_key: &PublicKey,
        cert: &Certificate,
        cert_key: &PrivateKey,
    ) -> Result<CertificationRequest> {
        if kem_key.kind().can_sign() {
            return Err(Error::Usage(format!(
                "a {} key can sign its own request; RFC 9883 statements are for keys that cannot (e.g. ML-KEM)",
                kem_key.kind().name()
            )));
        }
        if cert_key.public_key().spki_der() != cert.spki_der() {
            return Err(Error::Usage(format!(
                "the possession key does not belong to the certificate '{}'",
                cert.subject_string()
            )));
        }
        let mine = &self.emails[0];
        if !cert
            .email_addresses()
            .iter()
            .any(|e| e.eq_ignore_ascii_case(mine))
        {
            return Err(Error::Usage(format!(
                "the signing certificate '{}' is for {}, not for {mine} (RFC 9883 §4: the names should match)",
                cert.subject_string(),
                cert.email_addresses().join(", ")
            )));
        }
        let subject = match &self.subject {
            Some(s) => s.clone(),
            None => cert.subject_der().to_vec(),
        };
        let signer = asn1::sequence(&[
            cert.issuer_der(),
            &asn1::tlv(TAG_INTEGER, cert.serial_bytes()),
        ]);
        let statement = asn1::sequence(&[&signer, cert.der()]);
        let attr = asn1::sequence(&[
            &asn1::oid(&AT_STATEMENT_OF_POSSESSION),
            &asn1::set_of(vec![statement]),
        ]);
        let info = self.info(kem_key.spki_der(), &subject, Some(attr))?;
        let csr = Self::finish(info, cert_key)?;
        csr.verify_signature_with(&cert.public_key()?)?;
        Ok(csr)
    }
}

fn default_subject(email: &str) -> Result<Vec<u8>> {
    let (local, domain) = super::builder::validate_mailbox(email)?;
    let value = format!("{local}@{}", domain.to_ascii_lowercase());
    if value.chars().count() > 64 {
        return Ok(vec![0x30, 0x00]);
    }
    let atv = asn1::sequence(&[
        &asn1::oid(&oids::AT_COMMON_NAME),
        &asn1::tlv(asn1::TAG_UTF8_STRING, value.as_bytes()),
    ]);
    Ok(asn1::sequence(&[&asn1::set_of(vec![atv])]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alg::{KeyKind, MlDsaLevel, MlKemLevel};
    use crate::x509::{CertificateBuilder, Usage};

    fn now() -> SystemTime {
        SystemTime::now()
    }

    #[test]
    fn self_signed_round_trip() {
        let k = PrivateKey::generate(KeyKind::MlDsa(MlDsaLevel::L44)).unwrap();
        let csr = CsrBuilder::new("alice@Example.com")
            .unwrap()
            .self_signed(&k)
            .unwrap();
        let again = CertificationRequest::from_pem_or_der(csr.to_pem().as_bytes()).unwrap();
        assert_eq!(again, csr);
        assert_eq!(csr.requested_emails(), ["alice@example.com"]);
        assert_eq!(csr.subject_string(), "CN=alice@example.com");
        assert!(csr.possession_statement().is_none());
        let v = csr
            .verify_for_issuance("alice@example.com", &[], &[], now())
            .unwrap();
        assert_eq!(v.public_key.spki_der(), k.public_key().spki_der());
        let e = csr
            .verify_for_issuance("bob@example.com", &[], &[], now())
            .unwrap_err()
            .to_string();
        assert!(e.contains("asks for alice@example.com"), "{e}");
        // a flipped bit in the signature
        let mut bad = csr.der().to_vec();
        let n = bad.len();
        bad[n - 3] ^= 1;
        let bad = CertificationRequest::from_der(&bad).unwrap();
        assert!(bad
            .verify_for_issuance("alice@example.com", &[], &[], now())
            .is_err());
    }

    #[test]
    fn statement_of_possession_round_trip_and_checks() {
        let ca_key = PrivateKey::generate(KeyKind::Ed25519).unwrap();
        let ca = CertificateBuilder::ca("CN=CA", &ca_key)
            .unwrap()
            .sign(None)
            .unwrap();
        let sig_key = PrivateKey::generate(KeyKind::MlDsa(MlDsaLevel::L65)).unwrap();
        let sig_cert =
            CertificateBuilder::end_entity("alice@example.com", &sig_key.public_key(), Usage::Sign)
                .unwrap()
                .sign(Some((&ca, &ca_key)))
                .unwrap();
        let kem = PrivateKey::generate(KeyKind::MlKem(MlKemLevel::L768)).unwrap();
        let csr = CsrBuilder::new("alice@example.com")
            .unwrap()
            .with_possession(&kem.public_key(), &sig_cert, &sig_key)
            .unwrap();
        let st = csr.possession_statement().unwrap();
        assert_eq!(st.cert.as_ref(), Some(&sig_cert));
        assert_eq!(st.serial, sig_cert.serial_bytes());
        assert_eq!(csr.signature_algorithm().unwrap().name(), "ML-DSA-65");
        let v = csr
            .verify_for_issuance("alice@example.com", &[], std::slice::from_ref(&ca), now())
            .unwrap();
        assert_eq!(v.public_key.spki_der(), kem.public_key().spki_der());
        assert_eq!(v.vouching.as_ref(), Some(&sig_cert));
        // untrusted vouching certificate
        let other_ca_key = PrivateKey::generate(KeyKind::Ed25519).unwrap();
        let other_ca = CertificateBuilder::ca("CN=Other", &other_ca_key)
            .unwrap()
            .sign(None)
            .unwrap();
        let e = csr
            .verify_for_issuance("alice@example.com", &[], &[other_ca], now())
            .unwrap_err()
            .to_string();
        assert!(e.contains("path validation"), "{e}");
        // the request itself is not self-signed: the KEM key cannot verify anything
        assert!(csr.verify_signature_with(&sig_key.public_key()).is_ok());
        // refusing a KEM key without a statement
        assert!(CsrBuilder::new("alice@example.com")
            .unwrap()
            .self_signed(&kem)
            .is_err());
        // refusing to vouch for a signature key
        let other_sig = PrivateKey::generate(KeyKind::Ed25519).unwrap();
        assert!(CsrBuilder::new("alice@example.com")
            .unwrap()
            .with_possession(&other_sig.public_key(), &sig_cert, &sig_key)
            .is_err());
        // a certificate for another mailbox cannot vouch
        assert!(CsrBuilder::new("bob@example.com")
            .unwrap()
            .with_possession(&kem.public_key(), &sig_cert, &sig_key)
            .is_err());
    }

    #[test]
    fn malformed_requests() {
        assert!(CertificationRequest::from_der(&[0x30, 0x00]).is_err());
        assert!(CertificationRequest::from_pem_or_der(b"nothing").is_err());
    }
}
