//! Recognising an encrypted input and turning it into a stream of CMS bytes, without reading
//! it into memory: an S/MIME entity or whole message (header section, then a base64 or binary
//! `application/pkcs7-mime` body), PEM (`CMS`, `PKCS7`) or DER/BER.
//!
//! Only the header section (at most 256 KiB) and one PEM line are held in memory; bodies are
//! decoded on the fly by [`Base64Reader`] as the CMS parser pulls bytes.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read};

use base64ct::{Base64, Encoding};
use pqsmime::smime::{ContentType, HeaderSection};
use pqsmime::{Error, Result};

/// Largest header section read before the body.
const MAX_HEADER: usize = 256 * 1024;
/// Longest PEM BEGIN/END line accepted.
const MAX_PEM_LINE: usize = 256;
/// Base64 characters decoded per batch.
const BATCH: usize = 16 * 1024;

/// How the encrypted input was framed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Form {
    /// An `application/pkcs7-mime` entity (possibly a whole message).
    Smime {
        /// The `smime-type` parameter, as written.
        smime_type: Option<String>,
        /// `Content-Transfer-Encoding: base64` (otherwise the body is binary).
        base64: bool,
    },
    /// PEM with this label (`CMS` or `PKCS7`).
    Pem(String),
    /// DER or BER.
    Der,
}

impl Form {
    /// `smime`, `pem` or `der`, as in `--format`.
    pub fn name(&self) -> &'static str {
        match self {
            Form::Smime { .. } => "smime",
            Form::Pem(_) => "pem",
            Form::Der => "der",
        }
    }
}

/// An encrypted input whose framing has been read: [`Encrypted::reader`] yields the CMS
/// ContentInfo bytes.
pub struct Encrypted<R: Read> {
    pub form: Form,
    /// The header section of an S/MIME input (for a whole message: From, To, Subject, ...).
    pub header: Option<HeaderSection>,
    pub reader: CmsReader<R>,
}

/// The CMS bytes of an input: passed through (DER/BER, binary MIME bodies) or base64-decoded
/// (PEM, base64 MIME bodies).
pub enum CmsReader<R: Read> {
    Raw(BufReader<R>),
    Base64(Base64Reader<BufReader<R>>),
}

impl<R: Read> Read for CmsReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            CmsReader::Raw(r) => r.read(buf),
            CmsReader::Base64(r) => r.read(buf),
        }
    }
}

/// A problem in the framing found while streaming; travels inside an `io::Error` and is
/// turned back into [`Error::Malformed`] by [`decode_error`].
#[derive(Debug)]
pub struct FramingError(pub String);

impl fmt::Display for FramingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FramingError {}

fn framing(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, FramingError(msg.into()))
}

/// Turns an I/O error that carries a [`FramingError`] back into a malformed-input error;
/// other errors are returned unchanged.
pub fn decode_error(e: Error) -> Error {
    match e {
        Error::Io(io) => match io.get_ref().and_then(|x| x.downcast_ref::<FramingError>()) {
            Some(f) => Error::Malformed(f.0.clone()),
            None => Error::Io(io),
        },
        other => other,
    }
}

/// Reads the framing of `input` and returns the CMS stream inside.
pub fn open<R: Read>(input: R) -> Result<Encrypted<R>> {
    let mut r = BufReader::with_capacity(64 * 1024, input);
    // Leading white space (a blank line before PEM, say) is not part of anything.
    loop {
        let buf = fill(&mut r)?;
        if buf.is_empty() {
            return Err(malformed("the input is empty"));
        }
        let ws = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
        if ws == 0 {
            break;
        }
        r.consume(ws);
    }
    let first = fill(&mut r)?.first().copied().unwrap_or(0);
    if first == 0x30 {
        return Ok(Encrypted {
            form: Form::Der,
            header: None,
            reader: CmsReader::Raw(r),
        });
    }
    if fill(&mut r)?.starts_with(b"-----") {
        let line = read_line(&mut r, MAX_PEM_LINE, "the PEM BEGIN line")?;
        let text = String::from_utf8_lossy(trim_eol(&line)).into_owned();
        let label = text
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
            .ok_or_else(|| {
                malformed("the input starts with '-----' but not with a PEM BEGIN line")
            })?
            .to_string();
        if !matches!(label.as_str(), "CMS" | "PKCS7") {
            return Err(Error::Malformed(format!(
                "PEM block '{label}' is not a CMS message (expected CMS or PKCS7)"
            )));
        }
        return Ok(Encrypted {
            form: Form::Pem(label.clone()),
            header: None,
            reader: CmsReader::Base64(Base64Reader::new(r, Some(label))),
        });
    }
    open_mime(r)
}

