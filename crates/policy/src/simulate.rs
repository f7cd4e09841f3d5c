//! The one entry point that `copylab policy simulate`, the test corpus and the benchmark share: policy texts and request strings in, a [`Decision`] out.

use crate::diagnostic::PolicyError;
use crate::evaluate::{Authorization, Decision, LabeledPolicy, evaluate};
use crate::kind::PolicyKind;
use crate::policy::Policy;
use crate::request::{Caller, Context, Request};

/// A policy text and the label it is reported under.
#[derive(Debug, Clone)]
pub struct PolicySource<'t> {
    /// Name in traces (a file path, `resource`, `identity[0]`).
    pub label: String,
    /// The JSON text.
    pub text: &'t str,
}

/// Everything a simulation needs, as text.
#[derive(Debug, Clone, Default)]
pub struct SimulationInput<'t> {
    /// The rules for the resource side; inferred from the resource ARN when `None` (a KMS key
    /// is `kms`, a backup vault `vault`, anything else `resource`).
    pub kind: Option<PolicyKind>,
    /// The resource-based policy.
    pub resource_policy: Option<PolicySource<'t>>,
    /// The caller's identity policies.
    pub identity_policies: Vec<PolicySource<'t>>,
    /// Treat the caller's identity side as allowing everything.
    pub identity_allows_all: bool,
    /// An IAM or STS ARN, a service principal name, or `anonymous`.
    pub principal: &'t str,
    /// The action, e.g. `kms:CreateGrant`.
    pub action: &'t str,
    /// The resource ARN.
    pub resource: &'t str,
    /// The account that owns the resource (default: the account in the resource ARN).
    pub resource_owner: Option<&'t str>,
    /// Context keys with their values, in order; a repeated key adds values. A key with an
    /// empty list is present with an empty set of values.
    pub context: Vec<(String, Vec<String>)>,
}

/// Why a simulation could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimulationError {
    /// A policy did not validate.
    #[error("policy `{label}` is invalid")]
    InvalidPolicy {
        /// Its label.
        label: String,
        /// Every problem found.
        errors: Vec<PolicyError>,
    },
    /// The principal is not one copylab understands.
    #[error("{0}")]
    InvalidPrincipal(String),
    /// The action is not `service:action`.
    #[error("action `{0}` is not of the form `service:action`")]
    InvalidAction(String),
    /// `resource_owner` is not an account id.
    #[error("resource owner `{0}` is not a 12-digit account id")]
    InvalidResourceOwner(String),
}

/// Parsed policies and a request, ready to decide (policies are parsed once).
#[derive(Debug, Clone)]
pub struct Simulation {
    kind: PolicyKind,
    resource_policy: Option<(String, Policy)>,
    identity_policies: Vec<(String, Policy)>,
    identity_allows_all: bool,
    request: Request,
}

impl Simulation {
    /// Parses and validates everything; the first invalid input is reported.
    pub fn new(input: &SimulationInput<'_>) -> Result<Self, SimulationError> {
        let kind = match (&input.resource_policy, input.kind) {
            (None, _) => PolicyKind::Identity,
            (Some(_), Some(kind)) => kind,
            (Some(_), None) => PolicyKind::for_resource_arn(input.resource),
        };
        let parse = |source: &PolicySource<'_>, kind: PolicyKind| {
            Policy::parse(source.text, kind)
                .map(|policy| (source.label.clone(), policy))
                .map_err(|errors| SimulationError::InvalidPolicy {
                    label: source.label.clone(),
                    errors,
                })
        };
        let resource_policy = input.resource_policy.as_ref().map(|s| parse(s, kind)).transpose()?;
        let identity_policies = input
            .identity_policies
            .iter()
            .map(|s| parse(s, PolicyKind::Identity))
            .collect::<Result<Vec<_>, _>>()?;
        let caller = Caller::parse(input.principal).map_err(SimulationError::InvalidPrincipal)?;
        if !input
            .action
            .split_once(':')
            .is_some_and(|(s, a)| !s.is_empty() && !a.is_empty())
        {
            return Err(SimulationError::InvalidAction(input.action.to_owned()));
        }
        if let Some(owner) = input.resource_owner
            && !crate::request::is_account_id(owner)
        {
            return Err(SimulationError::InvalidResourceOwner(owner.to_owned()));
        }
        let mut context = Context::new();
        for (key, values) in &input.context {
            context.extend(key, values);
        }
        let request = Request::new(
            caller,
            input.action,
            input.resource,
            input.resource_owner,
            context,
            kind,
        );
        Ok(Simulation {
            kind,
            resource_policy,
            identity_policies,
            identity_allows_all: input.identity_allows_all,
            request,
        })
    }

    /// The rules applied to the resource side.
    pub fn kind(&self) -> PolicyKind {
        self.kind
    }

    /// The request, with its derived context keys.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// Evaluates the request.
    pub fn decide(&self) -> Decision<'_> {
        let authorization = Authorization {
            kind: self.kind,
            resource_policy: self
                .resource_policy
                .as_ref()
                .map(|(label, policy)| LabeledPolicy { label, policy }),
            identity_policies: self
                .identity_policies
                .iter()
                .map(|(label, policy)| LabeledPolicy { label, policy })
                .collect(),
            identity_allows_all: self.identity_allows_all,
        };
        evaluate(&authorization, &self.request)
    }
}
