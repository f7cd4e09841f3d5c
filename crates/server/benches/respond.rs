//! Benchmarks one request through the server's dispatcher in-process (no socket, no HTTP parsing): `ListBackupVaults` for worlds of 1, 10 and 100 vaults in the caller's account, against the bare health route, so the cost of an AWS call and how it grows with the world are measured side by side.
//!
//! Run with `cargo bench -p copylab-server`; divan reports time per request.

use axum::http::{HeaderMap, HeaderValue, Method};
use copylab_rules::World;
use copylab_rules::world::Wording;
use copylab_server::state::{Progression, ServerState};
use copylab_server::wire::sigv4::Sent;

fn main() {
    divan::main();
}

/// A world whose account 111122223333 has `vaults` vaults in us-east-1.
fn world(vaults: usize) -> World {
    let vaults: Vec<serde_json::Value> = (0..vaults)
        .map(|i| serde_json::json!({"name": format!("Vault{i}"), "account": "111122223333", "region": "us-east-1"}))
        .collect();
    serde_json::from_value(serde_json::json!({ "vaults": vaults })).unwrap_or_default()
}

fn headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        HeaderValue::from_static(
            "AWS4-HMAC-SHA256 Credential=111122223333/20260807/us-east-1/backup/aws4_request, SignedHeaders=host, Signature=0",
        ),
    );
    headers.insert("host", HeaderValue::from_static("copylab.test"));
    headers
}

#[divan::bench(args = [1, 10, 100])]
fn list_backup_vaults(bencher: divan::Bencher, vaults: usize) {
    let mut state = ServerState::new(world(vaults), 1, None, Wording::Current, Progression::Instant);
    let headers = headers();
    let now = std::time::SystemTime::now();
    bencher.bench_local(|| {
        let sent = Sent {
            method: "GET",
            raw_path: "/backup-vaults/",
            raw_query: None,
            headers: &headers,
            body: b"",
        };
        copylab_server::services::respond(&mut state, &sent, now)
    });
}

#[divan::bench]
fn health(bencher: divan::Bencher) {
    let mut state = ServerState::new(world(1), 1, None, Wording::Current, Progression::Instant);
    bencher.bench_local(|| copylab_server::control::handle(&mut state, &Method::GET, "health", None, b""));
}