fn open_mime<R: Read>(mut r: BufReader<R>) -> Result<Encrypted<R>> {
    let head = read_header_section(&mut r)?;
    let not_smime = || {
        malformed("the input is neither DER, PEM nor an S/MIME message (no MIME header section)")
    };
    let (section, _) = HeaderSection::parse(&head).map_err(|_| not_smime())?;
    if section.fields.is_empty() {
        return Err(not_smime());
    }
    let ct_value = section.value("content-type").ok_or_else(|| {
        malformed("the input has a header section but no Content-Type; it is not an S/MIME message")
    })?;
    let ct = ContentType::parse(&ct_value);
    match ct.mime_type.as_str() {
        "application/pkcs7-mime" | "application/x-pkcs7-mime" => {}
        "multipart/signed" => {
            return Err(malformed(
                "the input is a signed message (multipart/signed), not an encrypted one; use pqsmime verify",
            ))
        }
        other => {
            return Err(Error::Malformed(format!(
                "the input is a '{other}' entity, not an encrypted S/MIME message (application/pkcs7-mime)"
            )))
        }
    }
    let smime_type = ct.param("smime-type");
    if let Some(t) = &smime_type {
        match t.to_ascii_lowercase().as_str() {
            "signed-data" | "certs-only" => {
                return Err(Error::Malformed(format!(
                    "the input is application/pkcs7-mime with smime-type={t}, not an encrypted message; use pqsmime verify"
                )))
            }
            "compressed-data" => {
                return Err(Error::UnsupportedAlgorithm(
                    "the input is compressed-data (RFC 3274), which pqsmime does not read".into(),
                ))
            }
            _ => {}
        }
    }
    let cte = section
        .value("content-transfer-encoding")
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let base64 = match cte.as_str() {
        "base64" => true,
        "" | "binary" | "7bit" | "8bit" => false,
        other => {
            return Err(Error::Malformed(format!(
                "the application/pkcs7-mime body has Content-Transfer-Encoding '{other}'; S/MIME uses base64 or binary"
            )))
        }
    };
    let reader = if base64 {
        CmsReader::Base64(Base64Reader::new(r, None))
    } else {
        CmsReader::Raw(r)
    };
    Ok(Encrypted {
        form: Form::Smime { smime_type, base64 },
        header: Some(section),
        reader,
    })
}

fn malformed(msg: impl Into<String>) -> Error {
    Error::Malformed(msg.into())
}

fn fill<R: Read>(r: &mut BufReader<R>) -> Result<&[u8]> {
    loop {
        match r.fill_buf() {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Io(e)),
        }
    }
    // Buffered now (or at the end): this does not read again.
    r.fill_buf().map_err(Error::Io)
}

