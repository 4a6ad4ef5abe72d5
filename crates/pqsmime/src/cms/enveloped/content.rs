//! Streaming content encryption: AES-GCM (RFC 5084, for AuthEnvelopedData) and AES-CBC
//! (RFC 3565, for EnvelopedData).
//!
//! # Why GCM is assembled from AES-CTR and GHASH here
//!
//! aws-lc-rs offers AES-GCM only as one-shot AEAD calls (`aead::LessSafeKey` and friends), which
//! need the whole message in memory; RustCrypto's `aes-gcm` is one-shot as well. Multi-gigabyte
//! messages have to be processed in chunks, so GCM is built from its two parts exactly as NIST
//! SP 800-38D §7 defines it:
//!
//! * the keystream is aws-lc-rs AES-CTR (AES-NI/VAES, constant time) started at `inc32(J0)`;
//!   aws-lc increments the counter over 128 bits whereas GCM's `inc32` wraps the low 32 bits,
//!   so a chunk is split where the low word would wrap;
//! * the authenticator is GHASH from RustCrypto's `ghash` crate (PCLMULQDQ when the CPU has it,
//!   a constant-time software multiply otherwise);
//! * the tag is `E(K, J0) ⊕ GHASH(A, C)`, compared in constant time.
//!
//! Measured on this project's 2-core machine (AES-256, 64 KiB chunks): 3.5 GB/s for CTR+GHASH,
//! against 9 GB/s for CTR alone and 5.6 GB/s for GHASH alone. The tests compare every length
//! from 0 to 100 bytes and chunk boundaries against aws-lc-rs's own AES-GCM.
//!
//! AuthEnvelopedData puts `authAttrs` (the AAD) *after* the ciphertext, so the decryptor hashes
//! the ciphertext first and folds the AAD in at the end using the linearity of GHASH:
//! `GHASH(A ‖ C ‖ L) = GHASH(A)·H^(c+1) ⊕ GHASH(C ‖ L)` where `c` is the number of ciphertext
//! blocks.

use aws_lc_rs::cipher::{
    DecryptingKey, DecryptionContext, EncryptingKey, EncryptionContext, UnboundCipherKey, AES_128,
    AES_192, AES_256,
};
use aws_lc_rs::iv::FixedLength;
use des::cipher::{BlockCipherDecrypt, KeyInit};
use des::TdesEde3;
use ghash::universal_hash::UniversalHash;
use ghash::GHash;
use subtle::{ConstantTimeEq, ConstantTimeGreater};
use zeroize::{Zeroize, Zeroizing};

use crate::alg::describe_oid;
use crate::asn1::{self, Reader, Rules};
use crate::error::{Error, Result};
use crate::oids;

/// Content-encryption algorithms pqsmime writes. GCM produces AuthEnvelopedData (RFC 5083),
/// CBC produces EnvelopedData (RFC 5652 §6) for receivers without AuthEnvelopedData support.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ContentCipher {
    Aes128Gcm,
    /// The default.
    #[default]
    Aes256Gcm,
    Aes128Cbc,
    Aes256Cbc,
}

impl ContentCipher {
    pub const ALL: [ContentCipher; 4] = [
        ContentCipher::Aes128Gcm,
        ContentCipher::Aes256Gcm,
        ContentCipher::Aes128Cbc,
        ContentCipher::Aes256Cbc,
    ];

    /// The name users type (`aes-256-gcm`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ContentCipher::Aes128Gcm => "aes-128-gcm",
            ContentCipher::Aes256Gcm => "aes-256-gcm",
            ContentCipher::Aes128Cbc => "aes-128-cbc",
            ContentCipher::Aes256Cbc => "aes-256-cbc",
        }
    }

    pub fn from_name(name: &str) -> Result<ContentCipher> {
        let lower = name.to_ascii_lowercase();
        ContentCipher::ALL
            .into_iter()
            .find(|c| c.name() == lower)
            .ok_or_else(|| {
                Error::UnsupportedAlgorithm(format!(
                    "unknown content cipher '{name}' (known: aes-256-gcm, aes-128-gcm, \
                     aes-256-cbc, aes-128-cbc)"
                ))
            })
    }

    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            ContentCipher::Aes128Gcm | ContentCipher::Aes128Cbc => 16,
            ContentCipher::Aes256Gcm | ContentCipher::Aes256Cbc => 32,
        }
    }

    /// True for the authenticated (GCM → AuthEnvelopedData) ciphers.
    pub fn is_authenticated(self) -> bool {
        matches!(self, ContentCipher::Aes128Gcm | ContentCipher::Aes256Gcm)
    }
}

/// The block size of AES.
const BLOCK: usize = 16;
/// GCM's limit on the plaintext: 2^39 − 256 bits (SP 800-38D §5.2.1.1).
const GCM_MAX_BYTES: u64 = (1 << 36) - 32;
/// Nonce lengths accepted on input (RFC 5084 recommends 12, which is what we write).
const GCM_MAX_NONCE: usize = 64;

/// The content-encryption algorithm of one message, with its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ContentParams {
    Gcm {
        key_len: usize,
        nonce: Vec<u8>,
        icv_len: usize,
    },
    Cbc {
        key_len: usize,
        iv: [u8; BLOCK],
    },
    /// 3DES-CBC (des-ede3-cbc, RFC 3370 §5.1): read so that old mail still opens, never
    /// written (there is no [`ContentCipher`] for it).
    Des3Cbc {
        iv: [u8; DES_BLOCK],
    },
}

/// 3DES block and key sizes.
const DES_BLOCK: usize = 8;
const DES3_KEY: usize = 24;

impl ContentParams {
    /// Fresh parameters (random 12-byte nonce or 16-byte IV) for `cipher`.
    pub(crate) fn generate(cipher: ContentCipher) -> Result<ContentParams> {
        let key_len = cipher.key_len();
        if cipher.is_authenticated() {
            let mut nonce = vec![0u8; 12];
            random(&mut nonce)?;
            Ok(ContentParams::Gcm {
                key_len,
                nonce,
                icv_len: 16,
            })
        } else {
            let mut iv = [0u8; BLOCK];
            random(&mut iv)?;
            Ok(ContentParams::Cbc { key_len, iv })
        }
    }

