//! A small, bounded BER/DER reader and DER writer for the parts of CMS that upstream types
//! cannot carry (raw byte spans for hashing, BER indefinite lengths, streaming headers).
//!
//! The reader works on borrowed slices and never allocates except to join the segments of a
//! BER constructed OCTET STRING. It enforces:
//! * single-octet tags only (CMS and X.509 never need high tag numbers);
//! * in DER mode: definite, minimally encoded lengths;
//! * in BER mode: indefinite lengths only on constructed encodings, nested at most
//!   [`MAX_DEPTH`] levels deep, so hostile input cannot recurse without bound.

use std::borrow::Cow;

use const_oid::ObjectIdentifier;

use crate::error::{Error, Result};

/// Deepest nesting of indefinite-length or constructed encodings the reader follows.
pub const MAX_DEPTH: usize = 32;

pub const TAG_BOOLEAN: u8 = 0x01;
pub const TAG_INTEGER: u8 = 0x02;
pub const TAG_BIT_STRING: u8 = 0x03;
pub const TAG_OCTET_STRING: u8 = 0x04;
pub const TAG_NULL: u8 = 0x05;
pub const TAG_OID: u8 = 0x06;
pub const TAG_UTF8_STRING: u8 = 0x0C;
pub const TAG_PRINTABLE_STRING: u8 = 0x13;
pub const TAG_IA5_STRING: u8 = 0x16;
pub const TAG_UTC_TIME: u8 = 0x17;
pub const TAG_GENERALIZED_TIME: u8 = 0x18;
pub const TAG_SEQUENCE: u8 = 0x30;
pub const TAG_SET: u8 = 0x31;

/// Encoding rules a [`Reader`] enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rules {
    Der,
    Ber,
}

/// One element: tag, contents and the full encoding.
#[derive(Clone, Copy, Debug)]
pub struct Tlv<'a> {
    pub tag: u8,
    /// The contents octets (for indefinite length: everything before the end-of-contents).
    pub value: &'a [u8],
    /// The complete encoding, header and (for indefinite length) the end-of-contents octets.
    pub raw: &'a [u8],
    pub indefinite: bool,
}

impl<'a> Tlv<'a> {
    pub fn is_constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }

    /// A reader over this element's contents with the same rules.
    pub fn reader(&self, rules: Rules) -> Reader<'a> {
        Reader {
            data: self.value,
            pos: 0,
            rules,
        }
    }
}

/// Reads consecutive elements from a byte slice.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    rules: Rules,
}

impl<'a> Reader<'a> {
    /// A strict DER reader.
    pub fn new(data: &'a [u8]) -> Self {
        Reader {
            data,
            pos: 0,
            rules: Rules::Der,
        }
    }

    /// A BER reader (indefinite lengths and constructed strings accepted).
    pub fn new_ber(data: &'a [u8]) -> Self {
        Reader {
            data,
            pos: 0,
            rules: Rules::Ber,
        }
    }

    pub fn rules(&self) -> Rules {
        self.rules
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> &'a [u8] {
        &self.data[self.pos.min(self.data.len())..]
    }

    /// The tag of the next element, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// Reads the next element.
    pub fn read(&mut self) -> Result<Tlv<'a>> {
        let (tlv, used) = parse_tlv(self.remaining(), self.rules, 0)?;
        self.pos += used;
        Ok(tlv)
    }

    /// Reads the next element and checks its tag.
    pub fn read_expected(&mut self, tag: u8, what: &str) -> Result<Tlv<'a>> {
        match self.peek_tag() {
            None => Err(Error::malformed(format!(
                "{what} is missing (input ends early)"
            ))),
            Some(t) if t != tag => Err(Error::malformed(format!(
                "{what}: expected tag 0x{tag:02X}, found 0x{t:02X}"
            ))),
            Some(_) => self.read().map_err(|e| prefix(e, what)),
        }
    }

    /// Reads the next element if it has `tag`.
    pub fn read_optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>> {
        if self.peek_tag() == Some(tag) {
            self.read().map(Some)
        } else {
            Ok(None)
        }
    }

    /// Fails if anything is left.
    pub fn finish(&self, what: &str) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::malformed(format!(
                "{what} has {} unexpected trailing bytes",
                self.data.len() - self.pos
            )))
        }
    }
}

