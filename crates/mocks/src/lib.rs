//! In-process mocks of AWS Backup for Rust tests: a copylab scenario turned into `aws-smithy-mocks` rules for `aws-sdk-backup` (`StartCopyJob`, `DescribeCopyJob`, `ListCopyJobs`, `DescribeRecoveryPoint`), whose answers come from the rules engine, so code that reacts to a failed copy is unit-tested without a server.
//!
//! The rules run the same operation handlers as `copylab serve` on a state of their own (no
//! HTTP, no port, no runtime of their own), so a mocked copy job fails with the message, the
//! `MessageCategory` and the progression the server would give; `tests/it/mocks.rs` compares
//! both field by field for every built-in scenario.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use copylab_mocks::{BackupMock, Progression};
//!
//! let scenario = copylab_mocks::scenario_from_yaml(include_str!("../../../scenarios/seed_source_key_policy_without_destination.yaml"))?;
//! let mock = BackupMock::new(&scenario, Progression::Polls(2))?;
//! let client = mock.client();
//! let request = &scenario.copy_job;
//! let started = client
//!     .start_copy_job()
//!     .set_recovery_point_arn(request.recovery_point_arn.clone())
//!     .set_source_backup_vault_name(request.source_backup_vault_name.clone())
//!     .set_destination_backup_vault_arn(request.destination_backup_vault_arn.clone())
//!     .set_iam_role_arn(request.iam_role_arn.clone())
//!     .send()
//!     .await?;
//! // CREATED, RUNNING, then FAILED with AWS's message.
//! let job = client.describe_copy_job().copy_job_id(started.copy_job_id().unwrap_or_default()).send().await?;
//! # let _ = job;
//! # Ok(())
//! # }
//! ```
//!
//! Traps of `aws-smithy-mocks` this crate takes care of, and the ones it leaves to you:
//! - The rules are in `MatchAny` mode and compute every answer, so they answer any number of
//!   calls (the default `Sequential` mode would use each rule once).
//! - A request for an operation without a rule panics inside `send()` ("no rules matched"):
//!   [`BackupMock::client`] serves the four operations above only; add your own rules with
//!   [`BackupMock::client_with`] for the others.
//! - Retries are off, so a response is computed once per call.
//! - The client does not use the SDK's test defaults, whose fixed idempotency token would make
//!   every `StartCopyJob` a retry of the first (the job ids still come from the scenario's seed).
//!
//! Supported versions: `aws-sdk-backup` 1.132 (any 1.x with the same operation shapes) and
//! `aws-smithy-mocks` 0.3. The mocks act as the account and Region of the scenario's copy
//! request (`copy_job.account`, `copy_job.region`).

mod convert;

use std::sync::{Arc, Mutex};

use aws_sdk_backup::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_mocks::{MockResponse, MockResponseInterceptor, Rule, RuleMode, mock};
pub use copylab_rules::Scenario;
pub use copylab_server::state::Progression;
use copylab_server::state::ServerState;
use copylab_server::wire::{ApiError, Caller};
use serde_json::{Map, Value};

/// A scenario that cannot be mocked.
#[derive(Debug)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// Parses a self-contained scenario (YAML or JSON, the format of `docs/scenarios.md`). A
/// scenario whose policies sit in files next to it is loaded with `copylab::scenario::load`.
pub fn scenario_from_yaml(text: &str) -> Result<Scenario, Error> {
    serde_norway::from_str(text).map_err(|e| Error(format!("the scenario is invalid: {e}")))
}

/// AWS Backup mocked from a scenario: its world, seed, date and wording, and a progression.
#[derive(Debug, Clone)]
pub struct BackupMock {
    state: Arc<Mutex<ServerState>>,
    caller: Caller,
}

