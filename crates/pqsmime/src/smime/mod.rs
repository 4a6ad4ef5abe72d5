//! RFC 8551 MIME framing: multipart/signed, application/pkcs7-mime, input detection.
//!
//! INTERFACE STUB — implementation in progress.

use crate::error::Result;

/// What an input turned out to be.
#[derive(Clone, Debug)]
pub enum Input {
    /// A CMS ContentInfo (from DER, BER or PEM `CMS`/`PKCS7`), with the smime-type if it came
    /// from an application/pkcs7-mime entity.
    Cms { der: Vec<u8>, smime_type: Option<String> },
    /// A multipart/signed entity: the signed first part exactly as transmitted (canonical
    /// CRLF form) and the signature part's CMS.
    MultipartSigned { content: Vec<u8>, signature: Vec<u8>, micalg: Option<String> },
}

/// Detects MIME, PEM or DER/BER input.
pub fn detect(data: &[u8]) -> Result<Input> {
    let _ = data;
    todo!()
}

/// Converts text to canonical MIME form (CRLF line endings).
pub fn canonicalize(content: &[u8]) -> Vec<u8> {
    let _ = content;
    todo!()
}

/// Builds a multipart/signed entity (RFC 8551 §3.5.3) around canonical `content`.
pub fn multipart_signed(content: &[u8], signature_der: &[u8], micalg: &str) -> Vec<u8> {
    let _ = (content, signature_der, micalg);
    todo!()
}

/// Builds an application/pkcs7-mime entity with base64 body. `smime_type` is e.g.
/// `signed-data`, `enveloped-data`, `authEnveloped-data`.
pub fn pkcs7_mime(der: &[u8], smime_type: &str) -> Vec<u8> {
    let _ = (der, smime_type);
    todo!()
}
