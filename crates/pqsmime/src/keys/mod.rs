//! Private and public keys for every algorithm in [`crate::alg`]: generation, PKCS#8
//! (RFC 5958) and SubjectPublicKeyInfo encodings, signing, verification and KEM operations.
//!
//! Backends:
//! * ML-DSA-44/65/87, RSA, ECDSA P-256/384/521, Ed25519, X25519, ML-KEM decapsulation and
//!   encapsulation: aws-lc-rs.
//! * ML-KEM seed expansion: RustCrypto `ml-kem` (aws-lc-rs cannot derive a key from the
//!   RFC 9935 seed), see `keys/mlkem.rs`.
//! * SLH-DSA (all twelve sets): RustCrypto `slh-dsa`, see `keys/slh.rs`.
//! * ML-DSA expanded-key consistency (t0 and tr recomputed from ρ, s1, s2): our own FIPS 204
//!   arithmetic in `keys/mldsa.rs`.
//!
//! Encodings follow `shared/spec` (RFC 9881, RFC 9935, RFC 9909, RFC 5480, RFC 8410, RFC 8017):
//! PQ and Edwards/Montgomery AlgorithmIdentifiers have parameters absent, rsaEncryption has
//! NULL, id-ecPublicKey has a namedCurve. ML-DSA and ML-KEM private keys are written in the
//! seed form and read in all three CHOICE forms (parsed by tag, never by length); SLH-DSA
//! private keys are the raw 4n bytes.
//!
//! Other modules that need the private representation (RSA decryption, ECDH) use
//! `PrivateKey::inner` (crate-internal) and the helpers next to it.

mod mldsa;
mod mlkem;
mod pem;
mod pkcs8;
mod slh;

use core::fmt;

use aws_lc_rs::agreement;
use aws_lc_rs::digest as lc_digest;
use aws_lc_rs::encoding::{AsBigEndian, AsDer, AsRawBytes, Curve25519SeedBin, EcPrivateKeyBin};
use aws_lc_rs::kem;
use aws_lc_rs::rsa::{KeySize, PrivateDecryptingKey};
use aws_lc_rs::signature::{
    self as lc_sig, EcdsaKeyPair, EcdsaSigningAlgorithm, Ed25519KeyPair, KeyPair, PqdsaKeyPair,
    PqdsaSigningAlgorithm, RsaKeyPair, UnparsedPublicKey, VerificationAlgorithm,
};
use const_oid::ObjectIdentifier;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::alg::{
    describe_oid, oid, DigestAlgorithm, EcCurve, KeyKind, MlDsaLevel, MlKemLevel,
    SignatureAlgorithm, SlhDsaSet,
};
use crate::asn1::{self, Reader, Rules};
use crate::error::{Error, Result};

/// HashSLH-DSA OIDs (sigAlgs 35..46, RFC 9909): recognised only to be refused.
fn is_hash_slh_dsa(o: &ObjectIdentifier) -> bool {
    let arcs: Vec<u32> = o.arcs().collect();
    arcs.len() == 9
        && arcs.get(..8) == Some(&[2, 16, 840, 1, 101, 3, 4, 3][..])
        && arcs.get(8).is_some_and(|a| (35..=46).contains(a))
}

/// id-RSASSA-PSS keys (RFC 4055 restricted RSA keys): refused with a reason.
const RSASSA_PSS_KEY: ObjectIdentifier = oid::RSASSA_PSS;

// ---------------------------------------------------------------------------------------
// Private keys

/// A private key. Secret material is zeroized on drop; there is no `Debug` or `Display` that
/// could print it (the `Debug` impl shows the key kind only).
pub struct PrivateKey {
    kind: KeyKind,
    inner: Inner,
    public: PublicKey,
}

/// The backend representation of a private key, reachable inside the crate so that other
/// modules can add operations (RSA decryption, ECDH) in their own `impl PrivateKey` blocks.
///
/// Every variant owns its secret through a type that wipes it on drop (aws-lc-rs keys free
/// and cleanse their `EVP_PKEY`; byte buffers are [`Zeroizing`]).
pub(crate) enum Inner {
    MlDsa(MlDsaKey),
    SlhDsa(SlhDsaKey),
    MlKem(MlKemKey),
    Rsa(RsaKeyPair),
    /// ECDSA and ECDH views of the same scalar.
    Ec {
        curve: EcCurve,
        signing: EcdsaKeyPair,
        agreement: agreement::PrivateKey,
    },
    Ed25519(Ed25519KeyPair),
    X25519(agreement::PrivateKey),
}

/// ML-DSA key: the aws-lc-rs key pair and, when known, the 32-byte seed ξ.
pub(crate) struct MlDsaKey {
    pub level: MlDsaLevel,
    /// `None` for keys read from the expandedKey-only form.
    pub seed: Option<Zeroizing<[u8; 32]>>,
    pub key: PqdsaKeyPair,
}

/// SLH-DSA key: the raw private key `SK.seed ‖ SK.prf ‖ PK.seed ‖ PK.root`.
pub(crate) struct SlhDsaKey {
    pub set: SlhDsaSet,
    pub sk: Zeroizing<Vec<u8>>,
}

/// ML-KEM key: the aws-lc-rs decapsulation key, its expanded encoding and, when known, the
/// 64-byte seed `d ‖ z`.
pub(crate) struct MlKemKey {
    pub level: MlKemLevel,
    /// `None` for keys read from the expandedKey-only form.
    pub seed: Option<Zeroizing<[u8; 64]>>,
    pub expanded: Zeroizing<Vec<u8>>,
    pub key: kem::DecapsulationKey<kem::AlgorithmId>,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

fn mldsa_signing(level: MlDsaLevel) -> &'static PqdsaSigningAlgorithm {
    match level {
        MlDsaLevel::L44 => &lc_sig::ML_DSA_44_SIGNING,
        MlDsaLevel::L65 => &lc_sig::ML_DSA_65_SIGNING,
        MlDsaLevel::L87 => &lc_sig::ML_DSA_87_SIGNING,
    }
}

fn mldsa_verification(level: MlDsaLevel) -> &'static dyn VerificationAlgorithm {
    match level {
        MlDsaLevel::L44 => &lc_sig::ML_DSA_44,
        MlDsaLevel::L65 => &lc_sig::ML_DSA_65,
        MlDsaLevel::L87 => &lc_sig::ML_DSA_87,
    }
}

/// The aws-lc-rs signing algorithm an EC key is loaded with (the curve's own digest).
fn ec_signing(curve: EcCurve) -> &'static EcdsaSigningAlgorithm {
    match curve {
        EcCurve::P256 => &lc_sig::ECDSA_P256_SHA256_ASN1_SIGNING,
        EcCurve::P384 => &lc_sig::ECDSA_P384_SHA384_ASN1_SIGNING,
        EcCurve::P521 => &lc_sig::ECDSA_P521_SHA512_ASN1_SIGNING,
    }
}

fn ec_agreement(curve: EcCurve) -> &'static agreement::Algorithm {
    match curve {
        EcCurve::P256 => &agreement::ECDH_P256,
        EcCurve::P384 => &agreement::ECDH_P384,
        EcCurve::P521 => &agreement::ECDH_P521,
    }
}

fn lc_digest_alg(d: DigestAlgorithm) -> Option<&'static lc_digest::Algorithm> {
    match d {
        DigestAlgorithm::Sha256 => Some(&lc_digest::SHA256),
        DigestAlgorithm::Sha384 => Some(&lc_digest::SHA384),
        DigestAlgorithm::Sha512 => Some(&lc_digest::SHA512),
        _ => None,
    }
}

