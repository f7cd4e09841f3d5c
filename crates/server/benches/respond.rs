//! Benchmarks one request through the server's dispatcher in-process (no socket, no HTTP parsing), and how its cost grows with the work: `ListBackupVaults` by vaults listed against the bare health route; `StartCopyJob` and a guarded write (`PutBackupVaultAccessPolicy`) by world size (vaults, keys); a first and a middle `ListCopyJobs` page and `DescribeCopyJob` by jobs kept.
//!
//! Run with `cargo bench -p copylab-server`; divan reports time per request.
#![allow(clippy::expect_used, reason = "a benchmark's setup fails loudly by design")]

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

/// A generated world whose copy completes, with `vaults` more vaults (each with an access
/// policy) and `keys` more keys (each with a key policy) in the destination account.
fn copy_world(vaults: usize, keys: usize) -> (ServerState, copylab_rules::StartCopyJob) {
    let generated = (0..500u64)
        .map(copylab_rules::generate::world)
        .find(|g| {
            let options = copylab_rules::engine::Options {
                as_of: Some(g.as_of.clone()),
                ..Default::default()
            };
            copylab_rules::simulate(&g.world, &g.request, &options).is_ok_and(|v| v.failed_check.is_none())
        })
        .expect("a generated world whose copy completes");
    let mut world = generated.world;
    let account = "444455556666";
    let policy = |action: &str| serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": action, "Resource": "*"}]});
    for i in 0..vaults {
        world.vaults.push(
            serde_json::from_value(serde_json::json!({"name": format!("Extra{i}"), "account": account, "region": "us-east-1", "access_policy": policy("backup:CopyIntoBackupVault")}))
                .expect("a vault"),
        );
    }
    for i in 0..keys {
        world.keys.push(
            serde_json::from_value(serde_json::json!({"arn": format!("arn:aws:kms:us-east-1:{account}:key/00000000-0000-4000-8000-{i:012}"), "policy": policy("kms:*")}))
                .expect("a key"),
        );
    }
    let state = ServerState::new(world, 1, Some(generated.as_of), Wording::Current, Progression::Instant);
    (state, generated.request)
}

fn caller(request: &copylab_rules::StartCopyJob) -> copylab_server::wire::Caller {
    copylab_server::wire::Caller::account(&request.account, &request.region)
}

/// `StartCopyJob` through the call pipeline, by (extra vaults, extra keys).
#[divan::bench(args = [(10, 10), (100, 10), (1000, 10), (1000, 100)], sample_count = 20)]
fn start_copy_job(bencher: divan::Bencher, (vaults, keys): (usize, usize)) {
    let (mut state, request) = copy_world(vaults, keys);
    let (input, caller) = (request.input(), caller(&request));
    let service = &copylab_server::services::backup::SERVICE;
    bencher.bench_local(|| copylab_server::call::call(&mut state, &caller, service, "StartCopyJob", input.clone()));
}

/// A guarded write, `PutBackupVaultAccessPolicy` on one vault, by (extra vaults, extra keys): the
/// world is checked after the write.
#[divan::bench(args = [(10, 10), (100, 10), (1000, 10), (1000, 100)], sample_count = 20)]
fn put_backup_vault_access_policy(bencher: divan::Bencher, (vaults, keys): (usize, usize)) {
    let (mut state, _) = copy_world(vaults.max(1), keys);
    let caller = copylab_server::wire::Caller::account("444455556666", "us-east-1");
    let service = &copylab_server::services::backup::SERVICE;
    let mut input = serde_json::Map::new();
    input.insert("BackupVaultName".into(), "Extra0".into());
    // Each call changes the policy (a new Sid), so each is checked.
    let mut n = 0u64;
    bencher.bench_local(|| {
        n += 1;
        let policy = format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "S{n}", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:root"}}, "Action": "backup:CopyIntoBackupVault", "Resource": "*"}}]}}"#
        );
        input.insert("Policy".into(), policy.into());
        copylab_server::call::call(&mut state, &caller, service, "PutBackupVaultAccessPolicy", input.clone())
    });
}

/// A state with `jobs` copy jobs of the generated world's caller, its caller and the job ids.
fn with_jobs(jobs: usize) -> (ServerState, copylab_server::wire::Caller, Vec<String>) {
    let (mut state, request) = copy_world(0, 0);
    let (input, caller) = (request.input(), caller(&request));
    let service = &copylab_server::services::backup::SERVICE;
    let _ = copylab_server::call::call(&mut state, &caller, service, "StartCopyJob", input);
    let first = state.services.backup.jobs.front().cloned().expect("a copy job");
    for i in 1..jobs {
        let mut job = first.clone();
        job.id = format!("{}-{i}", first.id);
        state.services.backup.jobs.push(job);
    }
    let ids = state.services.backup.jobs.iter().map(|j| j.id.clone()).collect();
    (state, caller, ids)
}

/// The first page (`MaxResults` 100) of `ListCopyJobs`, by jobs kept.
#[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 20)]
fn list_copy_jobs_page(bencher: divan::Bencher, jobs: usize) {
    let (mut state, caller, _) = with_jobs(jobs);
    let service = &copylab_server::services::backup::SERVICE;
    let mut list = serde_json::Map::new();
    list.insert("MaxResults".to_owned(), serde_json::Value::from(100));
    bencher.bench_local(|| copylab_server::call::call(&mut state, &caller, service, "ListCopyJobs", list.clone()));
}

/// A page of `ListCopyJobs` from the middle of the jobs kept (its token names the middle job).
#[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 20)]
fn list_copy_jobs_middle_page(bencher: divan::Bencher, jobs: usize) {
    let (mut state, caller, ids) = with_jobs(jobs);
    let service = &copylab_server::services::backup::SERVICE;
    let mut list = serde_json::Map::new();
    list.insert("MaxResults".to_owned(), serde_json::Value::from(100));
    let middle = ids.get(jobs / 2).cloned().unwrap_or_default();
    list.insert(
        "NextToken".to_owned(),
        serde_json::Value::from(format!("copylab-after-{middle}")),
    );
    bencher.bench_local(|| copylab_server::call::call(&mut state, &caller, service, "ListCopyJobs", list.clone()));
}

/// `DescribeCopyJob` of the last job, by jobs kept.
#[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 20)]
fn describe_copy_job(bencher: divan::Bencher, jobs: usize) {
    let (mut state, caller, ids) = with_jobs(jobs);
    let service = &copylab_server::services::backup::SERVICE;
    let mut describe = serde_json::Map::new();
    describe.insert(
        "CopyJobId".to_owned(),
        serde_json::Value::from(ids.last().cloned().unwrap_or_default()),
    );
    bencher
        .bench_local(|| copylab_server::call::call(&mut state, &caller, service, "DescribeCopyJob", describe.clone()));
}