    pub(crate) fn key_len(&self) -> usize {
        match self {
            ContentParams::Gcm { key_len, .. } | ContentParams::Cbc { key_len, .. } => *key_len,
            ContentParams::Des3Cbc { .. } => DES3_KEY,
        }
    }

    pub(crate) fn name(&self) -> String {
        match self {
            ContentParams::Gcm { key_len, .. } => format!("AES-{}-GCM", key_len * 8),
            ContentParams::Cbc { key_len, .. } => format!("AES-{}-CBC", key_len * 8),
            ContentParams::Des3Cbc { .. } => "3DES-CBC".into(),
        }
    }

    /// DER `ContentEncryptionAlgorithmIdentifier`. GCM: `GCMParameters { nonce, ICVlen }` with
    /// ICVlen omitted when it is the DEFAULT 12 (RFC 5084 §3.2). CBC: the 16-byte IV.
    pub(crate) fn algorithm_identifier(&self) -> Vec<u8> {
        match self {
            ContentParams::Gcm {
                key_len,
                nonce,
                icv_len,
            } => {
                let oid = match key_len {
                    16 => oids::AES128_GCM,
                    24 => oids::AES192_GCM,
                    _ => oids::AES256_GCM,
                };
                let mut body = asn1::octet_string(nonce);
                if *icv_len != 12 {
                    body.extend(asn1::integer_u64(*icv_len as u64));
                }
                asn1::algorithm_identifier(&oid, Some(&asn1::tlv(asn1::TAG_SEQUENCE, &body)))
            }
            ContentParams::Cbc { key_len, iv } => {
                let oid = match key_len {
                    16 => oids::AES128_CBC,
                    24 => oids::AES192_CBC,
                    _ => oids::AES256_CBC,
                };
                asn1::algorithm_identifier(&oid, Some(&asn1::octet_string(iv)))
            }
            ContentParams::Des3Cbc { iv } => {
                asn1::algorithm_identifier(&oids::DES_EDE3_CBC, Some(&asn1::octet_string(iv)))
            }
        }
    }

    /// Parses a `ContentEncryptionAlgorithmIdentifier`. AES-128/192/256 in GCM and CBC mode are
    /// accepted; `authenticated` says whether the message is AuthEnvelopedData (which needs an
    /// authenticated cipher, RFC 5083 §2.1) or EnvelopedData (which pqsmime reads only with CBC).
    pub(crate) fn parse(der: &[u8], authenticated: bool) -> Result<ContentParams> {
        let (oid, params) = asn1::parse_algorithm_identifier(der)?;
        let gcm = [
            (oids::AES128_GCM, 16),
            (oids::AES192_GCM, 24),
            (oids::AES256_GCM, 32),
        ];
        let cbc = [
            (oids::AES128_CBC, 16),
            (oids::AES192_CBC, 24),
            (oids::AES256_CBC, 32),
        ];
        if let Some((_, key_len)) = gcm.iter().find(|(o, _)| *o == oid) {
            if !authenticated {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "{} in EnvelopedData (GCM belongs in AuthEnvelopedData, RFC 5083)",
                    describe_oid(&oid)
                )));
            }
            let params = params.ok_or_else(|| {
                Error::malformed("AES-GCM content-encryption algorithm has no GCMParameters")
            })?;
            let (nonce, icv_len) = parse_gcm_parameters(params)?;
            return Ok(ContentParams::Gcm {
                key_len: *key_len,
                nonce,
                icv_len,
            });
        }
        if let Some((_, key_len)) = cbc.iter().find(|(o, _)| *o == oid) {
            let iv = parse_cbc_iv(&oid, params, authenticated, "AES-CBC", "RFC 3565")?;
            return Ok(ContentParams::Cbc {
                key_len: *key_len,
                iv,
            });
        }
        if oid == oids::DES_EDE3_CBC {
            let iv = parse_cbc_iv(&oid, params, authenticated, "3DES-CBC", "RFC 3370 §5.1")?;
            return Ok(ContentParams::Des3Cbc { iv });
        }
        Err(Error::UnsupportedAlgorithm(format!(
            "content-encryption algorithm {} (pqsmime reads AES-GCM, AES-CBC and 3DES-CBC)",
            describe_oid(&oid)
        )))
    }

    /// A streaming encryptor for these parameters under `key`.
    pub(crate) fn encryptor(&self, key: &[u8]) -> Result<ContentEncryptor> {
        self.check_key(key)?;
        match self {
            ContentParams::Gcm { nonce, .. } => Ok(ContentEncryptor::Gcm(Gcm::new(key, nonce)?)),
            ContentParams::Cbc { iv, .. } => Ok(ContentEncryptor::Cbc {
                key: EncryptingKey::cbc(unbound(key)?)
                    .map_err(|_| Error::Crypto("AES-CBC key setup failed".into()))?,
                chain: *iv,
            }),
            ContentParams::Des3Cbc { .. } => Err(Error::UnsupportedAlgorithm(
                "3DES-CBC content encryption: pqsmime reads old 3DES messages but never writes them"
                    .into(),
            )),
        }
    }

    /// A streaming decryptor for these parameters under `key`. A key of the wrong length is
    /// [`Error::Decrypt`] (it came out of a recipient's unwrap).
    pub(crate) fn decryptor(&self, key: &[u8]) -> Result<ContentDecryptor> {
        self.check_key(key).map_err(|_| Error::Decrypt)?;
        match self {
            ContentParams::Gcm { nonce, icv_len, .. } => Ok(ContentDecryptor::Gcm {
                gcm: Gcm::new(key, nonce).map_err(|_| Error::Decrypt)?,
                icv_len: *icv_len,
            }),
            ContentParams::Cbc { iv, .. } => Ok(ContentDecryptor::Cbc {
                cipher: CbcCipher::Aes {
                    key: DecryptingKey::cbc(unbound(key).map_err(|_| Error::Decrypt)?)
                        .map_err(|_| Error::Decrypt)?,
                    chain: *iv,
                },
                held: None,
            }),
            ContentParams::Des3Cbc { iv } => Ok(ContentDecryptor::Cbc {
                cipher: CbcCipher::Des3 {
                    key: TdesEde3::new_from_slice(key).map_err(|_| Error::Decrypt)?,
                    chain: *iv,
                },
                held: None,
            }),
        }
    }

    fn check_key(&self, key: &[u8]) -> Result<()> {
        if key.len() == self.key_len() {
            Ok(())
        } else {
            Err(Error::Crypto(format!(
                "{} needs a {}-byte key, got {} bytes",
                self.name(),
                self.key_len(),
                key.len()
            )))
        }
    }
}

