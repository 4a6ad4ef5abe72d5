//! Certificates (RFC 5280 §4.1), CRLs (§5.1), certification requests (RFC 2986) and
//! SubjectPublicKeyInfo, with every extension in words.

use const_oid::ObjectIdentifier;
use pqsmime::asn1::{self, Tlv};
use pqsmime::keys::PublicKey;
use pqsmime::oids;

use super::cms;
use super::der::{
    alg_words, clean, general_name, general_names, hex, integer, name, serial, signature_alg_words,
    single, string, time, words, Broken, Seq, WResult, Walk,
};
use crate::tree::Node;

/// A whole certificate. `summary` leaves out extensions' details (certificates inside CMS).
pub fn certificate(w: &Walk<'_>, t: &Tlv<'_>, node: &mut Node, summary: bool) -> WResult<()> {
    let mut cert = Seq::of(t);
    let tbs = cert.expect(w, asn1::TAG_SEQUENCE, "tbsCertificate")?;
    let mut s = Seq::of(&tbs);
    let version = match s.optional(w, 0xA0, "version")? {
        Some(v) => {
            let i = single(w, v.value, asn1::TAG_INTEGER, "version")?;
            match i.value {
                [0] => "1".to_string(),
                [1] => "2".to_string(),
                [2] => "3".to_string(),
                other => format!("unknown ({})", integer(other)),
            }
        }
        None => "1".to_string(),
    };
    let serial_t = s.expect(w, asn1::TAG_INTEGER, "serialNumber")?;
    let sig_t = s.any(w, "signature")?;
    let issuer = s.any(w, "issuer")?;
    let validity = s.expect(w, asn1::TAG_SEQUENCE, "validity")?;
    let subject = s.any(w, "subject")?;
    let spki_t = s.expect(w, asn1::TAG_SEQUENCE, "subjectPublicKeyInfo")?;

    let subject_s = name(w, &subject, "subject")?;
    let issuer_s = name(w, &issuer, "issuer")?;
    if summary {
        node.add("subject", subject_s.clone());
        node.add("issuer", issuer_s.clone());
        node.add("serial number", serial(serial_t.value));
    } else {
        node.add("version", version);
        node.add("serial number", serial(serial_t.value));
        node.add(
            "signature algorithm",
            signature_alg_words(w, &sig_t, None, "signature")?,
        );
        node.add("issuer", issuer_s.clone());
    }
    let mut v = Seq::of(&validity);
    let nb = v.any(w, "notBefore")?;
    let na = v.any(w, "notAfter")?;
    v.end(w, "validity")?;
    let val = node.child("validity");
    val.add("not before", time(w, &nb, "notBefore")?);
    val.add("not after", time(w, &na, "notAfter")?);
    if !summary {
        node.add("subject", subject_s.clone());
    }
    let key = node.child("subject public key");
    spki(w, &spki_t, key)?;

    let _issuer_uid = s.optional(w, 0x81, "issuerUniqueID")?;
    let _subject_uid = s.optional(w, 0x82, "subjectUniqueID")?;
    if let Some(exts) = s.optional(w, 0xA3, "extensions")? {
        let inner = single(w, exts.value, asn1::TAG_SEQUENCE, "extensions")?;
        if summary {
            summary_extensions(w, &inner, node)?;
        } else {
            extensions(w, &inner, node.child("extensions"))?;
        }
    }
    s.end(w, "tbsCertificate")?;

    let outer_sig = cert.any(w, "signatureAlgorithm")?;
    let value = cert.expect(w, asn1::TAG_BIT_STRING, "signatureValue")?;
    cert.end(w, "Certificate")?;
    if outer_sig.raw != sig_t.raw {
        node.add(
            "warning",
            "signatureAlgorithm differs from tbsCertificate.signature (RFC 5280 §4.1.1.2 requires them equal)",
        );
    }
    if summary {
        node.add(
            "signature algorithm",
            signature_alg_words(w, &outer_sig, None, "signatureAlgorithm")?,
        );
    } else {
        node.add(
            "signature",
            format!("{} bytes", value.value.len().saturating_sub(1)),
        );
    }
    Ok(())
}

