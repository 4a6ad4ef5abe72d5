//! The library's error type.
//!
//! Every error carries one sentence that names what was wrong and where. Callers that need
//! to map errors to exit codes use [`Error::kind`]: input problems (malformed encodings,
//! unsupported algorithms, unreadable keys) are [`ErrorKind::Input`]; a message or
//! certificate that was read fine but is not good (bad signature, untrusted chain, failed
//! decryption) is [`ErrorKind::Rejected`].

use thiserror::Error;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Everything that can go wrong in pqsmime.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not a valid encoding (truncated, wrong tag, bad length, not DER where DER
    /// is required, trailing data...). The text says what and where.
    #[error("malformed input: {0}")]
    Malformed(String),

    /// A resource limit protects against hostile input (depth, size, count).
    #[error("input exceeds a limit: {0}")]
    Limit(String),

    /// An algorithm pqsmime does not implement or refuses (with the reason).
    #[error("unsupported algorithm: {0}")]
    UnsupportedAlgorithm(String),

    /// A key that cannot be used: wrong size, inconsistent seed and expanded forms, wrong kind.
    #[error("invalid key: {0}")]
    InvalidKey(String),

    /// A signature does not verify, or signed attributes are inconsistent with the content.
    #[error("signature invalid: {0}")]
    BadSignature(String),

    /// A certificate is unusable or its chain does not validate.
    #[error("certificate rejected: {0}")]
    Certificate(String),

    /// Decryption failed. Deliberately carries no detail: wrong key, KEM failure, unwrap
    /// failure, bad padding and bad tag all look the same (no oracle).
    #[error("decryption failed")]
    Decrypt,

    /// The caller asked for something that cannot be done (missing signer, bad option mix).
    #[error("{0}")]
    Usage(String),

    /// A cryptographic backend failed in a way that is not the input's fault.
    #[error("cryptographic operation failed: {0}")]
    Crypto(String),

    /// Reading or writing failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Coarse classification of an [`Error`], for exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Usage or input error (exit code 2 in the CLI).
    Input,
    /// The object was read but is not good: signature, chain, decryption (exit code 1).
    Rejected,
}

impl Error {
    /// Classifies the error for exit codes.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::BadSignature(_) | Error::Certificate(_) | Error::Decrypt => ErrorKind::Rejected,
            _ => ErrorKind::Input,
        }
    }

    pub(crate) fn malformed(what: impl Into<String>) -> Error {
        Error::Malformed(what.into())
    }
}

impl From<der::Error> for Error {
    fn from(e: der::Error) -> Self {
        Error::Malformed(e.to_string())
    }
}
