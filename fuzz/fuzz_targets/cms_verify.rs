//! Parses and verifies arbitrary bytes as a SignedData message (no path validation), with
//! and without detached content. Must never panic, hang or allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pqsmime::cms::signed::{verify, VerifyOptions};

fuzz_target!(|data: &[u8]| {
    let opts = VerifyOptions {
        no_chain: true,
        ..VerifyOptions::default()
    };
    let _ = verify(data, None, &opts);
    let mut content: &[u8] = b"detached content";
    let _ = verify(data, Some(&mut content), &opts);
});
