//! `pqsmime inspect`: a readable tree of a CMS message, certificate, CSR, CRL or key.
//!
//! This is a generic walker over the library's bounded BER reader (`pqsmime::asn1`), naming
//! OIDs through the algorithm registry. It does not need the library's typed parsers, so it
//! shows structures those parsers refuse, and on malformed input it prints what it could read
//! and then says at which byte, and in which field, it broke (exit 2).
//!
//! Input: PEM (every block in the file), DER/BER, or an S/MIME entity (multipart/signed or
//! application/pkcs7-mime, via `smime::detect`).

mod cms;
mod der;
mod keys;
mod x509;

use std::io::Write;
use std::process::ExitCode;

use pqsmime::asn1::{self, Reader, Rules};
use pqsmime::smime::{self, Input};
use serde_json::{json, Value};
use zeroize::Zeroizing;

use self::der::{Broken, Seq, Walk};
use crate::cli::inspect::InspectArgs;
use crate::error::{CliError, CliResult};
use crate::io::{Output, Source};
use crate::pem;
use crate::tree::Node;

/// What an input object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Cms,
    Certificate,
    Crl,
    Csr,
    PrivateKey,
    PublicKey,
}

impl Kind {
    fn title(self) -> &'static str {
        match self {
            Kind::Cms => "CMS message",
            Kind::Certificate => "certificate",
            Kind::Crl => "CRL",
            Kind::Csr => "certification request",
            Kind::PrivateKey => "private key",
            Kind::PublicKey => "public key",
        }
    }
}

/// One object found in the input, ready to walk.
struct Object {
    kind: Option<Kind>,
    /// "PEM 'CERTIFICATE'", "DER", "S/MIME multipart/signed", ...
    origin: String,
    der: Zeroizing<Vec<u8>>,
    /// Lines about the framing (S/MIME headers), shown before the tree.
    framing: Option<Node>,
    /// A block we recognise but do not decode (e.g. an encrypted private key).
    note: Option<String>,
}

/// The result of walking one object.
pub struct Inspected {
    pub tree: Node,
    pub kind: Option<Kind>,
    pub error: Option<String>,
}

