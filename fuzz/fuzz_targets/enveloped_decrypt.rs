//! Decrypts arbitrary bytes as EnvelopedData / AuthEnvelopedData with three fixed recipients
//! (ML-KEM-768, RSA-2048, ECDH P-256; keys and certificates made once by `pqsmime` for this
//! target, seeds in fuzz/corpus/enveloped_decrypt are messages to them) and the RFC 9936
//! example's ML-KEM-512 key. Must never panic, hang or allocate without bound, and:
//! * reading the message in odd-sized pieces gives the same outcome as reading it whole
//!   (except where RFC 3218's random fallback key makes RSA v1.5 + CBC outcomes random);
//! * a sink is published (committed) exactly when decryption succeeds, and then holds the
//!   content reported by `content_len`.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use pqsmime::cms::enveloped::{
    decrypt_stream, DecryptInfo, DecryptionKey, MemorySink, RecipientKind,
};
use pqsmime::keys::PrivateKey;
use pqsmime::x509::Certificate;
use std::sync::OnceLock;

const ML_KEM_768_CERT: &str = "\
-----BEGIN CERTIFICATE-----
MIIGJTCCBcygAwIBAgIQacB6qaZu2yGHHeDYm3carTAKBggqhkjOPQQDAjAcMRow
GAYDVQQDDBFwcXNtaW1lIGZ1enogcm9vdDAgFw0yNjExMjgwNjA2NTlaGA8yMTI2
MTEwNDA2MDY1OFowGzEZMBcGA1UEAwwQZnV6ekBleGFtcGxlLmNvbTCCBLIwCwYJ
YIZIAWUDBAQCA4IEoQC4sQKW4ZBQUSKVF3mRKY09GFU/wwXFfCtZZi+Xy2dT+Ueu
5y+7eS50mZ51iEtia3oESKbHFm2o4Q4MyjxGWIlVyLwEx0as8jTO4qSk6QNCURgf
w1FHAr+I+oK7BF+jXGz5qCkS67rNaaUA9TNUZBWGkp2wKc3MsLXnt3LrsjR924hP
mjvd4WjlN45GuzgnwH1dFq8tEQQ1tEf7uG5m6Y3h4DIAGinu8UD95SEkB6/kGpiT
kqe/bHAluUDESs6IVpGvREL7BzrlcyP7F6sKHJem+nbNFc1Iy77TWZ6nIUH802AL
ZV1p0xwZyyex2aFS/G8wWc4xG3yz5oj5IZSswTXlTAbqMwzPdrt+8zKL4pquWRYq
PBPnl7stpKIOWGCXuyRG01xFSRCpYcsswzI60gMUUU/gE2XcjFA2OUYX4ZelkQvU
OJ15MAOcZsix008YUG3idM+d90VjxTG9sijNNkPdlVg1+SJ7e7Dv+qn3NCChgZ9y
W2/hdIJdqxVLy3vLyDLn0jS42g/zJV0hKcV4q7sr9nIzOFyNBxGY4bl99SQql3G1
4LkYzJYZlzATYb2sxzmq9wsouj4ga5/4qXnI6ysytQCghT4Z2GIMugDjq5qop8Nz
4oEpAsjoxyV4xLCX4Kk23HB4aFfrJhbpwywgxYcp1ajHeKjw4Uc5JWbppD43Nsnb
aHZEkhMoxFyuPEYDxoLwGKNbaDrB53fLo392lp/dlrZnCb9kw5nS2jtjRxv0HBYr
kFCEByfhIYhml2caEp+5TIdOl1GDSEo/0y4CebWC5KK0Or2Ey6mHU35fjI/o0Zax
rGkikEUDBmjUWJ7TVbkxArHkbH/nVcd32676oqr6Ux+F5w0elHcqRX0E+QENIBdt
MLnWnMteqWJA5Sbi9JwCu2+O5C1NRcUKM3RmjDAmenQMQrqoFztBE363wA6fQSjp
yCpAVZaPRZ+AdBtj/FHTIiH+tMsRoG44BzLH5CkXUC9zQxbvoBUEdbUF14g+Sqv5
Sihno2hoUMkcBaSG3HqsMTJYkg4rkSGg9h1Xp1q0aRgQ0n/Oc7X4nGoeYgi1iS6O
th+xIwKBak89uaZ55CaUFaTlzFiAEZPDob+rC5WxWJeVwC8RZg0dDFbfY72TZD04
p2WTzKkCKG4drJ0f4FwREonJBZU1I4AxAUbm0kbuQQGt+lbZ28TbLHKhCJTeC7zJ
EUyQyCaRtqBgsUSRJ6/8FJOhSiSQlJ0TeZ08sB+wNsioo5WAeSQC97bhh1jQkjsE
+Ld0ZmGfUWJE28bMW4SqlselmZO2nHLhoykbG8ROIxz/kRotZLQgC6nnCwbI2R83
Aw2TgWrx3KrQkW4yQZO6SUQDN8VgFrI6a3bMwJBSp77mJiNOlsfDk23UGRcZCGCJ
+mM5kQm7di2OxaFBhHn8MYkw6lsJSFTn8M9hog086Z+cVzHDKJX1p5dwFHf6lG9X
WEprZ29j0gMaK7E/EJ6rMq7KFHPNGKq7ZbcM6IUECjJEZHHDV14iYM4JjJhEUqK+
6C6OrADB+ap184QxGCyieouKbnki6X7E826kUkiyOpDwLKRhasHeeHaWmxq9h6OB
kzCBkDAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIFIDATBgNVHSUEDDAKBggr
BgEFBQcDBDAbBgNVHREEFDASgRBmdXp6QGV4YW1wbGUuY29tMB0GA1UdDgQWBBQx
rNNou1bXeR+iXaOorO1fPYft3DAfBgNVHSMEGDAWgBQaNknAtVXinriJzahcNXzb
hJCfIDAKBggqhkjOPQQDAgNHADBEAiBDs+5gDfPqRtrIskzvKkK0CKpFoEiEe6BQ
0gS0JN/vGQIgKe4UNHtdmTVruasiDpzLg/dOBYGHeRXzOc2lQOCpi/c=
-----END CERTIFICATE-----
";

