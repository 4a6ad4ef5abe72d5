//! Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)–(c), §6.1.4 (g)) for the name forms an
//! S/MIME path carries: rfc822Name (also applied to SmtpUTF8Mailbox, RFC 9598 §6, and to
//! emailAddress attributes of the subject, RFC 5280 §4.2.1.10), directoryName, dNSName,
//! uniformResourceIdentifier (by host) and iPAddress.
//!
//! The permitted state is kept as the list of permittedSubtrees extensions met so far (a
//! name must be inside at least one subtree of its form in *each* of them, which is the
//! intersection §6.1.4 (g) asks for), the excluded state as their union. A constraint of a
//! form pqsmime cannot compare (x400Address, ediPartyName, registeredID, otherName other
//! than SmtpUTF8Mailbox) makes a certificate fail only when it has a name of that form.
//!
//! Mailbox comparison: a constraint with `@` matches that mailbox (local part exactly, domain
//! ignoring ASCII case); `host` matches mailboxes at that host; `.example.com` matches
//! mailboxes at any host below example.com (RFC 5280 §4.2.1.10).

use super::ext::{self, GeneralName};
use super::name::name_within;
use super::Certificate;
use crate::error::{Error, Result};
use crate::oids;

fn who(c: &Certificate) -> String {
    c.subject_string()
}

/// One nameConstraints subtree list and the certificate it came from.
struct Set {
    by: String,
    names: Vec<Owned>,
}

/// An owned constraint base (the state outlives the certificates' borrow only in name).
#[derive(Clone, Debug)]
enum Owned {
    Rfc822(String),
    Dns(String),
    Directory(Vec<u8>),
    Uri(String),
    Ip(Vec<u8>),
    /// A form pqsmime does not compare: (form name, otherName type if any).
    Other(&'static str, Option<const_oid::ObjectIdentifier>),
}

impl Owned {
    fn from(g: &GeneralName<'_>) -> Owned {
        match g {
            GeneralName::Rfc822(s) => Owned::Rfc822(s.to_string()),
            GeneralName::Dns(s) => Owned::Dns(s.to_string()),
            GeneralName::Directory(d) => Owned::Directory(d.to_vec()),
            GeneralName::Uri(s) => Owned::Uri(s.to_string()),
            GeneralName::Ip(b) => Owned::Ip(b.to_vec()),
            GeneralName::OtherName { type_id, .. } => Owned::Other("otherName", Some(*type_id)),
            other => Owned::Other(other.kind(), None),
        }
    }

