//! SigV4 verification against the real SDK clients: requests signed with a world's secret verify, and one changed byte (body, signed header, path, query), a wrong secret or a request time outside the 5-minute window fails with the protocol's own error (restJson1 403, awsJson1_1 400).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sdk_backup::error::ProvideErrorMetadata as _;
use aws_smithy_async::time::{SharedTimeSource, StaticTimeSource};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use copylab_rules::world::Wording;
use copylab_server::state::Progression;

use crate::support::{Tamper, TamperingClient, default_world, router, secret_for};

const KEY: &str = "AKIAIOSFODNN7EXAMPLE";

fn time_source(offset: i64) -> SharedTimeSource {
    let now = SystemTime::now();
    let at = if offset >= 0 {
        now + Duration::from_secs(offset as u64)
    } else {
        now - Duration::from_secs(offset.unsigned_abs())
    };
    SharedTimeSource::new(StaticTimeSource::new(at))
}

fn backup(app: &axum::Router, secret: &str, offset: i64, tamper: Tamper) -> aws_sdk_backup::Client {
    aws_sdk_backup::Client::new(&crate::support::sdk_config_over(
        SharedHttpClient::new(TamperingClient::new(app, tamper)),
        Credentials::new(KEY, secret, None, None, "copylab-tests"),
        "us-east-1",
        Some(time_source(offset)),
    ))
}

fn kms(app: &axum::Router, secret: &str, offset: i64, tamper: Tamper) -> aws_sdk_kms::Client {
    aws_sdk_kms::Client::new(&crate::support::sdk_config_over(
        SharedHttpClient::new(TamperingClient::new(app, tamper)),
        Credentials::new(KEY, secret, None, None, "copylab-tests"),
        "us-east-1",
        Some(time_source(offset)),
    ))
}

fn untouched() -> Tamper {
    Arc::new(|_| {})
}

/// Changes the last character of a signed header other than `host` and `x-amz-date`.
fn change_signed_header() -> Tamper {
    Arc::new(|request| {
        let auth = request.headers()["authorization"].to_str().unwrap().to_owned();
        let signed = auth
            .split("SignedHeaders=")
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .to_owned();
        let name = signed
            .split(';')
            .find(|h| !matches!(*h, "host" | "x-amz-date"))
            .expect("a signed header to change")
            .to_owned();
        let mut value = request.headers()[name.as_str()].to_str().unwrap().to_owned();
        let last = value.pop().unwrap();
        value.push(if last == 'x' { 'y' } else { 'x' });
        request.headers_mut().insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    })
}

const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

#[tokio::test]
async fn backup_requests_signed_by_the_sdk_verify_and_any_change_fails_with_403() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let secret = secret_for(KEY);
    assert_ne!(secret, "not-checked", "the default world gives {KEY} a secret");
    // Signed correctly: path labels, query and body all verify.
    let ok = backup(&app, &secret, 0, untouched());
    ok.describe_backup_vault()
        .backup_vault_name("SourceVault")
        .send()
        .await
        .unwrap();
    ok.list_copy_jobs().max_results(5).send().await.unwrap();
    ok.tag_resource()
        .resource_arn("arn:aws:backup:us-east-1:111122223333:backup-vault:SourceVault")
        .tags("team", "backup")
        .send()
        .await
        .unwrap();
    // Each change to what was signed fails.
    let path: Tamper = Arc::new(|request| {
        let uri = request.uri().to_string().replace("SourceVault", "SourceVaulu");
        *request.uri_mut() = uri.parse().unwrap();
    });
    let error = backup(&app, &secret, 0, path)
        .describe_backup_vault()
        .backup_vault_name("SourceVault")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (Some("InvalidSignatureException"), Some(MISMATCH))
    );
    assert_eq!(error.raw_response().unwrap().status().as_u16(), 403);
    let query: Tamper = Arc::new(|request| {
        let uri = request.uri().to_string().replace("maxResults=5", "maxResults=6");
        *request.uri_mut() = uri.parse().unwrap();
    });
    let error = backup(&app, &secret, 0, query)
        .list_copy_jobs()
        .max_results(5)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("InvalidSignatureException"));
    let body: Tamper = Arc::new(|request| {
        let body = request.body_mut();
        let at = body.iter().position(|b| *b == b'b').unwrap();
        body[at] = b'c';
    });
    // A new tag key: had the tampered request been accepted, the vault would have two tags.
    let error = backup(&app, &secret, 0, body)
        .tag_resource()
        .resource_arn("arn:aws:backup:us-east-1:111122223333:backup-vault:SourceVault")
        .tags("owner", "backup")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("InvalidSignatureException"));
    let error = backup(&app, &secret, 0, change_signed_header())
        .list_backup_vaults()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("InvalidSignatureException"));
    // A wrong secret, and a request 10 minutes old.
    let error = backup(&app, "wrong-secret", 0, untouched())
        .list_backup_vaults()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.message(), Some(MISMATCH));
    let error = backup(&app, &secret, -600, untouched())
        .list_backup_vaults()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("InvalidSignatureException"));
    assert!(
        error.message().unwrap().starts_with("Signature expired: "),
        "{:?}",
        error.message()
    );
    assert!(
        error.message().unwrap().ends_with(" - 5 min.)"),
        "{:?}",
        error.message()
    );
    // The state is untouched by the refused TagResource.
    let tags = ok
        .list_tags()
        .resource_arn("arn:aws:backup:us-east-1:111122223333:backup-vault:SourceVault")
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().map(|t| t.len()), Some(1));
    assert_eq!(
        tags.tags().and_then(|t| t.get("team")).map(String::as_str),
        Some("backup")
    );
}

