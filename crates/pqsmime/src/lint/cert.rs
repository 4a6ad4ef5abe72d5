//! A lenient certificate model for the linter.
//!
//! [`crate::x509::Certificate`] refuses anything that is not strict DER with well-formed
//! extensions, which is right for a validator but wrong for a linter: a linter has to read the
//! certificate a validator rejects and say *what* is wrong. Here only the outer structure must
//! be readable (the `Certificate` and `TBSCertificate` SEQUENCEs with their fields in order and
//! with the right tags); everything below is decoded field by field, and a field or extension
//! that does not decode becomes a recorded problem that a rule turns into a finding.
//!
//! * Encoding: the whole certificate is first walked with DER rules. If that fails (indefinite
//!   or non-minimal lengths, constructed strings, bad BOOLEAN/INTEGER encodings) the problem is
//!   recorded and the structure is read again with BER rules.
//! * Extension values are always decoded with strict DER rules; a value that does not decode is
//!   recorded under the extension's name, softer DER violations (explicit DEFAULT values) are
//!   recorded separately and the value is still used.

use const_oid::ObjectIdentifier;

use crate::asn1::{self, Reader, Rules, Tlv};
use crate::error::{Error, Result};
use crate::oids;

/// Extension OIDs the linter knows beyond [`crate::oids`].
pub(crate) mod ext_oid {
    use const_oid::ObjectIdentifier as Oid;
    /// RFC 3739 qcStatements.
    pub const QC_STATEMENTS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.3");
    /// RFC 5280 subjectDirectoryAttributes.
    pub const SUBJECT_DIRECTORY_ATTRIBUTES: Oid = Oid::new_unwrap("2.5.29.9");
    /// RFC 5280 subjectInfoAccess.
    pub const SUBJECT_INFO_ACCESS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.11");
    /// Adobe Time-stamp (SBR §7.1.2.3(m)).
    pub const ADOBE_TIMESTAMP: Oid = Oid::new_unwrap("1.2.840.113583.1.1.9.1");
    /// Adobe ArchiveRevInfo (SBR §7.1.2.3(m)).
    pub const ADOBE_ARCHIVE_REV_INFO: Oid = Oid::new_unwrap("1.2.840.113583.1.1.9.2");
    /// GLEIF Legal Entity Identifier (SBR §7.1.2.3(l)).
    pub const LEI: Oid = Oid::new_unwrap("1.3.6.1.4.1.52266.1");
    /// GLEIF LEI role (SBR §7.1.2.3(l)).
    pub const LEI_ROLE: Oid = Oid::new_unwrap("1.3.6.1.4.1.52266.2");
    /// RFC 6962 precertificate poison and SCT list.
    pub const CT_POISON: Oid = Oid::new_unwrap("1.3.6.1.4.1.11129.2.4.3");
    pub const CT_SCT_LIST: Oid = Oid::new_unwrap("1.3.6.1.4.1.11129.2.4.2");
    /// RFC 5280 §4.2.1.4 anyPolicy.
    pub const ANY_POLICY: Oid = Oid::new_unwrap("2.5.29.32.0");
    /// RFC 5280 §4.2.1.4 policy qualifiers.
    pub const QT_CPS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.2.1");
    pub const QT_UNOTICE: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.2.2");
    /// RFC 5280 §4.2.2.1 access methods.
    pub const AD_OCSP: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1");
    pub const AD_CA_ISSUERS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.2");
    /// id-kp-OCSPSigning.
    pub const KP_OCSP_SIGNING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.9");
    /// Microsoft User Principal Name otherName.
    pub const MS_UPN: Oid = Oid::new_unwrap("1.3.6.1.4.1.311.20.2.3");
}

/// X.520 / PKCS #9 attribute types the linter knows beyond [`crate::oids`].
pub(crate) mod attr_oid {
    use const_oid::ObjectIdentifier as Oid;
    pub const POSTAL_CODE: Oid = Oid::new_unwrap("2.5.4.17");
    pub const DOMAIN_COMPONENT: Oid = Oid::new_unwrap("0.9.2342.19200300.100.1.25");
}

/// Why a certificate could not be read at all.
fn outer(what: &str, e: Error) -> Error {
    Error::Malformed(format!(
        "not a readable X.509 certificate: {what}: {}",
        plain(&e)
    ))
}

/// The sentence inside an [`Error`], without the "malformed input:" prefix.
pub(crate) fn plain(e: &Error) -> String {
    match e {
        Error::Malformed(m) | Error::Limit(m) => m.clone(),
        other => other.to_string(),
    }
}

/// A UTCTime or GeneralizedTime as found in the certificate.
#[derive(Clone, Debug)]
pub(crate) struct Time {
    /// Seconds since 1970-01-01T00:00:00Z, when the value could be read at all.
    pub unix: Option<i64>,
    /// Why the value does not follow RFC 5280 §4.1.2.5 (syntax or choice of type).
    pub problem: Option<String>,
}

/// An attribute of a distinguished name.
#[derive(Clone, Debug)]
pub(crate) struct Atv<'a> {
    pub oid: ObjectIdentifier,
    pub tag: u8,
    pub value: &'a [u8],
}

impl Atv<'_> {
    /// The value as text, for the string types X.509 uses.
    pub fn text(&self) -> Option<String> {
        decode_string(self.tag, self.value)
    }
}

/// A decoded `Name` (RDNSequence).
#[derive(Clone, Debug, Default)]
pub(crate) struct Name<'a> {
    pub rdns: Vec<Vec<Atv<'a>>>,
}

impl<'a> Name<'a> {
    pub fn atvs(&self) -> impl Iterator<Item = &Atv<'a>> {
        self.rdns.iter().flatten()
    }

    pub fn has(&self, oid: &ObjectIdentifier) -> bool {
        self.atvs().any(|a| a.oid == *oid)
    }

    /// Text values of the attributes of one type.
    pub fn texts(&self, oid: &ObjectIdentifier) -> Vec<String> {
        self.atvs()
            .filter(|a| a.oid == *oid)
            .filter_map(|a| a.text())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.rdns.is_empty()
    }
}

