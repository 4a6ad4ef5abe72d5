//! Parses and verifies arbitrary bytes as a SignedData message (no path validation), in
//! memory and streaming, with and without detached content. Must never panic, hang or
//! allocate without bound, and the streaming verifier must never release content from a
//! message the in-memory verifier finds invalid.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pqsmime::cms::enveloped::MemorySink;
use pqsmime::cms::signed::{verify, verify_stream, VerifyOptions};

fuzz_target!(|data: &[u8]| {
    let opts = VerifyOptions {
        no_chain: true,
        ..VerifyOptions::default()
    };
    let in_memory = verify(data, None, &opts);
    let mut sink = MemorySink::new();
    let streamed = verify_stream(data, None, &opts, &mut sink);
    if let Ok(r) = &streamed {
        if r.valid {
            assert!(in_memory.as_ref().is_ok_and(|m| m.valid));
        }
    }
    if sink.into_inner().is_some() {
        assert!(streamed.is_ok_and(|r| r.valid));
    }
    let mut content: &[u8] = b"detached content";
    let _ = verify(data, Some(&mut content), &opts);
});
