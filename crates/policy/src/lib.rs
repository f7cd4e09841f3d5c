//! copylab's policy engine: parses, validates and evaluates KMS key policies, AWS Backup vault access policies and IAM identity policies as AWS does, and explains every decision.
//!
//! ```
//! use copylab_policy::{Authorization, Caller, Context, LabeledPolicy, Outcome, Policy, PolicyKind, Request};
//!
//! let key_policy = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [{
//!     "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
//!     "Action": "kms:Decrypt", "Resource": "*"}]}"#, PolicyKind::Kms).unwrap();
//! let caller = Caller::parse("arn:aws:sts::444455556666:assumed-role/BackupRole/s1").unwrap();
//! let request = Request::new(caller, "kms:Decrypt",
//!     "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
//!     None, Context::new(), PolicyKind::Kms);
//! let authorization = Authorization {
//!     kind: PolicyKind::Kms,
//!     resource_policy: Some(LabeledPolicy { label: "key-policy", policy: &key_policy }),
//!     identity_policies: vec![],
//!     identity_allows_all: false,
//! };
//! let decision = copylab_policy::evaluate(&authorization, &request);
//! // Cross-account: the key policy allows the account, but no identity policy allows the role.
//! assert_eq!(decision.decision, Outcome::ImplicitDeny);
//! ```
//!
//! Pure: no I/O, no clock, no randomness. Sources are cited as `[S#]`, the list in
//! `iam-policy-semantics.md` §7.

mod canonical;
mod condition;
mod control;
mod diagnostic;
mod evaluate;
mod json;
mod kind;
mod parse;
mod pattern;
mod policy;
mod request;
mod simulate;
mod template;

pub use condition::{BaseOperator, Condition, ConditionTrace, Operator, SetOperator, days_from_civil};
pub use control::{ControlDecision, ControlLevel, ControlPolicyType, evaluate_control};
pub use diagnostic::{PolicyError, PolicyWarning, Rule, WarningRule};
pub use evaluate::{
    Authorization, Decision, LabeledPolicy, LabeledWarning, Note, NoteKind, Outcome, PrincipalMatch, Sides,
    StatementRef, StatementTrace, evaluate, evaluate_brief, is_kms_cross_account_action,
};
pub use json::Span;
pub use kind::PolicyKind;
pub use pattern::{Pattern, Piece, Segments, split_arn};
pub use policy::{
    ActionElement, ActionPattern, Effect, Policy, PrincipalElement, PrincipalEntry, PrincipalName, PrincipalType,
    ResourceElement, ResourcePattern, Statement, Version,
};
pub use request::{Caller, Context, ContextEntry, Request, is_account_id};
pub use simulate::{PolicySource, Simulation, SimulationError, SimulationInput};
pub use template::{Part, Template};
