//! CMS (RFC 5652): ContentInfo, SignedData with every signed attribute decoded, EnvelopedData
//! and AuthEnvelopedData (RFC 5083) with every kind of RecipientInfo, including
//! KEMRecipientInfo (RFC 9629).

use pqsmime::alg::DigestAlgorithm;
use pqsmime::asn1::{self, Tlv};
use pqsmime::oids;

use super::der::{
    alg_words, digest_of, hex, integer, name, serial, signature_alg_words, single, time, words,
    Seq, WResult, Walk,
};
use super::x509;
use crate::tree::Node;

/// Countersignatures nest SignerInfos; follow at most this many levels.
const MAX_COUNTERSIGNATURE_DEPTH: usize = 4;

/// A ContentInfo: the content type and the content decoded by type.
pub fn content_info(w: &Walk<'_>, t: &Tlv<'_>, node: &mut Node) -> WResult<()> {
    let mut s = Seq::of(t);
    let ct = s.oid(w, "ContentInfo contentType")?;
    node.add("content type", words(&ct));
    let Some(explicit) = s.optional(w, 0xA0, "ContentInfo content")? else {
        node.add("content", "absent");
        return s.end(w, "ContentInfo");
    };
    s.end(w, "ContentInfo")?;
    let inner = single(
        w,
        explicit.value,
        explicit.value.first().copied().unwrap_or(0),
        "ContentInfo content",
    )?;
    if ct == oids::ID_SIGNED_DATA {
        signed_data(w, &inner, node.child("SignedData"))
    } else if ct == oids::ID_ENVELOPED_DATA {
        enveloped_data(w, &inner, node.child("EnvelopedData"), false)
    } else if ct == oids::ID_CT_AUTH_ENVELOPED_DATA {
        enveloped_data(w, &inner, node.child("AuthEnvelopedData"), true)
    } else if ct == oids::ID_DATA {
        let data = asn1::octet_string_contents(&inner, asn1::Rules::Ber)
            .map_err(|e| w.lib(inner.raw, e))?;
        node.add("data", format!("{} bytes", data.len()));
        Ok(())
    } else {
        node.add(
            "content",
            format!("{} bytes (not decoded)", inner.raw.len()),
        );
        Ok(())
    }
}

fn version(w: &Walk<'_>, s: &mut Seq<'_>, node: &mut Node, what: &str) -> WResult<()> {
    let v = s.expect(w, asn1::TAG_INTEGER, what)?;
    node.add("version", integer(v.value));
    Ok(())
}

