//! The algorithm registry: the one place that knows every algorithm pqsmime speaks.
//!
//! Each algorithm has the name users type (see `shared/spec/cli.md`), its object identifier,
//! the exact `AlgorithmIdentifier` encoding we emit, its sizes, and whether it is quantum-safe.
//! Implementations live in [`crate::keys`] and [`crate::digest`]; this module is plain data.
//!
//! Adding an algorithm (for example composite ML-DSA) means adding a variant here and its
//! implementation arm in `keys`; the CMS and X.509 code only ever asks this module.

use core::fmt;

use const_oid::ObjectIdentifier;

use crate::asn1;
use crate::error::{Error, Result};

/// Object identifiers used across the crate, each with its source.
pub mod oid {
    use const_oid::ObjectIdentifier as Oid;

    // FIPS 204 / RFC 9881: ML-DSA (sigAlgs 2.16.840.1.101.3.4.3).
    pub const ML_DSA_44: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.17");
    pub const ML_DSA_65: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.18");
    pub const ML_DSA_87: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.19");
    // HashML-DSA: recognised only to be refused (RFC 9881 §1, RFC 9882).
    pub const HASH_ML_DSA_44_SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.32");
    pub const HASH_ML_DSA_65_SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.33");
    pub const HASH_ML_DSA_87_SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.34");

    // FIPS 205 / RFC 9909 / RFC 9814: SLH-DSA pure OIDs are sigAlgs 20..31.
    pub const SLH_DSA_SHA2_128S: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.20");
    pub const SLH_DSA_SHA2_128F: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.21");
    pub const SLH_DSA_SHA2_192S: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.22");
    pub const SLH_DSA_SHA2_192F: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.23");
    pub const SLH_DSA_SHA2_256S: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.24");
    pub const SLH_DSA_SHA2_256F: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.25");
    pub const SLH_DSA_SHAKE_128S: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.26");
    pub const SLH_DSA_SHAKE_128F: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.27");
    pub const SLH_DSA_SHAKE_192S: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.28");
    pub const SLH_DSA_SHAKE_192F: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.29");
    pub const SLH_DSA_SHAKE_256S: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.30");
    pub const SLH_DSA_SHAKE_256F: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.31");

    // FIPS 203 / RFC 9935: ML-KEM (kems 2.16.840.1.101.3.4.4).
    pub const ML_KEM_512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.4.1");
    pub const ML_KEM_768: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.4.2");
    pub const ML_KEM_1024: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.4.3");

    // RFC 8017 / RFC 4055: RSA.
    pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    pub const RSAES_OAEP: Oid = Oid::new_unwrap("1.2.840.113549.1.1.7");
    pub const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
    pub const P_SPECIFIED: Oid = Oid::new_unwrap("1.2.840.113549.1.1.9");
    pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
    pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
    pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
    pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
    pub const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");

    // RFC 5480 / RFC 5758: elliptic curves and ECDSA.
    pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    pub const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    pub const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
    pub const SECP521R1: Oid = Oid::new_unwrap("1.3.132.0.35");
    pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
    pub const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
    pub const ECDSA_WITH_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");

    // RFC 8410: Edwards and Montgomery curves.
    pub const X25519: Oid = Oid::new_unwrap("1.3.101.110");
    pub const ED25519: Oid = Oid::new_unwrap("1.3.101.112");

    // RFC 5754, RFC 8702, RFC 9688: digests.
    pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
    pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
    pub const SHA3_256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.8");
    pub const SHA3_384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.9");
    pub const SHA3_512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.10");
    pub const SHAKE128: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.11");
    pub const SHAKE256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.12");
    pub const MD5: Oid = Oid::new_unwrap("1.2.840.113549.2.5");
}

/// The twelve SLH-DSA parameter sets of FIPS 205.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SlhDsaSet {
    Sha2_128s,
    Sha2_128f,
    Sha2_192s,
    Sha2_192f,
    Sha2_256s,
    Sha2_256f,
    Shake128s,
    Shake128f,
    Shake192s,
    Shake192f,
    Shake256s,
    Shake256f,
}

impl SlhDsaSet {
    pub const ALL: [SlhDsaSet; 12] = [
        SlhDsaSet::Sha2_128s,
        SlhDsaSet::Sha2_128f,
        SlhDsaSet::Sha2_192s,
        SlhDsaSet::Sha2_192f,
        SlhDsaSet::Sha2_256s,
        SlhDsaSet::Sha2_256f,
        SlhDsaSet::Shake128s,
        SlhDsaSet::Shake128f,
        SlhDsaSet::Shake192s,
        SlhDsaSet::Shake192f,
        SlhDsaSet::Shake256s,
        SlhDsaSet::Shake256f,
    ];