/// One `GeneralName`.
#[derive(Clone, Debug)]
pub(crate) enum GeneralName<'a> {
    OtherName {
        type_id: ObjectIdentifier,
        /// The complete inner element (inside the `[0] EXPLICIT`).
        value: Tlv<'a>,
    },
    Rfc822(&'a [u8]),
    Dns(&'a [u8]),
    X400,
    Directory(Name<'a>),
    EdiParty,
    Uri(&'a [u8]),
    Ip(&'a [u8]),
    RegisteredId,
}

impl GeneralName<'_> {
    pub fn type_name(&self) -> &'static str {
        match self {
            GeneralName::OtherName { .. } => "otherName",
            GeneralName::Rfc822(_) => "rfc822Name",
            GeneralName::Dns(_) => "dNSName",
            GeneralName::X400 => "x400Address",
            GeneralName::Directory(_) => "directoryName",
            GeneralName::EdiParty => "ediPartyName",
            GeneralName::Uri(_) => "uniformResourceIdentifier",
            GeneralName::Ip(_) => "iPAddress",
            GeneralName::RegisteredId => "registeredID",
        }
    }
}

/// A `PolicyQualifierInfo` of interest.
#[derive(Clone, Debug)]
pub(crate) enum Qualifier {
    /// id-qt-cps: the IA5String URI (or the problem with it).
    Cps(std::result::Result<String, String>),
    /// id-qt-unotice.
    UserNotice {
        has_notice_ref: bool,
        /// (tag, text) of explicitText.
        explicit_text: Option<(u8, Option<String>)>,
    },
    Other,
}

#[derive(Clone, Debug)]
pub(crate) struct PolicyInfo {
    pub oid: ObjectIdentifier,
    pub qualifiers: Vec<Qualifier>,
}

#[derive(Clone, Debug)]
pub(crate) struct DistributionPoint<'a> {
    /// `fullName`, when the distributionPoint field uses that form.
    pub full_name: Option<Vec<GeneralName<'a>>>,
    /// Whether a distributionPoint field (either form) is present.
    pub has_name: bool,
    pub has_crl_issuer: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct AccessDescription<'a> {
    pub method: ObjectIdentifier,
    pub location: GeneralName<'a>,
}

#[derive(Clone, Debug)]
pub(crate) struct AuthorityKeyId<'a> {
    pub key_id: Option<&'a [u8]>,
    pub has_issuer: bool,
    pub has_serial: bool,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct BasicConstraints {
    pub ca: bool,
    pub path_len: Option<u64>,
}

#[derive(Clone, Debug)]
pub(crate) struct AdobeTimestamp<'a> {
    pub location: GeneralName<'a>,
}

#[derive(Clone, Debug)]
pub(crate) struct NameConstraints<'a> {
    pub permitted: Vec<GeneralName<'a>>,
    pub has_permitted: bool,
    pub has_excluded: bool,
}

/// Key usage bits: bit n of the named bit list is `1 << n` (RFC 5280 §4.2.1.3).
pub(crate) mod ku {
    pub const DS: u16 = 1 << 0;
    pub const NR: u16 = 1 << 1;
    pub const KE: u16 = 1 << 2;
    pub const DE: u16 = 1 << 3;
    pub const KA: u16 = 1 << 4;
    pub const KCS: u16 = 1 << 5;
    pub const CRLS: u16 = 1 << 6;
    pub const EO: u16 = 1 << 7;
    pub const DO: u16 = 1 << 8;
    const NAMES: [&str; 9] = [
        "digitalSignature",
        "nonRepudiation",
        "keyEncipherment",
        "dataEncipherment",
        "keyAgreement",
        "keyCertSign",
        "cRLSign",
        "encipherOnly",
        "decipherOnly",
    ];

    /// "digitalSignature, keyEncipherment" (or "(none)").
    pub fn names(bits: u16) -> String {
        let v: Vec<&str> = NAMES
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, n)| *n)
            .collect();
        if v.is_empty() {
            "(none)".to_string()
        } else {
            v.join(", ")
        }
    }
}

/// One extension as encoded.
#[derive(Clone, Debug)]
pub(crate) struct Ext<'a> {
    pub oid: ObjectIdentifier,
    pub critical: bool,
    pub value: &'a [u8],
}

/// The subjectPublicKeyInfo, split.
#[derive(Clone, Debug)]
pub(crate) struct Spki<'a> {
    /// The complete AlgorithmIdentifier encoding.
    pub alg_raw: &'a [u8],
    pub alg_oid: Option<ObjectIdentifier>,
    /// Raw parameters element, if present.
    pub params: Option<&'a [u8]>,
    /// The subjectPublicKey bits (after the unused-bits octet).
    pub key: &'a [u8],
    pub unused_bits: u8,
}

/// Everything the rules look at.
#[derive(Clone, Debug)]
pub(crate) struct LintCert<'a> {
    pub der: &'a [u8],
    /// DER violations in the structure outside extension values.
    pub der_problems: Vec<String>,
    pub tbs: &'a [u8],
    /// The version INTEGER value (0 = v1 … 2 = v3); `None` when the field is absent (v1).
    pub version: Option<std::result::Result<u64, String>>,
    /// serialNumber INTEGER contents.
    pub serial: &'a [u8],
    pub tbs_signature_alg: &'a [u8],
    pub signature_alg: &'a [u8],
    /// signatureValue BIT STRING contents after the unused-bits octet.
    pub signature: &'a [u8],
    pub issuer_raw: &'a [u8],
    pub issuer: std::result::Result<Name<'a>, String>,
    pub subject_raw: &'a [u8],
    pub subject: std::result::Result<Name<'a>, String>,
    pub not_before: Time,
    pub not_after: Time,
    pub spki_raw: &'a [u8],
    pub spki: std::result::Result<Spki<'a>, String>,
    pub issuer_uid: bool,
    pub subject_uid: bool,
    /// Whether the `[3] extensions` field is present.
    pub has_extensions_field: bool,
    pub extensions: Vec<Ext<'a>>,
    /// Extensions that could not be read at all (framing), or the extension list itself.
    pub extension_list_problems: Vec<String>,
    /// (extension name, problem) for known extensions whose value does not decode.
    pub decode_errors: Vec<(String, String)>,
    /// (extension name, problem) for DER violations in values that still decoded.
    pub der_notes: Vec<(String, String)>,
    pub key_usage: Option<KeyUsageValue>,
    pub ext_key_usage: Option<Vec<ObjectIdentifier>>,
    pub basic_constraints: Option<BasicConstraints>,
    pub san: Option<Vec<GeneralName<'a>>>,
    pub policies: Option<Vec<PolicyInfo>>,
    pub crl_dps: Option<Vec<DistributionPoint<'a>>>,
    pub aia: Option<Vec<AccessDescription<'a>>>,
    pub aki: Option<AuthorityKeyId<'a>>,
    pub ski: Option<&'a [u8]>,
    pub adobe_timestamp: Option<AdobeTimestamp<'a>>,
    pub name_constraints: Option<NameConstraints<'a>>,
    /// The LEI extension value (text).
    pub lei: Option<String>,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct KeyUsageValue {
    pub bits: u16,
}