/// SignedData (RFC 5652 §5.1).
pub fn signed_data(w: &Walk<'_>, t: &Tlv<'_>, node: &mut Node) -> WResult<()> {
    let mut s = Seq::of(t);
    version(w, &mut s, node, "SignedData version")?;

    let algs = s.expect(w, asn1::TAG_SET, "digestAlgorithms")?;
    let dn = node.child("digest algorithms");
    let mut a = Seq::of(&algs);
    while !a.is_empty() {
        let alg = a.any(w, "DigestAlgorithmIdentifier")?;
        dn.push(Node::new(alg_words(w, &alg, "digestAlgorithm")?));
    }

    let encap = s.expect(w, asn1::TAG_SEQUENCE, "encapContentInfo")?;
    let en = node.child("encapsulated content");
    let mut e = Seq::of(&encap);
    let ect = e.oid(w, "eContentType")?;
    en.add("content type", words(&ect));
    match e.optional(w, 0xA0, "eContent")? {
        Some(ex) => {
            let os = single(
                w,
                ex.value,
                ex.value.first().copied().unwrap_or(0),
                "eContent",
            )?;
            if os.tag != asn1::TAG_OCTET_STRING && os.tag != 0x24 {
                return Err(w.broken(
                    os.raw,
                    format!(
                        "eContent: expected an OCTET STRING, found tag 0x{:02X}",
                        os.tag
                    ),
                ));
            }
            let data =
                asn1::octet_string_contents(&os, asn1::Rules::Ber).map_err(|e| w.lib(os.raw, e))?;
            let form = if os.tag == 0x24 {
                ", BER constructed"
            } else {
                ""
            };
            en.add("content", format!("{} bytes{form}", data.len()));
        }
        None => {
            en.add("content", "absent (detached signature)");
        }
    }
    e.end(w, "encapContentInfo")?;

    if let Some(certs) = s.optional(w, 0xA0, "certificates")? {
        let cn = node.child("certificates");
        let mut c = Seq::of(&certs);
        let mut i = 0;
        while !c.is_empty() {
            i += 1;
            let choice = c.any(w, &format!("certificate {i}"))?;
            let n = cn.child(format!("certificate {i}"));
            match choice.tag {
                asn1::TAG_SEQUENCE => x509::certificate(w, &choice, n, true)?,
                0xA0 => n.value = Some("extendedCertificate (obsolete)".into()),
                0xA1 => n.value = Some("v1 attribute certificate (obsolete)".into()),
                0xA2 => n.value = Some("v2 attribute certificate".into()),
                0xA3 => n.value = Some("other certificate format".into()),
                other => {
                    return Err(w.broken(
                        choice.raw,
                        format!("certificate {i}: unknown CertificateChoices tag 0x{other:02X}"),
                    ))
                }
            }
        }
        cn.value = Some(i.to_string());
    }
    if let Some(crls) = s.optional(w, 0xA1, "crls")? {
        let cn = node.child("CRLs");
        let mut c = Seq::of(&crls);
        let mut i = 0;
        while !c.is_empty() {
            i += 1;
            let choice = c.any(w, &format!("CRL {i}"))?;
            let n = cn.child(format!("CRL {i}"));
            if choice.tag == asn1::TAG_SEQUENCE {
                x509::crl(w, &choice, n)?;
            } else {
                n.value = Some("other revocation information".into());
            }
        }
        cn.value = Some(i.to_string());
    }

    let infos = s.expect(w, asn1::TAG_SET, "signerInfos")?;
    s.end(w, "SignedData")?;
    let sn = node.child("signer infos");
    let mut si = Seq::of(&infos);
    let mut i = 0;
    while !si.is_empty() {
        i += 1;
        let info = si.expect(w, asn1::TAG_SEQUENCE, &format!("SignerInfo {i}"))?;
        signer_info(w, &info, sn.child(format!("signer {i}")), 0)?;
    }
    sn.value = Some(i.to_string());
    Ok(())
}

/// IssuerAndSerialNumber (`t` is the SEQUENCE, or an implicitly tagged one).
pub fn issuer_and_serial(w: &Walk<'_>, t: &Tlv<'_>, node: &mut Node) -> WResult<()> {
    let mut s = Seq::of(t);
    let issuer = s.any(w, "issuer")?;
    let sn = s.expect(w, asn1::TAG_INTEGER, "serialNumber")?;
    s.end(w, "IssuerAndSerialNumber")?;
    node.add("issuer", name(w, &issuer, "issuer")?);
    node.add("serial number", serial(sn.value));
    Ok(())
}

/// SignerIdentifier / RecipientIdentifier: IssuerAndSerialNumber or `[0]` key identifier.
fn identifier(w: &Walk<'_>, t: &Tlv<'_>, node: &mut Node, what: &str) -> WResult<()> {
    match t.tag {
        asn1::TAG_SEQUENCE => {
            let n = node.child(what);
            n.value = Some("issuer and serial number".into());
            issuer_and_serial(w, t, n)
        }
        0x80 => {
            node.add(what, format!("subject key identifier {}", hex(t.value)));
            Ok(())
        }
        other => Err(w.broken(
            t.raw,
            format!("{what}: unknown identifier tag 0x{other:02X}"),
        )),
    }
}

