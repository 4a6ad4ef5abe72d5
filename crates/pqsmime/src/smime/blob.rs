//! Bytes that may not fit in memory, and the small streaming codecs the message layer needs.
//!
//! A [`Blob`] holds message data in memory up to [`SPILL_THRESHOLD`] and in an anonymous
//! temporary file beyond it, so that a message with a 100 MB attachment is signed, encrypted,
//! verified and decrypted in bounded memory. Memory copies are wiped when dropped (a blob may
//! hold decrypted content).
//!
//! Codecs: [`CanonicalReader`] (bare LF → CRLF on the fly), [`Base64LineWriter`] (76-column
//! CRLF base64, RFC 2045 §6.8) and [`Base64DecodeWriter`] (whitespace-tolerant, strict
//! alphabet).

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Data larger than this goes to a temporary file.
pub const SPILL_THRESHOLD: usize = 4 << 20;
const CHUNK: usize = 64 * 1024;

/// Message bytes in memory or in an anonymous temporary file.
pub struct Blob {
    repr: Repr,
}

enum Repr {
    Memory(Zeroizing<Vec<u8>>),
    File { file: File, start: u64, len: u64 },
}

impl std::fmt::Debug for Blob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.repr {
            Repr::Memory(v) => write!(f, "Blob(memory, {} bytes)", v.len()),
            Repr::File { len, .. } => write!(f, "Blob(file, {len} bytes)"),
        }
    }
}

impl Blob {
    /// A blob holding `data`.
    pub fn from_vec(data: Vec<u8>) -> Blob {
        Blob {
            repr: Repr::Memory(Zeroizing::new(data)),
        }
    }

    /// A blob reading an open file from its current length (the file is not copied).
    pub fn from_file(file: File) -> Result<Blob> {
        let len = file.metadata()?.len();
        Ok(Blob {
            repr: Repr::File {
                file,
                start: 0,
                len,
            },
        })
    }

    /// Copies everything `input` yields into a new blob (spilling to a file when large).
    pub fn read_from<R: Read>(mut input: R) -> Result<Blob> {
        let mut w = BlobWriter::new();
        copy(&mut input, &mut w)?;
        w.finish()
    }

    pub fn len(&self) -> u64 {
        match &self.repr {
            Repr::Memory(v) => v.len() as u64,
            Repr::File { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes, when the blob is in memory.
    pub fn as_slice(&self) -> Option<&[u8]> {
        match &self.repr {
            Repr::Memory(v) => Some(v),
            Repr::File { .. } => None,
        }
    }

    /// Reads the whole blob.
    pub fn reader(&self) -> BlobReader<'_> {
        self.range(0, self.len())
    }

    /// Reads bytes `start..end` (clamped to the blob).
    pub fn range(&self, start: u64, end: u64) -> BlobReader<'_> {
        let end = end.min(self.len());
        let start = start.min(end);
        match &self.repr {
            Repr::Memory(v) => BlobReader {
                src: Src::Memory(v),
                pos: start,
                end,
            },
            Repr::File {
                file, start: base, ..
            } => BlobReader {
                src: Src::File(file),
                pos: base + start,
                end: base + end,
            },
        }
    }

    /// The first `n` bytes (fewer if the blob is shorter).
    pub fn prefix(&self, n: usize) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(n.min(self.len() as usize));
        self.range(0, n as u64).read_to_end(&mut out)?;
        Ok(out)
    }

    /// The bytes `start..end`, in memory.
    pub fn slice_to_vec(&self, start: u64, end: u64, limit: usize, what: &str) -> Result<Vec<u8>> {
        if end.saturating_sub(start) > limit as u64 {
            return Err(Error::Limit(format!(
                "{what} is larger than {} MiB",
                limit >> 20
            )));
        }
        let mut out = Vec::new();
        self.range(start, end).read_to_end(&mut out)?;
        Ok(out)
    }