impl<'a> LintCert<'a> {
    /// Reads a certificate; only an unreadable outer structure is an error.
    pub fn parse(der: &'a [u8]) -> Result<LintCert<'a>> {
        let mut der_problems = Vec::new();
        let rules = match der_walk(der, 0) {
            Ok(()) => Rules::Der,
            Err(m) => {
                der_problems.push(m);
                Rules::Ber
            }
        };
        let mut top = reader_with(der, rules);
        let cert = top
            .read_expected(asn1::TAG_SEQUENCE, "Certificate")
            .map_err(|e| outer("Certificate", e))?;
        if !top.is_empty() {
            return Err(Error::Malformed(format!(
                "not a readable X.509 certificate: {} bytes follow the Certificate SEQUENCE",
                top.remaining().len()
            )));
        }
        let mut cr = cert.reader(rules);
        let tbs = cr
            .read_expected(asn1::TAG_SEQUENCE, "tbsCertificate")
            .map_err(|e| outer("Certificate", e))?;
        let sig_alg = cr
            .read_expected(asn1::TAG_SEQUENCE, "signatureAlgorithm")
            .map_err(|e| outer("Certificate", e))?;
        let sig = cr
            .read_expected(asn1::TAG_BIT_STRING, "signatureValue")
            .map_err(|e| outer("Certificate", e))?;
        cr.finish("Certificate")
            .map_err(|e| outer("Certificate", e))?;

        let mut r = tbs.reader(rules);
        let version = r
            .read_optional(0xA0)
            .map_err(|e| outer("version", e))?
            .map(|v| read_version(&v, rules));
        let serial = r
            .read_expected(asn1::TAG_INTEGER, "serialNumber")
            .map_err(|e| outer("tbsCertificate", e))?;
        let tbs_sig = r
            .read_expected(asn1::TAG_SEQUENCE, "signature")
            .map_err(|e| outer("tbsCertificate", e))?;
        let issuer = r
            .read_expected(asn1::TAG_SEQUENCE, "issuer")
            .map_err(|e| outer("tbsCertificate", e))?;
        let validity = r
            .read_expected(asn1::TAG_SEQUENCE, "validity")
            .map_err(|e| outer("tbsCertificate", e))?;
        let subject = r
            .read_expected(asn1::TAG_SEQUENCE, "subject")
            .map_err(|e| outer("tbsCertificate", e))?;
        let spki = r
            .read_expected(asn1::TAG_SEQUENCE, "subjectPublicKeyInfo")
            .map_err(|e| outer("tbsCertificate", e))?;
        let mut issuer_uid = false;
        let mut subject_uid = false;
        let mut exts_field = None;
        while let Some(tag) = r.peek_tag() {
            let t = r.read().map_err(|e| outer("tbsCertificate", e))?;
            match tag {
                0x81 | 0xA1 if !subject_uid && exts_field.is_none() => issuer_uid = true,
                0x82 | 0xA2 if exts_field.is_none() => subject_uid = true,
                0xA3 if exts_field.is_none() => exts_field = Some(t),
                other => {
                    return Err(Error::Malformed(format!(
                        "not a readable X.509 certificate: tbsCertificate has an unexpected element with tag 0x{other:02X} after subjectPublicKeyInfo"
                    )))
                }
            }
        }

        let (not_before, not_after) = read_validity(&validity, rules);
        let sig_bits = match sig.value.split_first() {
            Some((_, rest)) => rest,
            None => &[][..],
        };
        let mut c = LintCert {
            der,
            der_problems,
            tbs: tbs.raw,
            version,
            serial: serial.value,
            tbs_signature_alg: tbs_sig.raw,
            signature_alg: sig_alg.raw,
            signature: sig_bits,
            issuer_raw: issuer.raw,
            issuer: parse_name(issuer.raw),
            subject_raw: subject.raw,
            subject: parse_name(subject.raw),
            not_before,
            not_after,
            spki_raw: spki.raw,
            spki: parse_spki(&spki),
            issuer_uid,
            subject_uid,
            has_extensions_field: exts_field.is_some(),
            extensions: Vec::new(),
            extension_list_problems: Vec::new(),
            decode_errors: Vec::new(),
            der_notes: Vec::new(),
            key_usage: None,
            ext_key_usage: None,
            basic_constraints: None,
            san: None,
            policies: None,
            crl_dps: None,
            aia: None,
            aki: None,
            ski: None,
            adobe_timestamp: None,
            name_constraints: None,
            lei: None,
        };
        for (which, n) in [("issuer", &c.issuer), ("subject", &c.subject)] {
            if let Ok(name) = n {
                if let Some(p) = set_order_problem(name) {
                    c.der_problems.push(format!("{which}: {p}"));
                }
            }
        }
        if let Some(f) = exts_field {
            c.read_extensions(&f, rules);
        }
        c.decode_extensions();
        Ok(c)
    }

    fn read_extensions(&mut self, field: &Tlv<'a>, rules: Rules) {
        let mut fr = field.reader(rules);
        let seq = match fr.read_expected(asn1::TAG_SEQUENCE, "extensions") {
            Ok(s) => s,
            Err(e) => {
                self.extension_list_problems.push(format!(
                    "the extensions field is not a SEQUENCE: {}",
                    plain(&e)
                ));
                return;
            }
        };
        if !fr.is_empty() {
            self.extension_list_problems
                .push("the extensions field has data after the SEQUENCE".to_string());
        }
        let mut r = seq.reader(rules);
        let mut index = 0usize;
        while !r.is_empty() {
            index += 1;
            let ext = match r.read() {
                Ok(t) => t,
                Err(e) => {
                    self.extension_list_problems
                        .push(format!("extension {index} cannot be read: {}", plain(&e)));
                    return;
                }
            };
            match read_extension(&ext, rules) {
                Ok((e, explicit_false)) => {
                    if explicit_false {
                        self.der_notes.push((
                            crate::alg::describe_oid(&e.oid),
                            "critical is encoded as FALSE, but DER omits DEFAULT values"
                                .to_string(),
                        ));
                    }
                    self.extensions.push(e);
                }
                Err(m) => self
                    .extension_list_problems
                    .push(format!("extension {index}: {m}")),
            }
        }
        if self.extensions.is_empty() && self.extension_list_problems.is_empty() {
            self.extension_list_problems.push(
                "the extensions field is present but empty (RFC 5280 requires at least one extension)"
                    .to_string(),
            );
        }
    }

    /// The first extension with this OID.
    pub fn ext(&self, oid: &ObjectIdentifier) -> Option<&Ext<'a>> {
        self.extensions.iter().find(|e| e.oid == *oid)
    }

