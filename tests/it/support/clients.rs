//! One SDK client builder for every service: an `SdkConfig` whose HTTP client is the router in-process, signing with the keys a test names.

use std::borrow::Cow;

use super::connector::RouterClient;
use super::worlds::secret_for;
use aws_credential_types::Credentials;
use aws_smithy_async::time::SharedTimeSource;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_types::SdkConfig;
use aws_types::region::Region;
use aws_types::sdk_config::SharedCredentialsProvider;

/// The configuration every SDK client of a test is built from (`aws_sdk_x::Client::new(&...)`):
/// the router in-process, `credentials`, `region`.
pub(crate) fn sdk_config(
    router: &axum::Router,
    credentials: Credentials,
    region: impl Into<Cow<'static, str>>,
) -> SdkConfig {
    sdk_config_over(
        SharedHttpClient::new(RouterClient(router.clone())),
        credentials,
        region,
        None,
    )
}

/// [`sdk_config`] over another HTTP client (a tampering one), with the SDK's clock set when
/// `time` is given (signature tests).
pub(crate) fn sdk_config_over(
    http: SharedHttpClient,
    credentials: Credentials,
    region: impl Into<Cow<'static, str>>,
    time: Option<SharedTimeSource>,
) -> SdkConfig {
    let mut builder = SdkConfig::builder()
        .behavior_version(aws_smithy_runtime_api::client::behavior_version::BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .http_client(http)
        .endpoint_url("http://copylab.test");
    if let Some(time) = time {
        builder = builder.time_source(time);
    }
    builder.build()
}

/// Long-term keys: `access_key` with its secret from the default world (any text for 12-digit
/// keys, which are not authenticated).
pub(crate) fn keys(access_key: &str) -> Credentials {
    Credentials::new(access_key, secret_for(access_key), None, None, "copylab-tests")
}

/// [`sdk_config`] signing with [`keys`]`(access_key)`.
pub(crate) fn config(router: &axum::Router, access_key: &str, region: &str) -> SdkConfig {
    sdk_config(router, keys(access_key), region.to_owned())
}

/// An AWS Backup client acting as `account` in `region`.
pub(crate) fn client(router: &axum::Router, account: &str, region: &str) -> aws_sdk_backup::Client {
    aws_sdk_backup::Client::new(&config(router, account, region))
}