/// The lines of a certificate inside a CMS message that matter: key usage and addresses.
fn summary_extensions(w: &Walk<'_>, exts: &Tlv<'_>, node: &mut Node) -> WResult<()> {
    let mut s = Seq::of(exts);
    while !s.is_empty() {
        let ext = s.expect(w, asn1::TAG_SEQUENCE, "Extension")?;
        let (oid, _critical, value) = extension_parts(w, &ext)?;
        if oid == oids::EXT_KEY_USAGE
            || oid == oids::EXT_SUBJECT_ALT_NAME
            || oid == oids::EXT_BASIC_CONSTRAINTS
        {
            let mut n = Node::new(pqsmime::oids::name(&oid).unwrap_or("extension"));
            extension_value(w, &oid, value, &mut n)?;
            node.push(n);
        }
    }
    Ok(())
}

fn extension_parts<'a>(w: &Walk<'_>, ext: &Tlv<'a>) -> WResult<(ObjectIdentifier, bool, Tlv<'a>)> {
    let mut e = Seq::of(ext);
    let oid = e.oid(w, "extnID")?;
    let critical = match e.optional(w, asn1::TAG_BOOLEAN, "critical")? {
        Some(b) => b.value.first().is_some_and(|v| *v != 0),
        None => false,
    };
    let value = e.expect(w, asn1::TAG_OCTET_STRING, "extnValue")?;
    e.end(w, "Extension")?;
    Ok((oid, critical, value))
}

/// Every extension of an `Extensions` SEQUENCE, decoded where known.
pub fn extensions(w: &Walk<'_>, exts: &Tlv<'_>, node: &mut Node) -> WResult<()> {
    let mut s = Seq::of(exts);
    while !s.is_empty() {
        let ext = s.expect(w, asn1::TAG_SEQUENCE, "Extension")?;
        let (oid, critical, value) = extension_parts(w, &ext)?;
        let label = words(&oid) + if critical { " [critical]" } else { "" };
        let n = node.child(label);
        extension_value(w, &oid, value, n)?;
    }
    Ok(())
}

const KEY_USAGE_BITS: [&str; 9] = [
    "digitalSignature",
    "nonRepudiation (contentCommitment)",
    "keyEncipherment",
    "dataEncipherment",
    "keyAgreement",
    "keyCertSign",
    "cRLSign",
    "encipherOnly",
    "decipherOnly",
];

/// Names of the bits set in a BIT STRING's contents (first octet = unused bits).
pub fn bit_names(bits: &[u8], names: &[&'static str]) -> Vec<String> {
    let data = bits.get(1..).unwrap_or(&[]);
    let mut out = Vec::new();
    for (i, byte) in data.iter().enumerate() {
        for b in 0..8 {
            if byte & (0x80 >> b) != 0 {
                let n = i * 8 + b;
                out.push(
                    names
                        .get(n)
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| format!("bit {n}")),
                );
            }
        }
    }
    out
}

