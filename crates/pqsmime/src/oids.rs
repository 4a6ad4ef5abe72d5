//! Object identifiers for CMS content types, attributes, X.509 names and extensions.
//! Algorithm OIDs live in [`crate::alg::oid`].

use const_oid::ObjectIdentifier as Oid;

// RFC 5652 §4-§9, RFC 5083, RFC 3161: content types.
pub const ID_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
pub const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
pub const ID_ENVELOPED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.3");
pub const ID_DIGESTED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.5");
pub const ID_ENCRYPTED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.6");
pub const ID_CT_AUTH_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.2");
pub const ID_CT_TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");
pub const ID_CT_COMPRESSED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.9");
pub const ID_CT_AUTH_ENVELOPED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.23");

// PKCS #9 / RFC 5652 §11: attributes.
pub const ID_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
pub const ID_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
pub const ID_SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
pub const ID_COUNTERSIGNATURE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.6");
pub const ID_SMIME_CAPABILITIES: Oid = Oid::new_unwrap("1.2.840.113549.1.9.15");
pub const ID_CMS_ALGORITHM_PROTECTION: Oid = Oid::new_unwrap("1.2.840.113549.1.9.52");
// RFC 5035: ESS signing-certificate-v2.
pub const ID_AA_SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");
pub const ID_AA_SIGNING_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.12");
// RFC 8551 §2.5.3: SMIMEEncryptionKeyPreference.
pub const ID_AA_ENCRYPTION_KEY_PREF: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.11");
// RFC 3161: signature time-stamp token (unsigned attribute).
pub const ID_AA_TIME_STAMP_TOKEN: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.14");

// RFC 9629: KEMRecipientInfo.
pub const ID_ORI_KEM: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.13.3");

// X.520 / RFC 5280 name attributes.
pub const AT_COMMON_NAME: Oid = Oid::new_unwrap("2.5.4.3");
pub const AT_SURNAME: Oid = Oid::new_unwrap("2.5.4.4");
pub const AT_SERIAL_NUMBER: Oid = Oid::new_unwrap("2.5.4.5");
pub const AT_COUNTRY: Oid = Oid::new_unwrap("2.5.4.6");
pub const AT_LOCALITY: Oid = Oid::new_unwrap("2.5.4.7");
pub const AT_STATE: Oid = Oid::new_unwrap("2.5.4.8");
pub const AT_STREET: Oid = Oid::new_unwrap("2.5.4.9");
pub const AT_ORGANIZATION: Oid = Oid::new_unwrap("2.5.4.10");
pub const AT_ORGANIZATIONAL_UNIT: Oid = Oid::new_unwrap("2.5.4.11");
pub const AT_TITLE: Oid = Oid::new_unwrap("2.5.4.12");
pub const AT_GIVEN_NAME: Oid = Oid::new_unwrap("2.5.4.42");
pub const AT_PSEUDONYM: Oid = Oid::new_unwrap("2.5.4.65");
pub const AT_ORGANIZATION_IDENTIFIER: Oid = Oid::new_unwrap("2.5.4.97");
pub const AT_EMAIL_ADDRESS: Oid = Oid::new_unwrap("1.2.840.113549.1.9.1");

// RFC 5280 extensions.
pub const EXT_SUBJECT_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.14");
pub const EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
pub const EXT_SUBJECT_ALT_NAME: Oid = Oid::new_unwrap("2.5.29.17");
pub const EXT_ISSUER_ALT_NAME: Oid = Oid::new_unwrap("2.5.29.18");
pub const EXT_BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
pub const EXT_NAME_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.30");
pub const EXT_CRL_DISTRIBUTION_POINTS: Oid = Oid::new_unwrap("2.5.29.31");
pub const EXT_CERTIFICATE_POLICIES: Oid = Oid::new_unwrap("2.5.29.32");
pub const EXT_POLICY_MAPPINGS: Oid = Oid::new_unwrap("2.5.29.33");
pub const EXT_AUTHORITY_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.35");
pub const EXT_POLICY_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.36");
pub const EXT_EXTENDED_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
pub const EXT_INHIBIT_ANY_POLICY: Oid = Oid::new_unwrap("2.5.29.54");
pub const EXT_AUTHORITY_INFO_ACCESS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.1");
pub const EXT_CRL_NUMBER: Oid = Oid::new_unwrap("2.5.29.20");
pub const EXT_CRL_REASON: Oid = Oid::new_unwrap("2.5.29.21");

// RFC 5280 §4.2.1.12: extended key usages.
pub const KP_EMAIL_PROTECTION: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.4");
pub const KP_SERVER_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.1");
pub const KP_CLIENT_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.2");
pub const KP_CODE_SIGNING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.3");
pub const KP_TIME_STAMPING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.8");
pub const ANY_EXTENDED_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37.0");

// RFC 9598: SmtpUTF8Mailbox other-name.
pub const ON_SMTP_UTF8_MAILBOX: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.8.9");

// Content encryption, key wrap and KDFs used in the encryption layer (RFC 3565, 5084, 3394, 8619).
pub const AES128_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.2");
pub const AES192_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.22");
pub const AES256_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.42");
pub const AES128_GCM: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.6");
pub const AES192_GCM: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.26");
pub const AES256_GCM: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.46");
pub const AES128_WRAP: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.5");
pub const AES192_WRAP: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.25");
pub const AES256_WRAP: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.45");
/// RFC 3217 Triple-DES key wrap (old KeyAgree/KEK messages with 3DES content); not supported.
pub const ID_ALG_CMS3DES_WRAP: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.3.6");
pub const HKDF_SHA256: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.3.28");
pub const HKDF_SHA384: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.3.29");
pub const HKDF_SHA512: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.3.30");
pub const DES_EDE3_CBC: Oid = Oid::new_unwrap("1.2.840.113549.3.7");

