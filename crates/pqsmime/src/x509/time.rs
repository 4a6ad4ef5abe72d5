//! X.509 `Time` (RFC 5280 §4.1.2.5): strict parsing of UTCTime and GeneralizedTime, the
//! encoding rule for issuing (UTCTime through 2049, GeneralizedTime from 2050), and RFC 3339
//! formatting for messages.
//!
//! Dates are converted with the proleptic Gregorian calendar arithmetic of H. Hinnant's
//! "chrono-compatible low-level date algorithms" (days from civil and back), so no date crate
//! is needed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::asn1::{self, TAG_GENERALIZED_TIME, TAG_UTC_TIME};
use crate::error::{Error, Result};

/// A calendar instant in UTC with whole seconds, as X.509 carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct UtcDateTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// Days since 1970-01-01 for a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400; // [0, 399]
    let m = i64::from(m);
    let d = i64::from(d);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146097 + doe - 719468
}

/// The date for a count of days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

impl UtcDateTime {
    /// Seconds since the Unix epoch (negative before 1970).
    pub fn unix_seconds(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    pub fn from_unix_seconds(secs: i64) -> UtcDateTime {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        UtcDateTime {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: (rem % 3600) / 60,
            second: rem % 60,
        }
    }

    pub fn to_system_time(self) -> SystemTime {
        let s = self.unix_seconds();
        if s >= 0 {
            UNIX_EPOCH + Duration::from_secs(s as u64)
        } else {
            UNIX_EPOCH - Duration::from_secs(s.unsigned_abs())
        }
    }

    /// Whole seconds of `t` (sub-second parts are dropped, towards the past).
    pub fn from_system_time(t: SystemTime) -> UtcDateTime {
        let secs = match t.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(e) => {
                let d = e.duration();
                let whole = d.as_secs() as i64;
                if d.subsec_nanos() > 0 {
                    -whole - 1
                } else {
                    -whole
                }
            }
        };
        UtcDateTime::from_unix_seconds(secs)
    }

    /// DER `Time` as RFC 5280 §4.1.2.5 prescribes: UTCTime for 1950–2049, GeneralizedTime
    /// otherwise (years outside 0–9999 cannot be encoded).
    pub fn to_der(self) -> Result<Vec<u8>> {
        if (1950..2050).contains(&self.year) {
            let s = format!(
                "{:02}{:02}{:02}{:02}{:02}{:02}Z",
                self.year % 100,
                self.month,
                self.day,
                self.hour,
                self.minute,
                self.second
            );
            Ok(asn1::tlv(TAG_UTC_TIME, s.as_bytes()))
        } else if (0..=9999).contains(&self.year) {
            let s = format!(
                "{:04}{:02}{:02}{:02}{:02}{:02}Z",
                self.year, self.month, self.day, self.hour, self.minute, self.second
            );
            Ok(asn1::tlv(TAG_GENERALIZED_TIME, s.as_bytes()))
        } else {
            Err(Error::Usage(format!(
                "the year {} cannot be written in a certificate validity field",
                self.year
            )))
        }
    }
}

