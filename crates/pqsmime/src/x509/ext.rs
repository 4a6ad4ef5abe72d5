//! The extensions that path validation, CRL processing and the S/MIME BR profiles need beyond
//! what [`super::parse`] keeps: decoded strictly (DER) on demand from the bytes a
//! [`Certificate`](super::Certificate) or [`Crl`](super::Crl) holds, and encoded for issuing.
//!
//! ```text
//! GeneralName ::= CHOICE { otherName [0], rfc822Name [1] IA5String, dNSName [2] IA5String,
//!     x400Address [3], directoryName [4] Name, ediPartyName [5], uniformResourceIdentifier [6]
//!     IA5String, iPAddress [7] OCTET STRING, registeredID [8] OBJECT IDENTIFIER }
//! certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation      (RFC 5280 §4.2.1.4)
//! PolicyMappings ::= SEQUENCE SIZE (1..MAX) OF SEQUENCE {
//!     issuerDomainPolicy CertPolicyId, subjectDomainPolicy CertPolicyId }    (§4.2.1.5)
//! NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL,
//!     excludedSubtrees [1] GeneralSubtrees OPTIONAL }                         (§4.2.1.10)
//! PolicyConstraints ::= SEQUENCE { requireExplicitPolicy [0] SkipCerts OPTIONAL,
//!     inhibitPolicyMapping [1] SkipCerts OPTIONAL }                           (§4.2.1.11)
//! InhibitAnyPolicy ::= SkipCerts                                              (§4.2.1.14)
//! CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint       (§4.2.1.13)
//! AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription  (§4.2.2.1)
//! ```

use const_oid::ObjectIdentifier;

use crate::asn1::{
    self, Reader, Rules, Tlv, TAG_IA5_STRING, TAG_INTEGER, TAG_SEQUENCE, TAG_UTF8_STRING,
};
use crate::error::{Error, Result};
use crate::oids;

/// anyPolicy (RFC 5280 §4.2.1.4).
pub const ANY_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32.0");
/// id-qt-cps: a CPS pointer qualifier (RFC 5280 §4.2.1.4).
pub const QT_CPS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.2.1");
/// id-ad-ocsp (RFC 5280 §4.2.2.1).
pub const AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
/// id-ad-caIssuers (RFC 5280 §4.2.2.1).
pub const AD_CA_ISSUERS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.2");

/// Most elements read from one decoded extension (policies, names, subtrees...): a bound on
/// the work hostile certificates can cause.
pub(crate) const MAX_ELEMENTS: usize = 1024;