    /// The name users type, e.g. `slh-dsa-sha2-128s`.
    pub fn name(self) -> &'static str {
        match self {
            SlhDsaSet::Sha2_128s => "slh-dsa-sha2-128s",
            SlhDsaSet::Sha2_128f => "slh-dsa-sha2-128f",
            SlhDsaSet::Sha2_192s => "slh-dsa-sha2-192s",
            SlhDsaSet::Sha2_192f => "slh-dsa-sha2-192f",
            SlhDsaSet::Sha2_256s => "slh-dsa-sha2-256s",
            SlhDsaSet::Sha2_256f => "slh-dsa-sha2-256f",
            SlhDsaSet::Shake128s => "slh-dsa-shake-128s",
            SlhDsaSet::Shake128f => "slh-dsa-shake-128f",
            SlhDsaSet::Shake192s => "slh-dsa-shake-192s",
            SlhDsaSet::Shake192f => "slh-dsa-shake-192f",
            SlhDsaSet::Shake256s => "slh-dsa-shake-256s",
            SlhDsaSet::Shake256f => "slh-dsa-shake-256f",
        }
    }

    pub fn oid(self) -> ObjectIdentifier {
        match self {
            SlhDsaSet::Sha2_128s => oid::SLH_DSA_SHA2_128S,
            SlhDsaSet::Sha2_128f => oid::SLH_DSA_SHA2_128F,
            SlhDsaSet::Sha2_192s => oid::SLH_DSA_SHA2_192S,
            SlhDsaSet::Sha2_192f => oid::SLH_DSA_SHA2_192F,
            SlhDsaSet::Sha2_256s => oid::SLH_DSA_SHA2_256S,
            SlhDsaSet::Sha2_256f => oid::SLH_DSA_SHA2_256F,
            SlhDsaSet::Shake128s => oid::SLH_DSA_SHAKE_128S,
            SlhDsaSet::Shake128f => oid::SLH_DSA_SHAKE_128F,
            SlhDsaSet::Shake192s => oid::SLH_DSA_SHAKE_192S,
            SlhDsaSet::Shake192f => oid::SLH_DSA_SHAKE_192F,
            SlhDsaSet::Shake256s => oid::SLH_DSA_SHAKE_256S,
            SlhDsaSet::Shake256f => oid::SLH_DSA_SHAKE_256F,
        }
    }

    /// Security parameter n in bytes (16, 24 or 32).
    pub fn n(self) -> usize {
        match self {
            SlhDsaSet::Sha2_128s
            | SlhDsaSet::Sha2_128f
            | SlhDsaSet::Shake128s
            | SlhDsaSet::Shake128f => 16,
            SlhDsaSet::Sha2_192s
            | SlhDsaSet::Sha2_192f
            | SlhDsaSet::Shake192s
            | SlhDsaSet::Shake192f => 24,
            _ => 32,
        }
    }

    /// Signature size in bytes (FIPS 205 Table 2).
    pub fn signature_len(self) -> usize {
        match self {
            SlhDsaSet::Sha2_128s | SlhDsaSet::Shake128s => 7856,
            SlhDsaSet::Sha2_128f | SlhDsaSet::Shake128f => 17088,
            SlhDsaSet::Sha2_192s | SlhDsaSet::Shake192s => 16224,
            SlhDsaSet::Sha2_192f | SlhDsaSet::Shake192f => 35664,
            SlhDsaSet::Sha2_256s | SlhDsaSet::Shake256s => 29792,
            SlhDsaSet::Sha2_256f | SlhDsaSet::Shake256f => 49856,
        }
    }

    pub fn is_shake(self) -> bool {
        matches!(
            self,
            SlhDsaSet::Shake128s
                | SlhDsaSet::Shake128f
                | SlhDsaSet::Shake192s
                | SlhDsaSet::Shake192f
                | SlhDsaSet::Shake256s
                | SlhDsaSet::Shake256f
        )
    }

    /// The message digest RFC 9814 §4 assigns to this set when signed attributes are used.
    pub fn cms_digest(self) -> DigestAlgorithm {
        match (self.is_shake(), self.n()) {
            (false, 16) => DigestAlgorithm::Sha256,
            (false, _) => DigestAlgorithm::Sha512,
            (true, 16) => DigestAlgorithm::Shake128,
            (true, _) => DigestAlgorithm::Shake256,
        }
    }
}

/// ML-DSA parameter sets (FIPS 204).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MlDsaLevel {
    L44,
    L65,
    L87,
}

impl MlDsaLevel {
    pub fn public_key_len(self) -> usize {
        match self {
            MlDsaLevel::L44 => 1312,
            MlDsaLevel::L65 => 1952,
            MlDsaLevel::L87 => 2592,
        }
    }
    pub fn expanded_private_key_len(self) -> usize {
        match self {
            MlDsaLevel::L44 => 2560,
            MlDsaLevel::L65 => 4032,
            MlDsaLevel::L87 => 4896,
        }
    }
    pub fn signature_len(self) -> usize {
        match self {
            MlDsaLevel::L44 => 2420,
            MlDsaLevel::L65 => 3309,
            MlDsaLevel::L87 => 4627,
        }
    }
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            MlDsaLevel::L44 => oid::ML_DSA_44,
            MlDsaLevel::L65 => oid::ML_DSA_65,
            MlDsaLevel::L87 => oid::ML_DSA_87,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            MlDsaLevel::L44 => "ml-dsa-44",
            MlDsaLevel::L65 => "ml-dsa-65",
            MlDsaLevel::L87 => "ml-dsa-87",
        }
    }
}

/// ML-KEM parameter sets (FIPS 203).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MlKemLevel {
    L512,
    L768,
    L1024,
}

impl MlKemLevel {
    pub fn encapsulation_key_len(self) -> usize {
        match self {
            MlKemLevel::L512 => 800,
            MlKemLevel::L768 => 1184,
            MlKemLevel::L1024 => 1568,
        }
    }
    pub fn decapsulation_key_len(self) -> usize {
        match self {
            MlKemLevel::L512 => 1632,
            MlKemLevel::L768 => 2400,
            MlKemLevel::L1024 => 3168,
        }
    }
    pub fn ciphertext_len(self) -> usize {
        match self {
            MlKemLevel::L512 => 768,
            MlKemLevel::L768 => 1088,
            MlKemLevel::L1024 => 1568,
        }
    }
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            MlKemLevel::L512 => oid::ML_KEM_512,
            MlKemLevel::L768 => oid::ML_KEM_768,
            MlKemLevel::L1024 => oid::ML_KEM_1024,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            MlKemLevel::L512 => "ml-kem-512",
            MlKemLevel::L768 => "ml-kem-768",
            MlKemLevel::L1024 => "ml-kem-1024",
        }
    }
}

