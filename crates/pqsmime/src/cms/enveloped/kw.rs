//! AES Key Wrap (RFC 3394), backed by aws-lc-rs.
//!
//! aws-lc-rs wraps with AES-128 and AES-256 KEKs only; `id-aes192-wrap` (which OpenSSL picks
//! for a KEMRecipientInfo or ECDH recipient when the content cipher is AES-192) runs the
//! RFC 3394 §2.2 index-based algorithm here over aws-lc-rs AES-192 blocks, with a
//! constant-time integrity check. The tests cross-check it against the RFC 3394 vectors.
//!
//! Old mail with 3DES content carries its key under the RFC 3217 Triple-DES key wrap
//! (`id-alg-CMS3DESwrap`); pqsmime unwraps it (RustCrypto `des`) so such messages open, and
//! never wraps with it.
//!
//! CMS uses the unpadded form (`id-aes128-wrap`, `id-aes256-wrap`) to carry the content-encryption
//! key to KEMRecipientInfo and KeyAgreeRecipientInfo recipients. Every unwrap failure (wrong KEK,
//! corrupted ciphertext, bad length) is [`Error::Decrypt`]: the caller must not be able to tell
//! them apart.

use aws_lc_rs::cipher::{
    DecryptingKey, DecryptionContext, EncryptingKey, EncryptionContext, UnboundCipherKey, AES_192,
};
use aws_lc_rs::key_wrap::{AesKek, KeyWrap, AES_128, AES_256};
use const_oid::ObjectIdentifier;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::alg::describe_oid;
use crate::asn1;
use crate::cms::enveloped::content::des3_cbc_decrypt;
use crate::error::{Error, Result};
use crate::oids;

/// The key-wrap algorithms pqsmime writes and reads (RFC 3565 §2.3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyWrapAlgorithm {
    /// `id-aes128-wrap` (2.16.840.1.101.3.4.1.5), 16-byte KEK.
    Aes128,
    /// `id-aes192-wrap` (2.16.840.1.101.3.4.1.25), 24-byte KEK. Read for interoperability;
    /// pqsmime never picks it by default.
    Aes192,
    /// `id-aes256-wrap` (2.16.840.1.101.3.4.1.45), 32-byte KEK.
    Aes256,
    /// `id-alg-CMS3DESwrap` (1.2.840.113549.1.9.16.3.6, RFC 3217 / RFC 3370 §4.3.1), 24-byte
    /// KEK, parameters NULL. Unwrap only (legacy 3DES messages); [`KeyWrapAlgorithm::wrap`]
    /// refuses it.
    Des3,
}