/// The IV parameter of a CBC content-encryption algorithm (an OCTET STRING of one block),
/// refused in AuthEnvelopedData, which needs an authenticated cipher.
fn parse_cbc_iv<const N: usize>(
    oid: &const_oid::ObjectIdentifier,
    params: Option<&[u8]>,
    authenticated: bool,
    name: &str,
    rule: &str,
) -> Result<[u8; N]> {
    if authenticated {
        return Err(Error::UnsupportedAlgorithm(format!(
            "{} in AuthEnvelopedData (it needs an authenticated cipher, RFC 5083 §2.1)",
            describe_oid(oid)
        )));
    }
    let params = params.ok_or_else(|| {
        Error::Malformed(format!("{name} content-encryption algorithm has no IV"))
    })?;
    let what = format!("{name} IV");
    let mut r = Reader::new(params);
    let iv = r.read_expected(asn1::TAG_OCTET_STRING, &what)?;
    r.finish(&what)?;
    iv.value.try_into().map_err(|_| {
        Error::Malformed(format!(
            "{what} is {} bytes long; {rule} requires {N}",
            iv.value.len()
        ))
    })
}

fn parse_gcm_parameters(der: &[u8]) -> Result<(Vec<u8>, usize)> {
    let mut outer = Reader::new(der);
    let seq = outer.read_expected(asn1::TAG_SEQUENCE, "GCMParameters")?;
    outer.finish("GCMParameters")?;
    let mut r = seq.reader(Rules::Der);
    let nonce = r.read_expected(asn1::TAG_OCTET_STRING, "GCMParameters aes-nonce")?;
    if nonce.value.is_empty() || nonce.value.len() > GCM_MAX_NONCE {
        return Err(Error::Malformed(format!(
            "GCMParameters aes-nonce is {} bytes long (pqsmime accepts 1 to {GCM_MAX_NONCE}, \
             RFC 5084 recommends 12)",
            nonce.value.len()
        )));
    }
    let icv_len = match r.read_optional(asn1::TAG_INTEGER)? {
        Some(t) => {
            let v = asn1::parse_small_uint(t.value)?;
            if v == 12 {
                return Err(Error::malformed(
                    "GCMParameters encodes the DEFAULT aes-ICVlen 12 (not DER)",
                ));
            }
            v
        }
        None => 12,
    };
    r.finish("GCMParameters")?;
    if !(12..=16).contains(&icv_len) {
        return Err(Error::Malformed(format!(
            "GCMParameters aes-ICVlen is {icv_len}; RFC 5084 allows 12 to 16"
        )));
    }
    Ok((nonce.value.to_vec(), icv_len as usize))
}

pub(crate) fn random(out: &mut [u8]) -> Result<()> {
    aws_lc_rs::rand::fill(out).map_err(|_| Error::Crypto("the random generator failed".into()))
}

fn unbound(key: &[u8]) -> Result<UnboundCipherKey> {
    let alg = match key.len() {
        16 => &AES_128,
        24 => &AES_192,
        32 => &AES_256,
        n => {
            return Err(Error::Crypto(format!(
                "no AES variant takes a {n}-byte key"
            )))
        }
    };
    UnboundCipherKey::new(alg, key).map_err(|_| Error::Crypto("AES key setup failed".into()))
}

fn iv128(block: [u8; BLOCK]) -> FixedLength<16> {
    FixedLength::from(block)
}

// ---------------------------------------------------------------------------------------
// GCM

/// GCM state shared by encryption and decryption.
pub(crate) struct Gcm {
    ctr: EncryptingKey,
    /// The next counter block.
    counter: [u8; BLOCK],
    /// E(K, J0), XORed into the tag.
    ek_j0: Zeroizing<[u8; BLOCK]>,
    /// The hash subkey H = E(K, 0^128).
    h: Zeroizing<[u8; BLOCK]>,
    /// GHASH over the ciphertext so far.
    ghash: GHash,
    /// Ciphertext bytes processed.
    len: u64,
    /// Set once a chunk that is not a multiple of 16 bytes was processed: nothing may follow.
    partial_seen: bool,
}

impl Gcm {
    fn new(key: &[u8], nonce: &[u8]) -> Result<Gcm> {
        let ctr = EncryptingKey::ctr(unbound(key)?)
            .map_err(|_| Error::Crypto("AES-CTR key setup failed".into()))?;
        let mut h = Zeroizing::new([0u8; BLOCK]);
        ctr_raw(&ctr, [0u8; BLOCK], &mut h[..])?;
        let h_key = ghash::Key::from(*h);
        let j0 = if nonce.len() == 12 {
            let mut j0 = [0u8; BLOCK];
            j0[..12].copy_from_slice(nonce);
            j0[15] = 1;
            j0
        } else {
            // SP 800-38D §7.1 step 2: J0 = GHASH(IV ‖ 0^(s+64) ‖ [len(IV)]_64).
            let mut g = GHash::new(&h_key);
            g.update_padded(nonce);
            let mut len_block = [0u8; BLOCK];
            len_block[8..].copy_from_slice(&((nonce.len() as u64) * 8).to_be_bytes());
            g.update(&[ghash::Block::from(len_block)]);
            g.finalize().into()
        };
        let mut ek_j0 = Zeroizing::new([0u8; BLOCK]);
        ctr_raw(&ctr, j0, &mut ek_j0[..])?;
        let counter = inc32(j0, 1);
        Ok(Gcm {
            ctr,
            counter,
            ek_j0,
            ghash: GHash::new(&h_key),
            h,
            len: 0,
            partial_seen: false,
        })
    }