/// NIST elliptic curves supported for ECDSA and ECDH.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EcCurve {
    P256,
    P384,
    P521,
}

impl EcCurve {
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            EcCurve::P256 => oid::SECP256R1,
            EcCurve::P384 => oid::SECP384R1,
            EcCurve::P521 => oid::SECP521R1,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            EcCurve::P256 => "ec-p256",
            EcCurve::P384 => "ec-p384",
            EcCurve::P521 => "ec-p521",
        }
    }
    /// The digest conventionally paired with this curve (RFC 5753 §7, RFC 5480 §4).
    pub fn digest(self) -> DigestAlgorithm {
        match self {
            EcCurve::P256 => DigestAlgorithm::Sha256,
            EcCurve::P384 => DigestAlgorithm::Sha384,
            EcCurve::P521 => DigestAlgorithm::Sha512,
        }
    }
    /// Length of an uncompressed point (0x04 ‖ X ‖ Y).
    pub fn point_len(self) -> usize {
        match self {
            EcCurve::P256 => 65,
            EcCurve::P384 => 97,
            EcCurve::P521 => 133,
        }
    }
}

/// What kind of key a key file or certificate holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    MlDsa(MlDsaLevel),
    SlhDsa(SlhDsaSet),
    MlKem(MlKemLevel),
    /// RSA with the modulus size in bits.
    Rsa(u32),
    Ec(EcCurve),
    Ed25519,
    X25519,
}

impl KeyKind {
    /// Every key algorithm `pqsmime key gen --alg` accepts, by name.
    pub const GENERATABLE: &'static [&'static str] = &[
        "ml-dsa-44",
        "ml-dsa-65",
        "ml-dsa-87",
        "slh-dsa-sha2-128s",
        "slh-dsa-sha2-128f",
        "slh-dsa-sha2-192s",
        "slh-dsa-sha2-192f",
        "slh-dsa-sha2-256s",
        "slh-dsa-sha2-256f",
        "slh-dsa-shake-128s",
        "slh-dsa-shake-128f",
        "slh-dsa-shake-192s",
        "slh-dsa-shake-192f",
        "slh-dsa-shake-256s",
        "slh-dsa-shake-256f",
        "ml-kem-512",
        "ml-kem-768",
        "ml-kem-1024",
        "rsa-2048",
        "rsa-3072",
        "rsa-4096",
        "ec-p256",
        "ec-p384",
        "ec-p521",
        "ed25519",
        "x25519",
    ];

    /// Parses the name a user types (`ml-dsa-65`, `rsa-3072`, ...).
    pub fn from_name(name: &str) -> Result<KeyKind> {
        let lower = name.to_ascii_lowercase();
        let kind = match lower.as_str() {
            "ml-dsa-44" => KeyKind::MlDsa(MlDsaLevel::L44),
            "ml-dsa-65" => KeyKind::MlDsa(MlDsaLevel::L65),
            "ml-dsa-87" => KeyKind::MlDsa(MlDsaLevel::L87),
            "ml-kem-512" => KeyKind::MlKem(MlKemLevel::L512),
            "ml-kem-768" => KeyKind::MlKem(MlKemLevel::L768),
            "ml-kem-1024" => KeyKind::MlKem(MlKemLevel::L1024),
            "rsa-2048" => KeyKind::Rsa(2048),
            "rsa-3072" => KeyKind::Rsa(3072),
            "rsa-4096" => KeyKind::Rsa(4096),
            "ec-p256" => KeyKind::Ec(EcCurve::P256),
            "ec-p384" => KeyKind::Ec(EcCurve::P384),
            "ec-p521" => KeyKind::Ec(EcCurve::P521),
            "ed25519" => KeyKind::Ed25519,
            "x25519" => KeyKind::X25519,
            other => match SlhDsaSet::ALL.iter().find(|s| s.name() == other) {
                Some(set) => KeyKind::SlhDsa(*set),
                None => {
                    return Err(Error::UnsupportedAlgorithm(format!(
                        "unknown algorithm name '{name}' (known: {})",
                        KeyKind::GENERATABLE.join(", ")
                    )))
                }
            },
        };
        Ok(kind)
    }

    /// The name users type for this kind of key.
    pub fn name(self) -> String {
        match self {
            KeyKind::MlDsa(l) => l.name().to_string(),
            KeyKind::SlhDsa(s) => s.name().to_string(),
            KeyKind::MlKem(l) => l.name().to_string(),
            KeyKind::Rsa(bits) => format!("rsa-{bits}"),
            KeyKind::Ec(c) => c.name().to_string(),
            KeyKind::Ed25519 => "ed25519".to_string(),
            KeyKind::X25519 => "x25519".to_string(),
        }
    }

    /// A human description, e.g. "ML-DSA-65 (FIPS 204)".
    pub fn description(self) -> String {
        match self {
            KeyKind::MlDsa(l) => format!("{} (FIPS 204)", l.name().to_ascii_uppercase()),
            KeyKind::SlhDsa(s) => format!("{} (FIPS 205)", slh_display(s)),
            KeyKind::MlKem(l) => format!("{} (FIPS 203)", l.name().to_ascii_uppercase()),
            KeyKind::Rsa(bits) => format!("RSA-{bits}"),
            KeyKind::Ec(EcCurve::P256) => "EC P-256".to_string(),
            KeyKind::Ec(EcCurve::P384) => "EC P-384".to_string(),
            KeyKind::Ec(EcCurve::P521) => "EC P-521".to_string(),
            KeyKind::Ed25519 => "Ed25519".to_string(),
            KeyKind::X25519 => "X25519".to_string(),
        }
    }

    /// Whether the algorithm resists a cryptographically relevant quantum computer.
    pub fn quantum_safe(self) -> bool {
        matches!(
            self,
            KeyKind::MlDsa(_) | KeyKind::SlhDsa(_) | KeyKind::MlKem(_)
        )
    }

    /// Whether keys of this kind can make signatures.
    pub fn can_sign(self) -> bool {
        !matches!(self, KeyKind::MlKem(_) | KeyKind::X25519)
    }

    /// Whether keys of this kind can receive encrypted messages (KEM, key transport or agreement).
    pub fn can_encrypt(self) -> bool {
        matches!(
            self,
            KeyKind::MlKem(_) | KeyKind::Rsa(_) | KeyKind::Ec(_) | KeyKind::X25519
        )
    }

    /// The signature algorithm pqsmime uses with this key by default (in CMS and X.509).
    pub fn default_signature_algorithm(self) -> Option<SignatureAlgorithm> {
        Some(match self {
            KeyKind::MlDsa(l) => SignatureAlgorithm::MlDsa(l),
            KeyKind::SlhDsa(s) => SignatureAlgorithm::SlhDsa(s),
            KeyKind::Rsa(bits) if bits >= 4096 => {
                SignatureAlgorithm::RsaPkcs1(DigestAlgorithm::Sha512)
            }
            KeyKind::Rsa(bits) if bits >= 3072 => {
                SignatureAlgorithm::RsaPkcs1(DigestAlgorithm::Sha384)
            }
            KeyKind::Rsa(_) => SignatureAlgorithm::RsaPkcs1(DigestAlgorithm::Sha256),
            KeyKind::Ec(c) => SignatureAlgorithm::Ecdsa(c.digest()),
            KeyKind::Ed25519 => SignatureAlgorithm::Ed25519,
            KeyKind::MlKem(_) | KeyKind::X25519 => return None,
        })
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description())
    }
}

