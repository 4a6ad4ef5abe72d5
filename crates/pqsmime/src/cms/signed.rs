//! SignedData (RFC 5652 §5) with ML-DSA (RFC 9882), SLH-DSA (RFC 9814) and classical signers.
//!
//! Signing emits DER (the encapsulated content of a streamed signature uses BER indefinite
//! length, which RFC 5652 allows); verification accepts BER and checks the signed attributes
//! as the DER bytes that were received (after the `[0]` → SET OF re-tag), never re-encoded.

use std::borrow::Cow;
use std::io::{Read, Seek, SeekFrom, Write};
use std::time::SystemTime;

use const_oid::ObjectIdentifier;

use crate::alg::{DigestAlgorithm, SignatureAlgorithm};
use crate::asn1::{self, Reader, Rules, Tlv};
use crate::cms::attrs;
use crate::cms::enveloped::stream::{BerReader, Frame};
use crate::cms::enveloped::DecryptSink;
use crate::digest::Hasher;
use crate::error::{Error, Result};
use crate::keys::PrivateKey;
use crate::oids;
use crate::x509::{Certificate, Purpose};
use subtle::ConstantTimeEq;

/// One signer: a certificate and its private key, and optionally a digest other than the
/// algorithm's default.
pub struct Signer<'a> {
    pub cert: &'a Certificate,
    pub key: &'a PrivateKey,
    pub digest: Option<DigestAlgorithm>,
    pub signature_algorithm: Option<SignatureAlgorithm>,
}

/// Options for [`sign`] and [`sign_stream`].
#[derive(Clone, Debug)]
pub struct SignOptions {
    /// Leave the content out of the SignedData (for multipart/signed).
    pub detached: bool,
    /// More certificates to include (chain).
    pub extra_certs: Vec<Certificate>,
    /// The signer's separate encryption certificate, advertised with
    /// SMIMEEncryptionKeyPreference and included.
    pub encryption_cert: Option<Certificate>,
    /// Signing time; `None` means now.
    pub signing_time: Option<SystemTime>,
    /// eContentType; `None` means id-data.
    pub content_type: Option<ObjectIdentifier>,
}

impl Default for SignOptions {
    fn default() -> Self {
        SignOptions {
            detached: true,
            extra_certs: Vec::new(),
            encryption_cert: None,
            signing_time: None,
            content_type: None,
        }
    }
}

/// Upper bound on signers in one message we build or read.
pub const MAX_SIGNERS: usize = 64;
/// Upper bound on certificates in one message we read.
pub const MAX_CERTIFICATES: usize = 256;
/// Content that must be held in memory to verify a pure signature without signed
/// attributes is capped at this size.
pub const MAX_BUFFERED_CONTENT: usize = 256 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

/// A signer with its choices resolved and checked.
struct Prepared<'a> {
    signer: &'a Signer<'a>,
    sig_alg: SignatureAlgorithm,
    digest: DigestAlgorithm,
}