fn random_bytes<const N: usize>() -> Result<Zeroizing<[u8; N]>> {
    let mut out = Zeroizing::new([0u8; N]);
    aws_lc_rs::rand::fill(out.as_mut_slice())
        .map_err(|_| Error::Crypto("the system random generator failed".to_string()))?;
    Ok(out)
}

fn crypto(what: &str) -> impl FnOnce(aws_lc_rs::error::Unspecified) -> Error + '_ {
    move |_| Error::Crypto(what.to_string())
}

impl PrivateKey {
    /// Generates a fresh key. ML-DSA and ML-KEM keys are generated from a random seed, which
    /// is what [`PrivateKey::to_pkcs8_der`] stores (RFC 9881/9935 seed form).
    pub fn generate(kind: KeyKind) -> Result<PrivateKey> {
        match kind {
            KeyKind::MlDsa(_) => PrivateKey::from_seed(kind, random_bytes::<32>()?.as_slice()),
            KeyKind::MlKem(_) => PrivateKey::from_seed(kind, random_bytes::<64>()?.as_slice()),
            KeyKind::SlhDsa(set) => {
                let seeds = random_bytes::<96>()?;
                PrivateKey::from_seed(kind, seeds.get(..3 * set.n()).unwrap_or_default())
            }
            KeyKind::Ed25519 | KeyKind::X25519 => {
                PrivateKey::from_seed(kind, random_bytes::<32>()?.as_slice())
            }
            KeyKind::Rsa(bits) => {
                let size = match bits {
                    2048 => KeySize::Rsa2048,
                    3072 => KeySize::Rsa3072,
                    4096 => KeySize::Rsa4096,
                    other => {
                        return Err(Error::Usage(format!(
                            "RSA keys of {other} bits cannot be generated (choose 2048, 3072 or \
                             4096)"
                        )))
                    }
                };
                let key =
                    RsaKeyPair::generate(size).map_err(crypto("RSA key generation failed"))?;
                PrivateKey::from_rsa(key)
            }
            KeyKind::Ec(curve) => {
                let key = EcdsaKeyPair::generate(ec_signing(curve))
                    .map_err(crypto("EC key generation failed"))?;
                PrivateKey::from_ec(curve, key)
            }
        }
    }

    /// Derives a key deterministically from seed material:
    /// * ML-DSA: the 32-byte seed ξ (FIPS 204 ML-DSA.KeyGen_internal);
    /// * ML-KEM: the 64-byte seed `d ‖ z` (FIPS 203 ML-KEM.KeyGen_internal);
    /// * SLH-DSA: `SK.seed ‖ SK.prf ‖ PK.seed`, 3n bytes (FIPS 205 slh_keygen_internal);
    /// * Ed25519: the 32-byte private key (RFC 8032); X25519: the 32-byte scalar (RFC 7748).
    ///
    /// RSA and EC keys have no seed form.
    pub fn from_seed(kind: KeyKind, seed: &[u8]) -> Result<PrivateKey> {
        match kind {
            KeyKind::MlDsa(level) => {
                if seed.len() != 32 {
                    return Err(Error::InvalidKey(format!(
                        "{} seed is {} bytes, expected 32",
                        level.name().to_ascii_uppercase(),
                        seed.len()
                    )));
                }
                let mut copy = Zeroizing::new([0u8; 32]);
                copy.copy_from_slice(seed);
                mldsa_from_seed(level, copy)
            }
            KeyKind::MlKem(level) => {
                if seed.len() != 64 {
                    return Err(Error::InvalidKey(format!(
                        "{} seed is {} bytes, expected 64 (d ‖ z)",
                        level.name().to_ascii_uppercase(),
                        seed.len()
                    )));
                }
                let mut copy = Zeroizing::new([0u8; 64]);
                copy.copy_from_slice(seed);
                mlkem_from_seed(level, copy)
            }
            KeyKind::SlhDsa(set) => {
                let sk = slh::keygen(set, seed)?;
                let raw = sk.get(2 * set.n()..).unwrap_or_default().to_vec();
                let public = PublicKey::from_parts(kind, &raw)?;
                Ok(PrivateKey {
                    kind,
                    inner: Inner::SlhDsa(SlhDsaKey { set, sk }),
                    public,
                })
            }
            KeyKind::Ed25519 => {
                if seed.len() != 32 {
                    return Err(Error::InvalidKey(format!(
                        "Ed25519 private key is {} bytes, expected 32",
                        seed.len()
                    )));
                }
                let key = Ed25519KeyPair::from_seed_unchecked(seed)
                    .map_err(|_| Error::InvalidKey("Ed25519 private key is rejected".into()))?;
                let public = PublicKey::from_parts(kind, key.public_key().as_ref())?;
                Ok(PrivateKey {
                    kind,
                    inner: Inner::Ed25519(key),
                    public,
                })
            }
            KeyKind::X25519 => {
                if seed.len() != 32 {
                    return Err(Error::InvalidKey(format!(
                        "X25519 private key is {} bytes, expected 32",
                        seed.len()
                    )));
                }
                let key = agreement::PrivateKey::from_private_key(&agreement::X25519, seed)
                    .map_err(|_| Error::InvalidKey("X25519 private key is rejected".into()))?;
                let pk = key
                    .compute_public_key()
                    .map_err(crypto("X25519 public key derivation failed"))?;
                let public = PublicKey::from_parts(kind, pk.as_ref())?;
                Ok(PrivateKey {
                    kind,
                    inner: Inner::X25519(key),
                    public,
                })
            }
            KeyKind::Rsa(_) | KeyKind::Ec(_) => Err(Error::Usage(format!(
                "{} keys have no seed form",
                kind.description()
            ))),
        }
    }