/// One `GeneralName`, borrowed from the encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeneralName<'a> {
    /// `otherName`: the type and the DER of the value inside `[0] EXPLICIT`.
    OtherName {
        type_id: ObjectIdentifier,
        value: &'a [u8],
    },
    Rfc822(&'a str),
    Dns(&'a str),
    /// `x400Address`, as its raw contents.
    X400(&'a [u8]),
    /// `directoryName`: the DER of the `Name`.
    Directory(&'a [u8]),
    /// `ediPartyName`, as its raw contents.
    EdiParty(&'a [u8]),
    Uri(&'a str),
    /// `iPAddress`: 4 or 16 octets in a certificate, 8 or 32 (address and mask) in name
    /// constraints.
    Ip(&'a [u8]),
    RegisteredId(ObjectIdentifier),
}

impl GeneralName<'_> {
    /// The name of the CHOICE alternative, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            GeneralName::OtherName { .. } => "otherName",
            GeneralName::Rfc822(_) => "rfc822Name",
            GeneralName::Dns(_) => "dNSName",
            GeneralName::X400(_) => "x400Address",
            GeneralName::Directory(_) => "directoryName",
            GeneralName::EdiParty(_) => "ediPartyName",
            GeneralName::Uri(_) => "uniformResourceIdentifier",
            GeneralName::Ip(_) => "iPAddress",
            GeneralName::RegisteredId(_) => "registeredID",
        }
    }

    /// The SmtpUTF8Mailbox (RFC 9598) an otherName holds, if it is one.
    pub fn smtp_utf8_mailbox(&self) -> Option<&str> {
        match self {
            GeneralName::OtherName { type_id, value } if *type_id == oids::ON_SMTP_UTF8_MAILBOX => {
                let t = single(value, TAG_UTF8_STRING, "SmtpUTF8Mailbox").ok()?;
                std::str::from_utf8(t.value).ok()
            }
            _ => None,
        }
    }
}

fn prefix(e: Error, what: &str) -> Error {
    match e {
        Error::Malformed(m) => Error::malformed(format!("{what}: {m}")),
        other => other,
    }
}

/// Reads one element that must fill `data` completely.
pub(crate) fn single<'a>(data: &'a [u8], tag: u8, what: &str) -> Result<Tlv<'a>> {
    let mut r = Reader::new(data);
    let t = r.read_expected(tag, what)?;
    r.finish(what)?;
    Ok(t)
}

fn ia5<'a>(value: &'a [u8], what: &str) -> Result<&'a str> {
    if !value.is_ascii() {
        return Err(Error::malformed(format!("{what} is not ASCII (IA5String)")));
    }
    std::str::from_utf8(value).map_err(|_| Error::malformed(format!("{what} is not ASCII")))
}

/// Decodes one `GeneralName` element.
pub(crate) fn parse_general_name<'a>(t: &Tlv<'a>, what: &str) -> Result<GeneralName<'a>> {
    Ok(match t.tag {
        0xA0 => {
            let mut r = t.reader(Rules::Der);
            let type_id = asn1::read_oid(&mut r, &format!("{what} otherName type-id"))?;
            let v = r.read_expected(0xA0, &format!("{what} otherName value"))?;
            r.finish(&format!("{what} otherName"))?;
            let mut vr = v.reader(Rules::Der);
            vr.read()
                .map_err(|e| prefix(e, &format!("{what} otherName value")))?;
            vr.finish(&format!("{what} otherName value"))?;
            if type_id == oids::ON_SMTP_UTF8_MAILBOX {
                let inner = single(v.value, TAG_UTF8_STRING, &format!("{what} SmtpUTF8Mailbox"))?;
                if std::str::from_utf8(inner.value).is_err() {
                    return Err(Error::malformed(format!(
                        "{what}: SmtpUTF8Mailbox is not valid UTF-8"
                    )));
                }
            }
            GeneralName::OtherName {
                type_id,
                value: v.value,
            }
        }
        0x81 => GeneralName::Rfc822(ia5(t.value, &format!("{what} rfc822Name"))?),
        0x82 => GeneralName::Dns(ia5(t.value, &format!("{what} dNSName"))?),
        0xA3 => GeneralName::X400(t.value),
        0xA4 => {
            let name = single(t.value, TAG_SEQUENCE, &format!("{what} directoryName"))?;
            super::name::parse_name(name.raw, &format!("{what} directoryName"))?;
            GeneralName::Directory(name.raw)
        }
        0xA5 => GeneralName::EdiParty(t.value),
        0x86 => GeneralName::Uri(ia5(t.value, &format!("{what} URI"))?),
        0x87 => GeneralName::Ip(t.value),
        0x88 => GeneralName::RegisteredId(asn1::parse_oid(t.value)?),
        other => {
            return Err(Error::malformed(format!(
                "{what}: GeneralName with unknown tag 0x{other:02X}"
            )))
        }
    })
}

