//! Private keys (PKCS #8 / RFC 5958 OneAsymmetricKey): algorithm and form only, never key
//! material. Only lengths, the CHOICE alternative (ML-DSA, ML-KEM), the RSA modulus size and
//! the EC curve are shown.

use pqsmime::alg::oid as alg_oid;
use pqsmime::alg::SlhDsaSet;
use pqsmime::asn1::{self, Tlv};
use pqsmime::keys::PrivateKey;

use super::der::{clean, integer, words, Seq, WResult, Walk};
use crate::tree::Node;

pub fn private_key(w: &Walk<'_>, t: &Tlv<'_>, node: &mut Node) -> WResult<()> {
    let mut s = Seq::of(t);
    let v = s.expect(w, asn1::TAG_INTEGER, "version")?;
    node.add(
        "version",
        match v.value {
            [0] => "1 (PrivateKeyInfo)".to_string(),
            [1] => "2 (OneAsymmetricKey)".to_string(),
            other => format!("unknown ({})", integer(other)),
        },
    );
    let alg = s.expect(w, asn1::TAG_SEQUENCE, "privateKeyAlgorithm")?;
    let mut a = Seq::of(&alg);
    let o = a.oid(w, "privateKeyAlgorithm algorithm")?;
    let params = if a.is_empty() {
        None
    } else {
        Some(a.any(w, "privateKeyAlgorithm parameters")?)
    };
    node.add("algorithm", words(&o));
    let pk = s.expect(w, asn1::TAG_OCTET_STRING, "privateKey")?;
    node.add("form", form(w, &o, params.as_ref(), pk.value)?);
    if s.optional(w, 0xA0, "attributes")?.is_some() {
        node.add("attributes", "present");
    }
    if let Some(p) = s.optional(w, 0x81, "publicKey")? {
        node.add(
            "public key included",
            format!("yes ({} bytes)", p.value.len().saturating_sub(1)),
        );
    }
    s.end(w, "OneAsymmetricKey")?;
    match PrivateKey::from_pkcs8_der(t.raw) {
        Ok(k) => {
            let kind = k.kind();
            node.add("pqsmime reads it as", kind.description());
            node.add(
                "quantum-safe",
                if kind.quantum_safe() { "yes" } else { "no" },
            );
        }
        Err(e) => {
            node.add("pqsmime refuses it", clean(&e.to_string()));
        }
    }
    Ok(())
}