    fn decode_extensions(&mut self) {
        let mut seen: Vec<ObjectIdentifier> = Vec::new();
        let exts = self.extensions.clone();
        for e in &exts {
            if seen.contains(&e.oid) {
                continue;
            }
            seen.push(e.oid);
            let mut notes = Vec::new();
            let name = ext_name(&e.oid);
            let res: std::result::Result<(), String> = (|| {
                let o = e.oid;
                if o == oids::EXT_KEY_USAGE {
                    self.key_usage = Some(decode_key_usage(e.value, &mut notes)?);
                } else if o == oids::EXT_EXTENDED_KEY_USAGE {
                    self.ext_key_usage = Some(decode_eku(e.value)?);
                } else if o == oids::EXT_BASIC_CONSTRAINTS {
                    self.basic_constraints = Some(decode_bc(e.value, &mut notes)?);
                } else if o == oids::EXT_SUBJECT_ALT_NAME {
                    let t = single(e.value, asn1::TAG_SEQUENCE)?;
                    let names = general_names(t.value)?;
                    if names.is_empty() {
                        return Err("GeneralNames is empty".to_string());
                    }
                    self.san = Some(names);
                } else if o == oids::EXT_CERTIFICATE_POLICIES {
                    self.policies = Some(decode_policies(e.value)?);
                } else if o == oids::EXT_CRL_DISTRIBUTION_POINTS {
                    self.crl_dps = Some(decode_crldp(e.value)?);
                } else if o == oids::EXT_AUTHORITY_INFO_ACCESS {
                    self.aia = Some(decode_aia(e.value)?);
                } else if o == oids::EXT_AUTHORITY_KEY_IDENTIFIER {
                    self.aki = Some(decode_aki(e.value)?);
                } else if o == oids::EXT_SUBJECT_KEY_IDENTIFIER {
                    self.ski = Some(single(e.value, asn1::TAG_OCTET_STRING)?.value);
                } else if o == ext_oid::ADOBE_TIMESTAMP {
                    self.adobe_timestamp = Some(decode_adobe_timestamp(e.value, &mut notes)?);
                } else if o == ext_oid::ADOBE_ARCHIVE_REV_INFO {
                    let t = single(e.value, asn1::TAG_SEQUENCE)?;
                    let mut r = t.reader(Rules::Der);
                    r.read_expected(asn1::TAG_INTEGER, "version")
                        .map_err(|e| plain(&e))?;
                    r.finish("ArchiveRevInfo").map_err(|e| plain(&e))?;
                } else if o == oids::EXT_NAME_CONSTRAINTS {
                    self.name_constraints = Some(decode_name_constraints(e.value)?);
                } else if o == ext_oid::LEI {
                    let t = single_any(e.value)?;
                    let s = decode_string(t.tag, t.value)
                        .ok_or_else(|| "the LEI is not a character string".to_string())?;
                    self.lei = Some(s);
                } else if o == ext_oid::LEI_ROLE {
                    let t = single_any(e.value)?;
                    decode_string(t.tag, t.value)
                        .ok_or_else(|| "the role is not a character string".to_string())?;
                } else if o == ext_oid::QC_STATEMENTS
                    || o == oids::ID_SMIME_CAPABILITIES
                    || o == ext_oid::SUBJECT_DIRECTORY_ATTRIBUTES
                {
                    decode_seq_of_seq_with_oid(e.value)?;
                } else if o == oids::EXT_ISSUER_ALT_NAME {
                    let t = single(e.value, asn1::TAG_SEQUENCE)?;
                    general_names(t.value)?;
                } else if o == oids::EXT_INHIBIT_ANY_POLICY {
                    single(e.value, asn1::TAG_INTEGER)?;
                } else if o == oids::EXT_POLICY_CONSTRAINTS || o == oids::EXT_POLICY_MAPPINGS {
                    single(e.value, asn1::TAG_SEQUENCE)?;
                }
                Ok(())
            })();
            if let Err(m) = res {
                self.decode_errors.push((name.clone(), m));
            }
            for n in notes {
                self.der_notes.push((name.clone(), n));
            }
        }
    }

