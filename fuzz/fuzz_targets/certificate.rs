//! Certificate parsing and every accessor the verifier and `inspect` use.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pqsmime::x509::Certificate;

fuzz_target!(|data: &[u8]| {
    if let Ok(certs) = Certificate::from_pem_or_der(data) {
        for c in certs {
            let _ = c.subject_string();
            let _ = c.issuer_string();
            let _ = c.email_addresses();
            let _ = c.subject_key_identifier();
            let _ = c.signature_algorithm();
            if let Ok(k) = c.public_key() {
                let _ = c.verify_signature(&k);
            }
        }
    }
});
