//! copylab serve inside your own tests: start the fake AWS Backup endpoint in-process on an ephemeral loopback port from a scenario, and point your tool at its URL (what moto's `ThreadedMotoServer` does for Python).
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! use std::io::{Read, Write};
//!
//! let runtime = tokio::runtime::Runtime::new()?;
//! runtime.block_on(async {
//!     // 1. Start a server from a built-in scenario (or a file, or None for the default world).
//!     let server = copylab::embed::start(Some("seed_destination_vault_policy_without_source")).await?;
//!     // 2. Point your tool at it: AWS_ENDPOINT_URL, or your SDK's endpoint_url.
//!     let url = server.url().to_owned();
//!     // 3. Exercise your tool. Here, a plain ListBackupVaults as the source account.
//!     let address = url.trim_start_matches("http://").to_owned();
//!     let response = tokio::task::spawn_blocking(move || -> std::io::Result<String> {
//!         let mut stream = std::net::TcpStream::connect(address)?;
//!         stream.write_all(b"GET /backup-vaults/ HTTP/1.1\r\nHost: copylab\r\nConnection: close\r\nAuthorization: AWS4-HMAC-SHA256 Credential=111122223333/20260807/us-east-1/backup/aws4_request, SignedHeaders=host, Signature=0\r\n\r\n")?;
//!         let mut response = String::new();
//!         stream.read_to_string(&mut response)?;
//!         Ok(response)
//!     })
//!     .await??;
//!     assert!(response.starts_with("HTTP/1.1 200"), "{response}");
//!     assert!(response.contains("SourceVault"));
//!     Ok(())
//! })
//! # }
//! ```

pub use copylab_server::RunningServer;
use copylab_server::state::{Progression, ServerState};

use crate::scenario;

/// An error starting the server.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Starts `copylab serve` in this process (inside a tokio runtime) with a scenario's world (a
/// built-in name or a file) or, with `None`, the default world; jobs end at once (`instant`).
pub async fn start(scenario: Option<&str>) -> Result<RunningServer, Error> {
    start_with(scenario, Progression::Instant).await
}

/// Like [`start`], with a chosen progression of copy jobs.
pub async fn start_with(scenario: Option<&str>, progression: Progression) -> Result<RunningServer, Error> {
    Ok(copylab_server::start(state(scenario, progression)?).await?)
}

/// The state [`start_with`] serves: a scenario's world (a built-in name or a file) or the
/// default world, with the built-in scenarios `POST /_copylab/scenario` may name.
pub fn state(scenario: Option<&str>, progression: Progression) -> Result<ServerState, Error> {
    let mut state = match scenario {
        Some(reference) => {
            let loaded = scenario::load(reference)?;
            let s = loaded.scenario;
            ServerState::new(s.world, s.seed, s.as_of, s.wording, progression)
        }
        None => ServerState::new(
            scenario::parse_world("worlds/default.yaml", scenario::DEFAULT_WORLD, None)?,
            0,
            None,
            Default::default(),
            progression,
        ),
    };
    copylab_rules::PreparedWorld::new(state.world())?;
    state.builtin_scenarios = Some(scenario::builtin);
    Ok(state)
}
