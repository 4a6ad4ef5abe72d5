//! SLH-DSA (FIPS 205) on RustCrypto `slh-dsa`: one generic implementation per operation and
//! a dispatch over the twelve parameter sets.
//!
//! Only pure SLH-DSA with the empty context string is used (RFC 9909 §2, RFC 9814 §2).
//! Signing is hedged: `opt_rand` is fresh randomness (FIPS 205 §9.2).

use slh_dsa::{ParameterSet, Signature, SigningKey, VerifyingKey};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::alg::SlhDsaSet;
use crate::error::{Error, Result};

/// Runs `$body` with `$p` bound to the `slh_dsa` parameter-set type of `$set`.
macro_rules! with_set {
    ($set:expr, $p:ident => $body:expr) => {
        match $set {
            SlhDsaSet::Sha2_128s => {
                type $p = slh_dsa::Sha2_128s;
                $body
            }
            SlhDsaSet::Sha2_128f => {
                type $p = slh_dsa::Sha2_128f;
                $body
            }
            SlhDsaSet::Sha2_192s => {
                type $p = slh_dsa::Sha2_192s;
                $body
            }
            SlhDsaSet::Sha2_192f => {
                type $p = slh_dsa::Sha2_192f;
                $body
            }
            SlhDsaSet::Sha2_256s => {
                type $p = slh_dsa::Sha2_256s;
                $body
            }
            SlhDsaSet::Sha2_256f => {
                type $p = slh_dsa::Sha2_256f;
                $body
            }
            SlhDsaSet::Shake128s => {
                type $p = slh_dsa::Shake128s;
                $body
            }
            SlhDsaSet::Shake128f => {
                type $p = slh_dsa::Shake128f;
                $body
            }
            SlhDsaSet::Shake192s => {
                type $p = slh_dsa::Shake192s;
                $body
            }
            SlhDsaSet::Shake192f => {
                type $p = slh_dsa::Shake192f;
                $body
            }
            SlhDsaSet::Shake256s => {
                type $p = slh_dsa::Shake256s;
                $body
            }
            SlhDsaSet::Shake256f => {
                type $p = slh_dsa::Shake256f;
                $body
            }
        }
    };
}

fn keygen_generic<P: ParameterSet>(seeds: &[u8], n: usize) -> Zeroizing<Vec<u8>> {
    let (sk_seed, rest) = seeds.split_at(n);
    let (sk_prf, pk_seed) = rest.split_at(n);
    let sk = SigningKey::<P>::slh_keygen_internal(sk_seed, sk_prf, pk_seed);
    let mut bytes = sk.to_bytes();
    let out = Zeroizing::new(bytes.to_vec());
    bytes.zeroize();
    out
}

/// FIPS 205 Algorithm 18 (slh_keygen_internal) from `SK.seed ‖ SK.prf ‖ PK.seed` (3n bytes).
/// Returns the 4n-byte private key `SK.seed ‖ SK.prf ‖ PK.seed ‖ PK.root`.
pub(crate) fn keygen(set: SlhDsaSet, seeds: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let n = set.n();
    if seeds.len() != 3 * n {
        return Err(Error::InvalidKey(format!(
            "{} seed material is {} bytes, expected {} (SK.seed ‖ SK.prf ‖ PK.seed)",
            set.name(),
            seeds.len(),
            3 * n
        )));
    }
    Ok(with_set!(set, P => keygen_generic::<P>(seeds, n)))
}

/// Checks that a 4n-byte private key is consistent (PK.root is the root of the hypertree
/// built from SK.seed and PK.seed) and returns its public key `PK.seed ‖ PK.root`.
pub(crate) fn check_private_key(set: SlhDsaSet, sk: &[u8]) -> Result<Vec<u8>> {
    let n = set.n();
    let name = set.name().to_ascii_uppercase();
    if sk.len() != 4 * n {
        return Err(Error::InvalidKey(format!(
            "{name} private key is {} bytes, expected {}",
            sk.len(),
            4 * n
        )));
    }
    let (seeds, given_root) = sk.split_at(3 * n);
    let recomputed = keygen(set, seeds)?;
    let root = recomputed.get(3 * n..).unwrap_or_default();
    if !bool::from(root.ct_eq(given_root)) {
        return Err(Error::InvalidKey(format!(
            "{name} private key is inconsistent: PK.root is not the root recomputed from SK.seed \
             and PK.seed"
        )));
    }
    Ok(sk.get(2 * n..).unwrap_or_default().to_vec())
}

fn sign_generic<P: ParameterSet>(sk: &[u8], msg: &[u8], rand: &[u8]) -> Result<Vec<u8>> {
    let key = SigningKey::<P>::try_from(sk)
        .map_err(|_| Error::InvalidKey("SLH-DSA private key does not decode".to_string()))?;
    let sig = key
        .try_sign_with_context(msg, &[], Some(rand))
        .map_err(|_| Error::Crypto("SLH-DSA signing failed".to_string()))?;
    Ok(sig.to_vec())
}

/// Pure SLH-DSA signature with empty context; `rand` is n fresh random bytes.
pub(crate) fn sign(set: SlhDsaSet, sk: &[u8], msg: &[u8], rand: &[u8]) -> Result<Vec<u8>> {
    if sk.len() != 4 * set.n() || rand.len() != set.n() {
        return Err(Error::InvalidKey(format!(
            "{} private key or randomizer has the wrong length",
            set.name()
        )));
    }
    with_set!(set, P => sign_generic::<P>(sk, msg, rand))
}

fn verify_generic<P: ParameterSet>(pk: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    let Ok(vk) = VerifyingKey::<P>::try_from(pk) else {
        return false;
    };
    let Ok(sig) = Signature::<P>::try_from(sig) else {
        return false;
    };
    vk.try_verify_with_context(msg, &[], &sig).is_ok()
}

/// Verifies a pure SLH-DSA signature with empty context. Lengths must be checked by the caller.
pub(crate) fn verify(set: SlhDsaSet, pk: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    with_set!(set, P => verify_generic::<P>(pk, msg, sig))
}