    /// Reads a PKCS#8 `PrivateKeyInfo`/`OneAsymmetricKey` (DER). ML-DSA and ML-KEM keys in the
    /// seed, expandedKey and both forms are accepted; inconsistent keys are refused.
    ///
    /// An optional `publicKey` field (v2) must match the public key derived from the private key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey> {
        let p = pkcs8::parse(der)?;
        let key =
            PrivateKey::from_algorithm_and_contents(p.algorithm, p.parameters, p.private_key)?;
        if let Some(given) = p.public_key {
            if given != key.public.raw() {
                return Err(Error::InvalidKey(format!(
                    "{} private key is inconsistent: its publicKey field does not match the \
                     public key derived from the private key",
                    key.kind.description()
                )));
            }
        }
        Ok(key)
    }

    /// Reads PEM (`PRIVATE KEY`) or DER, auto-detected. The legacy OpenSSL forms
    /// `RSA PRIVATE KEY` (PKCS#1) and `EC PRIVATE KEY` (RFC 5915) are also read.
    pub fn from_pem_or_der(data: &[u8]) -> Result<PrivateKey> {
        if !pem::looks_like_pem(data) {
            return PrivateKey::from_pkcs8_der(data);
        }
        let block = pem::decode(
            data,
            &["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"],
            "private key",
        )?;
        match block.label.as_str() {
            "RSA PRIVATE KEY" => {
                let key = RsaKeyPair::from_der(&block.der).map_err(|e| {
                    Error::InvalidKey(format!("PKCS#1 RSA private key is rejected ({e})"))
                })?;
                PrivateKey::from_rsa(key)
            }
            "EC PRIVATE KEY" => {
                let curve = ec_private_key_curve(&block.der)?;
                PrivateKey::from_algorithm_and_contents(
                    oid::EC_PUBLIC_KEY,
                    Some(&asn1::oid(&curve.oid())),
                    &block.der,
                )
            }
            _ => PrivateKey::from_pkcs8_der(&block.der),
        }
    }

    /// PKCS#8 DER (version 0). ML-DSA/ML-KEM in seed-only form (`80 20 ξ` / `80 40 d‖z`); a key
    /// that was read without its seed is written in the expandedKey form. SLH-DSA as the raw
    /// 4n bytes; RSA, EC and Ed25519 as aws-lc-rs writes them.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        match &self.inner {
            Inner::MlDsa(k) => {
                let alg = asn1::algorithm_identifier(&k.level.oid(), None);
                let contents = match &k.seed {
                    Some(seed) => pkcs8::secret_tlv(0x80, seed.as_slice()),
                    None => {
                        let raw = k
                            .key
                            .private_key()
                            .as_raw_bytes()
                            .map_err(crypto("ML-DSA private key export failed"))?;
                        pkcs8::secret_tlv(asn1::TAG_OCTET_STRING, raw.as_ref())
                    }
                };
                Ok(pkcs8::write_v1(&alg, &contents))
            }
            Inner::MlKem(k) => {
                let alg = asn1::algorithm_identifier(&k.level.oid(), None);
                let contents = match &k.seed {
                    Some(seed) => pkcs8::secret_tlv(0x80, seed.as_slice()),
                    None => pkcs8::secret_tlv(asn1::TAG_OCTET_STRING, &k.expanded),
                };
                Ok(pkcs8::write_v1(&alg, &contents))
            }
            Inner::SlhDsa(k) => {
                let alg = asn1::algorithm_identifier(&k.set.oid(), None);
                Ok(pkcs8::write_v1(&alg, &k.sk))
            }
            Inner::Rsa(key) => {
                let doc: aws_lc_rs::encoding::Pkcs8V1Der<'static> = key
                    .as_der()
                    .map_err(crypto("RSA private key export failed"))?;
                Ok(Zeroizing::new(doc.as_ref().to_vec()))
            }
            Inner::Ec { signing, .. } => {
                let doc = signing
                    .to_pkcs8v1()
                    .map_err(crypto("EC private key export failed"))?;
                Ok(Zeroizing::new(doc.as_ref().to_vec()))
            }
            Inner::Ed25519(key) => {
                let doc = key
                    .to_pkcs8v1()
                    .map_err(crypto("Ed25519 private key export failed"))?;
                Ok(Zeroizing::new(doc.as_ref().to_vec()))
            }
            Inner::X25519(key) => {
                let scalar: Curve25519SeedBin<'static> = key
                    .as_be_bytes()
                    .map_err(crypto("X25519 private key export failed"))?;
                let alg = asn1::algorithm_identifier(&oid::X25519, None);
                let contents = pkcs8::secret_tlv(asn1::TAG_OCTET_STRING, scalar.as_ref());
                Ok(pkcs8::write_v1(&alg, &contents))
            }
        }
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        let der = self.to_pkcs8_der()?;
        Ok(pem::encode("PRIVATE KEY", &der))
    }

    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    /// Signs `message` with `alg` (pure algorithms sign it directly; hash-then-sign ones hash
    /// it with the algorithm's digest). Fails if `alg` does not fit the key.
    ///
    /// ML-DSA and SLH-DSA signatures are hedged (randomized), pure, with the empty context
    /// string. ECDSA signatures are DER `Ecdsa-Sig-Value`; RSA-PSS uses MGF1 with the same
    /// digest and a salt as long as the digest.
    pub fn sign(&self, alg: SignatureAlgorithm, message: &[u8]) -> Result<Vec<u8>> {
        if !alg.matches_key(self.kind) {
            return Err(Error::Usage(format!(
                "signature algorithm {} cannot be used with a {} key",
                alg.name(),
                self.kind.description()
            )));
        }
        match (&self.inner, alg) {
            (Inner::MlDsa(k), SignatureAlgorithm::MlDsa(level)) => {
                let mut sig = vec![0u8; level.signature_len()];
                let len = k
                    .key
                    .sign(message, &mut sig)
                    .map_err(crypto("ML-DSA signing failed"))?;
                if len != level.signature_len() {
                    return Err(Error::Crypto(format!(
                        "ML-DSA signing produced {len} bytes instead of {}",
                        level.signature_len()
                    )));
                }
                Ok(sig)
            }
            (Inner::SlhDsa(k), SignatureAlgorithm::SlhDsa(set)) => {
                let rand = random_bytes::<32>()?;
                let sig = slh::sign(set, &k.sk, message, rand.get(..set.n()).unwrap_or_default())?;
                if sig.len() != set.signature_len() {
                    return Err(Error::Crypto(format!(
                        "SLH-DSA signing produced {} bytes instead of {}",
                        sig.len(),
                        set.signature_len()
                    )));
                }
                Ok(sig)
            }
            (Inner::Rsa(key), SignatureAlgorithm::RsaPkcs1(d) | SignatureAlgorithm::RsaPss(d)) => {
                let pss = matches!(alg, SignatureAlgorithm::RsaPss(_));
                let encoding: &'static dyn lc_sig::RsaEncoding = match (pss, d) {
                    (false, DigestAlgorithm::Sha256) => &lc_sig::RSA_PKCS1_SHA256,
                    (false, DigestAlgorithm::Sha384) => &lc_sig::RSA_PKCS1_SHA384,
                    (false, DigestAlgorithm::Sha512) => &lc_sig::RSA_PKCS1_SHA512,
                    (true, DigestAlgorithm::Sha256) => &lc_sig::RSA_PSS_SHA256,
                    (true, DigestAlgorithm::Sha384) => &lc_sig::RSA_PSS_SHA384,
                    (true, DigestAlgorithm::Sha512) => &lc_sig::RSA_PSS_SHA512,
                    _ => return Err(unsupported_digest(alg)),
                };
                let mut sig = vec![0u8; key.public_modulus_len()];
                key.sign(
                    encoding,
                    &aws_lc_rs::rand::SystemRandom::new(),
                    message,
                    &mut sig,
                )
                .map_err(crypto("RSA signing failed"))?;
                Ok(sig)
            }
            (Inner::Ec { curve, signing, .. }, SignatureAlgorithm::Ecdsa(d)) => {
                ecdsa_sign(*curve, signing, d, message, alg)
            }
            (Inner::Ed25519(key), SignatureAlgorithm::Ed25519) => Ok(key
                .try_sign(message)
                .map_err(crypto("Ed25519 signing failed"))?
                .as_ref()
                .to_vec()),
            _ => Err(Error::Usage(format!(
                "signature algorithm {} cannot be used with a {} key",
                alg.name(),
                self.kind.description()
            ))),
        }
    }

    /// ML-KEM decapsulation (FIPS 203 ML-KEM.Decaps). A ciphertext of the wrong length gives
    /// [`Error::Decrypt`]; a ciphertext of the right length never fails (implicit rejection
    /// returns a pseudorandom secret that will not unwrap anything).
    pub fn kem_decapsulate(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let Inner::MlKem(k) = &self.inner else {
            return Err(Error::Usage(format!(
                "KEM decapsulation needs an ML-KEM key, not a {} key",
                self.kind.description()
            )));
        };
        if ciphertext.len() != k.level.ciphertext_len() {
            return Err(Error::Decrypt);
        }
        let ss = k
            .key
            .decapsulate(ciphertext.into())
            .map_err(|_| Error::Decrypt)?;
        Ok(Zeroizing::new(ss.as_ref().to_vec()))
    }

    // -------------------------------------------------------------------------------------
    // Crate-internal access for other modules.

    /// The backend representation. Use it to add operations in other modules, e.g.
    /// `if let Inner::Rsa(pair) = key.inner() { ... }`. Prefer the helpers below where they fit.
    #[allow(dead_code)]
    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    /// The key as an aws-lc-rs RSA decryption key (for RSAES-OAEP / PKCS#1 v1.5 key
    /// transport). Fails for non-RSA keys.
    #[allow(dead_code)]
    pub(crate) fn rsa_decrypting_key(&self) -> Result<PrivateDecryptingKey> {
        let Inner::Rsa(_) = &self.inner else {
            return Err(Error::Usage(format!(
                "RSA decryption needs an RSA key, not a {} key",
                self.kind.description()
            )));
        };
        let der = self.to_pkcs8_der()?;
        PrivateDecryptingKey::from_pkcs8(&der)
            .map_err(|e| Error::InvalidKey(format!("RSA key rejected for decryption ({e})")))
    }

    /// The key as an aws-lc-rs key-agreement private key (ECDH on P-256/384/521, X25519), for
    /// `aws_lc_rs::agreement::agree`. Fails for other kinds.
    #[allow(dead_code)]
    pub(crate) fn agreement_key(&self) -> Result<&agreement::PrivateKey> {
        match &self.inner {
            Inner::Ec { agreement, .. } => Ok(agreement),
            Inner::X25519(key) => Ok(key),
            _ => Err(Error::Usage(format!(
                "key agreement needs an EC or X25519 key, not a {} key",
                self.kind.description()
            ))),
        }
    }

    // -------------------------------------------------------------------------------------
    // Construction helpers

    fn from_rsa(key: RsaKeyPair) -> Result<PrivateKey> {
        let raw = key.public_key().as_ref().to_vec();
        let bits = rsa_modulus_bits(&raw)?;
        let kind = KeyKind::Rsa(bits);
        let public = PublicKey::from_parts(kind, &raw)?;
        Ok(PrivateKey {
            kind,
            inner: Inner::Rsa(key),
            public,
        })
    }

    fn from_ec(curve: EcCurve, signing: EcdsaKeyPair) -> Result<PrivateKey> {
        let scalar: EcPrivateKeyBin<'static> = signing
            .private_key()
            .as_be_bytes()
            .map_err(crypto("EC private key export failed"))?;
        let agreement =
            agreement::PrivateKey::from_private_key(ec_agreement(curve), scalar.as_ref())
                .map_err(|_| Error::InvalidKey("EC private key rejected for ECDH".to_string()))?;
        let kind = KeyKind::Ec(curve);
        let public = PublicKey::from_parts(kind, signing.public_key().as_ref())?;
        Ok(PrivateKey {
            kind,
            inner: Inner::Ec {
                curve,
                signing,
                agreement,
            },
            public,
        })
    }

    /// Dispatches on the private key algorithm; `contents` is the privateKey OCTET STRING.
    fn from_algorithm_and_contents(
        algorithm: ObjectIdentifier,
        parameters: Option<&[u8]>,
        contents: &[u8],
    ) -> Result<PrivateKey> {
        let kind = key_kind_for(&algorithm, parameters, "private key")?;
        match kind {
            KeyKind::MlDsa(level) => mldsa_from_contents(level, contents),
            KeyKind::MlKem(level) => mlkem_from_contents(level, contents),
            KeyKind::SlhDsa(set) => {
                let name = set.name().to_ascii_uppercase();
                let n = set.n();
                // RFC 9909: the raw 4n bytes. Some early implementations wrapped them in one
                // more OCTET STRING; that is unambiguous by length, so it is accepted.
                let raw = if contents.len() == 4 * n {
                    contents
                } else {
                    let mut r = Reader::new(contents);
                    match r.read_optional(asn1::TAG_OCTET_STRING) {
                        Ok(Some(inner)) if r.is_empty() && inner.value.len() == 4 * n => {
                            inner.value
                        }
                        _ => {
                            return Err(Error::InvalidKey(format!(
                                "{name} private key is {} bytes, expected {} (SK.seed ‖ SK.prf ‖ \
                                 PK.seed ‖ PK.root)",
                                contents.len(),
                                4 * n
                            )))
                        }
                    }
                };
                let pk = slh::check_private_key(set, raw)?;
                let public = PublicKey::from_parts(kind, &pk)?;
                Ok(PrivateKey {
                    kind,
                    inner: Inner::SlhDsa(SlhDsaKey {
                        set,
                        sk: Zeroizing::new(raw.to_vec()),
                    }),
                    public,
                })
            }
            KeyKind::Rsa(_) => {
                let key = RsaKeyPair::from_der(contents)
                    .map_err(|e| Error::InvalidKey(format!("RSA private key is rejected ({e})")))?;
                PrivateKey::from_rsa(key)
            }
            KeyKind::Ec(curve) => {
                let key = EcdsaKeyPair::from_private_key_der(ec_signing(curve), contents).map_err(
                    |e| {
                        Error::InvalidKey(format!(
                            "{} private key is rejected ({e})",
                            kind.description()
                        ))
                    },
                )?;
                PrivateKey::from_ec(curve, key)
            }
            KeyKind::Ed25519 | KeyKind::X25519 => {
                // CurvePrivateKey ::= OCTET STRING (RFC 8410 §7).
                let mut r = Reader::new(contents);
                let inner = r.read_expected(asn1::TAG_OCTET_STRING, "CurvePrivateKey")?;
                r.finish("CurvePrivateKey")?;
                PrivateKey::from_seed(kind, inner.value)
            }
        }
    }
}

