//! ML-KEM (FIPS 203) key expansion and key checks.
//!
//! Decapsulation and encapsulation run on aws-lc-rs (`aws_lc_rs::kem`). aws-lc-rs has no
//! public API that derives a key pair from the 64-byte seed `d ‖ z` that RFC 9935 stores, so
//! the seed is expanded with RustCrypto `ml-kem` (`DecapsulationKey::from_seed`,
//! FIPS 203 Algorithm 16 ML-KEM.KeyGen_internal) and the resulting expanded key is handed to
//! aws-lc-rs. The two implementations agree byte for byte on the LAMPS and Wycheproof vectors
//! (see `tests/keys_vectors.rs`).

#![allow(deprecated)] // ml-kem marks the expanded encoding deprecated; FIPS 203 still defines it.

use aws_lc_rs::kem;
use ml_kem::{ExpandedKeyEncoding, KeyExport};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::alg::MlKemLevel;
use crate::error::{Error, Result};

/// The module rank k of a parameter set.
fn rank(level: MlKemLevel) -> usize {
    match level {
        MlKemLevel::L512 => 2,
        MlKemLevel::L768 => 3,
        MlKemLevel::L1024 => 4,
    }
}

pub(crate) fn algorithm(level: MlKemLevel) -> &'static kem::Algorithm<kem::AlgorithmId> {
    match level {
        MlKemLevel::L512 => &kem::ML_KEM_512,
        MlKemLevel::L768 => &kem::ML_KEM_768,
        MlKemLevel::L1024 => &kem::ML_KEM_1024,
    }
}

fn name(level: MlKemLevel) -> String {
    level.name().to_ascii_uppercase()
}

macro_rules! expand_with {
    ($dk:ty, $seed:expr) => {{
        let mut seed_arr = ml_kem::Seed::default();
        seed_arr.copy_from_slice($seed);
        let dk = <$dk>::from_seed(seed_arr.clone());
        seed_arr.zeroize();
        let mut expanded = dk.to_expanded_bytes();
        let dk_bytes = Zeroizing::new(expanded.to_vec());
        expanded.zeroize();
        let ek = dk.encapsulation_key().to_bytes().to_vec();
        (dk_bytes, ek)
    }};
}

/// ML-KEM.KeyGen_internal(d, z) from the 64-byte seed `d ‖ z`: returns the expanded
/// decapsulation key and the encapsulation key.
pub(crate) fn expand_seed(level: MlKemLevel, seed: &[u8]) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>)> {
    if seed.len() != 64 {
        return Err(Error::InvalidKey(format!(
            "{} seed is {} bytes, expected 64 (d ‖ z)",
            name(level),
            seed.len()
        )));
    }
    Ok(match level {
        MlKemLevel::L512 => expand_with!(ml_kem::DecapsulationKey512, seed),
        MlKemLevel::L768 => expand_with!(ml_kem::DecapsulationKey768, seed),
        MlKemLevel::L1024 => expand_with!(ml_kem::DecapsulationKey1024, seed),
    })
}

/// The FIPS 203 §7.2 modulus check: every 12-bit coefficient of the encoded t̂ is below q.
/// Also checks the length. Returns a clear error naming the first bad coefficient.
pub(crate) fn check_encapsulation_key(level: MlKemLevel, ek: &[u8]) -> Result<()> {
    if ek.len() != level.encapsulation_key_len() {
        return Err(Error::InvalidKey(format!(
            "{} public key is {} bytes, expected {}",
            name(level),
            ek.len(),
            level.encapsulation_key_len()
        )));
    }
    let t_hat = ek.get(..384 * rank(level)).unwrap_or_default();
    for (i, three) in t_hat.chunks_exact(3).enumerate() {
        let a = u16::from(three[0]) | (u16::from(three[1] & 0x0F) << 8);
        let b = u16::from(three[1] >> 4) | (u16::from(three[2]) << 4);
        for (j, c) in [a, b].into_iter().enumerate() {
            if c >= 3329 {
                return Err(Error::InvalidKey(format!(
                    "{} public key is invalid: coefficient {} is {c}, not below q = 3329 \
                     (FIPS 203 §7.2 modulus check)",
                    name(level),
                    2 * i + j
                )));
            }
        }
    }
    Ok(())
}

