//! # pqsmime
//!
//! Quantum-safe S/MIME and CMS: ML-DSA and SLH-DSA signatures and ML-KEM key establishment
//! (RFC 9629 KEMRecipientInfo) next to RSA, ECDSA, EdDSA and ECDH, so that old and new
//! clients can read the same message during the transition.
//!
//! Modules:
//! * [`alg`]: the algorithm registry (names, OIDs, sizes, quantum safety);
//! * [`keys`]: key generation, PKCS#8 / SPKI encodings, sign / verify;
//! * [`digest`]: streaming digests;
//! * [`asn1`]: a bounded BER/DER reader and DER writer.

#![forbid(unsafe_code)]

pub mod alg;
pub mod asn1;
pub mod cms;
pub mod digest;
pub mod error;
pub mod keys;
pub mod lint;
pub mod oids;
pub mod smime;
pub mod x509;

pub use error::{Error, ErrorKind, Result};