/// Decodes the elements of a `GeneralNames` (the contents of the SEQUENCE, or of an
/// implicitly tagged `[n] GeneralNames`). At least one name is required.
pub(crate) fn parse_general_names<'a>(
    content: &'a [u8],
    what: &str,
) -> Result<Vec<GeneralName<'a>>> {
    let mut r = Reader::new(content);
    let mut out = Vec::new();
    while !r.is_empty() {
        if out.len() >= MAX_ELEMENTS {
            return Err(Error::Limit(format!(
                "{what} holds more than {MAX_ELEMENTS} names"
            )));
        }
        let t = r.read().map_err(|e| prefix(e, what))?;
        out.push(parse_general_name(&t, what)?);
    }
    if out.is_empty() {
        return Err(Error::malformed(format!(
            "{what}: GeneralNames is empty (RFC 5280 requires at least one name)"
        )));
    }
    Ok(out)
}

/// The subjectAltName names of a certificate (empty when there is no such extension).
pub(crate) fn subject_alt_names<'a>(value: Option<&'a [u8]>) -> Result<Vec<GeneralName<'a>>> {
    match value {
        None => Ok(Vec::new()),
        Some(v) => {
            let t = single(v, TAG_SEQUENCE, "subjectAltName")?;
            parse_general_names(t.value, "subjectAltName")
        }
    }
}

/// The policy OIDs of a certificatePolicies extension, in order (qualifiers are checked for
/// structure only). A policy listed twice is an error (RFC 5280 §4.2.1.4).
pub(crate) fn certificate_policies(value: &[u8]) -> Result<Vec<ObjectIdentifier>> {
    let what = "certificatePolicies";
    let t = single(value, TAG_SEQUENCE, what)?;
    let mut r = t.reader(Rules::Der);
    let mut out: Vec<ObjectIdentifier> = Vec::new();
    while !r.is_empty() {
        if out.len() >= MAX_ELEMENTS {
            return Err(Error::Limit(format!(
                "{what} lists more than {MAX_ELEMENTS} policies"
            )));
        }
        let pi = r.read_expected(TAG_SEQUENCE, &format!("{what} PolicyInformation"))?;
        let mut pr = pi.reader(Rules::Der);
        let oid = asn1::read_oid(&mut pr, &format!("{what} policyIdentifier"))?;
        if let Some(q) = pr.read_optional(TAG_SEQUENCE)? {
            let mut qr = q.reader(Rules::Der);
            if qr.is_empty() {
                return Err(Error::malformed(format!(
                    "{what}: policy {oid} has an empty policyQualifiers list"
                )));
            }
            while !qr.is_empty() {
                let pq = qr.read_expected(TAG_SEQUENCE, &format!("{what} PolicyQualifierInfo"))?;
                let mut pqr = pq.reader(Rules::Der);
                asn1::read_oid(&mut pqr, &format!("{what} policyQualifierId"))?;
                pqr.read()
                    .map_err(|e| prefix(e, &format!("{what} qualifier")))?;
                pqr.finish(&format!("{what} PolicyQualifierInfo"))?;
            }
        }
        pr.finish(&format!("{what} PolicyInformation"))?;
        if out.contains(&oid) {
            return Err(Error::malformed(format!(
                "{what} lists policy {oid} more than once (RFC 5280 §4.2.1.4)"
            )));
        }
        out.push(oid);
    }
    if out.is_empty() {
        return Err(Error::malformed(format!("{what} lists no policy")));
    }
    Ok(out)
}

/// The (issuerDomainPolicy, subjectDomainPolicy) pairs of a policyMappings extension.
pub(crate) fn policy_mappings(value: &[u8]) -> Result<Vec<(ObjectIdentifier, ObjectIdentifier)>> {
    let what = "policyMappings";
    let t = single(value, TAG_SEQUENCE, what)?;
    let mut r = t.reader(Rules::Der);
    let mut out = Vec::new();
    while !r.is_empty() {
        if out.len() >= MAX_ELEMENTS {
            return Err(Error::Limit(format!(
                "{what} has more than {MAX_ELEMENTS} mappings"
            )));
        }
        let m = r.read_expected(TAG_SEQUENCE, what)?;
        let mut mr = m.reader(Rules::Der);
        let issuer = asn1::read_oid(&mut mr, &format!("{what} issuerDomainPolicy"))?;
        let subject = asn1::read_oid(&mut mr, &format!("{what} subjectDomainPolicy"))?;
        mr.finish(what)?;
        out.push((issuer, subject));
    }
    if out.is_empty() {
        return Err(Error::malformed(format!("{what} has no mapping")));
    }
    Ok(out)
}