fn signer_info(w: &Walk<'_>, t: &Tlv<'_>, node: &mut Node, depth: usize) -> WResult<()> {
    let mut s = Seq::of(t);
    version(w, &mut s, node, "SignerInfo version")?;
    let sid = s.any(w, "sid")?;
    identifier(w, &sid, node, "signer")?;
    let dalg = s.any(w, "digestAlgorithm")?;
    let digest = digest_of(&dalg);
    node.add("digest algorithm", alg_words(w, &dalg, "digestAlgorithm")?);
    if let Some(attrs) = s.optional(w, 0xA0, "signedAttrs")? {
        let an = node.child("signed attributes");
        let der = pqsmime::asn1::Reader::new(attrs.raw).read().is_ok();
        an.value = Some(if der {
            "DER".into()
        } else {
            "NOT DER (a verifier must reject this)".into()
        });
        attributes(w, &attrs, an, digest, depth)?;
    }
    let salg = s.any(w, "signatureAlgorithm")?;
    node.add(
        "signature algorithm",
        signature_alg_words(w, &salg, digest, "signatureAlgorithm")?,
    );
    let sig = s.expect(w, asn1::TAG_OCTET_STRING, "signature")?;
    node.add("signature", format!("{} bytes", sig.value.len()));
    if let Some(attrs) = s.optional(w, 0xA1, "unsignedAttrs")? {
        attributes(w, &attrs, node.child("unsigned attributes"), digest, depth)?;
    }
    s.end(w, "SignerInfo")
}

/// A SET OF Attribute (`t` is the `[n]` IMPLICIT element or a SET).
pub fn attributes(
    w: &Walk<'_>,
    t: &Tlv<'_>,
    node: &mut Node,
    digest: Option<DigestAlgorithm>,
    depth: usize,
) -> WResult<()> {
    let mut s = Seq::of(t);
    while !s.is_empty() {
        let attr = s.expect(w, asn1::TAG_SEQUENCE, "Attribute")?;
        let mut a = Seq::of(&attr);
        let oid = a.oid(w, "attrType")?;
        let values = a.expect(w, asn1::TAG_SET, "attrValues")?;
        a.end(w, "Attribute")?;
        let label = super::der::oid_name(&oid)
            .map(|n| n.to_string())
            .unwrap_or_else(|| oid.to_string());
        let n = node.child(label);
        let mut vs = Seq::of(&values);
        let mut count = 0;
        while !vs.is_empty() {
            count += 1;
            let v = vs.any(w, "attribute value")?;
            attribute_value(w, &oid, &v, n, digest, depth)?;
        }
        if count != 1 {
            n.add(
                "note",
                format!("{count} values (S/MIME attributes have exactly one)"),
            );
        }
    }
    Ok(())
}

fn set_value(n: &mut Node, v: String) {
    match &n.value {
        None => n.value = Some(v),
        Some(_) => n.push(Node::new(v)),
    }
}