impl std::fmt::Display for UtcDateTime {
    /// RFC 3339, e.g. `2025-01-01T00:00:00Z`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// RFC 3339 text for a `SystemTime` (whole seconds, UTC).
pub fn format_rfc3339(t: SystemTime) -> String {
    UtcDateTime::from_system_time(t).to_string()
}

fn digits(s: &[u8], what: &str) -> Result<u32> {
    let mut v = 0u32;
    for b in s {
        if !b.is_ascii_digit() {
            return Err(Error::malformed(format!(
                "{what} contains a non-digit where a digit is required"
            )));
        }
        v = v * 10 + u32::from(b - b'0');
    }
    Ok(v)
}

/// Parses a DER `Time` element (UTCTime `YYMMDDHHMMSSZ` or GeneralizedTime
/// `YYYYMMDDHHMMSSZ`, exactly as RFC 5280 §4.1.2.5.1/.2 require: seconds present, `Z`, no
/// fractional seconds).
pub(crate) fn parse_time(tag: u8, value: &[u8], what: &str) -> Result<UtcDateTime> {
    let (year, rest) = match tag {
        TAG_UTC_TIME => {
            if value.len() != 13 {
                return Err(Error::malformed(format!(
                    "{what}: UTCTime must have the form YYMMDDHHMMSSZ (RFC 5280 §4.1.2.5.1), found {} bytes",
                    value.len()
                )));
            }
            let yy = i64::from(digits(&value[..2], what)?);
            // RFC 5280 §4.1.2.5.1: YY >= 50 means 19YY, YY < 50 means 20YY.
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &value[2..])
        }
        TAG_GENERALIZED_TIME => {
            if value.len() != 15 {
                return Err(Error::malformed(format!(
                    "{what}: GeneralizedTime must have the form YYYYMMDDHHMMSSZ without fractional seconds (RFC 5280 §4.1.2.5.2), found {} bytes",
                    value.len()
                )));
            }
            (i64::from(digits(&value[..4], what)?), &value[4..])
        }
        t => {
            return Err(Error::malformed(format!(
                "{what}: expected UTCTime or GeneralizedTime, found tag 0x{t:02X}"
            )))
        }
    };
    // rest = MMDDHHMMSSZ
    if rest.get(10) != Some(&b'Z') {
        return Err(Error::malformed(format!(
            "{what}: time must end in 'Z' (UTC, RFC 5280 §4.1.2.5)"
        )));
    }
    let month = digits(&rest[0..2], what)?;
    let day = digits(&rest[2..4], what)?;
    let hour = digits(&rest[4..6], what)?;
    let minute = digits(&rest[6..8], what)?;
    let second = digits(&rest[8..10], what)?;
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(Error::malformed(format!(
            "{what}: {} is not a valid date and time",
            String::from_utf8_lossy(value)
        )));
    }
    Ok(UtcDateTime {
        year,
        month,
        day,
        hour,
        minute,
        second,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_over_wide_range() {
        for days in (-800_000i64..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11017);
    }

    #[test]
    fn utc_time_century_rule_and_encoding_switch() {
        let t = parse_time(TAG_UTC_TIME, b"491231235959Z", "t").unwrap();
        assert_eq!(t.year, 2049);
        assert_eq!(t.to_der().unwrap()[0], TAG_UTC_TIME);
        let t = parse_time(TAG_UTC_TIME, b"500101000000Z", "t").unwrap();
        assert_eq!(t.year, 1950);
        let g = parse_time(TAG_GENERALIZED_TIME, b"20500101000000Z", "t").unwrap();
        let der = g.to_der().unwrap();
        assert_eq!(der[0], TAG_GENERALIZED_TIME);
        assert_eq!(&der[2..], b"20500101000000Z");
        assert_eq!(g.to_string(), "2050-01-01T00:00:00Z");
    }

    #[test]
    fn strict_forms_are_enforced() {
        assert!(parse_time(TAG_UTC_TIME, b"4912312359Z", "t").is_err());
        assert!(parse_time(TAG_UTC_TIME, b"491231235959+0100", "t").is_err());
        assert!(parse_time(TAG_GENERALIZED_TIME, b"20500101000000.5Z", "t").is_err());
        assert!(parse_time(TAG_UTC_TIME, b"230229000000Z", "t").is_err());
        assert!(parse_time(TAG_UTC_TIME, b"240229000000Z", "t").is_ok());
        assert!(parse_time(TAG_UTC_TIME, b"241301000000Z", "t").is_err());
        assert!(parse_time(TAG_UTC_TIME, b"24010100006 Z", "t").is_err());
    }

    #[test]
    fn system_time_round_trip_including_before_epoch() {
        for secs in [-86_401i64, -1, 0, 1, 1_735_689_600, 4_102_444_800] {
            let t = UtcDateTime::from_unix_seconds(secs);
            assert_eq!(t.unix_seconds(), secs);
            assert_eq!(UtcDateTime::from_system_time(t.to_system_time()), t);
        }
        assert_eq!(
            format_rfc3339(UNIX_EPOCH + Duration::from_secs(1_735_689_600)),
            "2025-01-01T00:00:00Z"
        );
    }
}