    /// Email addresses in the SAN: rfc822Name and SmtpUTF8Mailbox values.
    pub fn san_emails(&self) -> Vec<String> {
        let mut out = Vec::new();
        for gn in self.san.iter().flatten() {
            match gn {
                GeneralName::Rfc822(v) => out.push(String::from_utf8_lossy(v).into_owned()),
                GeneralName::OtherName { type_id, value }
                    if *type_id == oids::ON_SMTP_UTF8_MAILBOX =>
                {
                    if let Some(s) = decode_string(value.tag, value.value) {
                        out.push(s);
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The subject name and every SAN directoryName, labelled for messages.
    pub fn subject_like_names(&self) -> Vec<(String, &Name<'a>)> {
        let mut out = Vec::new();
        if let Ok(n) = &self.subject {
            out.push(("subject".to_string(), n));
        }
        let mut i = 0;
        for gn in self.san.iter().flatten() {
            if let GeneralName::Directory(n) = gn {
                i += 1;
                out.push((format!("subjectAltName directoryName {i}"), n));
            }
        }
        out
    }
}

/// A reader with the given rules.
fn reader_with(data: &[u8], rules: Rules) -> Reader<'_> {
    match rules {
        Rules::Der => Reader::new(data),
        Rules::Ber => Reader::new_ber(data),
    }
}

/// Walks every element with DER rules; the first violation found.
pub(crate) fn der_walk(data: &[u8], depth: usize) -> std::result::Result<(), String> {
    if depth > asn1::MAX_DEPTH {
        return Err(format!(
            "encoding nested more than {} levels deep",
            asn1::MAX_DEPTH
        ));
    }
    let mut r = Reader::new(data);
    while !r.is_empty() {
        let t = r.read().map_err(|e| plain(&e))?;
        match t.tag {
            // Constructed universal string types are BER only.
            0x23 | 0x24 | 0x2C | 0x33 | 0x34 | 0x36 | 0x3A | 0x3C | 0x3E => {
                return Err(format!(
                    "a constructed string (tag 0x{:02X}) is not allowed in DER",
                    t.tag
                ))
            }
            asn1::TAG_BOOLEAN if !matches!(t.value, [0x00] | [0xFF]) => {
                return Err("a BOOLEAN is not encoded as 0x00 or 0xFF".to_string());
            }
            asn1::TAG_INTEGER => {
                if let [a, b, ..] = t.value {
                    if (*a == 0 && b & 0x80 == 0) || (*a == 0xFF && b & 0x80 != 0) {
                        return Err("an INTEGER is not minimally encoded".to_string());
                    }
                }
                if t.value.is_empty() {
                    return Err("an INTEGER has no content octets".to_string());
                }
            }
            asn1::TAG_BIT_STRING => {
                if let Some((&unused, bits)) = t.value.split_first() {
                    let bad = unused > 7
                        || (bits.is_empty() && unused != 0)
                        || bits
                            .last()
                            .is_some_and(|l| unused > 0 && l & ((1u8 << unused) - 1) != 0);
                    if bad {
                        return Err("a BIT STRING has bad unused bits".to_string());
                    }
                } else {
                    return Err("a BIT STRING has no content octets".to_string());
                }
            }
            _ => {}
        }
        if t.is_constructed() {
            der_walk(t.value, depth + 1)?;
        }
    }
    Ok(())
}

fn read_version(v: &Tlv<'_>, rules: Rules) -> std::result::Result<u64, String> {
    let mut r = v.reader(rules);
    let i = r
        .read_expected(asn1::TAG_INTEGER, "version")
        .map_err(|e| plain(&e))?;
    r.finish("version").map_err(|e| plain(&e))?;
    asn1::parse_small_uint(i.value).map_err(|e| plain(&e))
}

fn read_validity(v: &Tlv<'_>, rules: Rules) -> (Time, Time) {
    let bad = |m: String| Time {
        unix: None,
        problem: Some(m),
    };
    let mut r = v.reader(rules);
    let nb = match r.read() {
        Ok(t) => parse_time(t.tag, t.value),
        Err(e) => bad(format!("notBefore cannot be read: {}", plain(&e))),
    };
    let na = match r.read() {
        Ok(t) => parse_time(t.tag, t.value),
        Err(e) => bad(format!("notAfter cannot be read: {}", plain(&e))),
    };
    (nb, na)
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let d = i64::from(d);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn digits(s: &[u8]) -> Option<i64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0i64, |a, b| a * 10 + i64::from(b - b'0')))
}

fn civil_to_unix(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let days_in_month = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let max = if mo == 2 && leap {
        29
    } else {
        *days_in_month.get((mo - 1) as usize)?
    };
    if d > max {
        return None;
    }
    Some(days_from_civil(y, mo as u32, d as u32) * 86_400 + h * 3600 + mi * 60 + s)
}

/// Parses UTCTime / GeneralizedTime, strictly per RFC 5280 §4.1.2.5 where possible and
/// leniently otherwise (the value is still used; the problem is recorded).
pub(crate) fn parse_time(tag: u8, v: &[u8]) -> Time {
    let mut t = Time {
        unix: None,
        problem: None,
    };
    let (year, rest): (i64, &[u8]) = match tag {
        asn1::TAG_UTC_TIME => match v.get(..2).and_then(digits) {
            Some(yy) => (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &v[2..]),
            None => {
                t.problem = Some("UTCTime does not start with a two-digit year".into());
                return t;
            }
        },
        asn1::TAG_GENERALIZED_TIME => match v.get(..4).and_then(digits) {
            Some(y) => (y, &v[4..]),
            None => {
                t.problem = Some("GeneralizedTime does not start with a four-digit year".into());
                return t;
            }
        },
        other => {
            t.problem = Some(format!(
                "the time has tag 0x{other:02X}, not UTCTime or GeneralizedTime"
            ));
            return t;
        }
    };
    let kind = if tag == asn1::TAG_UTC_TIME {
        "UTCTime"
    } else {
        "GeneralizedTime"
    };
    // MMDDHHMM[SS][.fff](Z|+hhmm|-hhmm)
    let (Some(mo), Some(d), Some(h), Some(mi)) = (
        rest.get(0..2).and_then(digits),
        rest.get(2..4).and_then(digits),
        rest.get(4..6).and_then(digits),
        rest.get(6..8).and_then(digits),
    ) else {
        t.problem = Some(format!("{kind} value is not in the form YYMMDDHHMMSSZ"));
        return t;
    };
    let mut p = 8usize;
    let mut sec = None;
    if let Some(s) = rest.get(p..p + 2).and_then(digits) {
        sec = Some(s);
        p += 2;
    }
    let mut fraction = false;
    if rest.get(p) == Some(&b'.') {
        fraction = true;
        p += 1;
        while rest.get(p).is_some_and(u8::is_ascii_digit) {
            p += 1;
        }
    }
    let mut offset = 0i64;
    let tail = rest.get(p..).unwrap_or(&[]);
    let zulu = match tail {
        [b'Z'] => true,
        [sign @ (b'+' | b'-'), hh1, hh2, mm1, mm2] => {
            match (digits(&[*hh1, *hh2]), digits(&[*mm1, *mm2])) {
                (Some(hh), Some(mm)) => {
                    let o = hh * 3600 + mm * 60;
                    offset = if *sign == b'+' { o } else { -o };
                }
                _ => {
                    t.problem = Some(format!("{kind} has a malformed time zone offset"));
                    return t;
                }
            }
            false
        }
        _ => {
            t.problem = Some(format!(
                "{kind} value does not end in 'Z' (RFC 5280 requires Zulu time)"
            ));
            return t;
        }
    };
    t.unix = civil_to_unix(year, mo, d, h, mi, sec.unwrap_or(0)).map(|u| u - offset);
    if t.unix.is_none() {
        t.problem = Some(format!("{kind} value is not a valid date and time"));
        return t;
    }
    if sec.is_none() {
        t.problem = Some(format!("{kind} value has no seconds (RFC 5280 §4.1.2.5)"));
    } else if fraction {
        t.problem = Some(format!(
            "{kind} value has fractional seconds (RFC 5280 §4.1.2.5)"
        ));
    } else if !zulu {
        t.problem = Some(format!(
            "{kind} value has a time zone offset instead of 'Z' (RFC 5280 §4.1.2.5)"
        ));
    } else if tag == asn1::TAG_UTC_TIME && year >= 2050 {
        // cannot happen: UTCTime years are 1950..2049
    } else if tag == asn1::TAG_GENERALIZED_TIME && (1950..2050).contains(&year) {
        t.problem = Some(
            "GeneralizedTime is used for a date before 2050; RFC 5280 §4.1.2.5 requires UTCTime"
                .to_string(),
        );
    }
    t
}

/// Parses a `Name` (RDNSequence); values are kept raw.
pub(crate) fn parse_name(raw: &[u8]) -> std::result::Result<Name<'_>, String> {
    let t = single(raw, asn1::TAG_SEQUENCE)?;
    let mut rdns = Vec::new();
    let mut r = Reader::new_ber(t.value);
    while !r.is_empty() {
        let set = r
            .read_expected(asn1::TAG_SET, "RelativeDistinguishedName")
            .map_err(|e| plain(&e))?;
        let mut sr = Reader::new_ber(set.value);
        let mut atvs = Vec::new();
        while !sr.is_empty() {
            let atv = sr
                .read_expected(asn1::TAG_SEQUENCE, "AttributeTypeAndValue")
                .map_err(|e| plain(&e))?;
            let mut ar = Reader::new_ber(atv.value);
            let oid = asn1::read_oid(&mut ar, "attribute type").map_err(|e| plain(&e))?;
            let v = ar.read().map_err(|e| {
                format!(
                    "attribute {} has no readable value: {}",
                    attr_name(&oid),
                    plain(&e)
                )
            })?;
            ar.finish("AttributeTypeAndValue").map_err(|e| plain(&e))?;
            atvs.push(Atv {
                oid,
                tag: v.tag,
                value: v.value,
            });
        }
        if atvs.is_empty() {
            return Err("a RelativeDistinguishedName is an empty SET".to_string());
        }
        rdns.push(atvs);
    }
    Ok(Name { rdns })
}

/// DER SET OF ordering inside multi-valued RDNs.
fn set_order_problem(name: &Name<'_>) -> Option<String> {
    for rdn in &name.rdns {
        if rdn.len() < 2 {
            continue;
        }
        // Re-encode each ATV as it was (OID + value) to compare encodings.
        let enc: Vec<Vec<u8>> = rdn
            .iter()
            .map(|a| {
                let mut body = asn1::oid(&a.oid);
                body.extend(asn1::tlv(a.tag, a.value));
                asn1::tlv(asn1::TAG_SEQUENCE, &body)
            })
            .collect();
        if enc.windows(2).any(|w| w[0] > w[1]) {
            return Some("a multi-valued RDN is not sorted as DER requires for SET OF".to_string());
        }
    }
    None
}

fn parse_spki<'a>(t: &Tlv<'a>) -> std::result::Result<Spki<'a>, String> {
    let mut r = Reader::new_ber(t.value);
    let alg = r
        .read_expected(asn1::TAG_SEQUENCE, "algorithm")
        .map_err(|e| plain(&e))?;
    let key = r
        .read_expected(asn1::TAG_BIT_STRING, "subjectPublicKey")
        .map_err(|e| plain(&e))?;
    r.finish("subjectPublicKeyInfo").map_err(|e| plain(&e))?;
    let mut ar = Reader::new_ber(alg.value);
    let oid = match ar.read_expected(asn1::TAG_OID, "algorithm") {
        Ok(o) => asn1::parse_oid(o.value).ok(),
        Err(_) => None,
    };
    let params = if ar.is_empty() {
        None
    } else {
        ar.read().ok().map(|p| p.raw)
    };
    let (unused, bits) = match key.value.split_first() {
        Some((u, b)) => (*u, b),
        None => return Err("subjectPublicKey BIT STRING is empty".to_string()),
    };
    Ok(Spki {
        alg_raw: alg.raw,
        alg_oid: oid,
        params,
        key: bits,
        unused_bits: unused,
    })
}