/// One line including its end, at most `max` bytes.
fn read_line<R: BufRead>(r: &mut R, max: usize, what: &str) -> Result<Vec<u8>> {
    let mut line = Vec::new();
    r.by_ref()
        .take(max as u64 + 1)
        .read_until(b'\n', &mut line)?;
    if line.len() > max {
        return Err(Error::Malformed(format!(
            "{what} is longer than {max} bytes"
        )));
    }
    Ok(line)
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Reads up to and including the empty line that ends the header section.
fn read_header_section<R: BufRead>(r: &mut R) -> Result<Vec<u8>> {
    let mut head = Vec::new();
    loop {
        let start = head.len();
        let room = (MAX_HEADER + 2).saturating_sub(start) as u64;
        let n = r.by_ref().take(room).read_until(b'\n', &mut head)?;
        if n == 0 {
            return Err(malformed(
                "the S/MIME message ends inside its header section (no body)",
            ));
        }
        let line = &head[start..];
        if line == b"\n" || line == b"\r\n" {
            return Ok(head);
        }
        if start == 0 && !line.starts_with(b"From ") && !looks_like_field(line) {
            return Err(malformed(
                "the input is neither DER, PEM nor an S/MIME message",
            ));
        }
        if head.len() > MAX_HEADER {
            return Err(Error::Limit(format!(
                "the header section is larger than {} KiB",
                MAX_HEADER >> 10
            )));
        }
    }
}

/// `Name:` with a printable ASCII name.
fn looks_like_field(line: &[u8]) -> bool {
    match line.iter().position(|b| *b == b':') {
        None | Some(0) => false,
        Some(c) => line[..c].iter().all(|b| (0x21..=0x7E).contains(b)),
    }
}

/// Decodes base64 text as it is read: white space is skipped, the alphabet is strict, `=`
/// padding may only end the text. With a PEM label, the text ends at the matching
/// `-----END label-----` line; without one, at the end of the input.
pub struct Base64Reader<R: BufRead> {
    inner: R,
    pem_label: Option<String>,
    /// Base64 characters not yet decoded (always fewer than 4 after a batch).
    text: Vec<u8>,
    /// Decoded bytes not yet returned.
    out: Vec<u8>,
    out_pos: usize,
    /// Padding was seen: only white space (or the END line) may follow.
    padded: bool,
    at_line_start: bool,
    done: bool,
    /// Offset in the input text, for messages.
    offset: u64,
}

impl<R: BufRead> Base64Reader<R> {
    pub fn new(inner: R, pem_label: Option<String>) -> Base64Reader<R> {
        Base64Reader {
            inner,
            pem_label,
            text: Vec::with_capacity(BATCH + 4),
            out: Vec::with_capacity(BATCH / 4 * 3),
            out_pos: 0,
            padded: false,
            at_line_start: true,
            done: false,
            offset: 0,
        }
    }

    fn what(&self) -> &'static str {
        if self.pem_label.is_some() {
            "the PEM text"
        } else {
            "the base64 body"
        }
    }

    /// Decodes the complete quads gathered so far (all of them at the end).
    fn decode(&mut self, last: bool) -> io::Result<()> {
        let usable = if last {
            self.text.len()
        } else {
            self.text.len() / 4 * 4
        };
        if last && usable % 4 != 0 {
            return Err(framing(format!(
                "{} is truncated (its length is not a multiple of four characters)",
                self.what()
            )));
        }
        if usable == 0 {
            return Ok(());
        }
        self.out.clear();
        self.out_pos = 0;
        self.out.resize(usable / 4 * 3, 0);
        let what = self.what();
        let src = &self.text[..usable];
        let n = Base64::decode(src, &mut self.out)
            .map_err(|_| framing(format!("{what} is not valid base64")))?
            .len();
        self.out.truncate(n);
        self.text.drain(..usable);
        Ok(())
    }

    /// Reads the END line after a `-` at the start of a line.
    fn pem_end(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        self.inner
            .by_ref()
            .take(MAX_PEM_LINE as u64)
            .read_until(b'\n', &mut line)?;
        let text = String::from_utf8_lossy(trim_eol(&line))
            .trim_end()
            .to_string();
        let label = self.pem_label.as_deref().unwrap_or_default();
        if text != format!("-----END {label}-----") {
            return Err(framing(format!(
                "the PEM text ends with '{}', not '-----END {label}-----'",
                crate::error::sanitize(&text.chars().take(60).collect::<String>())
            )));
        }
        self.done = true;
        Ok(())
    }

    /// Pulls more text from the input and decodes it; returns false at the end.
    fn refill(&mut self) -> io::Result<bool> {
        while !self.done {
            let buf = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                if self.pem_label.is_some() {
                    return Err(framing("the PEM text has no END line (truncated)"));
                }
                self.done = true;
                break;
            }
            let mut used = 0;
            let mut end_line = false;
            for &b in buf {
                if b == b'-' && self.at_line_start && self.pem_label.is_some() {
                    end_line = true;
                    break;
                }
                used += 1;
                self.at_line_start = b == b'\n';
                if b.is_ascii_whitespace() {
                    continue;
                }
                let at = self.offset + used as u64 - 1;
                if self.padded && b != b'=' {
                    return Err(framing(format!(
                        "{} continues after its '=' padding (at character {at})",
                        self.what()
                    )));
                }
                if b == b'=' {
                    self.padded = true;
                } else if !(b.is_ascii_alphanumeric() || b == b'+' || b == b'/') {
                    return Err(framing(format!(
                        "{} contains the byte 0x{b:02X} at character {at}, which base64 does not use",
                        self.what()
                    )));
                }
                self.text.push(b);
                if self.text.len() >= BATCH {
                    break;
                }
            }
            self.inner.consume(used);
            self.offset += used as u64;
            if end_line {
                self.pem_end()?;
                break;
            }
            if self.text.len() >= BATCH {
                self.decode(false)?;
                if self.out.len() > self.out_pos {
                    return Ok(true);
                }
            }
        }
        // The end: decode the rest, padding included.
        self.decode(true)?;
        Ok(self.out.len() > self.out_pos)
    }
}