fn prepare<'a>(signers: &'a [Signer<'a>]) -> Result<Vec<Prepared<'a>>> {
    if signers.is_empty() {
        return Err(Error::Usage("at least one signer is needed".into()));
    }
    if signers.len() > MAX_SIGNERS {
        return Err(Error::Usage(format!("at most {MAX_SIGNERS} signers")));
    }
    let mut out = Vec::with_capacity(signers.len());
    for s in signers {
        let kind = s.key.kind();
        let cert_key = s.cert.public_key()?;
        if cert_key != s.key.public_key() {
            return Err(Error::Usage(format!(
                "the private key does not belong to certificate '{}'",
                s.cert.subject_string()
            )));
        }
        let sig_alg = match s.signature_algorithm {
            Some(a) => a,
            None => kind.default_signature_algorithm().ok_or_else(|| {
                Error::Usage(format!(
                    "a {} key cannot sign (it is an encryption key)",
                    kind.description()
                ))
            })?,
        };
        if !sig_alg.matches_key(kind) {
            return Err(Error::Usage(format!(
                "{} does not fit a {} key",
                sig_alg.name(),
                kind.description()
            )));
        }
        let digest = s.digest.unwrap_or(sig_alg.default_cms_digest());
        if !sig_alg.accepts_cms_digest(digest) {
            return Err(Error::Usage(format!(
                "{} is not a suitable digest for {} (RFC 9882 §3.3 / RFC 9814 §4)",
                digest.name(),
                sig_alg.name()
            )));
        }
        out.push(Prepared {
            signer: s,
            sig_alg,
            digest,
        });
    }
    Ok(out)
}

/// Hashes with every distinct digest the signers need, in one pass.
struct MultiHasher {
    hashers: Vec<Hasher>,
}

impl MultiHasher {
    fn new(algs: impl IntoIterator<Item = DigestAlgorithm>) -> MultiHasher {
        let mut hashers: Vec<Hasher> = Vec::new();
        for a in algs {
            if !hashers.iter().any(|h| h.algorithm() == a) {
                hashers.push(Hasher::new(a));
            }
        }
        MultiHasher { hashers }
    }
    fn update(&mut self, data: &[u8]) {
        for h in &mut self.hashers {
            h.update(data);
        }
    }
    fn finish(self) -> Vec<(DigestAlgorithm, Vec<u8>)> {
        self.hashers
            .into_iter()
            .map(|h| (h.algorithm(), h.finish()))
            .collect()
    }
}

fn lookup(digests: &[(DigestAlgorithm, Vec<u8>)], alg: DigestAlgorithm) -> Result<&[u8]> {
    digests
        .iter()
        .find(|(a, _)| *a == alg)
        .map(|(_, d)| d.as_slice())
        .ok_or_else(|| {
            Error::BadSignature(format!(
                "the content was not hashed with {}: the SignedData does not list it in digestAlgorithms",
                alg.name()
            ))
        })
}

/// Builds one SignerInfo (DER) given the content digest.
fn signer_info(
    p: &Prepared<'_>,
    content_digest: &[u8],
    content_type: &ObjectIdentifier,
    opts: &SignOptions,
    signing_time: SystemTime,
) -> Result<Vec<u8>> {
    let digest_id = p.digest.algorithm_identifier();
    let sig_id = p.sig_alg.algorithm_identifier();
    let mut attributes = vec![
        attrs::attribute(&oids::ID_CONTENT_TYPE, vec![asn1::oid(content_type)]),
        attrs::attribute(
            &oids::ID_SIGNING_TIME,
            vec![attrs::encode_time(signing_time)?],
        ),
        attrs::attribute(
            &oids::ID_MESSAGE_DIGEST,
            vec![asn1::octet_string(content_digest)],
        ),
        // RFC 6211: CMSAlgorithmProtection { digestAlgorithm, [1] signatureAlgorithm }.
        attrs::attribute(
            &oids::ID_CMS_ALGORITHM_PROTECTION,
            vec![asn1::sequence(&[&digest_id, &asn1::retag(&sig_id, 0xA1)])],
        ),
        attrs::attribute(
            &oids::ID_SMIME_CAPABILITIES,
            vec![attrs::smime_capabilities()],
        ),
        attrs::attribute(
            &oids::ID_AA_SIGNING_CERTIFICATE_V2,
            vec![attrs::signing_certificate_v2(p.signer.cert)],
        ),
    ];
    if let Some(enc) = &opts.encryption_cert {
        attributes.push(attrs::attribute(
            &oids::ID_AA_ENCRYPTION_KEY_PREF,
            vec![attrs::encryption_key_preference(enc)],
        ));
    }
    // DER SET OF: sorted by encoding. The signature covers the SET OF (0x31) form.
    let signed_attrs = asn1::set_of(attributes);
    let signature = p.signer.key.sign(p.sig_alg, &signed_attrs)?;
    let sid = attrs::issuer_and_serial(p.signer.cert);
    Ok(asn1::sequence(&[
        &asn1::integer_u64(1),
        &sid,
        &digest_id,
        &asn1::retag(&signed_attrs, 0xA0),
        &sig_id,
        &asn1::octet_string(&signature),
    ]))
}

fn certificate_set(prepared: &[Prepared<'_>], opts: &SignOptions) -> Vec<u8> {
    let mut certs: Vec<Vec<u8>> = prepared
        .iter()
        .map(|p| p.signer.cert.der().to_vec())
        .collect();
    certs.extend(opts.extra_certs.iter().map(|c| c.der().to_vec()));
    if let Some(c) = &opts.encryption_cert {
        certs.push(c.der().to_vec());
    }
    // CertificateSet is a SET OF: DER order, duplicates removed.
    asn1::retag(&asn1::set_of(certs), 0xA0)
}

fn digest_algorithms(prepared: &[Prepared<'_>]) -> Vec<u8> {
    asn1::set_of(
        prepared
            .iter()
            .map(|p| p.digest.algorithm_identifier())
            .collect(),
    )
}

/// RFC 5652 §5.1: version 3 when eContentType is not id-data (all our SignerInfos are v1 and
/// we include no attribute certificates), else 1.
fn signed_data_version(content_type: &ObjectIdentifier) -> u64 {
    if *content_type == oids::ID_DATA {
        1
    } else {
        3
    }
}

/// Signs `content`; returns the DER ContentInfo (DER for the encapsulated form too).
pub fn sign(content: &[u8], signers: &[Signer<'_>], opts: &SignOptions) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(content.len() + 16 * 1024);
    if opts.detached {
        sign_stream(content, &mut out, signers, opts)?;
    } else {
        sign_two_pass(
            std::io::Cursor::new(content),
            &mut out,
            signers,
            opts,
            false,
        )?;
    }
    Ok(out)
}

/// Signs seekable input (a file) and writes a DER ContentInfo in constant memory: one pass
/// computes the digests, a second copies the content behind definite-length headers. The
/// copy is hashed again and must match, so a file that changes in between is an error rather
/// than a broken signature. Returns the number of content bytes signed.
pub fn sign_seekable<R: Read + Seek, W: Write>(
    input: R,
    output: W,
    signers: &[Signer<'_>],
    opts: &SignOptions,
) -> Result<u64> {
    sign_two_pass(input, output, signers, opts, true)
}

fn sign_two_pass<R: Read + Seek, W: Write>(
    mut input: R,
    mut output: W,
    signers: &[Signer<'_>],
    opts: &SignOptions,
    recheck: bool,
) -> Result<u64> {
    let prepared = prepare(signers)?;
    let content_type = opts.content_type.unwrap_or(oids::ID_DATA);
    let signing_time = opts.signing_time.unwrap_or_else(SystemTime::now);
    let start = input.stream_position()?;
    let mut hasher = MultiHasher::new(prepared.iter().map(|p| p.digest));
    let mut buf = vec![0u8; CHUNK];
    let mut total: u64 = 0;
    loop {
        let n = read_some(&mut input, &mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    let digests = hasher.finish();
    let infos = signer_infos(&prepared, &digests, &content_type, opts, signing_time)?;
    let version = asn1::integer_u64(signed_data_version(&content_type));
    let digest_algs = digest_algorithms(&prepared);
    let certs = certificate_set(&prepared, opts);
    if opts.detached {
        let encap = asn1::sequence(&[&asn1::oid(&content_type)]);
        let sd = asn1::sequence(&[&version, &digest_algs, &encap, &certs, &infos]);
        let ci = asn1::sequence(&[&asn1::oid(&oids::ID_SIGNED_DATA), &asn1::tlv(0xA0, &sd)]);
        output.write_all(&ci)?;
        output.flush()?;
        return Ok(total);
    }
    let len = usize::try_from(total)
        .map_err(|_| Error::Limit("content too large for this platform".into()))?;
    // Lengths from the inside out: OCTET STRING, [0] EXPLICIT, EncapsulatedContentInfo,
    // SignedData, [0] EXPLICIT, ContentInfo.
    let octets_hdr = asn1::header(asn1::TAG_OCTET_STRING, len);
    let octets_len = octets_hdr.len() + len;
    let explicit_hdr = asn1::header(0xA0, octets_len);
    let type_oid = asn1::oid(&content_type);
    let encap_body = type_oid.len() + explicit_hdr.len() + octets_len;
    let encap_hdr = asn1::header(asn1::TAG_SEQUENCE, encap_body);
    let sd_body = version.len()
        + digest_algs.len()
        + encap_hdr.len()
        + encap_body
        + certs.len()
        + infos.len();
    let sd_hdr = asn1::header(asn1::TAG_SEQUENCE, sd_body);
    let ci_explicit_hdr = asn1::header(0xA0, sd_hdr.len() + sd_body);
    let sd_oid = asn1::oid(&oids::ID_SIGNED_DATA);
    let ci_body = sd_oid.len() + ci_explicit_hdr.len() + sd_hdr.len() + sd_body;
    let ci_hdr = asn1::header(asn1::TAG_SEQUENCE, ci_body);
    for part in [
        &ci_hdr,
        &sd_oid,
        &ci_explicit_hdr,
        &sd_hdr,
        &version,
        &digest_algs,
        &encap_hdr,
        &type_oid,
        &explicit_hdr,
        &octets_hdr,
    ] {
        output.write_all(part)?;
    }
    input.seek(SeekFrom::Start(start))?;
    let first = prepared[0].digest;
    let mut check = recheck.then(|| Hasher::new(first));
    let mut left = total;
    while left > 0 {
        let want = usize::try_from(left.min(CHUNK as u64)).unwrap_or(CHUNK);
        let n = read_some(&mut input, &mut buf[..want])?;
        if n == 0 {
            return Err(Error::Usage(
                "the input became shorter while it was being signed".into(),
            ));
        }
        if let Some(h) = check.as_mut() {
            h.update(&buf[..n]);
        }
        output.write_all(&buf[..n])?;
        left -= n as u64;
    }
    if let Some(h) = check {
        if h.finish() != lookup(&digests, first)? {
            return Err(Error::Usage(
                "the input changed while it was being signed".into(),
            ));
        }
    }
    output.write_all(&certs)?;
    output.write_all(&infos)?;
    output.flush()?;
    Ok(total)
}

/// Signs everything read from `input` and writes the ContentInfo to `output` in constant
/// memory. Detached output is DER; encapsulated output uses BER indefinite length for the
/// content. Returns the number of content bytes signed.
pub fn sign_stream<R: Read, W: Write>(
    mut input: R,
    mut output: W,
    signers: &[Signer<'_>],
    opts: &SignOptions,
) -> Result<u64> {
    let prepared = prepare(signers)?;
    let content_type = opts.content_type.unwrap_or(oids::ID_DATA);
    let signing_time = opts.signing_time.unwrap_or_else(SystemTime::now);
    let mut hasher = MultiHasher::new(prepared.iter().map(|p| p.digest));
    let version = asn1::integer_u64(signed_data_version(&content_type));
    let digest_algs = digest_algorithms(&prepared);
    let certs = certificate_set(&prepared, opts);
    let mut buf = vec![0u8; CHUNK];
    let mut total: u64 = 0;

    if opts.detached {
        loop {
            let n = read_some(&mut input, &mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            total += n as u64;
        }
        let digests = hasher.finish();
        let infos = signer_infos(&prepared, &digests, &content_type, opts, signing_time)?;
        let encap = asn1::sequence(&[&asn1::oid(&content_type)]);
        let sd = asn1::sequence(&[&version, &digest_algs, &encap, &certs, &infos]);
        let ci = asn1::sequence(&[&asn1::oid(&oids::ID_SIGNED_DATA), &asn1::tlv(0xA0, &sd)]);
        output.write_all(&ci)?;
    } else {
        // ContentInfo, [0], SignedData, EncapsulatedContentInfo, [0] and the constructed
        // OCTET STRING all use indefinite length; the content goes out in 64 KiB segments.
        let mut head = vec![0x30, 0x80];
        head.extend(asn1::oid(&oids::ID_SIGNED_DATA));
        head.extend([0xA0, 0x80, 0x30, 0x80]);
        head.extend(&version);
        head.extend(&digest_algs);
        head.extend([0x30, 0x80]);
        head.extend(asn1::oid(&content_type));
        head.extend([0xA0, 0x80, 0x24, 0x80]);
        output.write_all(&head)?;
        loop {
            let n = read_some(&mut input, &mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            total += n as u64;
            output.write_all(&asn1::header(asn1::TAG_OCTET_STRING, n))?;
            output.write_all(&buf[..n])?;
        }
        // End of OCTET STRING, [0] and EncapsulatedContentInfo.
        output.write_all(&[0, 0, 0, 0, 0, 0])?;
        let digests = hasher.finish();
        let infos = signer_infos(&prepared, &digests, &content_type, opts, signing_time)?;
        output.write_all(&certs)?;
        output.write_all(&infos)?;
        // End of SignedData, [0] and ContentInfo.
        output.write_all(&[0, 0, 0, 0, 0, 0])?;
    }
    output.flush()?;
    Ok(total)
}

fn signer_infos(
    prepared: &[Prepared<'_>],
    digests: &[(DigestAlgorithm, Vec<u8>)],
    content_type: &ObjectIdentifier,
    opts: &SignOptions,
    signing_time: SystemTime,
) -> Result<Vec<u8>> {
    let mut infos = Vec::with_capacity(prepared.len());
    for p in prepared {
        let d = lookup(digests, p.digest)?;
        infos.push(signer_info(p, d, content_type, opts, signing_time)?);
    }
    Ok(asn1::set_of(infos))
}

fn read_some<R: Read + ?Sized>(input: &mut R, buf: &mut [u8]) -> Result<usize> {
    // Fill the buffer as far as the reader allows, so segments are full-sized.
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(filled)
}

/// How many signers must be valid (`pqsmime verify --policy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignerPolicy {
    /// At least one valid signer.
    Any,
    /// Every signer valid.
    All,
    /// At least one valid signer with a quantum-safe algorithm.
    RequirePq,
}

/// Options for [`verify`].
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    pub trust: Vec<Certificate>,
    /// Certificates that may help find signers and build chains, beyond those in the message.
    pub extra_certs: Vec<Certificate>,
    /// Skip path validation.
    pub no_chain: bool,
    pub policy: SignerPolicy,
    /// Validation time; `None` means now.
    pub at: Option<SystemTime>,
    /// CRLs for revocation checking; when not empty, each signer's certificate must be
    /// covered by one (see `x509::RevocationCheck::EndEntity`).
    pub crls: Vec<crate::x509::Crl>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            trust: Vec::new(),
            extra_certs: Vec::new(),
            no_chain: false,
            policy: SignerPolicy::Any,
            at: None,
            crls: Vec::new(),
        }
    }
}

/// What was checked for one SignerInfo.
#[derive(Clone, Debug)]
pub struct SignerReport {
    pub subject: Option<String>,
    pub email: Option<String>,
    /// Signature algorithm in words (e.g. "ML-DSA-65").
    pub algorithm: String,
    pub digest: String,
    pub quantum_safe: bool,
    pub signature_valid: bool,
    /// `None` when path validation was skipped.
    pub chain_valid: Option<bool>,
    /// Checks that passed, in words.
    pub checks: Vec<String>,
    /// The first failure, in words.
    pub error: Option<String>,
    /// The signer certificate, when found.
    pub certificate: Option<Certificate>,
    /// SMIMEEncryptionKeyPreference target, when present and found.
    pub encryption_certificate: Option<Certificate>,
}

/// The outcome of [`verify`].
#[derive(Clone, Debug)]
pub struct VerifyReport {
    /// Whether the message is valid under the policy.
    pub valid: bool,
    pub signers: Vec<SignerReport>,
    /// eContentType in words.
    pub content_type: String,
    /// The encapsulated content (or the detached content that was verified, if supplied).
    pub content: Option<Vec<u8>>,
    /// Certificates the message carried.
    pub certificates: Vec<Certificate>,
}

/// Which certificate a SignerInfo names.
#[derive(Clone, Copy, Debug)]
enum SignerId<'a> {
    IssuerSerial { issuer: &'a [u8], serial: &'a [u8] },
    SubjectKeyId(&'a [u8]),
}

/// A SignerInfo as received, keeping the raw bytes that are hashed and compared.
struct ParsedSignerInfo<'a> {
    sid: SignerId<'a>,
    digest_alg: &'a [u8],
    /// Complete `[0] IMPLICIT SignedAttributes` encoding as received.
    signed_attrs: Option<Tlv<'a>>,
    signature_alg: &'a [u8],
    signature: Cow<'a, [u8]>,
    /// Types of the unsigned attributes.
    unsigned_types: Vec<ObjectIdentifier>,
}

/// A SignedData as received.
struct ParsedSignedData<'a> {
    econtent_type: ObjectIdentifier,
    econtent: Option<Cow<'a, [u8]>>,
    certificates: Vec<&'a [u8]>,
    signer_infos: Vec<Result<ParsedSignerInfo<'a>>>,
}

/// Parses a ContentInfo holding SignedData (BER accepted).
fn parse_content_info(cms: &[u8]) -> Result<ParsedSignedData<'_>> {
    let mut outer = Reader::new_ber(cms);
    let ci = outer.read_expected(asn1::TAG_SEQUENCE, "ContentInfo")?;
    if !outer.is_empty() && outer.remaining().iter().any(|b| *b != 0) {
        outer.finish("ContentInfo")?;
    }
    let mut r = ci.reader(Rules::Ber);
    let content_type = asn1::read_oid(&mut r, "ContentInfo contentType")?;
    if content_type != oids::ID_SIGNED_DATA {
        return Err(Error::malformed(format!(
            "expected SignedData but the ContentInfo holds {}",
            crate::alg::describe_oid(&content_type)
        )));
    }
    let explicit = r.read_expected(0xA0, "ContentInfo content")?;
    r.finish("ContentInfo")?;
    let mut er = explicit.reader(Rules::Ber);
    let sd = er.read_expected(asn1::TAG_SEQUENCE, "SignedData")?;
    er.finish("ContentInfo content")?;
    parse_signed_data(&sd)
}

fn parse_signed_data<'a>(sd: &Tlv<'a>) -> Result<ParsedSignedData<'a>> {
    let mut r = sd.reader(Rules::Ber);
    let version = asn1::read_small_uint(&mut r, "SignedData version")?;
    if !matches!(version, 1 | 3 | 4 | 5) {
        return Err(Error::malformed(format!(
            "SignedData version {version} is not one RFC 5652 defines (1, 3, 4 or 5)"
        )));
    }
    let digest_set = r.read_expected(asn1::TAG_SET, "SignedData digestAlgorithms")?;
    let mut dr = digest_set.reader(Rules::Ber);
    while !dr.is_empty() {
        dr.read_expected(asn1::TAG_SEQUENCE, "digest AlgorithmIdentifier")?;
    }
    let encap = r.read_expected(asn1::TAG_SEQUENCE, "EncapsulatedContentInfo")?;
    let mut cr = encap.reader(Rules::Ber);
    let econtent_type = asn1::read_oid(&mut cr, "eContentType")?;
    let econtent = match cr.read_optional(0xA0)? {
        Some(explicit) => {
            let mut xr = explicit.reader(Rules::Ber);
            let octets = match xr.peek_tag() {
                Some(asn1::TAG_OCTET_STRING) | Some(0x24) => xr.read()?,
                Some(t) => {
                    return Err(Error::malformed(format!(
                        "eContent: expected an OCTET STRING, found tag 0x{t:02X}"
                    )))
                }
                None => return Err(Error::malformed("eContent is empty")),
            };
            xr.finish("eContent")?;
            Some(asn1::octet_string_contents(&octets, Rules::Ber)?)
        }
        None => None,
    };
    cr.finish("EncapsulatedContentInfo")?;

    let mut certificates = Vec::new();
    if let Some(set) = r.read_optional(0xA0)? {
        let mut sr = set.reader(Rules::Ber);
        while !sr.is_empty() {
            let c = sr.read()?;
            if certificates.len() >= MAX_CERTIFICATES {
                return Err(Error::Limit(format!(
                    "more than {MAX_CERTIFICATES} certificates in the message"
                )));
            }
            // Only X.509 certificates (untagged SEQUENCE); attribute and other certificate
            // formats are skipped.
            if c.tag == asn1::TAG_SEQUENCE {
                certificates.push(c.raw);
            }
        }
    }
    // CRLs are not used for verification yet (revocation checking comes with the path
    // validation work); skip them.
    r.read_optional(0xA1)?;
    let infos = r.read_expected(asn1::TAG_SET, "SignedData signerInfos")?;
    r.finish("SignedData")?;
    let mut ir = infos.reader(Rules::Ber);
    let mut signer_infos = Vec::new();
    while !ir.is_empty() {
        if signer_infos.len() >= MAX_SIGNERS {
            return Err(Error::Limit(format!("more than {MAX_SIGNERS} signers")));
        }
        let si = ir.read_expected(asn1::TAG_SEQUENCE, "SignerInfo")?;
        signer_infos.push(parse_signer_info(&si));
    }
    Ok(ParsedSignedData {
        econtent_type,
        econtent,
        certificates,
        signer_infos,
    })
}

fn parse_signer_info<'a>(si: &Tlv<'a>) -> Result<ParsedSignerInfo<'a>> {
    let mut r = si.reader(Rules::Ber);
    let version = asn1::read_small_uint(&mut r, "SignerInfo version")?;
    let sid = match r.peek_tag() {
        Some(asn1::TAG_SEQUENCE) => {
            let ias = r.read()?;
            let mut ir = ias.reader(Rules::Der);
            let issuer = ir.read_expected(asn1::TAG_SEQUENCE, "signer issuer")?;
            let serial = ir.read_expected(asn1::TAG_INTEGER, "signer serial number")?;
            ir.finish("IssuerAndSerialNumber")?;
            if version != 1 {
                return Err(Error::malformed(format!(
                    "SignerInfo version {version} with issuerAndSerialNumber (must be 1)"
                )));
            }
            SignerId::IssuerSerial {
                issuer: issuer.raw,
                serial: serial.value,
            }
        }
        Some(0x80) => {
            let ski = r.read()?;
            if version != 3 {
                return Err(Error::malformed(format!(
                    "SignerInfo version {version} with subjectKeyIdentifier (must be 3)"
                )));
            }
            SignerId::SubjectKeyId(ski.value)
        }
        _ => {
            return Err(Error::malformed(
                "SignerInfo sid is neither issuerAndSerialNumber nor subjectKeyIdentifier",
            ))
        }
    };
    let digest_alg = r.read_expected(asn1::TAG_SEQUENCE, "SignerInfo digestAlgorithm")?;
    let signed_attrs = r.read_optional(0xA0)?;
    let signature_alg = r.read_expected(asn1::TAG_SEQUENCE, "SignerInfo signatureAlgorithm")?;
    let signature = match r.peek_tag() {
        Some(asn1::TAG_OCTET_STRING) | Some(0x24) => {
            let t = r.read()?;
            asn1::octet_string_contents(&t, Rules::Ber)?
        }
        _ => return Err(Error::malformed("SignerInfo signature is missing")),
    };
    let mut unsigned_types = Vec::new();
    if let Some(unsigned) = r.read_optional(0xA1)? {
        let mut ur = unsigned.reader(Rules::Ber);
        while !ur.is_empty() {
            if unsigned_types.len() >= attrs::MAX_ATTRIBUTES {
                return Err(Error::Limit("too many unsigned attributes".into()));
            }
            let a = ur.read_expected(asn1::TAG_SEQUENCE, "unsigned attribute")?;
            let mut ar = a.reader(Rules::Ber);
            unsigned_types.push(asn1::read_oid(&mut ar, "unsigned attribute type")?);
        }
    }
    r.finish("SignerInfo")?;
    Ok(ParsedSignerInfo {
        sid,
        digest_alg: digest_alg.raw,
        signed_attrs,
        signature_alg: signature_alg.raw,
        signature,
        unsigned_types,
    })
}

/// True if `content` is itself a DER SET OF Attribute: the signed-attributes ambiguity of
/// draft-ietf-lamps-cms-euf-cma-signeddata, refused when a signer has no signed attributes.
fn looks_like_signed_attrs(content: &[u8]) -> bool {
    let mut r = Reader::new(content);
    match r.read() {
        Ok(t) if t.tag == asn1::TAG_SET && r.is_empty() => {
            attrs::parse_signed_attrs(t.value).is_ok()
        }
        _ => false,
    }
}

/// Verifies a SignedData ContentInfo (BER or DER) held in memory. `detached` supplies the
/// content when the message has none. Returns a report; `Err` only for input that cannot be
/// read at all. For large messages prefer [`verify_stream`].
pub fn verify(
    cms: &[u8],
    detached: Option<&mut dyn Read>,
    opts: &VerifyOptions,
) -> Result<VerifyReport> {
    let parsed = parse_content_info(cms)?;
    // Which digests are needed, and is the whole content needed (pure signature without
    // signed attributes)?
    let mut needed = Vec::new();
    let mut need_content = false;
    for si in parsed.signer_infos.iter().flatten() {
        if let Ok(d) = DigestAlgorithm::from_algorithm_identifier(si.digest_alg) {
            needed.push(d);
            if si.signed_attrs.is_none() {
                need_content = true;
            }
        }
    }
    let mut hasher = MultiHasher::new(needed);
    let content: Option<Cow<'_, [u8]>> = match (&parsed.econtent, detached) {
        (Some(_), Some(_)) => return Err(content_given_twice()),
        (Some(c), None) => {
            hasher.update(c);
            Some(Cow::Borrowed(c.as_ref()))
        }
        (None, Some(reader)) => {
            let mut kept = Vec::new();
            let mut buf = vec![0u8; CHUNK];
            loop {
                let n = read_some(reader, &mut buf)?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
                if need_content {
                    if kept.len() + n > MAX_BUFFERED_CONTENT {
                        return Err(Error::Limit(format!(
                            "a signer without signed attributes needs the whole content in memory, and it exceeds {} MiB",
                            MAX_BUFFERED_CONTENT >> 20
                        )));
                    }
                    kept.extend_from_slice(&buf[..n]);
                }
            }
            need_content.then_some(Cow::Owned(kept))
        }
        (None, None) => return Err(content_missing()),
    };
    let digests = hasher.finish();
    let mut report = evaluate(&parsed, content.as_deref(), &digests, opts)?;
    report.content = parsed.econtent.as_ref().map(|c| c.to_vec());
    Ok(report)
}

