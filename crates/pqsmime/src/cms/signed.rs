//! SignedData (RFC 5652 §5). In progress.