impl<R: BufRead> Read for Base64Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.out_pos >= self.out.len() && !self.refill()? {
            return Ok(0);
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all<R: Read>(mut r: R) -> std::result::Result<Vec<u8>, Error> {
        let mut v = Vec::new();
        r.read_to_end(&mut v)
            .map_err(|e| decode_error(Error::Io(e)))?;
        Ok(v)
    }

    fn b64_lines(data: &[u8], width: usize, eol: &str) -> String {
        let text = Base64::encode_string(data);
        let mut s = String::new();
        for chunk in text.as_bytes().chunks(width) {
            s.push_str(std::str::from_utf8(chunk).unwrap());
            s.push_str(eol);
        }
        s
    }

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn base64_reader_round_trips_across_batches_and_line_shapes() {
        for len in [0usize, 1, 2, 3, 57, 12_287, 12_288, 100_000] {
            let d = data(len);
            for (width, eol) in [(76, "\r\n"), (64, "\n"), (1_000_000, "")] {
                let text = b64_lines(&d, width, eol);
                // A tiny BufReader capacity exercises refills in the middle of lines.
                let r = Base64Reader::new(BufReader::with_capacity(7, text.as_bytes()), None);
                assert_eq!(read_all(r).unwrap(), d, "len {len} width {width}");
            }
        }
    }

    #[test]
    fn base64_reader_rejects_bad_text_with_a_sentence() {
        let cases: [(&[u8], &str); 4] = [
            (
                b"QUJD\r\nRA==\r\nQQ==\r\n",
                "continues after its '=' padding",
            ),
            (b"QUJ*", "0x2A"),
            (b"QUJDR", "truncated"),
            (b"QUJDRA=A", "continues after"),
        ];
        for (text, want) in cases {
            let r = Base64Reader::new(BufReader::new(text), None);
            let err = read_all(r).unwrap_err();
            assert!(matches!(err, Error::Malformed(_)), "{err}");
            assert!(err.to_string().contains(want), "{text:?}: {err}");
        }
    }

