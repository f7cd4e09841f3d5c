//! The wire layer, naming no service: the restJson1, awsJson1_1 and query edges, SigV4 and the caller, the model's operation tables and member checks, paging, XML, and the one error type.
//!
//! A service hands the wire its operation table and a handler; the wire turns bytes into a
//! checked input and an answer back into bytes. Credentials come from the world and "now" from
//! the caller of [`caller::authenticate`]; nothing here reads the virtual clock or names a
//! service.

pub mod caller;
pub mod error;
pub mod json1;
pub mod members;
pub mod model;
pub mod paging;
pub mod query;
pub mod rest_json;
pub mod sigv4;
pub mod xml;

use std::time::Duration;

use axum::http::StatusCode;

pub use caller::Caller;
pub use error::{ApiError, Provenance, Rejection};

/// Which wire protocol a service speaks: it decides the shape of answers and errors and the
/// codes and statuses of the wire's own rejections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// restJson1 (AWS Backup): route from method and path, `{"Code", "Message"}` errors.
    RestJson,
    /// awsJson1_1 (AWS KMS, AWS Organizations): operation from `X-Amz-Target`, `{"__type", "message"}` errors.
    Json,
    /// The query protocol (AWS STS, AWS IAM): form bodies, XML answers.
    Query,
}

impl Protocol {
    /// The status of this protocol's authentication errors (facts aws-org-wire §2.1: awsJson
    /// answers them with 400, restJson and query with 403).
    pub fn auth_status(self) -> StatusCode {
        match self {
            Protocol::RestJson | Protocol::Query => StatusCode::FORBIDDEN,
            Protocol::Json => StatusCode::BAD_REQUEST,
        }
    }

    /// The code for a signature that does not verify or a time outside the window.
    pub fn signature_code(self) -> &'static str {
        match self {
            Protocol::RestJson | Protocol::Json => "InvalidSignatureException",
            Protocol::Query => "SignatureDoesNotMatch",
        }
    }

    /// How far a request's time may be from the server's: 5 minutes for JSON services, 15 for
    /// STS (facts aws-org-wire §2: "(X - 5 min.)", "(X - 15 min.)").
    pub fn skew(self) -> Duration {
        match self {
            Protocol::RestJson | Protocol::Json => Duration::from_secs(5 * 60),
            Protocol::Query => Duration::from_secs(15 * 60),
        }
    }
}

/// Adds `x-amzn-RequestId`.
pub fn with_request_id(mut response: axum::response::Response, request_id: &str) -> axum::response::Response {
    if let Ok(value) = axum::http::HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-amzn-requestid", value);
    }
    response
}

/// Adds `x-amzn-RequestId` and `x-copylab-provenance` (where the message comes from: `aws` or
/// `modeled`), which every protocol's error answer carries, and `x-copylab-hint`, copylab's help
/// beside AWS's message, where it has some.
pub fn with_error_headers(
    response: axum::response::Response,
    error: &ApiError,
    request_id: &str,
) -> axum::response::Response {
    let mut response = with_request_id(response, request_id);
    response.headers_mut().insert(
        "x-copylab-provenance",
        axum::http::HeaderValue::from_static(error.provenance.as_str()),
    );
    if let Some(hint) = error.hint.as_deref()
        && let Ok(value) = axum::http::HeaderValue::from_str(hint)
    {
        response.headers_mut().insert("x-copylab-hint", value);
    }
    response
}
