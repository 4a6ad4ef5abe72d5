//! The FIPS 204 arithmetic needed to check an ML-DSA `expandedKey` before it is used.
//!
//! An expanded private key `sk = ρ ‖ K ‖ tr ‖ s1 ‖ s2 ‖ t0` (FIPS 204 Algorithm 24, skEncode)
//! carries redundant parts: `t0` and `tr` are both functions of `ρ`, `s1` and `s2`. A key whose
//! parts disagree (RFC 9881 examples `bad-ML-DSA-44-2` and `bad-ML-DSA-44-3`) must be refused.
//! A sign-then-verify test does not notice a wrong `t0` (signing never reads it in a way that
//! verification can detect), so this module recomputes
//!
//! ```text
//! Â  = ExpandA(ρ)                                  (Algorithm 32, RejNTTPoly = Algorithm 30)
//! t  = NTT⁻¹(Â ∘ NTT(s1)) + s2                     (Algorithms 41 and 42)
//! (t1, t0') = Power2Round(t)                       (Algorithm 35)
//! pk = ρ ‖ SimpleBitPack(t1, 10)                   (Algorithm 22, pkEncode)
//! ```
//!
//! and requires `t0' = t0` and `SHAKE256(pk, 64) = tr`, both compared in constant time.
//!
//! The arithmetic on secret values (`s1`, `s2`, `t`) avoids data-dependent branches and
//! divisions: reductions use a Barrett multiplication and masked conditional subtraction.
//! Intermediate secret polynomials are zeroized when dropped.

use sha3::digest::{ExtendableOutput, Update, XofReader};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::alg::MlDsaLevel;
use crate::error::{Error, Result};

/// The ML-DSA modulus q = 2²³ − 2¹³ + 1.
const Q: u32 = 8_380_417;
/// Coefficients per polynomial.
const N: usize = 256;
/// Dropped bits of t (FIPS 204 Table 1).
const D: u32 = 13;
/// ⌊2⁶⁴ / q⌋ for Barrett reduction.
const BARRETT: u128 = (1u128 << 64) / Q as u128;
/// 256⁻¹ mod q (FIPS 204 Algorithm 42, line 21).
const N_INV: u64 = 8_347_681;
/// ζ = 1753, a 512th root of unity mod q.
const ZETA: u64 = 1753;

type Poly = [u32; N];

/// (k, ℓ, η) per FIPS 204 Table 1.
fn dims(level: MlDsaLevel) -> (usize, usize, u32) {
    match level {
        MlDsaLevel::L44 => (4, 4, 2),
        MlDsaLevel::L65 => (6, 5, 4),
        MlDsaLevel::L87 => (8, 7, 2),
    }
}

/// Reduces `x < 2⁶⁴` modulo q without a division.
fn reduce(x: u64) -> u32 {
    let quot = ((x as u128 * BARRETT) >> 64) as u64;
    // quot is ⌊x/q⌋ or one less, so the remainder is below 2q.
    csub((x - quot * Q as u64) as u32)
}

/// `a − q` if `a ≥ q`, else `a`; for `a < 2q`, without a branch.
fn csub(a: u32) -> u32 {
    let t = a.wrapping_sub(Q);
    let keep_a = 0u32.wrapping_sub(t >> 31); // all ones when a < q
    (a & keep_a) | (t & !keep_a)
}

fn add(a: u32, b: u32) -> u32 {
    csub(a + b)
}

fn sub(a: u32, b: u32) -> u32 {
    csub(a + Q - b)
}

/// ζ^brv₈(k) mod q for k = 0..256 (FIPS 204 Appendix B).
fn zetas() -> [u32; N] {
    let mut powers = [0u32; N];
    let mut acc: u32 = 1;
    for p in powers.iter_mut() {
        *p = acc;
        acc = reduce(acc as u64 * ZETA);
    }
    let mut out = [0u32; N];
    for (k, z) in out.iter_mut().enumerate() {
        *z = powers[(k as u8).reverse_bits() as usize];
    }
    out
}

/// FIPS 204 Algorithm 41.
fn ntt(w: &mut Poly, zetas: &[u32; N]) {
    let mut m = 0;
    let mut len = 128;
    while len >= 1 {
        let mut start = 0;
        while start < N {
            m += 1;
            let z = zetas[m] as u64;
            for j in start..start + len {
                let t = reduce(z * w[j + len] as u64);
                w[j + len] = sub(w[j], t);
                w[j] = add(w[j], t);
            }
            start += 2 * len;
        }
        len /= 2;
    }
}

