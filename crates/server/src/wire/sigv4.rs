//! SigV4 verification: the canonical request rebuilt from what the client sent (its `SignedHeaders`, `X-Amz-Date`, the raw path and query), signed with the key's secret through `aws-sigv4`, and compared; the request time judged against the wall clock.
//!
//! Errors are each protocol family's own (facts aws-org-wire §2): awsJson1_1 answers
//! `InvalidSignatureException` with HTTP 400, restJson1 with 403 (observed for Lambda; AWS
//! Backup's is not documented, so modeled after it).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};

use crate::wire::{ApiError, Protocol};

/// The parts of `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// `AKID/DATE/REGION/SERVICE/aws4_request`.
    pub scope: &'a str,
    /// Lowercase header names, `;`-separated.
    pub signed_headers: &'a str,
    /// Hex.
    pub signature: &'a str,
}

/// Reads the `Authorization` header's three parts.
pub fn authorization(value: &str) -> Option<Authorization<'_>> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256")?;
    let mut scope = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            scope = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed_headers = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    Some(Authorization {
        scope: scope?,
        signed_headers: signed_headers?,
        signature: signature?,
    })
}

/// What was sent, as sent.
#[derive(Debug, Clone, Copy)]
pub struct Sent<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The path, still percent-encoded.
    pub raw_path: &'a str,
    /// The query string, still percent-encoded.
    pub raw_query: Option<&'a str>,
    /// The headers.
    pub headers: &'a HeaderMap,
    /// The body.
    pub body: &'a [u8],
}

/// Verifies the request's signature with `secret`, and its time against `now`.
pub fn verify(sent: &Sent<'_>, secret: &str, now: SystemTime, family: Protocol) -> Result<(), ApiError> {
    let incomplete = |message: &str| {
        // Modeled message: the code is AWS's (facts aws-org-wire §2.2), the text copylab's.
        ApiError::new("IncompleteSignature", family.auth_status(), message.to_owned()).modeled()
    };
    let header = |name: &str| sent.headers.get(name).and_then(|v| v.to_str().ok());
    let auth = header("authorization").and_then(authorization).ok_or_else(|| {
        incomplete("the Authorization header is not AWS4-HMAC-SHA256 with Credential, SignedHeaders and Signature")
    })?;
    let amz_date = header("x-amz-date").ok_or_else(|| incomplete("the request has no X-Amz-Date header"))?;
    let request_time = parse_amz_date(amz_date).ok_or_else(|| incomplete("X-Amz-Date is not YYYYMMDDTHHMMSSZ"))?;
    let mut scope_parts = auth.scope.splitn(5, '/');
    let (Some(_key), Some(date), Some(region), Some(service), Some("aws4_request")) = (
        scope_parts.next(),
        scope_parts.next(),
        scope_parts.next(),
        scope_parts.next(),
        scope_parts.next(),
    ) else {
        return Err(incomplete(
            "the credential scope is not AKID/DATE/REGION/SERVICE/aws4_request",
        ));
    };
    // The time window first, as AWS reports an expired signature before checking it.
    let (now_secs, request_secs) = (seconds(now), seconds(request_time));
    let skew = family.skew().as_secs();
    let minutes = skew / 60;
    if request_secs + skew < now_secs {
        return Err(ApiError::new(
            family.signature_code(),
            family.auth_status(),
            format!(
                "Signature expired: {amz_date} is now earlier than {} ({} - {minutes} min.)",
                format_amz_date(now_secs.saturating_sub(skew)),
                format_amz_date(now_secs)
            ),
        ));
    }
    if request_secs > now_secs + skew {
        return Err(ApiError::new(
            family.signature_code(),
            family.auth_status(),
            format!(
                "Signature not yet current: {amz_date} is still later than {} ({} + {minutes} min.)",
                format_amz_date(now_secs + skew),
                format_amz_date(now_secs)
            ),
        ));
    }
    let canonical = canonical_request(sent, auth.signed_headers);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{date}/{region}/{service}/aws4_request\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let key = aws_sigv4::sign::v4::generate_signing_key(secret, request_time, region, service);
    let expected = aws_sigv4::sign::v4::calculate_signature(key, string_to_sign.as_bytes());
    if expected != auth.signature || !date_matches(date, amz_date) {
        // AWS's message (KMS raw body, aws/aws-sdk-cpp#1681; the query protocol's
        // SignatureDoesNotMatch says the same, facts aws-org-wire §2.2).
        return Err(ApiError::new(
            family.signature_code(),
            family.auth_status(),
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ));
    }
    Ok(())
}