    /// The whole blob in memory, refusing blobs larger than `limit` with an error naming `what`.
    pub fn to_vec(&self, limit: usize, what: &str) -> Result<Zeroizing<Vec<u8>>> {
        Ok(Zeroizing::new(self.slice_to_vec(
            0,
            self.len(),
            limit,
            what,
        )?))
    }

    /// A new blob holding bytes `start..end` of this one.
    pub fn sub_blob(&self, start: u64, end: u64) -> Result<Blob> {
        Blob::read_from(self.range(start, end))
    }

    /// Writes the whole blob to `out`.
    pub fn copy_to<W: Write + ?Sized>(&self, out: &mut W) -> Result<u64> {
        let mut r = self.reader();
        copy(&mut r, out)
    }
}

/// Copies `input` to `out` in 64 KiB chunks; returns the byte count.
pub fn copy<R: Read + ?Sized, W: Write + ?Sized>(input: &mut R, out: &mut W) -> Result<u64> {
    let mut buf = Zeroizing::new(vec![0u8; CHUNK]);
    let mut total = 0u64;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Io(e)),
        };
        out.write_all(&buf[..n])?;
        total += n as u64;
    }
    Ok(total)
}

enum Src<'a> {
    Memory(&'a [u8]),
    File(&'a File),
}

/// Reads a byte range of a [`Blob`].
pub struct BlobReader<'a> {
    src: Src<'a>,
    pos: u64,
    end: u64,
}

impl Read for BlobReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.end.saturating_sub(self.pos);
        if left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = match &mut self.src {
            Src::Memory(data) => {
                let start = usize::try_from(self.pos).unwrap_or(usize::MAX);
                let avail = data.get(start..).unwrap_or(&[]);
                let n = want.min(avail.len());
                buf[..n].copy_from_slice(&avail[..n]);
                n
            }
            Src::File(file) => {
                // Several readers may share one file: position explicitly before each read.
                let mut f: &File = file;
                f.seek(SeekFrom::Start(self.pos))?;
                f.read(&mut buf[..want])?
            }
        };
        self.pos += n as u64;
        Ok(n)
    }
}

/// Collects bytes in memory, moving them to an anonymous temporary file past
/// [`SPILL_THRESHOLD`].
pub struct BlobWriter {
    mem: Zeroizing<Vec<u8>>,
    file: Option<BufWriter<File>>,
    len: u64,
    threshold: usize,
}

impl Default for BlobWriter {
    fn default() -> Self {
        BlobWriter::new()
    }
}

impl BlobWriter {
    pub fn new() -> BlobWriter {
        BlobWriter::with_threshold(SPILL_THRESHOLD)
    }

