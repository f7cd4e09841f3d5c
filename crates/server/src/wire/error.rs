//! The one error type every service answers with ([`ApiError`]: a code, its HTTP status and AWS's message, with its provenance beside it), and the wire's own rejections ([`Rejection`]), whose code and status each protocol decides in one place.

use axum::http::StatusCode;

use super::Protocol;
use super::members::Violation;

/// Where an error's message comes from. It travels beside the message (the
/// `x-copylab-provenance` response header), never inside it: the text on the wire is what AWS
/// would send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provenance {
    /// AWS's own text, from the reference or the pinned models.
    Aws,
    /// copylab's text where AWS documents none: the general form AWS uses, or copylab's own
    /// wording (the catalog and the docs say which).
    Modeled,
}

impl Provenance {
    /// The value of the `x-copylab-provenance` header.
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Aws => "aws",
            Provenance::Modeled => "modeled",
        }
    }
}

/// An error as an AWS service answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The exception name (`X-Amzn-Errortype`, `__type`, `<Code>`).
    pub code: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// The message, exactly as it goes on the wire.
    pub message: String,
    /// Where the message comes from.
    pub provenance: Provenance,
    /// The error shape's `Reason` member, where the model gives the exception one
    /// (Organizations' `InvalidInputException`); awsJson answers it beside the message.
    pub reason: Option<&'static str>,
    /// copylab's help for the person reading the answer (the `x-copylab-hint` header and the
    /// log line), beside AWS's message, never in it.
    pub hint: Option<String>,
}

impl ApiError {
    /// An error with AWS's message.
    pub fn new(code: &'static str, status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            status,
            message: message.into(),
            provenance: Provenance::Aws,
            reason: None,
            hint: None,
        }
    }

    /// The same error with copylab's help beside it.
    #[must_use]
    pub fn with_hint(self, hint: impl Into<String>) -> Self {
        ApiError {
            hint: Some(hint.into()),
            ..self
        }
    }

    /// The same error with its shape's `Reason` member.
    #[must_use]
    pub fn with_reason(self, reason: &'static str) -> Self {
        ApiError {
            reason: Some(reason),
            ..self
        }
    }

    /// The same error, its message marked as modeled.
    #[must_use]
    pub fn modeled(self) -> Self {
        ApiError {
            provenance: Provenance::Modeled,
            ..self
        }
    }

    /// `MissingParameterValueException` (400).
    pub fn missing(message: impl Into<String>) -> Self {
        Self::new("MissingParameterValueException", StatusCode::BAD_REQUEST, message)
    }

    /// `InvalidParameterValueException` (400).
    pub fn invalid_value(message: impl Into<String>) -> Self {
        Self::new("InvalidParameterValueException", StatusCode::BAD_REQUEST, message)
    }

    /// `InvalidRequestException` (400).
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new("InvalidRequestException", StatusCode::BAD_REQUEST, message)
    }

    /// `ResourceNotFoundException` (400, as the API reference gives it).
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new("ResourceNotFoundException", StatusCode::BAD_REQUEST, message)
    }

    /// `AccessDeniedException` with the message AWS Backup answers for vaults that do not
    /// exist (403, observed on the wire: facts §2.4).
    pub fn access_denied() -> Self {
        Self::new(
            "AccessDeniedException",
            StatusCode::FORBIDDEN,
            "Insufficient privileges to perform this action.",
        )
    }

    /// The answer for an operation of a model that copylab does not implement (modeled: AWS
    /// implements it).
    pub fn not_implemented(operation: &str) -> Self {
        Self::new(
            "NotImplementedException",
            StatusCode::NOT_IMPLEMENTED,
            format!("copylab does not implement {operation} yet"),
        )
        .modeled()
    }
}

/// What the wire refuses before a service runs. Each protocol gives it its own code, status and
/// message in [`Rejection::into_error`], the one place that knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// An access key the world does not know (named here), or a session token that does not
    /// match its key.
    UnknownKey(String),
    /// Temporary credentials past their expiration.
    ExpiredToken,
    /// The body is not a JSON object, or names a member the model does not have (modeled text).
    Serialization(String),
    /// The input breaks the model: missing members, wrong types, constraints.
    Invalid(Vec<Violation>),
    /// Any other error, as it is (signature errors, which carry their protocol already).
    Error(ApiError),
}