fn unsupported_digest(alg: SignatureAlgorithm) -> Error {
    Error::UnsupportedAlgorithm(format!(
        "{} (pqsmime signs and verifies RSA and ECDSA with SHA-256, SHA-384 or SHA-512)",
        alg.name()
    ))
}

/// ECDSA signing for any SHA-2 digest on any curve.
///
/// aws-lc-rs offers signing keys only for the curve's own digest (P-256/SHA-256,
/// P-384/SHA-384, P-521/SHA-512). For the other pairings the message digest is adapted to the
/// key's digest length exactly as FIPS 186-5 §6.4.1 (bits2int) does it: a longer digest is
/// cut to its leftmost bytes (the order's bit length is a multiple of 8 for P-256 and P-384),
/// a shorter one is left-padded with zero bytes, which leaves its integer value unchanged.
/// The resulting signature is an ordinary ECDSA signature with the requested digest.
fn ecdsa_sign(
    curve: EcCurve,
    key: &EcdsaKeyPair,
    d: DigestAlgorithm,
    message: &[u8],
    alg: SignatureAlgorithm,
) -> Result<Vec<u8>> {
    let lc = lc_digest_alg(d).ok_or_else(|| unsupported_digest(alg))?;
    if d == curve.digest() {
        let sig = key
            .sign(&aws_lc_rs::rand::SystemRandom::new(), message)
            .map_err(crypto("ECDSA signing failed"))?;
        return Ok(sig.as_ref().to_vec());
    }
    let key_digest = curve.digest();
    let key_lc = lc_digest_alg(key_digest).ok_or_else(|| unsupported_digest(alg))?;
    let h = lc_digest::digest(lc, message);
    let want = key_digest.output_len();
    let h = h.as_ref();
    let mut adapted = vec![0u8; want];
    if h.len() >= want {
        adapted.copy_from_slice(h.get(..want).unwrap_or_default());
    } else {
        adapted
            .get_mut(want - h.len()..)
            .unwrap_or_default()
            .copy_from_slice(h);
    }
    let digest = lc_digest::Digest::import_less_safe(&adapted, key_lc)
        .map_err(crypto("ECDSA digest import failed"))?;
    let sig = key
        .sign_digest(&digest)
        .map_err(crypto("ECDSA signing failed"))?;
    Ok(sig.as_ref().to_vec())
}