    #[test]
    fn pem_is_detected_and_stops_at_its_end_line() {
        let d = data(5000);
        let text = format!(
            "\n-----BEGIN CMS-----\n{}-----END CMS-----\ntrailing text\n",
            b64_lines(&d, 64, "\n")
        );
        let e = open(text.as_bytes()).unwrap();
        assert_eq!(e.form, Form::Pem("CMS".into()));
        assert_eq!(read_all(e.reader).unwrap(), d);

        let wrong = format!(
            "-----BEGIN CMS-----\n{}-----END PKCS7-----\n",
            b64_lines(&d, 64, "\n")
        );
        let err = read_all(open(wrong.as_bytes()).unwrap().reader).unwrap_err();
        assert!(err.to_string().contains("END PKCS7"), "{err}");

        let cut = format!("-----BEGIN CMS-----\n{}", b64_lines(&d, 64, "\n"));
        let err = read_all(open(cut.as_bytes()).unwrap().reader).unwrap_err();
        assert!(err.to_string().contains("no END line"), "{err}");

        let cert = "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n";
        let err = open(cert.as_bytes()).err().unwrap();
        assert!(
            err.to_string()
                .contains("'CERTIFICATE' is not a CMS message"),
            "{err}"
        );
    }

    #[test]
    fn mime_entities_and_whole_messages_are_detected() {
        let d = data(3000);
        let entity = format!(
            "Content-Type: application/pkcs7-mime; smime-type=authEnveloped-data;\r\n name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
            b64_lines(&d, 76, "\r\n")
        );
        let e = open(entity.as_bytes()).unwrap();
        assert_eq!(
            e.form,
            Form::Smime {
                smime_type: Some("authEnveloped-data".into()),
                base64: true
            }
        );
        assert!(!e.header.as_ref().unwrap().has_message_fields());
        assert_eq!(read_all(e.reader).unwrap(), d);

        let message = format!(
            "From: a@example.com\nTo: b@example.com\nSubject: [...]\nMIME-Version: 1.0\n{}",
            entity.replace("\r\n", "\n")
        );
        let e = open(message.as_bytes()).unwrap();
        assert!(e.header.as_ref().unwrap().has_message_fields());
        assert_eq!(read_all(e.reader).unwrap(), d);

        let mut binary =
            b"Content-Type: application/pkcs7-mime\r\nContent-Transfer-Encoding: binary\r\n\r\n"
                .to_vec();
        binary.extend_from_slice(&d);
        let e = open(&binary[..]).unwrap();
        assert_eq!(read_all(e.reader).unwrap(), d);
    }

    #[test]
    fn inputs_that_are_not_encrypted_messages_get_a_sentence() {
        let cases: [(&[u8], &str); 7] = [
            (b"", "empty"),
            (b"  \r\n ", "empty"),
            (b"hello world\n", "neither DER, PEM nor an S/MIME message"),
            (b"Content-Type: multipart/signed; boundary=x\r\n\r\n", "use pqsmime verify"),
            (b"Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n\r\nMA==", "use pqsmime verify"),
            (b"Content-Type: text/plain\r\n\r\nhi", "'text/plain'"),
            (b"Content-Type: application/pkcs7-mime\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", "quoted-printable"),
        ];
        for (input, want) in cases {
            let err = open(input)
                .err()
                .unwrap_or_else(|| panic!("{input:?} accepted"));
            assert!(err.to_string().contains(want), "{input:?}: {err}");
        }
        let huge = format!("X-A: {}\r\n", "a".repeat(MAX_HEADER + 10));
        let err = open(huge.as_bytes()).err().unwrap();
        assert!(matches!(err, Error::Limit(_)), "{err}");
    }

    #[test]
    fn der_passes_through() {
        let der = [0x30u8, 0x80, 1, 2, 3, 0, 0];
        let e = open(&der[..]).unwrap();
        assert_eq!(e.form, Form::Der);
        assert_eq!(read_all(e.reader).unwrap(), der);
    }
}