fn attribute_value(
    w: &Walk<'_>,
    oid: &const_oid::ObjectIdentifier,
    v: &Tlv<'_>,
    n: &mut Node,
    digest: Option<DigestAlgorithm>,
    depth: usize,
) -> WResult<()> {
    if *oid == oids::ID_CONTENT_TYPE {
        let o = super::der::parse_oid(w, v, "content-type")?;
        set_value(n, words(&o));
    } else if *oid == oids::ID_MESSAGE_DIGEST {
        if v.tag != asn1::TAG_OCTET_STRING {
            return Err(w.broken(v.raw, "message-digest: expected an OCTET STRING"));
        }
        let note = match digest {
            Some(d) if d.output_len() != v.value.len() => format!(
                " (WRONG LENGTH: {} produces {} bytes)",
                d.name(),
                d.output_len()
            ),
            _ => String::new(),
        };
        set_value(n, format!("{}{note}", hex(v.value)));
    } else if *oid == oids::ID_SIGNING_TIME {
        set_value(n, time(w, v, "signing-time")?);
    } else if *oid == oids::ID_SMIME_CAPABILITIES {
        smime_capabilities(w, v.raw, n)?;
    } else if *oid == oids::ID_CMS_ALGORITHM_PROTECTION {
        let mut s = Seq::of(v);
        let d = s.any(w, "CMSAlgorithmProtection digestAlgorithm")?;
        n.add("digest algorithm", alg_words(w, &d, "digestAlgorithm")?);
        if let Some(sig) = s.optional(w, 0xA1, "CMSAlgorithmProtection signatureAlgorithm")? {
            let as_seq = asn1::retag(sig.raw, asn1::TAG_SEQUENCE);
            let sw = Walk::new(&as_seq);
            let st = Seq::over(&as_seq).any(&sw, "signatureAlgorithm")?;
            n.add(
                "signature algorithm",
                signature_alg_words(&sw, &st, digest_of(&d), "signatureAlgorithm")?,
            );
        }
        if let Some(mac) = s.optional(w, 0xA2, "CMSAlgorithmProtection macAlgorithm")? {
            let as_seq = asn1::retag(mac.raw, asn1::TAG_SEQUENCE);
            let mw = Walk::new(&as_seq);
            let mt = Seq::over(&as_seq).any(&mw, "macAlgorithm")?;
            n.add("MAC algorithm", alg_words(&mw, &mt, "macAlgorithm")?);
        }
        s.end(w, "CMSAlgorithmProtection")?;
    } else if *oid == oids::ID_AA_SIGNING_CERTIFICATE_V2 || *oid == oids::ID_AA_SIGNING_CERTIFICATE
    {
        let v2 = *oid == oids::ID_AA_SIGNING_CERTIFICATE_V2;
        let mut s = Seq::of(v);
        let certs = s.expect(w, asn1::TAG_SEQUENCE, "certs")?;
        let mut c = Seq::of(&certs);
        let mut i = 0;
        while !c.is_empty() {
            i += 1;
            let id = c.expect(w, asn1::TAG_SEQUENCE, "ESSCertID")?;
            let cn = n.child(format!("certificate {i}"));
            let mut e = Seq::of(&id);
            let hash_alg = if v2 && e.peek() == Some(asn1::TAG_SEQUENCE) {
                let a = e.any(w, "hashAlgorithm")?;
                alg_words(w, &a, "hashAlgorithm")?
            } else if v2 {
                "SHA-256 (default)".to_string()
            } else {
                "SHA-1".to_string()
            };
            let h = e.expect(w, asn1::TAG_OCTET_STRING, "certHash")?;
            cn.add("hash algorithm", hash_alg);
            cn.add("certificate hash", hex(h.value));
            if let Some(is) = e.optional(w, asn1::TAG_SEQUENCE, "issuerSerial")? {
                let mut x = Seq::of(&is);
                let names = x.expect(w, asn1::TAG_SEQUENCE, "issuer")?;
                let sn = x.expect(w, asn1::TAG_INTEGER, "serialNumber")?;
                super::der::general_names(w, names.value, cn.child("issuer"))?;
                cn.add("serial number", serial(sn.value));
            }
        }
        if s.optional(w, asn1::TAG_SEQUENCE, "policies")?.is_some() {
            n.add("policies", "present");
        }
    } else if *oid == oids::ID_AA_ENCRYPTION_KEY_PREF {
        match v.tag {
            0xA0 => {
                // IMPLICIT (RFC 8551) holds Name and INTEGER directly; some encoders wrap a
                // SEQUENCE (EXPLICIT). Accept both and say which.
                let cn = n.child("issuer and serial number");
                let mut c = Seq::of(v);
                let first = c.expect(w, asn1::TAG_SEQUENCE, "issuerAndSerialNumber")?;
                if c.peek() == Some(asn1::TAG_INTEGER) {
                    issuer_and_serial(w, v, cn)?;
                } else {
                    c.end(w, "SMIMEEncryptionKeyPreference")?;
                    issuer_and_serial(w, &first, cn)?;
                    cn.add("note", "EXPLICIT tagging (RFC 8551 uses IMPLICIT)");
                }
            }
            0xA1 => {
                let mut s = Seq::of(v);
                let ski = s.expect(w, asn1::TAG_OCTET_STRING, "subjectKeyIdentifier")?;
                n.add("recipient key identifier", hex(ski.value));
            }
            0x82 => set_value(n, format!("subject key identifier {}", hex(v.value))),
            other => {
                return Err(w.broken(
                    v.raw,
                    format!("SMIMEEncryptionKeyPreference: unknown choice tag 0x{other:02X}"),
                ))
            }
        }
    } else if *oid == oids::ID_AA_TIME_STAMP_TOKEN {
        set_value(
            n,
            format!("RFC 3161 time-stamp token ({} bytes)", v.raw.len()),
        );
    } else if *oid == oids::ID_COUNTERSIGNATURE {
        if depth >= MAX_COUNTERSIGNATURE_DEPTH {
            set_value(n, "(nested too deeply; not shown)".into());
        } else {
            signer_info(w, v, n.child("countersigner"), depth + 1)?;
        }
    } else {
        set_value(n, format!("{} bytes (not decoded)", v.raw.len()));
    }
    Ok(())
}

