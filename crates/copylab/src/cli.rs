//! The command line: clap definitions and dispatch; each subcommand writes to the given streams and returns its exit code.

use std::ffi::OsString;
use std::io::Write;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::policy_cmd;

/// copylab: reproduce and explain AWS Backup cross-account and cross-Region copy jobs, offline.
#[derive(Debug, Parser)]
#[command(name = "copylab", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate and evaluate KMS key policies, Backup vault access policies and identity policies.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Run a scenario: the copy job's outcome, every check, and the fix.
    Explain(ExplainArgs),
    /// List the built-in scenarios (or print the scenario format's JSON Schema).
    Scenarios(ScenariosArgs),
    /// Serve a fake AWS Backup endpoint whose copy jobs end as AWS would end them.
    Serve(ServeArgs),
    /// The training lab's exercises in the terminal: find the cause and the fix of failed copies.
    Quiz(QuizArgs),
    /// Follow a running `copylab serve`'s AWS Backup events, one line each.
    Events(EventsArgs),
    /// Print a bash script of read-only AWS CLI calls that collects a real copy's configuration
    /// from each account, for `copylab import`.
    Collect(CollectArgs),
    /// Turn a folder `copylab collect`'s script filled into a scenario (for `copylab explain`).
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// The server to follow.
    #[arg(long, default_value = "http://127.0.0.1:4747")]
    pub endpoint: String,
    /// `text`: one line per event; `json`: each envelope on one line.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct QuizArgs {
    /// Language: `en` or `ja` (default: from `LANG`, else English).
    #[arg(long)]
    pub lang: Option<String>,
    /// Seed: the same seed gives the same questions (as the lab's exam with that seed).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// How many exercises (1 to 20).
    #[arg(long, default_value_t = 5)]
    pub count: usize,
    /// Print the right answers of this seed and count (for trainers), one per line, and exit.
    #[arg(long)]
    pub answer_key: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:4747")]
    pub bind: String,
    /// Serve a scenario's world (a built-in name or a file) instead of the default world, or
    /// restore a state document (a file saved from `GET /_copylab/state`) whole.
    #[arg(long)]
    pub scenario: Option<String>,
    /// Serve an empty world (no organization, key, vault or role) instead of the default world,
    /// for test suites that build everything themselves.
    #[arg(long, conflicts_with = "scenario")]
    pub empty: bool,
    /// Let an access key the world does not know act as this 12-digit account, unauthenticated
    /// (as LocalStack takes `test`/`test`); off by default, and printed at start when on.
    #[arg(long, value_name = "ACCOUNT")]
    pub accept_any_key: Option<String>,
    /// How copy jobs progress: `instant`, `polls:N` (CREATED, RUNNING, then the end state after N describes) or `realtime:SCALE`.
    #[arg(long, default_value = "instant")]
    pub progression: String,
    /// Where virtual time starts: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ` (default: the
    /// scenario's `as_of`, else the wall clock's now).
    #[arg(long)]
    pub clock_start: Option<String>,
    /// Virtual seconds per real second (0 freezes the clock: it then moves only by
    /// `POST /_copylab/clock/advance`).
    #[arg(long, default_value_t = 1.0)]
    pub clock_scale: f64,
    /// Also answer requests whose `Host` is this name (repeatable); loopback names and IP
    /// addresses are always answered, other names refused (DNS rebinding).
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_hosts: Vec<String>,
    /// POST each AWS Backup EventBridge event (the envelope, as a Lambda target receives it)
    /// to this http:// URL; repeatable.
    #[arg(long = "events-to", value_name = "URL")]
    pub events_to: Vec<String>,
    /// POST each vault notification (the `Records[].Sns` document an SNS-subscribed Lambda
    /// receives) to this http:// URL; repeatable.
    #[arg(long = "notifications-to", value_name = "URL")]
    pub notifications_to: Vec<String>,
    /// Deliver only the events this EventBridge pattern (a JSON file) matches: exact values,
    /// prefix, anything-but, exists and numeric.
    #[arg(long = "event-pattern", value_name = "FILE")]
    pub event_pattern: Option<std::path::PathBuf>,
    /// Keep the state in this folder: restored on start (world, jobs, plans, keys, sessions,
    /// the clock), every accepted request written durably before it is applied.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<std::path::PathBuf>,
    /// Log each request (operation, account, Region, outcome); repeat for more detail.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Args)]
pub(crate) struct CollectArgs {
    /// The source recovery point (not needed with --copy-job-id).
    #[arg(long, value_name = "ARN")]
    pub recovery_point_arn: Option<String>,
    /// The source backup vault's name (not needed with --copy-job-id).
    #[arg(long, value_name = "NAME")]
    pub source_vault: Option<String>,
    /// The destination backup vault (not needed with --copy-job-id).
    #[arg(long, value_name = "ARN")]
    pub destination_vault_arn: Option<String>,
    /// The copy's IAM role (not needed with --copy-job-id).
    #[arg(long, value_name = "ARN")]
    pub iam_role_arn: Option<String>,
    /// A copy job to collect too; its recovery point, vaults and role then need not be given.
    #[arg(long, value_name = "ID")]
    pub copy_job_id: Option<String>,
    /// The AWS CLI profile of the source account.
    #[arg(long, value_name = "PROFILE")]
    pub source_profile: String,
    /// The AWS CLI profile of the destination account.
    #[arg(long, value_name = "PROFILE")]
    pub destination_profile: String,
    /// The AWS CLI profile of the organization's management account (SCPs, RCPs, OUs).
    #[arg(long, value_name = "PROFILE")]
    pub management_profile: Option<String>,
    /// The source Region (default: the recovery point ARN's, else the profile's).
    #[arg(long)]
    pub region: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The folder the collect script wrote.
    pub dir: std::path::PathBuf,
    /// Write the scenario here instead of printing it.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Replace account ids, ARNs' resource names, key ids and tag values consistently, so the
    /// scenario can be attached to a ticket (the verdict is unchanged).
    #[arg(long)]
    pub redact: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// A scenario file (`path/to/x.yaml`) or a built-in scenario name (see `copylab scenarios`).
    pub scenario: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct ScenariosArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Print the JSON Schema of the scenario format instead.
    #[arg(long)]
    pub schema: bool,
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    /// Validate a policy document as AWS would when it is stored.
    Check(CheckArgs),
    /// Decide whether a principal may perform an action on a resource, and explain why.
    Simulate(SimulateArgs),
}