fn slh_display(s: SlhDsaSet) -> String {
    // "slh-dsa-sha2-128s" -> "SLH-DSA-SHA2-128s"
    let name = s.name();
    let (head, tail) = name.split_at(name.len() - 1);
    format!("{}{}", head.to_ascii_uppercase(), tail)
}

/// Message digest algorithms (RFC 5754, RFC 8702, RFC 9688).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    Sha256,
    Sha384,
    Sha512,
    Sha3_256,
    Sha3_384,
    Sha3_512,
    /// SHAKE128 with 256-bit output (RFC 8702).
    Shake128,
    /// SHAKE256 with 512-bit output (RFC 8702).
    Shake256,
}

impl DigestAlgorithm {
    pub const ALL: [DigestAlgorithm; 8] = [
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512,
        DigestAlgorithm::Sha3_256,
        DigestAlgorithm::Sha3_384,
        DigestAlgorithm::Sha3_512,
        DigestAlgorithm::Shake128,
        DigestAlgorithm::Shake256,
    ];

    pub fn oid(self) -> ObjectIdentifier {
        match self {
            DigestAlgorithm::Sha256 => oid::SHA256,
            DigestAlgorithm::Sha384 => oid::SHA384,
            DigestAlgorithm::Sha512 => oid::SHA512,
            DigestAlgorithm::Sha3_256 => oid::SHA3_256,
            DigestAlgorithm::Sha3_384 => oid::SHA3_384,
            DigestAlgorithm::Sha3_512 => oid::SHA3_512,
            DigestAlgorithm::Shake128 => oid::SHAKE128,
            DigestAlgorithm::Shake256 => oid::SHAKE256,
        }
    }

    pub fn from_oid(oid: &ObjectIdentifier) -> Option<DigestAlgorithm> {
        DigestAlgorithm::ALL.into_iter().find(|d| d.oid() == *oid)
    }

    pub fn output_len(self) -> usize {
        match self {
            DigestAlgorithm::Sha256 | DigestAlgorithm::Sha3_256 | DigestAlgorithm::Shake128 => 32,
            DigestAlgorithm::Sha384 | DigestAlgorithm::Sha3_384 => 48,
            DigestAlgorithm::Sha512 | DigestAlgorithm::Sha3_512 | DigestAlgorithm::Shake256 => 64,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sha384 => "SHA-384",
            DigestAlgorithm::Sha512 => "SHA-512",
            DigestAlgorithm::Sha3_256 => "SHA3-256",
            DigestAlgorithm::Sha3_384 => "SHA3-384",
            DigestAlgorithm::Sha3_512 => "SHA3-512",
            DigestAlgorithm::Shake128 => "SHAKE128",
            DigestAlgorithm::Shake256 => "SHAKE256",
        }
    }

