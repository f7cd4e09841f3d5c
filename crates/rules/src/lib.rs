//! copylab's rules engine: from organization, account, Region, resource, key and policy state, the outcome of an AWS Backup copy job with AWS's exact status message, every check with its evidence, and the fix.
//!
//! The facade: [`simulate`] (or [`PreparedWorld::simulate`] for many requests on one world) gives
//! a [`Verdict`]; [`CHECKS`] is the ordered table of checks (`checks/`, one file per check with
//! its evidence and its remedy); a failed check's [`Remedy`] is [`Patch`]es that [`apply`] makes
//! to a [`World`]. The modules below are the subsystems those use.
//!
//! Pure: no I/O, no clock, no randomness of its own. Time (`as_of`) and ids (`seed`) are inputs,
//! so every run is reproducible byte for byte. Policies are decided by `copylab-policy`.

pub mod arn;
pub mod backup_plans;
pub mod backup_policy;
pub mod catalog;
pub mod checks;
pub mod control_policies;
pub mod engine;
pub mod features;
pub mod generate;
pub mod ids;
pub mod kms;
pub mod plan_copies;
pub mod policies;
pub mod regions;
pub mod remedy;
pub mod schedule;
pub mod tag_policy;
pub mod text;
pub mod world;

pub use checks::{CHECKS, CheckDef};
pub use engine::{CheckReport, CheckResult, MODEL_DATE, Options, Outcome, Verdict, simulate};
pub use policies::{PreparedWorld, WorldError, WorldIndex};
pub use remedy::{Patch, Remedy, apply};
pub use world::{Scenario, StartCopyJob, World};