fn date_matches(scope_date: &str, amz_date: &str) -> bool {
    amz_date.get(..8) == Some(scope_date)
}

/// The canonical request of SigV4 for a service other than S3 (path segments encoded again).
pub fn canonical_request(sent: &Sent<'_>, signed_headers: &str) -> String {
    let path = if sent.raw_path.is_empty() { "/" } else { sent.raw_path };
    let canonical_uri = encode(path, false);
    let mut pairs: Vec<(String, String)> = sent
        .raw_query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (encode(&decode(k), true), encode(&decode(v), true))
        })
        .collect();
    pairs.sort();
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut headers = String::new();
    for name in signed_headers.split(';') {
        let values: Vec<String> = sent
            .headers
            .get_all(name)
            .iter()
            .map(|v| {
                String::from_utf8_lossy(v.as_bytes())
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        headers.push_str(name);
        headers.push(':');
        headers.push_str(&values.join(","));
        headers.push('\n');
    }
    // The body is always hashed: an `x-amz-content-sha256` header that says otherwise (or
    // `UNSIGNED-PAYLOAD`) does not stand in for it, so the signature covers what was sent.
    let payload = hex::encode(Sha256::digest(sent.body));
    format!(
        "{}\n{canonical_uri}\n{query}\n{headers}\n{signed_headers}\n{payload}",
        sent.method
    )
}

/// SigV4's URI encoding (RFC 3986): unreserved characters as they are, `/` kept in paths
/// unless `slash`, the rest `%XX`.
pub(crate) fn encode(text: &str, slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') || (byte == b'/' && !slash) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn decode(text: &str) -> String {
    crate::wire::model::percent_decode(text).unwrap_or_else(|| text.to_owned())
}

fn seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Parses `20180920T174101Z`.
pub fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    // The world's timestamp reader checks the calendar (no February 31).
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        text.get(0..4)?,
        text.get(4..6)?,
        text.get(6..8)?,
        text.get(9..11)?,
        text.get(11..13)?,
        text.get(13..15)?
    );
    let secs = copylab_rules::world::timestamp_seconds(&iso)?;
    u64::try_from(secs).ok().map(|s| UNIX_EPOCH + Duration::from_secs(s))
}

/// Formats epoch seconds as `20180920T174101Z`.
pub fn format_amz_date(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_dates_round_trip() {
        assert_eq!(parse_amz_date("20230231T000000Z"), None, "February 31 is no date");
        for text in ["20180920T174101Z", "20261128T000000Z", "20000229T235959Z"] {
            let time = parse_amz_date(text).unwrap();
            assert_eq!(format_amz_date(seconds(time)), text);
        }
        assert!(parse_amz_date("2018-09-20T17:41:01Z").is_none());
    }

    /// The AWS SigV4 test suite's `get-vanilla` case (aws-sig-v4-test-suite), whose secret and
    /// signature are published.
    #[test]
    fn the_sigv4_test_suite_vanilla_get_verifies() {
        let mut headers = HeaderMap::new();
        headers.insert("host", "example.amazonaws.com".parse().unwrap());
        headers.insert("x-amz-date", "20150830T123600Z".parse().unwrap());
        headers.insert(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
                .parse()
                .unwrap(),
        );
        let sent = Sent {
            method: "GET",
            raw_path: "/",
            raw_query: None,
            headers: &headers,
            body: b"",
        };
        let now = parse_amz_date("20150830T123700Z").unwrap();
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        assert_eq!(verify(&sent, secret, now, Protocol::Json), Ok(()));
        assert_eq!(
            verify(&sent, "wrong", now, Protocol::Json).unwrap_err().code,
            "InvalidSignatureException"
        );
        let later = parse_amz_date("20150830T124200Z").unwrap();
        assert_eq!(
            verify(&sent, secret, later, Protocol::Json).unwrap_err().message,
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T124200Z - 5 min.)"
        );
    }
}