    /// The `micalg` token of RFC 8551 §3.5.3.2 (and RFC 5751's registry), where one exists.
    /// No token is registered for SHA-3 or SHAKE; `None` tells callers to prefer the opaque form.
    pub fn micalg(self) -> Option<&'static str> {
        match self {
            DigestAlgorithm::Sha256 => Some("sha-256"),
            DigestAlgorithm::Sha384 => Some("sha-384"),
            DigestAlgorithm::Sha512 => Some("sha-512"),
            _ => None,
        }
    }

    /// DER `AlgorithmIdentifier` with parameters absent, as RFC 5754/8702/9688 require senders to emit.
    pub fn algorithm_identifier(self) -> Vec<u8> {
        asn1::algorithm_identifier(&self.oid(), None)
    }

    /// Parses a digest `AlgorithmIdentifier`. Parameters must be absent, or NULL for SHA-2
    /// (RFC 5754 §2: receivers accept both).
    pub fn from_algorithm_identifier(der: &[u8]) -> Result<DigestAlgorithm> {
        let (oid, params) = asn1::parse_algorithm_identifier(der)?;
        let alg = DigestAlgorithm::from_oid(&oid).ok_or_else(|| {
            Error::UnsupportedAlgorithm(format!("digest algorithm {}", describe_oid(&oid)))
        })?;
        match params {
            None => Ok(alg),
            Some([0x05, 0x00])
                if matches!(
                    alg,
                    DigestAlgorithm::Sha256 | DigestAlgorithm::Sha384 | DigestAlgorithm::Sha512
                ) =>
            {
                Ok(alg)
            }
            Some(_) => Err(Error::Malformed(format!(
                "digest algorithm {} has parameters, which must be absent",
                alg.name()
            ))),
        }
    }
}

/// Signature algorithms as they appear in `signatureAlgorithm` fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// Pure ML-DSA, empty context (RFC 9881, RFC 9882).
    MlDsa(MlDsaLevel),
    /// Pure SLH-DSA, empty context (RFC 9909, RFC 9814).
    SlhDsa(SlhDsaSet),
    /// RSASSA-PKCS1-v1_5 with the given digest (RFC 8017).
    RsaPkcs1(DigestAlgorithm),
    /// RSASSA-PSS with the given digest, MGF1 with the same digest, salt = digest length (RFC 4055).
    RsaPss(DigestAlgorithm),
    /// ECDSA with the given digest (RFC 5758).
    Ecdsa(DigestAlgorithm),
    /// PureEdDSA with Ed25519 (RFC 8410, RFC 8419).
    Ed25519,
}

impl SignatureAlgorithm {
    /// Words for reports, e.g. "ML-DSA-65" or "ECDSA with SHA-256".
    pub fn name(self) -> String {
        match self {
            SignatureAlgorithm::MlDsa(l) => l.name().to_ascii_uppercase(),
            SignatureAlgorithm::SlhDsa(s) => slh_display(s),
            SignatureAlgorithm::RsaPkcs1(d) => format!("RSA PKCS#1 v1.5 with {}", d.name()),
            SignatureAlgorithm::RsaPss(d) => format!("RSA-PSS with {}", d.name()),
            SignatureAlgorithm::Ecdsa(d) => format!("ECDSA with {}", d.name()),
            SignatureAlgorithm::Ed25519 => "Ed25519".to_string(),
        }
    }

    pub fn quantum_safe(self) -> bool {
        matches!(
            self,
            SignatureAlgorithm::MlDsa(_) | SignatureAlgorithm::SlhDsa(_)
        )
    }

    /// Whether the algorithm signs the message itself rather than a digest of it
    /// (ML-DSA, SLH-DSA, Ed25519).
    pub fn is_pure(self) -> bool {
        matches!(
            self,
            SignatureAlgorithm::MlDsa(_)
                | SignatureAlgorithm::SlhDsa(_)
                | SignatureAlgorithm::Ed25519
        )
    }

    /// Whether a key of `kind` can make or check this signature.
    pub fn matches_key(self, kind: KeyKind) -> bool {
        match (self, kind) {
            (SignatureAlgorithm::MlDsa(a), KeyKind::MlDsa(b)) => a == b,
            (SignatureAlgorithm::SlhDsa(a), KeyKind::SlhDsa(b)) => a == b,
            (SignatureAlgorithm::RsaPkcs1(_) | SignatureAlgorithm::RsaPss(_), KeyKind::Rsa(_)) => {
                true
            }
            (SignatureAlgorithm::Ecdsa(_), KeyKind::Ec(_)) => true,
            (SignatureAlgorithm::Ed25519, KeyKind::Ed25519) => true,
            _ => false,
        }
    }

    /// The digest pqsmime uses for the CMS message-digest attribute with this algorithm.
    pub fn default_cms_digest(self) -> DigestAlgorithm {
        match self {
            SignatureAlgorithm::MlDsa(_) => DigestAlgorithm::Sha512, // RFC 9882 §3.3
            SignatureAlgorithm::SlhDsa(s) => s.cms_digest(),         // RFC 9814 §4
            SignatureAlgorithm::RsaPkcs1(d)
            | SignatureAlgorithm::RsaPss(d)
            | SignatureAlgorithm::Ecdsa(d) => d,
            SignatureAlgorithm::Ed25519 => DigestAlgorithm::Sha512, // RFC 8419 §3.1
        }
    }

    /// Whether `digest` is acceptable as the CMS digest for this signature algorithm.
    ///
    /// ML-DSA: the RFC 9882 §3.3 table (λ-bit collision strength, ≥ 2λ output).
    /// SLH-DSA: the RFC 9814 §4 mapping, which is exact.
    /// Classical hash-then-sign: any SHA-2/SHA-3 digest of at least 256 bits.
    pub fn accepts_cms_digest(self, digest: DigestAlgorithm) -> bool {
        use DigestAlgorithm::*;
        match self {
            SignatureAlgorithm::MlDsa(MlDsaLevel::L44) => true,
            SignatureAlgorithm::MlDsa(MlDsaLevel::L65) => {
                matches!(digest, Sha384 | Sha512 | Sha3_384 | Sha3_512 | Shake256)
            }
            SignatureAlgorithm::MlDsa(MlDsaLevel::L87) => {
                matches!(digest, Sha512 | Sha3_512 | Shake256)
            }
            SignatureAlgorithm::SlhDsa(s) => s.cms_digest() == digest,
            SignatureAlgorithm::Ed25519 => matches!(digest, Sha512 | Shake256),
            _ => !matches!(digest, Shake128 | Shake256),
        }
    }