fn extension_value(w: &Walk<'_>, oid: &ObjectIdentifier, v: Tlv<'_>, n: &mut Node) -> WResult<()> {
    let data = v.value;
    if *oid == oids::EXT_KEY_USAGE {
        let bs = single(w, data, asn1::TAG_BIT_STRING, "keyUsage")?;
        let names = bit_names(bs.value, &KEY_USAGE_BITS);
        n.value = Some(if names.is_empty() {
            "(none)".into()
        } else {
            names.join(", ")
        });
    } else if *oid == oids::EXT_BASIC_CONSTRAINTS {
        let seq = single(w, data, asn1::TAG_SEQUENCE, "basicConstraints")?;
        let mut s = Seq::of(&seq);
        let ca = s
            .optional(w, asn1::TAG_BOOLEAN, "cA")?
            .is_some_and(|b| b.value.first().is_some_and(|v| *v != 0));
        let len = s.optional(w, asn1::TAG_INTEGER, "pathLenConstraint")?;
        s.end(w, "basicConstraints")?;
        n.value = Some(match (ca, len) {
            (true, Some(l)) => format!("CA, path length at most {}", integer(l.value)),
            (true, None) => "CA".to_string(),
            (false, _) => "not a CA".to_string(),
        });
    } else if *oid == oids::EXT_EXTENDED_KEY_USAGE {
        let seq = single(w, data, asn1::TAG_SEQUENCE, "extKeyUsage")?;
        let mut s = Seq::of(&seq);
        let mut names = Vec::new();
        while !s.is_empty() {
            names.push(words(&s.oid(w, "KeyPurposeId")?));
        }
        n.value = Some(names.join(", "));
    } else if *oid == oids::EXT_SUBJECT_ALT_NAME || *oid == oids::EXT_ISSUER_ALT_NAME {
        let seq = single(w, data, asn1::TAG_SEQUENCE, "GeneralNames")?;
        general_names(w, seq.value, n)?;
    } else if *oid == oids::EXT_SUBJECT_KEY_IDENTIFIER {
        let os = single(w, data, asn1::TAG_OCTET_STRING, "subjectKeyIdentifier")?;
        n.value = Some(hex(os.value));
    } else if *oid == oids::EXT_AUTHORITY_KEY_IDENTIFIER {
        let seq = single(w, data, asn1::TAG_SEQUENCE, "authorityKeyIdentifier")?;
        let mut s = Seq::of(&seq);
        if let Some(k) = s.optional(w, 0x80, "keyIdentifier")? {
            n.add("key identifier", hex(k.value));
        }
        if let Some(g) = s.optional(w, 0xA1, "authorityCertIssuer")? {
            general_names(w, g.value, n.child("issuer"))?;
        }
        if let Some(sn) = s.optional(w, 0x82, "authorityCertSerialNumber")? {
            n.add("issuer serial number", serial(sn.value));
        }
        s.end(w, "authorityKeyIdentifier")?;
    } else if *oid == oids::EXT_CERTIFICATE_POLICIES {
        let seq = single(w, data, asn1::TAG_SEQUENCE, "certificatePolicies")?;
        let mut s = Seq::of(&seq);
        while !s.is_empty() {
            let pi = s.expect(w, asn1::TAG_SEQUENCE, "PolicyInformation")?;
            let mut p = Seq::of(&pi);
            let id = p.oid(w, "policyIdentifier")?;
            let pn = n.child(words(&id));
            if let Some(qs) = p.optional(w, asn1::TAG_SEQUENCE, "policyQualifiers")? {
                let mut q = Seq::of(&qs);
                while !q.is_empty() {
                    let qi = q.expect(w, asn1::TAG_SEQUENCE, "PolicyQualifierInfo")?;
                    let mut qq = Seq::of(&qi);
                    let qid = qq.oid(w, "policyQualifierId")?;
                    let qv = qq.any(w, "qualifier")?;
                    let text = string(&qv).unwrap_or_else(|| format!("{} bytes", qv.raw.len()));
                    pn.add(words(&qid), text);
                }
            }
        }
    } else if *oid == oids::EXT_CRL_DISTRIBUTION_POINTS {
        let seq = single(w, data, asn1::TAG_SEQUENCE, "cRLDistributionPoints")?;
        let mut s = Seq::of(&seq);
        while !s.is_empty() {
            let dp = s.expect(w, asn1::TAG_SEQUENCE, "DistributionPoint")?;
            let mut d = Seq::of(&dp);
            if let Some(name) = d.optional(w, 0xA0, "distributionPoint")? {
                let inner = Seq::over(name.value).any(w, "DistributionPointName")?;
                if inner.tag == 0xA0 {
                    general_names(w, inner.value, n)?;
                } else {
                    n.push(Node::new("name relative to the CRL issuer"));
                }
            }
            let _ = d.optional(w, 0x81, "reasons")?;
            if let Some(issuer) = d.optional(w, 0xA2, "cRLIssuer")? {
                general_names(w, issuer.value, n.child("CRL issuer"))?;
            }
        }
    } else if *oid == oids::EXT_AUTHORITY_INFO_ACCESS || oid.to_string() == "1.3.6.1.5.5.7.1.11" {
        let seq = single(w, data, asn1::TAG_SEQUENCE, "AccessDescriptions")?;
        let mut s = Seq::of(&seq);
        while !s.is_empty() {
            let ad = s.expect(w, asn1::TAG_SEQUENCE, "AccessDescription")?;
            let mut a = Seq::of(&ad);
            let method = a.oid(w, "accessMethod")?;
            let loc = a.any(w, "accessLocation")?;
            n.add(words(&method), general_name(w, &loc)?);
        }
    } else if *oid == oids::EXT_NAME_CONSTRAINTS {
        let seq = single(w, data, asn1::TAG_SEQUENCE, "nameConstraints")?;
        let mut s = Seq::of(&seq);
        for (tag, label) in [(0xA0, "permitted"), (0xA1, "excluded")] {
            if let Some(subtrees) = s.optional(w, tag, label)? {
                let c = n.child(label);
                let mut st = Seq::of(&subtrees);
                while !st.is_empty() {
                    let gs = st.expect(w, asn1::TAG_SEQUENCE, "GeneralSubtree")?;
                    let base = Seq::of(&gs).any(w, "base")?;
                    c.push(Node::new(general_name(w, &base)?));
                }
            }
        }
    } else if *oid == oids::ID_SMIME_CAPABILITIES {
        cms::smime_capabilities(w, data, n)?;
    } else if *oid == oids::EXT_CRL_NUMBER {
        let i = single(w, data, asn1::TAG_INTEGER, "cRLNumber")?;
        n.value = Some(integer(i.value));
    } else if *oid == oids::EXT_CRL_REASON {
        let e = single(w, data, 0x0A, "cRLReason")?;
        n.value = Some(crl_reason(e.value));
    } else if *oid == oids::EXT_INHIBIT_ANY_POLICY {
        let i = single(w, data, asn1::TAG_INTEGER, "inhibitAnyPolicy")?;
        n.value = Some(format!("skip {} certificate(s)", integer(i.value)));
    } else {
        n.value = Some(format!("{} bytes: {}", data.len(), hex(data)));
    }
    Ok(())
}

