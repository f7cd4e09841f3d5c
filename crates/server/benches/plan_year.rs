//! A simulated year of backup plans (issue 13, item 7): an organization of N member accounts, each with a daily plan that backs up one database and copies it to the central account's vault, run day by day on the virtual clock; prints the wall time, resident memory per job, and the time of a ListCopyJobs page in the central (management) account's view, for N = 10, 100, 1,000.
//!
//! Run with `cargo bench -p copylab-server --bench plan_year` (release); `-- 1000` runs one size.
//! Each size runs twice: the plan without `Lifecycle` (every recovery point kept), and with
//! `DeleteAfterDays` 35 for backups and copies (deleted on the clock).
//! Whole-process figures (resident memory) need one process per size: each size runs in a child
//! process of this binary.
#![allow(
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark prints its figures and fails loudly"
)]

use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, Method};
use copylab_rules::World;
use copylab_rules::world::Wording;
use copylab_server::state::{Progression, ServerState};
use copylab_server::wire::sigv4::Sent;
use serde_json::{Value, json};

/// The allocator `copylab serve` runs with (crates/copylab/src/main.rs), so that the figures
/// are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The central account: the organization's management account, whose vault takes every copy.
const CENTRAL: &str = "123456789012";
const REGION: &str = "us-east-1";
const DAYS: u32 = 365;

fn member(i: usize) -> String {
    format!("{:012}", 200_000_000_000 + i)
}

fn key_arn(account: &str, i: usize) -> String {
    format!("arn:aws:kms:{REGION}:{account}:key/{i:08x}-0000-4000-8000-000000000000")
}

fn db_arn(account: &str) -> String {
    format!("arn:aws:rds:{REGION}:{account}:db:orders")
}

/// The organization, its keys, vaults, roles and one daily plan per member account; with
/// `retention`, the plan's backups and copies are deleted after that many days.
fn world(accounts: usize, retention: Option<i64>) -> World {
    let members: Vec<String> = (0..accounts).map(member).collect();
    let central_key = key_arn(CENTRAL, 0xffff_ffff);
    let mut keys = vec![json!({"arn": central_key})];
    let mut vaults = vec![json!({
        "name": "CentralVault", "account": CENTRAL, "region": REGION, "encryption_key": central_key,
        "access_policy": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "backup:CopyIntoBackupVault", "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}
    })];
    let mut roles = Vec::new();
    let mut plans = Vec::new();
    for (i, account) in members.iter().enumerate() {
        keys.push(json!({"arn": key_arn(account, i), "policy": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{account}:root")}, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{CENTRAL}:root")},
             "Action": ["kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"], "Resource": "*"}]}}));
        vaults.push(json!({"name": "SourceVault", "account": account, "region": REGION}));
        let role = format!("arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole");
        roles.push(json!({"arn": role, "managed_policies": ["arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"]}));
        plans.push(json!({
            "id": format!("{i:08x}-0000-4000-8000-000000000000"), "account": account, "region": REGION,
            "plan": {"BackupPlanName": "nightly", "Rules": [rule(retention)]},
            "selections": [{"id": "ffffffff-0000-4000-8000-000000000000",
                "selection": {"SelectionName": "orders", "IamRoleArn": role, "Resources": [db_arn(account)]}}]
        }));
    }
    let mut accounts_json = vec![json!({"id": CENTRAL})];
    accounts_json.extend(members.iter().map(|a| json!({"id": a})));
    serde_json::from_value(json!({
        "organizations": [{"id": "o-a1b2c3d4e5", "management_account": CENTRAL, "accounts": accounts_json}],
        "keys": keys, "vaults": vaults, "roles": roles, "backup_plans": plans,
    }))
    .expect("the year's world")
}