    fn check_chunk(&mut self, n: usize) -> Result<()> {
        if self.partial_seen && n > 0 {
            return Err(Error::Crypto(
                "GCM chunk after a partial block (internal chunking error)".into(),
            ));
        }
        if n % BLOCK != 0 {
            self.partial_seen = true;
        }
        self.len = self
            .len
            .checked_add(n as u64)
            .filter(|l| *l <= GCM_MAX_BYTES)
            .ok_or_else(|| {
                Error::Limit("content longer than AES-GCM allows (64 GiB)".to_string())
            })?;
        Ok(())
    }

    /// XORs the keystream into `data`, advancing the counter with GCM's inc32.
    fn apply_keystream(&mut self, mut data: &mut [u8]) -> Result<()> {
        while !data.is_empty() {
            let low = u32::from_be_bytes([
                self.counter[12],
                self.counter[13],
                self.counter[14],
                self.counter[15],
            ]);
            // Blocks until the low 32 bits wrap; aws-lc would carry into the high bits.
            let until_wrap = (u64::from(u32::MAX) - u64::from(low) + 1) as usize;
            let blocks = data.len().div_ceil(BLOCK);
            let take_blocks = blocks.min(until_wrap);
            let take = (take_blocks * BLOCK).min(data.len());
            let (now, rest) = data.split_at_mut(take);
            ctr_raw(&self.ctr, self.counter, now)?;
            self.counter = inc32(self.counter, take_blocks as u32);
            data = rest;
        }
        Ok(())
    }

    fn encrypt(&mut self, data: &mut [u8]) -> Result<()> {
        self.check_chunk(data.len())?;
        self.apply_keystream(data)?;
        self.ghash.update_padded(data);
        Ok(())
    }

    fn decrypt(&mut self, data: &mut [u8]) -> Result<()> {
        self.check_chunk(data.len())?;
        self.ghash.update_padded(data);
        self.apply_keystream(data)
    }

    /// The full 16-byte tag over `aad` (hashed after the fact, see the module docs) and the
    /// ciphertext processed so far.
    fn tag(self, aad: &[u8]) -> [u8; BLOCK] {
        let Gcm {
            mut ghash,
            h,
            ek_j0,
            len,
            ..
        } = self;
        let mut len_block = [0u8; BLOCK];
        len_block[..8].copy_from_slice(&((aad.len() as u64) * 8).to_be_bytes());
        len_block[8..].copy_from_slice(&(len * 8).to_be_bytes());
        ghash.update(&[ghash::Block::from(len_block)]);
        let mut s: [u8; BLOCK] = ghash.finalize().into();
        if !aad.is_empty() {
            let h_key = ghash::Key::from(*h);
            let mut ga = GHash::new(&h_key);
            ga.update_padded(aad);
            let y_a: [u8; BLOCK] = ga.finalize().into();
            let c_blocks = len.div_ceil(BLOCK as u64);
            let hp = gf_pow(&h, c_blocks + 1);
            let term = gf_mul(&y_a, &hp);
            xor_into(&mut s, &term);
        }
        xor_into(&mut s, &ek_j0);
        s
    }
}

/// x·y in GHASH's field, via GHASH itself: GHASH_y(x) = x·y for a single block.
fn gf_mul(x: &[u8; BLOCK], y: &[u8; BLOCK]) -> [u8; BLOCK] {
    let mut g = GHash::new(&ghash::Key::from(*y));
    g.update(&[ghash::Block::from(*x)]);
    g.finalize().into()
}

/// h^e by square-and-multiply (e ≥ 1). The exponent is the public ciphertext length.
fn gf_pow(h: &[u8; BLOCK], mut e: u64) -> Zeroizing<[u8; BLOCK]> {
    let mut base = Zeroizing::new(*h);
    let mut acc: Option<Zeroizing<[u8; BLOCK]>> = None;
    while e > 0 {
        if e & 1 == 1 {
            acc = Some(match acc {
                None => base.clone(),
                Some(a) => Zeroizing::new(gf_mul(&a, &base)),
            });
        }
        e >>= 1;
        if e > 0 {
            let sq = gf_mul(&base, &base);
            *base = sq;
        }
    }
    acc.unwrap_or_else(|| Zeroizing::new([0u8; BLOCK]))
}

fn xor_into(a: &mut [u8; BLOCK], b: &[u8; BLOCK]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x ^= y;
    }
}

fn inc32(mut block: [u8; BLOCK], n: u32) -> [u8; BLOCK] {
    let low = u32::from_be_bytes([block[12], block[13], block[14], block[15]]).wrapping_add(n);
    block[12..].copy_from_slice(&low.to_be_bytes());
    block
}

/// AES-CTR over `data` starting at counter block `iv` (128-bit increment inside aws-lc).
fn ctr_raw(key: &EncryptingKey, iv: [u8; BLOCK], data: &mut [u8]) -> Result<()> {
    key.less_safe_encrypt(data, EncryptionContext::Iv128(iv128(iv)))
        .map(|_| ())
        .map_err(|_| Error::Crypto("AES-CTR failed".into()))
}

// ---------------------------------------------------------------------------------------
// Encryptor / decryptor

/// Encrypts content chunk by chunk. Every chunk except the last must be a multiple of 16 bytes.
pub(crate) enum ContentEncryptor {
    Gcm(Gcm),
    Cbc {
        key: EncryptingKey,
        chain: [u8; BLOCK],
    },
}

impl ContentEncryptor {
    /// Encrypts `chunk` in place (a multiple of 16 bytes).
    pub(crate) fn update(&mut self, chunk: &mut [u8]) -> Result<()> {
        if chunk.len() % BLOCK != 0 {
            return Err(Error::Crypto(
                "content chunk is not a multiple of the block size (internal error)".into(),
            ));
        }
        match self {
            ContentEncryptor::Gcm(g) => g.encrypt(chunk),
            ContentEncryptor::Cbc { key, chain } => cbc_encrypt(key, chain, chunk),
        }
    }