fn read_extension<'a>(t: &Tlv<'a>, rules: Rules) -> std::result::Result<(Ext<'a>, bool), String> {
    if t.tag != asn1::TAG_SEQUENCE {
        return Err(format!("has tag 0x{:02X}, not SEQUENCE", t.tag));
    }
    let mut r = t.reader(rules);
    let oid = asn1::read_oid(&mut r, "extnID").map_err(|e| plain(&e))?;
    let mut critical = false;
    let mut explicit_false = false;
    if let Some(b) = r.read_optional(asn1::TAG_BOOLEAN).map_err(|e| plain(&e))? {
        match b.value {
            [0x00] => explicit_false = true,
            [_] => critical = true,
            _ => {
                return Err(format!(
                    "{}: critical is not a one-octet BOOLEAN",
                    crate::alg::describe_oid(&oid)
                ))
            }
        }
    }
    let v = r
        .read_expected(asn1::TAG_OCTET_STRING, "extnValue")
        .map_err(|e| format!("{}: {}", crate::alg::describe_oid(&oid), plain(&e)))?;
    r.finish("Extension")
        .map_err(|e| format!("{}: {}", crate::alg::describe_oid(&oid), plain(&e)))?;
    Ok((
        Ext {
            oid,
            critical,
            value: v.value,
        },
        explicit_false,
    ))
}

/// A readable name for an extension OID.
pub(crate) fn ext_name(o: &ObjectIdentifier) -> String {
    let known: &[(ObjectIdentifier, &str)] = &[
        (ext_oid::QC_STATEMENTS, "qcStatements"),
        (
            ext_oid::SUBJECT_DIRECTORY_ATTRIBUTES,
            "subjectDirectoryAttributes",
        ),
        (ext_oid::SUBJECT_INFO_ACCESS, "subjectInfoAccess"),
        (ext_oid::ADOBE_TIMESTAMP, "Adobe Time-stamp"),
        (ext_oid::ADOBE_ARCHIVE_REV_INFO, "Adobe ArchiveRevInfo"),
        (ext_oid::LEI, "Legal Entity Identifier"),
        (ext_oid::LEI_ROLE, "LEI role"),
        (ext_oid::CT_POISON, "CT precertificate poison"),
        (ext_oid::CT_SCT_LIST, "CT SCT list"),
    ];
    if let Some((_, n)) = known.iter().find(|(k, _)| k == o) {
        return (*n).to_string();
    }
    match oids::name(o) {
        Some(n) => n.to_string(),
        None => o.to_string(),
    }
}

/// A readable name for an attribute type.
pub(crate) fn attr_name(o: &ObjectIdentifier) -> String {
    if *o == attr_oid::POSTAL_CODE {
        return "postalCode".to_string();
    }
    if *o == attr_oid::DOMAIN_COMPONENT {
        return "domainComponent".to_string();
    }
    match oids::name(o) {
        Some("GN") => "givenName".to_string(),
        Some("SN") => "surname".to_string(),
        Some("C") => "countryName".to_string(),
        Some("CN") => "commonName".to_string(),
        Some("O") => "organizationName".to_string(),
        Some("OU") => "organizationalUnitName".to_string(),
        Some("L") => "localityName".to_string(),
        Some("ST") => "stateOrProvinceName".to_string(),
        Some("street") => "streetAddress".to_string(),
        Some(n) => n.to_string(),
        None => o.to_string(),
    }
}

/// Decodes the X.509 string types.
pub(crate) fn decode_string(tag: u8, v: &[u8]) -> Option<String> {
    match tag {
        asn1::TAG_UTF8_STRING => std::str::from_utf8(v).ok().map(str::to_string),
        asn1::TAG_PRINTABLE_STRING | asn1::TAG_IA5_STRING | 0x1A | 0x12 => {
            if v.is_ascii() {
                Some(String::from_utf8_lossy(v).into_owned())
            } else {
                None
            }
        }
        // TeletexString: treated as ISO 8859-1, as most software does.
        0x14 => Some(v.iter().map(|b| char::from(*b)).collect()),
        // BMPString: UTF-16BE.
        0x1E => {
            if v.len() % 2 != 0 {
                return None;
            }
            let units: Vec<u16> = v
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        // UniversalString: UTF-32BE.
        0x1C => {
            if v.len() % 4 != 0 {
                return None;
            }
            v.chunks_exact(4)
                .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
                .collect()
        }
        _ => None,
    }
}

/// One element filling `data`, with the given tag (DER).
pub(crate) fn single(data: &[u8], tag: u8) -> std::result::Result<Tlv<'_>, String> {
    let mut r = Reader::new(data);
    let t = r.read().map_err(|e| plain(&e))?;
    if t.tag != tag {
        return Err(format!("expected tag 0x{tag:02X}, found 0x{:02X}", t.tag));
    }
    r.finish("the value").map_err(|e| plain(&e))?;
    der_walk(t.raw, 0)?;
    Ok(t)
}

fn single_any(data: &[u8]) -> std::result::Result<Tlv<'_>, String> {
    let mut r = Reader::new(data);
    let t = r.read().map_err(|e| plain(&e))?;
    r.finish("the value").map_err(|e| plain(&e))?;
    der_walk(t.raw, 0)?;
    Ok(t)
}

fn decode_key_usage(
    v: &[u8],
    notes: &mut Vec<String>,
) -> std::result::Result<KeyUsageValue, String> {
    let t = single(v, asn1::TAG_BIT_STRING)?;
    let (&unused, bytes) = t
        .value
        .split_first()
        .ok_or_else(|| "the BIT STRING is empty".to_string())?;
    let mut bits = 0u32;
    for (i, b) in bytes.iter().enumerate() {
        for j in 0..8 {
            if b & (0x80 >> j) != 0 {
                bits |= 1 << (i * 8 + j);
            }
        }
    }
    if bits >> 9 != 0 {
        return Err("bits beyond decipherOnly are set".to_string());
    }
    // X.690 §11.2.2: a named bit list has its trailing zero bits removed.
    let total = (bytes.len() * 8).saturating_sub(usize::from(unused));
    let last_set = if bits == 0 {
        0
    } else {
        32 - bits.leading_zeros() as usize
    };
    if total != last_set {
        notes.push(format!(
            "the named bit list has {} trailing zero bit(s); DER removes them (X.690 §11.2.2)",
            total.saturating_sub(last_set)
        ));
    }
    Ok(KeyUsageValue { bits: bits as u16 })
}

fn decode_eku(v: &[u8]) -> std::result::Result<Vec<ObjectIdentifier>, String> {
    let t = single(v, asn1::TAG_SEQUENCE)?;
    let mut r = t.reader(Rules::Der);
    let mut out = Vec::new();
    while !r.is_empty() {
        out.push(asn1::read_oid(&mut r, "KeyPurposeId").map_err(|e| plain(&e))?);
    }
    if out.is_empty() {
        return Err("no KeyPurposeId is listed".to_string());
    }
    Ok(out)
}