const ML_KEM_768_KEY: &str = "\
-----BEGIN PRIVATE KEY-----
MFQCAQAwCwYJYIZIAWUDBAQCBEKAQL4mv3yCgvLsOUdsIcUGuvEHbAg15wUZ+07i
U27rnolMYJCQE0QubiyfTxgn3sWKYOTWr7qe3wzKYNR0a+3xoGA=
-----END PRIVATE KEY-----
";

const RSA_2048_CERT: &str = "\
-----BEGIN CERTIFICATE-----
MIICljCCAjygAwIBAgIQO1D4EJL+S2ygLDJFr9YAnDAKBggqhkjOPQQDAjAcMRow
GAYDVQQDDBFwcXNtaW1lIGZ1enogcm9vdDAgFw0yNjExMjgwNjA2NTlaGA8yMTI2
MTEwNDA2MDY1OFowGzEZMBcGA1UEAwwQZnV6ekBleGFtcGxlLmNvbTCCASIwDQYJ
KoZIhvcNAQEBBQADggEPADCCAQoCggEBAMUn8L7IQ5jK7Vn78G824MtGza5fxqQ3
MWwqm5hJr+J6A7L+N/kYFdotEaZwIKFqk2RacGzmVq+EqZM1NgdcmfXoSyG5L79h
0IvIobpSH1S/LQUsv2oZgs3IroJv0sNqoIOh8AplX7TcLEamr/KUtrgyLsLEl+8L
1s9xcapZ94OOfhlKD07W0MG8cC4/i2C7N5MZkDgGJJMWlhDFSScu8JpZrfUsyIs1
IW3uFYdI8YibGxmx7PU1hN8PgVY0ZM5qwpdy6eUtbOR+ftEAarD9awYmBxIwsQeF
LGHRIsJ+qxszh5AsUpwX2ld85JFZffhbQNkOZhVJb+QLcttIK+sf7WUCAwEAAaOB
kzCBkDAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIFIDATBgNVHSUEDDAKBggr
BgEFBQcDBDAbBgNVHREEFDASgRBmdXp6QGV4YW1wbGUuY29tMB0GA1UdDgQWBBRF
Evu+otv4nR5w0JlPHkSgGr3DCTAfBgNVHSMEGDAWgBQaNknAtVXinriJzahcNXzb
hJCfIDAKBggqhkjOPQQDAgNIADBFAiBjjj1FnSS/DHCxoXIccCQFBihWOihGyn+b
1D++vLWgYAIhAOd4KQ3qOFNXSgEYTzVDHGzS3z/GtwbMtgYJJgwzZfL8
-----END CERTIFICATE-----
";