fn prefix(e: Error, what: &str) -> Error {
    match e {
        Error::Malformed(m) => Error::Malformed(format!("{what}: {m}")),
        other => other,
    }
}

/// Parses one element at the start of `data`; returns it and the number of bytes it used.
pub fn parse_tlv(data: &[u8], rules: Rules, depth: usize) -> Result<(Tlv<'_>, usize)> {
    if depth > MAX_DEPTH {
        return Err(Error::Limit(format!(
            "encoding nested more than {MAX_DEPTH} levels deep"
        )));
    }
    let tag = *data
        .first()
        .ok_or_else(|| Error::malformed("unexpected end of data where an element should start"))?;
    if tag & 0x1F == 0x1F {
        return Err(Error::malformed(format!(
            "high tag number form (tag byte 0x{tag:02X}) is not used in CMS or X.509"
        )));
    }
    if tag == 0x00 {
        return Err(Error::malformed("unexpected end-of-contents marker"));
    }
    let first = *data
        .get(1)
        .ok_or_else(|| Error::malformed("truncated element: missing length"))?;
    let (len, hdr) = if first < 0x80 {
        (Some(first as usize), 2)
    } else if first == 0x80 {
        if rules == Rules::Der {
            return Err(Error::malformed("indefinite length is not allowed in DER"));
        }
        if tag & 0x20 == 0 {
            return Err(Error::malformed("indefinite length on a primitive element"));
        }
        (None, 2)
    } else {
        let n = (first & 0x7F) as usize;
        if n > 4 || n == 0x7F {
            return Err(Error::Limit(format!(
                "length field of {n} octets (at most 4 supported)"
            )));
        }
        let bytes = data
            .get(2..2 + n)
            .ok_or_else(|| Error::malformed("truncated element: length field cut off"))?;
        let mut len = 0usize;
        for b in bytes {
            len = (len << 8) | *b as usize;
        }
        if rules == Rules::Der && (bytes[0] == 0 || len < 0x80) {
            return Err(Error::malformed(
                "length is not minimally encoded (not DER)",
            ));
        }
        (Some(len), 2 + n)
    };
    match len {
        Some(len) => {
            let end = hdr
                .checked_add(len)
                .ok_or_else(|| Error::Limit("length overflows".into()))?;
            if end > data.len() {
                return Err(Error::malformed(format!(
                    "truncated element: tag 0x{tag:02X} declares {len} bytes but only {} remain",
                    data.len() - hdr
                )));
            }
            Ok((
                Tlv {
                    tag,
                    value: &data[hdr..end],
                    raw: &data[..end],
                    indefinite: false,
                },
                end,
            ))
        }
        None => {
            // Walk the children until the end-of-contents marker.
            let mut pos = hdr;
            loop {
                let rest = &data[pos..];
                if rest.len() < 2 {
                    return Err(Error::malformed(
                        "truncated indefinite-length element (no end-of-contents)",
                    ));
                }
                if rest[0] == 0 {
                    if rest[1] != 0 {
                        return Err(Error::malformed("malformed end-of-contents marker"));
                    }
                    let value = &data[hdr..pos];
                    let end = pos + 2;
                    return Ok((
                        Tlv {
                            tag,
                            value,
                            raw: &data[..end],
                            indefinite: true,
                        },
                        end,
                    ));
                }
                let (_, used) = parse_tlv(rest, rules, depth + 1)?;
                pos += used;
            }
        }
    }
}

/// The contents of an OCTET STRING, joining BER constructed segments (tag 0x24, or an
/// implicitly tagged constructed form such as 0xA0) in order. `primitive_tag` is the tag a
/// primitive encoding has (0x04 or 0x80 for implicit [0]).
pub fn octet_string_contents<'a>(tlv: &Tlv<'a>, rules: Rules) -> Result<Cow<'a, [u8]>> {
    if !tlv.is_constructed() {
        return Ok(Cow::Borrowed(tlv.value));
    }
    if rules == Rules::Der {
        return Err(Error::malformed(
            "constructed OCTET STRING is not allowed in DER",
        ));
    }
    let mut out = Vec::new();
    join_segments(tlv.value, &mut out, 0)?;
    Ok(Cow::Owned(out))
}