    /// The exact DER `AlgorithmIdentifier` pqsmime emits.
    ///
    /// PQ algorithms, ECDSA and Ed25519: parameters absent. RSA PKCS#1 v1.5: NULL (RFC 8017
    /// A.2.4). RSA-PSS: explicit `RSASSA-PSS-params` (RFC 4055 §3.1).
    pub fn algorithm_identifier(self) -> Vec<u8> {
        match self {
            SignatureAlgorithm::MlDsa(l) => asn1::algorithm_identifier(&l.oid(), None),
            SignatureAlgorithm::SlhDsa(s) => asn1::algorithm_identifier(&s.oid(), None),
            SignatureAlgorithm::Ed25519 => asn1::algorithm_identifier(&oid::ED25519, None),
            SignatureAlgorithm::Ecdsa(d) => {
                let o = match d {
                    DigestAlgorithm::Sha384 => oid::ECDSA_WITH_SHA384,
                    DigestAlgorithm::Sha512 => oid::ECDSA_WITH_SHA512,
                    _ => oid::ECDSA_WITH_SHA256,
                };
                asn1::algorithm_identifier(&o, None)
            }
            SignatureAlgorithm::RsaPkcs1(d) => {
                let o = match d {
                    DigestAlgorithm::Sha384 => oid::SHA384_WITH_RSA,
                    DigestAlgorithm::Sha512 => oid::SHA512_WITH_RSA,
                    _ => oid::SHA256_WITH_RSA,
                };
                asn1::algorithm_identifier(&o, Some(&[0x05, 0x00]))
            }
            SignatureAlgorithm::RsaPss(d) => {
                asn1::algorithm_identifier(&oid::RSASSA_PSS, Some(&pss_params(d)))
            }
        }
    }

    /// Parses a `signatureAlgorithm` field.
    ///
    /// `cms_digest` is the SignerInfo digestAlgorithm, needed only for the CMS habit of writing
    /// plain `rsaEncryption` as the signature algorithm (RFC 5754 §3.2 allows it; OpenSSL does it).
    /// HashML-DSA, SHA-1 and MD5 based algorithms are refused with a clear reason.
    pub fn from_algorithm_identifier(
        der: &[u8],
        cms_digest: Option<DigestAlgorithm>,
    ) -> Result<SignatureAlgorithm> {
        let (o, params) = asn1::parse_algorithm_identifier(der)?;
        let null_or_absent = matches!(params, None | Some([0x05, 0x00]));
        let absent = params.is_none();
        let pq = [
            (oid::ML_DSA_44, SignatureAlgorithm::MlDsa(MlDsaLevel::L44)),
            (oid::ML_DSA_65, SignatureAlgorithm::MlDsa(MlDsaLevel::L65)),
            (oid::ML_DSA_87, SignatureAlgorithm::MlDsa(MlDsaLevel::L87)),
        ];
        for (candidate, alg) in pq {
            if o == candidate {
                return require_absent(alg, absent);
            }
        }
        if let Some(set) = SlhDsaSet::ALL.iter().find(|s| s.oid() == o) {
            return require_absent(SignatureAlgorithm::SlhDsa(*set), absent);
        }
        let alg = if o == oid::ED25519 {
            return require_absent(SignatureAlgorithm::Ed25519, absent);
        } else if o == oid::ECDSA_WITH_SHA256 {
            SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256)
        } else if o == oid::ECDSA_WITH_SHA384 {
            SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha384)
        } else if o == oid::ECDSA_WITH_SHA512 {
            SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha512)
        } else if o == oid::SHA256_WITH_RSA {
            SignatureAlgorithm::RsaPkcs1(DigestAlgorithm::Sha256)
        } else if o == oid::SHA384_WITH_RSA {
            SignatureAlgorithm::RsaPkcs1(DigestAlgorithm::Sha384)
        } else if o == oid::SHA512_WITH_RSA {
            SignatureAlgorithm::RsaPkcs1(DigestAlgorithm::Sha512)
        } else if o == oid::RSA_ENCRYPTION {
            let d = cms_digest.ok_or_else(|| {
                Error::UnsupportedAlgorithm(
                    "rsaEncryption as a signature algorithm outside CMS".to_string(),
                )
            })?;
            SignatureAlgorithm::RsaPkcs1(d)
        } else if o == oid::RSASSA_PSS {
            let p = params
                .ok_or_else(|| Error::Malformed("RSASSA-PSS without parameters".to_string()))?;
            return parse_pss_params(p).map(SignatureAlgorithm::RsaPss);
        } else if [
            oid::HASH_ML_DSA_44_SHA512,
            oid::HASH_ML_DSA_65_SHA512,
            oid::HASH_ML_DSA_87_SHA512,
        ]
        .contains(&o)
        {
            return Err(Error::UnsupportedAlgorithm(
                "HashML-DSA, which RFC 9881 and RFC 9882 do not allow in certificates or CMS"
                    .to_string(),
            ));
        } else if o == oid::SHA1_WITH_RSA {
            return Err(Error::UnsupportedAlgorithm(
                "SHA-1 with RSA (SHA-1 is not collision resistant)".to_string(),
            ));
        } else {
            return Err(Error::UnsupportedAlgorithm(format!(
                "signature algorithm {}",
                describe_oid(&o)
            )));
        };
        if let SignatureAlgorithm::Ecdsa(_) = alg {
            // RFC 5758 §3.2: parameters absent.
            return require_absent(alg, absent);
        }
        if !null_or_absent {
            return Err(Error::Malformed(format!(
                "{} has unexpected parameters",
                alg.name()
            )));
        }
        Ok(alg)
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

