//! Cryptographic Message Syntax (RFC 5652) and its extensions.
//!
//! * [`signed`]: SignedData (RFC 5652 §5, RFC 9882, RFC 9814);
//! * [`enveloped`]: EnvelopedData / AuthEnvelopedData with ktri, kari and KEMRecipientInfo.

pub mod attrs;
pub mod enveloped;
pub mod signed;