/// SMIMECapabilities (RFC 8551 §2.5.2): the algorithms in order of preference, in words.
pub fn smime_capabilities(w: &Walk<'_>, der: &[u8], n: &mut Node) -> WResult<()> {
    let seq = single(w, der, asn1::TAG_SEQUENCE, "SMIMECapabilities")?;
    let mut s = Seq::of(&seq);
    while !s.is_empty() {
        let cap = s.expect(w, asn1::TAG_SEQUENCE, "SMIMECapability")?;
        n.push(Node::new(alg_words(w, &cap, "SMIMECapability")?));
    }
    Ok(())
}

/// EnvelopedData (RFC 5652 §6.1) or AuthEnvelopedData (RFC 5083 §2.1).
fn enveloped_data(w: &Walk<'_>, t: &Tlv<'_>, node: &mut Node, auth: bool) -> WResult<()> {
    let mut s = Seq::of(t);
    version(w, &mut s, node, "version")?;
    if let Some(oi) = s.optional(w, 0xA0, "originatorInfo")? {
        let on = node.child("originator info");
        let mut o = Seq::of(&oi);
        if let Some(certs) = o.optional(w, 0xA0, "certs")? {
            let mut c = Seq::of(&certs);
            let mut i = 0;
            while !c.is_empty() {
                i += 1;
                let cert = c.any(w, "certificate")?;
                if cert.tag == asn1::TAG_SEQUENCE {
                    x509::certificate(w, &cert, on.child(format!("certificate {i}")), true)?;
                }
            }
        }
        if o.optional(w, 0xA1, "crls")?.is_some() {
            on.add("CRLs", "present");
        }
    }
    let ris = s.expect(w, asn1::TAG_SET, "recipientInfos")?;
    let rn = node.child("recipients");
    let mut r = Seq::of(&ris);
    let mut i = 0;
    while !r.is_empty() {
        i += 1;
        let ri = r.any(w, &format!("RecipientInfo {i}"))?;
        recipient_info(w, &ri, rn.child(format!("recipient {i}")))?;
    }
    rn.value = Some(i.to_string());

    let eci = s.expect(w, asn1::TAG_SEQUENCE, "encryptedContentInfo")?;
    let en = node.child("encrypted content");
    let mut e = Seq::of(&eci);
    let ct = e.oid(w, "contentType")?;
    en.add("content type", words(&ct));
    let alg = e.any(w, "contentEncryptionAlgorithm")?;
    en.add("cipher", content_cipher(w, &alg)?);
    match e.peek() {
        Some(0x80) | Some(0xA0) => {
            let c = e.any(w, "encryptedContent")?;
            let data =
                asn1::octet_string_contents(&c, asn1::Rules::Ber).map_err(|x| w.lib(c.raw, x))?;
            en.add("encrypted content", format!("{} bytes", data.len()));
        }
        _ => {
            en.add("encrypted content", "absent (detached)");
        }
    }
    e.end(w, "encryptedContentInfo")?;

    if auth {
        if let Some(aa) = s.optional(w, 0xA1, "authAttrs")? {
            attributes(w, &aa, node.child("authenticated attributes"), None, 0)?;
        }
        let mac = s.expect(w, asn1::TAG_OCTET_STRING, "mac")?;
        node.add(
            "MAC (authentication tag)",
            format!("{} bytes", mac.value.len()),
        );
        if let Some(ua) = s.optional(w, 0xA2, "unauthAttrs")? {
            attributes(w, &ua, node.child("unauthenticated attributes"), None, 0)?;
        }
    } else if let Some(ua) = s.optional(w, 0xA1, "unprotectedAttrs")? {
        attributes(w, &ua, node.child("unprotected attributes"), None, 0)?;
    }
    s.end(
        w,
        if auth {
            "AuthEnvelopedData"
        } else {
            "EnvelopedData"
        },
    )
}

