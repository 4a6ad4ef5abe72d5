//! A small streaming BER reader over `io::Read`: element headers one at a time, small elements
//! whole (with a size limit), and the end-of-contents bookkeeping for definite and indefinite
//! lengths. Only what the EnvelopedData / AuthEnvelopedData walk needs; everything read whole
//! is then parsed with [`crate::asn1`].

use std::io::Read;

use crate::asn1::MAX_DEPTH;
use crate::error::{Error, Result};

/// An element header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub tag: u8,
    /// `None` for the indefinite form.
    pub len: Option<u64>,
}

/// The extent of an open constructed element.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    /// Absolute end offset for definite lengths; `None` when terminated by end-of-contents.
    end: Option<u64>,
    /// Set once the end-of-contents of an indefinite frame has been consumed, so that asking
    /// again does not consume the parent's.
    done: bool,
}

pub(crate) struct BerReader<R> {
    inner: R,
    pos: u64,
    peeked: Option<u8>,
}

impl<R: Read> BerReader<R> {
    pub fn new(inner: R) -> Self {
        BerReader {
            inner,
            pos: 0,
            peeked: None,
        }
    }

    fn next_byte(&mut self) -> Result<Option<u8>> {
        if let Some(b) = self.peeked.take() {
            self.pos += 1;
            return Ok(Some(b));
        }
        let mut b = [0u8; 1];
        loop {
            match self.inner.read(&mut b) {
                Ok(0) => return Ok(None),
                Ok(_) => {
                    self.pos += 1;
                    return Ok(Some(b[0]));
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::Io(e)),
            }
        }
    }

    fn byte(&mut self, what: &str) -> Result<u8> {
        self.next_byte()?.ok_or_else(|| {
            Error::Malformed(format!(
                "message ends early (truncated) at byte {} while reading {what}",
                self.pos
            ))
        })
    }