pub fn run(a: InspectArgs) -> CliResult<ExitCode> {
    let source = Source::from_arg(a.input.input.as_deref());
    let data = Zeroizing::new(source.read_all()?);
    let objects = find_objects(&data, &source.describe())?;
    let results: Vec<Inspected> = objects.into_iter().map(inspect_object).collect();

    let text: String = results
        .iter()
        .map(|r| r.tree.render())
        .collect::<Vec<_>>()
        .join("\n");
    if a.json {
        let mut out = Output::stdout();
        let mut s = serde_json::to_string_pretty(&to_json(&results))
            .map_err(|e| CliError::input(format!("cannot encode JSON: {e}")))?;
        s.push('\n');
        out.put(s.as_bytes())?;
        out.commit()?;
        let _ = std::io::stderr().write_all(text.as_bytes());
    } else {
        let mut out = Output::stdout();
        out.put(text.as_bytes())?;
        out.commit()?;
    }
    match results.iter().find_map(|r| r.error.clone()) {
        Some(e) => Err(CliError::input(format!("{}: {e}", source.describe()))),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// `{"type", "format", "tree", "error"?}` for the first object; further PEM blocks in `others`.
fn to_json(results: &[Inspected]) -> Value {
    let one = |r: &Inspected| {
        let mut v = json!({
            "type": r.kind.map(Kind::title),
            "format": r.tree.value,
            "tree": r.tree.to_json(),
        });
        if let Some(e) = &r.error {
            v["error"] = json!(e);
        }
        v
    };
    let mut first = results.first().map(one).unwrap_or_else(|| json!({}));
    if results.len() > 1 {
        first["others"] = Value::Array(results[1..].iter().map(one).collect());
    }
    first
}

fn trim_start(data: &[u8]) -> &[u8] {
    let skip = data.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &data[skip..]
}

/// Splits the input into objects: PEM blocks, one DER/BER object, or the CMS inside a MIME
/// entity.
fn find_objects(data: &[u8], name: &str) -> CliResult<Vec<Object>> {
    let t = trim_start(data);
    if t.is_empty() {
        return Err(CliError::input(format!("{name} is empty")));
    }
    if t.starts_with(b"-----BEGIN ") {
        return pem_objects(data, name);
    }
    if t.first() == Some(&asn1::TAG_SEQUENCE) {
        return Ok(vec![Object {
            kind: None,
            origin: String::new(),
            der: Zeroizing::new(data.to_vec()),
            framing: None,
            note: None,
        }]);
    }
    match smime::detect(data) {
        Ok(input) => Ok(vec![mime_object(input)]),
        Err(e) if pem::looks_like_pem(data) => {
            // Text before a PEM block (e.g. `openssl x509 -text` output) is not MIME.
            let _ = e;
            pem_objects(data, name)
        }
        Err(e) => Err(CliError::input(format!(
            "{name} is neither PEM, DER/BER nor an S/MIME message ({e})"
        ))),
    }
}

fn pem_objects(data: &[u8], name: &str) -> CliResult<Vec<Object>> {
    let blocks = pem::decode_all(data).map_err(|e| e.context(format!("reading {name}")))?;
    if blocks.is_empty() {
        return Err(CliError::input(format!("{name} holds no PEM block")));
    }
    Ok(blocks
        .into_iter()
        .map(|b| {
            let (kind, note) = match b.label.as_str() {
                "CMS" | "PKCS7" | "PKCS #7 SIGNED DATA" => (Some(Kind::Cms), None),
                "CERTIFICATE" | "TRUSTED CERTIFICATE" | "X509 CERTIFICATE" => (Some(Kind::Certificate), None),
                "X509 CRL" => (Some(Kind::Crl), None),
                "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => (Some(Kind::Csr), None),
                "PRIVATE KEY" => (Some(Kind::PrivateKey), None),
                "PUBLIC KEY" => (Some(Kind::PublicKey), None),
                "ENCRYPTED PRIVATE KEY" => (
                    None,
                    Some("a password-encrypted PKCS#8 private key (EncryptedPrivateKeyInfo); pqsmime does not decrypt it".to_string()),
                ),
                "RSA PRIVATE KEY" | "EC PRIVATE KEY" => (
                    None,
                    Some(format!(
                        "a legacy OpenSSL '{}' key; convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)",
                        b.label
                    )),
                ),
                other => (
                    None,
                    Some(format!("a PEM '{}' block, which pqsmime does not know", der::clean(other))),
                ),
            };
            Object {
                kind,
                origin: format!("PEM '{}'", der::clean(&b.label)),
                der: Zeroizing::new(b.der),
                framing: None,
                note,
            }
        })
        .collect())
}

fn mime_object(input: Input) -> Object {
    match input {
        Input::Cms { der, smime_type } => {
            let (origin, framing) = match smime_type {
                Some(t) => {
                    let mut f = Node::new("S/MIME");
                    f.add("Content-Type", "application/pkcs7-mime");
                    f.add("smime-type", der::clean(&t));
                    ("S/MIME application/pkcs7-mime".to_string(), Some(f))
                }
                None => ("PEM or DER".to_string(), None),
            };
            Object {
                kind: Some(Kind::Cms),
                origin,
                der: Zeroizing::new(der),
                framing,
                note: None,
            }
        }
        Input::MultipartSigned {
            content,
            signature,
            micalg,
        } => {
            let mut f = Node::new("S/MIME");
            f.add("Content-Type", "multipart/signed");
            f.add(
                "micalg",
                micalg
                    .map(|m| der::clean(&m))
                    .unwrap_or_else(|| "(absent)".into()),
            );
            f.add(
                "signed content",
                format!("{} bytes (the first body part)", content.len()),
            );
            Object {
                kind: Some(Kind::Cms),
                origin: "S/MIME multipart/signed, signature part".to_string(),
                der: Zeroizing::new(signature),
                framing: Some(f),
                note: None,
            }
        }
    }
}

/// DER or BER: checks every constructed element with strict DER rules (bounded depth).
fn is_der(data: &[u8]) -> bool {
    fn walk(data: &[u8], depth: usize) -> bool {
        if depth > asn1::MAX_DEPTH {
            return false;
        }
        let mut r = Reader::new(data);
        while !r.is_empty() {
            let Ok(t) = r.read() else { return false };
            if t.is_constructed() && !walk(t.value, depth + 1) {
                return false;
            }
        }
        true
    }
    walk(data, 0)
}

/// Classifies a DER/BER object by its shape.
fn classify(w: &Walk<'_>, t: &asn1::Tlv<'_>) -> Result<Kind, Broken> {
    let mut s = Seq::of(t);
    let first = s.any(w, "first element")?;
    match first.tag {
        asn1::TAG_OID => return Ok(Kind::Cms),
        // PKCS#8: INTEGER, AlgorithmIdentifier, OCTET STRING
        asn1::TAG_INTEGER if s.peek() == Some(asn1::TAG_SEQUENCE) => {
            let alg = s.any(w, "second element")?;
            if Seq::of(&alg).peek() == Some(asn1::TAG_OID)
                && s.peek() == Some(asn1::TAG_OCTET_STRING)
            {
                return Ok(Kind::PrivateKey);
            }
        }
        asn1::TAG_SEQUENCE => {
            if Seq::of(&first).peek() == Some(asn1::TAG_OID)
                && s.peek() == Some(asn1::TAG_BIT_STRING)
            {
                return Ok(Kind::PublicKey);
            }
            return match x509::signed_object_kind(w, t)? {
                "certificate" => Ok(Kind::Certificate),
                "CRL" => Ok(Kind::Crl),
                _ => Ok(Kind::Csr),
            };
        }
        _ => {}
    }
    Err(w.broken(
        t.raw,
        "not a CMS message, certificate, CRL, certification request or key (unrecognised structure)",
    ))
}

fn inspect_object(o: Object) -> Inspected {
    let der: &[u8] = &o.der;
    let encoding = if is_der(der) { "DER" } else { "BER" };
    let origin = if o.origin.is_empty() || o.origin == "PEM or DER" {
        encoding.to_string()
    } else {
        format!("{}, {encoding}", o.origin)
    };
    if let Some(note) = o.note {
        let mut tree = Node::leaf("object", format!("{origin}, {} bytes", der.len()));
        tree.add("note", note);
        return Inspected {
            tree,
            kind: None,
            error: None,
        };
    }
    let w = Walk::new(der);
    let mut tree = Node::leaf("object", format!("{origin}, {} bytes", der.len()));
    if let Some(f) = o.framing {
        tree.push(f);
    }
    let result = walk_object(&w, o.kind, &mut tree);
    let (kind, error) = match result {
        Ok(k) => (Some(k), None),
        Err((k, b)) => {
            let at = b
                .offset
                .map(|o| format!(" at byte {o}"))
                .unwrap_or_default();
            (k, Some(format!("malformed{at}: {}", b.msg)))
        }
    };
    if let Some(k) = kind {
        tree.name = k.title().to_string();
    }
    if let Some(e) = &error {
        tree.add("ERROR", e.clone());
    }
    Inspected { tree, kind, error }
}

fn walk_object(
    w: &Walk<'_>,
    hint: Option<Kind>,
    tree: &mut Node,
) -> Result<Kind, (Option<Kind>, Broken)> {
    let mut top = Seq::over(w.base);
    let t = top
        .expect(w, asn1::TAG_SEQUENCE, "the outer SEQUENCE")
        .map_err(|b| (hint, b))?;
    let kind = match hint {
        Some(k) => k,
        None => classify(w, &t).map_err(|b| (None, b))?,
    };
    let r = match kind {
        Kind::Cms => cms::content_info(w, &t, tree),
        Kind::Certificate => x509::certificate(w, &t, tree, false),
        Kind::Crl => x509::crl(w, &t, tree),
        Kind::Csr => x509::csr(w, &t, tree),
        Kind::PrivateKey => keys::private_key(w, &t, tree),
        Kind::PublicKey => x509::spki(w, &t, tree),
    };
    r.map_err(|b| (Some(kind), b))?;
    if !top.is_empty() {
        return Err((
            Some(kind),
            w.broken(
                top.at(),
                format!("{} unexpected bytes after the object", top.at().len()),
            ),
        ));
    }
    // BER is only legitimate for CMS; say so for the others.
    if kind != Kind::Cms && !is_der(w.base) {
        tree.add(
            "warning",
            "not DER encoded (RFC 5280 and RFC 5958 objects must be DER)",
        );
    }
    let _ = Rules::Ber;
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pqsmime::alg::DigestAlgorithm;
    use pqsmime::oids;

    fn signed_data(signed_attrs: Option<Vec<u8>>) -> Vec<u8> {
        let algs = asn1::set_of(vec![DigestAlgorithm::Sha512.algorithm_identifier()]);
        let encap = asn1::sequence(&[
            &asn1::oid(&oids::ID_DATA),
            &asn1::tlv(0xA0, &asn1::octet_string(b"hello")),
        ]);
        let sid = asn1::tlv(0x80, &[0x01, 0x02, 0x03]);
        let mut si_parts: Vec<Vec<u8>> = vec![
            asn1::integer_u64(3),
            sid,
            DigestAlgorithm::Sha512.algorithm_identifier(),
        ];
        if let Some(a) = signed_attrs {
            si_parts.push(a);
        }
        si_parts.push(
            pqsmime::alg::SignatureAlgorithm::MlDsa(pqsmime::alg::MlDsaLevel::L65)
                .algorithm_identifier(),
        );
        si_parts.push(asn1::octet_string(&[0u8; 10]));
        let refs: Vec<&[u8]> = si_parts.iter().map(|v| v.as_slice()).collect();
        let si = asn1::sequence(&refs);
        let sd = asn1::sequence(&[
            &asn1::integer_u64(3),
            &algs,
            &encap,
            &asn1::set_of(vec![si]),
        ]);
        asn1::sequence(&[&asn1::oid(&oids::ID_SIGNED_DATA), &asn1::tlv(0xA0, &sd)])
    }

    fn attrs() -> Vec<u8> {
        let attr = |o: &const_oid::ObjectIdentifier, v: Vec<u8>| {
            asn1::sequence(&[&asn1::oid(o), &asn1::set_of(vec![v])])
        };
        let ct = attr(&oids::ID_CONTENT_TYPE, asn1::oid(&oids::ID_DATA));
        let md = attr(&oids::ID_MESSAGE_DIGEST, asn1::octet_string(&[0xAA; 64]));
        let st = attr(
            &oids::ID_SIGNING_TIME,
            asn1::tlv(asn1::TAG_UTC_TIME, b"261128044956Z"),
        );
        let caps = attr(
            &oids::ID_SMIME_CAPABILITIES,
            asn1::sequence(&[
                &asn1::algorithm_identifier(&oids::AES256_GCM, None),
                &asn1::algorithm_identifier(&pqsmime::alg::oid::ML_KEM_768, None),
            ]),
        );
        let prot = attr(
            &oids::ID_CMS_ALGORITHM_PROTECTION,
            asn1::sequence(&[
                &DigestAlgorithm::Sha512.algorithm_identifier(),
                &asn1::retag(
                    &pqsmime::alg::SignatureAlgorithm::MlDsa(pqsmime::alg::MlDsaLevel::L65)
                        .algorithm_identifier(),
                    0xA1,
                ),
            ]),
        );
        asn1::retag(&asn1::set_of(vec![ct, md, st, caps, prot]), 0xA0)
    }

    fn walk(der: &[u8]) -> Inspected {
        inspect_object(Object {
            kind: None,
            origin: String::new(),
            der: Zeroizing::new(der.to_vec()),
            framing: None,
            note: None,
        })
    }

    #[test]
    fn signed_data_tree_names_algorithms_and_attributes() {
        let r = walk(&signed_data(Some(attrs())));
        assert_eq!(r.error, None);
        assert_eq!(r.kind, Some(Kind::Cms));
        let text = r.tree.render();
        for want in [
            "content type: id-signedData (1.2.840.113549.1.7.2)",
            "SHA-512 (2.16.840.1.101.3.4.2.3)",
            "content: 5 bytes",
            "signer: subject key identifier 010203",
            "signed attributes: DER",
            "content-type: id-data",
            "message-digest: AAAA",
            "signing-time: 2026-11-28 04:49:56 UTC",
            "AES-256-GCM",
            "ML-KEM-768",
            "signature algorithm: ML-DSA-65 (2.16.840.1.101.3.4.3.18, quantum-safe)",
            "signature: 10 bytes",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
        let j = to_json(&[r]);
        assert_eq!(j["type"], "CMS message");
        assert!(j.get("error").is_none());
    }

    #[test]
    fn truncated_message_reports_where_it_broke_after_a_partial_tree() {
        let good = signed_data(Some(attrs()));
        // Corrupt the signed attributes' SET length byte inside the message-digest attribute:
        // find the 64-byte OCTET STRING header (04 40) and claim 0x7F bytes.
        let pos = good.windows(2).position(|w| w == [0x04, 0x40]).unwrap();
        let mut bad = good.clone();
        bad[pos + 1] = 0x7F;
        let r = walk(&bad);
        let e = r.error.clone().unwrap();
        assert!(e.starts_with("malformed at byte "), "{e}");
        let text = r.tree.render();
        assert!(
            text.contains("digest algorithms"),
            "partial tree missing:\n{text}"
        );
        assert!(text.contains("ERROR: malformed"), "{text}");
    }

    #[test]
    fn json_shape_for_one_and_several_objects() {
        let one = walk(&signed_data(None));
        let two = walk(&signed_data(None));
        let j = to_json(&[one]);
        assert_eq!(j["type"], "CMS message");
        assert_eq!(j["tree"]["name"], "CMS message");
        assert!(j["format"].as_str().unwrap().contains("DER"));
        assert!(j.get("others").is_none());
        let three = walk(&[0x30, 0x03, 0x01, 0x01, 0xFF]);
        let j = to_json(&[two, three]);
        assert_eq!(j["others"].as_array().unwrap().len(), 1);
        assert!(j["others"][0]["error"]
            .as_str()
            .unwrap()
            .contains("unrecognised"));
    }

    #[test]
    fn garbage_is_classified_as_unrecognised() {
        let der = asn1::sequence(&[&asn1::tlv(asn1::TAG_BOOLEAN, &[0xFF])]);
        let r = walk(&der);
        assert!(r.error.unwrap().contains("unrecognised structure"));
    }

    #[test]
    fn trailing_bytes_are_an_error() {
        let mut der = signed_data(None);
        der.extend([0x05, 0x00]);
        let r = walk(&der);
        assert!(r
            .error
            .unwrap()
            .contains("2 unexpected bytes after the object"));
    }

    #[test]
    fn ber_indefinite_lengths_are_walked_and_labelled() {
        // ContentInfo { id-data, [0] { OCTET STRING constructed indefinite { "ab" "c" } } }
        let mut der = vec![0x30, 0x80];
        der.extend(asn1::oid(&oids::ID_DATA));
        der.extend([
            0xA0, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0, 0, 0, 0, 0, 0,
        ]);
        assert!(!is_der(&der));
        let r = walk(&der);
        assert_eq!(r.error, None, "{}", r.tree.render());
        let text = r.tree.render();
        assert!(text.contains("data: 3 bytes"), "{text}");
        assert!(text.contains("BER"), "{text}");
    }

    #[test]
    fn spki_and_pkcs8_shapes_are_recognised() {
        let spki = asn1::sequence(&[
            &asn1::algorithm_identifier(&pqsmime::alg::oid::ED25519, None),
            &asn1::bit_string(&[0u8; 32]),
        ]);
        let w = Walk::new(&spki);
        let t = Seq::over(&spki).any(&w, "x").unwrap();
        assert_eq!(classify(&w, &t).unwrap(), Kind::PublicKey);
        let p8 = asn1::sequence(&[
            &asn1::integer_u64(0),
            &asn1::algorithm_identifier(&pqsmime::alg::oid::ED25519, None),
            &asn1::octet_string(&asn1::octet_string(&[0u8; 32])),
        ]);
        let w = Walk::new(&p8);
        let t = Seq::over(&p8).any(&w, "x").unwrap();
        assert_eq!(classify(&w, &t).unwrap(), Kind::PrivateKey);
    }

    #[test]
    fn pem_labels_pick_the_kind_and_unknown_ones_get_a_note() {
        let text = format!(
            "{}{}",
            pem::encode("X509 CRL", &[0x30, 0x00]),
            pem::encode("ENCRYPTED PRIVATE KEY", &[0x30, 0x00])
        );
        let objs = find_objects(text.as_bytes(), "x").unwrap();
        assert_eq!(objs.len(), 2);
        assert_eq!(objs[0].kind, Some(Kind::Crl));
        assert!(objs[1]
            .note
            .as_deref()
            .unwrap()
            .contains("password-encrypted"));
        assert!(find_objects(b"   ", "x").is_err());
    }
}