fn mldsa_from_seed(level: MlDsaLevel, seed: Zeroizing<[u8; 32]>) -> Result<PrivateKey> {
    let key = PqdsaKeyPair::from_seed(mldsa_signing(level), seed.as_slice())
        .map_err(|e| Error::InvalidKey(format!("ML-DSA seed is rejected ({e})")))?;
    let kind = KeyKind::MlDsa(level);
    let public = PublicKey::from_parts(kind, key.public_key().as_ref())?;
    Ok(PrivateKey {
        kind,
        inner: Inner::MlDsa(MlDsaKey {
            level,
            seed: Some(seed),
            key,
        }),
        public,
    })
}

fn mldsa_expanded_of(key: &PqdsaKeyPair) -> Result<Zeroizing<Vec<u8>>> {
    let raw = key
        .private_key()
        .as_raw_bytes()
        .map_err(crypto("ML-DSA private key export failed"))?;
    Ok(Zeroizing::new(raw.as_ref().to_vec()))
}

/// ML-DSA-xx-PrivateKey CHOICE (RFC 9881 §6), parsed by tag.
fn mldsa_from_contents(level: MlDsaLevel, contents: &[u8]) -> Result<PrivateKey> {
    let name = level.name().to_ascii_uppercase();
    let mut r = Reader::new(contents);
    let key = match r.peek_tag() {
        Some(0x80) => {
            let seed = r.read()?;
            r.finish(&format!("{name} private key"))?;
            PrivateKey::from_seed(KeyKind::MlDsa(level), seed.value)?
        }
        Some(asn1::TAG_OCTET_STRING) => {
            let expanded = r.read()?;
            r.finish(&format!("{name} private key"))?;
            mldsa_from_expanded(level, expanded.value)?
        }
        Some(asn1::TAG_SEQUENCE) => {
            let both = r.read()?;
            r.finish(&format!("{name} private key"))?;
            let mut br = both.reader(Rules::Der);
            let seed = br.read_expected(asn1::TAG_OCTET_STRING, "ML-DSA both.seed")?;
            let expanded = br.read_expected(asn1::TAG_OCTET_STRING, "ML-DSA both.expandedKey")?;
            br.finish("ML-DSA both")?;
            if expanded.value.len() != level.expanded_private_key_len() {
                return Err(Error::InvalidKey(format!(
                    "{name} expandedKey is {} bytes, expected {}",
                    expanded.value.len(),
                    level.expanded_private_key_len()
                )));
            }
            let key = PrivateKey::from_seed(KeyKind::MlDsa(level), seed.value)?;
            let Inner::MlDsa(k) = &key.inner else {
                return Err(Error::Crypto(
                    "ML-DSA key has the wrong representation".into(),
                ));
            };
            let derived = mldsa_expanded_of(&k.key)?;
            if !bool::from(derived.as_slice().ct_eq(expanded.value)) {
                return Err(Error::InvalidKey(format!(
                    "{name} private key is inconsistent: the expandedKey is not the key expanded \
                     from the seed"
                )));
            }
            key
        }
        Some(t) => {
            return Err(Error::InvalidKey(format!(
                "{name} private key has tag 0x{t:02X}; expected 0x80 (seed), 0x04 (expandedKey) \
                 or 0x30 (both), RFC 9881 §6"
            )))
        }
        None => return Err(Error::InvalidKey(format!("{name} private key is empty"))),
    };
    Ok(key)
}

fn mldsa_from_expanded(level: MlDsaLevel, expanded: &[u8]) -> Result<PrivateKey> {
    let name = level.name().to_ascii_uppercase();
    // Recompute t0 and tr from ρ, s1, s2 (FIPS 204) before trusting the key.
    let pk = mldsa::check_expanded_key(level, expanded)?;
    let key = PqdsaKeyPair::from_raw_private_key(mldsa_signing(level), expanded)
        .map_err(|e| Error::InvalidKey(format!("{name} expandedKey is rejected ({e})")))?;
    if key.public_key().as_ref() != pk.as_slice() {
        return Err(Error::InvalidKey(format!(
            "{name} expandedKey is inconsistent: the backend derives a different public key"
        )));
    }
    let kind = KeyKind::MlDsa(level);
    let public = PublicKey::from_parts(kind, &pk)?;
    Ok(PrivateKey {
        kind,
        inner: Inner::MlDsa(MlDsaKey {
            level,
            seed: None,
            key,
        }),
        public,
    })
}

fn mlkem_key(
    level: MlKemLevel,
    seed: Option<Zeroizing<[u8; 64]>>,
    expanded: Zeroizing<Vec<u8>>,
    ek: &[u8],
) -> Result<PrivateKey> {
    let key = kem::DecapsulationKey::new(mlkem::algorithm(level), &expanded).map_err(|e| {
        Error::InvalidKey(format!(
            "{} private key is rejected ({e})",
            level.name().to_ascii_uppercase()
        ))
    })?;
    let kind = KeyKind::MlKem(level);
    let public = PublicKey::from_parts(kind, ek)?;
    Ok(PrivateKey {
        kind,
        inner: Inner::MlKem(MlKemKey {
            level,
            seed,
            expanded,
            key,
        }),
        public,
    })
}

fn mlkem_from_seed(level: MlKemLevel, seed: Zeroizing<[u8; 64]>) -> Result<PrivateKey> {
    let (expanded, ek) = mlkem::expand_seed(level, seed.as_slice())?;
    mlkem_key(level, Some(seed), expanded, &ek)
}

/// ML-KEM-xxx-PrivateKey CHOICE (RFC 9935 §6), parsed by tag.
fn mlkem_from_contents(level: MlKemLevel, contents: &[u8]) -> Result<PrivateKey> {
    let name = level.name().to_ascii_uppercase();
    let mut r = Reader::new(contents);
    match r.peek_tag() {
        Some(0x80) => {
            let seed = r.read()?;
            r.finish(&format!("{name} private key"))?;
            PrivateKey::from_seed(KeyKind::MlKem(level), seed.value)
        }
        Some(asn1::TAG_OCTET_STRING) => {
            let expanded = r.read()?;
            r.finish(&format!("{name} private key"))?;
            // FIPS 203 §7.3: length and hash check, then a pairwise test.
            let ek = mlkem::check_expanded_key(level, expanded.value)?;
            let key = mlkem_key(level, None, Zeroizing::new(expanded.value.to_vec()), &ek)?;
            if let Inner::MlKem(k) = &key.inner {
                mlkem::pairwise_test(level, &k.key, &ek)?;
            }
            Ok(key)
        }
        Some(asn1::TAG_SEQUENCE) => {
            let both = r.read()?;
            r.finish(&format!("{name} private key"))?;
            let mut br = both.reader(Rules::Der);
            let seed = br.read_expected(asn1::TAG_OCTET_STRING, "ML-KEM both.seed")?;
            let expanded = br.read_expected(asn1::TAG_OCTET_STRING, "ML-KEM both.expandedKey")?;
            br.finish("ML-KEM both")?;
            if expanded.value.len() != level.decapsulation_key_len() {
                return Err(Error::InvalidKey(format!(
                    "{name} expandedKey is {} bytes, expected {}",
                    expanded.value.len(),
                    level.decapsulation_key_len()
                )));
            }
            let key = PrivateKey::from_seed(KeyKind::MlKem(level), seed.value)?;
            let Inner::MlKem(k) = &key.inner else {
                return Err(Error::Crypto(
                    "ML-KEM key has the wrong representation".into(),
                ));
            };
            if !bool::from(k.expanded.as_slice().ct_eq(expanded.value)) {
                return Err(Error::InvalidKey(format!(
                    "{name} private key is inconsistent: the expandedKey is not the key expanded \
                     from the seed"
                )));
            }
            Ok(key)
        }
        Some(t) => Err(Error::InvalidKey(format!(
            "{name} private key has tag 0x{t:02X}; expected 0x80 (seed), 0x04 (expandedKey) or \
             0x30 (both), RFC 9935 §6"
        ))),
        None => Err(Error::InvalidKey(format!("{name} private key is empty"))),
    }
}