impl KeyWrapAlgorithm {
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            KeyWrapAlgorithm::Aes128 => oids::AES128_WRAP,
            KeyWrapAlgorithm::Aes192 => oids::AES192_WRAP,
            KeyWrapAlgorithm::Aes256 => oids::AES256_WRAP,
            KeyWrapAlgorithm::Des3 => oids::ID_ALG_CMS3DES_WRAP,
        }
    }

    /// The KEK length in octets; KEMRecipientInfo.kekLength must equal it.
    pub fn kek_len(self) -> usize {
        match self {
            KeyWrapAlgorithm::Aes128 => 16,
            KeyWrapAlgorithm::Aes192 | KeyWrapAlgorithm::Des3 => 24,
            KeyWrapAlgorithm::Aes256 => 32,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            KeyWrapAlgorithm::Aes128 => "aes128-wrap",
            KeyWrapAlgorithm::Aes192 => "aes192-wrap",
            KeyWrapAlgorithm::Aes256 => "aes256-wrap",
            KeyWrapAlgorithm::Des3 => "3des-wrap",
        }
    }

    /// DER `AlgorithmIdentifier`: parameters absent for AES (RFC 3565 §2.3.2), NULL for the
    /// 3DES wrap (RFC 3370 §4.3.1).
    pub fn algorithm_identifier(self) -> Vec<u8> {
        match self {
            KeyWrapAlgorithm::Des3 => asn1::algorithm_identifier(&self.oid(), Some(&[0x05, 0x00])),
            _ => asn1::algorithm_identifier(&self.oid(), None),
        }
    }

    /// Parses a key-wrap `AlgorithmIdentifier` (DER). Parameters must be absent.
    pub fn from_algorithm_identifier(der: &[u8]) -> Result<KeyWrapAlgorithm> {
        let (oid, params) = asn1::parse_algorithm_identifier(der)?;
        let alg = if oid == oids::AES128_WRAP {
            KeyWrapAlgorithm::Aes128
        } else if oid == oids::AES192_WRAP {
            KeyWrapAlgorithm::Aes192
        } else if oid == oids::AES256_WRAP {
            KeyWrapAlgorithm::Aes256
        } else if oid == oids::ID_ALG_CMS3DES_WRAP {
            if params != Some(&[0x05, 0x00][..]) {
                return Err(Error::malformed(
                    "id-alg-CMS3DESwrap algorithm identifier: RFC 3370 §4.3.1 requires NULL parameters",
                ));
            }
            return Ok(KeyWrapAlgorithm::Des3);
        } else {
            return Err(Error::UnsupportedAlgorithm(format!(
                "key-wrap algorithm {} (pqsmime supports aes128-wrap, aes192-wrap and aes256-wrap, and reads id-alg-CMS3DESwrap)",
                describe_oid(&oid)
            )));
        };
        if params.is_some() {
            return Err(Error::Malformed(format!(
                "{} algorithm identifier has parameters, which RFC 3565 requires to be absent",
                alg.name()
            )));
        }
        Ok(alg)
    }

    fn kek(self, kek: &[u8]) -> Result<AesKek> {
        let cipher = match self {
            KeyWrapAlgorithm::Aes128 => &AES_128,
            KeyWrapAlgorithm::Aes192 | KeyWrapAlgorithm::Des3 => {
                return Err(Error::Crypto(format!(
                    "{} has no aws-lc-rs KEK",
                    self.name()
                )))
            }
            KeyWrapAlgorithm::Aes256 => &AES_256,
        };
        AesKek::new(cipher, kek).map_err(|_| {
            Error::Crypto(format!(
                "{} needs a {}-byte key-encryption key, got {} bytes",
                self.name(),
                self.kek_len(),
                kek.len()
            ))
        })
    }

    /// RFC 3394 wrap of `key` (a multiple of 8 bytes, at least 16) under `kek`.
    pub fn wrap(self, kek: &[u8], key: &[u8]) -> Result<Vec<u8>> {
        if self == KeyWrapAlgorithm::Des3 {
            return Err(Error::UnsupportedAlgorithm(
                "the Triple-DES key wrap: pqsmime unwraps it in old messages but never writes it"
                    .into(),
            ));
        }
        if key.len() < 16 || key.len() % 8 != 0 {
            return Err(Error::Crypto(format!(
                "AES key wrap needs a key of at least 16 bytes in 8-byte steps, got {} bytes",
                key.len()
            )));
        }
        if self == KeyWrapAlgorithm::Aes192 {
            return kw192_wrap(kek, key);
        }
        let mut out = vec![0u8; key.len() + 8];
        let len = self
            .kek(kek)?
            .wrap(key, &mut out)
            .map_err(|_| Error::Crypto("AES key wrap failed".into()))?
            .len();
        out.truncate(len);
        Ok(out)
    }

    /// RFC 3394 unwrap; any failure is [`Error::Decrypt`].
    pub fn unwrap(self, kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if wrapped.len() < 24 || wrapped.len() % 8 != 0 || kek.len() != self.kek_len() {
            return Err(Error::Decrypt);
        }
        if self == KeyWrapAlgorithm::Des3 {
            return des3_unwrap(kek, wrapped);
        }
        if self == KeyWrapAlgorithm::Aes192 {
            return kw192_unwrap(kek, wrapped);
        }
        let mut out = Zeroizing::new(vec![0u8; wrapped.len()]);
        let len = self
            .kek(kek)
            .map_err(|_| Error::Decrypt)?
            .unwrap(wrapped, &mut out)
            .map_err(|_| Error::Decrypt)?
            .len();
        out.truncate(len);
        Ok(out)
    }
}

/// The fixed IV of the RFC 3217 §3.1 outer encryption.
const DES3_WRAP_IV: [u8; 8] = [0x4a, 0xdd, 0xa2, 0x2c, 0x79, 0xe8, 0x21, 0x05];