fn content_given_twice() -> Error {
    Error::Usage("the message carries its content; detached content must not be given too".into())
}

fn content_missing() -> Error {
    Error::Usage(
        "this is a detached signature: the signed content must be supplied (--content)".into(),
    )
}

/// Content that [`verify_stream`] keeps in memory for signers without signed attributes
/// (pure algorithms sign the content itself). Larger streamed content cannot be checked
/// against such a signer; S/MIME always uses signed attributes.
pub const MAX_STREAM_KEPT_CONTENT: usize = 16 * 1024 * 1024;
/// Largest certificates or signerInfos field [`verify_stream`] reads into memory.
const MAX_STREAM_ELEMENT: usize = 32 * 1024 * 1024;

/// Verifies a SignedData read from `input` in constant memory (apart from the certificates
/// and signer infos, which are read whole up to 32 MiB each).
///
/// The content — encapsulated, or `detached` when the message has none — is hashed as it
/// streams and written to `sink` as unverified data. The sink is committed only when the
/// report is valid under `opts.policy`, and aborted otherwise, so nothing unverified is ever
/// released. The content is hashed with the digests listed in `SignedData.digestAlgorithms`;
/// a signer using another digest is reported as failed. [`VerifyReport::content`] is `None`
/// (the content went to the sink).
pub fn verify_stream<R: Read, S: DecryptSink + ?Sized>(
    input: R,
    detached: Option<&mut dyn Read>,
    opts: &VerifyOptions,
    sink: &mut S,
) -> Result<VerifyReport> {
    match verify_stream_inner(input, detached, opts, sink) {
        Ok(report) => {
            if report.valid {
                if let Err(e) = sink.commit() {
                    sink.abort();
                    return Err(e);
                }
            } else {
                sink.abort();
            }
            Ok(report)
        }
        Err(e) => {
            sink.abort();
            Err(e)
        }
    }
}