#[tokio::test]
async fn kms_requests_signed_by_the_sdk_verify_and_any_change_fails_with_400() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let secret = secret_for(KEY);
    kms(&app, &secret, 0, untouched())
        .describe_key()
        .key_id("alias/aws/ebs")
        .send()
        .await
        .unwrap();
    let body: Tamper = Arc::new(|request| {
        let body = request.body_mut();
        let at = body.iter().position(|b| *b == b'e').unwrap();
        body[at] = b'f';
    });
    for tamper in [body, change_signed_header()] {
        let error = kms(&app, &secret, 0, tamper)
            .describe_key()
            .key_id("alias/aws/ebs")
            .send()
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some("InvalidSignatureException"));
        assert_eq!(error.message(), Some(MISMATCH));
        assert_eq!(error.raw_response().unwrap().status().as_u16(), 400);
    }
    // A changed body with an `x-amz-content-sha256` header claiming the original body's hash
    // still fails: the server hashes what was sent.
    let claimed: Tamper = Arc::new(|request| {
        use sha2::Digest as _;
        let original = hex::encode(sha2::Sha256::digest(request.body()));
        request
            .headers_mut()
            .insert("x-amz-content-sha256", original.parse().unwrap());
        let body = request.body_mut();
        let at = body.iter().position(|b| *b == b'e').unwrap();
        body[at] = b'f';
    });
    let error = kms(&app, &secret, 0, claimed)
        .describe_key()
        .key_id("alias/aws/ebs")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("InvalidSignatureException"));
    let error = kms(&app, &secret, 600, untouched())
        .list_keys()
        .send()
        .await
        .unwrap_err();
    assert!(
        error.message().unwrap().starts_with("Signature not yet current: ")
            && error.message().unwrap().ends_with(" + 5 min.)"),
        "{:?}",
        error.message()
    );
    // A 12-digit access key is not authenticated: any secret works (documented).
    crate::kms::kms_client(&app, "111122223333")
        .list_keys()
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_world_requiring_credentials_refuses_twelve_digit_keys_and_accepts_listed_ones() {
    let mut world = default_world();
    world.require_credentials = true;
    let app = router(world, 1, None, Wording::Current, Progression::Instant);
    let backup = crate::support::client(&app, "111122223333", "us-east-1");
    let error = backup.list_backup_vaults().send().await.unwrap_err();
    assert_eq!(error.code(), Some("UnrecognizedClientException"));
    assert_eq!(error.raw_response().unwrap().status().as_u16(), 403);
    let sts = aws_sdk_sts::Client::new(&crate::support::config(&app, "111122223333", "us-east-1"));
    let error = sts.get_caller_identity().send().await.unwrap_err();
    assert_eq!(
        aws_sdk_sts::error::ProvideErrorMetadata::code(&error),
        Some("InvalidClientTokenId")
    );
    // A listed key, signed with its secret, still works.
    let key = "AKIAIOSFODNN7EXAMPLE";
    let signed = backup_with_key(&app, key, &secret_for(key));
    assert!(signed.list_backup_vaults().send().await.is_ok());
}

fn backup_with_key(app: &axum::Router, key: &str, secret: &str) -> aws_sdk_backup::Client {
    aws_sdk_backup::Client::new(&crate::support::sdk_config(
        app,
        Credentials::new(key, secret, None, None, "copylab-tests"),
        "us-east-1",
    ))
}
