//! copylab's integration tests, in one binary (each test binary relinks every dependency).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests fail loudly by design"
)]

// What the tests share: the in-process connector, one SDK client builder, the worlds.
mod support;

// The policy test corpus (tests/corpus/*.json): E01–E60 and the seed article's policies.
mod corpus;

// Policy validation: one test per rule, with path, line and column.
mod validation;

// Property tests on generated policies and requests.
mod properties;

// The CLI, in-process, pinned by insta snapshots.
mod cli;

// `copylab collect` and `copylab import`: read-only calls, least privilege, documented outputs, bad folders, redaction.
mod import;

// Scenarios: expectations and `copylab explain` snapshots, one per scenario.
mod scenarios;

// The message catalog against the reference, and scenario coverage of every message.
mod catalog;

// The feature matrix and the Region rules, table by table.
mod features;

// Property tests over generated worlds (rules engine and remedies).
mod rules_properties;

// copylab serve over HTTP, in-process.
mod server;

// The real aws-sdk-backup client against the server, in-process.
mod sdk;

// Vault Lock, report plans, backup plans and selections, moto's reset, over HTTP in-process.
mod plans;

// Backup plan rules running on the virtual clock: backup jobs, then copy jobs.
mod plan_runs;

// The real aws-sdk-kms client against the server: keys, policies, aliases, and one world with AWS Backup.
mod kms;

// SigV4: requests signed by the real SDK clients verify; one changed byte, a wrong secret or a time outside the window fails with each protocol's error.
mod signatures;

// The real aws-sdk-sts client: GetCallerIdentity, and AssumeRole sessions acting on other services.
mod sts;

// The real aws-sdk-iam client: roles, trust, inline and managed policies, one world, expired sessions.
mod iam;

// The in-process aws-smithy-mocks crate against the server, every built-in scenario field by field.
mod mocks;

// The training lab through its HTTP endpoints, in both languages, and its translations.
mod lab;

// The real aws-sdk-organizations client: caller rules, and accounts and tag policies changed through Organizations deciding the next copy job.
mod organizations;

// The seed article's checks failed and repaired through the AWS APIs alone.
mod seed_walk;

// The scheduler's calendar against a minute-by-minute reference over generated cron expressions and time zones.
mod schedule;

// Repository rules: module docs, pure core, justified dependencies, no skipped tests.
mod tidy;

/// The proptest configuration every property test uses: the seed printed (and taken from
/// `PROPTEST_RNG_SEED`), shrunk failures saved in `regressions` (committed).
pub(crate) fn proptest_config(cases: u32, regressions: &'static str) -> proptest::test_runner::Config {
    use proptest::test_runner::{Config, FileFailurePersistence, RngSeed};
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
        });
    eprintln!("proptest seed={seed} (rerun with PROPTEST_RNG_SEED={seed})");
    Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions))),
        ..Config::default()
    }
}