/// Short names for the OIDs above, for reports and `inspect`.
pub fn name(o: &Oid) -> Option<&'static str> {
    let table: &[(Oid, &str)] = &[
        (ID_DATA, "id-data"),
        (ID_SIGNED_DATA, "id-signedData"),
        (ID_ENVELOPED_DATA, "id-envelopedData"),
        (ID_DIGESTED_DATA, "id-digestedData"),
        (ID_ENCRYPTED_DATA, "id-encryptedData"),
        (ID_CT_AUTH_DATA, "id-ct-authData"),
        (ID_CT_TST_INFO, "id-ct-TSTInfo"),
        (ID_CT_COMPRESSED_DATA, "id-ct-compressedData"),
        (ID_CT_AUTH_ENVELOPED_DATA, "id-ct-authEnvelopedData"),
        (ID_CONTENT_TYPE, "content-type"),
        (ID_MESSAGE_DIGEST, "message-digest"),
        (ID_SIGNING_TIME, "signing-time"),
        (ID_COUNTERSIGNATURE, "countersignature"),
        (ID_SMIME_CAPABILITIES, "SMIMECapabilities"),
        (ID_CMS_ALGORITHM_PROTECTION, "CMSAlgorithmProtection"),
        (ID_AA_SIGNING_CERTIFICATE_V2, "signing-certificate-v2"),
        (ID_AA_SIGNING_CERTIFICATE, "signing-certificate"),
        (ID_AA_ENCRYPTION_KEY_PREF, "SMIMEEncryptionKeyPreference"),
        (ID_AA_TIME_STAMP_TOKEN, "signature-time-stamp-token"),
        (ID_ORI_KEM, "id-ori-kem (KEMRecipientInfo)"),
        (AT_COMMON_NAME, "CN"),
        (AT_SURNAME, "SN"),
        (AT_SERIAL_NUMBER, "serialNumber"),
        (AT_COUNTRY, "C"),
        (AT_LOCALITY, "L"),
        (AT_STATE, "ST"),
        (AT_STREET, "street"),
        (AT_ORGANIZATION, "O"),
        (AT_ORGANIZATIONAL_UNIT, "OU"),
        (AT_TITLE, "title"),
        (AT_GIVEN_NAME, "GN"),
        (AT_PSEUDONYM, "pseudonym"),
        (AT_ORGANIZATION_IDENTIFIER, "organizationIdentifier"),
        (AT_EMAIL_ADDRESS, "emailAddress"),
        (EXT_SUBJECT_KEY_IDENTIFIER, "subjectKeyIdentifier"),
        (EXT_KEY_USAGE, "keyUsage"),
        (EXT_SUBJECT_ALT_NAME, "subjectAltName"),
        (EXT_ISSUER_ALT_NAME, "issuerAltName"),
        (EXT_BASIC_CONSTRAINTS, "basicConstraints"),
        (EXT_NAME_CONSTRAINTS, "nameConstraints"),
        (EXT_CRL_DISTRIBUTION_POINTS, "cRLDistributionPoints"),
        (EXT_CERTIFICATE_POLICIES, "certificatePolicies"),
        (EXT_POLICY_MAPPINGS, "policyMappings"),
        (EXT_AUTHORITY_KEY_IDENTIFIER, "authorityKeyIdentifier"),
        (EXT_POLICY_CONSTRAINTS, "policyConstraints"),
        (EXT_EXTENDED_KEY_USAGE, "extKeyUsage"),
        (EXT_INHIBIT_ANY_POLICY, "inhibitAnyPolicy"),
        (EXT_AUTHORITY_INFO_ACCESS, "authorityInfoAccess"),
        (EXT_CRL_NUMBER, "cRLNumber"),
        (EXT_CRL_REASON, "cRLReason"),
        (KP_EMAIL_PROTECTION, "emailProtection"),
        (KP_SERVER_AUTH, "serverAuth"),
        (KP_CLIENT_AUTH, "clientAuth"),
        (KP_CODE_SIGNING, "codeSigning"),
        (KP_TIME_STAMPING, "timeStamping"),
        (ANY_EXTENDED_KEY_USAGE, "anyExtendedKeyUsage"),
        (ON_SMTP_UTF8_MAILBOX, "SmtpUTF8Mailbox"),
        (AES128_CBC, "AES-128-CBC"),
        (AES192_CBC, "AES-192-CBC"),
        (AES256_CBC, "AES-256-CBC"),
        (AES128_GCM, "AES-128-GCM"),
        (AES192_GCM, "AES-192-GCM"),
        (AES256_GCM, "AES-256-GCM"),
        (AES128_WRAP, "AES-128 key wrap"),
        (AES192_WRAP, "AES-192 key wrap"),
        (AES256_WRAP, "AES-256 key wrap"),
        (HKDF_SHA256, "HKDF-SHA256"),
        (HKDF_SHA384, "HKDF-SHA384"),
        (HKDF_SHA512, "HKDF-SHA512"),
        (DES_EDE3_CBC, "3DES-CBC"),
        (
            ID_ALG_CMS3DES_WRAP,
            "id-alg-CMS3DESwrap (Triple-DES key wrap, RFC 3217)",
        ),
    ];
    table.iter().find(|(k, _)| k == o).map(|(_, v)| *v)
}