/// FIPS 203 §7.3 checks of an expanded decapsulation key `dk_PKE ‖ ek ‖ H(ek) ‖ z`: length,
/// hash check, and the §7.2 check on the embedded `ek`. Returns the embedded `ek`.
pub(crate) fn check_expanded_key(level: MlKemLevel, dk: &[u8]) -> Result<Vec<u8>> {
    if dk.len() != level.decapsulation_key_len() {
        return Err(Error::InvalidKey(format!(
            "{} expandedKey is {} bytes, expected {}",
            name(level),
            dk.len(),
            level.decapsulation_key_len()
        )));
    }
    let k = rank(level);
    let ek_start = 384 * k;
    let ek_end = ek_start + level.encapsulation_key_len();
    let ek = dk.get(ek_start..ek_end).unwrap_or_default();
    let h = dk.get(ek_end..ek_end + 32).unwrap_or_default();
    let computed = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA3_256, ek);
    if !bool::from(computed.as_ref().ct_eq(h)) {
        return Err(Error::InvalidKey(format!(
            "{} expandedKey is invalid: the stored H(ek) is not SHA3-256 of the embedded \
             encapsulation key (FIPS 203 §7.3 hash check)",
            name(level)
        )));
    }
    check_encapsulation_key(level, ek).map_err(|e| match e {
        Error::InvalidKey(m) => Error::InvalidKey(format!("embedded in the expandedKey: {m}")),
        other => other,
    })?;
    Ok(ek.to_vec())
}

/// Pairwise consistency test (FIPS 203 §7.1 / SP 800-56C style): encapsulate to `ek`,
/// decapsulate with `dk`, and require the same shared secret.
pub(crate) fn pairwise_test(
    level: MlKemLevel,
    dk: &kem::DecapsulationKey<kem::AlgorithmId>,
    ek: &[u8],
) -> Result<()> {
    let alg = algorithm(level);
    let ek = kem::EncapsulationKey::new(alg, ek)
        .map_err(|_| Error::InvalidKey(format!("{} public key is rejected", name(level))))?;
    let (ct, ss1) = ek
        .encapsulate()
        .map_err(|_| Error::Crypto(format!("{} encapsulation failed", name(level))))?;
    let ss2 = dk.decapsulate(ct.as_ref().into()).map_err(|_| {
        Error::InvalidKey(format!(
            "{} private key is inconsistent: decapsulation failed in the pairwise test",
            name(level)
        ))
    })?;
    if !bool::from(ss1.as_ref().ct_eq(ss2.as_ref())) {
        return Err(Error::InvalidKey(format!(
            "{} private key is inconsistent: the pairwise encapsulation/decapsulation test gives \
             different shared secrets",
            name(level)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modulus_check_catches_overflow() {
        let mut ek = vec![0u8; 1184];
        assert!(check_encapsulation_key(MlKemLevel::L768, &ek).is_ok());
        // Coefficient 1 = 0xD01 = 3329 = q.
        ek[1] = 0x10;
        ek[2] = 0xD0;
        let err = check_encapsulation_key(MlKemLevel::L768, &ek).unwrap_err();
        assert!(err.to_string().contains("coefficient 1 is 3329"), "{err}");
        assert!(check_encapsulation_key(MlKemLevel::L768, &ek[..1183]).is_err());
    }

    #[test]
    fn expanded_key_from_seed_passes_checks() {
        let seed: Vec<u8> = (0u8..64).collect();
        let (dk, ek) = expand_seed(MlKemLevel::L512, &seed).unwrap();
        assert_eq!(dk.len(), 1632);
        assert_eq!(check_expanded_key(MlKemLevel::L512, &dk).unwrap(), ek);
        let mut bad = dk.to_vec();
        bad[800 + 768 + 5] ^= 1; // inside H(ek)
        assert!(check_expanded_key(MlKemLevel::L512, &bad).is_err());
        assert!(expand_seed(MlKemLevel::L512, &seed[..63]).is_err());
    }
}