fn crl_reason(v: &[u8]) -> String {
    const REASONS: [&str; 11] = [
        "unspecified",
        "keyCompromise",
        "cACompromise",
        "affiliationChanged",
        "superseded",
        "cessationOfOperation",
        "certificateHold",
        "(unused 7)",
        "removeFromCRL",
        "privilegeWithdrawn",
        "aACompromise",
    ];
    match v {
        [r] => REASONS
            .get(*r as usize)
            .map(|s| s.to_string())
            .unwrap_or_else(|| format!("unknown reason {r}")),
        _ => "invalid reason code".to_string(),
    }
}

/// A SubjectPublicKeyInfo: the algorithm in words, whether it is quantum-safe, the size,
/// and the RFC 5280 method-1 key identifier.
pub fn spki(w: &Walk<'_>, t: &Tlv<'_>, node: &mut Node) -> WResult<()> {
    let mut s = Seq::of(t);
    let alg = s.any(w, "SubjectPublicKeyInfo algorithm")?;
    let bits = s.expect(w, asn1::TAG_BIT_STRING, "subjectPublicKey")?;
    s.end(w, "SubjectPublicKeyInfo")?;
    match PublicKey::from_spki_der(t.raw) {
        Ok(k) => {
            let kind = k.kind();
            node.add("algorithm", kind.description());
            node.add(
                "quantum-safe",
                if kind.quantum_safe() { "yes" } else { "no" },
            );
            let uses = match (kind.can_sign(), kind.can_encrypt()) {
                (true, true) => "signing or encryption",
                (true, false) => "signing",
                (false, true) => "encryption (key establishment)",
                (false, false) => "none",
            };
            node.add("usable for", uses);
            node.add(
                "key identifier (SHA-1, RFC 5280 method 1)",
                hex(&k.key_identifier()),
            );
        }
        Err(e) => {
            node.add("algorithm", alg_words(w, &alg, "algorithm")?);
            node.add("pqsmime cannot use this key", clean(&e.to_string()));
        }
    }
    node.add(
        "public key",
        format!("{} bytes", bits.value.len().saturating_sub(1)),
    );
    Ok(())
}