    /// The next byte without consuming it; `None` at end of input.
    pub fn peek(&mut self) -> Result<Option<u8>> {
        if self.peeked.is_none() {
            let mut b = [0u8; 1];
            loop {
                match self.inner.read(&mut b) {
                    Ok(0) => return Ok(None),
                    Ok(_) => {
                        self.peeked = Some(b[0]);
                        break;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(Error::Io(e)),
                }
            }
        }
        Ok(self.peeked)
    }

    /// Reads exactly `buf.len()` bytes.
    pub fn read_exact(&mut self, mut buf: &mut [u8], what: &str) -> Result<()> {
        if buf.is_empty() {
            return Ok(());
        }
        if let Some(b) = self.peeked.take() {
            buf[0] = b;
            self.pos += 1;
            buf = &mut buf[1..];
        }
        while !buf.is_empty() {
            match self.inner.read(buf) {
                Ok(0) => {
                    return Err(Error::Malformed(format!(
                        "message ends early (truncated) at byte {} while reading {what}",
                        self.pos
                    )))
                }
                Ok(n) => {
                    self.pos += n as u64;
                    buf = &mut buf[n..];
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::Io(e)),
            }
        }
        Ok(())
    }

    /// Reads an element header. The end-of-contents marker is reported as tag 0.
    pub fn header(&mut self, what: &str) -> Result<Header> {
        let tag = self.byte(what)?;
        if tag & 0x1F == 0x1F {
            return Err(Error::Malformed(format!(
                "{what}: high tag number form (0x{tag:02X}) at byte {}",
                self.pos - 1
            )));
        }
        let first = self.byte(what)?;
        let len = if first < 0x80 {
            Some(u64::from(first))
        } else if first == 0x80 {
            if tag & 0x20 == 0 && tag != 0 {
                return Err(Error::Malformed(format!(
                    "{what}: indefinite length on a primitive element at byte {}",
                    self.pos - 2
                )));
            }
            None
        } else {
            let n = usize::from(first & 0x7F);
            if n > 8 {
                return Err(Error::Limit(format!(
                    "{what}: length field of {n} octets at byte {}",
                    self.pos - 1
                )));
            }
            let mut len = 0u64;
            for _ in 0..n {
                len = (len << 8) | u64::from(self.byte(what)?);
            }
            Some(len)
        };
        if tag == 0 && len != Some(0) {
            return Err(Error::Malformed(format!(
                "{what}: malformed end-of-contents marker at byte {}",
                self.pos - 2
            )));
        }
        Ok(Header { tag, len })
    }

    /// Reads a header and checks its tag.
    pub fn expect(&mut self, tag: u8, what: &str) -> Result<Header> {
        let start = self.pos;
        let h = self.header(what)?;
        if h.tag != tag {
            return Err(Error::Malformed(format!(
                "{what}: expected tag 0x{tag:02X}, found 0x{:02X} at byte {start}",
                h.tag
            )));
        }
        Ok(h)
    }

    /// Opens a constructed element whose header was just read.
    pub fn open(&self, h: &Header, parent: &Frame, what: &str) -> Result<Frame> {
        let end = match h.len {
            Some(l) => {
                let end = self
                    .pos
                    .checked_add(l)
                    .ok_or_else(|| Error::Limit(format!("{what}: length overflows")))?;
                if let Some(pe) = parent.end {
                    if end > pe {
                        return Err(Error::Malformed(format!(
                            "{what}: length runs past its enclosing element"
                        )));
                    }
                }
                Some(end)
            }
            None => None,
        };
        Ok(Frame { end, done: false })
    }

    /// The outermost frame (the whole input).
    pub fn root() -> Frame {
        Frame {
            end: None,
            done: false,
        }
    }

    /// Whether `frame` has no more elements; consumes the end-of-contents of an indefinite
    /// frame when it is reached.
    pub fn at_end(&mut self, frame: &mut Frame, what: &str) -> Result<bool> {
        if frame.done {
            return Ok(true);
        }
        match frame.end {
            Some(end) => {
                if self.pos == end {
                    Ok(true)
                } else if self.pos > end {
                    Err(Error::Malformed(format!(
                        "{what}: contents overrun the declared length"
                    )))
                } else {
                    Ok(false)
                }
            }
            None => match self.peek()? {
                Some(0) => {
                    self.header(what)?;
                    frame.done = true;
                    Ok(true)
                }
                Some(_) => Ok(false),
                None => Err(Error::Malformed(format!(
                    "message ends early (truncated): {what} has no end-of-contents"
                ))),
            },
        }
    }

    /// Like [`BerReader::at_end`] but for an optional element: the tag of the next element, or
    /// `None` at the end of `frame` (consuming an end-of-contents).
    pub fn next_tag(&mut self, frame: &mut Frame, what: &str) -> Result<Option<u8>> {
        if self.at_end(frame, what)? {
            return Ok(None);
        }
        self.peek()?
            .ok_or_else(|| Error::Malformed(format!("message ends early (truncated) in {what}")))
            .map(Some)
    }

    /// Requires `frame` to be finished.
    pub fn close(&mut self, frame: &mut Frame, what: &str) -> Result<()> {
        if self.at_end(frame, what)? {
            Ok(())
        } else {
            Err(Error::Malformed(format!(
                "{what} has unexpected trailing elements at byte {}",
                self.pos
            )))
        }
    }

    /// Reads one complete element (header included) into memory, at most `limit` bytes.
    /// Indefinite-length elements are followed to their end-of-contents, at most
    /// [`MAX_DEPTH`] levels deep.
    pub fn element(&mut self, limit: usize, what: &str) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.element_into(&mut out, limit, 0, what)?;
        Ok(out)
    }

