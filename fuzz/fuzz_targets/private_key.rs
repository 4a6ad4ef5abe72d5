//! PKCS#8 private keys (all ML-DSA/ML-KEM forms, SLH-DSA, classical) and SPKI public keys.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pqsmime::keys::{PrivateKey, PublicKey};

fuzz_target!(|data: &[u8]| {
    if let Ok(k) = PrivateKey::from_pem_or_der(data) {
        let _ = k.public_key();
        let _ = k.to_pkcs8_der();
    }
    if let Ok(p) = PublicKey::from_pem_or_der(data) {
        let _ = p.key_identifier();
        let _ = p.to_pem();
    }
});