/// A CRL (RFC 5280 §5.1): issuer, dates, entries, extensions.
pub fn crl(w: &Walk<'_>, t: &Tlv<'_>, node: &mut Node) -> WResult<()> {
    let mut outer = Seq::of(t);
    let tbs = outer.expect(w, asn1::TAG_SEQUENCE, "tbsCertList")?;
    let mut s = Seq::of(&tbs);
    let version = match s.optional(w, asn1::TAG_INTEGER, "version")? {
        Some(v) if v.value == [1] => "2".to_string(),
        Some(v) => format!("unknown ({})", integer(v.value)),
        None => "1".to_string(),
    };
    node.add("version", version);
    let sig = s.any(w, "signature")?;
    node.add(
        "signature algorithm",
        signature_alg_words(w, &sig, None, "signature")?,
    );
    let issuer = s.any(w, "issuer")?;
    node.add("issuer", name(w, &issuer, "issuer")?);
    let this = s.any(w, "thisUpdate")?;
    node.add("this update", time(w, &this, "thisUpdate")?);
    if matches!(
        s.peek(),
        Some(asn1::TAG_UTC_TIME | asn1::TAG_GENERALIZED_TIME)
    ) {
        let next = s.any(w, "nextUpdate")?;
        node.add("next update", time(w, &next, "nextUpdate")?);
    }
    if let Some(revoked) = s.optional(w, asn1::TAG_SEQUENCE, "revokedCertificates")? {
        let list = node.child("revoked certificates");
        let mut r = Seq::of(&revoked);
        let mut count = 0usize;
        while !r.is_empty() {
            let entry = r.expect(w, asn1::TAG_SEQUENCE, "revoked certificate")?;
            count += 1;
            if count <= 100 {
                let mut e = Seq::of(&entry);
                let sn = e.expect(w, asn1::TAG_INTEGER, "userCertificate")?;
                let date = e.any(w, "revocationDate")?;
                let n = list.child(serial(sn.value));
                n.add("revoked", time(w, &date, "revocationDate")?);
                if let Some(exts) = e.optional(w, asn1::TAG_SEQUENCE, "crlEntryExtensions")? {
                    extensions(w, &exts, n)?;
                }
            }
        }
        list.value = Some(if count > 100 {
            format!("{count} (first 100 shown)")
        } else {
            count.to_string()
        });
    }
    if let Some(exts) = s.optional(w, 0xA0, "crlExtensions")? {
        let inner = single(w, exts.value, asn1::TAG_SEQUENCE, "crlExtensions")?;
        extensions(w, &inner, node.child("extensions"))?;
    }
    s.end(w, "tbsCertList")?;
    let _alg = outer.any(w, "signatureAlgorithm")?;
    let value = outer.expect(w, asn1::TAG_BIT_STRING, "signatureValue")?;
    outer.end(w, "CertificateList")?;
    node.add(
        "signature",
        format!("{} bytes", value.value.len().saturating_sub(1)),
    );
    Ok(())
}