/// RFC 3217 §3.2 Triple-DES key unwrap of a 24-byte 3DES content-encryption key: outer
/// 3DES-CBC decryption under the fixed IV, octet reversal, inner 3DES-CBC decryption under
/// the recovered IV, then the SHA-1 checksum (first 8 octets) compared in constant time.
/// Any failure is [`Error::Decrypt`].
fn des3_unwrap(kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    use des::cipher::KeyInit;
    if wrapped.len() != 40 {
        return Err(Error::Decrypt);
    }
    let key = des::TdesEde3::new_from_slice(kek).map_err(|_| Error::Decrypt)?;
    let mut temp = Zeroizing::new(wrapped.to_vec());
    let mut outer_chain = DES3_WRAP_IV;
    des3_cbc_decrypt(&key, &mut outer_chain, &mut temp);
    temp.reverse();
    let mut iv = [0u8; 8];
    iv.copy_from_slice(&temp[..8]);
    let mut cek_icv = Zeroizing::new(temp[8..].to_vec());
    des3_cbc_decrypt(&key, &mut iv, &mut cek_icv);
    let (cek, icv) = cek_icv.split_at(24);
    let sum = crate::digest::sha1(cek);
    if bool::from(sum[..8].ct_eq(icv)) {
        Ok(Zeroizing::new(cek.to_vec()))
    } else {
        Err(Error::Decrypt)
    }
}

/// The RFC 3394 default initial value.
const IV: [u8; 8] = [0xA6; 8];

/// RFC 3394 §2.2.1 (index-based form) with an AES-192 KEK.
fn kw192_wrap(kek: &[u8], key: &[u8]) -> Result<Vec<u8>> {
    let enc = EncryptingKey::ecb(
        UnboundCipherKey::new(&AES_192, kek)
            .map_err(|_| Error::Crypto("aes192-wrap needs a 24-byte KEK".into()))?,
    )
    .map_err(|_| Error::Crypto("AES-192 key setup failed".into()))?;
    let n = key.len() / 8;
    let mut a = IV;
    let mut r: Zeroizing<Vec<u8>> = Zeroizing::new(key.to_vec());
    let mut block = Zeroizing::new([0u8; 16]);
    for j in 0..6u64 {
        for i in 0..n {
            block[..8].copy_from_slice(&a);
            block[8..].copy_from_slice(&r[8 * i..8 * i + 8]);
            enc.less_safe_encrypt(&mut block[..], EncryptionContext::None)
                .map_err(|_| Error::Crypto("AES-192 failed".into()))?;
            let t = (n as u64) * j + i as u64 + 1;
            a.copy_from_slice(&block[..8]);
            for (x, y) in a.iter_mut().zip(t.to_be_bytes()) {
                *x ^= y;
            }
            r[8 * i..8 * i + 8].copy_from_slice(&block[8..]);
        }
    }
    let mut out = a.to_vec();
    out.extend_from_slice(&r);
    Ok(out)
}