/// FIPS 204 Algorithm 42.
fn ntt_inverse(w: &mut Poly, zetas: &[u32; N]) {
    let mut m = N;
    let mut len = 1;
    while len < N {
        let mut start = 0;
        while start < N {
            m -= 1;
            let z = (Q - zetas[m]) as u64; // −ζ^brv(m) mod q
            for j in start..start + len {
                let t = w[j];
                w[j] = add(t, w[j + len]);
                w[j + len] = reduce(z * sub(t, w[j + len]) as u64);
            }
            start += 2 * len;
        }
        len *= 2;
    }
    for c in w.iter_mut() {
        *c = reduce(N_INV * *c as u64);
    }
}

/// FIPS 204 Algorithm 30 (RejNTTPoly) on ρ' = ρ ‖ s ‖ r (Algorithm 32, ExpandA).
fn rej_ntt_poly(rho: &[u8], s: u8, r: u8) -> Poly {
    let mut xof = sha3::Shake128::default();
    xof.update(rho);
    xof.update(&[s, r]);
    let mut reader = xof.finalize_xof();
    let mut out = [0u32; N];
    let mut j = 0;
    let mut block = [0u8; 168];
    while j < N {
        reader.read(&mut block);
        for three in block.chunks_exact(3) {
            if j == N {
                break;
            }
            // CoeffFromThreeBytes (Algorithm 14): the top bit of the third byte is dropped.
            let z = u32::from(three[0])
                | (u32::from(three[1]) << 8)
                | (u32::from(three[2] & 0x7F) << 16);
            if z < Q {
                out[j] = z;
                j += 1;
            }
        }
    }
    out
}

/// Unpacks 256 little-endian `bits`-bit fields (FIPS 204 Algorithms 18/19 without the
/// offset). `bytes` must be exactly 32·bits long.
fn unpack(bytes: &[u8], bits: u32) -> Poly {
    let mut out = [0u32; N];
    let mask = (1u64 << bits) - 1;
    let mut acc: u64 = 0;
    let mut have = 0u32;
    let mut idx = 0;
    for b in bytes {
        acc |= u64::from(*b) << have;
        have += 8;
        while have >= bits && idx < N {
            out[idx] = (acc & mask) as u32;
            acc >>= bits;
            have -= bits;
            idx += 1;
        }
    }
    out
}

/// Packs 256 `bits`-bit fields little-endian (FIPS 204 Algorithms 16/17 without the offset).
fn pack(coeffs: &Poly, bits: u32, out: &mut Vec<u8>) {
    let mut acc: u64 = 0;
    let mut have = 0u32;
    for c in coeffs {
        acc |= u64::from(*c) << have;
        have += bits;
        while have >= 8 {
            out.push(acc as u8);
            acc >>= 8;
            have -= 8;
        }
    }
}

