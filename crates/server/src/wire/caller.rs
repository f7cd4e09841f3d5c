//! Who calls: the access key from the SigV4 credential scope, mapped to an account and principal by the world, with the signature verified and temporary credentials' expiry checked.

use axum::http::HeaderMap;

use super::{ApiError, Protocol, Rejection};

/// Who calls, from the SigV4 credential scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The account (the access key id, when it is 12 digits, as LocalStack does; or the account
    /// of the principal a world's `credentials` map the key to).
    pub account: String,
    /// The Region from the credential scope.
    pub region: String,
    /// The principal, when a world's `credentials` name it.
    pub principal: Option<String>,
    /// The key's secret, when the world gives one: the request's signature must verify.
    pub secret: Option<String>,
    /// When temporary credentials expire, epoch seconds.
    pub expires: Option<i64>,
}

impl Caller {
    /// An account in a Region, with no principal, secret or expiry: a 12-digit access key id,
    /// and the caller the lab's sessions and the mocks call as.
    pub fn account(account: &str, region: &str) -> Caller {
        Caller {
            account: account.to_owned(),
            region: region.to_owned(),
            principal: None,
            secret: None,
            expires: None,
        }
    }
}

/// Reads the caller from `Authorization: AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, ...`.
/// Signatures are not verified here (see [`authenticate`]). Messages are AWS's for other services (facts: aws-org-wire
/// §2.2, §2.3); `IncompleteSignature`'s are modeled.
/// A 12-digit key id acts as that account unless `account_keys` is false (the world's
/// `require_credentials`). `authorization` is the header, `scope` its credential scope when the
/// header parses (read once by [`authenticate`]).
fn caller(
    authorization: Option<&str>,
    scope: Option<&str>,
    headers: &HeaderMap,
    keys: &[copylab_rules::world::AccessKey],
    (account_keys, any_key): (bool, Option<&str>),
    protocol: Protocol,
) -> Result<Caller, Rejection> {
    let Some(authorization) = authorization else {
        return Err(ApiError::new(
            "MissingAuthenticationToken",
            axum::http::StatusCode::FORBIDDEN,
            "Request is missing Authentication Token",
        )
        .into());
    };
    // A header that is not all there still names its credential when it has one.
    let credential = scope
        .or_else(|| {
            authorization
                .split([' ', ','])
                .find_map(|part| part.trim().strip_prefix("Credential="))
        })
        .ok_or_else(|| incomplete(protocol, "Authorization header requires 'Credential' parameter."))?;
    let mut scope = credential.split('/');
    let (Some(key_id), Some(_date), Some(region)) = (scope.next(), scope.next(), scope.next()) else {
        return Err(incomplete(
            protocol,
            "Credential should be scoped to AKID/DATE/REGION/SERVICE/aws4_request.",
        ));
    };
    // A Region is lowercase words and a number (`us-east-1`, `us-gov-west-1`): anything else
    // could smuggle ARN separators into the ARNs the server builds from it.
    if !is_region(region) {
        return Err(incomplete(
            protocol,
            &format!("Credential should be scoped to a valid region, not '{region}'."),
        ));
    }
    if let Some(key) = keys.iter().find(|key| key.access_key_id == key_id) {
        if let Some(token) = &key.session_token {
            let sent = headers.get("x-amz-security-token").and_then(|v| v.to_str().ok());
            if sent != Some(token.as_str()) {
                return Err(Rejection::UnknownKey(key_id.to_owned()));
            }
        }
        // The account is the principal's (world validation checks it has one).
        let account = copylab_rules::world::principal_account(&key.principal)
            .unwrap_or_default()
            .to_owned();
        // A bare account id as principal is that account's root.
        let principal = if copylab_policy::is_account_id(&key.principal) {
            format!(
                "arn:{}:iam::{}:root",
                copylab_rules::regions::partition(region),
                key.principal
            )
        } else {
            key.principal.clone()
        };
        return Ok(Caller {
            account,
            region: region.to_owned(),
            principal: Some(principal),
            secret: key.secret_access_key.clone(),
            expires: key
                .expiration
                .as_deref()
                .and_then(copylab_rules::world::timestamp_seconds),
        });
    }
    if account_keys && copylab_policy::is_account_id(key_id) {
        return Ok(Caller::account(key_id, region));
    }
    // `copylab serve --accept-any-key ACCOUNT`: any other key acts as that account, as
    // LocalStack takes `test`/`test`.
    match any_key {
        Some(account) => Ok(Caller::account(account, region)),
        None => Err(Rejection::UnknownKey(key_id.to_owned())),
    }
}

/// A Region's shape: at least three lowercase-or-digit words joined by `-`, the last a number.
fn is_region(region: &str) -> bool {
    let mut words = 0;
    let mut last = "";
    for word in region.split('-') {
        if word.is_empty() || !word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
            return false;
        }
        words += 1;
        last = word;
    }
    words >= 3 && last.bytes().all(|b| b.is_ascii_digit())
}

/// The caller, with the request's signature verified against `wall_now` when the world gives
/// the key's secret (12-digit keys and keys without a secret are unauthenticated, by design),
/// and temporary credentials checked against the virtual clock's `now` (epoch seconds), which
/// wrote their expiration.
pub fn authenticate(
    sent: &super::sigv4::Sent<'_>,
    world: &copylab_rules::World,
    (protocol, signing_name): (Protocol, &str),
    wall_now: std::time::SystemTime,
    now: f64,
    any_key: Option<&str>,
) -> Result<Caller, Rejection> {
    // A credential scoped to another service is refused, signed or not (the code is the
    // protocol's signature code; the text is modeled).
    let authorization = sent
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let scope = authorization.and_then(super::sigv4::authorization).map(|a| a.scope);
    if let Some(scoped) = scope.and_then(|s| s.split('/').nth(3)).filter(|s| *s != signing_name) {
        return Err(ApiError::new(
            protocol.signature_code(),
            protocol.auth_status(),
            format!("the credential scope names service `{scoped}`, not `{signing_name}`"),
        )
        .modeled()
        .into());
    }
    let caller = caller(
        authorization,
        scope,
        sent.headers,
        &world.credentials,
        (!world.require_credentials, any_key),
        protocol,
    )?;
    if let Some(secret) = &caller.secret {
        super::sigv4::verify(sent, secret, wall_now, protocol)?;
    }
    if caller.expires.is_some_and(|expires| (expires as f64) <= now) {
        return Err(Rejection::ExpiredToken);
    }
    Ok(caller)
}

/// `IncompleteSignature` with the protocol's status, as a wrong signature has (the code is AWS's,
/// facts aws-org-wire §2.2; the texts are modeled).
fn incomplete(protocol: Protocol, message: &str) -> Rejection {
    ApiError::new("IncompleteSignature", protocol.auth_status(), message)
        .modeled()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_is_lowercase_words_ending_in_a_number() {
        for region in ["us-east-1", "us-gov-west-1", "eu-central-2", "ap-southeast-10"] {
            assert!(is_region(region), "{region}");
        }
        for region in [
            "us-east",
            "us-east-x",
            "US-east-1",
            "us--1",
            "us-east-1:",
            "",
            "-us-east-1",
            "us east-1",
        ] {
            assert!(!is_region(region), "{region}");
        }
    }
}
