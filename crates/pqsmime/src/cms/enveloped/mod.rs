//! EnvelopedData and AuthEnvelopedData (RFC 5652 §6, RFC 5083, RFC 9629). In progress.