/// policyConstraints: (requireExplicitPolicy, inhibitPolicyMapping).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct PolicyConstraints {
    pub require_explicit_policy: Option<u64>,
    pub inhibit_policy_mapping: Option<u64>,
}

fn skip_certs(t: &Tlv<'_>, what: &str) -> Result<u64> {
    asn1::parse_small_uint(t.value).map_err(|e| prefix(e, what))
}

pub(crate) fn policy_constraints(value: &[u8]) -> Result<PolicyConstraints> {
    let what = "policyConstraints";
    let t = single(value, TAG_SEQUENCE, what)?;
    let mut r = t.reader(Rules::Der);
    let mut pc = PolicyConstraints::default();
    if let Some(v) = r.read_optional(0x80)? {
        pc.require_explicit_policy = Some(skip_certs(&v, "requireExplicitPolicy")?);
    }
    if let Some(v) = r.read_optional(0x81)? {
        pc.inhibit_policy_mapping = Some(skip_certs(&v, "inhibitPolicyMapping")?);
    }
    r.finish(what)?;
    if pc == PolicyConstraints::default() {
        return Err(Error::malformed(format!(
            "{what} is an empty SEQUENCE (RFC 5280 §4.2.1.11 requires at least one field)"
        )));
    }
    Ok(pc)
}

pub(crate) fn inhibit_any_policy(value: &[u8]) -> Result<u64> {
    let t = single(value, TAG_INTEGER, "inhibitAnyPolicy")?;
    skip_certs(&t, "inhibitAnyPolicy")
}

/// nameConstraints: the subtree bases (minimum 0, no maximum: RFC 5280 §4.2.1.10).
#[derive(Clone, Debug, Default)]
pub(crate) struct NameConstraints<'a> {
    pub permitted: Option<Vec<GeneralName<'a>>>,
    pub excluded: Option<Vec<GeneralName<'a>>>,
}

fn general_subtrees<'a>(t: &Tlv<'a>, what: &str) -> Result<Vec<GeneralName<'a>>> {
    let mut r = t.reader(Rules::Der);
    let mut out = Vec::new();
    while !r.is_empty() {
        if out.len() >= MAX_ELEMENTS {
            return Err(Error::Limit(format!(
                "{what} has more than {MAX_ELEMENTS} subtrees"
            )));
        }
        let st = r.read_expected(TAG_SEQUENCE, &format!("{what} GeneralSubtree"))?;
        let mut sr = st.reader(Rules::Der);
        let base = sr.read().map_err(|e| prefix(e, what))?;
        let base = parse_general_name(&base, &format!("{what} base"))?;
        if let Some(min) = sr.read_optional(0x80)? {
            // DER omits the DEFAULT 0; any other minimum is outside the RFC 5280 profile.
            let v = skip_certs(&min, &format!("{what} minimum"))?;
            return Err(Error::UnsupportedAlgorithm(format!(
                "{what}: a GeneralSubtree with minimum {v} (RFC 5280 §4.2.1.10 allows only the default 0)"
            )));
        }
        if sr.read_optional(0x81)?.is_some() {
            return Err(Error::UnsupportedAlgorithm(format!(
                "{what}: a GeneralSubtree with a maximum (RFC 5280 §4.2.1.10 says it must be absent)"
            )));
        }
        sr.finish(&format!("{what} GeneralSubtree"))?;
        out.push(base);
    }
    if out.is_empty() {
        return Err(Error::malformed(format!("{what} is empty")));
    }
    Ok(out)
}

