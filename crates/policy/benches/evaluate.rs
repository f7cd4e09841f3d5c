//! Benchmarks the public entry point on the seed article's three-statement key policy, explanation included, policy parsed once: a cross-account `kms:CreateGrant` (Allow) and a caller the policy does not name (ImplicitDeny).
//!
//! Run with `cargo bench -p copylab-policy`; divan reports time per evaluation and, through the
//! items counter, evaluations per second.

use copylab_policy::{Outcome, PolicyKind, PolicySource, Simulation, SimulationInput};

const SEED_KEY_POLICY: &str = include_str!("../../../examples/policies/seed-key-policy.json");
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn main() {
    divan::main();
}

fn simulation(principal: &str) -> Simulation {
    let input = SimulationInput {
        kind: Some(PolicyKind::Kms),
        resource_policy: Some(PolicySource {
            label: "seed-key-policy.json".into(),
            text: SEED_KEY_POLICY,
        }),
        identity_policies: Vec::new(),
        identity_allows_all: true,
        principal,
        action: "kms:CreateGrant",
        resource: KEY,
        resource_owner: None,
        context: vec![("kms:GrantIsForAWSResource".into(), vec!["true".into()])],
    };
    match Simulation::new(&input) {
        Ok(simulation) => simulation,
        Err(e) => panic!("benchmark input is invalid: {e}"),
    }
}

/// Cross-account `kms:CreateGrant` with `kms:GrantIsForAWSResource`: Allow by statement 2.
#[divan::bench]
fn seed_cross_account_create_grant_allow(bencher: divan::Bencher) {
    let simulation = simulation("arn:aws:sts::444455556666:assumed-role/BackupRole/copy");
    assert_eq!(simulation.decide().decision, Outcome::Allow);
    bencher
        .counter(divan::counter::ItemsCount::new(1usize))
        .bench_local(|| divan::black_box(&simulation).decide());
}

/// A caller from an account the key policy does not name: ImplicitDeny, with its reason note.
#[divan::bench]
fn seed_unnamed_caller_implicit_deny(bencher: divan::Bencher) {
    let simulation = simulation("arn:aws:sts::777788889999:assumed-role/BackupRole/copy");
    assert_eq!(simulation.decide().decision, Outcome::ImplicitDeny);
    bencher
        .counter(divan::counter::ItemsCount::new(1usize))
        .bench_local(|| divan::black_box(&simulation).decide());
}

/// Parsing and validating the seed key policy (done once per policy, not per evaluation).
#[divan::bench]
fn seed_key_policy_parse(bencher: divan::Bencher) {
    bencher
        .counter(divan::counter::ItemsCount::new(1usize))
        .bench_local(|| copylab_policy::Policy::parse(divan::black_box(SEED_KEY_POLICY), PolicyKind::Kms));
}