    /// Encrypts the final `chunk` (any length; CBC adds RFC 5652 §6.3 padding, so the vector
    /// grows) and returns the GCM tag, if any.
    pub(crate) fn finish(self, chunk: &mut Vec<u8>) -> Result<Option<[u8; BLOCK]>> {
        match self {
            ContentEncryptor::Gcm(mut g) => {
                g.encrypt(chunk)?;
                Ok(Some(g.tag(&[])))
            }
            ContentEncryptor::Cbc { key, mut chain } => {
                let pad = BLOCK - chunk.len() % BLOCK;
                chunk.resize(chunk.len() + pad, pad as u8);
                cbc_encrypt(&key, &mut chain, chunk)?;
                Ok(None)
            }
        }
    }
}

fn cbc_encrypt(key: &EncryptingKey, chain: &mut [u8; BLOCK], data: &mut [u8]) -> Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    key.less_safe_encrypt(data, EncryptionContext::Iv128(iv128(*chain)))
        .map_err(|_| Error::Crypto("AES-CBC encryption failed".into()))?;
    if let Some(last) = data.rchunks_exact(BLOCK).next() {
        chain.copy_from_slice(last);
    }
    Ok(())
}

/// Decrypts content chunk by chunk and hands plaintext to a callback. For CBC the last block
/// is held back until [`ContentDecryptor::finish`] has checked the padding; for GCM the caller
/// must not release anything before `finish` succeeds (see `DecryptSink`).
pub(crate) enum ContentDecryptor {
    Gcm {
        gcm: Gcm,
        icv_len: usize,
    },
    Cbc {
        cipher: CbcCipher,
        /// The last plaintext block decrypted so far, released only once it is known not to
        /// be the padded final block.
        held: Option<Zeroizing<Vec<u8>>>,
    },
}

/// The block cipher under a CBC decryptor, with its chaining value.
pub(crate) enum CbcCipher {
    Aes {
        key: DecryptingKey,
        chain: [u8; BLOCK],
    },
    Des3 {
        /// Zeroized on drop (the `des` crate's `zeroize` feature).
        key: TdesEde3,
        chain: [u8; DES_BLOCK],
    },
}

impl CbcCipher {
    fn block_len(&self) -> usize {
        match self {
            CbcCipher::Aes { .. } => BLOCK,
            CbcCipher::Des3 { .. } => DES_BLOCK,
        }
    }

    /// Decrypts `data` (a non-empty multiple of the block size) in place, continuing the chain.
    fn decrypt(&mut self, data: &mut [u8]) -> Result<()> {
        match self {
            CbcCipher::Aes { key, chain } => {
                let mut next_chain = [0u8; BLOCK];
                if let Some(last) = data.rchunks_exact(BLOCK).next() {
                    next_chain.copy_from_slice(last);
                }
                key.decrypt(data, DecryptionContext::Iv128(iv128(*chain)))
                    .map_err(|_| Error::Decrypt)?;
                *chain = next_chain;
                Ok(())
            }
            CbcCipher::Des3 { key, chain } => {
                des3_cbc_decrypt(key, chain, data);
                Ok(())
            }
        }
    }
}

/// 3DES-CBC decryption in place (no padding) of `data`, a multiple of 8 bytes; `chain` is
/// the IV on the first call and is advanced to the last ciphertext block.
pub(crate) fn des3_cbc_decrypt(key: &TdesEde3, chain: &mut [u8; DES_BLOCK], data: &mut [u8]) {
    let mut block = des::cipher::Block::<TdesEde3>::default();
    for b in data.chunks_exact_mut(DES_BLOCK) {
        let mut next_chain = [0u8; DES_BLOCK];
        next_chain.copy_from_slice(b);
        block.copy_from_slice(b);
        key.decrypt_block(&mut block);
        for ((o, p), c) in b.iter_mut().zip(block.iter()).zip(chain.iter()) {
            *o = p ^ c;
        }
        *chain = next_chain;
    }
    block.zeroize();
}

impl ContentDecryptor {
    /// Decrypts `chunk` (a multiple of 16 bytes) in place and passes plaintext to `emit`.
    pub(crate) fn update(
        &mut self,
        chunk: &mut [u8],
        emit: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        if chunk.len() % self.block_len() != 0 {
            return Err(Error::Crypto(
                "content chunk is not a multiple of the block size (internal error)".into(),
            ));
        }
        if chunk.is_empty() {
            return Ok(());
        }
        match self {
            ContentDecryptor::Gcm { gcm, .. } => {
                gcm.decrypt(chunk).map_err(|e| match e {
                    Error::Limit(m) => Error::Limit(m),
                    _ => Error::Decrypt,
                })?;
                emit(chunk)
            }
            ContentDecryptor::Cbc { cipher, held } => {
                cipher.decrypt(chunk)?;
                if let Some(h) = held.take() {
                    emit(&h[..])?;
                }
                let (body, last) = chunk.split_at(chunk.len() - cipher.block_len());
                *held = Some(Zeroizing::new(last.to_vec()));
                let r = emit(body);
                chunk.zeroize();
                r
            }
        }
    }

    fn block_len(&self) -> usize {
        match self {
            ContentDecryptor::Gcm { .. } => BLOCK,
            ContentDecryptor::Cbc { cipher, .. } => cipher.block_len(),
        }
    }

    /// Decrypts the final `chunk` (any length for GCM; a multiple of 16 for CBC) and checks
    /// the tag against `mac` over `aad` (GCM) or the padding (CBC). Every failure is
    /// [`Error::Decrypt`].
    pub(crate) fn finish(
        mut self,
        chunk: &mut [u8],
        aad: &[u8],
        mac: Option<&[u8]>,
        emit: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        match self {
            ContentDecryptor::Gcm { mut gcm, icv_len } => {
                gcm.decrypt(chunk).map_err(|e| match e {
                    Error::Limit(m) => Error::Limit(m),
                    _ => Error::Decrypt,
                })?;
                emit(chunk)?;
                let tag = gcm.tag(aad);
                let mac = mac.ok_or(Error::Decrypt)?;
                if mac.len() != icv_len {
                    return Err(Error::Decrypt);
                }
                if bool::from(tag[..icv_len].ct_eq(mac)) {
                    Ok(())
                } else {
                    Err(Error::Decrypt)
                }
            }
            ContentDecryptor::Cbc { .. } => {
                if chunk.len() % self.block_len() != 0 {
                    return Err(Error::Decrypt);
                }
                self.update(chunk, emit)?;
                let ContentDecryptor::Cbc { held, .. } = self else {
                    return Err(Error::Decrypt);
                };
                // No ciphertext at all: not even the padding block.
                let last = held.ok_or(Error::Decrypt)?;
                let pad_len = cbc_padding_len(&last).ok_or(Error::Decrypt)?;
                emit(&last[..last.len() - pad_len])
            }
        }
    }
}