/// Which encoding the privateKey OCTET STRING holds, by tag (never by length).
fn form(
    w: &Walk<'_>,
    o: &const_oid::ObjectIdentifier,
    params: Option<&Tlv<'_>>,
    pk: &[u8],
) -> WResult<String> {
    let ml_dsa = [alg_oid::ML_DSA_44, alg_oid::ML_DSA_65, alg_oid::ML_DSA_87].contains(o);
    let ml_kem = [
        alg_oid::ML_KEM_512,
        alg_oid::ML_KEM_768,
        alg_oid::ML_KEM_1024,
    ]
    .contains(o);
    if ml_dsa || ml_kem {
        let mut s = Seq::over(pk);
        let inner = s.any(w, "private key CHOICE")?;
        return Ok(match inner.tag {
            0x80 => format!("seed ({} bytes)", inner.value.len()),
            asn1::TAG_OCTET_STRING => format!("expandedKey ({} bytes)", inner.value.len()),
            asn1::TAG_SEQUENCE => {
                let mut b = Seq::of(&inner);
                let seed = b.expect(w, asn1::TAG_OCTET_STRING, "both.seed")?;
                let exp = b.expect(w, asn1::TAG_OCTET_STRING, "both.expandedKey")?;
                format!(
                    "both (seed {} bytes and expandedKey {} bytes)",
                    seed.value.len(),
                    exp.value.len()
                )
            }
            other => format!("unrecognised CHOICE (tag 0x{other:02X})"),
        });
    }
    if SlhDsaSet::ALL.iter().any(|set| set.oid() == *o) {
        return Ok(format!("raw ({} bytes)", pk.len()));
    }
    if *o == alg_oid::RSA_ENCRYPTION || *o == alg_oid::RSASSA_PSS {
        let mut s = Seq::over(pk);
        let rsa = s.expect(w, asn1::TAG_SEQUENCE, "RSAPrivateKey")?;
        let mut r = Seq::of(&rsa);
        let _version = r.expect(w, asn1::TAG_INTEGER, "RSAPrivateKey version")?;
        let n = r.expect(w, asn1::TAG_INTEGER, "modulus")?;
        return Ok(format!(
            "RSAPrivateKey, {}-bit modulus",
            modulus_bits(n.value)
        ));
    }
    if *o == alg_oid::EC_PUBLIC_KEY {
        let curve = match params {
            Some(p) if p.tag == asn1::TAG_OID => asn1::parse_oid(p.value)
                .map(|c| words(&c))
                .unwrap_or_else(|_| "invalid curve OID".into()),
            Some(_) => "explicit curve parameters (not supported)".into(),
            None => "no curve named".into(),
        };
        let mut s = Seq::over(pk);
        let ec = s.expect(w, asn1::TAG_SEQUENCE, "ECPrivateKey")?;
        let mut e = Seq::of(&ec);
        let _v = e.expect(w, asn1::TAG_INTEGER, "ECPrivateKey version")?;
        let _d = e.expect(w, asn1::TAG_OCTET_STRING, "ECPrivateKey privateKey")?;
        let _p = e.optional(w, 0xA0, "ECPrivateKey parameters")?;
        let public = e.optional(w, 0xA1, "ECPrivateKey publicKey")?.is_some();
        return Ok(format!(
            "ECPrivateKey on {curve}, public key {}",
            if public { "included" } else { "not included" }
        ));
    }
    if *o == alg_oid::ED25519 || *o == alg_oid::X25519 {
        let mut s = Seq::over(pk);
        let inner = s.expect(w, asn1::TAG_OCTET_STRING, "CurvePrivateKey")?;
        return Ok(format!("raw ({} bytes)", inner.value.len()));
    }
    Ok(format!("{} bytes (format not known to pqsmime)", pk.len()))
}

fn modulus_bits(n: &[u8]) -> usize {
    let mut v = n;
    while v.len() > 1 && v[0] == 0 {
        v = &v[1..];
    }
    match v.first() {
        Some(b) => (v.len() - 1) * 8 + (8 - b.leading_zeros() as usize),
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkcs8(alg: &const_oid::ObjectIdentifier, private: &[u8]) -> Vec<u8> {
        asn1::sequence(&[
            &asn1::integer_u64(0),
            &asn1::algorithm_identifier(alg, None),
            &asn1::octet_string(private),
        ])
    }

    fn render(der: &[u8]) -> String {
        let w = Walk::new(der);
        let t = Seq::over(der).any(&w, "key").unwrap();
        let mut n = Node::new("private key");
        private_key(&w, &t, &mut n).unwrap();
        n.render()
    }

    #[test]
    fn ml_dsa_forms_are_named_and_no_key_bytes_are_shown() {
        let seed = [0xABu8; 32];
        let text = render(&pkcs8(&alg_oid::ML_DSA_65, &asn1::tlv(0x80, &seed)));
        assert!(text.contains("form: seed (32 bytes)"), "{text}");
        assert!(!text.to_ascii_uppercase().contains("ABABAB"), "{text}");

        let exp = vec![0xCDu8; 4032];
        let both = asn1::sequence(&[&asn1::octet_string(&seed), &asn1::octet_string(&exp)]);
        let text = render(&pkcs8(&alg_oid::ML_DSA_65, &both));
        assert!(
            text.contains("form: both (seed 32 bytes and expandedKey 4032 bytes)"),
            "{text}"
        );
        assert!(!text.to_ascii_uppercase().contains("CDCDCD"), "{text}");

        let text = render(&pkcs8(
            &alg_oid::ML_KEM_768,
            &asn1::octet_string(&[0x11; 2400]),
        ));
        assert!(text.contains("form: expandedKey (2400 bytes)"), "{text}");
    }

    #[test]
    fn rsa_modulus_size() {
        assert_eq!(modulus_bits(&[0x00, 0x80, 0, 0]), 24);
        assert_eq!(modulus_bits(&[0x01]), 1);
        let mut n = vec![0x00, 0xC0];
        n.extend([0u8; 255]);
        assert_eq!(modulus_bits(&n), 2048);
    }
}