fn join_segments(mut data: &[u8], out: &mut Vec<u8>, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Error::Limit(
            "OCTET STRING segments nested too deeply".into(),
        ));
    }
    while !data.is_empty() {
        let (seg, used) = parse_tlv(data, Rules::Ber, depth)?;
        match seg.tag {
            TAG_OCTET_STRING => out.extend_from_slice(seg.value),
            0x24 => join_segments(seg.value, out, depth + 1)?,
            t => {
                return Err(Error::malformed(format!(
                    "OCTET STRING segment has tag 0x{t:02X}"
                )))
            }
        }
        data = &data[used..];
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Writing (always DER)

/// Appends a DER length.
pub fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (8 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// A DER header (tag and length) for contents of `len` bytes.
pub fn header(tag: u8, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(6);
    out.push(tag);
    push_len(&mut out, len);
    out
}

/// A complete DER element.
pub fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = header(tag, value.len());
    out.extend_from_slice(value);
    out
}

/// A SEQUENCE of already-encoded elements.
pub fn sequence(parts: &[&[u8]]) -> Vec<u8> {
    tlv(TAG_SEQUENCE, &parts.concat())
}

/// A DER SET OF: elements sorted by their encodings (X.690 §11.6).
pub fn set_of(mut elements: Vec<Vec<u8>>) -> Vec<u8> {
    elements.sort();
    elements.dedup();
    tlv(TAG_SET, &elements.concat())
}

pub fn oid(o: &ObjectIdentifier) -> Vec<u8> {
    tlv(TAG_OID, o.as_bytes())
}

pub fn octet_string(v: &[u8]) -> Vec<u8> {
    tlv(TAG_OCTET_STRING, v)
}

/// BIT STRING with no unused bits.
pub fn bit_string(v: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(v.len() + 1);
    body.push(0);
    body.extend_from_slice(v);
    tlv(TAG_BIT_STRING, &body)
}

/// A non-negative INTEGER from big-endian magnitude bytes (minimal DER encoding).
pub fn integer_unsigned(magnitude: &[u8]) -> Vec<u8> {
    let trimmed: &[u8] = {
        let skip = magnitude.iter().take_while(|b| **b == 0).count();
        &magnitude[skip.min(magnitude.len())..]
    };
    let mut body = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.is_empty() || trimmed[0] & 0x80 != 0 {
        body.push(0);
    }
    body.extend_from_slice(trimmed);
    tlv(TAG_INTEGER, &body)
}

pub fn integer_u64(v: u64) -> Vec<u8> {
    integer_unsigned(&v.to_be_bytes())
}

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }`.
pub fn algorithm_identifier(o: &ObjectIdentifier, params: Option<&[u8]>) -> Vec<u8> {
    let mut body = oid(o);
    if let Some(p) = params {
        body.extend_from_slice(p);
    }
    tlv(TAG_SEQUENCE, &body)
}

/// Splits an `AlgorithmIdentifier` (DER) into its OID and the raw parameters, if present.
pub fn parse_algorithm_identifier(der: &[u8]) -> Result<(ObjectIdentifier, Option<&[u8]>)> {
    let mut outer = Reader::new(der);
    let seq = outer.read_expected(TAG_SEQUENCE, "AlgorithmIdentifier")?;
    outer.finish("AlgorithmIdentifier")?;
    let mut r = seq.reader(Rules::Der);
    let o = r.read_expected(TAG_OID, "AlgorithmIdentifier algorithm")?;
    let oid = parse_oid(o.value)?;
    let params = if r.is_empty() {
        None
    } else {
        let p = r.read()?;
        Some(p.raw)
    };
    r.finish("AlgorithmIdentifier")?;
    Ok((oid, params))
}

/// Parses OID contents octets.
pub fn parse_oid(value: &[u8]) -> Result<ObjectIdentifier> {
    ObjectIdentifier::from_bytes(value)
        .map_err(|e| Error::malformed(format!("invalid object identifier: {e}")))
}

/// Reads an OID element.
pub fn read_oid(r: &mut Reader<'_>, what: &str) -> Result<ObjectIdentifier> {
    let t = r.read_expected(TAG_OID, what)?;
    parse_oid(t.value)
}

/// A small non-negative INTEGER (versions, lengths).
pub fn parse_small_uint(value: &[u8]) -> Result<u64> {
    if value.is_empty() {
        return Err(Error::malformed("empty INTEGER"));
    }
    if value[0] & 0x80 != 0 {
        return Err(Error::malformed(
            "negative INTEGER where a count was expected",
        ));
    }
    if value.len() > 1 && value[0] == 0 && value[1] & 0x80 == 0 {
        return Err(Error::malformed("INTEGER is not minimally encoded"));
    }
    let v = if value[0] == 0 { &value[1..] } else { value };
    if v.len() > 8 {
        return Err(Error::Limit("INTEGER too large".into()));
    }
    Ok(v.iter().fold(0u64, |acc, b| (acc << 8) | *b as u64))
}

/// Reads a small INTEGER element.
pub fn read_small_uint(r: &mut Reader<'_>, what: &str) -> Result<u64> {
    let t = r.read_expected(TAG_INTEGER, what)?;
    parse_small_uint(t.value).map_err(|e| prefix(e, what))
}

/// Replaces the first (tag) byte of an encoding, e.g. `[0] IMPLICIT` 0xA0 → SET OF 0x31.
pub fn retag(raw: &[u8], tag: u8) -> Vec<u8> {
    let mut v = raw.to_vec();
    if let Some(first) = v.first_mut() {
        *first = tag;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_rejects_indefinite_and_long_form_short_lengths() {
        assert!(Reader::new(&[0x30, 0x80, 0x00, 0x00]).read().is_err());
        assert!(Reader::new(&[0x04, 0x81, 0x01, 0xAA]).read().is_err());
        assert!(Reader::new_ber(&[0x04, 0x81, 0x01, 0xAA]).read().is_ok());
    }

    #[test]
    fn ber_indefinite_constructed_octet_string_joins_segments() {
        let data = [
            0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0x00, 0x00,
        ];
        let mut r = Reader::new_ber(&data);
        let t = r.read().unwrap();
        assert!(t.indefinite);
        assert_eq!(t.raw.len(), data.len());
        assert_eq!(&*octet_string_contents(&t, Rules::Ber).unwrap(), b"abc");
        assert!(r.is_empty());
    }

    #[test]
    fn deep_nesting_is_a_limit_error_not_a_crash() {
        let mut data = Vec::new();
        for _ in 0..10_000 {
            data.extend_from_slice(&[0x30, 0x80]);
        }
        let err = Reader::new_ber(&data).read().unwrap_err();
        assert!(matches!(err, Error::Limit(_)), "{err}");
    }

    #[test]
    fn truncated_lengths_are_reported() {
        let err = Reader::new(&[0x30, 0x05, 0x01]).read().unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        assert!(Reader::new(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF])
            .read()
            .is_err());
        assert!(Reader::new(&[0x30]).read().is_err());
    }

    #[test]
    fn integers_and_lengths_encode_minimally() {
        assert_eq!(integer_u64(0), [0x02, 0x01, 0x00]);
        assert_eq!(integer_u64(128), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(header(0x04, 300), [0x04, 0x82, 0x01, 0x2C]);
        assert_eq!(parse_small_uint(&[0x00, 0x80]).unwrap(), 128);
        assert!(parse_small_uint(&[0x00, 0x01]).is_err());
    }

    #[test]
    fn set_of_sorts_by_encoding() {
        let s = set_of(vec![vec![0x30, 0x4F], vec![0x30, 0x18]]);
        assert_eq!(s, [0x31, 0x04, 0x30, 0x18, 0x30, 0x4F]);
    }
}
