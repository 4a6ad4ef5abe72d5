//! Header protection for cryptographically protected e-mail (RFC 9788).
//!
//! Sending ([`protect_headers`]): the header fields of the message are copied into the
//! header section of the *Cryptographic Payload* (the entity inside the signature and/or
//! encryption), whose `Content-Type` gains `hp="clear"` (signed only) or `hp="cipher"`
//! (encrypted). When encrypting, the outer header section follows the baseline Header
//! Confidentiality Policy (RFC 9788 §3.2, `hcp_baseline`): `Subject` becomes `[...]`,
//! `Keywords` and `Comments` are removed, everything else stays (delivery and threading need
//! it); one `HP-Outer` field per remaining outer field records what the outside showed, so the
//! receiver can tell a field changed in transit from one the sender chose to hide.
//!
//! Receiving ([`analyze`]): the payload's `hp` parameter (or the older
//! `protected-headers="v1"` of draft-autocrypt-lamps-protected-headers, or an S/MIME 3.1
//! `message/rfc822` wrapper) marks protected headers; each user-facing field is compared with
//! the outer one and classified ([`FieldStatus`]).
//!
//! Fields never copied inward: trace and transport fields (`Received`, `Return-Path`,
//! `DKIM-Signature`, `ARC-*`, `Authentication-Results`, `Delivered-To`, `X-Original-To`),
//! structural fields (`Content-*`, `MIME-Version`) and `Bcc` (copying it would show the blind
//! copies to every recipient).

use super::fields::{
    is_content_field_name, parse_address_list, same_mailbox, Field, HeaderSection,
};
use super::ContentType;

/// The obscured Subject of `hcp_baseline`.
pub const OBSCURED_SUBJECT: &str = "[...]";

/// The user-facing header fields compared on receipt (RFC 9787 §1.1.2 and RFC 5322 §3.6).
pub const USER_FACING: [&str; 12] = [
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "keywords",
    "comments",
];

const ADDRESS_FIELDS: [&str; 5] = ["from", "sender", "reply-to", "to", "cc"];

/// Whether a header field stays out of the protected header section.
pub fn is_unprotected(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    is_content_field_name(&n)
        || n.starts_with("arc-")
        || matches!(
            n.as_str(),
            "received"
                | "return-path"
                | "dkim-signature"
                | "authentication-results"
                | "delivered-to"
                | "x-original-to"
                | "bcc"
                | "hp-outer"
        )
}

/// `hcp_baseline` (RFC 9788 §3.2.1): the outer value of a field of an encrypted message, or
/// `None` to leave it out.
pub fn hcp_baseline(name: &str, value: &[u8]) -> Option<Vec<u8>> {
    match name.to_ascii_lowercase().as_str() {
        "subject" => Some(format!(" {OBSCURED_SUBJECT}").into_bytes()),
        "keywords" | "comments" => None,
        _ => Some(value.to_vec()),
    }
}

/// The header sections of an outgoing protected message.
#[derive(Clone, Debug, Default)]
pub struct Outgoing {
    /// Fields to add to the Cryptographic Payload's header section (copies, then `HP-Outer`).
    pub inner: Vec<Field>,
    /// The outer (message) header section.
    pub outer: HeaderSection,
    /// `clear` or `cipher`.
    pub hp: &'static str,
    /// Outer fields the policy changed or removed, in words.
    pub obscured: Vec<String>,
}

/// Builds the protected and the outer header sections from the message's own (non-content)
/// fields. `encrypted` selects `hp="cipher"` and the confidentiality policy.
pub fn protect_headers(message: &HeaderSection, encrypted: bool) -> Outgoing {
    let mut out = Outgoing {
        hp: if encrypted { "cipher" } else { "clear" },
        ..Outgoing::default()
    };
    for f in &message.fields {
        if f.is_content_field() {
            continue;
        }
        if !is_unprotected(f.name()) {
            out.inner.push(f.clone());
        }
        if !encrypted {
            out.outer.fields.push(f.clone());
            continue;
        }
        match hcp_baseline(f.name(), f.raw_value()) {
            Some(v) if v == f.raw_value() => out.outer.fields.push(f.clone()),
            Some(v) => {
                let mut raw = f.name().as_bytes().to_vec();
                raw.push(b':');
                raw.extend_from_slice(&v);
                if let Ok(nf) = Field::from_raw(&raw) {
                    out.obscured
                        .push(format!("{} replaced by '{}'", f.name(), nf.value()));
                    out.outer.fields.push(nf);
                }
            }
            None => out.obscured.push(format!("{} removed", f.name())),
        }
    }
    if encrypted {
        let outer_copies: Vec<Field> = out
            .outer
            .fields
            .iter()
            .filter(|f| !is_unprotected(f.name()))
            .filter_map(|f| {
                let mut raw = b"HP-Outer: ".to_vec();
                raw.extend_from_slice(f.raw());
                Field::from_raw(&raw).ok()
            })
            .collect();
        out.inner.extend(outer_copies);
    }
    out
}

