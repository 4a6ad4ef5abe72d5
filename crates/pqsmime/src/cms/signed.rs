//! SignedData (RFC 5652 §5) with ML-DSA (RFC 9882), SLH-DSA (RFC 9814) and classical signers.
//!
//! INTERFACE STUB — implementation in progress. The signatures below are the contract the
//! CLI uses.

use std::io::{Read, Write};
use std::time::SystemTime;

use const_oid::ObjectIdentifier;

use crate::alg::{DigestAlgorithm, SignatureAlgorithm};
use crate::error::Result;
use crate::keys::PrivateKey;
use crate::x509::Certificate;

/// One signer: a certificate and its private key, and optionally a digest other than the
/// algorithm's default.
pub struct Signer<'a> {
    pub cert: &'a Certificate,
    pub key: &'a PrivateKey,
    pub digest: Option<DigestAlgorithm>,
    pub signature_algorithm: Option<SignatureAlgorithm>,
}

/// Options for [`sign`] and [`sign_stream`].
#[derive(Clone, Debug)]
pub struct SignOptions {
    /// Leave the content out of the SignedData (for multipart/signed).
    pub detached: bool,
    /// More certificates to include (chain).
    pub extra_certs: Vec<Certificate>,
    /// The signer's separate encryption certificate, advertised with
    /// SMIMEEncryptionKeyPreference and included.
    pub encryption_cert: Option<Certificate>,
    /// Signing time; `None` means now.
    pub signing_time: Option<SystemTime>,
    /// eContentType; `None` means id-data.
    pub content_type: Option<ObjectIdentifier>,
}

impl Default for SignOptions {
    fn default() -> Self {
        SignOptions {
            detached: true,
            extra_certs: Vec::new(),
            encryption_cert: None,
            signing_time: None,
            content_type: None,
        }
    }
}

/// Signs `content`; returns the DER ContentInfo.
pub fn sign(content: &[u8], signers: &[Signer<'_>], opts: &SignOptions) -> Result<Vec<u8>> {
    let _ = (content, signers, opts);
    todo!()
}

/// Signs everything read from `input` and writes the ContentInfo to `output` in constant
/// memory. Detached output is DER; encapsulated output uses BER indefinite length for the
/// content. Returns the number of content bytes signed.
pub fn sign_stream<R: Read, W: Write>(
    input: R,
    output: W,
    signers: &[Signer<'_>],
    opts: &SignOptions,
) -> Result<u64> {
    let _ = (input, output, signers, opts);
    todo!()
}

/// How many signers must be valid (`pqsmime verify --policy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignerPolicy {
    /// At least one valid signer.
    Any,
    /// Every signer valid.
    All,
    /// At least one valid signer with a quantum-safe algorithm.
    RequirePq,
}

/// Options for [`verify`].
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    pub trust: Vec<Certificate>,
    /// Certificates that may help find signers and build chains, beyond those in the message.
    pub extra_certs: Vec<Certificate>,
    /// Skip path validation.
    pub no_chain: bool,
    pub policy: SignerPolicy,
    /// Validation time; `None` means now.
    pub at: Option<SystemTime>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            trust: Vec::new(),
            extra_certs: Vec::new(),
            no_chain: false,
            policy: SignerPolicy::Any,
            at: None,
        }
    }
}

/// What was checked for one SignerInfo.
#[derive(Clone, Debug)]
pub struct SignerReport {
    pub subject: Option<String>,
    pub email: Option<String>,
    /// Signature algorithm in words (e.g. "ML-DSA-65").
    pub algorithm: String,
    pub digest: String,
    pub quantum_safe: bool,
    pub signature_valid: bool,
    /// `None` when path validation was skipped.
    pub chain_valid: Option<bool>,
    /// Checks that passed, in words.
    pub checks: Vec<String>,
    /// The first failure, in words.
    pub error: Option<String>,
    /// The signer certificate, when found.
    pub certificate: Option<Certificate>,
    /// SMIMEEncryptionKeyPreference target, when present and found.
    pub encryption_certificate: Option<Certificate>,
}

/// The outcome of [`verify`].
#[derive(Clone, Debug)]
pub struct VerifyReport {
    /// Whether the message is valid under the policy.
    pub valid: bool,
    pub signers: Vec<SignerReport>,
    /// eContentType in words.
    pub content_type: String,
    /// The encapsulated content (or the detached content that was verified, if supplied).
    pub content: Option<Vec<u8>>,
    /// Certificates the message carried.
    pub certificates: Vec<Certificate>,
}

/// Verifies a SignedData ContentInfo (BER or DER). `detached` supplies the content when the
/// message has none. Returns a report; `Err` only for input that cannot be read at all.
pub fn verify(
    cms: &[u8],
    detached: Option<&mut dyn Read>,
    opts: &VerifyOptions,
) -> Result<VerifyReport> {
    let _ = (cms, detached, opts);
    todo!()
}
