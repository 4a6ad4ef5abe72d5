//! EnvelopedData (RFC 5652 §6) and AuthEnvelopedData (RFC 5083) with KEMRecipientInfo
//! (RFC 9629, ML-KEM per RFC 9936), KeyTransRecipientInfo (RSA) and KeyAgreeRecipientInfo
//! (ECDH, RFC 5753; X25519, RFC 8418) recipients, any mix of them in one message.
//!
//! # Writing
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use pqsmime::cms::enveloped::{encrypt, encrypt_stream, ContentCipher, Recipient};
//! use pqsmime::x509::Certificate;
//! let certs = Certificate::from_pem_or_der(&std::fs::read("bob-enc.crt")?)?;
//! let recipients = [Recipient::for_certificate(&certs[0])?];
//! let der = encrypt(b"Content-Type: text/plain\r\n\r\nhi", &recipients, ContentCipher::Aes256Gcm)?;
//! // or, for inputs larger than memory:
//! # let (input, output) = (std::io::empty(), std::io::sink());
//! encrypt_stream(input, output, &recipients, ContentCipher::default())?;
//! # Ok(()) }
//! ```
//! AES-GCM gives AuthEnvelopedData (version 0); AES-CBC gives EnvelopedData, version 3 when
//! a KEMRecipientInfo is present, 0 when every recipient is a version-0 ktri, 2 otherwise
//! (RFC 5652 §6.1 as corrected by errata 222). The streaming writer emits BER with
//! indefinite lengths and 64 KiB encryptedContent segments.
//!
//! # Reading
//! [`decrypt_stream`] walks the message from an `io::Read`, finds the RecipientInfo for the
//! given certificate and key, and decrypts in chunks into a [`DecryptSink`] that publishes the
//! plaintext only once the GCM tag (or the CBC padding) has been checked: [`FileSink`]
//! renames a temporary file into place, [`SpoolSink`] copies a temporary file to a writer,
//! [`MemorySink`] keeps it in memory. Every failure that depends on secrets, and a message
//! that has no RecipientInfo for the key, is the one [`Error::Decrypt`](crate::Error::Decrypt).
//!
//! # Choices
//! * KEMRecipientInfo: HKDF-SHA256 unless the caller picks HKDF-SHA384/512; the key wrap by
//!   ML-KEM level (aes128-wrap for ML-KEM-512, aes256-wrap for 768/1024 — what RFC 9936 makes
//!   mandatory to implement); kekLength always equals the wrap's key size and is checked on
//!   input; UKM optional. Bouncy Castle's KDF3 is refused with an error naming it.
//! * KeyTransRecipientInfo: RSAES-OAEP with SHA-256 out; OAEP and PKCS #1 v1.5 in, the latter
//!   with implicit rejection (RFC 3218 §2.3.2).
//! * KeyAgreeRecipientInfo: ephemeral-static ECDH with the X9.63 KDF (SHA-256 for P-256 and
//!   X25519, SHA-384/512 for P-384/521).
//! * Recipients are named by issuerAndSerialNumber; subjectKeyIdentifier is accepted on input
//!   and can be chosen with [`Recipient::with_identifier`].

mod builder;
mod content;
mod decrypt;
mod kdf;
mod kw;
mod recipients;
mod sink;
pub(crate) mod stream;

pub use builder::{encrypt, encrypt_stream, Encryptor, CHUNK};
pub use content::ContentCipher;
pub use decrypt::{decrypt, decrypt_stream, DecryptInfo};
pub use kdf::KemKdf;
pub use kw::KeyWrapAlgorithm;
pub use recipients::{
    DecryptionKey, KemOptions, Recipient, RecipientIdentifier, RecipientKind, RecipientSummary,
};
pub use sink::{DecryptSink, FileSink, MemorySink, SpoolSink};

/// Test hooks for the RFC 9936 intermediate values (not part of the stable API).
#[doc(hidden)]
pub mod testing {
    use zeroize::Zeroizing;

    use crate::error::{Error, Result};

    /// Parses the first KEMRecipientInfo of a DER/BER ContentInfo and returns
    /// (DER CMSORIforKEMOtherInfo, KEK, CEK) computed from the given ML-KEM shared secret.
    #[allow(clippy::type_complexity)]
    pub fn kemri_intermediates(
        message: &[u8],
        shared_secret: &[u8],
    ) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>, Zeroizing<Vec<u8>>)> {
        let ri = first_kemri(message)?;
        let info = super::recipients::kem::kdf_info(ri.wrap, ri.kek_len, ri.ukm.as_deref());
        let kek = ri.derive_kek(shared_secret)?;
        let cek = ri.wrap.unwrap(&kek, &ri.encrypted_key)?;
        Ok((info, kek, cek))
    }

    fn first_kemri(message: &[u8]) -> Result<super::recipients::kem::KemRecipientInfo> {
        use crate::asn1::{self, Reader, Rules};
        let mut r = Reader::new_ber(message);
        let ci = r.read_expected(asn1::TAG_SEQUENCE, "ContentInfo")?;
        let mut c = ci.reader(Rules::Ber);
        asn1::read_oid(&mut c, "contentType")?;
        let explicit = c.read_expected(0xA0, "content")?;
        let mut e = explicit.reader(Rules::Ber);
        let body = e.read_expected(asn1::TAG_SEQUENCE, "body")?;
        let mut b = body.reader(Rules::Ber);
        b.read_expected(asn1::TAG_INTEGER, "version")?;
        b.read_optional(0xA0)?;
        let set = b.read_expected(asn1::TAG_SET, "recipientInfos")?;
        let mut s = set.reader(Rules::Ber);
        while !s.is_empty() {
            let ri = s.read()?;
            if ri.tag == 0xA4 {
                let mut o = ri.reader(Rules::Ber);
                if asn1::read_oid(&mut o, "oriType")? == crate::oids::ID_ORI_KEM {
                    let v = o.read_expected(asn1::TAG_SEQUENCE, "KEMRecipientInfo")?;
                    return super::recipients::kem::parse(v.value);
                }
            }
        }
        Err(Error::malformed("no KEMRecipientInfo in the message"))
    }
}