pub(crate) fn name_constraints(value: &[u8]) -> Result<NameConstraints<'_>> {
    let what = "nameConstraints";
    let t = single(value, TAG_SEQUENCE, what)?;
    let mut r = t.reader(Rules::Der);
    let mut nc = NameConstraints::default();
    if let Some(p) = r.read_optional(0xA0)? {
        nc.permitted = Some(general_subtrees(&p, "nameConstraints permittedSubtrees")?);
    }
    if let Some(x) = r.read_optional(0xA1)? {
        nc.excluded = Some(general_subtrees(&x, "nameConstraints excludedSubtrees")?);
    }
    r.finish(what)?;
    if nc.permitted.is_none() && nc.excluded.is_none() {
        return Err(Error::malformed(format!(
            "{what} is an empty SEQUENCE (RFC 5280 §4.2.1.10 requires permitted or excluded subtrees)"
        )));
    }
    Ok(nc)
}

/// One `DistributionPoint` (or the distributionPoint of an issuingDistributionPoint).
#[derive(Clone, Debug, Default)]
pub(crate) struct DistributionPoint<'a> {
    /// `fullName` names.
    pub full_name: Vec<GeneralName<'a>>,
    /// The DER of a `nameRelativeToCRLIssuer`, if that form is used.
    pub relative_name: Option<&'a [u8]>,
    /// Whether `reasons` is present (a partitioned point).
    pub has_reasons: bool,
    pub crl_issuer: Vec<GeneralName<'a>>,
}

/// Reads `DistributionPointName ::= CHOICE { fullName [0] GeneralNames,
/// nameRelativeToCRLIssuer [1] RelativeDistinguishedName }` from the contents of its `[0]`.
pub(crate) fn distribution_point_name<'a>(
    content: &'a [u8],
    what: &str,
) -> Result<(Vec<GeneralName<'a>>, Option<&'a [u8]>)> {
    let mut r = Reader::new(content);
    let t = r.read().map_err(|e| prefix(e, what))?;
    r.finish(what)?;
    match t.tag {
        0xA0 => Ok((
            parse_general_names(t.value, &format!("{what} fullName"))?,
            None,
        )),
        0xA1 => Ok((Vec::new(), Some(t.raw))),
        other => Err(Error::malformed(format!(
            "{what}: DistributionPointName with unknown tag 0x{other:02X}"
        ))),
    }
}

pub(crate) fn crl_distribution_points(value: &[u8]) -> Result<Vec<DistributionPoint<'_>>> {
    let what = "cRLDistributionPoints";
    let t = single(value, TAG_SEQUENCE, what)?;
    let mut r = t.reader(Rules::Der);
    let mut out = Vec::new();
    while !r.is_empty() {
        if out.len() >= MAX_ELEMENTS {
            return Err(Error::Limit(format!(
                "{what} has more than {MAX_ELEMENTS} points"
            )));
        }
        let dp = r.read_expected(TAG_SEQUENCE, &format!("{what} DistributionPoint"))?;
        let mut dr = dp.reader(Rules::Der);
        let mut point = DistributionPoint::default();
        if let Some(n) = dr.read_optional(0xA0)? {
            let (full, rel) =
                distribution_point_name(n.value, &format!("{what} distributionPoint"))?;
            point.full_name = full;
            point.relative_name = rel;
        }
        if dr.read_optional(0x81)?.is_some() {
            point.has_reasons = true;
        }
        if let Some(i) = dr.read_optional(0xA2)? {
            point.crl_issuer = parse_general_names(i.value, &format!("{what} cRLIssuer"))?;
        }
        dr.finish(&format!("{what} DistributionPoint"))?;
        if point.full_name.is_empty()
            && point.relative_name.is_none()
            && point.crl_issuer.is_empty()
        {
            return Err(Error::malformed(format!(
                "{what}: a DistributionPoint has neither distributionPoint nor cRLIssuer (RFC 5280 §4.2.1.13)"
            )));
        }
        out.push(point);
    }
    if out.is_empty() {
        return Err(Error::malformed(format!("{what} is empty")));
    }
    Ok(out)
}