/// Hashes, keeps (up to a limit) and spools content chunks.
struct ContentTap<'s, S: DecryptSink + ?Sized> {
    hasher: MultiHasher,
    kept: Option<Vec<u8>>,
    sink: &'s mut S,
}

impl<S: DecryptSink + ?Sized> ContentTap<'_, S> {
    fn take(&mut self, data: &[u8]) -> Result<()> {
        self.hasher.update(data);
        if let Some(k) = self.kept.as_mut() {
            if k.len() + data.len() > MAX_STREAM_KEPT_CONTENT {
                self.kept = None;
            } else {
                k.extend_from_slice(data);
            }
        }
        self.sink.write_unverified(data)
    }
}

fn stream_octets<R: Read, S: DecryptSink + ?Sized>(
    r: &mut BerReader<R>,
    parent: &Frame,
    tap: &mut ContentTap<'_, S>,
    buf: &mut [u8],
    depth: usize,
) -> Result<()> {
    if depth > asn1::MAX_DEPTH {
        return Err(Error::Limit(
            "eContent OCTET STRING segments nested too deeply".into(),
        ));
    }
    let h = r.header("eContent")?;
    match (h.tag, h.len) {
        (asn1::TAG_OCTET_STRING, Some(len)) => {
            let mut left = len;
            while left > 0 {
                let n = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
                r.read_exact(&mut buf[..n], "eContent")?;
                tap.take(&buf[..n])?;
                left -= n as u64;
            }
            Ok(())
        }
        (0x24, _) => {
            let mut frame = r.open(&h, parent, "eContent")?;
            while !r.at_end(&mut frame, "eContent")? {
                stream_octets(r, &frame, tap, buf, depth + 1)?;
            }
            Ok(())
        }
        (t, _) => Err(Error::malformed(format!(
            "eContent: expected an OCTET STRING, found tag 0x{t:02X}"
        ))),
    }
}

