//! What the integration tests share: the in-process connector, one SDK client builder, and the worlds and routers they run on.

pub(crate) mod clients;
pub(crate) mod connector;
pub(crate) mod worlds;

pub(crate) use clients::{client, config, sdk_config, sdk_config_over};
pub(crate) use connector::{Tamper, TamperingClient};
pub(crate) use worlds::{
    OWN_ONLY_KEY_POLICY, SHARED_KEY, default_world, drop_destination_from_shared_key, router, secret_for,
};

/// A state document (`GET /_copylab/state`) without its id stream's count: what a refused
/// request must leave as it was (every request draws its request id from the stream, as AWS
/// gives every request one).
pub(crate) fn kept(mut state: serde_json::Value) -> serde_json::Value {
    if let Some(members) = state.as_object_mut() {
        members.remove("ids_drawn");
    }
    state
}