/// The RFC 5652 §6.3 padding length of the final block (16 or 8 bytes), checked in constant
/// time over the whole block; `None` if the padding is bad.
fn cbc_padding_len(last: &[u8]) -> Option<usize> {
    let block = last.len();
    let p = *last.last()?;
    let mut bad = p.ct_eq(&0) | p.ct_gt(&(block as u8));
    for (j, byte) in last.iter().rev().enumerate() {
        // Byte j from the end (0-based) is padding iff j < p.
        let in_pad = p.ct_gt(&(j as u8));
        bad |= in_pad & !byte.ct_eq(&p);
    }
    if bool::from(bad) {
        None
    } else {
        Some(p as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM, AES_256_GCM};

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    fn gcm_stream(key: &[u8], nonce: &[u8], pt: &[u8], chunk: usize) -> (Vec<u8>, [u8; 16]) {
        let params = ContentParams::Gcm {
            key_len: key.len(),
            nonce: nonce.to_vec(),
            icv_len: 16,
        };
        let mut enc = params.encryptor(key).unwrap();
        let mut out = Vec::new();
        let mut rest = pt;
        while rest.len() > chunk {
            let mut c = rest[..chunk].to_vec();
            enc.update(&mut c).unwrap();
            out.extend(c);
            rest = &rest[chunk..];
        }
        let mut c = rest.to_vec();
        let tag = enc.finish(&mut c).unwrap().unwrap();
        out.extend(c);
        (out, tag)
    }

    fn aws_gcm(key: &[u8], nonce: &[u8], aad: &[u8], pt: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let alg = if key.len() == 16 {
            &AES_128_GCM
        } else {
            &AES_256_GCM
        };
        let k = LessSafeKey::new(UnboundKey::new(alg, key).unwrap());
        let mut buf = pt.to_vec();
        let tag = k
            .seal_in_place_separate_tag(
                Nonce::try_assume_unique_for_key(nonce).unwrap(),
                Aad::from(aad),
                &mut buf,
            )
            .unwrap();
        (buf, tag.as_ref().to_vec())
    }

    #[test]
    fn gcm_matches_aws_lc_for_all_small_lengths_and_chunkings() {
        let key = [0x42u8; 32];
        let nonce = [0x24u8; 12];
        let pt: Vec<u8> = (0..200u32).map(|i| (i * 7) as u8).collect();
        for len in 0..=100 {
            let (c_ref, t_ref) = aws_gcm(&key, &nonce, &[], &pt[..len]);
            for chunk in [16, 32, 48, 64] {
                let (c, t) = gcm_stream(&key, &nonce, &pt[..len], chunk);
                assert_eq!(c, c_ref, "len {len} chunk {chunk}");
                assert_eq!(&t[..], &t_ref[..], "len {len} chunk {chunk}");
            }
        }
    }

    #[test]
    fn gcm_decrypt_folds_in_aad_after_the_ciphertext() {
        let key = [3u8; 16];
        let nonce = [5u8; 12];
        for (aad_len, len) in [
            (1usize, 0usize),
            (13, 1),
            (16, 16),
            (31, 100),
            (70, 4096 + 3),
        ] {
            let aad: Vec<u8> = (0..aad_len).map(|i| i as u8 ^ 0x5a).collect();
            let pt: Vec<u8> = (0..len).map(|i| (i * 31) as u8).collect();
            let (mut ct, tag) = aws_gcm(&key, &nonce, &aad, &pt);
            let params = ContentParams::Gcm {
                key_len: 16,
                nonce: nonce.to_vec(),
                icv_len: 16,
            };
            let mut out = Vec::new();
            let mut dec = params.decryptor(&key).unwrap();
            let split = ct.len() / 32 * 16;
            let (a, b) = ct.split_at_mut(split);
            dec.update(a, &mut |d| {
                out.extend_from_slice(d);
                Ok(())
            })
            .unwrap();
            dec.finish(b, &aad, Some(&tag), &mut |d| {
                out.extend_from_slice(d);
                Ok(())
            })
            .unwrap();
            assert_eq!(out, pt);
            // Wrong AAD → Decrypt.
            let (mut ct2, _) = aws_gcm(&key, &nonce, &aad, &pt);
            let dec = params.decryptor(&key).unwrap();
            let err = dec
                .finish(&mut ct2, b"other", Some(&tag), &mut |_| Ok(()))
                .unwrap_err();
            assert!(matches!(err, Error::Decrypt));
        }
    }

    #[test]
    fn rfc9936_example_content_decrypts() {
        // RFC 9936 Appendix A: AES-128-GCM, no authAttrs.
        let cek = h("C5153005588269A0A59F3C01943FDD56");
        let params = ContentParams::Gcm {
            key_len: 16,
            nonce: h("5CA57468B81BF03B8DA7186C"),
            icv_len: 16,
        };
        let mut ct = h("94C8689A99D2C38E192FA6BA08");
        let mac = h("5CF1786C57C7402B54FC93C30A4A4533");
        let mut out = Vec::new();
        params
            .decryptor(&cek)
            .unwrap()
            .finish(&mut ct, &[], Some(&mac), &mut |d| {
                out.extend_from_slice(d);
                Ok(())
            })
            .unwrap();
        assert_eq!(out, b"Hello, world!");
    }

    #[test]
    fn gcm_non_96_bit_nonce_matches_sp800_38d_test_case_6() {
        // GCM spec (McGrew & Viega) test case 6: AES-128, 60-byte IV, AAD.
        let key = h("feffe9928665731c6d6a8f9467308308");
        let iv = h("9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b");
        let pt = h("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        let aad = h("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        let ct = h("8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca701e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5");
        let tag = h("619cc5aefffe0bfa462af43c1699d050");
        let params = ContentParams::Gcm {
            key_len: 16,
            nonce: iv,
            icv_len: 16,
        };
        let mut buf = ct.clone();
        let mut out = Vec::new();
        params
            .decryptor(&key)
            .unwrap()
            .finish(&mut buf, &aad, Some(&tag), &mut |d| {
                out.extend_from_slice(d);
                Ok(())
            })
            .unwrap();
        assert_eq!(out, pt);
    }

    #[test]
    fn counter_wrap_follows_inc32() {
        // A nonce whose J0 low word sits just below the wrap: compare against a block-by-block
        // reference that applies inc32 itself.
        let key = [9u8; 16];
        let ctr = EncryptingKey::ctr(unbound(&key).unwrap()).unwrap();
        let mut gcm = Gcm::new(&key, &[1u8; 12]).unwrap();
        gcm.counter = [0xAB; 16];
        gcm.counter[12..].copy_from_slice(&0xFFFF_FFFEu32.to_be_bytes());
        let start = gcm.counter;
        let mut data = vec![0u8; 5 * 16 + 3];
        gcm.apply_keystream(&mut data).unwrap();
        let mut expect = Vec::new();
        let mut cb = start;
        for _ in 0..6 {
            let mut b = [0u8; 16];
            ctr_raw(&ctr, cb, &mut b).unwrap();
            expect.extend_from_slice(&b);
            cb = inc32(cb, 1);
        }
        assert_eq!(data[..], expect[..data.len()]);
        assert_eq!(&cb[..12], &[0xAB; 12]);
    }

    #[test]
    fn tampered_gcm_tag_or_ciphertext_is_decrypt_error() {
        let key = [1u8; 32];
        let nonce = [2u8; 12];
        let (ct, tag) = gcm_stream(&key, &nonce, b"attack at dawn", 16);
        let params = ContentParams::Gcm {
            key_len: 32,
            nonce: nonce.to_vec(),
            icv_len: 16,
        };
        let mut t2 = tag;
        t2[15] ^= 1;
        let mut c = ct.clone();
        assert!(matches!(
            params
                .decryptor(&key)
                .unwrap()
                .finish(&mut c, &[], Some(&t2), &mut |_| Ok(())),
            Err(Error::Decrypt)
        ));
        let mut c = ct.clone();
        c[0] ^= 0x80;
        assert!(matches!(
            params
                .decryptor(&key)
                .unwrap()
                .finish(&mut c, &[], Some(&tag), &mut |_| Ok(())),
            Err(Error::Decrypt)
        ));
        let mut c = ct.clone();
        assert!(matches!(
            params
                .decryptor(&key)
                .unwrap()
                .finish(&mut c, &[], Some(&tag[..12]), &mut |_| Ok(())),
            Err(Error::Decrypt)
        ));
        assert!(matches!(params.decryptor(&key[..16]), Err(Error::Decrypt)));
    }

    fn cbc_round_trip(len: usize, chunk: usize) {
        let key = [0x11u8; 32];
        let params = ContentParams::Cbc {
            key_len: 32,
            iv: [0x22; 16],
        };
        let pt: Vec<u8> = (0..len).map(|i| (i * 13) as u8).collect();
        let mut enc = params.encryptor(&key).unwrap();
        let mut ct = Vec::new();
        let mut rest = &pt[..];
        while rest.len() > chunk {
            let mut c = rest[..chunk].to_vec();
            enc.update(&mut c).unwrap();
            ct.extend(c);
            rest = &rest[chunk..];
        }
        let mut c = rest.to_vec();
        assert!(enc.finish(&mut c).unwrap().is_none());
        ct.extend(c);
        assert_eq!(ct.len(), (len / 16 + 1) * 16);
        // Reference: aws-lc one-shot CBC with PKCS#7 padding (same as RFC 5652 §6.3).
        let reference = {
            use aws_lc_rs::cipher::PaddedBlockEncryptingKey;
            let k = PaddedBlockEncryptingKey::cbc_pkcs7(unbound(&key).unwrap()).unwrap();
            let mut b = pt.clone();
            k.less_safe_encrypt(&mut b, EncryptionContext::Iv128(iv128([0x22; 16])))
                .unwrap();
            b
        };
        assert_eq!(ct, reference, "len {len}");
        for dchunk in [16usize, 32, 80] {
            let mut dec = params.decryptor(&key).unwrap();
            let mut out = Vec::new();
            let mut buf = ct.clone();
            let split = if buf.len() > dchunk {
                (buf.len() - 1) / dchunk * dchunk
            } else {
                0
            };
            let (a, b) = buf.split_at_mut(split);
            for piece in a.chunks_mut(dchunk) {
                dec.update(piece, &mut |d| {
                    out.extend_from_slice(d);
                    Ok(())
                })
                .unwrap();
            }
            dec.finish(b, &[], None, &mut |d| {
                out.extend_from_slice(d);
                Ok(())
            })
            .unwrap();
            assert_eq!(out, pt, "len {len} dchunk {dchunk}");
        }
    }

    #[test]
    fn cbc_round_trips_across_chunk_boundaries() {
        for len in [0, 1, 15, 16, 17, 31, 32, 33, 100, 1000] {
            cbc_round_trip(len, 32);
            cbc_round_trip(len, 16);
        }
    }

    /// 3DES-CBC known answer: key, IV and ciphertext from `openssl enc -des-ede3-cbc -K
    /// 0123456789abcdeffedcba987654321089abcdef01234567 -iv 1122334455667788` (OpenSSL 4.0.3)
    /// over the 37-byte plaintext below; every chunking of the ciphertext gives the plaintext.
    #[test]
    fn des3_cbc_decrypts_openssl_ciphertext_in_any_chunking() {
        let key = h("0123456789abcdeffedcba987654321089abcdef01234567");
        let ct =
            h("a2876da4bb2a534f9f2fb49d75a8ef5809789718dc067310905195061026d78a10a20f8188ed4868");
        let pt = b"pqsmime reads old 3DES mail: 37 bytes";
        let der = asn1::algorithm_identifier(
            &oids::DES_EDE3_CBC,
            Some(&asn1::octet_string(&h("1122334455667788"))),
        );
        let params = ContentParams::parse(&der, false).unwrap();
        assert_eq!(params.name(), "3DES-CBC");
        assert_eq!(params.key_len(), 24);
        assert_eq!(params.algorithm_identifier(), der);
        for split in [0, 8, 16, 32] {
            let mut dec = params.decryptor(&key).unwrap();
            let mut out = Vec::new();
            let mut emit = |d: &[u8]| -> Result<()> {
                out.extend_from_slice(d);
                Ok(())
            };
            let (a, b) = ct.split_at(split);
            dec.update(&mut a.to_vec(), &mut emit).unwrap();
            dec.finish(&mut b.to_vec(), &[], None, &mut emit).unwrap();
            assert_eq!(out, pt, "split at {split}");
        }
        // Wrong key, a changed last block (bad padding), a cut-off block: the generic error.
        let mut wrong = key.clone();
        wrong[0] ^= 0x80; // flips a key bit, not only parity
        let mut bad_last = ct.clone();
        let n = bad_last.len();
        bad_last[n - 9] ^= 0x01; // the previous block's byte changes the last plaintext byte
        for (k, c) in [
            (&wrong, &ct),
            (&key, &bad_last),
            (&key, &ct[..n - 3].to_vec()),
        ] {
            let dec = params.decryptor(k).unwrap();
            let r = dec.finish(&mut c.clone(), &[], None, &mut |_| Ok(()));
            assert!(matches!(r, Err(Error::Decrypt)), "{r:?}");
        }
        // Never written; AuthEnvelopedData cannot carry it; the IV must be 8 bytes.
        assert!(params.encryptor(&key).is_err());
        assert!(ContentParams::parse(&der, true).is_err());
        let short =
            asn1::algorithm_identifier(&oids::DES_EDE3_CBC, Some(&asn1::octet_string(&[0; 16])));
        assert!(ContentParams::parse(&short, false).is_err());
    }

    #[test]
    fn cbc_padding_check() {
        let mut b = [0u8; 16];
        b[15] = 1;
        assert_eq!(cbc_padding_len(&b), Some(1));
        assert_eq!(cbc_padding_len(&[16u8; 16]), Some(16));
        b[15] = 0;
        assert_eq!(cbc_padding_len(&b), None);
        b[15] = 17;
        assert_eq!(cbc_padding_len(&b), None);
        let mut c = [3u8; 16];
        c[13] = 2;
        assert_eq!(cbc_padding_len(&c), None);
        c[13] = 3;
        c[12] = 9;
        assert_eq!(cbc_padding_len(&c), Some(3));
    }

    #[test]
    fn cbc_wrong_key_or_truncation_is_decrypt_error() {
        let params = ContentParams::Cbc {
            key_len: 16,
            iv: [0; 16],
        };
        let enc = params.encryptor(&[1u8; 16]).unwrap();
        let mut c = b"some secret text".to_vec();
        enc.finish(&mut c).unwrap();
        let mut bad = c.clone();
        let mut padding_failures = 0;
        for k in 0..16u8 {
            let r = params.decryptor(&[k + 2; 16]).unwrap().finish(
                &mut bad.clone(),
                &[],
                None,
                &mut |_| Ok(()),
            );
            if r.is_err() {
                assert!(matches!(r, Err(Error::Decrypt)));
                padding_failures += 1;
            }
        }
        assert!(padding_failures >= 12, "{padding_failures}");
        bad.truncate(bad.len() - 3);
        assert!(matches!(
            params
                .decryptor(&[1u8; 16])
                .unwrap()
                .finish(&mut bad, &[], None, &mut |_| Ok(())),
            Err(Error::Decrypt)
        ));
        assert!(matches!(
            params
                .decryptor(&[1u8; 16])
                .unwrap()
                .finish(&mut [], &[], None, &mut |_| Ok(())),
            Err(Error::Decrypt)
        ));
    }

    #[test]
    fn parameters_encode_and_parse() {
        for cipher in ContentCipher::ALL {
            let p = ContentParams::generate(cipher).unwrap();
            let der = p.algorithm_identifier();
            assert_eq!(
                ContentParams::parse(&der, cipher.is_authenticated()).unwrap(),
                p
            );
            assert!(ContentParams::parse(&der, !cipher.is_authenticated()).is_err());
            assert_eq!(ContentCipher::from_name(cipher.name()).unwrap(), cipher);
        }
        // RFC 9936 example: 30 1E 06 09 608648016503040106 30 11 04 0C <nonce> 02 01 10
        let p = ContentParams::Gcm {
            key_len: 16,
            nonce: h("5CA57468B81BF03B8DA7186C"),
            icv_len: 16,
        };
        assert_eq!(
            p.algorithm_identifier(),
            h("301E06096086480165030401063011040C5CA57468B81BF03B8DA7186C020110")
        );
        // Explicit DEFAULT 12 is not DER.
        let bad = asn1::algorithm_identifier(
            &oids::AES128_GCM,
            Some(&asn1::sequence(&[
                &asn1::octet_string(&[0; 12]),
                &asn1::integer_u64(12),
            ])),
        );
        assert!(ContentParams::parse(&bad, true).is_err());
        let short_iv =
            asn1::algorithm_identifier(&oids::AES128_CBC, Some(&asn1::octet_string(&[0; 8])));
        assert!(ContentParams::parse(&short_iv, false).is_err());
        // An algorithm pqsmime does not read (RC2-CBC) is named.
        let rc2 = asn1::algorithm_identifier(
            &const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.3.2"),
            Some(&asn1::octet_string(&[0; 8])),
        );
        let err = ContentParams::parse(&rc2, false).unwrap_err();
        assert!(matches!(err, Error::UnsupportedAlgorithm(_)), "{err}");
    }
}
