//! `pqsmime demo`: the transition to quantum-safe S/MIME, end to end, in one command.
//!
//! Everything runs in process through the library (the same code as `sign`, `protect` and
//! `verify`), writes every key, certificate and message to a directory the user can explore,
//! and checks each outcome: the demo fails (exit 1) if any step does not come out as
//! described.
//!
//! The PKI has two roots: a quantum-safe one (ML-DSA-65) for the ML-DSA and ML-KEM
//! certificates, and a classical one (ECDSA P-384) for the certificates a legacy client
//! understands end to end (Alice's ECDSA signing certificate, Carol's RSA certificate).
//! Carol's client trusts only the classical root, as a legacy client would.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use pqsmime::alg::KeyKind;
use pqsmime::cms::enveloped::{ContentCipher, DecryptionKey, Recipient};
use pqsmime::cms::signed::{SignOptions, Signer, SignerPolicy, VerifyOptions};
use pqsmime::keys::PrivateKey;
use pqsmime::smime::open::reply_certificates;
use pqsmime::smime::{self, Blob, LayerKind, OpenOptions, Opened, Protection, SignedForm};
use pqsmime::x509::{Certificate, CertificateBuilder, Usage};

use crate::cli::demo::DemoArgs;
use crate::error::{sanitize, CliError, CliResult};
use crate::io::{Output, Secrecy};

/// Who reads the message, with which key, trusting what, under which policy, writing where.
type Reader<'a> = (
    &'a str,
    &'a Id,
    Vec<&'a Certificate>,
    SignerPolicy,
    &'a str,
    &'a str,
);

/// A key and its certificate, and where they were written.
struct Id {
    cert: Certificate,
    key: PrivateKey,
    cert_path: PathBuf,
}

struct Demo {
    dir: PathBuf,
    out: std::io::Stdout,
}

impl Demo {
    fn say(&mut self, text: &str) -> CliResult<()> {
        let mut o = self.out.lock();
        writeln!(o, "{text}")
            .and_then(|_| o.flush())
            .map_err(|e| CliError::input(format!("cannot write to standard output: {e}")))
    }

    fn rel(&self, p: &Path) -> String {
        p.strip_prefix(&self.dir).unwrap_or(p).display().to_string()
    }

    fn write(&self, rel: &str, data: &[u8], secrecy: Secrecy) -> CliResult<PathBuf> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| CliError::io("create", parent, e))?;
        }
        let mut out = Output::create(Some(&path), secrecy, false)?;
        out.put(data)?;
        out.commit()?;
        Ok(path)
    }

    fn key(&self, alg: &str) -> CliResult<PrivateKey> {
        let kind = KeyKind::from_name(alg)?;
        Ok(PrivateKey::generate(kind)?)
    }

    fn save_id(&self, name: &str, cert: Certificate, key: PrivateKey) -> CliResult<Id> {
        let pem = key.to_pkcs8_pem()?;
        self.write(&format!("{name}.key"), pem.as_bytes(), Secrecy::Private)?;
        let cert_path = self.write(
            &format!("{name}.crt"),
            cert.to_pem().as_bytes(),
            Secrecy::Public,
        )?;
        Ok(Id {
            cert,
            key,
            cert_path,
        })
    }

    fn root(&self, name: &str, alg: &str, dn: &str) -> CliResult<Id> {
        let key = self.key(alg)?;
        let cert = CertificateBuilder::ca(dn, &key)?.days(3650).sign(None)?;
        self.save_id(name, cert, key)
    }

    fn issue(&self, name: &str, ca: &Id, email: &str, alg: &str, usage: Usage) -> CliResult<Id> {
        let key = self.key(alg)?;
        let cert = CertificateBuilder::end_entity(email, &key.public_key(), usage)?
            .days(365)
            .sign(Some((&ca.cert, &ca.key)))?;
        self.save_id(name, cert, key)
    }
}