fn require_absent(alg: SignatureAlgorithm, absent: bool) -> Result<SignatureAlgorithm> {
    if absent {
        Ok(alg)
    } else {
        Err(Error::Malformed(format!(
            "{} algorithm identifier has parameters, which must be absent",
            alg.name()
        )))
    }
}

/// DER `RSASSA-PSS-params` for digest `d`: hash d, MGF1 with d, salt length = digest length,
/// trailer field default (RFC 4055 §3.1).
fn pss_params(d: DigestAlgorithm) -> Vec<u8> {
    let hash = asn1::algorithm_identifier(&d.oid(), None);
    let mgf = asn1::algorithm_identifier(&oid::MGF1, Some(&hash));
    let mut body = Vec::new();
    body.extend(asn1::tlv(0xA0, &hash));
    body.extend(asn1::tlv(0xA1, &mgf));
    body.extend(asn1::tlv(0xA2, &asn1::integer_u64(d.output_len() as u64)));
    asn1::tlv(0x30, &body)
}

fn parse_pss_params(params: &[u8]) -> Result<DigestAlgorithm> {
    let mut outer = asn1::Reader::new(params);
    let seq = outer.read_expected(0x30, "RSASSA-PSS-params")?;
    outer.finish("RSASSA-PSS-params")?;
    let mut r = asn1::Reader::new(seq.value);
    // hashAlgorithm [0] default SHA-1: we require it explicit and SHA-2.
    let hash = match r.read_optional(0xA0)? {
        Some(t) => DigestAlgorithm::from_algorithm_identifier(t.value)?,
        None => {
            return Err(Error::UnsupportedAlgorithm(
                "RSA-PSS with SHA-1 (the default hash)".to_string(),
            ))
        }
    };
    if let Some(m) = r.read_optional(0xA1)? {
        let (mo, mp) = asn1::parse_algorithm_identifier(m.value)?;
        if mo != oid::MGF1 {
            return Err(Error::UnsupportedAlgorithm(format!(
                "RSA-PSS mask generation {}",
                describe_oid(&mo)
            )));
        }
        let mgf_hash = DigestAlgorithm::from_algorithm_identifier(mp.unwrap_or(&[]))?;
        if mgf_hash != hash {
            return Err(Error::UnsupportedAlgorithm(
                "RSA-PSS with an MGF1 digest different from the message digest".to_string(),
            ));
        }
    } else {
        return Err(Error::UnsupportedAlgorithm(
            "RSA-PSS with MGF1-SHA-1 (the default)".to_string(),
        ));
    }
    let salt = match r.read_optional(0xA2)? {
        Some(t) => {
            let mut ir = asn1::Reader::new(t.value);
            let v = ir.read_expected(0x02, "PSS saltLength")?;
            asn1::parse_small_uint(v.value)?
        }
        None => 20,
    };
    if salt != hash.output_len() as u64 {
        return Err(Error::UnsupportedAlgorithm(format!(
            "RSA-PSS salt length {salt} (pqsmime supports salt length = digest length)"
        )));
    }
    if let Some(t) = r.read_optional(0xA3)? {
        let mut ir = asn1::Reader::new(t.value);
        let v = ir.read_expected(0x02, "PSS trailerField")?;
        if asn1::parse_small_uint(v.value)? != 1 {
            return Err(Error::Malformed(
                "RSA-PSS trailer field is not 1".to_string(),
            ));
        }
    }
    r.finish("RSASSA-PSS-params")?;
    Ok(hash)
}

/// Words for an OID: a name where we know one, the dotted form always.
pub fn describe_oid(o: &ObjectIdentifier) -> String {
    match oid_name(o) {
        Some(name) => format!("{name} ({o})"),
        None => o.to_string(),
    }
}