    /// A writer that spills past `threshold` bytes (tests use small thresholds).
    pub fn with_threshold(threshold: usize) -> BlobWriter {
        BlobWriter {
            mem: Zeroizing::new(Vec::new()),
            file: None,
            len: 0,
            threshold,
        }
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The finished blob.
    pub fn finish(self) -> Result<Blob> {
        match self.file {
            None => Ok(Blob {
                repr: Repr::Memory(self.mem),
            }),
            Some(w) => {
                let file = w.into_inner().map_err(|e| Error::Io(e.into_error()))?;
                Ok(Blob {
                    repr: Repr::File {
                        file,
                        start: 0,
                        len: self.len,
                    },
                })
            }
        }
    }
}

impl Write for BlobWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if let Some(f) = self.file.as_mut() {
            f.write_all(data)?;
        } else if self.mem.len() + data.len() > self.threshold {
            let mut f = BufWriter::with_capacity(CHUNK, tempfile::tempfile()?);
            f.write_all(&self.mem)?;
            f.write_all(data)?;
            self.mem = Zeroizing::new(Vec::new());
            self.file = Some(f);
        } else {
            self.mem.extend_from_slice(data);
        }
        self.len += data.len() as u64;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.file.as_mut() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

/// Turns every bare LF into CRLF while reading (RFC 8551 §3.1.1 canonical line endings).
pub struct CanonicalReader<R: Read> {
    inner: R,
    prev: u8,
    pending_lf: bool,
    buf: Vec<u8>,
}

impl<R: Read> CanonicalReader<R> {
    pub fn new(inner: R) -> CanonicalReader<R> {
        CanonicalReader {
            inner,
            prev: 0,
            pending_lf: false,
            buf: vec![0u8; CHUNK / 2],
        }
    }
}

impl<R: Read> Read for CanonicalReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let mut n = 0;
        if self.pending_lf {
            out[0] = b'\n';
            self.pending_lf = false;
            self.prev = b'\n';
            n = 1;
        }
        // Read at most half the room, so every LF can gain a CR.
        let room = (out.len() - n) / 2;
        if room == 0 {
            if n > 0 {
                return Ok(n);
            }
            // A one-byte buffer: read one byte and hold back a LF if it needs a CR first.
            let mut one = [0u8; 1];
            let got = self.inner.read(&mut one)?;
            if got == 0 {
                return Ok(0);
            }
            if one[0] == b'\n' && self.prev != b'\r' {
                out[0] = b'\r';
                self.pending_lf = true;
                self.prev = b'\r';
            } else {
                out[0] = one[0];
                self.prev = one[0];
            }
            return Ok(1);
        }
        let want = room.min(self.buf.len());
        let got = loop {
            match self.inner.read(&mut self.buf[..want]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        for &b in &self.buf[..got] {
            if b == b'\n' && self.prev != b'\r' {
                out[n] = b'\r';
                n += 1;
            }
            out[n] = b;
            n += 1;
            self.prev = b;
        }
        Ok(n)
    }
}

/// Writes base64 in 76-character lines, each ending in CRLF.
pub struct Base64LineWriter<W: Write> {
    out: W,
    pending: Vec<u8>,
}

/// Input bytes per 76-character output line.
const B64_LINE_BYTES: usize = 57;

impl<W: Write> Base64LineWriter<W> {
    pub fn new(out: W) -> Base64LineWriter<W> {
        Base64LineWriter {
            out,
            pending: Vec::with_capacity(B64_LINE_BYTES * 64),
        }
    }

    fn emit_full_lines(&mut self) -> io::Result<()> {
        let full = self.pending.len() / B64_LINE_BYTES * B64_LINE_BYTES;
        if full == 0 {
            return Ok(());
        }
        let mut text = Vec::with_capacity(full / 57 * 78);
        let mut line = [0u8; 76];
        for chunk in self.pending[..full].chunks(B64_LINE_BYTES) {
            let enc = Base64::encode(chunk, &mut line).map_err(|_| io::Error::other("base64"))?;
            text.extend_from_slice(enc.as_bytes());
            text.extend_from_slice(b"\r\n");
        }
        self.out.write_all(&text)?;
        self.pending.drain(..full);
        Ok(())
    }

