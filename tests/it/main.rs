//! copylab's integration tests, in one binary (each test binary relinks every dependency).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests fail loudly by design"
)]

// The policy test corpus (tests/corpus/*.json): E01–E60 and the seed article's policies.
mod corpus;

// Policy validation: one test per rule, with path, line and column.
mod validation;

// Property tests on generated policies and requests.
mod properties;

// The CLI, in-process, pinned by insta snapshots.
mod cli;

// Scenarios: expectations and `copylab explain` snapshots, one per scenario.
mod scenarios;

// The message catalog against the reference, and scenario coverage of every message.
mod catalog;

// The feature matrix and the Region rules, table by table.
mod features;

// Property tests over generated worlds (rules engine and remedies).
mod rules_properties;

// Repository rules: module docs, pure core, justified dependencies, no skipped tests.
mod tidy;