fn verify_stream_inner<R: Read, S: DecryptSink + ?Sized>(
    input: R,
    detached: Option<&mut dyn Read>,
    opts: &VerifyOptions,
    sink: &mut S,
) -> Result<VerifyReport> {
    let mut r = BerReader::new(input);
    let root = BerReader::<R>::root();
    let h = r.expect(asn1::TAG_SEQUENCE, "ContentInfo")?;
    let mut ci = r.open(&h, &root, "ContentInfo")?;
    let ct = r.element(256, "ContentInfo contentType")?;
    let content_type = asn1::read_oid(&mut Reader::new(&ct), "ContentInfo contentType")?;
    if content_type != oids::ID_SIGNED_DATA {
        return Err(Error::malformed(format!(
            "expected SignedData but the ContentInfo holds {}",
            crate::alg::describe_oid(&content_type)
        )));
    }
    let h = r.expect(0xA0, "ContentInfo content")?;
    let mut explicit = r.open(&h, &ci, "ContentInfo content")?;
    let h = r.expect(asn1::TAG_SEQUENCE, "SignedData")?;
    let mut sd = r.open(&h, &explicit, "SignedData")?;
    let version_el = r.element(16, "SignedData version")?;
    let version = asn1::read_small_uint(&mut Reader::new_ber(&version_el), "SignedData version")?;
    if !matches!(version, 1 | 3 | 4 | 5) {
        return Err(Error::malformed(format!(
            "SignedData version {version} is not one RFC 5652 defines (1, 3, 4 or 5)"
        )));
    }
    let digests_el = r.element(64 * 1024, "SignedData digestAlgorithms")?;
    let mut listed = Vec::new();
    {
        let mut dr = Reader::new_ber(&digests_el);
        let set = dr.read_expected(asn1::TAG_SET, "SignedData digestAlgorithms")?;
        let mut sr = set.reader(Rules::Ber);
        while !sr.is_empty() {
            let a = sr.read_expected(asn1::TAG_SEQUENCE, "digest AlgorithmIdentifier")?;
            if let Ok(d) = DigestAlgorithm::from_algorithm_identifier(a.raw) {
                listed.push(d);
            }
        }
    }
    let h = r.expect(asn1::TAG_SEQUENCE, "EncapsulatedContentInfo")?;
    let mut encap = r.open(&h, &sd, "EncapsulatedContentInfo")?;
    let ect = r.element(256, "eContentType")?;
    let econtent_type = asn1::read_oid(&mut Reader::new(&ect), "eContentType")?;
    let mut tap = ContentTap {
        hasher: MultiHasher::new(listed),
        kept: Some(Vec::new()),
        sink,
    };
    let mut buf = vec![0u8; CHUNK];
    let mut encapsulated = false;
    if r.next_tag(&mut encap, "EncapsulatedContentInfo")? == Some(0xA0) {
        let h = r.header("eContent")?;
        let mut x = r.open(&h, &encap, "eContent")?;
        stream_octets(&mut r, &x, &mut tap, &mut buf, 0)?;
        r.close(&mut x, "eContent")?;
        encapsulated = true;
    }
    r.close(&mut encap, "EncapsulatedContentInfo")?;
    let certs_el = if r.next_tag(&mut sd, "SignedData")? == Some(0xA0) {
        Some(r.element(MAX_STREAM_ELEMENT, "SignedData certificates")?)
    } else {
        None
    };
    if r.next_tag(&mut sd, "SignedData")? == Some(0xA1) {
        r.skip_element("SignedData crls")?;
    }
    if r.next_tag(&mut sd, "SignedData")? != Some(asn1::TAG_SET) {
        return Err(Error::malformed("SignedData signerInfos is missing"));
    }
    let infos_el = r.element(MAX_STREAM_ELEMENT, "SignedData signerInfos")?;
    r.close(&mut sd, "SignedData")?;
    r.close(&mut explicit, "ContentInfo content")?;
    r.close(&mut ci, "ContentInfo")?;
    r.expect_eof()?;

    match (encapsulated, detached) {
        (true, Some(_)) => return Err(content_given_twice()),
        (false, None) => return Err(content_missing()),
        (false, Some(reader)) => loop {
            let n = read_some(reader, &mut buf)?;
            if n == 0 {
                break;
            }
            tap.take(&buf[..n])?;
        },
        (true, None) => {}
    }
    let kept = tap.kept.take();
    let digests = tap.hasher.finish();

    let mut certificates = Vec::new();
    if let Some(el) = &certs_el {
        let mut cr = Reader::new_ber(el);
        let set = cr.read_expected(0xA0, "SignedData certificates")?;
        let mut sr = set.reader(Rules::Ber);
        while !sr.is_empty() {
            let c = sr.read()?;
            if certificates.len() >= MAX_CERTIFICATES {
                return Err(Error::Limit(format!(
                    "more than {MAX_CERTIFICATES} certificates in the message"
                )));
            }
            if c.tag == asn1::TAG_SEQUENCE {
                certificates.push(c.raw);
            }
        }
    }
    let mut ir = Reader::new_ber(&infos_el);
    let infos = ir.read_expected(asn1::TAG_SET, "SignedData signerInfos")?;
    let mut sr = infos.reader(Rules::Ber);
    let mut signer_infos = Vec::new();
    while !sr.is_empty() {
        if signer_infos.len() >= MAX_SIGNERS {
            return Err(Error::Limit(format!("more than {MAX_SIGNERS} signers")));
        }
        let si = sr.read_expected(asn1::TAG_SEQUENCE, "SignerInfo")?;
        signer_infos.push(parse_signer_info(&si));
    }
    let parsed = ParsedSignedData {
        econtent_type,
        econtent: None,
        certificates,
        signer_infos,
    };
    evaluate(&parsed, kept.as_deref(), &digests, opts)
}