/// Checks an expanded ML-DSA private key and returns the public key it belongs to.
///
/// `sk` must already have the length FIPS 204 gives for `level`.
pub(crate) fn check_expanded_key(level: MlDsaLevel, sk: &[u8]) -> Result<Vec<u8>> {
    let name = level.name().to_ascii_uppercase();
    if sk.len() != level.expanded_private_key_len() {
        return Err(Error::InvalidKey(format!(
            "{name} expandedKey is {} bytes, expected {}",
            sk.len(),
            level.expanded_private_key_len()
        )));
    }
    let (k, l, eta) = dims(level);
    let eta_bits: u32 = if eta == 2 { 3 } else { 4 };
    let s_len = 32 * eta_bits as usize;
    let t0_len = 32 * D as usize;

    let (rho, rest) = sk.split_at(32);
    let (_k_seed, rest) = rest.split_at(32);
    let (tr, rest) = rest.split_at(64);
    let (s1_bytes, rest) = rest.split_at(l * s_len);
    let (s2_bytes, t0_bytes) = rest.split_at(k * s_len);
    debug_assert_eq!(t0_bytes.len(), k * t0_len);

    // skDecode (Algorithm 25): s1, s2 coefficients are η − z with z ≤ 2η. A field above 2η
    // has no meaning; record it without branching on the secret and refuse at the end.
    let mut out_of_range = 0u32;
    let mut decode_s = |bytes: &[u8]| -> Zeroizing<Vec<Poly>> {
        let mut polys = Zeroizing::new(Vec::with_capacity(bytes.len() / s_len));
        for chunk in bytes.chunks_exact(s_len) {
            let mut p = unpack(chunk, eta_bits);
            for c in p.iter_mut() {
                // (2η − z) underflows (top bit set) exactly when z > 2η.
                out_of_range |= (2 * eta).wrapping_sub(*c) >> 31;
                // z ≤ 15, so Q + η − z stays in (0, 2q).
                *c = csub(Q + eta - *c);
            }
            polys.push(p);
            p.zeroize();
        }
        polys
    };
    let s1 = decode_s(s1_bytes);
    let s2 = decode_s(s2_bytes);
    if out_of_range != 0 {
        return Err(Error::InvalidKey(format!(
            "{name} expandedKey is invalid: a coefficient of s1 or s2 lies outside [−{eta}, {eta}]"
        )));
    }

    let zetas = zetas();
    let mut s1_hat = s1.clone();
    for p in s1_hat.iter_mut() {
        ntt(p, &zetas);
    }

    let mut t1_packed = Vec::with_capacity(32 + k * 320);
    t1_packed.extend_from_slice(rho);
    let mut t0_packed = Zeroizing::new(Vec::with_capacity(k * t0_len));
    for (r, s2_r) in s2.iter().enumerate() {
        let mut acc = Zeroizing::new([0u32; N]);
        for (s, s1_hat_s) in s1_hat.iter().enumerate() {
            let a_hat = rej_ntt_poly(rho, s as u8, r as u8);
            for ((a, b), c) in a_hat.iter().zip(s1_hat_s.iter()).zip(acc.iter_mut()) {
                *c = add(*c, reduce(*a as u64 * *b as u64));
            }
        }
        ntt_inverse(&mut acc, &zetas);
        let mut t1 = [0u32; N];
        let mut t0 = Zeroizing::new([0u32; N]);
        for i in 0..N {
            let t = add(acc[i], s2_r[i]);
            // Power2Round (Algorithm 35): t = t1·2^d + t0 with t0 ∈ (−2^(d−1), 2^(d−1)].
            let hi = (t + (1 << (D - 1)) - 1) >> D;
            t1[i] = hi;
            // t0 is stored as 2^(d−1) − t0 ∈ [0, 2^d − 1] (Algorithm 24, BitPack).
            let low = t as i64 - ((hi as i64) << D);
            t0[i] = ((1i64 << (D - 1)) - low) as u32;
        }
        pack(&t1, 10, &mut t1_packed);
        pack(&t0, D, &mut t0_packed);
    }

    let t0_ok = t0_packed.as_slice().ct_eq(t0_bytes);
    let mut tr_computed = Zeroizing::new([0u8; 64]);
    let mut xof = sha3::Shake256::default();
    xof.update(&t1_packed);
    xof.finalize_xof().read(tr_computed.as_mut_slice());
    let tr_ok = tr_computed.as_slice().ct_eq(tr);

    if !bool::from(t0_ok) {
        return Err(Error::InvalidKey(format!(
            "{name} expandedKey is inconsistent: t0 differs from the value recomputed from ρ, s1 \
             and s2"
        )));
    }
    if !bool::from(tr_ok) {
        return Err(Error::InvalidKey(format!(
            "{name} expandedKey is inconsistent: tr is not the hash of the public key recomputed \
             from ρ, s1 and s2"
        )));
    }
    Ok(t1_packed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn barrett_reduction_matches_remainder() {
        for x in [
            0u64,
            1,
            Q as u64 - 1,
            Q as u64,
            Q as u64 + 1,
            2 * Q as u64 - 1,
        ] {
            assert_eq!(reduce(x) as u64, x % Q as u64);
        }
        let big = (Q as u64 - 1) * (Q as u64 - 1);
        assert_eq!(reduce(big) as u64, big % Q as u64);
        let mut x = 0x0123_4567_89AB_CDEFu64;
        for _ in 0..1000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let v = x >> 1;
            assert_eq!(reduce(v) as u64, v % Q as u64);
        }
    }

    #[test]
    fn ntt_round_trips_and_multiplies() {
        let z = zetas();
        // ζ^brv(1) = ζ^128 and ζ^256 = −1.
        assert_eq!(z[0], 1);
        assert_eq!(reduce(z[1] as u64 * z[1] as u64), Q - 1);
        let mut a = [0u32; N];
        for (i, c) in a.iter_mut().enumerate() {
            *c = (i as u32 * 7919 + 13) % Q;
        }
        let mut b = a;
        ntt(&mut b, &z);
        ntt_inverse(&mut b, &z);
        assert_eq!(a, b);
        // x · x^255 = x^256 = −1 in Z_q[X]/(X^256 + 1).
        let mut x = [0u32; N];
        x[1] = 1;
        let mut y = [0u32; N];
        y[255] = 1;
        ntt(&mut x, &z);
        ntt(&mut y, &z);
        let mut prod = [0u32; N];
        for i in 0..N {
            prod[i] = reduce(x[i] as u64 * y[i] as u64);
        }
        ntt_inverse(&mut prod, &z);
        let mut expected = [0u32; N];
        expected[0] = Q - 1;
        assert_eq!(prod, expected);
    }

    #[test]
    fn pack_unpack_inverse() {
        let mut p = [0u32; N];
        for (i, c) in p.iter_mut().enumerate() {
            *c = (i as u32 * 37) & 0x1FFF;
        }
        let mut bytes = Vec::new();
        pack(&p, 13, &mut bytes);
        assert_eq!(bytes.len(), 416);
        assert_eq!(unpack(&bytes, 13), p);
    }
}