/// Adds `hp="<value>"` to a Content-Type field (replacing nothing: callers start from a
/// field without one).
pub fn with_hp(content_type: &Field, hp: &str) -> Field {
    let mut raw = content_type.raw().to_vec();
    raw.extend_from_slice(format!("; hp=\"{hp}\"").as_bytes());
    Field::from_raw(&raw).unwrap_or_else(|_| content_type.clone())
}

/// How the incoming message protects its headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// RFC 9788 `hp="clear"` or `hp="cipher"`.
    Rfc9788 { hp: String },
    /// `protected-headers="v1"` (draft-autocrypt-lamps-protected-headers, the precursor).
    DraftV1,
    /// S/MIME 3.1 (RFC 8551 §3.1): the whole message wrapped as `message/rfc822`.
    WrappedMessage,
}

impl Scheme {
    pub fn describe(&self) -> String {
        match self {
            Scheme::Rfc9788 { hp } => format!("RFC 9788 (hp=\"{hp}\")"),
            Scheme::DraftV1 => "protected-headers=\"v1\" (pre-RFC 9788 draft)".into(),
            Scheme::WrappedMessage => "S/MIME 3.1 wrapped message/rfc822".into(),
        }
    }
}

/// How one user-facing field compares inside and outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldStatus {
    /// Protected and outer values agree.
    Same,
    /// The sender showed a different outer value on purpose (recorded in `HP-Outer`, or the
    /// conventional obscured Subject).
    Obscured,
    /// Protected only: the sender left it out of the outer header (confidential), or it was
    /// stripped in transit from a signed-only message.
    ProtectedOnly,
    /// Outer only: the field is not protected (added outside the signature or encryption).
    Unprotected,
    /// Protected and outer values disagree and the sender did not record the outer value: the
    /// outer field was changed after sending, or forged.
    Differs,
}

impl FieldStatus {
    pub fn describe(self) -> &'static str {
        match self {
            FieldStatus::Same => "same inside and outside",
            FieldStatus::Obscured => "obscured by the sender in the outer header",
            FieldStatus::ProtectedOnly => "only in the protected header",
            FieldStatus::Unprotected => "NOT protected (outer header only)",
            FieldStatus::Differs => "DIFFERS from the protected value",
        }
    }

    /// Whether this is a disagreement worth a warning.
    pub fn is_disagreement(self) -> bool {
        matches!(self, FieldStatus::Differs | FieldStatus::Unprotected)
    }
}

/// One user-facing field, compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldCheck {
    /// Lower-case field name.
    pub name: String,
    pub protected: Option<String>,
    pub outer: Option<String>,
    pub status: FieldStatus,
}

/// What [`analyze`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub scheme: Scheme,
    /// The protected user-facing fields, in the order they appear (name as written, value).
    pub protected: Vec<(String, String)>,
    pub fields: Vec<FieldCheck>,
    /// A Legacy Display Element (RFC 9788 §2.2.2) or a draft-style legacy display part was
    /// found in the payload.
    pub legacy_display: bool,
    /// Remarks in words (e.g. `hp="cipher"` on a message that was not encrypted).
    pub notes: Vec<String>,
}

impl Report {
    /// The fields whose outer value disagrees with the protected one or is unprotected.
    pub fn disagreements(&self) -> impl Iterator<Item = &FieldCheck> {
        self.fields.iter().filter(|f| f.status.is_disagreement())
    }
}

/// The header-protection scheme the payload's Content-Type announces, if any.
pub fn scheme_of(payload: &HeaderSection) -> Option<Scheme> {
    let ct = ContentType::parse(&payload.value("content-type")?);
    if let Some(hp) = ct.param("hp") {
        return Some(Scheme::Rfc9788 {
            hp: hp.to_ascii_lowercase(),
        });
    }
    if ct.param("protected-headers").is_some() {
        return Some(Scheme::DraftV1);
    }
    None
}