/// RFC 3394 §2.2.2 with an AES-192 KEK; the IV check is constant time and any failure is
/// [`Error::Decrypt`].
fn kw192_unwrap(kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let dec = DecryptingKey::ecb(UnboundCipherKey::new(&AES_192, kek).map_err(|_| Error::Decrypt)?)
        .map_err(|_| Error::Decrypt)?;
    let n = wrapped.len() / 8 - 1;
    let mut a = [0u8; 8];
    a.copy_from_slice(&wrapped[..8]);
    let mut r = Zeroizing::new(wrapped[8..].to_vec());
    let mut block = Zeroizing::new([0u8; 16]);
    for j in (0..6u64).rev() {
        for i in (0..n).rev() {
            let t = (n as u64) * j + i as u64 + 1;
            for (x, y) in a.iter_mut().zip(t.to_be_bytes()) {
                *x ^= y;
            }
            block[..8].copy_from_slice(&a);
            block[8..].copy_from_slice(&r[8 * i..8 * i + 8]);
            dec.decrypt(&mut block[..], DecryptionContext::None)
                .map_err(|_| Error::Decrypt)?;
            a.copy_from_slice(&block[..8]);
            r[8 * i..8 * i + 8].copy_from_slice(&block[8..]);
        }
    }
    if bool::from(a.ct_eq(&IV)) {
        Ok(r)
    } else {
        Err(Error::Decrypt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn rfc3394_4_1_aes128_kek_128_bit_key() {
        let kek = h("000102030405060708090A0B0C0D0E0F");
        let key = h("00112233445566778899AABBCCDDEEFF");
        let wrapped = KeyWrapAlgorithm::Aes128.wrap(&kek, &key).unwrap();
        assert_eq!(
            wrapped,
            h("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5")
        );
        assert_eq!(
            *KeyWrapAlgorithm::Aes128.unwrap(&kek, &wrapped).unwrap(),
            key
        );
    }

    #[test]
    fn rfc3394_4_6_aes256_kek_256_bit_key() {
        let kek = h("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
        let key = h("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F");
        let wrapped = KeyWrapAlgorithm::Aes256.wrap(&kek, &key).unwrap();
        assert_eq!(
            wrapped,
            h("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21")
        );
        assert_eq!(
            *KeyWrapAlgorithm::Aes256.unwrap(&kek, &wrapped).unwrap(),
            key
        );
    }

    #[test]
    fn rfc3394_4_2_and_4_4_aes192_kek() {
        let kek = h("000102030405060708090A0B0C0D0E0F1011121314151617");
        for (key, expect) in [
            (
                "00112233445566778899AABBCCDDEEFF",
                "96778B25AE6CA435F92B5B97C050AED2468AB8A17AD84E5D",
            ),
            (
                "00112233445566778899AABBCCDDEEFF0001020304050607",
                "031D33264E15D33268F24EC260743EDCE1C6C7DDEE725A936BA814915C6762D2",
            ),
        ] {
            let wrapped = KeyWrapAlgorithm::Aes192.wrap(&kek, &h(key)).unwrap();
            assert_eq!(wrapped, h(expect));
            assert_eq!(
                *KeyWrapAlgorithm::Aes192.unwrap(&kek, &wrapped).unwrap(),
                h(key)
            );
            let mut bad = wrapped.clone();
            bad[20] ^= 4;
            assert!(matches!(
                KeyWrapAlgorithm::Aes192.unwrap(&kek, &bad),
                Err(Error::Decrypt)
            ));
        }
    }

    #[test]
    fn tampered_or_wrong_kek_is_decrypt_error() {
        let kek = [7u8; 32];
        let key = [9u8; 32];
        let mut wrapped = KeyWrapAlgorithm::Aes256.wrap(&kek, &key).unwrap();
        assert!(matches!(
            KeyWrapAlgorithm::Aes256.unwrap(&[8u8; 32], &wrapped),
            Err(Error::Decrypt)
        ));
        wrapped[5] ^= 1;
        assert!(matches!(
            KeyWrapAlgorithm::Aes256.unwrap(&kek, &wrapped),
            Err(Error::Decrypt)
        ));
        assert!(matches!(
            KeyWrapAlgorithm::Aes256.unwrap(&kek, &wrapped[..16]),
            Err(Error::Decrypt)
        ));
        assert!(matches!(
            KeyWrapAlgorithm::Aes128.unwrap(&kek, &wrapped),
            Err(Error::Decrypt)
        ));
    }

    #[test]
    fn identifiers_have_absent_parameters() {
        let der = KeyWrapAlgorithm::Aes128.algorithm_identifier();
        assert_eq!(der, h("300B0609608648016503040105"));
        assert_eq!(
            KeyWrapAlgorithm::from_algorithm_identifier(&der).unwrap(),
            KeyWrapAlgorithm::Aes128
        );
        let with_null = asn1::algorithm_identifier(&oids::AES256_WRAP, Some(&[0x05, 0x00]));
        assert!(matches!(
            KeyWrapAlgorithm::from_algorithm_identifier(&with_null),
            Err(Error::Malformed(_))
        ));
        let aes192 = asn1::algorithm_identifier(&oids::AES192_WRAP, None);
        assert_eq!(
            KeyWrapAlgorithm::from_algorithm_identifier(&aes192).unwrap(),
            KeyWrapAlgorithm::Aes192
        );
        // The 3DES wrap is read (NULL parameters, RFC 3370 §4.3.1); absent ones are malformed.
        let des3 = asn1::algorithm_identifier(&oids::ID_ALG_CMS3DES_WRAP, Some(&[0x05, 0x00]));
        assert_eq!(
            KeyWrapAlgorithm::from_algorithm_identifier(&des3).unwrap(),
            KeyWrapAlgorithm::Des3
        );
        let des3_absent = asn1::algorithm_identifier(&oids::ID_ALG_CMS3DES_WRAP, None);
        assert!(matches!(
            KeyWrapAlgorithm::from_algorithm_identifier(&des3_absent),
            Err(Error::Malformed(_))
        ));
        // An unknown wrap (RC2 wrap, 1.2.840.113549.1.9.16.3.7) is named as unsupported.
        let rc2 = asn1::algorithm_identifier(
            &const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.3.7"),
            None,
        );
        let err = KeyWrapAlgorithm::from_algorithm_identifier(&rc2).unwrap_err();
        assert!(matches!(err, Error::UnsupportedAlgorithm(_)), "{err}");
    }
}