/// Checks every signer of a parsed SignedData given the content digests (and the content
/// itself for pure signatures without signed attributes), then applies the policy.
fn evaluate(
    parsed: &ParsedSignedData<'_>,
    content: Option<&[u8]>,
    digests: &[(DigestAlgorithm, Vec<u8>)],
    opts: &VerifyOptions,
) -> Result<VerifyReport> {
    let mut message_certs = Vec::with_capacity(parsed.certificates.len());
    for (i, raw) in parsed.certificates.iter().enumerate() {
        let cert = Certificate::from_der(raw).map_err(|e| match e {
            Error::Malformed(m) => {
                Error::Malformed(format!("certificate {} in the message: {m}", i + 1))
            }
            other => other,
        })?;
        message_certs.push(cert);
    }
    let at = opts.at.unwrap_or_else(SystemTime::now);
    let mut pool: Vec<Certificate> = message_certs.clone();
    pool.extend(opts.extra_certs.iter().cloned());
    let mut lookup_pool = pool.clone();
    lookup_pool.extend(opts.trust.iter().cloned());

    let mut signers = Vec::with_capacity(parsed.signer_infos.len());
    for si in &parsed.signer_infos {
        let report = match si {
            Ok(si) => check_signer(si, parsed, content, digests, &lookup_pool, &pool, opts, at),
            Err(e) => SignerReport::failed(format!("{e}")),
        };
        signers.push(report);
    }

    let ok = |s: &SignerReport| s.signature_valid && s.chain_valid != Some(false);
    let valid = !signers.is_empty()
        && match opts.policy {
            SignerPolicy::Any => signers.iter().any(ok),
            SignerPolicy::All => signers.iter().all(ok),
            SignerPolicy::RequirePq => signers.iter().any(|s| ok(s) && s.quantum_safe),
        };
    Ok(VerifyReport {
        valid,
        signers,
        content_type: crate::alg::describe_oid(&parsed.econtent_type),
        content: None,
        certificates: message_certs,
    })
}

impl SignerReport {
    fn failed(error: String) -> SignerReport {
        SignerReport {
            subject: None,
            email: None,
            algorithm: "unknown".into(),
            digest: "unknown".into(),
            quantum_safe: false,
            signature_valid: false,
            chain_valid: None,
            checks: Vec::new(),
            error: Some(error),
            certificate: None,
            encryption_certificate: None,
        }
    }
}

fn sid_matches(sid: &SignerId<'_>, c: &Certificate) -> bool {
    match sid {
        SignerId::IssuerSerial { issuer, serial } => {
            c.issuer_der() == *issuer && c.serial_bytes() == *serial
        }
        SignerId::SubjectKeyId(ski) => c.subject_key_identifier() == Some(*ski),
    }
}

fn find_signer_cert<'c>(sid: &SignerId<'_>, pool: &'c [Certificate]) -> Option<&'c Certificate> {
    pool.iter().find(|c| sid_matches(sid, c))
}