// -----------------------------------------------------------------------------------------
// Encoding (issuing)

/// A `uniformResourceIdentifier` GeneralName.
pub(crate) fn uri_name(uri: &str) -> Vec<u8> {
    asn1::tlv(0x86, uri.as_bytes())
}

/// certificatePolicies DER: each policy, the first with an optional CPS URI qualifier.
pub(crate) fn encode_certificate_policies(
    policies: &[ObjectIdentifier],
    cps_uri: Option<&str>,
) -> Vec<u8> {
    let mut body = Vec::new();
    for (i, p) in policies.iter().enumerate() {
        let mut pi = asn1::oid(p);
        if let (0, Some(uri)) = (i, cps_uri) {
            let q = asn1::sequence(&[
                &asn1::oid(&QT_CPS),
                &asn1::tlv(TAG_IA5_STRING, uri.as_bytes()),
            ]);
            pi.extend(asn1::tlv(TAG_SEQUENCE, &q));
        }
        body.extend(asn1::tlv(TAG_SEQUENCE, &pi));
    }
    asn1::tlv(TAG_SEQUENCE, &body)
}

/// cRLDistributionPoints DER: one DistributionPoint whose fullName lists `uris`.
pub(crate) fn encode_crl_distribution_points(uris: &[&str]) -> Vec<u8> {
    let names: Vec<u8> = uris.iter().flat_map(|u| uri_name(u)).collect();
    let dp_name = asn1::tlv(0xA0, &asn1::tlv(0xA0, &names));
    asn1::tlv(TAG_SEQUENCE, &asn1::tlv(TAG_SEQUENCE, &dp_name))
}

/// authorityInfoAccess DER: caIssuers first, then OCSP.
pub(crate) fn encode_authority_info_access(ca_issuers: &[&str], ocsp: &[&str]) -> Vec<u8> {
    let mut body = Vec::new();
    for (method, uris) in [(AD_CA_ISSUERS, ca_issuers), (AD_OCSP, ocsp)] {
        for u in uris {
            body.extend(asn1::sequence(&[&asn1::oid(&method), &uri_name(u)]));
        }
    }
    asn1::tlv(TAG_SEQUENCE, &body)
}