/// The content-encryption algorithm with its parameters in words (GCM nonce and tag
/// length, CBC IV length).
fn content_cipher(w: &Walk<'_>, t: &Tlv<'_>) -> WResult<String> {
    let mut s = Seq::of(t);
    let o = s.oid(w, "contentEncryptionAlgorithm")?;
    let base = words(&o);
    let params = if s.is_empty() {
        None
    } else {
        Some(s.any(w, "parameters")?)
    };
    let gcm = [oids::AES128_GCM, oids::AES192_GCM, oids::AES256_GCM].contains(&o);
    let ccm = [
        "2.16.840.1.101.3.4.1.7",
        "2.16.840.1.101.3.4.1.27",
        "2.16.840.1.101.3.4.1.47",
    ]
    .contains(&o.to_string().as_str());
    Ok(match params {
        Some(p) if (gcm || ccm) && p.tag == asn1::TAG_SEQUENCE => {
            let mut g = Seq::of(&p);
            let nonce = g.expect(w, asn1::TAG_OCTET_STRING, "nonce")?;
            let icv = match g.optional(w, asn1::TAG_INTEGER, "ICVlen")? {
                Some(i) => integer(i.value),
                None => "12 (default)".to_string(),
            };
            format!("{base}, nonce {} bytes, tag {icv} bytes", nonce.value.len())
        }
        Some(p) if p.tag == asn1::TAG_OCTET_STRING => format!("{base}, IV {} bytes", p.value.len()),
        Some(p) => format!("{base}, parameters {} bytes", p.raw.len()),
        None => format!("{base}, no parameters"),
    })
}