fn normalise(name: &str, value: &str) -> String {
    if ADDRESS_FIELDS.contains(&name) {
        let mut a: Vec<String> = parse_address_list(value)
            .into_iter()
            .map(|x| x.to_ascii_lowercase())
            .collect();
        a.sort();
        a.dedup();
        if !a.is_empty() {
            return a.join(",");
        }
    }
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn same_value(name: &str, a: &str, b: &str) -> bool {
    if ADDRESS_FIELDS.contains(&name) {
        let la = parse_address_list(a);
        let lb = parse_address_list(b);
        if !la.is_empty() || !lb.is_empty() {
            return la.len() == lb.len()
                && la.iter().all(|x| lb.iter().any(|y| same_mailbox(x, y)));
        }
    }
    normalise(name, a) == normalise(name, b)
}

fn is_obscured_subject(v: &str) -> bool {
    matches!(v.trim(), "[...]" | "..." | "Encrypted Message" | "")
}

/// Compares the payload's protected header fields with the outer ones. `encrypted` says
/// whether an encryption layer was opened on the way to the payload; `legacy_display`
/// whether one was seen in the payload body.
pub fn analyze(
    outer: &HeaderSection,
    payload: &HeaderSection,
    scheme: Scheme,
    encrypted: bool,
    legacy_display: bool,
) -> Report {
    let mut notes = Vec::new();
    let cipher = matches!(&scheme, Scheme::Rfc9788 { hp } if hp == "cipher");
    if let Scheme::Rfc9788 { hp } = &scheme {
        if hp != "cipher" && hp != "clear" {
            notes.push(format!(
                "unknown hp value \"{hp}\" (RFC 9788 defines \"clear\" and \"cipher\")"
            ));
        }
        if cipher && !encrypted {
            notes.push(
                "hp=\"cipher\" on a message that was not encrypted: the claimed confidentiality did not hold"
                    .into(),
            );
        }
    }
    // HP-Outer values: what the sender put in the outer header (hp="cipher" only).
    let hp_outer: Vec<(String, String)> = payload
        .all("hp-outer")
        .filter_map(|f| {
            let v = f.value();
            let (n, val) = v.split_once(':')?;
            Some((n.trim().to_ascii_lowercase(), val.trim().to_string()))
        })
        .collect();
    let protected: Vec<(String, String)> = payload
        .fields
        .iter()
        .filter(|f| USER_FACING.iter().any(|u| f.is(u)))
        .map(|f| (f.name().to_string(), f.value()))
        .collect();
    let mut fields = Vec::new();
    for name in USER_FACING {
        let p = payload.value(name);
        let o = outer.value(name);
        if p.is_none() && o.is_none() {
            continue;
        }
        let status = if cipher {
            let expected: Option<&String> =
                hp_outer.iter().find(|(n, _)| n == name).map(|(_, v)| v);
            match (&p, &o, expected) {
                (_, Some(o), Some(e)) if same_value(name, o, e) => match &p {
                    Some(p) if same_value(name, p, o) => FieldStatus::Same,
                    Some(_) => FieldStatus::Obscured,
                    None => FieldStatus::Unprotected,
                },
                (Some(_), None, None) => FieldStatus::ProtectedOnly,
                (None, Some(_), None) => FieldStatus::Unprotected,
                _ => FieldStatus::Differs,
            }
        } else {
            match (&p, &o) {
                (Some(p), Some(o)) if same_value(name, p, o) => FieldStatus::Same,
                (Some(_), Some(o)) if name == "subject" && encrypted && is_obscured_subject(o) => {
                    FieldStatus::Obscured
                }
                (Some(_), Some(_)) => FieldStatus::Differs,
                (Some(_), None) => FieldStatus::ProtectedOnly,
                (None, Some(_)) => FieldStatus::Unprotected,
                (None, None) => continue,
            }
        };
        fields.push(FieldCheck {
            name: name.to_string(),
            protected: p,
            outer: o,
            status,
        });
    }
    Report {
        scheme,
        protected,
        fields,
        legacy_display,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(text: &str) -> HeaderSection {
        HeaderSection::parse(text.as_bytes()).unwrap().0
    }

    const MSG: &str = "From: Alice <alice@example.com>\r\nTo: bob@example.com\r\nBcc: secret@example.com\r\nSubject: The FooCorp contract\r\nKeywords: deal\r\nDate: Mon, 1 Jun 2026 10:00:00 +0000\r\nMessage-ID: <1@example.com>\r\nReceived: from x by y\r\nContent-Type: text/plain\r\n\r\n";

    #[test]
    fn encrypted_outgoing_obscures_subject_and_records_hp_outer() {
        let out = protect_headers(&section(MSG), true);
        assert_eq!(out.hp, "cipher");
        let outer = String::from_utf8(out.outer.to_bytes()).unwrap();
        assert!(outer.contains("Subject: [...]\r\n"), "{outer}");
        assert!(!outer.contains("Keywords"), "{outer}");
        assert!(!outer.contains("Content-Type"), "{outer}");
        assert!(outer.contains("Bcc: secret@example.com"), "{outer}");
        let inner: Vec<String> = out
            .inner
            .iter()
            .map(|f| String::from_utf8_lossy(f.raw()).into_owned())
            .collect();
        assert!(
            inner.contains(&"Subject: The FooCorp contract".to_string()),
            "{inner:?}"
        );
        assert!(
            inner.contains(&"HP-Outer: Subject: [...]".to_string()),
            "{inner:?}"
        );
        assert!(
            inner.contains(&"HP-Outer: From: Alice <alice@example.com>".to_string()),
            "{inner:?}"
        );
        assert!(
            !inner
                .iter()
                .any(|f| f.contains("Bcc") || f.contains("Received")),
            "{inner:?}"
        );
        assert!(
            !inner.iter().any(|f| f.starts_with("HP-Outer: Keywords")),
            "{inner:?}"
        );
        assert_eq!(out.obscured.len(), 2, "{:?}", out.obscured);
    }

    #[test]
    fn round_trip_analysis_and_tampering() {
        let out = protect_headers(&section(MSG), true);
        let mut payload = HeaderSection::default();
        payload
            .fields
            .push(with_hp(&Field::new("Content-Type", "text/plain"), out.hp));
        payload.fields.extend(out.inner.clone());
        let scheme = scheme_of(&payload).unwrap();
        assert_eq!(
            scheme,
            Scheme::Rfc9788 {
                hp: "cipher".into()
            }
        );
        let r = analyze(&out.outer, &payload, scheme.clone(), true, false);
        assert_eq!(r.disagreements().count(), 0, "{r:#?}");
        let subject = r.fields.iter().find(|f| f.name == "subject").unwrap();
        assert_eq!(subject.status, FieldStatus::Obscured);
        let kw = r.fields.iter().find(|f| f.name == "keywords").unwrap();
        assert_eq!(kw.status, FieldStatus::ProtectedOnly);

        // Someone changes the outer From and adds a Cc in transit.
        let mut tampered = out.outer.clone();
        tampered.remove("from");
        tampered
            .fields
            .push(Field::new("From", "mallory@example.net"));
        tampered.fields.push(Field::new("Cc", "eve@example.net"));
        let r = analyze(&tampered, &payload, scheme, true, false);
        let bad: Vec<&str> = r.disagreements().map(|f| f.name.as_str()).collect();
        assert_eq!(bad, ["from", "cc"], "{r:#?}");
        assert_eq!(r.fields[0].status, FieldStatus::Differs);
    }

    #[test]
    fn signed_only_comparison_and_notes() {
        let out = protect_headers(&section(MSG), false);
        assert_eq!(out.hp, "clear");
        assert!(out.obscured.is_empty());
        assert!(!out.inner.iter().any(|f| f.is("hp-outer")));
        let mut payload = HeaderSection::default();
        payload
            .fields
            .push(with_hp(&Field::new("Content-Type", "text/plain"), "cipher"));
        payload.fields.extend(out.inner);
        let scheme = scheme_of(&payload).unwrap();
        let r = analyze(&out.outer, &payload, scheme, false, false);
        assert!(r.notes[0].contains("not encrypted"), "{:?}", r.notes);
        // The display-name-only difference in From is not a disagreement.
        let mut outer = out.outer.clone();
        outer.remove("from");
        outer
            .fields
            .push(Field::new("From", "\"A. Lovelace\" <ALICE@example.com>"));
        let payload2 = {
            let mut p = payload.clone();
            p.fields[0] = with_hp(&Field::new("Content-Type", "text/plain"), "clear");
            p
        };
        let r = analyze(
            &outer,
            &payload2,
            scheme_of(&payload2).unwrap(),
            false,
            false,
        );
        assert_eq!(r.disagreements().count(), 0, "{r:#?}");
    }
}