const RSA_2048_KEY: &str = "\
-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDFJ/C+yEOYyu1Z
+/BvNuDLRs2uX8akNzFsKpuYSa/iegOy/jf5GBXaLRGmcCChapNkWnBs5lavhKmT
NTYHXJn16EshuS+/YdCLyKG6Uh9Uvy0FLL9qGYLNyK6Cb9LDaqCDofAKZV+03CxG
pq/ylLa4Mi7CxJfvC9bPcXGqWfeDjn4ZSg9O1tDBvHAuP4tguzeTGZA4BiSTFpYQ
xUknLvCaWa31LMiLNSFt7hWHSPGImxsZsez1NYTfD4FWNGTOasKXcunlLWzkfn7R
AGqw/WsGJgcSMLEHhSxh0SLCfqsbM4eQLFKcF9pXfOSRWX34W0DZDmYVSW/kC3Lb
SCvrH+1lAgMBAAECggEAIepvBcLZrg0qq5IlmFwua4mwlFCxkUpVXDAwOBBlC2bG
ACKvalB0YeXi5WjglCQLWvYb5P/y5ZrCuSosMzQA4EanthNvXVLsVz+aYr0B2shQ
bFV4UD43PENLkfC+pxNOrZZL/t3Viv1dOIIwPmDK1gD7/lFneZ3lxCXV0eJMK/sn
8IVdJ+R+t0HfuTIKRkYrjAk4bGfKpq+8z5BWurvD+CR9wEPxYmqY0+kMXaecxEqG
qpNGiyl82g0E9pZqGbl8VQ/byvRxsKXplf0oJg+V7VoFiO/9OkonheJ+30hS1mVh
jm7NsDVs3lqBcOh1DSFILjEs36nhrTwrlYgDXPHbgQKBgQDmQn6X+AX3mPohuX87
yddFpbeHxfpBPjUcjFS9Px5AbRyCfX98N/2tqpWRYSxhgMNRoEO8OAr8vtARaHAI
gpjqM/YsC/tpF6pOr4uEw4yjki7cqtYq8vTevmHWmbqswuMpZgjrWwthB9x7DGaX
ulBFA0bKgNRoerHQwt7f3NpfNQKBgQDbMhfcOJPvGZPHsBFL51q1EUnFd88lK9zm
NZ6uQr8Ed7UztzfpCpmEyCmY14ACnOiRi17Qoeq5dM/geWJujK49Pb5kIwiVGdCj
8HAUxHAB4Tu4kuqqLaV4dpCo5m8FUoqXBwZhgkifjgo7ZExdyC93ji0VlsGRIKU6
saXnn4YrcQKBgCasHlTpvB7Um5YUcJEbGkPBTGzKTHiuuP7ddtH+CtepO7OS3ll/
keScFNjA6FJL7QIFl7rB8t52Mb3qu35CaOpU5dCKBqSk696hTx5yNWm3gJVhP+0g
tw2+DfKcCSVA6iQm1fKpbOTUDCzCbWyoRxkALuCN+J6/lKPKRuJ0VlzNAoGBAItQ
/WVU+IGBqjHDMFskAr0O7ep6SciAZnhTIDX16l62jw79pqWRvR1t8zJX1d7TR+Yp
xOup3fxdyDoOLIfDFoOKGNaghbXuoHNyQGqSp/Yp58Fab5gWRxOXmD4hp/KkEb4I
EwAqxGnU55/0Ea2RrMm6LeGI3iKVsy7o9l+PPsGhAoGAGNVWpDqfCwxDWYIMBn/8
kpNLtasYf5ScEOD4t8TzORx63Sb3eaj56V5GT/+cgPAkUztKXdPRnqmcEN1Yo3mf
Q9sP44Irojsr/e24mlSt0DmvSl0dwE+eElxM0aC5SbWvLEmUkD6sxYIn0vyB9R+S
TitjCsO2jpBcJLAU+1xkWmY=
-----END PRIVATE KEY-----
";

const EC_P256_CERT: &str = "\
-----BEGIN CERTIFICATE-----
MIIByzCCAXGgAwIBAgIQU+kCwP/VpiaV8tOZ0q4fGTAKBggqhkjOPQQDAjAcMRow
GAYDVQQDDBFwcXNtaW1lIGZ1enogcm9vdDAgFw0yNjExMjgwNjA2NTlaGA8yMTI2
MTEwNDA2MDY1OFowGzEZMBcGA1UEAwwQZnV6ekBleGFtcGxlLmNvbTBZMBMGByqG
SM49AgEGCCqGSM49AwEHA0IABMXnsO3l9J+hnX2Rh7rl9iztUPNLnQZesl8pLnlI
Nx+B6XxZgvjMoSfSTZ3+oVnkm7b5fSHZ7qie6zspBPOrFE6jgZMwgZAwDAYDVR0T
AQH/BAIwADAOBgNVHQ8BAf8EBAMCAwgwEwYDVR0lBAwwCgYIKwYBBQUHAwQwGwYD
VR0RBBQwEoEQZnV6ekBleGFtcGxlLmNvbTAdBgNVHQ4EFgQUmeisjow5CazIFmvZ
ykJOjXUw5DMwHwYDVR0jBBgwFoAUGjZJwLVV4p64ic2oXDV824SQnyAwCgYIKoZI
zj0EAwIDSAAwRQIgfAzKNO0SjffF2m4GK11hmvJnYHlN2Q+Lyi7vBwXWXmUCIQDT
JXAhbhIlB2YPHyILecVyQSCpkmie1+lSexKMZ7UO9w==
-----END CERTIFICATE-----
";