/// A short name for OIDs pqsmime knows (algorithms, CMS content types, attributes, extensions).
pub fn oid_name(o: &ObjectIdentifier) -> Option<&'static str> {
    let table: &[(ObjectIdentifier, &str)] = &[
        (oid::ML_DSA_44, "ML-DSA-44"),
        (oid::ML_DSA_65, "ML-DSA-65"),
        (oid::ML_DSA_87, "ML-DSA-87"),
        (oid::HASH_ML_DSA_44_SHA512, "HashML-DSA-44 with SHA-512"),
        (oid::HASH_ML_DSA_65_SHA512, "HashML-DSA-65 with SHA-512"),
        (oid::HASH_ML_DSA_87_SHA512, "HashML-DSA-87 with SHA-512"),
        (oid::SLH_DSA_SHA2_128S, "SLH-DSA-SHA2-128s"),
        (oid::SLH_DSA_SHA2_128F, "SLH-DSA-SHA2-128f"),
        (oid::SLH_DSA_SHA2_192S, "SLH-DSA-SHA2-192s"),
        (oid::SLH_DSA_SHA2_192F, "SLH-DSA-SHA2-192f"),
        (oid::SLH_DSA_SHA2_256S, "SLH-DSA-SHA2-256s"),
        (oid::SLH_DSA_SHA2_256F, "SLH-DSA-SHA2-256f"),
        (oid::SLH_DSA_SHAKE_128S, "SLH-DSA-SHAKE-128s"),
        (oid::SLH_DSA_SHAKE_128F, "SLH-DSA-SHAKE-128f"),
        (oid::SLH_DSA_SHAKE_192S, "SLH-DSA-SHAKE-192s"),
        (oid::SLH_DSA_SHAKE_192F, "SLH-DSA-SHAKE-192f"),
        (oid::SLH_DSA_SHAKE_256S, "SLH-DSA-SHAKE-256s"),
        (oid::SLH_DSA_SHAKE_256F, "SLH-DSA-SHAKE-256f"),
        (oid::ML_KEM_512, "ML-KEM-512"),
        (oid::ML_KEM_768, "ML-KEM-768"),
        (oid::ML_KEM_1024, "ML-KEM-1024"),
        (oid::RSA_ENCRYPTION, "rsaEncryption"),
        (oid::RSAES_OAEP, "RSAES-OAEP"),
        (oid::RSASSA_PSS, "RSASSA-PSS"),
        (oid::SHA256_WITH_RSA, "sha256WithRSAEncryption"),
        (oid::SHA384_WITH_RSA, "sha384WithRSAEncryption"),
        (oid::SHA512_WITH_RSA, "sha512WithRSAEncryption"),
        (oid::SHA1_WITH_RSA, "sha1WithRSAEncryption"),
        (oid::EC_PUBLIC_KEY, "id-ecPublicKey"),
        (oid::SECP256R1, "P-256"),
        (oid::SECP384R1, "P-384"),
        (oid::SECP521R1, "P-521"),
        (oid::ECDSA_WITH_SHA256, "ecdsa-with-SHA256"),
        (oid::ECDSA_WITH_SHA384, "ecdsa-with-SHA384"),
        (oid::ECDSA_WITH_SHA512, "ecdsa-with-SHA512"),
        (oid::ED25519, "Ed25519"),
        (oid::X25519, "X25519"),
        (oid::SHA1, "SHA-1"),
        (oid::SHA256, "SHA-256"),
        (oid::SHA384, "SHA-384"),
        (oid::SHA512, "SHA-512"),
        (oid::SHA3_256, "SHA3-256"),
        (oid::SHA3_384, "SHA3-384"),
        (oid::SHA3_512, "SHA3-512"),
        (oid::SHAKE128, "SHAKE128"),
        (oid::SHAKE256, "SHAKE256"),
        (oid::MD5, "MD5"),
    ];
    table
        .iter()
        .find(|(k, _)| k == o)
        .map(|(_, v)| *v)
        .or_else(|| crate::oids::name(o))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generatable_name_round_trips() {
        for name in KeyKind::GENERATABLE {
            let kind = KeyKind::from_name(name).unwrap();
            assert_eq!(kind.name(), *name);
        }
        assert!(KeyKind::from_name("ml-dsa-66").is_err());
    }

    #[test]
    fn ml_dsa_identifier_has_no_parameters() {
        // RFC 9881 §2: 30 0B 06 09 60 86 48 01 65 03 04 03 12
        assert_eq!(
            SignatureAlgorithm::MlDsa(MlDsaLevel::L65).algorithm_identifier(),
            [0x30, 0x0B, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x12]
        );
    }

    #[test]
    fn signature_identifiers_round_trip() {
        let mut algs = vec![
            SignatureAlgorithm::MlDsa(MlDsaLevel::L44),
            SignatureAlgorithm::MlDsa(MlDsaLevel::L65),
            SignatureAlgorithm::MlDsa(MlDsaLevel::L87),
            SignatureAlgorithm::Ed25519,
        ];
        algs.extend(SlhDsaSet::ALL.map(SignatureAlgorithm::SlhDsa));
        for d in [
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ] {
            algs.push(SignatureAlgorithm::RsaPkcs1(d));
            algs.push(SignatureAlgorithm::RsaPss(d));
            algs.push(SignatureAlgorithm::Ecdsa(d));
        }
        for alg in algs {
            let der = alg.algorithm_identifier();
            assert_eq!(
                SignatureAlgorithm::from_algorithm_identifier(&der, None).unwrap(),
                alg
            );
        }
    }

    #[test]
    fn pq_identifier_with_null_parameters_is_refused() {
        let der = asn1::algorithm_identifier(&oid::ML_DSA_44, Some(&[0x05, 0x00]));
        assert!(SignatureAlgorithm::from_algorithm_identifier(&der, None).is_err());
        let hash = asn1::algorithm_identifier(&oid::HASH_ML_DSA_44_SHA512, None);
        let err = SignatureAlgorithm::from_algorithm_identifier(&hash, None).unwrap_err();
        assert!(err.to_string().contains("HashML-DSA"));
    }

    #[test]
    fn slh_dsa_cms_digests_follow_rfc_9814() {
        assert_eq!(SlhDsaSet::Sha2_128f.cms_digest(), DigestAlgorithm::Sha256);
        assert_eq!(SlhDsaSet::Sha2_192s.cms_digest(), DigestAlgorithm::Sha512);
        assert_eq!(SlhDsaSet::Shake128s.cms_digest(), DigestAlgorithm::Shake128);
        assert_eq!(SlhDsaSet::Shake256f.cms_digest(), DigestAlgorithm::Shake256);
    }

    #[test]
    fn digest_parameters_null_only_for_sha2() {
        let null = asn1::algorithm_identifier(&oid::SHA512, Some(&[0x05, 0x00]));
        assert_eq!(
            DigestAlgorithm::from_algorithm_identifier(&null).unwrap(),
            DigestAlgorithm::Sha512
        );
        let shake_null = asn1::algorithm_identifier(&oid::SHAKE256, Some(&[0x05, 0x00]));
        assert!(DigestAlgorithm::from_algorithm_identifier(&shake_null).is_err());
    }
}