/// The namedCurve inside an RFC 5915 `ECPrivateKey` (for the legacy `EC PRIVATE KEY` PEM).
fn ec_private_key_curve(der: &[u8]) -> Result<EcCurve> {
    let mut outer = Reader::new(der);
    let seq = outer.read_expected(asn1::TAG_SEQUENCE, "ECPrivateKey")?;
    outer.finish("ECPrivateKey")?;
    let mut r = seq.reader(Rules::Der);
    let version = asn1::read_small_uint(&mut r, "ECPrivateKey version")?;
    if version != 1 {
        return Err(Error::malformed(format!(
            "ECPrivateKey version {version} (expected 1)"
        )));
    }
    r.read_expected(asn1::TAG_OCTET_STRING, "ECPrivateKey privateKey")?;
    let params = r
        .read_optional(0xA0)?
        .ok_or_else(|| Error::InvalidKey("EC PRIVATE KEY without curve parameters".to_string()))?;
    curve_from_parameters(Some(params.value))
}

fn curve_from_parameters(params: Option<&[u8]>) -> Result<EcCurve> {
    let params = params.ok_or_else(|| {
        Error::malformed("id-ecPublicKey without parameters (a namedCurve is required)")
    })?;
    let mut r = Reader::new(params);
    if r.peek_tag() != Some(asn1::TAG_OID) {
        return Err(Error::UnsupportedAlgorithm(
            "elliptic curves given by explicit parameters (RFC 5480 requires a namedCurve)"
                .to_string(),
        ));
    }
    let curve = asn1::read_oid(&mut r, "namedCurve")?;
    r.finish("EC parameters")?;
    [EcCurve::P256, EcCurve::P384, EcCurve::P521]
        .into_iter()
        .find(|c| c.oid() == curve)
        .ok_or_else(|| {
            Error::UnsupportedAlgorithm(format!(
                "elliptic curve {} (supported: P-256, P-384, P-521)",
                describe_oid(&curve)
            ))
        })
}

/// The key kind named by an algorithm identifier, with its parameters checked. RSA keys get
/// a placeholder size that callers replace with the real modulus size.
fn key_kind_for(o: &ObjectIdentifier, params: Option<&[u8]>, what: &str) -> Result<KeyKind> {
    let absent = |kind: KeyKind| -> Result<KeyKind> {
        if params.is_some() {
            Err(Error::malformed(format!(
                "{} {what} algorithm identifier has parameters, which must be absent",
                kind.description()
            )))
        } else {
            Ok(kind)
        }
    };
    for level in [MlDsaLevel::L44, MlDsaLevel::L65, MlDsaLevel::L87] {
        if *o == level.oid() {
            return absent(KeyKind::MlDsa(level));
        }
    }
    for level in [MlKemLevel::L512, MlKemLevel::L768, MlKemLevel::L1024] {
        if *o == level.oid() {
            return absent(KeyKind::MlKem(level));
        }
    }
    if let Some(set) = SlhDsaSet::ALL.into_iter().find(|s| s.oid() == *o) {
        return absent(KeyKind::SlhDsa(set));
    }
    if *o == oid::ED25519 {
        return absent(KeyKind::Ed25519);
    }
    if *o == oid::X25519 {
        return absent(KeyKind::X25519);
    }
    if *o == oid::RSA_ENCRYPTION {
        return match params {
            None | Some([0x05, 0x00]) => Ok(KeyKind::Rsa(0)),
            Some(_) => Err(Error::malformed(format!(
                "rsaEncryption {what} parameters must be NULL"
            ))),
        };
    }
    if *o == oid::EC_PUBLIC_KEY {
        return curve_from_parameters(params).map(KeyKind::Ec);
    }
    if [
        oid::HASH_ML_DSA_44_SHA512,
        oid::HASH_ML_DSA_65_SHA512,
        oid::HASH_ML_DSA_87_SHA512,
    ]
    .contains(o)
    {
        return Err(Error::UnsupportedAlgorithm(format!(
            "HashML-DSA {what} ({}): RFC 9881 and RFC 9882 allow only pure ML-DSA keys",
            describe_oid(o)
        )));
    }
    if is_hash_slh_dsa(o) {
        return Err(Error::UnsupportedAlgorithm(format!(
            "HashSLH-DSA {what} ({o}): pqsmime supports pure SLH-DSA keys only (RFC 9814 uses \
             pure SLH-DSA in CMS)"
        )));
    }
    if *o == RSASSA_PSS_KEY {
        return Err(Error::UnsupportedAlgorithm(format!(
            "RSASSA-PSS-restricted RSA {what} (id-RSASSA-PSS); use an rsaEncryption key"
        )));
    }
    Err(Error::UnsupportedAlgorithm(format!(
        "{what} algorithm {}",
        describe_oid(o)
    )))
}

/// Bit length of the modulus of a DER `RSAPublicKey ::= SEQUENCE { n INTEGER, e INTEGER }`.
fn rsa_modulus_bits(der: &[u8]) -> Result<u32> {
    let mut outer = Reader::new(der);
    let seq = outer.read_expected(asn1::TAG_SEQUENCE, "RSAPublicKey")?;
    outer.finish("RSAPublicKey")?;
    let mut r = seq.reader(Rules::Der);
    let n = r.read_expected(asn1::TAG_INTEGER, "RSAPublicKey modulus")?;
    let e = r.read_expected(asn1::TAG_INTEGER, "RSAPublicKey publicExponent")?;
    r.finish("RSAPublicKey")?;
    if e.value.is_empty() || n.value.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(Error::InvalidKey(
            "RSA modulus or exponent is not positive".into(),
        ));
    }
    let mag: &[u8] = {
        let skip = n.value.iter().take_while(|b| **b == 0).count();
        n.value.get(skip..).unwrap_or_default()
    };
    let top = mag.first().copied().unwrap_or(0);
    let bits = (mag.len() as u64 * 8).saturating_sub(u64::from(top.leading_zeros()));
    u32::try_from(bits).map_err(|_| Error::Limit("RSA modulus is too large".into()))
}

// ---------------------------------------------------------------------------------------
// Public keys

/// A public key with its DER SubjectPublicKeyInfo.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    kind: KeyKind,
    spki: Vec<u8>,
    /// The subjectPublicKey BIT STRING contents.
    raw: Vec<u8>,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ski: String = self
            .key_identifier()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        f.debug_struct("PublicKey")
            .field("kind", &self.kind)
            .field("key_identifier", &ski)
            .finish()
    }
}

/// RSA moduli pqsmime accepts (aws-lc-rs verifies 2048..8192-bit keys).
const RSA_MIN_BITS: u32 = 2048;
const RSA_MAX_BITS: u32 = 8192;