fn check(ok: bool, what: &str) -> CliResult<()> {
    if ok {
        Ok(())
    } else {
        Err(CliError::rejected(format!("demo step failed: {what}")))
    }
}

/// An RFC 5322 date (UTC) for `t`.
pub fn rfc5322_date(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let wd = DAYS[days.rem_euclid(7) as usize];
    let mon = MONTHS[((month - 1).clamp(0, 11)) as usize];
    format!(
        "{wd}, {day:02} {mon} {year} {:02}:{:02}:{:02} +0000",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A unique Message-ID local part: the time in nanoseconds and the process id.
fn unique_id() -> String {
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{t:x}.{:x}.pqsmime-demo", std::process::id())
}

fn describe_layers(o: &Opened) -> String {
    o.layers
        .iter()
        .map(|l| match l.kind {
            LayerKind::AuthEnveloped | LayerKind::Enveloped => match &l.decryption {
                Some(d) => format!("decrypted ({}, {})", d.recipient.name(), d.content_cipher),
                None => "encrypted".to_string(),
            },
            k => k.describe().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", then ")
}

fn signer_lines(o: &Opened) -> Vec<String> {
    let mut out = Vec::new();
    for l in &o.layers {
        let Some(r) = &l.signature else { continue };
        for (i, s) in r.signers.iter().enumerate() {
            let chain = match s.chain_valid {
                Some(true) => "trusted",
                Some(false) => "not trusted by this reader",
                None => "chain not checked",
            };
            let sig = if s.signature_valid {
                "valid"
            } else {
                "INVALID"
            };
            let sender = match l.sender.as_ref().and_then(|x| x.signer_matches.get(i)) {
                Some(true) => ", names the sender",
                _ => "",
            };
            out.push(format!(
                "       signer {}: {} — signature {sig}, certificate {chain}{sender}",
                i + 1,
                sanitize(&s.algorithm)
            ));
        }
    }
    out
}

fn open_as(
    msg: &Blob,
    trust: &[&Certificate],
    key: &Id,
    policy: SignerPolicy,
) -> CliResult<Opened> {
    let oo = OpenOptions {
        verify: VerifyOptions {
            trust: trust.iter().map(|c| (*c).clone()).collect(),
            policy,
            ..VerifyOptions::default()
        },
        keys: vec![DecryptionKey::new(&key.cert, &key.key)?],
        ..OpenOptions::default()
    };
    Ok(smime::open(msg, &oo)?)
}

fn unwrapped(o: &Opened) -> CliResult<Vec<u8>> {
    let mut v = Vec::new();
    o.write_unwrapped(&mut v)?;
    Ok(v)
}

pub fn run(a: DemoArgs) -> CliResult<ExitCode> {
    let dir = match &a.dir {
        Some(d) => {
            if d.exists()
                && std::fs::read_dir(d)
                    .map(|mut r| r.next().is_some())
                    .unwrap_or(true)
            {
                return Err(CliError::input(format!(
                    "{} exists and is not empty; give a new or empty directory",
                    d.display()
                )));
            }
            std::fs::create_dir_all(d).map_err(|e| CliError::io("create", d, e))?;
            d.clone()
        }
        None => tempfile::Builder::new()
            .prefix("pqsmime-demo-")
            .tempdir()
            .map_err(|e| CliError::input(format!("cannot create a temporary directory: {e}")))?
            .keep(),
    };
    let mut d = Demo {
        dir: dir.clone(),
        out: std::io::stdout(),
    };
    d.say("pqsmime demo: quantum-safe S/MIME during the transition, end to end")?;
    d.say(&format!("All files go to {}\n", dir.display()))?;

    // 1. Roots.
    d.say("1. Two certificate authorities")?;
    let pq_root = d.root(
        "ca/pq-root",
        "ml-dsa-65",
        "CN=pqsmime demo root (ML-DSA-65),O=pqsmime demo,C=DE",
    )?;
    let legacy_root = d.root(
        "ca/legacy-root",
        "ec-p384",
        "CN=pqsmime demo legacy root (ECDSA P-384),O=pqsmime demo,C=DE",
    )?;
    d.say(&format!(
        "   quantum-safe root, ML-DSA-65 ........ {}",
        d.rel(&pq_root.cert_path)
    ))?;
    d.say(&format!(
        "   classical root, ECDSA P-384 .......... {} (what a legacy client trusts)",
        d.rel(&legacy_root.cert_path)
    ))?;

    // 2. End entities.
    d.say("\n2. Certificates: split signing and encryption keys for the quantum-safe users")?;
    let alice_sign = d.issue(
        "alice/sign",
        &pq_root,
        "alice@example.com",
        "ml-dsa-65",
        Usage::Sign,
    )?;
    let alice_enc = d.issue(
        "alice/enc",
        &pq_root,
        "alice@example.com",
        "ml-kem-768",
        Usage::Encrypt,
    )?;
    let alice_ec = d.issue(
        "alice/ecdsa",
        &legacy_root,
        "alice@example.com",
        "ec-p256",
        Usage::Sign,
    )?;
    let bob_sign = d.issue(
        "bob/sign",
        &pq_root,
        "bob@example.com",
        "ml-dsa-65",
        Usage::Sign,
    )?;
    let bob_enc = d.issue(
        "bob/enc",
        &pq_root,
        "bob@example.com",
        "ml-kem-768",
        Usage::Encrypt,
    )?;
    let carol = d.issue(
        "carol/rsa",
        &legacy_root,
        "carol@example.com",
        "rsa-2048",
        Usage::Encrypt,
    )?;
    for (who, what, id) in [
        ("alice@example.com", "signing, ML-DSA-65      ", &alice_sign),
        ("", "encryption, ML-KEM-768  ", &alice_enc),
        ("", "signing, ECDSA P-256    ", &alice_ec),
        ("bob@example.com", "signing, ML-DSA-65      ", &bob_sign),
        ("", "encryption, ML-KEM-768  ", &bob_enc),
        ("carol@example.com", "encryption, RSA-2048    ", &carol),
    ] {
        d.say(&format!(
            "   {who:<18} {what} {} (+ .key)",
            d.rel(&id.cert_path)
        ))?;
    }
    d.say("   (ML-KEM keys cannot sign and ML-DSA keys cannot encrypt: each user needs both.)")?;

    // 3. Alice writes.
    d.say("\n3. Alice writes to Bob and Carol")?;
    let message = format!(
        "From: Alice <alice@example.com>\r\n\
         To: Bob <bob@example.com>, Carol <carol@example.com>\r\n\
         Subject: Quarterly figures (quantum-safe)\r\n\
         Date: {}\r\n\
         Message-ID: <{}@example.com>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\
         \r\n\
         Hi Bob, hi Carol,\r\n\
         \r\n\
         the figures are attached in spirit. This mail is signed with ML-DSA-65 and ECDSA\r\n\
         and encrypted with ML-KEM-768 for Bob and RSA for Carol — grüße aus München.\r\n\
         \r\n\
         Alice\r\n",
        rfc5322_date(SystemTime::now()),
        unique_id()
    );
    let plain = d.write("message.eml", message.as_bytes(), Secrecy::Public)?;
    d.say(&format!(
        "   the message as her mail client wrote it: {}",
        d.rel(&plain)
    ))?;
    let signers = [
        Signer {
            cert: &alice_sign.cert,
            key: &alice_sign.key,
            digest: None,
            signature_algorithm: None,
        },
        Signer {
            cert: &alice_ec.cert,
            key: &alice_ec.key,
            digest: None,
            signature_algorithm: None,
        },
    ];
    let recipients = [
        Recipient::for_certificate(&bob_enc.cert)?,
        Recipient::for_certificate(&carol.cert)?,
        Recipient::for_certificate(&alice_enc.cert)?,
    ];
    let mut prot = Protection::sign(&signers, SignedForm::Clear)
        .and_encrypt(&recipients, ContentCipher::Aes256Gcm);
    prot.sign_options = SignOptions {
        encryption_cert: Some(alice_enc.cert.clone()),
        extra_certs: vec![legacy_root.cert.clone()],
        ..SignOptions::default()
    };
    let mut sent = Vec::new();
    let summary = smime::protect(message.as_bytes(), &mut sent, &prot)?;
    let sent_path = d.write("sent.eml", &sent, Secrecy::Public)?;
    d.say("   signed with ML-DSA-65 (SHA-512) and ECDSA P-256 (SHA-256): multipart/signed")?;
    for change in &summary.reencoded {
        d.say(&format!(
            "     {change}, so relays cannot break the signature"
        ))?;
    }
    d.say("     signed attributes: SMIMECapabilities (ML-KEM and ML-DSA first),")?;
    d.say("     SMIMEEncryptionKeyPreference -> her ML-KEM certificate (included)")?;
    d.say("   encrypted with AES-256-GCM (authEnveloped-data) to:")?;
    d.say("     Bob (ML-KEM-768, KEMRecipientInfo), Carol (RSA-OAEP, KeyTransRecipientInfo),")?;
    d.say("     Alice herself (ML-KEM-768), so she can read her sent copy")?;
    for o in &summary.obscured {
        d.say(&format!(
            "   header protection (RFC 9788): outer {o}; the real header travels inside"
        ))?;
    }
    d.say(&format!(
        "   ready for the MTA: {} ({} bytes)",
        d.rel(&sent_path),
        sent.len()
    ))?;
    let sent_blob = Blob::from_vec(sent);

    // 4. Each reader.
    d.say("\n4. Each recipient decrypts and verifies")?;
    let readers: [Reader<'_>; 3] = [
        (
            "Bob (quantum-safe client)",
            &bob_enc,
            vec![&pq_root.cert, &legacy_root.cert],
            SignerPolicy::RequirePq,
            "bob/received.eml",
            "requires a quantum-safe signature",
        ),
        (
            "Carol (legacy client)",
            &carol,
            vec![&legacy_root.cert],
            SignerPolicy::Any,
            "carol/received.eml",
            "trusts only the classical root",
        ),
        (
            "Alice (her sent copy)",
            &alice_enc,
            vec![&pq_root.cert, &legacy_root.cert],
            SignerPolicy::All,
            "alice/sent-copy.eml",
            "checks every signature",
        ),
    ];
    let mut bob_view = None;
    for (who, key, trust, policy, out_name, why) in readers {
        let o = open_as(&sent_blob, &trust, key, policy)?;
        let valid = o.signatures_valid() && o.senders_ok() && o.problems().is_empty();
        d.say(&format!("   {who}, {why}:"))?;
        d.say(&format!("     {}", describe_layers(&o)))?;
        for l in signer_lines(&o) {
            d.say(&l)?;
        }
        if let Some(hp) = &o.header_protection {
            if let Some(p) = hp
                .protected
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("subject"))
            {
                d.say(&format!(
                    "     protected Subject: {:?} (outside it read \"[...]\")",
                    sanitize(&p.1)
                ))?;
            }
        }
        let path = d.write(out_name, &unwrapped(&o)?, Secrecy::Public)?;
        d.say(&format!(
            "     result: {} — the readable message is {}",
            if valid {
                "VALID, sender alice@example.com confirmed"
            } else {
                "NOT VALID"
            },
            d.rel(&path)
        ))?;
        check(
            valid,
            &format!("{who} could not verify the message: {:?}", o.problems()),
        )?;
        if key.cert.der() == bob_enc.cert.der() {
            bob_view = Some(o);
        }
    }

    // 5. Bob replies, encrypted to the certificate Alice advertised.
    d.say("\n5. Bob replies, encrypted to the key Alice advertised")?;
    let bob_view =
        bob_view.ok_or_else(|| CliError::rejected("demo step failed: Bob's view is missing"))?;
    let report = bob_view
        .layers
        .iter()
        .find_map(|l| l.signature.as_ref())
        .ok_or_else(|| CliError::rejected("demo step failed: no signature in Bob's view"))?;
    let offered = reply_certificates(report);
    check(
        offered.len() == 1 && offered[0].der() == alice_enc.cert.der(),
        "the signature did not point to Alice's ML-KEM certificate",
    )?;
    let contact = d.write(
        "bob/contacts/alice@example.com.pem",
        offered[0].to_pem().as_bytes(),
        Secrecy::Public,
    )?;
    d.say(&format!(
        "   Alice's ML-KEM certificate, from SMIMEEncryptionKeyPreference: {}",
        d.rel(&contact)
    ))?;
    d.say("   (pqsmime verify --save-certs DIR does the same for any signed mail.)")?;
    let reply = format!(
        "From: Bob <bob@example.com>\r\nTo: Alice <alice@example.com>\r\nSubject: Re: Quarterly figures (quantum-safe)\r\nDate: {}\r\nMessage-ID: <{}@example.com>\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThanks, Alice. Received and verified.\r\n\r\nBob\r\n",
        rfc5322_date(SystemTime::now()),
        unique_id()
    );
    let bob_signers = [Signer {
        cert: &bob_sign.cert,
        key: &bob_sign.key,
        digest: None,
        signature_algorithm: None,
    }];
    let to_alice = [
        Recipient::for_certificate(&offered[0])?,
        Recipient::for_certificate(&bob_enc.cert)?,
    ];
    let mut prot = Protection::sign(&bob_signers, SignedForm::Clear)
        .and_encrypt(&to_alice, ContentCipher::Aes256Gcm);
    prot.sign_options = SignOptions {
        encryption_cert: Some(bob_enc.cert.clone()),
        ..SignOptions::default()
    };
    let mut reply_msg = Vec::new();
    smime::protect(reply.as_bytes(), &mut reply_msg, &prot)?;
    let reply_path = d.write("reply.eml", &reply_msg, Secrecy::Public)?;
    d.say(&format!(
        "   signed ML-DSA-65, encrypted ML-KEM-768 to Alice and Bob: {}",
        d.rel(&reply_path)
    ))?;
    let o = open_as(
        &Blob::from_vec(reply_msg),
        &[&pq_root.cert],
        &alice_enc,
        SignerPolicy::RequirePq,
    )?;
    let valid = o.signatures_valid() && o.senders_ok();
    let path = d.write("alice/reply-received.eml", &unwrapped(&o)?, Secrecy::Public)?;
    d.say(&format!(
        "   Alice opens it: {} — {}",
        if valid {
            "VALID, sender bob@example.com confirmed"
        } else {
            "NOT VALID"
        },
        d.rel(&path)
    ))?;
    check(valid, "Alice could not verify Bob's reply")?;

    d.say("\nDone. Look around:")?;
    d.say(&format!("   cd {}", dir.display()))?;
    d.say("   pqsmime inspect sent.eml")?;
    d.say("   pqsmime verify --trust ca/pq-root.crt --trust ca/legacy-root.crt \\")?;
    d.say("       --decrypt-cert bob/enc.crt --decrypt-key bob/enc.key sent.eml")?;
    d.say("   open bob/received.eml or carol/received.eml in a mail client")?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rfc5322_dates() {
        assert_eq!(rfc5322_date(UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 +0000");
        let t = UNIX_EPOCH + Duration::from_secs(1_780_000_000);
        assert_eq!(rfc5322_date(t), "Thu, 28 May 2026 20:26:40 +0000");
        let leap = UNIX_EPOCH + Duration::from_secs(951_825_600); // 2000-02-29 12:00
        assert_eq!(rfc5322_date(leap), "Tue, 29 Feb 2000 12:00:00 +0000");
    }
}