/// A PKCS #10 certification request: subject, key, attributes (extensionRequest decoded,
/// RFC 9883 statementOfPossession named), signature algorithm.
pub fn csr(w: &Walk<'_>, t: &Tlv<'_>, node: &mut Node) -> WResult<()> {
    let mut outer = Seq::of(t);
    let info = outer.expect(w, asn1::TAG_SEQUENCE, "certificationRequestInfo")?;
    let mut s = Seq::of(&info);
    let v = s.expect(w, asn1::TAG_INTEGER, "version")?;
    node.add(
        "version",
        if v.value == [0] {
            "1".to_string()
        } else {
            format!("unknown ({})", integer(v.value))
        },
    );
    let subject = s.any(w, "subject")?;
    node.add("subject", name(w, &subject, "subject")?);
    let key = s.expect(w, asn1::TAG_SEQUENCE, "subjectPKInfo")?;
    spki(w, &key, node.child("subject public key"))?;
    let attrs = s.expect(w, 0xA0, "attributes")?;
    s.end(w, "certificationRequestInfo")?;
    let an = node.child("attributes");
    let mut a = Seq::of(&attrs);
    while !a.is_empty() {
        let attr = a.expect(w, asn1::TAG_SEQUENCE, "Attribute")?;
        let mut at = Seq::of(&attr);
        let oid = at.oid(w, "attribute type")?;
        let values = at.expect(w, asn1::TAG_SET, "attribute values")?;
        let label = words(&oid);
        let n = an.child(label);
        let mut vs = Seq::of(&values);
        while !vs.is_empty() {
            let value = vs.any(w, "attribute value")?;
            if oid.to_string() == "1.2.840.113549.1.9.14" {
                extensions(w, &value, n)?;
            } else if oid.to_string() == "1.2.840.113549.1.9.7" {
                n.value = Some("(present, not shown)".into());
            } else if oid.to_string() == "1.3.6.1.4.1.22112.2.1" {
                let mut p = Seq::of(&value);
                let ias = p.expect(w, asn1::TAG_SEQUENCE, "signer")?;
                cms::issuer_and_serial(w, &ias, n.child("vouching certificate"))?;
                if let Some(c) = p.optional(w, asn1::TAG_SEQUENCE, "cert")? {
                    certificate(w, &c, n.child("certificate included"), true)?;
                }
            } else {
                n.value = Some(format!("{} bytes", value.raw.len()));
            }
        }
    }
    let sig = outer.any(w, "signatureAlgorithm")?;
    node.add(
        "signature algorithm",
        signature_alg_words(w, &sig, None, "signatureAlgorithm")?,
    );
    let value = outer.expect(w, asn1::TAG_BIT_STRING, "signature")?;
    outer.end(w, "CertificationRequest")?;
    node.add(
        "signature",
        format!("{} bytes", value.value.len().saturating_sub(1)),
    );
    Ok(())
}

/// Which of certificate, CRL or CSR a `SEQUENCE { SEQUENCE tbs, AlgId, BIT STRING }` is, by
/// the shape of its first element.
pub fn signed_object_kind(w: &Walk<'_>, t: &Tlv<'_>) -> Result<&'static str, Broken> {
    let mut s = Seq::of(t);
    let tbs = s.expect(w, asn1::TAG_SEQUENCE, "to-be-signed part")?;
    let mut i = Seq::of(&tbs);
    let first = i.any(w, "first field")?;
    if first.tag == 0xA0 {
        return Ok("certificate");
    }
    let second = i.any(w, "second field")?;
    let second_is_alg =
        second.tag == asn1::TAG_SEQUENCE && Seq::of(&second).peek() == Some(asn1::TAG_OID);
    match first.tag {
        asn1::TAG_SEQUENCE => Ok("CRL"), // v1 CRL: signature AlgorithmIdentifier first
        asn1::TAG_INTEGER if second_is_alg => {
            // certificate v1 (serial, signature, issuer, validity SEQUENCE) or CRL v2
            // (version, signature, issuer, thisUpdate Time)
            let _issuer = i.any(w, "third field")?;
            match i.peek() {
                Some(asn1::TAG_SEQUENCE) => Ok("certificate"),
                _ => Ok("CRL"),
            }
        }
        asn1::TAG_INTEGER => Ok("certification request"),
        other => Err(w.broken(
            first.raw,
            format!("not a certificate, CRL or request (first field has tag 0x{other:02X})"),
        )),
    }
}
