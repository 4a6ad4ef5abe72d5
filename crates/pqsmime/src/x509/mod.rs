//! X.509 certificates: parsing (RFC 5280), issuing test hierarchies, and path validation.
//!
//! INTERFACE STUB — implementation in progress. The signatures below are the contract the
//! CMS and CLI layers use.

use std::time::SystemTime;

use crate::alg::SignatureAlgorithm;
use crate::error::Result;
use crate::keys::PublicKey;

/// A parsed certificate that keeps its exact DER encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
}

impl Certificate {
    /// Parses one DER certificate (strict DER).
    pub fn from_der(der: &[u8]) -> Result<Certificate> {
        let _ = der;
        todo!()
    }

    /// Reads every certificate in a PEM file (one or more `CERTIFICATE` blocks) or one DER
    /// certificate.
    pub fn from_pem_or_der(data: &[u8]) -> Result<Vec<Certificate>> {
        let _ = data;
        todo!()
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    pub fn to_pem(&self) -> String {
        todo!()
    }

    /// DER of the issuer `Name`, exactly as encoded in the certificate.
    pub fn issuer_der(&self) -> &[u8] {
        todo!()
    }

    /// DER of the subject `Name`, exactly as encoded in the certificate.
    pub fn subject_der(&self) -> &[u8] {
        todo!()
    }

    /// The serialNumber INTEGER contents octets (two's complement, as encoded).
    pub fn serial_bytes(&self) -> &[u8] {
        todo!()
    }

    /// The subjectKeyIdentifier extension value, if present.
    pub fn subject_key_identifier(&self) -> Option<&[u8]> {
        todo!()
    }

    pub fn public_key(&self) -> Result<PublicKey> {
        todo!()
    }

    /// Subject in RFC 4514 style, e.g. `CN=Alice,O=Example,C=DE`.
    pub fn subject_string(&self) -> String {
        todo!()
    }

    pub fn issuer_string(&self) -> String {
        todo!()
    }

    /// Email addresses: subjectAltName rfc822Name and SmtpUTF8Mailbox entries, then any
    /// emailAddress attributes of the subject.
    pub fn email_addresses(&self) -> Vec<String> {
        todo!()
    }

    pub fn signature_algorithm(&self) -> Result<SignatureAlgorithm> {
        todo!()
    }

    /// Verifies this certificate's signature with the issuer's public key.
    pub fn verify_signature(&self, issuer_key: &PublicKey) -> Result<()> {
        let _ = issuer_key;
        todo!()
    }
}

/// What a certificate must be good for at the end of a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// S/MIME signing: keyUsage digitalSignature or nonRepudiation, EKU emailProtection.
    EmailSigning,
    /// S/MIME encryption: keyUsage keyEncipherment (or keyAgreement), EKU emailProtection.
    EmailEncryption,
}

/// Builds and validates a path from `end_entity` to one of `anchors` (RFC 5280 §6) at time
/// `at`. Returns the path (end entity first, anchor last) or the first rule that failed.
pub fn validate_path(
    end_entity: &Certificate,
    intermediates: &[Certificate],
    anchors: &[Certificate],
    at: SystemTime,
    purpose: Purpose,
) -> Result<Vec<Certificate>> {
    let _ = (end_entity, intermediates, anchors, at, purpose);
    todo!()
}
