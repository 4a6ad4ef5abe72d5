//! MIME / PEM / DER input detection, multipart/signed splitting and base64 bodies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pqsmime::smime::{canonicalize, detect};

fuzz_target!(|data: &[u8]| {
    let _ = detect(data);
    let _ = canonicalize(data);
});