/// Which rules apply to a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// A KMS key policy.
    Kms,
    /// An AWS Backup vault access policy.
    Vault,
    /// An IAM identity policy.
    Identity,
    /// Any other resource-based policy.
    Resource,
    /// An IAM role trust policy.
    Trust,
}

impl KindArg {
    pub(crate) fn kind(self) -> copylab_policy::PolicyKind {
        use copylab_policy::PolicyKind;
        match self {
            KindArg::Kms => PolicyKind::Kms,
            KindArg::Vault => PolicyKind::Vault,
            KindArg::Identity => PolicyKind::Identity,
            KindArg::Resource => PolicyKind::Resource,
            KindArg::Trust => PolicyKind::Trust,
        }
    }
}

/// Which rules apply to the resource policy in a simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ResourceKindArg {
    /// A KMS key policy.
    Kms,
    /// An AWS Backup vault access policy.
    Vault,
    /// Any other resource-based policy.
    Resource,
}

impl ResourceKindArg {
    pub(crate) fn kind(self) -> copylab_policy::PolicyKind {
        use copylab_policy::PolicyKind;
        match self {
            ResourceKindArg::Kms => PolicyKind::Kms,
            ResourceKindArg::Vault => PolicyKind::Vault,
            ResourceKindArg::Resource => PolicyKind::Resource,
        }
    }
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// For people.
    #[default]
    Text,
    /// For programs.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The policy document (JSON).
    pub file: std::path::PathBuf,
    /// Which rules apply; inferred from the content when absent.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    /// The resource's policy (KMS key policy, vault access policy, ...).
    #[arg(long, value_name = "FILE")]
    pub resource_policy: std::path::PathBuf,
    /// An identity policy of the caller (repeatable).
    #[arg(long, value_name = "FILE")]
    pub identity_policy: Vec<std::path::PathBuf>,
    /// Treat the caller's identity policies as allowing everything.
    #[arg(long, conflicts_with = "identity_policy")]
    pub identity_allows_all: bool,
    /// Who calls: an IAM or STS ARN, a service principal such as `backup.amazonaws.com`, or `anonymous`.
    #[arg(long)]
    pub principal: String,
    /// The action, e.g. `kms:CreateGrant`.
    #[arg(long)]
    pub action: String,
    /// The resource ARN.
    #[arg(long)]
    pub resource: String,
    /// The account that owns the resource (default: the account in the resource ARN).
    #[arg(long, value_name = "ACCOUNT")]
    pub resource_owner: Option<String>,
    /// Which rules apply to the resource policy; inferred from the resource ARN when absent.
    #[arg(long, value_enum)]
    pub kind: Option<ResourceKindArg>,
    /// A request context key and value, `KEY=VALUE` (repeat a key for several values).
    #[arg(long, value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Exit codes: success (allowed, valid), a negative answer (denied, invalid), bad input.
pub mod exit {
    /// Allowed, valid, or the expected outcome.
    pub const OK: i32 = 0;
    /// Denied, invalid policy (for `check`), or an outcome that is not the expected one.
    pub const NO: i32 = 1;
    /// Invalid input: unreadable file, invalid policy given to `simulate`, bad arguments.
    pub const INPUT: i32 = 2;
}

/// Runs copylab with `args` (the first is the program name), writing to `out` and `err`.
/// `color` allows ANSI colours in diagnostics.
pub fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write, color: bool) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { exit::INPUT } else { exit::OK };
            let rendered = if color {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            let target: &mut dyn Write = if e.use_stderr() { err } else { out };
            let _ = write!(target, "{rendered}");
            return code;
        }
    };
    let result = match cli.command {
        Command::Policy(PolicyCommand::Check(args)) => policy_cmd::check(&args, out, err, color),
        Command::Policy(PolicyCommand::Simulate(args)) => policy_cmd::simulate(&args, out, err, color),
        Command::Explain(args) => crate::explain_cmd::explain(&args, out, err, color),
        Command::Scenarios(args) => crate::explain_cmd::scenarios(&args, out, err),
        Command::Serve(args) => crate::serve_cmd::serve(&args, err),
        Command::Quiz(args) => crate::quiz_cmd::quiz(&args, &mut std::io::stdin().lock(), out, color),
        Command::Events(args) => crate::events_cmd::events(&args, out, err, color),
        Command::Collect(args) => Ok(crate::collect_cmd::collect(&args, out, err)),
        Command::Import(args) => Ok(crate::import::import(&args, out, err)),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            exit::INPUT
        }
    }
}