/// The daily rule, copying to the central vault.
fn rule(retention: Option<i64>) -> Value {
    let mut rule = json!({
        "RuleName": "nightly", "TargetBackupVaultName": "SourceVault",
        "ScheduleExpression": "cron(0 5 ? * * *)",
        "CopyActions": [{"DestinationBackupVaultArn": format!("arn:aws:backup:{REGION}:{CENTRAL}:backup-vault:CentralVault")}]
    });
    if let Some(days) = retention {
        rule["Lifecycle"] = json!({"DeleteAfterDays": days});
        rule["CopyActions"][0]["Lifecycle"] = json!({"DeleteAfterDays": days});
    }
    rule
}

fn headers(account: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        HeaderValue::from_str(&format!(
            "AWS4-HMAC-SHA256 Credential={account}/20260807/{REGION}/backup/aws4_request, SignedHeaders=host, Signature=0"
        ))
        .expect("a header"),
    );
    headers.insert("host", HeaderValue::from_static("copylab.test"));
    headers
}

/// CPU seconds (user and system) of `/proc/{path}/stat`: `self` for the process, `thread-self`
/// for the calling thread. The machine's other guests slow the wall clock more than these.
fn cpu_seconds(path: &str) -> f64 {
    let ticks = std::fs::read_to_string(format!("/proc/{path}/stat"))
        .ok()
        .and_then(|s| {
            // After the command's closing parenthesis: state is field 3, utime 14, stime 15.
            let fields: Vec<&str> = s.rsplit_once(')')?.1.split_whitespace().collect();
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0);
    // The kernel's USER_HZ, 100 on Linux.
    ticks as f64 / 100.0
}

fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn list_page(state: &mut ServerState, headers: &HeaderMap, token: Option<&str>) -> (Value, Duration) {
    let query = match token {
        Some(t) => format!("accountId=*&maxResults=100&nextToken={t}"),
        None => "accountId=*&maxResults=100".to_owned(),
    };
    let sent = Sent {
        method: "GET",
        raw_path: "/copy-jobs/",
        raw_query: Some(&query),
        headers,
        body: b"",
    };
    let start = Instant::now();
    let response = copylab_server::services::respond(state, &sent, std::time::SystemTime::now());
    let took = start.elapsed();
    let bytes = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
        .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
        .expect("the page's bytes");
    let body = serde_json::from_slice(&bytes).expect("a JSON page");
    (body, took)
}

/// One size, in this process: prints one row.
fn run(accounts: usize, retention: Option<i64>) {
    let world = world(accounts, retention);
    let mut state = ServerState::new(
        world,
        1,
        Some("2026-01-01".to_owned()),
        Wording::Current,
        Progression::Instant,
    );
    for i in 0..accounts {
        let account = member(i);
        let body = json!({"arn": db_arn(&account), "resource_type": "RDS", "encryption_key_arn": key_arn(&account, i)});
        copylab_server::control::handle(
            &mut state,
            &Method::POST,
            "resources",
            None,
            body.to_string().as_bytes(),
        );
    }
    let before = resident_kib();
    let cpu_before = (cpu_seconds("self"), cpu_seconds("thread-self"));
    let start = Instant::now();
    let days: u32 = std::env::var("YEAR_DAYS")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(DAYS);
    for _ in 0..days {
        copylab_server::control::handle(&mut state, &Method::POST, "clock/advance", Some("seconds=86400"), b"");
    }
    let year = start.elapsed();
    let cpu = (
        cpu_seconds("self") - cpu_before.0,
        cpu_seconds("thread-self") - cpu_before.1,
    );
    if std::env::var_os("YEAR_CPU").is_some() {
        println!(
            "CPU in the year: {:.2} s, {:.2} s of it on the main thread",
            cpu.0, cpu.1
        );
    }
    let after = resident_kib();
    let backup_jobs = usize::try_from(state.services.backup.backup_jobs_started).unwrap_or(usize::MAX);
    let copy_jobs = usize::try_from(state.services.backup.jobs.added()).unwrap_or(usize::MAX);
    let kept = state.services.backup.jobs.len();
    let jobs = (backup_jobs + copy_jobs).max(1);
    let headers = headers(CENTRAL);
    // The first request compiles the model's patterns once: not a page's cost.
    let _ = list_page(&mut state, &headers, None);
    let mut firsts: Vec<Duration> = (0..25).map(|_| list_page(&mut state, &headers, None).1).collect();
    firsts.sort();
    let first_took = firsts[firsts.len() / 2];
    let (first, _) = list_page(&mut state, &headers, None);
    let mut token = first["NextToken"].as_str().map(str::to_owned);
    let pages = kept / 100 / 2;
    for _ in 1..pages {
        let (page, _) = list_page(&mut state, &headers, token.as_deref());
        token = page["NextToken"].as_str().map(str::to_owned);
    }
    let mut middle = Vec::new();
    for _ in 0..25 {
        let (_, took) = list_page(&mut state, &headers, token.as_deref());
        middle.push(took);
    }
    middle.sort();
    if std::env::var_os("YEAR_PAGES").is_some() {
        for query in [
            "maxResults=100",
            "accountId=*&maxResults=100",
            "accountId=*&maxResults=1",
        ] {
            let sent = Sent {
                method: "GET",
                raw_path: "/copy-jobs/",
                raw_query: Some(query),
                headers: &headers,
                body: b"",
            };
            let mut times = Vec::new();
            for _ in 0..std::env::var("YEAR_PAGES")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(15)
            {
                let start = Instant::now();
                let _ = copylab_server::services::respond(&mut state, &sent, std::time::SystemTime::now());
                times.push(start.elapsed());
            }
            times.sort();
            println!("{query}: {:?}", times[times.len() / 2]);
        }
        let sent = Sent {
            method: "GET",
            raw_path: "/backup-vaults/",
            raw_query: None,
            headers: &headers,
            body: b"",
        };
        let start = Instant::now();
        let _ = copylab_server::services::respond(&mut state, &sent, std::time::SystemTime::now());
        println!("ListBackupVaults: {:?}", start.elapsed());
    }
    if std::env::var_os("YEAR_DEBUG").is_some() {
        println!("{first:#}");
        println!(
            "{:#}",
            state.services.backup.backup_jobs.back().expect("a job").to_json()
        );
    }
    let completed = state
        .services
        .backup
        .jobs
        .iter()
        .filter(|j| j.outcome.state() == Some(copylab_rules::world::CopyJobState::Completed))
        .count();
    println!(
        "| {accounts} | {} | {backup_jobs} | {copy_jobs} ({kept} kept, {completed} COMPLETED) | {} | {:.2} s | {:.2} µs | {} B | {:.3} ms | {:.3} ms |",
        retention.map_or_else(|| "none".to_owned(), |d| format!("{d} days")),
        state.world().recovery_points.len(),
        year.as_secs_f64(),
        year.as_secs_f64() * 1e6 / jobs as f64,
        (after.saturating_sub(before) * 1024) / jobs as u64,
        first_took.as_secs_f64() * 1e3,
        middle[middle.len() / 2].as_secs_f64() * 1e3,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // A child process: `--one SIZE RETENTION` (0: none).
    if let [flag, size, retention] = args.as_slice()
        && flag == "--one"
    {
        let retention = retention.parse().ok().filter(|d: &i64| *d > 0);
        run(size.parse().expect("a size"), retention);
        return;
    }
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![10, 100, 1000] } else { sizes };
    println!(
        "| accounts | retention | backup jobs | copy jobs | recovery points at the end | the year | per job | resident memory growth per job | first ListCopyJobs page of 100 | middle page (medians of 25) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let me = std::env::current_exe().expect("this benchmark's path");
    // Without `Lifecycle` (recovery points kept, as AWS keeps them), then with a 35-day one.
    for retention in [0, 35] {
        for &size in &sizes {
            let status = std::process::Command::new(&me)
                .args(["--one", &size.to_string(), &retention.to_string()])
                .status()
                .expect("a child process per size");
            assert!(status.success(), "size {size} failed");
        }
    }
}