#[allow(clippy::too_many_arguments)]
fn check_signer(
    si: &ParsedSignerInfo<'_>,
    sd: &ParsedSignedData<'_>,
    content: Option<&[u8]>,
    digests: &[(DigestAlgorithm, Vec<u8>)],
    lookup_pool: &[Certificate],
    chain_pool: &[Certificate],
    opts: &VerifyOptions,
    at: SystemTime,
) -> SignerReport {
    let mut report = SignerReport::failed(String::new());
    report.error = None;
    if let Err(e) = check_signer_inner(si, sd, content, digests, lookup_pool, &mut report) {
        report.signature_valid = false;
        report.error = Some(e.to_string());
        return report;
    }
    report.signature_valid = true;
    if opts.no_chain {
        report.chain_valid = None;
        return report;
    }
    let Some(cert) = report.certificate.clone() else {
        return report;
    };
    if opts.trust.is_empty() {
        report.chain_valid = Some(false);
        report.error = Some("no trust anchors were given (use --trust, or --no-chain)".into());
        return report;
    }
    match crate::x509::validate_path_with_crls(
        &cert,
        chain_pool,
        &opts.trust,
        &opts.crls,
        at,
        Purpose::EmailSigning,
    ) {
        Ok(path) => {
            report.chain_valid = Some(true);
            let anchor = path.last().map(|c| c.subject_string()).unwrap_or_default();
            report.checks.push(format!(
                "certificate chain of {} certificate(s) to trust anchor '{anchor}' is valid",
                path.len()
            ));
        }
        Err(e) => {
            report.chain_valid = Some(false);
            report.error = Some(format!("chain not trusted: {e}"));
        }
    }
    report
}