fn recipient_info(w: &Walk<'_>, t: &Tlv<'_>, node: &mut Node) -> WResult<()> {
    match t.tag {
        asn1::TAG_SEQUENCE => {
            node.value = Some("key transport (KeyTransRecipientInfo)".into());
            let mut s = Seq::of(t);
            version(w, &mut s, node, "ktri version")?;
            let rid = s.any(w, "rid")?;
            identifier(w, &rid, node, "recipient")?;
            let alg = s.any(w, "keyEncryptionAlgorithm")?;
            node.add("key encryption", key_encryption_words(w, &alg)?);
            let ek = s.expect(w, asn1::TAG_OCTET_STRING, "encryptedKey")?;
            node.add("encrypted key", format!("{} bytes", ek.value.len()));
            s.end(w, "KeyTransRecipientInfo")
        }
        0xA1 => {
            node.value = Some("key agreement (KeyAgreeRecipientInfo)".into());
            let mut s = Seq::of(t);
            version(w, &mut s, node, "kari version")?;
            let orig = s.expect(w, 0xA0, "originator")?;
            let o = single(
                w,
                orig.value,
                orig.value.first().copied().unwrap_or(0),
                "originator",
            )?;
            match o.tag {
                asn1::TAG_SEQUENCE => {
                    let n = node.child("originator");
                    n.value = Some("issuer and serial number".into());
                    issuer_and_serial(w, &o, n)?;
                }
                0x80 => {
                    node.add(
                        "originator",
                        format!("subject key identifier {}", hex(o.value)),
                    );
                }
                0xA1 => {
                    let mut k = Seq::of(&o);
                    let alg = k.any(w, "originatorKey algorithm")?;
                    let key = k.expect(w, asn1::TAG_BIT_STRING, "originatorKey publicKey")?;
                    node.add(
                        "originator",
                        format!(
                            "ephemeral public key, {}, {} bytes",
                            alg_words(w, &alg, "algorithm")?,
                            key.value.len().saturating_sub(1)
                        ),
                    );
                }
                other => {
                    return Err(w.broken(
                        o.raw,
                        format!("originator: unknown choice tag 0x{other:02X}"),
                    ))
                }
            }
            if let Some(ukm) = s.optional(w, 0xA1, "ukm")? {
                // [1] EXPLICIT UserKeyingMaterial (an OCTET STRING).
                let inner = Seq::of(&ukm).expect(w, asn1::TAG_OCTET_STRING, "ukm")?;
                node.add("ukm", format!("present ({} bytes)", inner.value.len()));
            } else {
                node.add("ukm", "absent");
            }
            let alg = s.any(w, "keyEncryptionAlgorithm")?;
            let mut ka = Seq::of(&alg);
            let scheme = ka.oid(w, "keyEncryptionAlgorithm")?;
            node.add("key agreement", words(&scheme));
            if ka.peek() == Some(asn1::TAG_SEQUENCE) {
                let wrap = ka.any(w, "key wrap algorithm")?;
                node.add("key wrap", alg_words(w, &wrap, "key wrap algorithm")?);
            }
            ka.end(w, "keyEncryptionAlgorithm")?;
            let reks = s.expect(w, asn1::TAG_SEQUENCE, "recipientEncryptedKeys")?;
            let mut r = Seq::of(&reks);
            let mut i = 0;
            while !r.is_empty() {
                i += 1;
                let rek = r.expect(w, asn1::TAG_SEQUENCE, "RecipientEncryptedKey")?;
                let kn = node.child(format!("encrypted key {i}"));
                let mut k = Seq::of(&rek);
                let rid = k.any(w, "rid")?;
                match rid.tag {
                    asn1::TAG_SEQUENCE => {
                        let n = kn.child("recipient");
                        n.value = Some("issuer and serial number".into());
                        issuer_and_serial(w, &rid, n)?;
                    }
                    0xA0 => {
                        let mut x = Seq::of(&rid);
                        let ski = x.expect(w, asn1::TAG_OCTET_STRING, "subjectKeyIdentifier")?;
                        kn.add(
                            "recipient",
                            format!("subject key identifier {}", hex(ski.value)),
                        );
                    }
                    other => {
                        return Err(w.broken(
                            rid.raw,
                            format!("KeyAgreeRecipientIdentifier: unknown tag 0x{other:02X}"),
                        ))
                    }
                }
                let ek = k.expect(w, asn1::TAG_OCTET_STRING, "encryptedKey")?;
                kn.add("wrapped key", format!("{} bytes", ek.value.len()));
            }
            s.end(w, "KeyAgreeRecipientInfo")
        }
        0xA2 => {
            node.value = Some("previously distributed key (KEKRecipientInfo)".into());
            let mut s = Seq::of(t);
            version(w, &mut s, node, "kekri version")?;
            let kekid = s.expect(w, asn1::TAG_SEQUENCE, "kekid")?;
            let id = Seq::of(&kekid).expect(w, asn1::TAG_OCTET_STRING, "keyIdentifier")?;
            node.add("key identifier", hex(id.value));
            let alg = s.any(w, "keyEncryptionAlgorithm")?;
            node.add("key wrap", alg_words(w, &alg, "keyEncryptionAlgorithm")?);
            let ek = s.expect(w, asn1::TAG_OCTET_STRING, "encryptedKey")?;
            node.add("encrypted key", format!("{} bytes", ek.value.len()));
            s.end(w, "KEKRecipientInfo")
        }
        0xA3 => {
            node.value = Some("password (PasswordRecipientInfo)".into());
            let mut s = Seq::of(t);
            version(w, &mut s, node, "pwri version")?;
            if let Some(kd) = s.optional(w, 0xA0, "keyDerivationAlgorithm")? {
                let as_seq = asn1::retag(kd.raw, asn1::TAG_SEQUENCE);
                let kw = Walk::new(&as_seq);
                let kt = Seq::over(&as_seq).any(&kw, "keyDerivationAlgorithm")?;
                node.add(
                    "key derivation",
                    alg_words(&kw, &kt, "keyDerivationAlgorithm")?,
                );
            }
            let alg = s.any(w, "keyEncryptionAlgorithm")?;
            node.add(
                "key encryption",
                alg_words(w, &alg, "keyEncryptionAlgorithm")?,
            );
            Ok(())
        }
        0xA4 => {
            let mut s = Seq::of(t);
            let ori_type = s.oid(w, "oriType")?;
            if ori_type != oids::ID_ORI_KEM {
                node.value = Some(format!("other ({})", words(&ori_type)));
                return Ok(());
            }
            node.value = Some("KEM (KEMRecipientInfo, RFC 9629)".into());
            let kemri = s.expect(w, asn1::TAG_SEQUENCE, "KEMRecipientInfo")?;
            s.end(w, "OtherRecipientInfo")?;
            let mut k = Seq::of(&kemri);
            version(w, &mut k, node, "KEMRecipientInfo version")?;
            let rid = k.any(w, "rid")?;
            identifier(w, &rid, node, "recipient")?;
            let kem = k.any(w, "kem")?;
            node.add("KEM", alg_words(w, &kem, "kem")?);
            let ct = k.expect(w, asn1::TAG_OCTET_STRING, "kemct")?;
            node.add("KEM ciphertext", format!("{} bytes", ct.value.len()));
            let kdf = k.any(w, "kdf")?;
            node.add("KDF", alg_words(w, &kdf, "kdf")?);
            let len = k.expect(w, asn1::TAG_INTEGER, "kekLength")?;
            node.add("KEK length", format!("{} bytes", integer(len.value)));
            match k.optional(w, 0xA0, "ukm")? {
                Some(u) => {
                    // [0] EXPLICIT UserKeyingMaterial (an OCTET STRING).
                    let inner = Seq::of(&u).expect(w, asn1::TAG_OCTET_STRING, "ukm")?;
                    node.add("ukm", format!("present ({} bytes)", inner.value.len()))
                }
                None => node.add("ukm", "absent"),
            };
            let wrap = k.any(w, "wrap")?;
            node.add("key wrap", alg_words(w, &wrap, "wrap")?);
            let ek = k.expect(w, asn1::TAG_OCTET_STRING, "encryptedKey")?;
            node.add("encrypted key", format!("{} bytes", ek.value.len()));
            k.end(w, "KEMRecipientInfo")
        }
        other => Err(w.broken(
            t.raw,
            format!("RecipientInfo: unknown choice tag 0x{other:02X}"),
        )),
    }
}

