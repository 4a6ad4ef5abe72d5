//! PEM (RFC 7468) as the CLI needs it: finding every block in a file for `inspect`, and
//! writing `CMS` output, also as a stream for `sign --format pem` on large inputs.

use std::io::{self, Write};

use base64ct::{Base64, Encoding};

use crate::error::{CliError, CliResult};

/// One decoded PEM block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub label: String,
    pub der: Vec<u8>,
}

/// Whether `data` looks like PEM (possibly after leading text such as `openssl x509 -text`).
pub fn looks_like_pem(data: &[u8]) -> bool {
    find(data, b"-----BEGIN ").is_some()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decodes every PEM block in `data`; text between blocks is ignored (RFC 7468 §2).
pub fn decode_all(data: &[u8]) -> CliResult<Vec<Block>> {
    let text = std::str::from_utf8(data)
        .map_err(|_| CliError::input("PEM input is not valid UTF-8 text"))?;
    let mut blocks = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let line = line.trim_end();
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let mut body = String::new();
        let mut closed = false;
        for (m, l) in lines.by_ref() {
            let l = l.trim();
            if let Some(end) = l
                .strip_prefix("-----END ")
                .and_then(|l| l.strip_suffix("-----"))
            {
                if end != label {
                    return Err(CliError::input(format!(
                        "PEM block '{label}' starting on line {} ends with '{end}' on line {}",
                        n + 1,
                        m + 1
                    )));
                }
                closed = true;
                break;
            }
            if l.contains(':') {
                return Err(CliError::input(format!(
                    "PEM block '{label}' has RFC 1421 headers on line {} (encrypted PEM is not supported)",
                    m + 1
                )));
            }
            body.push_str(l);
        }
        if !closed {
            return Err(CliError::input(format!(
                "PEM block '{label}' starting on line {} has no END line",
                n + 1
            )));
        }
        let der = Base64::decode_vec(&body).map_err(|_| {
            CliError::input(format!(
                "PEM block '{label}' starting on line {} is not valid base64",
                n + 1
            ))
        })?;
        blocks.push(Block {
            label: label.to_string(),
            der,
        });
    }
    Ok(blocks)
}

/// PEM text for `der` with 64-character lines and LF line endings.
pub fn encode(label: &str, der: &[u8]) -> String {
    let mut s = format!("-----BEGIN {label}-----\n");
    for chunk in der.chunks(LINE_BYTES) {
        s.push_str(&Base64::encode_string(chunk));
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----\n"));
    s
}

/// Streams PEM: DER goes in, base64 lines come out.
pub struct PemWriter<W: Write> {
    inner: W,
    label: String,
    pending: Vec<u8>,
}

const LINE_BYTES: usize = 48; // 64 base64 characters

impl<W: Write> PemWriter<W> {
    pub fn new(mut inner: W, label: &str) -> io::Result<Self> {
        writeln!(inner, "-----BEGIN {label}-----")?;
        Ok(PemWriter {
            inner,
            label: label.to_string(),
            pending: Vec::with_capacity(LINE_BYTES),
        })
    }

    fn line(&mut self, chunk: &[u8]) -> io::Result<()> {
        let mut buf = [0u8; 64];
        let s = Base64::encode(chunk, &mut buf)
            .map_err(|_| io::Error::other("base64 encoding failed"))?;
        self.inner.write_all(s.as_bytes())?;
        self.inner.write_all(b"\n")
    }

    /// Writes the last line and the END line; returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        let rest = std::mem::take(&mut self.pending);
        if !rest.is_empty() {
            self.line(&rest)?;
        }
        writeln!(self.inner, "-----END {}-----", self.label)?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for PemWriter<W> {
    fn write(&mut self, mut buf: &[u8]) -> io::Result<usize> {
        let total = buf.len();
        if !self.pending.is_empty() {
            let take = (LINE_BYTES - self.pending.len()).min(buf.len());
            self.pending.extend_from_slice(&buf[..take]);
            buf = &buf[take..];
            if self.pending.len() == LINE_BYTES {
                let full = std::mem::take(&mut self.pending);
                self.line(&full)?;
            }
        }
        while buf.len() >= LINE_BYTES {
            let (chunk, rest) = buf.split_at(LINE_BYTES);
            self.line(chunk)?;
            buf = rest;
        }
        self.pending.extend_from_slice(buf);
        Ok(total)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_line_length() {
        let der: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let pem = encode("CMS", &der);
        assert!(pem.starts_with("-----BEGIN CMS-----\n"));
        assert!(pem.ends_with("-----END CMS-----\n"));
        assert!(pem.lines().all(|l| l.len() <= 64));
        let blocks = decode_all(pem.as_bytes()).unwrap();
        assert_eq!(
            blocks,
            vec![Block {
                label: "CMS".into(),
                der
            }]
        );
    }

    #[test]
    fn streaming_writer_matches_one_shot_for_odd_chunks() {
        let der: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut out = Vec::new();
        let mut w = PemWriter::new(&mut out, "CMS").unwrap();
        for chunk in der.chunks(37) {
            w.write_all(chunk).unwrap();
        }
        w.finish().unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), encode("CMS", &der));
    }

    #[test]
    fn several_blocks_with_text_between_and_crlf() {
        let a = encode("CERTIFICATE", b"first").replace('\n', "\r\n");
        let b = encode("CERTIFICATE", b"second");
        let text = format!("subject=CN=x\r\n{a}junk\n{b}");
        let blocks = decode_all(text.as_bytes()).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[1].der, b"second");
    }

    #[test]
    fn broken_pem_is_reported_with_a_line_number() {
        let err = decode_all(b"-----BEGIN CMS-----\nAAAA\n").unwrap_err();
        assert!(err.message.contains("no END line"), "{}", err.message);
        let err = decode_all(b"-----BEGIN CMS-----\n!!!!\n-----END CMS-----\n").unwrap_err();
        assert!(err.message.contains("line 1"), "{}", err.message);
        let err = decode_all(b"-----BEGIN A-----\nAAAA\n-----END B-----\n").unwrap_err();
        assert!(err.message.contains("ends with 'B'"), "{}", err.message);
    }
}