fn check_signer_inner(
    si: &ParsedSignerInfo<'_>,
    sd: &ParsedSignedData<'_>,
    content: Option<&[u8]>,
    digests: &[(DigestAlgorithm, Vec<u8>)],
    pool: &[Certificate],
    report: &mut SignerReport,
) -> Result<()> {
    let digest = DigestAlgorithm::from_algorithm_identifier(si.digest_alg)?;
    report.digest = digest.name().to_string();
    let sig_alg = SignatureAlgorithm::from_algorithm_identifier(si.signature_alg, Some(digest))?;
    report.algorithm = sig_alg.name();
    report.quantum_safe = sig_alg.quantum_safe();

    // Several certificates can share an issuer and serial number (the RFC 9882 examples do),
    // so among the certificates the sid names, take the one whose key fits the algorithm.
    let candidates: Vec<&Certificate> = pool.iter().filter(|c| sid_matches(&si.sid, c)).collect();
    let not_found = || {
        Error::BadSignature(match si.sid {
            SignerId::IssuerSerial { serial, .. } => format!(
                "the signer certificate (serial {}) is neither in the message nor given (--certs)",
                hex_upper(serial)
            ),
            SignerId::SubjectKeyId(ski) => format!(
                "the signer certificate (key identifier {}) is neither in the message nor given (--certs)",
                hex_upper(ski)
            ),
        })
    };
    let first = *candidates.first().ok_or_else(not_found)?;
    let (cert, key) = candidates
        .iter()
        .find_map(|c| {
            c.public_key()
                .ok()
                .filter(|k| sig_alg.matches_key(k.kind()))
                .map(|k| (*c, k))
        })
        .ok_or_else(|| {
            let kind = first
                .public_key()
                .map(|k| k.kind().description())
                .unwrap_or_else(|e| format!("unreadable ({e})"));
            Error::BadSignature(format!(
                "the signature algorithm {} does not match the signer certificate's key ({kind})",
                sig_alg.name()
            ))
        })?;
    report.subject = Some(cert.subject_string());
    report.email = cert.email_addresses().into_iter().next();
    report.certificate = Some(cert.clone());
    report.checks.push(format!(
        "signer certificate found: '{}'",
        cert.subject_string()
    ));
    // RFC 5652 §11 and RFC 8551 §2.5.3: these attributes are only meaningful when signed.
    for t in &si.unsigned_types {
        let must_be_signed = [
            (oids::ID_CONTENT_TYPE, "content-type"),
            (oids::ID_MESSAGE_DIGEST, "message-digest"),
            (oids::ID_SIGNING_TIME, "signing-time"),
            (
                oids::ID_AA_ENCRYPTION_KEY_PREF,
                "SMIMEEncryptionKeyPreference",
            ),
            (oids::ID_CMS_ALGORITHM_PROTECTION, "CMSAlgorithmProtection"),
        ];
        if let Some((_, name)) = must_be_signed.iter().find(|(o, _)| o == t) {
            return Err(Error::BadSignature(format!(
                "the {name} attribute appears as an unsigned attribute, which RFC 5652 forbids"
            )));
        }
    }

    match &si.signed_attrs {
        Some(sa) => {
            // The signed attributes must be DER; the signature covers the received bytes
            // re-tagged as SET OF.
            let der_check = Reader::new(sa.raw)
                .read()
                .map_err(|_| Error::BadSignature("signed attributes are not DER encoded".into()))?;
            let attributes = attrs::parse_signed_attrs(der_check.value)
                .map_err(|e| Error::BadSignature(format!("signed attributes: {e}")))?;
            if sig_alg.quantum_safe() && !sig_alg.accepts_cms_digest(digest) {
                return Err(Error::BadSignature(format!(
                    "{} is too weak a digest for {} (RFC 9882 §3.3 / RFC 9814 §4)",
                    digest.name(),
                    sig_alg.name()
                )));
            }
            if let SignatureAlgorithm::RsaPkcs1(d)
            | SignatureAlgorithm::RsaPss(d)
            | SignatureAlgorithm::Ecdsa(d) = sig_alg
            {
                if d != digest {
                    return Err(Error::BadSignature(format!(
                        "the signature algorithm hashes with {} but the digest algorithm is {} (RFC 8933 requires the same)",
                        d.name(),
                        digest.name()
                    )));
                }
            }
            check_attributes(&attributes, si, sd, digest, digests, cert, pool, report)?;
            let to_verify = asn1::retag(sa.raw, asn1::TAG_SET);
            key.verify(sig_alg, &to_verify, &si.signature)?;
            report.checks.push(format!(
                "{} signature over the signed attributes is valid",
                sig_alg.name()
            ));
        }
        None => {
            if sd.econtent_type != oids::ID_DATA {
                return Err(Error::BadSignature(
                    "signed attributes are required when the content type is not id-data".into(),
                ));
            }
            let computed = lookup(digests, digest)?;
            if sig_alg.is_pure() {
                let c = content.ok_or_else(|| {
                    Error::Limit(format!(
                        "a {} signature without signed attributes signs the content itself, and streamed content over {} MiB is not kept for it",
                        sig_alg.name(),
                        MAX_STREAM_KEPT_CONTENT >> 20
                    ))
                })?;
                if looks_like_signed_attrs(c) {
                    return Err(Error::BadSignature(
                        "the content is itself a signed-attributes structure and there are no signed attributes (possible attribute-substitution attack)".into(),
                    ));
                }
                key.verify(sig_alg, c, &si.signature)?;
            } else {
                key.verify_digest(sig_alg, computed, &si.signature)?;
            }
            report.checks.push(format!(
                "{} signature over the content is valid (no signed attributes)",
                sig_alg.name()
            ));
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn check_attributes(
    attributes: &[attrs::Attribute<'_>],
    si: &ParsedSignerInfo<'_>,
    sd: &ParsedSignedData<'_>,
    digest: DigestAlgorithm,
    digests: &[(DigestAlgorithm, Vec<u8>)],
    cert: &Certificate,
    pool: &[Certificate],
    report: &mut SignerReport,
) -> Result<()> {
    let bad = |m: String| Error::BadSignature(m);
    // content-type: present, single-valued, equal to eContentType (RFC 5652 §11.1).
    let ct = attrs::single_value(attributes, &oids::ID_CONTENT_TYPE, "content-type")?
        .ok_or_else(|| bad("the content-type signed attribute is missing".into()))?;
    if ct.tag != asn1::TAG_OID || asn1::parse_oid(ct.value)? != sd.econtent_type {
        return Err(bad(
            "the content-type attribute does not match the content type".into(),
        ));
    }
    // message-digest: present, single-valued, equal to our digest (RFC 5652 §11.2).
    let md = attrs::single_value(attributes, &oids::ID_MESSAGE_DIGEST, "message-digest")?
        .ok_or_else(|| bad("the message-digest signed attribute is missing".into()))?;
    if md.tag != asn1::TAG_OCTET_STRING {
        return Err(bad(
            "the message-digest attribute is not an OCTET STRING".into()
        ));
    }
    let computed = lookup(digests, digest)?;
    if md.value.len() != computed.len() || !bool::from(md.value.ct_eq(computed)) {
        return Err(bad(format!(
            "the content does not match the signed {} message digest (content altered?)",
            digest.name()
        )));
    }
    report.checks.push(format!(
        "{} message digest matches the content",
        digest.name()
    ));
    if let Some(t) = attrs::single_value(attributes, &oids::ID_SIGNING_TIME, "signing-time")? {
        let secs = attrs::parse_time(&t).map_err(|e| bad(format!("signing-time: {e}")))?;
        report.checks.push(format!(
            "signing time (claimed by the signer) {}",
            attrs::format_unix(secs)
        ));
    }
    if attributes
        .iter()
        .any(|a| a.attr_type == oids::ID_COUNTERSIGNATURE)
    {
        return Err(bad(
            "a countersignature must not be a signed attribute".into()
        ));
    }
    // CMSAlgorithmProtection (RFC 6211 §3): must repeat the SignerInfo's algorithms exactly.
    if let Some(p) = attrs::single_value(
        attributes,
        &oids::ID_CMS_ALGORITHM_PROTECTION,
        "CMSAlgorithmProtection",
    )? {
        let mut r = Reader::new(p.value);
        let d = r.read_expected(asn1::TAG_SEQUENCE, "CMSAlgorithmProtection digestAlgorithm")?;
        let s = r.read_expected(0xA1, "CMSAlgorithmProtection signatureAlgorithm")?;
        r.finish("CMSAlgorithmProtection")?;
        if p.tag != asn1::TAG_SEQUENCE
            || d.raw != si.digest_alg
            || s.raw != asn1::retag(si.signature_alg, 0xA1)
        {
            return Err(bad(
                "CMSAlgorithmProtection does not match the SignerInfo algorithms (algorithm substitution?)".into(),
            ));
        }
        report.checks.push("CMSAlgorithmProtection matches".into());
    }
    // ESS signing-certificate-v2 (RFC 5035): the first ESSCertIDv2 must hash to our signer.
    if let Some(v) = attrs::single_value(
        attributes,
        &oids::ID_AA_SIGNING_CERTIFICATE_V2,
        "signing-certificate-v2",
    )? {
        check_signing_certificate_v2(&v, cert)?;
        report
            .checks
            .push("signing-certificate-v2 identifies the signer certificate".into());
    }
    // SMIMEEncryptionKeyPreference (RFC 8551 §2.5.3): report the named certificate.
    if let Some(v) = attrs::single_value(
        attributes,
        &oids::ID_AA_ENCRYPTION_KEY_PREF,
        "SMIMEEncryptionKeyPreference",
    )? {
        report.encryption_certificate = find_encryption_cert(&v, pool);
        report.checks.push(match &report.encryption_certificate {
            Some(c) => format!("advertises encryption certificate '{}'", c.subject_string()),
            None => "advertises an encryption certificate that the message does not carry".into(),
        });
    }
    Ok(())
}

fn check_signing_certificate_v2(v: &Tlv<'_>, cert: &Certificate) -> Result<()> {
    let bad = |m: &str| Error::BadSignature(format!("signing-certificate-v2: {m}"));
    if v.tag != asn1::TAG_SEQUENCE {
        return Err(bad("not a SEQUENCE"));
    }
    let mut r = Reader::new(v.value);
    let certs = r.read_expected(asn1::TAG_SEQUENCE, "SigningCertificateV2 certs")?;
    let mut cr = certs.reader(Rules::Der);
    let first = cr.read_expected(asn1::TAG_SEQUENCE, "ESSCertIDv2")?;
    let mut fr = first.reader(Rules::Der);
    let hash_alg = match fr.read_optional(asn1::TAG_SEQUENCE)? {
        Some(a) => DigestAlgorithm::from_algorithm_identifier(a.raw)?,
        None => DigestAlgorithm::Sha256,
    };
    let hash = fr.read_expected(asn1::TAG_OCTET_STRING, "ESSCertIDv2 certHash")?;
    let expected = crate::digest::digest(hash_alg, cert.der());
    if hash.value.len() != expected.len() || !bool::from(hash.value.ct_eq(&expected)) {
        return Err(bad("the certificate hash does not match the signer certificate (certificate substitution?)"));
    }
    Ok(())
}

fn find_encryption_cert(v: &Tlv<'_>, pool: &[Certificate]) -> Option<Certificate> {
    match v.tag {
        // [0] IMPLICIT IssuerAndSerialNumber; some encoders write it EXPLICIT (A0 { 30 ... }).
        0xA0 => {
            let mut r = Reader::new(v.value);
            let first = r.read().ok()?;
            let (issuer, serial) =
                if first.tag == asn1::TAG_SEQUENCE && r.peek_tag() == Some(asn1::TAG_INTEGER) {
                    (first.raw, r.read().ok()?.value)
                } else if first.tag == asn1::TAG_SEQUENCE && r.is_empty() {
                    let mut ir = first.reader(Rules::Der);
                    let issuer = ir.read().ok()?.raw;
                    (issuer, ir.read().ok()?.value)
                } else {
                    return None;
                };
            find_signer_cert(&SignerId::IssuerSerial { issuer, serial }, pool).cloned()
        }
        0x82 => find_signer_cert(&SignerId::SubjectKeyId(v.value), pool).cloned(),
        0xA1 => {
            let mut r = Reader::new(v.value);
            let ski = r
                .read_expected(asn1::TAG_OCTET_STRING, "RecipientKeyIdentifier")
                .ok()?;
            find_signer_cert(&SignerId::SubjectKeyId(ski.value), pool).cloned()
        }
        _ => None,
    }
}

fn hex_upper(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}
