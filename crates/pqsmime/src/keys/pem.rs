//! PEM (RFC 7468) reading and writing for key files.
//!
//! Reading accepts text around the block (OpenSSL's `-text` output, comments, several blocks
//! in one file) and picks the first block whose label the caller accepts. Base64 must be
//! strict (RFC 4648 alphabet, correct padding); whitespace inside the block is ignored.
//! Encapsulated headers (RFC 1421 `Proc-Type:`, used by legacy encrypted keys) are refused.

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

const BEGIN: &[u8] = b"-----BEGIN ";
const DASHES: &[u8] = b"-----";

/// Whether `data` looks like PEM rather than DER (a `-----BEGIN ` marker appears).
pub(crate) fn looks_like_pem(data: &[u8]) -> bool {
    find(data, BEGIN).is_some()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// One PEM block: its label and the decoded contents (zeroized on drop: may be a secret).
pub(crate) struct Block {
    pub label: String,
    pub der: Zeroizing<Vec<u8>>,
}

/// Finds and decodes the first block whose label is in `accept`. `what` names the expected
/// content for error messages ("private key", "public key").
pub(crate) fn decode(data: &[u8], accept: &[&str], what: &str) -> Result<Block> {
    let mut pos = 0;
    let mut seen: Vec<String> = Vec::new();
    while let Some(off) = data.get(pos..).and_then(|rest| find(rest, BEGIN)) {
        let label_start = pos + off + BEGIN.len();
        let rest = data.get(label_start..).unwrap_or_default();
        let label_len = find(rest, DASHES)
            .ok_or_else(|| Error::malformed(format!("PEM {what}: unterminated -----BEGIN line")))?;
        let label_bytes = rest.get(..label_len).unwrap_or_default();
        if label_bytes.contains(&b'\n') || label_bytes.len() > 64 {
            return Err(Error::malformed(format!(
                "PEM {what}: malformed -----BEGIN line"
            )));
        }
        let label = String::from_utf8_lossy(label_bytes).into_owned();
        let body_start = label_start + label_len + DASHES.len();
        let end_marker = format!("-----END {label}-----");
        let body_rest = data.get(body_start..).unwrap_or_default();
        let body_len = find(body_rest, end_marker.as_bytes())
            .ok_or_else(|| Error::malformed(format!("PEM {what}: no '{end_marker}' line")))?;
        let body = body_rest.get(..body_len).unwrap_or_default();
        pos = body_start + body_len + end_marker.len();
        if accept.contains(&label.as_str()) {
            if body.contains(&b':') {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "PEM {what} with encapsulated headers (legacy encrypted key); decrypt it \
                     first, e.g. with `openssl pkey -in KEY -out plain.pem`"
                )));
            }
            let der = decode_base64(body, what)?;
            return Ok(Block { label, der });
        }
        seen.push(label);
    }
    if seen.iter().any(|l| l == "ENCRYPTED PRIVATE KEY") {
        return Err(Error::UnsupportedAlgorithm(
            "encrypted PKCS#8 private keys (ENCRYPTED PRIVATE KEY); decrypt it first, e.g. with \
             `openssl pkey -in KEY -out plain.pem`"
                .to_string(),
        ));
    }
    if seen.is_empty() {
        Err(Error::malformed(format!(
            "no PEM block found where a {what} was expected"
        )))
    } else {
        Err(Error::malformed(format!(
            "PEM data holds {} but no {} block",
            seen.iter()
                .map(|l| format!("'{l}'"))
                .collect::<Vec<_>>()
                .join(", "),
            accept
                .iter()
                .map(|l| format!("'{l}'"))
                .collect::<Vec<_>>()
                .join(" or ")
        )))
    }
}

fn decode_base64(body: &[u8], what: &str) -> Result<Zeroizing<Vec<u8>>> {
    let mut compact = Zeroizing::new(Vec::with_capacity(body.len()));
    compact.extend(
        body.iter()
            .copied()
            .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n')),
    );
    let mut out = Zeroizing::new(vec![0u8; compact.len() / 4 * 3 + 3]);
    let len = Base64::decode(compact.as_slice(), out.as_mut_slice())
        .map_err(|_| Error::malformed(format!("PEM {what}: invalid Base64 in the block body")))?
        .len();
    out.truncate(len);
    Ok(out)
}

/// PEM-encodes `der` under `label`, with 64-character lines. The result may hold a secret.
pub(crate) fn encode(label: &str, der: &[u8]) -> Zeroizing<String> {
    let b64_len = der.len().div_ceil(3) * 4;
    let mut b64 = Zeroizing::new(vec![0u8; b64_len]);
    // The buffer has exactly the encoded length, so encoding cannot fail.
    let encoded: &str = Base64::encode(der, b64.as_mut_slice()).unwrap_or_default();
    let mut out = Zeroizing::new(String::with_capacity(
        b64_len + b64_len / 64 + 2 * label.len() + 40,
    ));
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for line in encoded.as_bytes().chunks(64) {
        // Base64 output is ASCII.
        out.push_str(core::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_surrounding_text() {
        let der: Vec<u8> = (0u8..=200).collect();
        let pem = encode("PRIVATE KEY", &der);
        let wrapped = format!("Key: something\n{}\ntrailing text\n", pem.as_str());
        let block = decode(wrapped.as_bytes(), &["PRIVATE KEY"], "private key").unwrap();
        assert_eq!(block.label, "PRIVATE KEY");
        assert_eq!(block.der.as_slice(), der.as_slice());
        assert!(pem.lines().all(|l| l.len() <= 64));
    }

    #[test]
    fn picks_the_accepted_block_and_names_others() {
        let cert = encode("CERTIFICATE", b"cert");
        let key = encode("PUBLIC KEY", b"key");
        let both = format!("{}{}", cert.as_str(), key.as_str());
        let block = decode(both.as_bytes(), &["PUBLIC KEY"], "public key").unwrap();
        assert_eq!(block.der.as_slice(), b"key");
        let err = decode(cert.as_bytes(), &["PUBLIC KEY"], "public key")
            .err()
            .unwrap();
        assert!(err.to_string().contains("'CERTIFICATE'"), "{err}");
    }

    #[test]
    fn refuses_bad_base64_and_encrypted_keys() {
        let bad = b"-----BEGIN PRIVATE KEY-----\nMII*\n-----END PRIVATE KEY-----\n";
        assert!(decode(bad, &["PRIVATE KEY"], "private key").is_err());
        let enc = encode("ENCRYPTED PRIVATE KEY", b"x");
        let err = decode(enc.as_bytes(), &["PRIVATE KEY"], "private key")
            .err()
            .unwrap();
        assert!(err.to_string().contains("encrypted"), "{err}");
        let unterminated = b"-----BEGIN PRIVATE KEY-----\nAAAA\n";
        assert!(decode(unterminated, &["PRIVATE KEY"], "private key").is_err());
    }
}