    fn text(&self) -> String {
        match self {
            Owned::Rfc822(s) | Owned::Dns(s) | Owned::Uri(s) => s.clone(),
            Owned::Directory(d) => super::name::parse_name(d, "name")
                .map(|r| super::name::name_to_string(&r))
                .unwrap_or_else(|_| "(unreadable name)".into()),
            Owned::Ip(b) => format!("{b:02X?}"),
            Owned::Other(k, _) => k.to_string(),
        }
    }
}

/// A name of the certificate being checked.
enum Subject<'a> {
    Mailbox(&'a str),
    /// A SmtpUTF8Mailbox otherName (RFC 9598): compared with rfc822Name constraints.
    Utf8Mailbox(&'a str),
    Dns(&'a str),
    Directory(&'a [u8]),
    Uri(&'a str),
    Ip(&'a [u8]),
    Other(&'static str, Option<const_oid::ObjectIdentifier>),
}

impl Subject<'_> {
    fn describe(&self) -> String {
        match self {
            Subject::Mailbox(s) | Subject::Utf8Mailbox(s) => format!("mailbox '{s}'"),
            Subject::Dns(s) => format!("dNSName '{s}'"),
            Subject::Directory(d) => format!(
                "directoryName '{}'",
                super::name::parse_name(d, "name")
                    .map(|r| super::name::name_to_string(&r))
                    .unwrap_or_default()
            ),
            Subject::Uri(s) => format!("URI '{s}'"),
            Subject::Ip(b) => format!("iPAddress {b:02X?}"),
            Subject::Other(k, _) => format!("{k} name"),
        }
    }

    /// `Some(result)` when `c` is of the same form; `Err` when the form matches but the name
    /// cannot be compared (malformed or unsupported form).
    fn matches(&self, c: &Owned) -> Option<std::result::Result<bool, String>> {
        match (self, c) {
            (Subject::Mailbox(m) | Subject::Utf8Mailbox(m), Owned::Rfc822(base)) => {
                Some(mailbox_within(m, base))
            }
            (Subject::Utf8Mailbox(_), Owned::Other("otherName", Some(t)))
                if *t == oids::ON_SMTP_UTF8_MAILBOX =>
            {
                Some(Err(
                    "SmtpUTF8Mailbox-form name constraints are not compared; RFC 9598 §6 expresses them as rfc822Name".into(),
                ))
            }
            (Subject::Dns(d), Owned::Dns(base)) => Some(Ok(host_within(d, base, true))),
            (Subject::Directory(n), Owned::Directory(base)) => Some(Ok(name_within(n, base))),
            (Subject::Uri(u), Owned::Uri(base)) => Some(match uri_host(u) {
                Some(h) => Ok(host_within(h, base, false)),
                None => Err(format!("the URI '{u}' has no host to compare")),
            }),
            (Subject::Ip(a), Owned::Ip(base)) => Some(Ok(ip_within(a, base))),
            (Subject::Other(k, t), Owned::Other(bk, bt)) if k == bk && (t == bt || t.is_none()) => {
                Some(Err(format!("pqsmime cannot compare {k} names with name constraints")))
            }
            _ => None,
        }
    }
}

/// Mailbox `m` within rfc822Name constraint `base`.
fn mailbox_within(m: &str, base: &str) -> std::result::Result<bool, String> {
    let Some((local, domain)) = m.rsplit_once('@') else {
        return Err(format!("'{m}' is not a mailbox address"));
    };
    if let Some((blocal, bdomain)) = base.rsplit_once('@') {
        return Ok(local == blocal && domain.eq_ignore_ascii_case(bdomain));
    }
    Ok(host_within(domain, base, false))
}

/// Host `h` within `base`: `.example.com` means strictly below example.com; `example.com`
/// means exactly that host, or (for dNSName, `subdomains`) that host and every host below.
fn host_within(h: &str, base: &str, subdomains: bool) -> bool {
    let h = h.trim_end_matches('.').to_ascii_lowercase();
    let b = base.trim_end_matches('.').to_ascii_lowercase();
    if b.is_empty() {
        return true;
    }
    if let Some(suffix) = b.strip_prefix('.') {
        return h.len() > suffix.len() + 1 && h.ends_with(&format!(".{suffix}"));
    }
    h == b || (subdomains && h.ends_with(&format!(".{b}")))
}

/// The host of an absolute URI with an authority (`scheme://[userinfo@]host[:port]...`).
fn uri_host(u: &str) -> Option<&str> {
    let (_, rest) = u.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host_port.starts_with('[') {
        host_port.split(']').next()?.trim_start_matches('[')
    } else {
        host_port.split(':').next()?
    };
    (!host.is_empty()).then_some(host)
}

fn ip_within(addr: &[u8], base: &[u8]) -> bool {
    if base.len() != addr.len() * 2 {
        return false;
    }
    let (net, mask) = base.split_at(addr.len());
    addr.iter()
        .zip(net)
        .zip(mask)
        .all(|((a, n), m)| a & m == n & m)
}

/// Refuses `cert` when its names fall outside the issuing CA's own nameConstraints
/// (RFC 5280 §4.2.1.10): a CA must not issue what every relying party would reject. Only the
/// issuer's constraints are checked here; constraints further up are the path validator's.
pub fn check_issuer_name_constraints(ca: &Certificate, cert: &Certificate) -> Result<()> {
    let mut state = NameState::default();
    state.add(ca)?;
    state.check(cert).map_err(|e| match e {
        Error::Certificate(m) => Error::Usage(format!(
            "the issuing CA may not issue this certificate: {m}"
        )),
        other => other,
    })
}

/// The name-constraint state of RFC 5280 §6.1.2 (b), (c).
#[derive(Default)]
pub(crate) struct NameState {
    permitted: Vec<Set>,
    excluded: Vec<Set>,
}

fn fail(msg: String) -> Error {
    Error::Certificate(format!(
        "name constraints violated (RFC 5280 §6.1.3 (b)(c)): {msg}"
    ))
}

impl NameState {
    /// §6.1.4 (g): adds the nameConstraints of `c` (a CA certificate or the trust anchor).
    pub fn add(&mut self, c: &Certificate) -> Result<()> {
        let Some(e) = c.extension(&oids::EXT_NAME_CONSTRAINTS) else {
            return Ok(());
        };
        let nc = ext::name_constraints(&e.value).map_err(|err| {
            Error::Certificate(format!(
                "the nameConstraints of '{}' cannot be processed: {err}",
                who(c)
            ))
        })?;
        if let Some(p) = nc.permitted {
            self.permitted.push(Set {
                by: who(c),
                names: p.iter().map(Owned::from).collect(),
            });
        }
        if let Some(x) = nc.excluded {
            self.excluded.push(Set {
                by: who(c),
                names: x.iter().map(Owned::from).collect(),
            });
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.permitted.is_empty() && self.excluded.is_empty()
    }

    /// §6.1.3 (b), (c): the subject name, its emailAddress attributes and every
    /// subjectAltName of `c` must be within the permitted and outside the excluded subtrees.
    pub fn check(&self, c: &Certificate) -> Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        let san = c
            .extension(&oids::EXT_SUBJECT_ALT_NAME)
            .map(|e| e.value.as_slice());
        let sans = ext::subject_alt_names(san).map_err(|e| {
            fail(format!(
                "the subjectAltName of '{}' cannot be read: {e}",
                who(c)
            ))
        })?;
        let subject_emails = subject_email_attributes(c);
        let mut names: Vec<Subject<'_>> = Vec::new();
        if c.subject_der() != [0x30, 0x00] {
            names.push(Subject::Directory(c.subject_der()));
        }
        for m in &subject_emails {
            names.push(Subject::Mailbox(m));
        }
        for g in &sans {
            names.push(match g {
                GeneralName::Rfc822(s) => Subject::Mailbox(s),
                GeneralName::Dns(s) => Subject::Dns(s),
                GeneralName::Directory(d) => Subject::Directory(d),
                GeneralName::Uri(s) => Subject::Uri(s),
                GeneralName::Ip(b) => Subject::Ip(b),
                other => match other.smtp_utf8_mailbox() {
                    Some(m) => Subject::Utf8Mailbox(m),
                    None => match other {
                        GeneralName::OtherName { type_id, .. } => {
                            Subject::Other("otherName", Some(*type_id))
                        }
                        _ => Subject::Other(other.kind(), None),
                    },
                },
            });
        }
        for name in &names {
            for set in &self.permitted {
                let mut of_form = false;
                let mut inside = false;
                for base in &set.names {
                    match name.matches(base) {
                        None => {}
                        Some(Err(why)) => {
                            return Err(fail(format!(
                                "the {} of '{}' cannot be checked against the permitted subtrees of '{}': {why}",
                                name.describe(),
                                who(c),
                                set.by
                            )))
                        }
                        Some(Ok(m)) => {
                            of_form = true;
                            inside |= m;
                        }
                    }
                }
                if of_form && !inside {
                    return Err(fail(format!(
                        "the {} of '{}' is not within the permitted subtrees of CA '{}' ({})",
                        name.describe(),
                        who(c),
                        set.by,
                        set.names
                            .iter()
                            .filter(|b| name.matches(b).is_some())
                            .map(Owned::text)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
            }
            for set in &self.excluded {
                for base in &set.names {
                    match name.matches(base) {
                        None | Some(Ok(false)) => {}
                        Some(Err(why)) => {
                            return Err(fail(format!(
                                "the {} of '{}' cannot be checked against the excluded subtrees of '{}': {why}",
                                name.describe(),
                                who(c),
                                set.by
                            )))
                        }
                        Some(Ok(true)) => {
                            return Err(fail(format!(
                                "the {} of '{}' is within the excluded subtree '{}' of CA '{}'",
                                name.describe(),
                                who(c),
                                base.text(),
                                set.by
                            )))
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// The emailAddress attributes of the subject.
fn subject_email_attributes(c: &Certificate) -> Vec<String> {
    super::name::parse_name(c.subject_der(), "subject")
        .map(|r| super::name::email_attributes(&r))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailbox_forms() {
        assert_eq!(mailbox_within("a@example.com", "a@EXAMPLE.com"), Ok(true));
        assert_eq!(mailbox_within("A@example.com", "a@example.com"), Ok(false));
        assert_eq!(mailbox_within("a@example.com", "example.com"), Ok(true));
        assert_eq!(
            mailbox_within("a@mail.example.com", "example.com"),
            Ok(false)
        );
        assert_eq!(
            mailbox_within("a@mail.example.com", ".example.com"),
            Ok(true)
        );
        assert_eq!(mailbox_within("a@example.com", ".example.com"), Ok(false));
        assert_eq!(
            mailbox_within("a@badexample.com", ".example.com"),
            Ok(false)
        );
        assert_eq!(mailbox_within("jörg@example.com", "example.com"), Ok(true));
        assert!(mailbox_within("no-at-sign", "example.com").is_err());
    }

    #[test]
    fn hosts_uris_and_ips() {
        assert!(host_within("www.example.com", "example.com", true));
        assert!(!host_within("www.example.com", "example.com", false));
        assert!(!host_within("wwwexample.com", "example.com", true));
        assert!(host_within("Example.COM.", "example.com", true));
        assert_eq!(
            uri_host("http://user@h.example.com:80/x"),
            Some("h.example.com")
        );
        assert_eq!(uri_host("http://[2001:db8::1]/"), Some("2001:db8::1"));
        assert_eq!(uri_host("urn:isbn:1"), None);
        assert!(ip_within(
            &[192, 0, 2, 7],
            &[192, 0, 2, 0, 255, 255, 255, 0]
        ));
        assert!(!ip_within(
            &[192, 0, 3, 7],
            &[192, 0, 2, 0, 255, 255, 255, 0]
        ));
        assert!(!ip_within(&[192, 0, 2, 7], &[192, 0, 2, 0]));
    }
}