/// Key transport algorithm words; RSAES-OAEP with its hash and MGF.
fn key_encryption_words(w: &Walk<'_>, t: &Tlv<'_>) -> WResult<String> {
    let generic = alg_words(w, t, "keyEncryptionAlgorithm")?;
    let mut s = Seq::of(t);
    let o = s.oid(w, "keyEncryptionAlgorithm")?;
    if o != pqsmime::alg::oid::RSAES_OAEP {
        return Ok(generic);
    }
    let Some(params) = s.optional(w, asn1::TAG_SEQUENCE, "RSAES-OAEP-params")? else {
        return Ok("RSAES-OAEP with SHA-1 and MGF1-SHA-1 (defaults)".to_string());
    };
    let mut p = Seq::of(&params);
    let hash = match p.optional(w, 0xA0, "hashAlgorithm")? {
        Some(h) => {
            let inner = single(w, h.value, asn1::TAG_SEQUENCE, "hashAlgorithm")?;
            digest_of(&inner)
                .map(|d| d.name().to_string())
                .unwrap_or_else(|| "an unknown hash".into())
        }
        None => "SHA-1 (default)".to_string(),
    };
    let mgf = match p.optional(w, 0xA1, "maskGenAlgorithm")? {
        Some(m) => {
            let inner = single(w, m.value, asn1::TAG_SEQUENCE, "maskGenAlgorithm")?;
            let mut ms = Seq::of(&inner);
            let _mgf = ms.oid(w, "maskGenAlgorithm")?;
            match ms.optional(w, asn1::TAG_SEQUENCE, "MGF1 hash")? {
                Some(h) => digest_of(&h)
                    .map(|d| format!("MGF1 with {}", d.name()))
                    .unwrap_or_else(|| "MGF1".into()),
                None => "MGF1".to_string(),
            }
        }
        None => "MGF1 with SHA-1 (default)".to_string(),
    };
    let label = if p.optional(w, 0xA2, "pSourceAlgorithm")?.is_some() {
        ", with label"
    } else {
        ""
    };
    Ok(format!("RSAES-OAEP with {hash}, {mgf}{label}"))
}