impl BackupMock {
    /// Mocks AWS Backup for `scenario`; copy jobs progress as `progression` says
    /// (`Progression::Polls(n)`: CREATED on the first `DescribeCopyJob`, RUNNING until the n-th,
    /// the end state after, as `copylab serve --progression polls:N`).
    pub fn new(scenario: &Scenario, progression: Progression) -> Result<Self, Error> {
        copylab_rules::PreparedWorld::new(&scenario.world).map_err(|e| Error(format!("the world is invalid: {e}")))?;
        let state = ServerState::new(
            scenario.world.clone(),
            scenario.seed,
            scenario.as_of.clone(),
            scenario.wording,
            progression,
        );
        let caller = Caller::account(&scenario.copy_job.account, &scenario.copy_job.region);
        Ok(BackupMock {
            state: Arc::new(Mutex::new(state)),
            caller,
        })
    }

    /// The rules: `StartCopyJob`, `DescribeCopyJob`, `ListCopyJobs` and `DescribeRecoveryPoint`,
    /// each answering every call from the shared state.
    pub fn rules(&self) -> Vec<Rule> {
        use aws_sdk_backup::Client;
        let start = {
            let mock = self.clone();
            mock!(Client::start_copy_job).then_compute_response(move |input| {
                match mock.call("StartCopyJob", convert::start_copy_job_input(input)) {
                    Ok(body) => MockResponse::Output(convert::start_copy_job_output(&body)),
                    Err(error) => MockResponse::Error(convert::start_copy_job_error(&error)),
                }
            })
        };
        let describe = {
            let mock = self.clone();
            mock!(Client::describe_copy_job).then_compute_response(move |input| {
                match mock.call("DescribeCopyJob", convert::describe_copy_job_input(input)) {
                    Ok(body) => MockResponse::Output(convert::describe_copy_job_output(&body)),
                    Err(error) => MockResponse::Error(convert::describe_copy_job_error(&error)),
                }
            })
        };
        let list = {
            let mock = self.clone();
            mock!(Client::list_copy_jobs).then_compute_response(move |input| {
                match mock.call("ListCopyJobs", convert::list_copy_jobs_input(input)) {
                    Ok(body) => MockResponse::Output(convert::list_copy_jobs_output(&body)),
                    Err(error) => MockResponse::Error(convert::list_copy_jobs_error(&error)),
                }
            })
        };
        let recovery_point = {
            let mock = self.clone();
            mock!(Client::describe_recovery_point).then_compute_response(move |input| {
                match mock.call("DescribeRecoveryPoint", convert::describe_recovery_point_input(input)) {
                    Ok(body) => MockResponse::Output(convert::describe_recovery_point_output(&body)),
                    Err(error) => MockResponse::Error(convert::describe_recovery_point_error(&error)),
                }
            })
        };
        vec![start, describe, list, recovery_point]
    }

    /// An `aws-sdk-backup` client answered by [`BackupMock::rules`].
    pub fn client(&self) -> aws_sdk_backup::Client {
        self.client_with(Vec::new())
    }

    /// A client answered by `extra` rules first (your own, for other operations or to override
    /// one), then by [`BackupMock::rules`].
    pub fn client_with(&self, extra: Vec<Rule>) -> aws_sdk_backup::Client {
        let interceptor = extra.iter().chain(self.rules().iter()).fold(
            MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny),
            |interceptor, rule| interceptor.with_rule(rule),
        );
        let config = aws_sdk_backup::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(self.caller.region.clone()))
            .credentials_provider(Credentials::new(
                self.caller.account.clone(),
                "copylab-mocks",
                None,
                None,
                "copylab-mocks",
            ))
            .http_client(aws_smithy_mocks::create_mock_http_client())
            .interceptor(interceptor)
            .retry_config(aws_sdk_backup::config::retry::RetryConfig::disabled())
            .build();
        aws_sdk_backup::Client::from_conf(config)
    }

    /// Runs one operation on the state through the server's call pipeline, as `copylab serve`
    /// does after its HTTP edge (request id, model check, guard, handler).
    fn call(&self, operation: &str, input: Map<String, Value>) -> Result<Value, ApiError> {
        // A panic in another test thread leaves the state as it was: keep using it.
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let service = &copylab_server::services::backup::SERVICE;
        let answer = copylab_server::call::call(&mut state, &self.caller, service, operation, input);
        answer.result.map(copylab_server::call::Output::into_json)
    }
}
