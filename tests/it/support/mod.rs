//! What the integration tests share: the in-process connector, one SDK client builder, and the worlds and routers they run on.

pub(crate) mod clients;
pub(crate) mod connector;
pub(crate) mod worlds;

pub(crate) use clients::{client, config, sdk_config, sdk_config_over};
pub(crate) use connector::{Tamper, TamperingClient};
pub(crate) use worlds::{default_world, router, secret_for};