fn decode_bc(v: &[u8], notes: &mut Vec<String>) -> std::result::Result<BasicConstraints, String> {
    let t = single(v, asn1::TAG_SEQUENCE)?;
    let mut r = t.reader(Rules::Der);
    let mut ca = false;
    if let Some(b) = r.read_optional(asn1::TAG_BOOLEAN).map_err(|e| plain(&e))? {
        ca = b.value != [0x00];
        if !ca {
            notes.push("cA is encoded as FALSE, but DER omits DEFAULT values".to_string());
        }
    }
    let path_len = match r.read_optional(asn1::TAG_INTEGER).map_err(|e| plain(&e))? {
        Some(i) => Some(asn1::parse_small_uint(i.value).map_err(|e| plain(&e))?),
        None => None,
    };
    r.finish("BasicConstraints").map_err(|e| plain(&e))?;
    Ok(BasicConstraints { ca, path_len })
}

/// The elements of a GeneralNames SEQUENCE (contents given).
pub(crate) fn general_names(content: &[u8]) -> std::result::Result<Vec<GeneralName<'_>>, String> {
    let mut r = Reader::new(content);
    let mut out = Vec::new();
    while !r.is_empty() {
        let gn = r.read().map_err(|e| plain(&e))?;
        out.push(general_name(&gn)?);
    }
    Ok(out)
}

fn general_name<'a>(gn: &Tlv<'a>) -> std::result::Result<GeneralName<'a>, String> {
    Ok(match gn.tag {
        0xA0 => {
            let mut r = gn.reader(Rules::Der);
            let type_id = asn1::read_oid(&mut r, "otherName type-id").map_err(|e| plain(&e))?;
            let v = r
                .read_expected(0xA0, "otherName value")
                .map_err(|e| plain(&e))?;
            r.finish("otherName").map_err(|e| plain(&e))?;
            let mut ir = v.reader(Rules::Der);
            let inner = ir.read().map_err(|e| plain(&e))?;
            ir.finish("otherName value").map_err(|e| plain(&e))?;
            GeneralName::OtherName {
                type_id,
                value: inner,
            }
        }
        0x81 => GeneralName::Rfc822(gn.value),
        0x82 => GeneralName::Dns(gn.value),
        0xA3 => GeneralName::X400,
        0xA4 => {
            let mut r = gn.reader(Rules::Der);
            let n = r
                .read_expected(asn1::TAG_SEQUENCE, "directoryName")
                .map_err(|e| plain(&e))?;
            r.finish("directoryName").map_err(|e| plain(&e))?;
            GeneralName::Directory(parse_name(n.raw)?)
        }
        0xA5 => GeneralName::EdiParty,
        0x86 => GeneralName::Uri(gn.value),
        0x87 => GeneralName::Ip(gn.value),
        0x88 => GeneralName::RegisteredId,
        t => return Err(format!("a GeneralName has the unknown tag 0x{t:02X}")),
    })
}

fn decode_policies(v: &[u8]) -> std::result::Result<Vec<PolicyInfo>, String> {
    let t = single(v, asn1::TAG_SEQUENCE)?;
    let mut r = t.reader(Rules::Der);
    let mut out = Vec::new();
    while !r.is_empty() {
        let pi = r
            .read_expected(asn1::TAG_SEQUENCE, "PolicyInformation")
            .map_err(|e| plain(&e))?;
        let mut pr = pi.reader(Rules::Der);
        let oid = asn1::read_oid(&mut pr, "policyIdentifier").map_err(|e| plain(&e))?;
        let mut qualifiers = Vec::new();
        if let Some(qs) = pr
            .read_optional(asn1::TAG_SEQUENCE)
            .map_err(|e| plain(&e))?
        {
            let mut qr = qs.reader(Rules::Der);
            if qr.is_empty() {
                return Err("policyQualifiers is an empty SEQUENCE".to_string());
            }
            while !qr.is_empty() {
                let q = qr
                    .read_expected(asn1::TAG_SEQUENCE, "PolicyQualifierInfo")
                    .map_err(|e| plain(&e))?;
                let mut r2 = q.reader(Rules::Der);
                let qid = asn1::read_oid(&mut r2, "policyQualifierId").map_err(|e| plain(&e))?;
                let val = r2.read().map_err(|e| plain(&e))?;
                r2.finish("PolicyQualifierInfo").map_err(|e| plain(&e))?;
                if qid == ext_oid::QT_CPS {
                    qualifiers.push(Qualifier::Cps(
                        if val.tag == asn1::TAG_IA5_STRING && val.value.is_ascii() {
                            Ok(String::from_utf8_lossy(val.value).into_owned())
                        } else {
                            Err(format!(
                                "the CPS pointer is not an IA5String (tag 0x{:02X})",
                                val.tag
                            ))
                        },
                    ));
                } else if qid == ext_oid::QT_UNOTICE {
                    if val.tag != asn1::TAG_SEQUENCE {
                        return Err("a UserNotice is not a SEQUENCE".to_string());
                    }
                    let mut ur = val.reader(Rules::Der);
                    let has_notice_ref = ur
                        .read_optional(asn1::TAG_SEQUENCE)
                        .map_err(|e| plain(&e))?
                        .is_some();
                    let explicit_text = if ur.is_empty() {
                        None
                    } else {
                        let e = ur.read().map_err(|e| plain(&e))?;
                        if !matches!(e.tag, 0x16 | 0x1A | 0x1E | 0x0C) {
                            return Err(format!(
                                "explicitText has tag 0x{:02X}, which is not a DisplayText type",
                                e.tag
                            ));
                        }
                        Some((e.tag, decode_string(e.tag, e.value)))
                    };
                    ur.finish("UserNotice").map_err(|e| plain(&e))?;
                    qualifiers.push(Qualifier::UserNotice {
                        has_notice_ref,
                        explicit_text,
                    });
                } else {
                    qualifiers.push(Qualifier::Other);
                }
            }
        }
        pr.finish("PolicyInformation").map_err(|e| plain(&e))?;
        out.push(PolicyInfo { oid, qualifiers });
    }
    if out.is_empty() {
        return Err("no PolicyInformation is listed".to_string());
    }
    Ok(out)
}

fn decode_crldp(v: &[u8]) -> std::result::Result<Vec<DistributionPoint<'_>>, String> {
    let t = single(v, asn1::TAG_SEQUENCE)?;
    let mut r = t.reader(Rules::Der);
    let mut out = Vec::new();
    while !r.is_empty() {
        let dp = r
            .read_expected(asn1::TAG_SEQUENCE, "DistributionPoint")
            .map_err(|e| plain(&e))?;
        let mut dr = dp.reader(Rules::Der);
        let mut point = DistributionPoint {
            full_name: None,
            has_name: false,
            has_crl_issuer: false,
        };
        if let Some(n) = dr.read_optional(0xA0).map_err(|e| plain(&e))? {
            point.has_name = true;
            let mut nr = n.reader(Rules::Der);
            let choice = nr.read().map_err(|e| plain(&e))?;
            nr.finish("distributionPoint").map_err(|e| plain(&e))?;
            match choice.tag {
                0xA0 => point.full_name = Some(general_names(choice.value)?),
                0xA1 => {}
                other => {
                    return Err(format!(
                        "DistributionPointName has the unknown tag 0x{other:02X}"
                    ))
                }
            }
        }
        dr.read_optional(0x81).map_err(|e| plain(&e))?;
        if let Some(i) = dr.read_optional(0xA2).map_err(|e| plain(&e))? {
            general_names(i.value)?;
            point.has_crl_issuer = true;
        }
        dr.finish("DistributionPoint").map_err(|e| plain(&e))?;
        out.push(point);
    }
    if out.is_empty() {
        return Err("no DistributionPoint is listed".to_string());
    }
    Ok(out)
}