    /// Writes the last (short) line and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.emit_full_lines()?;
        if !self.pending.is_empty() {
            let enc = Base64::encode_string(&self.pending);
            self.out.write_all(enc.as_bytes())?;
            self.out.write_all(b"\r\n")?;
            self.pending.clear();
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for Base64LineWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(data);
        if self.pending.len() >= B64_LINE_BYTES * 64 {
            self.emit_full_lines()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Decodes base64 text written to it (whitespace ignored, padding only at the end).
pub struct Base64DecodeWriter<W: Write> {
    out: W,
    quad: Vec<u8>,
    finished: bool,
}

impl<W: Write> Base64DecodeWriter<W> {
    pub fn new(out: W) -> Base64DecodeWriter<W> {
        Base64DecodeWriter {
            out,
            quad: Vec::with_capacity(4096),
            finished: false,
        }
    }

    fn decode_ready(&mut self, all: bool) -> Result<()> {
        let usable = if all {
            self.quad.len()
        } else {
            self.quad.len() / 4 * 4
        };
        if usable == 0 {
            return Ok(());
        }
        if all && usable % 4 != 0 {
            return Err(Error::malformed(
                "the base64 body is truncated (its length is not a multiple of four)",
            ));
        }
        let decoded = Base64::decode_vec(
            std::str::from_utf8(&self.quad[..usable])
                .map_err(|_| Error::malformed("the base64 body is not valid base64"))?,
        )
        .map_err(|_| Error::malformed("the base64 body is not valid base64"))?;
        if self.quad[..usable].contains(&b'=') {
            self.finished = true;
        }
        self.out.write_all(&decoded)?;
        self.quad.drain(..usable);
        Ok(())
    }

    /// Feeds base64 text.
    pub fn feed(&mut self, text: &[u8]) -> Result<()> {
        for &b in text {
            if b.is_ascii_whitespace() {
                continue;
            }
            if self.finished {
                return Err(Error::malformed(
                    "the base64 body continues after its padding",
                ));
            }
            if !(b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=') {
                return Err(Error::malformed(format!(
                    "the base64 body contains the character 0x{b:02X}, which base64 does not use"
                )));
            }
            self.quad.push(b);
            if self.quad.len() >= 4096 {
                self.decode_ready(false)?;
            }
        }
        Ok(())
    }

    /// Decodes what is left and returns the inner writer.
    pub fn finish(mut self) -> Result<W> {
        self.decode_ready(true)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Decodes base64 `text` from a reader into a new blob.
pub fn decode_base64_to_blob<R: Read>(mut text: R) -> Result<Blob> {
    let mut dec = Base64DecodeWriter::new(BlobWriter::new());
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match text.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Io(e)),
        };
        dec.feed(&buf[..n])?;
    }
    dec.finish()?.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_spills_to_a_file_and_reads_back_ranges() {
        let mut w = BlobWriter::with_threshold(10);
        w.write_all(b"0123456789").unwrap();
        w.write_all(b"abcdefghij").unwrap();
        let b = w.finish().unwrap();
        assert!(b.as_slice().is_none(), "should have spilled");
        assert_eq!(b.len(), 20);
        assert_eq!(b.prefix(4).unwrap(), b"0123");
        assert_eq!(b.slice_to_vec(8, 12, 100, "x").unwrap(), b"89ab");
        let mut all = Vec::new();
        b.reader().read_to_end(&mut all).unwrap();
        assert_eq!(all, b"0123456789abcdefghij");
        assert!(b.to_vec(5, "the part").is_err());
        let sub = b.sub_blob(10, 13).unwrap();
        assert_eq!(sub.as_slice(), Some(&b"abc"[..]));
    }

    #[test]
    fn canonical_reader_adds_cr_once() {
        for input in [
            &b"a\nb\r\nc\n\n"[..],
            b"\n",
            b"no newline",
            b"\r\n\r\n",
            b"x\ry\n",
        ] {
            let want = crate::smime::canonicalize(input);
            // Tiny output buffers exercise the held-back LF.
            for size in [1usize, 2, 3, 7, 4096] {
                let mut r = CanonicalReader::new(input);
                let mut got = Vec::new();
                let mut buf = vec![0u8; size];
                loop {
                    let n = r.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
                assert_eq!(got, want, "input {input:?} buffer {size}");
            }
        }
    }

    #[test]
    fn base64_lines_and_decoding_round_trip() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut w = Base64LineWriter::new(Vec::new());
        for chunk in data.chunks(13) {
            w.write_all(chunk).unwrap();
        }
        let text = w.finish().unwrap();
        for line in text.split(|b| *b == b'\n') {
            assert!(line.len() <= 77, "line of {} bytes", line.len());
        }
        assert!(text.ends_with(b"\r\n"));
        let blob = decode_base64_to_blob(&text[..]).unwrap();
        assert_eq!(blob.as_slice(), Some(&data[..]));
        assert!(decode_base64_to_blob(&b"QUJD\r\nRA==\r\nQQ=="[..]).is_err());
        assert!(decode_base64_to_blob(&b"QUJ*"[..]).is_err());
        assert!(decode_base64_to_blob(&b"QUJDR"[..]).is_err());
    }
}
