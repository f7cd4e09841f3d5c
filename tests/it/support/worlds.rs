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

/// The world `copylab serve` serves by default (`worlds/default.yaml`).
pub(crate) fn default_world() -> copylab_rules::World {
    copylab::scenario::parse_world("default", copylab::scenario::DEFAULT_WORLD, None).unwrap()
}