impl PublicKey {
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey> {
        let mut outer = Reader::new(der);
        let seq = outer.read_expected(asn1::TAG_SEQUENCE, "SubjectPublicKeyInfo")?;
        outer.finish("SubjectPublicKeyInfo")?;
        let mut r = seq.reader(Rules::Der);
        let alg = r.read_expected(asn1::TAG_SEQUENCE, "SubjectPublicKeyInfo algorithm")?;
        let bits = r.read_expected(asn1::TAG_BIT_STRING, "subjectPublicKey")?;
        r.finish("SubjectPublicKeyInfo")?;
        let raw = match bits.value.split_first() {
            Some((0, raw)) => raw,
            _ => {
                return Err(Error::malformed(
                    "subjectPublicKey BIT STRING is empty or has unused bits",
                ))
            }
        };
        let (o, params) = asn1::parse_algorithm_identifier(alg.raw)?;
        let kind = key_kind_for(&o, params, "public key")?;
        let kind = check_raw_public_key(kind, raw)?;
        Ok(PublicKey {
            kind,
            spki: seq.raw.to_vec(),
            raw: raw.to_vec(),
        })
    }

    /// Builds a public key from its raw encoding (the subjectPublicKey contents): ML-DSA
    /// `ρ ‖ t1`, ML-KEM `ek`, SLH-DSA `PK.seed ‖ PK.root`, the uncompressed EC point, the
    /// 32-byte Ed25519/X25519 key, or the DER `RSAPublicKey`. The key is checked as in
    /// [`PublicKey::from_spki_der`]; for RSA the size in `kind` must match the modulus.
    pub fn from_raw(kind: KeyKind, raw: &[u8]) -> Result<PublicKey> {
        let key = PublicKey::from_parts(kind, raw)?;
        if key.kind != kind {
            return Err(Error::InvalidKey(format!(
                "the key is a {} key, not {}",
                key.kind.description(),
                kind.description()
            )));
        }
        Ok(key)
    }

    /// Checks `raw` for `kind` and builds the canonical SPKI (RSA: size taken from the key).
    fn from_parts(kind: KeyKind, raw: &[u8]) -> Result<PublicKey> {
        let kind = check_raw_public_key(kind, raw)?;
        let alg = match kind {
            KeyKind::MlDsa(l) => asn1::algorithm_identifier(&l.oid(), None),
            KeyKind::SlhDsa(s) => asn1::algorithm_identifier(&s.oid(), None),
            KeyKind::MlKem(l) => asn1::algorithm_identifier(&l.oid(), None),
            KeyKind::Rsa(_) => {
                asn1::algorithm_identifier(&oid::RSA_ENCRYPTION, Some(&[0x05, 0x00]))
            }
            KeyKind::Ec(c) => {
                asn1::algorithm_identifier(&oid::EC_PUBLIC_KEY, Some(&asn1::oid(&c.oid())))
            }
            KeyKind::Ed25519 => asn1::algorithm_identifier(&oid::ED25519, None),
            KeyKind::X25519 => asn1::algorithm_identifier(&oid::X25519, None),
        };
        let spki = asn1::sequence(&[&alg, &asn1::bit_string(raw)]);
        Ok(PublicKey {
            kind,
            spki,
            raw: raw.to_vec(),
        })
    }

    /// Reads PEM (`PUBLIC KEY`) or DER SubjectPublicKeyInfo.
    pub fn from_pem_or_der(data: &[u8]) -> Result<PublicKey> {
        if pem::looks_like_pem(data) {
            let block = pem::decode(data, &["PUBLIC KEY"], "public key")?;
            PublicKey::from_spki_der(&block.der)
        } else {
            PublicKey::from_spki_der(data)
        }
    }

    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    pub fn to_pem(&self) -> String {
        pem::encode("PUBLIC KEY", &self.spki).to_string()
    }

    /// The subjectPublicKey BIT STRING contents (raw key).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
    pub fn key_identifier(&self) -> [u8; 20] {
        crate::digest::sha1(&self.raw)
    }

    /// Verifies `signature` over `message` with `alg`.
    ///
    /// Returns [`Error::BadSignature`] when the signature does not verify, has the wrong
    /// length, or `alg` does not fit the key; [`Error::UnsupportedAlgorithm`] for digests
    /// pqsmime does not use with RSA/ECDSA.
    pub fn verify(&self, alg: SignatureAlgorithm, message: &[u8], signature: &[u8]) -> Result<()> {
        self.check_alg(alg)?;
        let ok = match alg {
            SignatureAlgorithm::MlDsa(level) => {
                expect_len(alg, signature, level.signature_len())?;
                UnparsedPublicKey::new(mldsa_verification(level), &self.raw)
                    .verify(message, signature)
                    .is_ok()
            }
            SignatureAlgorithm::SlhDsa(set) => {
                expect_len(alg, signature, set.signature_len())?;
                slh::verify(set, &self.raw, message, signature)
            }
            SignatureAlgorithm::Ed25519 => {
                expect_len(alg, signature, 64)?;
                UnparsedPublicKey::new(&lc_sig::ED25519, &self.raw)
                    .verify(message, signature)
                    .is_ok()
            }
            SignatureAlgorithm::RsaPkcs1(_) | SignatureAlgorithm::RsaPss(_) => {
                self.check_rsa_signature_len(alg, signature)?;
                UnparsedPublicKey::new(rsa_verification(alg)?, &self.raw)
                    .verify(message, signature)
                    .is_ok()
            }
            SignatureAlgorithm::Ecdsa(_) => {
                self.check_ecdsa_signature_len(alg, signature)?;
                UnparsedPublicKey::new(self.ecdsa_verification(alg)?, &self.raw)
                    .verify(message, signature)
                    .is_ok()
            }
        };
        if ok {
            Ok(())
        } else {
            Err(Error::BadSignature(format!(
                "{} signature does not verify with the {} key",
                alg.name(),
                self.kind.description()
            )))
        }
    }