fn decode_aia(v: &[u8]) -> std::result::Result<Vec<AccessDescription<'_>>, String> {
    let t = single(v, asn1::TAG_SEQUENCE)?;
    let mut r = t.reader(Rules::Der);
    let mut out = Vec::new();
    while !r.is_empty() {
        let ad = r
            .read_expected(asn1::TAG_SEQUENCE, "AccessDescription")
            .map_err(|e| plain(&e))?;
        let mut ar = ad.reader(Rules::Der);
        let method = asn1::read_oid(&mut ar, "accessMethod").map_err(|e| plain(&e))?;
        let loc = ar.read().map_err(|e| plain(&e))?;
        ar.finish("AccessDescription").map_err(|e| plain(&e))?;
        out.push(AccessDescription {
            method,
            location: general_name(&loc)?,
        });
    }
    if out.is_empty() {
        return Err("no AccessDescription is listed".to_string());
    }
    Ok(out)
}

fn decode_aki(v: &[u8]) -> std::result::Result<AuthorityKeyId<'_>, String> {
    let t = single(v, asn1::TAG_SEQUENCE)?;
    let mut r = t.reader(Rules::Der);
    let key_id = r
        .read_optional(0x80)
        .map_err(|e| plain(&e))?
        .map(|k| k.value);
    let issuer = r.read_optional(0xA1).map_err(|e| plain(&e))?;
    if let Some(i) = &issuer {
        general_names(i.value)?;
    }
    let serial = r.read_optional(0x82).map_err(|e| plain(&e))?;
    r.finish("AuthorityKeyIdentifier").map_err(|e| plain(&e))?;
    Ok(AuthorityKeyId {
        key_id,
        has_issuer: issuer.is_some(),
        has_serial: serial.is_some(),
    })
}

fn decode_adobe_timestamp<'a>(
    v: &'a [u8],
    notes: &mut Vec<String>,
) -> std::result::Result<AdobeTimestamp<'a>, String> {
    let t = single(v, asn1::TAG_SEQUENCE)?;
    let mut r = t.reader(Rules::Der);
    r.read_expected(asn1::TAG_INTEGER, "version")
        .map_err(|e| plain(&e))?;
    let loc = r.read().map_err(|e| plain(&e))?;
    let location = general_name(&loc)?;
    if let Some(b) = r.read_optional(asn1::TAG_BOOLEAN).map_err(|e| plain(&e))? {
        if b.value == [0x00] {
            notes.push("requiresAuth is encoded as FALSE, but DER omits DEFAULT values".into());
        }
    }
    r.finish("Adobe Time-stamp").map_err(|e| plain(&e))?;
    Ok(AdobeTimestamp { location })
}

fn decode_name_constraints(v: &[u8]) -> std::result::Result<NameConstraints<'_>, String> {
    let t = single(v, asn1::TAG_SEQUENCE)?;
    let mut r = t.reader(Rules::Der);
    let mut nc = NameConstraints {
        permitted: Vec::new(),
        has_permitted: false,
        has_excluded: false,
    };
    for (tag, permitted) in [(0xA0u8, true), (0xA1u8, false)] {
        if let Some(subtrees) = r.read_optional(tag).map_err(|e| plain(&e))? {
            let mut sr = subtrees.reader(Rules::Der);
            while !sr.is_empty() {
                let st = sr
                    .read_expected(asn1::TAG_SEQUENCE, "GeneralSubtree")
                    .map_err(|e| plain(&e))?;
                let mut gr = st.reader(Rules::Der);
                let base = gr.read().map_err(|e| plain(&e))?;
                let gn = general_name(&base)?;
                if permitted {
                    nc.permitted.push(gn);
                }
            }
            if permitted {
                nc.has_permitted = true;
            } else {
                nc.has_excluded = true;
            }
        }
    }
    r.finish("NameConstraints").map_err(|e| plain(&e))?;
    Ok(nc)
}

fn decode_seq_of_seq_with_oid(v: &[u8]) -> std::result::Result<(), String> {
    let t = single(v, asn1::TAG_SEQUENCE)?;
    let mut r = t.reader(Rules::Der);
    while !r.is_empty() {
        let s = r
            .read_expected(asn1::TAG_SEQUENCE, "element")
            .map_err(|e| plain(&e))?;
        let mut sr = s.reader(Rules::Der);
        asn1::read_oid(&mut sr, "element type").map_err(|e| plain(&e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_follow_rfc5280_and_report_deviations() {
        let t = parse_time(0x17, b"250715000000Z");
        assert_eq!(t.unix, Some(1_752_537_600));
        assert!(t.problem.is_none());
        let t = parse_time(0x17, b"2507150000Z");
        assert_eq!(t.unix, Some(1_752_537_600));
        assert!(t.problem.unwrap().contains("no seconds"));
        let t = parse_time(0x18, b"20250715000000Z");
        assert!(t.problem.unwrap().contains("before 2050"));
        let t = parse_time(0x18, b"20500101000000Z");
        assert!(t.problem.is_none());
        let t = parse_time(0x17, b"250231000000Z");
        assert!(t.unix.is_none());
        let t = parse_time(0x17, b"250715000000+0100");
        assert_eq!(t.unix, Some(1_752_537_600 - 3600));
        assert!(t.problem.is_some());
        assert!(parse_time(0x04, b"x").problem.is_some());
    }

    #[test]
    fn der_walk_finds_non_der() {
        assert!(der_walk(&[0x30, 0x03, 0x01, 0x01, 0xFF], 0).is_ok());
        assert!(der_walk(&[0x30, 0x03, 0x01, 0x01, 0x01], 0).is_err());
        assert!(der_walk(&[0x30, 0x81, 0x03, 0x01, 0x01, 0xFF], 0).is_err());
        assert!(der_walk(&[0x30, 0x04, 0x02, 0x02, 0x00, 0x01], 0).is_err());
        assert!(der_walk(&[0x24, 0x03, 0x04, 0x01, 0x00], 0).is_err());
    }

    #[test]
    fn strings_decode_by_type() {
        assert_eq!(decode_string(0x0C, "é".as_bytes()).unwrap(), "é");
        assert_eq!(decode_string(0x1E, &[0x00, 0x41]).unwrap(), "A");
        assert_eq!(decode_string(0x14, &[0xE9]).unwrap(), "é");
        assert!(decode_string(0x16, &[0xE9]).is_none());
        assert!(decode_string(0x02, &[0x01]).is_none());
    }
}
