//! Private and public keys for every algorithm in [`crate::alg`]: generation, PKCS#8
//! (RFC 5958) and SubjectPublicKeyInfo encodings, signing, verification and KEM operations.
//!
//! INTERFACE STUB — implementation in progress (see the issue tracker). The signatures below
//! are the contract the CMS, X.509 and CLI layers use.

use zeroize::Zeroizing;

use crate::alg::{KeyKind, SignatureAlgorithm};
use crate::error::Result;

/// A private key. Secret material is zeroized on drop; there is no `Debug` or `Display` that
/// could print it.
pub struct PrivateKey {
    _private: (),
}

/// A public key with its DER SubjectPublicKeyInfo.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    kind: KeyKind,
    spki: Vec<u8>,
}

impl PrivateKey {
    /// Generates a fresh key. ML-DSA and ML-KEM keys are generated from a random seed, which
    /// is what [`PrivateKey::to_pkcs8_der`] stores (RFC 9881/9935 seed form).
    pub fn generate(kind: KeyKind) -> Result<PrivateKey> {
        let _ = kind;
        todo!()
    }

    /// Reads a PKCS#8 `PrivateKeyInfo`/`OneAsymmetricKey` (DER). ML-DSA and ML-KEM keys in the
    /// seed, expandedKey and both forms are accepted; inconsistent keys are refused.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey> {
        let _ = der;
        todo!()
    }

    /// Reads PEM (`PRIVATE KEY`) or DER, auto-detected.
    pub fn from_pem_or_der(data: &[u8]) -> Result<PrivateKey> {
        let _ = data;
        todo!()
    }

    /// PKCS#8 DER; ML-DSA/ML-KEM in seed-only form.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        todo!()
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        todo!()
    }

    pub fn kind(&self) -> KeyKind {
        todo!()
    }

    pub fn public_key(&self) -> PublicKey {
        todo!()
    }

    /// Signs `message` with `alg` (pure algorithms sign it directly; hash-then-sign ones hash
    /// it with the algorithm's digest). Fails if `alg` does not fit the key.
    pub fn sign(&self, alg: SignatureAlgorithm, message: &[u8]) -> Result<Vec<u8>> {
        let _ = (alg, message);
        todo!()
    }
}

impl PublicKey {
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey> {
        let _ = der;
        todo!()
    }

    /// Reads PEM (`PUBLIC KEY`) or DER SubjectPublicKeyInfo.
    pub fn from_pem_or_der(data: &[u8]) -> Result<PublicKey> {
        let _ = data;
        todo!()
    }

    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    pub fn to_pem(&self) -> String {
        todo!()
    }

    /// The subjectPublicKey BIT STRING contents (raw key).
    pub fn raw(&self) -> &[u8] {
        todo!()
    }

    /// RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
    pub fn key_identifier(&self) -> [u8; 20] {
        todo!()
    }

    /// Verifies `signature` over `message` with `alg`.
    pub fn verify(&self, alg: SignatureAlgorithm, message: &[u8], signature: &[u8]) -> Result<()> {
        let _ = (alg, message, signature);
        todo!()
    }

    /// Verifies a hash-then-sign signature (RSA, ECDSA) given the message digest computed with
    /// `alg`'s digest. Refuses pure algorithms.
    pub fn verify_digest(&self, alg: SignatureAlgorithm, digest: &[u8], signature: &[u8]) -> Result<()> {
        let _ = (alg, digest, signature);
        todo!()
    }
}