    fn element_into(
        &mut self,
        out: &mut Vec<u8>,
        limit: usize,
        depth: usize,
        what: &str,
    ) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(Error::Limit(format!(
                "{what} is nested more than {MAX_DEPTH} levels deep"
            )));
        }
        let h = self.header(what)?;
        if h.tag == 0 {
            return Err(Error::Malformed(format!(
                "{what}: unexpected end-of-contents at byte {}",
                self.pos - 2
            )));
        }
        push_header(out, &h);
        if out.len() > limit {
            return Err(Error::Limit(format!("{what} is larger than {limit} bytes")));
        }
        match h.len {
            Some(l) => {
                let l = usize::try_from(l)
                    .ok()
                    .filter(|l| out.len().saturating_add(*l) <= limit)
                    .ok_or_else(|| Error::Limit(format!("{what} is larger than {limit} bytes")))?;
                let start = out.len();
                out.resize(start + l, 0);
                self.read_exact(&mut out[start..], what)
            }
            None => loop {
                if self.peek()? == Some(0) {
                    self.header(what)?;
                    out.extend_from_slice(&[0, 0]);
                    if out.len() > limit {
                        return Err(Error::Limit(format!("{what} is larger than {limit} bytes")));
                    }
                    return Ok(());
                }
                self.element_into(out, limit, depth + 1, what)?;
            },
        }
    }

    /// Skips one complete element without keeping it (still bounded in depth).
    pub fn skip_element(&mut self, what: &str) -> Result<()> {
        self.skip_into(0, what)
    }

    fn skip_into(&mut self, depth: usize, what: &str) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(Error::Limit(format!(
                "{what} is nested more than {MAX_DEPTH} levels deep"
            )));
        }
        let h = self.header(what)?;
        if h.tag == 0 {
            return Err(Error::Malformed(format!(
                "{what}: unexpected end-of-contents"
            )));
        }
        match h.len {
            Some(mut l) => {
                let mut buf = [0u8; 4096];
                while l > 0 {
                    let n = l.min(buf.len() as u64) as usize;
                    self.read_exact(&mut buf[..n], what)?;
                    l -= n as u64;
                }
                Ok(())
            }
            None => loop {
                if self.peek()? == Some(0) {
                    self.header(what)?;
                    return Ok(());
                }
                self.skip_into(depth + 1, what)?;
            },
        }
    }

    /// Fails unless the input is exhausted.
    pub fn expect_eof(&mut self) -> Result<()> {
        match self.peek()? {
            None => Ok(()),
            Some(_) => Err(Error::Malformed(format!(
                "unexpected data after the end of the message at byte {}",
                self.pos
            ))),
        }
    }
}

/// Appends a header in the form it was read (definite lengths re-encoded minimally).
fn push_header(out: &mut Vec<u8>, h: &Header) {
    out.push(h.tag);
    match h.len {
        Some(l) => crate::asn1::push_len(out, l as usize),
        None => out.push(0x80),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_indefinite_element_whole() {
        let data = [
            0x30, 0x80, 0x04, 0x01, 0xAA, 0x30, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        ];
        let mut r = BerReader::new(&data[..]);
        let el = r.element(100, "test").unwrap();
        assert_eq!(el, &data[..13]);
        assert_eq!(r.peek().unwrap(), Some(0x01));
        assert!(r.expect_eof().is_err());
    }

    #[test]
    fn limits_and_truncation() {
        let data = [0x04, 0x82, 0x10, 0x00, 0x00];
        let err = BerReader::new(&data[..]).element(100, "x").unwrap_err();
        assert!(matches!(err, Error::Limit(_)));
        let err = BerReader::new(&data[..]).element(10_000, "x").unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 100).flatten().collect();
        let err = BerReader::new(&deep[..]).element(1 << 20, "x").unwrap_err();
        assert!(matches!(err, Error::Limit(_)));
        let err = BerReader::new(&deep[..]).skip_element("x").unwrap_err();
        assert!(matches!(err, Error::Limit(_)));
        // An endless run of empty children inside an indefinite element hits the size limit.
        let mut wide = vec![0x30u8, 0x80];
        wide.extend(std::iter::repeat_n([0x05u8, 0x00], 10_000).flatten());
        let err = BerReader::new(&wide[..]).element(1000, "x").unwrap_err();
        assert!(matches!(err, Error::Limit(_)), "{err}");
    }

    #[test]
    fn frames_track_definite_and_indefinite_ends() {
        let data = [0x30, 0x03, 0x02, 0x01, 0x05, 0x30, 0x80, 0x00, 0x00];
        let mut r = BerReader::new(&data[..]);
        let root = BerReader::<&[u8]>::root();
        let h = r.expect(0x30, "a").unwrap();
        let mut f = r.open(&h, &root, "a").unwrap();
        assert!(!r.at_end(&mut f, "a").unwrap());
        r.skip_element("int").unwrap();
        assert!(r.at_end(&mut f, "a").unwrap());
        let h = r.expect(0x30, "b").unwrap();
        let mut f = r.open(&h, &root, "b").unwrap();
        assert_eq!(r.next_tag(&mut f, "b").unwrap(), None);
        // Asking again must not consume anything more.
        assert_eq!(r.next_tag(&mut f, "b").unwrap(), None);
        r.close(&mut f, "b").unwrap();
        r.expect_eof().unwrap();
    }
}
