//! The bounded BER reader: every element, nested, and OCTET STRING joining.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pqsmime::asn1::{octet_string_contents, Reader, Rules};

fn walk(data: &[u8], rules: Rules, depth: usize) {
    let mut r = match rules {
        Rules::Der => Reader::new(data),
        Rules::Ber => Reader::new_ber(data),
    };
    while !r.is_empty() {
        let Ok(t) = r.read() else { return };
        if t.tag & 0x1F == 0x04 {
            let _ = octet_string_contents(&t, rules);
        }
        if t.is_constructed() && depth < 64 {
            walk(t.value, rules, depth + 1);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    walk(data, Rules::Der, 0);
    walk(data, Rules::Ber, 0);
});