/// Checks that `url` is an `http://` URL with a host (the S/MIME BR require http for CRL
/// and AIA locations of Strict and Multipurpose certificates, SBR §7.1.2.3(b)(c)).
pub fn check_http_url(url: &str, what: &str) -> Result<()> {
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        Error::Usage(format!(
            "the {what} '{url}' is not an http:// URL (S/MIME BR §7.1.2.3(b)(c) require plain http for CRL and CA-issuer locations)"
        ))
    })?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() {
        return Err(Error::Usage(format!("the {what} '{url}' has no host")));
    }
    if let Some(c) = url.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(Error::Usage(format!(
            "the {what} '{url}' contains {c:?}; write it percent-encoded (RFC 3986)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn general_names_of_every_kind() {
        let smtp = asn1::tlv(
            0xA0,
            &[
                asn1::oid(&oids::ON_SMTP_UTF8_MAILBOX),
                asn1::tlv(0xA0, &asn1::tlv(0x0C, "jörg@example.com".as_bytes())),
            ]
            .concat(),
        );
        let dn = crate::x509::parse_dn("CN=A,O=B").unwrap();
        let content = [
            asn1::tlv(0x81, b"a@example.com"),
            asn1::tlv(0x82, b"example.com"),
            asn1::tlv(0xA4, &dn),
            asn1::tlv(0x86, b"http://x.example/"),
            asn1::tlv(0x87, &[192, 0, 2, 1]),
            smtp,
        ]
        .concat();
        let names = parse_general_names(&content, "test").unwrap();
        assert_eq!(names.len(), 6);
        assert_eq!(names[0], GeneralName::Rfc822("a@example.com"));
        assert_eq!(names[2], GeneralName::Directory(&dn));
        assert_eq!(names[5].smtp_utf8_mailbox(), Some("jörg@example.com"));
        assert!(parse_general_names(&[], "test").is_err());
        assert!(parse_general_names(&asn1::tlv(0x81, "ä".as_bytes()), "test").is_err());
        assert!(parse_general_names(&[0x89, 0x00], "test").is_err());
    }

    #[test]
    fn policies_mappings_and_constraints() {
        let p1 = ObjectIdentifier::new_unwrap("1.2.3.4");
        let der = encode_certificate_policies(&[p1, ANY_POLICY], Some("http://cps.example/"));
        assert_eq!(certificate_policies(&der).unwrap(), [p1, ANY_POLICY]);
        let dup = encode_certificate_policies(&[p1, p1], None);
        assert!(certificate_policies(&dup)
            .unwrap_err()
            .to_string()
            .contains("more than once"));

        let m = asn1::sequence(&[&asn1::sequence(&[&asn1::oid(&p1), &asn1::oid(&ANY_POLICY)])]);
        assert_eq!(policy_mappings(&m).unwrap(), [(p1, ANY_POLICY)]);

        let pc = asn1::sequence(&[&[0x80, 0x01, 0x00], &[0x81, 0x01, 0x02]]);
        assert_eq!(
            policy_constraints(&pc).unwrap(),
            PolicyConstraints {
                require_explicit_policy: Some(0),
                inhibit_policy_mapping: Some(2)
            }
        );
        assert!(policy_constraints(&[0x30, 0x00]).is_err());
        assert_eq!(inhibit_any_policy(&[0x02, 0x01, 0x01]).unwrap(), 1);
    }

    #[test]
    fn name_constraints_and_distribution_points() {
        let sub = |gn: Vec<u8>| asn1::tlv(TAG_SEQUENCE, &gn);
        let nc = asn1::sequence(&[
            &asn1::tlv(0xA0, &sub(asn1::tlv(0x81, b".example.com"))),
            &asn1::tlv(0xA1, &sub(asn1::tlv(0x81, b"bad.example.com"))),
        ]);
        let parsed = name_constraints(&nc).unwrap();
        assert_eq!(
            parsed.permitted.unwrap(),
            [GeneralName::Rfc822(".example.com")]
        );
        assert_eq!(
            parsed.excluded.unwrap(),
            [GeneralName::Rfc822("bad.example.com")]
        );
        let with_max = asn1::sequence(&[&asn1::tlv(
            0xA0,
            &asn1::sequence(&[&asn1::tlv(0x81, b"x"), &[0x81, 0x01, 0x01]]),
        )]);
        assert!(name_constraints(&with_max).is_err());

        let dp = encode_crl_distribution_points(&["http://crl.example/ca.crl"]);
        let points = crl_distribution_points(&dp).unwrap();
        assert_eq!(
            points[0].full_name,
            [GeneralName::Uri("http://crl.example/ca.crl")]
        );
        let aia = encode_authority_info_access(&["http://ca.example/ca.crt"], &[]);
        assert_eq!(aia[0], TAG_SEQUENCE);
    }

    #[test]
    fn http_urls_only() {
        assert!(check_http_url("http://crl.example.com/ca.crl", "CRL URL").is_ok());
        assert!(check_http_url("https://crl.example.com/ca.crl", "CRL URL").is_err());
        assert!(check_http_url("http:///ca.crl", "CRL URL").is_err());
        assert!(check_http_url("http://a b/", "CRL URL").is_err());
    }
}
