//! The worlds and routers the tests run on: the default world, its keys' secrets, and a router serving a world in-process.

use std::sync::Arc;

use copylab_rules::world::Wording;
use copylab_server::state::{Progression, ServerState};
use tokio::sync::Mutex;

/// The secret the default world gives an access key (any text for 12-digit keys, which are not
/// authenticated).
pub(crate) fn secret_for(access_key: &str) -> String {
    default_world()
        .credentials
        .iter()
        .find(|k| k.access_key_id == access_key)
        .and_then(|k| k.secret_access_key.clone())
        .unwrap_or_else(|| "not-checked".to_owned())
}

/// The server's router (no lab) serving `world`, its clock frozen at the `as_of` day.
pub(crate) fn router(
    world: copylab_rules::World,
    seed: u64,
    as_of: Option<String>,
    wording: Wording,
    progression: Progression,
) -> axum::Router {
    copylab_server::app(Arc::new(Mutex::new(ServerState::new(
        world,
        seed,
        as_of,
        wording,
        progression,
    ))))
}

/// The default world's customer managed key that the source account (111122223333) shares
/// with the destination account.
pub(crate) const SHARED_KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// A key policy for the shared key that allows its own account only.
pub(crate) const OWN_ONLY_KEY_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}"#;

/// Puts [`OWN_ONLY_KEY_POLICY`] on the default world's shared key through `kms` (the source
/// account's client): the destination account's copies of what it encrypts fail from then on.
pub(crate) async fn drop_destination_from_shared_key(kms: &aws_sdk_kms::Client) {
    kms.put_key_policy()
        .key_id(SHARED_KEY)
        .policy(OWN_ONLY_KEY_POLICY)
        .send()
        .await
        .unwrap();
}

/// The world `copylab serve` serves by default (`worlds/default.yaml`).
pub(crate) fn default_world() -> copylab_rules::World {
    copylab::scenario::parse_world("default", copylab::scenario::DEFAULT_WORLD, None).unwrap()
}