const EC_P256_KEY: &str = "\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+FfLokbbSBn0Njt5
p9He80FirZIx9G4Y78v+FLO7jUShRANCAATF57Dt5fSfoZ19kYe65fYs7VDzS50G
XrJfKS55SDcfgel8WYL4zKEn0k2d/qFZ5Ju2+X0h2e6onus7KQTzqxRO
-----END PRIVATE KEY-----
";

const RFC9936_CERT: &[u8] =
    include_bytes!("../../tests/vectors/lamps-cms-kyber/example/ML-KEM-512.pem");
const RFC9936_KEY: &[u8] =
    include_bytes!("../../tests/vectors/lamps-cms-kyber/example/ML-KEM-512-seed.priv");

fn identities() -> &'static [(Certificate, PrivateKey)] {
    static IDS: OnceLock<Vec<(Certificate, PrivateKey)>> = OnceLock::new();
    IDS.get_or_init(|| {
        [
            (ML_KEM_768_CERT.as_bytes(), ML_KEM_768_KEY.as_bytes()),
            (RSA_2048_CERT.as_bytes(), RSA_2048_KEY.as_bytes()),
            (EC_P256_CERT.as_bytes(), EC_P256_KEY.as_bytes()),
            (RFC9936_CERT, RFC9936_KEY),
        ]
        .into_iter()
        .map(|(c, k)| {
            let cert = Certificate::from_pem_or_der(c)
                .expect("fixture certificate")
                .remove(0);
            let key = PrivateKey::from_pem_or_der(k).expect("fixture key");
            (cert, key)
        })
        .collect()
    })
}

/// Hands out the input in pieces of 1 to 13 bytes.
struct Pieces<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.step = self.step % 13 + 1;
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fuzz_target!(|data: &[u8]| {
    for (cert, key) in identities() {
        let dk = DecryptionKey::new(cert, key).expect("matching fixture pair");
        let mut whole = MemorySink::new();
        let a = decrypt_stream(data, &dk, &mut whole);
        let mut pieces = MemorySink::new();
        let b = decrypt_stream(
            Pieces {
                data,
                step: data.len() % 7,
            },
            &dk,
            &mut pieces,
        );
        let (whole, pieces) = (whole.into_inner(), pieces.into_inner());
        // RSA PKCS #1 v1.5 key transport with bad padding falls back to a *random* CEK (RFC
        // 3218 §2.3.2), so with AES-CBC (no tag) each run may fail, or "succeed" with
        // garbage when the random key happens to give valid padding: the two reads need not
        // agree, but content is still released only on success.
        let random_fallback =
            |i: &DecryptInfo| i.recipient == RecipientKind::KeyTransport && !i.authenticated;
        match (&a, &b) {
            (Ok(i), Err(e)) | (Err(e), Ok(i))
                if random_fallback(i) && matches!(e, pqsmime::Error::Decrypt) =>
            {
                let (ok, failed) = if a.is_ok() {
                    (whole, pieces)
                } else {
                    (pieces, whole)
                };
                assert_eq!(ok.map(|c| c.len() as u64), Some(i.content_len));
                assert!(failed.is_none(), "content released after a failure");
            }
            (Ok(ia), Ok(ib)) if random_fallback(ia) => {
                assert_eq!(whole.map(|c| c.len() as u64), Some(ia.content_len));
                assert_eq!(pieces.map(|c| c.len() as u64), Some(ib.content_len));
            }
            (Ok(ia), Ok(ib)) => {
                assert_eq!(ia, ib);
                let content = whole.expect("a successful decryption publishes its content");
                assert_eq!(content.len() as u64, ia.content_len);
                assert_eq!(Some(&content), pieces.as_ref());
            }
            (Err(ea), Err(eb)) => {
                assert_eq!(ea.kind(), eb.kind(), "{ea} / {eb}");
                assert!(
                    whole.is_none() && pieces.is_none(),
                    "content released after {ea}"
                );
            }
            _ => panic!("whole and piecewise reads disagree: {a:?} / {b:?}"),
        }
    }
});