impl From<ApiError> for Rejection {
    fn from(error: ApiError) -> Self {
        Rejection::Error(error)
    }
}

/// What copylab tells the person whose key it does not know (beside AWS's message).
fn unknown_key_hint(key: &str) -> String {
    format!(
        "copylab does not know access key `{key}`: use a 12-digit account id as the access key id (that account, unauthenticated, unless the world sets `require_credentials`), a key the world lists in `credentials` (with its session token for temporary ones), or start `copylab serve --accept-any-key ACCOUNT`"
    )
}

impl Rejection {
    /// The error `protocol` answers.
    pub fn into_error(self, protocol: Protocol) -> ApiError {
        match self {
            // Messages: restJson and query are AWS's without a final period, awsJson1_1's with
            // one (facts aws-org-wire §2.1, §2.2).
            Rejection::UnknownKey(key) => match protocol {
                Protocol::RestJson => ApiError::new(
                    "UnrecognizedClientException",
                    StatusCode::FORBIDDEN,
                    "The security token included in the request is invalid",
                ),
                Protocol::Json => ApiError::new(
                    "UnrecognizedClientException",
                    StatusCode::BAD_REQUEST,
                    "The security token included in the request is invalid.",
                ),
                Protocol::Query => ApiError::new(
                    "InvalidClientTokenId",
                    StatusCode::FORBIDDEN,
                    "The security token included in the request is invalid",
                ),
            }
            .with_hint(unknown_key_hint(&key)),
            // The message is AWS's (STS GetCallerIdentity, prowler-cloud/prowler#789; IAM,
            // cfn-sphere/cfn-sphere#55: `ExpiredToken`, 403). The awsJson and restJson codes
            // follow the generic Common Errors pages (`ExpiredTokenException`); their statuses
            // are not documented per service, so they are modeled.
            Rejection::ExpiredToken => {
                let message = "The security token included in the request is expired";
                match protocol {
                    Protocol::Query => ApiError::new("ExpiredToken", StatusCode::FORBIDDEN, message),
                    Protocol::Json => ApiError::new("ExpiredTokenException", StatusCode::BAD_REQUEST, message),
                    Protocol::RestJson => ApiError::new("ExpiredTokenException", StatusCode::FORBIDDEN, message),
                }
            }
            Rejection::Serialization(message) => match protocol {
                Protocol::Query => ApiError::new("ValidationError", StatusCode::BAD_REQUEST, message).modeled(),
                _ => ApiError::new("SerializationException", StatusCode::BAD_REQUEST, message).modeled(),
            },
            Rejection::Invalid(violations) => invalid(protocol, &violations),
            Rejection::Error(error) => error,
        }
    }
}

/// Model violations as each protocol answers them. AWS's services answer constraint failures
/// with the framework wording `N validation error(s) detected: Value ... at '...' failed to
/// satisfy constraint: ...`; AWS Backup answers a missing required member with
/// `MissingParameterValueException` and the catalog's message. The codes for the JSON and
/// query services (`ValidationException`, `ValidationError`) are the ones those services name
/// for constraint failures; the texts are AWS's general form, so modeled.
fn invalid(protocol: Protocol, violations: &[Violation]) -> ApiError {
    if protocol == Protocol::RestJson
        && let Some(member) = violations.iter().find_map(Violation::missing_member)
    {
        return super::members::missing_parameter(member);
    }
    if let Some(wrong) = violations.iter().find(|v| v.is_wrong_type()) {
        let code = match protocol {
            Protocol::RestJson => "InvalidRequestException",
            Protocol::Json => "ValidationException",
            Protocol::Query => "ValidationError",
        };
        return ApiError::new(code, StatusCode::BAD_REQUEST, wrong.text()).modeled();
    }
    let code = match protocol {
        Protocol::RestJson => "InvalidParameterValueException",
        Protocol::Json => "ValidationException",
        Protocol::Query => "ValidationError",
    };
    ApiError::new(code, StatusCode::BAD_REQUEST, super::members::detected(violations)).modeled()
}

/// The code each protocol's services use for an input they refuse after the model's checks
/// (AWS Backup's `InvalidParameterValueException`, awsJson's `ValidationException`, the query
/// services' `ValidationError`).
pub fn validation_code(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::RestJson => "InvalidParameterValueException",
        Protocol::Json => "ValidationException",
        Protocol::Query => "ValidationError",
    }
}