    /// Verifies a hash-then-sign signature (RSA, ECDSA) given the message digest computed with
    /// `alg`'s digest. Refuses pure algorithms.
    pub fn verify_digest(
        &self,
        alg: SignatureAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        let d = match alg {
            SignatureAlgorithm::RsaPkcs1(d)
            | SignatureAlgorithm::RsaPss(d)
            | SignatureAlgorithm::Ecdsa(d) => d,
            _ => {
                return Err(Error::Usage(format!(
                    "{} signs the message itself; it cannot be verified over a precomputed digest",
                    alg.name()
                )))
            }
        };
        self.check_alg(alg)?;
        let lc = lc_digest_alg(d).ok_or_else(|| unsupported_digest(alg))?;
        if digest.len() != d.output_len() {
            return Err(Error::Usage(format!(
                "a {} digest is {} bytes, not {}",
                d.name(),
                d.output_len(),
                digest.len()
            )));
        }
        let digest = lc_digest::Digest::import_less_safe(digest, lc)
            .map_err(crypto("digest import failed"))?;
        let verification: &'static dyn VerificationAlgorithm = match alg {
            SignatureAlgorithm::Ecdsa(_) => {
                self.check_ecdsa_signature_len(alg, signature)?;
                self.ecdsa_verification(alg)?
            }
            _ => {
                self.check_rsa_signature_len(alg, signature)?;
                rsa_verification(alg)?
            }
        };
        UnparsedPublicKey::new(verification, &self.raw)
            .verify_digest(&digest, signature)
            .map_err(|_| {
                Error::BadSignature(format!(
                    "{} signature does not verify with the {} key",
                    alg.name(),
                    self.kind.description()
                ))
            })
    }

    /// ML-KEM encapsulation (FIPS 203 ML-KEM.Encaps) to this key: returns the ciphertext and
    /// the 32-byte shared secret.
    pub fn kem_encapsulate(&self) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>)> {
        let KeyKind::MlKem(level) = self.kind else {
            return Err(Error::Usage(format!(
                "KEM encapsulation needs an ML-KEM key, not a {} key",
                self.kind.description()
            )));
        };
        let ek = kem::EncapsulationKey::new(mlkem::algorithm(level), &self.raw).map_err(|e| {
            Error::InvalidKey(format!("{} public key is rejected ({e})", level.name()))
        })?;
        let (ct, ss) = ek
            .encapsulate()
            .map_err(crypto("ML-KEM encapsulation failed"))?;
        Ok((ct.as_ref().to_vec(), Zeroizing::new(ss.as_ref().to_vec())))
    }

    fn check_alg(&self, alg: SignatureAlgorithm) -> Result<()> {
        if alg.matches_key(self.kind) {
            Ok(())
        } else {
            Err(Error::BadSignature(format!(
                "signature algorithm {} does not fit the {} key",
                alg.name(),
                self.kind.description()
            )))
        }
    }

    fn check_rsa_signature_len(&self, alg: SignatureAlgorithm, signature: &[u8]) -> Result<()> {
        let KeyKind::Rsa(bits) = self.kind else {
            return Ok(());
        };
        expect_len(alg, signature, (bits as usize).div_ceil(8))
    }

    /// An upper bound on a DER `Ecdsa-Sig-Value` for the key's curve (two INTEGERs of at
    /// most the order's size plus a sign octet, with headers).
    fn check_ecdsa_signature_len(&self, alg: SignatureAlgorithm, signature: &[u8]) -> Result<()> {
        let KeyKind::Ec(curve) = self.kind else {
            return Ok(());
        };
        let order_bytes = match curve {
            EcCurve::P256 => 32,
            EcCurve::P384 => 48,
            EcCurve::P521 => 66,
        };
        let max = 2 * (order_bytes + 3) + 3;
        if signature.len() < 8 || signature.len() > max {
            return Err(Error::BadSignature(format!(
                "{} signature is {} bytes, outside the 8..={max} bytes a DER signature on {} \
                 can have",
                alg.name(),
                signature.len(),
                self.kind.description()
            )));
        }
        Ok(())
    }

    fn ecdsa_verification(
        &self,
        alg: SignatureAlgorithm,
    ) -> Result<&'static dyn VerificationAlgorithm> {
        let (KeyKind::Ec(curve), SignatureAlgorithm::Ecdsa(d)) = (self.kind, alg) else {
            return Err(Error::BadSignature(format!(
                "signature algorithm {} does not fit the {} key",
                alg.name(),
                self.kind.description()
            )));
        };
        use DigestAlgorithm::*;
        Ok(match (curve, d) {
            (EcCurve::P256, Sha256) => &lc_sig::ECDSA_P256_SHA256_ASN1,
            (EcCurve::P256, Sha384) => &lc_sig::ECDSA_P256_SHA384_ASN1,
            (EcCurve::P256, Sha512) => &lc_sig::ECDSA_P256_SHA512_ASN1,
            (EcCurve::P384, Sha256) => &lc_sig::ECDSA_P384_SHA256_ASN1,
            (EcCurve::P384, Sha384) => &lc_sig::ECDSA_P384_SHA384_ASN1,
            (EcCurve::P384, Sha512) => &lc_sig::ECDSA_P384_SHA512_ASN1,
            (EcCurve::P521, Sha256) => &lc_sig::ECDSA_P521_SHA256_ASN1,
            (EcCurve::P521, Sha384) => &lc_sig::ECDSA_P521_SHA384_ASN1,
            (EcCurve::P521, Sha512) => &lc_sig::ECDSA_P521_SHA512_ASN1,
            _ => return Err(unsupported_digest(alg)),
        })
    }
}

fn rsa_verification(alg: SignatureAlgorithm) -> Result<&'static dyn VerificationAlgorithm> {
    use DigestAlgorithm::*;
    Ok(match alg {
        SignatureAlgorithm::RsaPkcs1(Sha256) => &lc_sig::RSA_PKCS1_2048_8192_SHA256,
        SignatureAlgorithm::RsaPkcs1(Sha384) => &lc_sig::RSA_PKCS1_2048_8192_SHA384,
        SignatureAlgorithm::RsaPkcs1(Sha512) => &lc_sig::RSA_PKCS1_2048_8192_SHA512,
        SignatureAlgorithm::RsaPss(Sha256) => &lc_sig::RSA_PSS_2048_8192_SHA256,
        SignatureAlgorithm::RsaPss(Sha384) => &lc_sig::RSA_PSS_2048_8192_SHA384,
        SignatureAlgorithm::RsaPss(Sha512) => &lc_sig::RSA_PSS_2048_8192_SHA512,
        _ => return Err(unsupported_digest(alg)),
    })
}

fn expect_len(alg: SignatureAlgorithm, signature: &[u8], len: usize) -> Result<()> {
    if signature.len() == len {
        Ok(())
    } else {
        Err(Error::BadSignature(format!(
            "{} signature is {} bytes, expected {len}",
            alg.name(),
            signature.len()
        )))
    }
}

/// Checks a raw public key for `kind` (length, encoding, validity) and returns the kind with
/// the real RSA size.
fn check_raw_public_key(kind: KeyKind, raw: &[u8]) -> Result<KeyKind> {
    let desc = kind.description();
    let want_len = |len: usize| -> Result<()> {
        if raw.len() == len {
            Ok(())
        } else {
            Err(Error::InvalidKey(format!(
                "{desc} public key is {} bytes, expected {len}",
                raw.len()
            )))
        }
    };
    match kind {
        KeyKind::MlDsa(level) => {
            want_len(level.public_key_len())?;
            Ok(kind)
        }
        KeyKind::SlhDsa(set) => {
            want_len(2 * set.n())?;
            Ok(kind)
        }
        KeyKind::MlKem(level) => {
            mlkem::check_encapsulation_key(level, raw)?;
            Ok(kind)
        }
        KeyKind::Ed25519 => {
            want_len(32)?;
            lc_sig::ParsedPublicKey::new(&lc_sig::ED25519, raw)
                .map_err(|_| Error::InvalidKey("Ed25519 public key is not a valid point".into()))?;
            Ok(kind)
        }
        KeyKind::X25519 => {
            want_len(32)?;
            Ok(kind)
        }
        KeyKind::Ec(curve) => {
            want_len(curve.point_len())?;
            if raw.first() != Some(&0x04) {
                return Err(Error::InvalidKey(format!(
                    "{desc} public key is not an uncompressed point (first byte 0x{:02X})",
                    raw.first().copied().unwrap_or(0)
                )));
            }
            let alg: &'static dyn VerificationAlgorithm = match curve {
                EcCurve::P256 => &lc_sig::ECDSA_P256_SHA256_ASN1,
                EcCurve::P384 => &lc_sig::ECDSA_P384_SHA384_ASN1,
                EcCurve::P521 => &lc_sig::ECDSA_P521_SHA512_ASN1,
            };
            lc_sig::ParsedPublicKey::new(alg, raw).map_err(|_| {
                Error::InvalidKey(format!("{desc} public key is not a point on the curve"))
            })?;
            Ok(kind)
        }
        KeyKind::Rsa(_) => {
            let bits = rsa_modulus_bits(raw)?;
            if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
                return Err(Error::InvalidKey(format!(
                    "RSA key of {bits} bits (pqsmime accepts {RSA_MIN_BITS} to {RSA_MAX_BITS} bits)"
                )));
            }
            aws_lc_rs::rsa::PublicKey::from_der(raw)
                .map_err(|e| Error::InvalidKey(format!("RSA public key is rejected ({e})")))?;
            Ok(KeyKind::Rsa(bits))
        }
    }
}

#[cfg(test)]
mod tests;
