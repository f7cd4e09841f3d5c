//! The decision: explicit Deny over Allow over implicit deny, both sides for cross-account requests, KMS's no-implicit-access rule and the AWS Backup and KMS cross-account limits; with a trace of every statement.
//!
//! The rules, with their sources, are in `iam-policy-semantics.md` §1 and §1.10:
//! - any applicable Deny in any policy decides (ExplicitDeny) [S2][S3];
//! - cross-account, the resource policy and the caller's identity policies must both allow [S1];
//! - a KMS key policy must allow: an account principal only delegates to IAM, so an identity
//!   policy must allow as well; a principal named exactly (or `*`) needs no IAM Allow in the
//!   key's own account [S19][S20][S2];
//! - other resource policies in the same account: a direct grant or an identity Allow suffices [S2];
//! - only some KMS operations work cross-account [S22][S25]; only `backup:CopyIntoBackupVault`
//!   works cross-account on a backup vault [S28].

use std::borrow::Cow;

use serde::Serialize;

use crate::condition::{ARN_NOT_ARN_ASSUMPTION, ConditionTrace};
use crate::diagnostic::PolicyWarning;
use crate::kind::PolicyKind;
use crate::pattern::{Pattern, Segments};
use crate::policy::{Effect, Policy, PrincipalElement, PrincipalName, Statement};
use crate::request::{Caller, Request};

/// KMS operations that another account may be allowed to call [S22][S25].
const KMS_CROSS_ACCOUNT_ACTIONS: &[&str] = &[
    "kms:Decrypt",
    "kms:DeriveSharedSecret",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateMac",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:Sign",
    "kms:Verify",
    "kms:VerifyMac",
    "kms:CreateGrant",
    "kms:GetKeyRotationStatus",
    "kms:GetPublicKey",
    "kms:ListGrants",
    "kms:RetireGrant",
    "kms:RevokeGrant",
];

/// The one action a backup vault access policy can grant to another account [S28].
const VAULT_CROSS_ACCOUNT_ACTION: &str = "backup:CopyIntoBackupVault";

/// A policy with the name it is reported under (a file name, `resource`, `identity[0]`).
#[derive(Debug, Clone, Copy)]
pub struct LabeledPolicy<'p> {
    /// The name in traces and deciding statements.
    pub label: &'p str,
    /// The policy.
    pub policy: &'p Policy,
}

/// What to evaluate: the resource's policy and the caller's identity policies.
#[derive(Debug, Clone)]
pub struct Authorization<'p> {
    /// The rules for the resource side: `Kms`, `Vault` or `Resource`; `Identity` when there is
    /// no resource policy.
    pub kind: PolicyKind,
    /// The resource-based policy (key policy, vault access policy, ...).
    pub resource_policy: Option<LabeledPolicy<'p>>,
    /// The caller's identity policies.
    pub identity_policies: Vec<LabeledPolicy<'p>>,
    /// Treat the caller's identity side as allowing everything (no identity policy is given).
    pub identity_allows_all: bool,
}

/// The three possible decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// Allowed.
    Allow,
    /// Denied by an applicable Deny statement.
    ExplicitDeny,
    /// Denied because nothing (or not enough) allows it.
    ImplicitDeny,
}

impl Outcome {
    /// The name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allow => "Allow",
            Outcome::ExplicitDeny => "ExplicitDeny",
            Outcome::ImplicitDeny => "ImplicitDeny",
        }
    }
}

/// How a statement's `Principal` or `NotPrincipal` relates to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrincipalMatch {
    /// `Principal` names nobody the caller is.
    NoMatch,
    /// `NotPrincipal` lists the caller: the statement does not apply.
    Listed,
    /// The caller's account is named: a delegation to its IAM policies.
    Account,
    /// `NotPrincipal` does not list the caller: the statement applies.
    NotListed,
    /// `*`: everyone, anonymous included.
    Everyone,
    /// The caller's own user, role (for its sessions), session or service principal.
    Exact,
    /// An identity policy statement: it applies to the identity it is attached to.
    NotApplicable,
}

impl PrincipalMatch {
    /// Whether the principal part lets the statement apply.
    pub fn matched(self) -> bool {
        !matches!(self, PrincipalMatch::NoMatch | PrincipalMatch::Listed)
    }
}

/// A statement that decided the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatementRef<'a> {
    /// The policy's label.
    pub policy: &'a str,
    /// The statement's `Sid`.
    pub sid: Option<&'a str>,
    /// The statement's 0-based index in its policy.
    pub index: usize,
}

/// How one statement evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct StatementTrace<'a> {
    /// The policy's label.
    pub policy: &'a str,
    /// 0-based index in its policy.
    pub index: usize,
    /// `Sid`.
    pub sid: Option<&'a str>,
    /// `Effect`.
    pub effect: Effect,
    /// The principal part.
    pub principal_match: PrincipalMatch,
    /// Whether `Action`/`NotAction` covers the request's action.
    pub action_match: bool,
    /// Whether `Resource`/`NotResource` covers the request's resource.
    pub resource_match: bool,
    /// One entry per (operator, key).
    pub conditions: Vec<ConditionTrace<'a>>,
    /// Whether every condition holds.
    pub conditions_match: bool,
    /// Whether the statement applies to the request.
    pub applies: bool,
    /// Why the statement can never apply, when it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_effect: Option<&'static str>,
}

/// What kind of note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteKind {
    /// AWS documents no single answer; the decision is the conservative one and the note names
    /// the other possible outcome.
    Indeterminate,
    /// The decision rests on an assumption copylab makes where AWS documents nothing.
    Assumption,
    /// Why the decision came out as it did (a rule that applied).
    Reason,
}

/// Something the reader of a decision should know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// `indeterminate`, `assumption` or `reason`.
    pub kind: NoteKind,
    /// Stable id of the note.
    pub code: &'static str,
    /// What it says.
    pub message: Cow<'static, str>,
}

/// A warning from one of the policies evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct LabeledWarning<'a> {
    /// The policy's label.
    pub policy: &'a str,
    /// The warning.
    #[serde(flatten)]
    pub warning: &'a PolicyWarning,
}

/// How each side of the request was granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sides {
    /// Whether the caller's account differs from the resource owner.
    pub cross_account: bool,
    /// The strongest principal match among the resource policy's applicable Allows
    /// (`no-match` when none; absent when there is no resource policy).
    pub resource_policy: Option<PrincipalMatch>,
    /// Whether the caller's identity side allows (`None` for callers without one: services, anonymous).
    pub identity: Option<bool>,
}

/// The answer: a decision with its reasons, never an error.
#[derive(Debug, Clone, Serialize)]
pub struct Decision<'a> {
    /// `Allow`, `ExplicitDeny` or `ImplicitDeny`.
    pub decision: Outcome,
    /// The statements that decided: every applicable Deny for ExplicitDeny, every applicable
    /// Allow for Allow, none for ImplicitDeny.
    pub deciding_statements: Vec<StatementRef<'a>>,
    /// How each side was granted.
    pub sides: Sides,
    /// Every statement of every policy, resource policy first.
    pub statements: Vec<StatementTrace<'a>>,
    /// Warnings from the policies.
    pub warnings: Vec<LabeledWarning<'a>>,
    /// Notes: reasons, assumptions and indeterminate cases.
    pub notes: Vec<Note>,
}

/// Decides `request` under `authorization`, with a trace of every statement.
pub fn evaluate<'a>(authorization: &Authorization<'a>, request: &'a Request) -> Decision<'a> {
    evaluate_with(authorization, request, true)
}

/// Decides `request` like [`evaluate`] (same decision, deciding statements, notes and warnings),
/// but traces only the statements whose principal, action and resource match: for callers that
/// need the answer and its reasons, not the full explanation (the rules engine's checks).
pub fn evaluate_brief<'a>(authorization: &Authorization<'a>, request: &'a Request) -> Decision<'a> {
    evaluate_with(authorization, request, false)
}

fn evaluate_with<'a>(authorization: &Authorization<'a>, request: &'a Request, full: bool) -> Decision<'a> {
    let mut notes = Vec::new();
    let statement_count = authorization
        .resource_policy
        .iter()
        .map(|p| p.policy.statements.len())
        .sum::<usize>()
        + authorization
            .identity_policies
            .iter()
            .map(|p| p.policy.statements.len())
            .sum::<usize>();
    let mut statements = Vec::with_capacity(statement_count);
    let mut resource_side = None;
    if let Some(labeled) = authorization.resource_policy {
        let mut best = PrincipalMatch::NoMatch;
        for (index, statement) in labeled.policy.statements.iter().enumerate() {
            let Some(trace) = trace_statement(labeled, index, statement, request, &mut notes, full) else {
                continue;
            };
            if trace.applies && trace.effect == Effect::Allow {
                best = best.max(trace.principal_match);
            }
            statements.push(trace);
        }
        resource_side = Some(best);
    }
    let mut identity_allows = authorization.identity_allows_all;
    for labeled in &authorization.identity_policies {
        for (index, statement) in labeled.policy.statements.iter().enumerate() {
            let Some(trace) = trace_statement(*labeled, index, statement, request, &mut notes, full) else {
                continue;
            };
            identity_allows |= trace.applies && trace.effect == Effect::Allow;
            statements.push(trace);
        }
    }
    if matches!(request.caller, Caller::Root { .. }) {
        // The root user is not limited by identity policies in its own account.
        identity_allows = true;
    }

    let warnings = authorization
        .resource_policy
        .iter()
        .chain(&authorization.identity_policies)
        .flat_map(|p| {
            p.policy.warnings.iter().map(move |warning| LabeledWarning {
                policy: p.label,
                warning,
            })
        })
        .collect();

    let caller_account = request.caller.account();
    let cross_account = match (caller_account, request.resource_owner.as_deref()) {
        (Some(caller), Some(owner)) => caller != owner,
        _ => false,
    };
    let sides = Sides {
        cross_account,
        resource_policy: resource_side,
        identity: caller_account.map(|_| identity_allows),
    };

    let deny = applicable(&statements, Effect::Deny);
    if !deny.is_empty() {
        return Decision {
            decision: Outcome::ExplicitDeny,
            deciding_statements: deny,
            sides,
            statements,
            warnings,
            notes,
        };
    }

    let allowed = decide_allow(authorization.kind, request, sides, &mut notes);
    let (decision, deciding_statements) = if allowed {
        let allows = applicable(&statements, Effect::Allow);
        (Outcome::Allow, allows)
    } else {
        (Outcome::ImplicitDeny, Vec::new())
    };
    Decision {
        decision,
        deciding_statements,
        sides,
        statements,
        warnings,
        notes,
    }
}

/// The statements of `statements` that apply with `effect`, as references.
pub(crate) fn applicable<'a>(statements: &[StatementTrace<'a>], effect: Effect) -> Vec<StatementRef<'a>> {
    statements
        .iter()
        .filter(|t| t.applies && t.effect == effect)
        .map(|t| StatementRef {
            policy: t.policy,
            sid: t.sid,
            index: t.index,
        })
        .collect()
}

/// Whether the applicable Allows are enough, given the kind of resource and who calls; pushes
/// a `reason` note saying why not when they are not.
fn decide_allow(kind: PolicyKind, request: &Request, sides: Sides, notes: &mut Vec<Note>) -> bool {
    let resource = sides.resource_policy.unwrap_or(PrincipalMatch::NoMatch);
    let direct = matches!(
        resource,
        PrincipalMatch::Exact | PrincipalMatch::Everyone | PrincipalMatch::NotListed
    );
    let any_resource = direct || resource == PrincipalMatch::Account;
    let Some(identity) = sides.identity else {
        // Services and anonymous callers have no identity side: the resource policy decides.
        if !direct {
            notes.push(reason(
                "resource-policy-required",
                format!("`{}` has no identity policies: only a resource policy statement that names it (or `*`) can allow it", request.caller.display()),
            ));
        }
        return direct;
    };
    let owner = request.resource_owner.as_deref().unwrap_or("the resource's account");
    if sides.cross_account {
        if kind == PolicyKind::Kms && !is_kms_cross_account_action(&request.action) {
            notes.push(reason(
                "kms-not-cross-account",
                format!("`{}` cannot be used across accounts: a key policy can give another account only the cryptographic operations, CreateGrant, DescribeKey, GetKeyRotationStatus, GetPublicKey, ListGrants, RetireGrant and RevokeGrant [S22][S25]", request.action),
            ));
            return false;
        }
        if kind == PolicyKind::Vault && !request.action.eq_ignore_ascii_case(VAULT_CROSS_ACCOUNT_ACTION) {
            notes.push(reason(
                "vault-cross-account-action",
                format!("`{}` is rejected across accounts whatever the vault access policy says: only `backup:CopyIntoBackupVault` works cross-account [S28]", request.action),
            ));
            return false;
        }
        if kind == PolicyKind::Identity {
            notes.push(reason(
                "resource-policy-required",
                format!("the resource belongs to {owner}, another account: without a resource policy that allows the caller, identity policies alone cannot grant access [S1]"),
            ));
            return false;
        }
        if !any_resource {
            notes.push(reason(
                "resource-policy-required",
                format!("cross-account request: the {} must allow the caller or its account, and no statement of it does [S1]", side_name(kind)),
            ));
        }
        if !identity {
            notes.push(reason(
                "identity-allow-required",
                format!("cross-account request: an identity policy in the caller's account must also allow `{}` on this resource, and none does [S1][S22]", request.action),
            ));
        }
        return any_resource && identity;
    }
    match kind {
        // Key policies and role trust policies "must explicitly allow access for principals"
        // even in the same account [S2]: an identity policy alone never grants access.
        PolicyKind::Kms | PolicyKind::Trust => {
            if direct {
                return true;
            }
            if resource == PrincipalMatch::Account && identity {
                return true;
            }
            let kms = kind == PolicyKind::Kms;
            if resource == PrincipalMatch::Account {
                let message = if kms {
                    format!(
                        "the key policy allows the account, which only lets IAM policies grant access: no identity policy allows `{}` [S20][S21]",
                        request.action
                    )
                } else {
                    format!(
                        "the trust policy allows the account, which delegates to IAM: no identity policy allows `{}` [S2]",
                        request.action
                    )
                };
                notes.push(reason("identity-allow-required", message));
            } else if identity {
                notes.push(if kms {
                    reason(
                        "key-policy-required",
                        "an identity policy allows, but IAM policies cannot give access to a KMS key unless its key policy allows the account or the principal [S19][S20]",
                    )
                } else {
                    reason(
                        "trust-policy-required",
                        "an identity policy allows, but a role can be assumed only by principals its trust policy allows [S2]",
                    )
                });
            } else {
                let source = if kms { "[S19]" } else { "[S2]" };
                notes.push(reason(
                    "no-allow",
                    format!("no statement of the {} allows the caller {source}", side_name(kind)),
                ));
            }
            false
        }
        PolicyKind::Identity => {
            if !identity {
                notes.push(reason(
                    "no-allow",
                    format!("no identity policy allows `{}` on this resource [S2]", request.action),
                ));
            }
            identity
        }
        PolicyKind::Vault | PolicyKind::Resource => {
            if direct || identity {
                return true;
            }
            if resource == PrincipalMatch::Account {
                notes.push(reason(
                    "identity-allow-required",
                    format!(
                        "the {} allows the account, which delegates to IAM: no identity policy allows `{}` [S2]",
                        side_name(kind),
                        request.action
                    ),
                ));
            } else {
                notes.push(reason(
                    "no-allow",
                    format!(
                        "neither the {} nor an identity policy allows the request [S2]",
                        side_name(kind)
                    ),
                ));
            }
            false
        }
    }
}

fn side_name(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Kms => "key policy",
        PolicyKind::Vault => "vault access policy",
        PolicyKind::Identity | PolicyKind::Resource => "resource policy",
        PolicyKind::Trust => "trust policy",
    }
}

fn reason(code: &'static str, message: impl Into<Cow<'static, str>>) -> Note {
    Note {
        kind: NoteKind::Reason,
        code,
        message: message.into(),
    }
}

fn push_once(notes: &mut Vec<Note>, note: Note) {
    if !notes.iter().any(|n| n.code == note.code && n.message == note.message) {
        notes.push(note);
    }
}

/// Whether a KMS action can be granted to another account (case-insensitive) [S22].
pub fn is_kms_cross_account_action(action: &str) -> bool {
    KMS_CROSS_ACCOUNT_ACTIONS.iter().any(|a| a.eq_ignore_ascii_case(action))
}

pub(crate) fn trace_statement<'a>(
    labeled: LabeledPolicy<'a>,
    index: usize,
    statement: &'a Statement,
    request: &'a Request,
    notes: &mut Vec<Note>,
    full: bool,
) -> Option<StatementTrace<'a>> {
    let principal_match = match &statement.principal {
        None => PrincipalMatch::NotApplicable,
        Some(element) if element.negated => not_principal(element, &request.caller, notes),
        Some(element) => element
            .entries
            .iter()
            .map(|e| principal_entry(&e.names, &request.caller))
            .max()
            .unwrap_or(PrincipalMatch::NoMatch),
    };
    let action_match = statement
        .action
        .as_ref()
        .is_some_and(|element| element.covers(&request.action) != element.negated);
    if !(full || (principal_match.matched() && action_match)) {
        return None;
    }
    let resource_match = match &statement.resource {
        None => labeled.policy.kind == PolicyKind::Trust,
        Some(element) => resource_matches(element, request),
    };
    if !full && !resource_match {
        return None;
    }
    let conditions: Vec<ConditionTrace<'a>> = statement
        .conditions
        .iter()
        .map(|c| c.evaluate(&request.context))
        .collect();
    if conditions.iter().any(|c| c.assumption.is_some()) {
        push_once(
            notes,
            Note {
                kind: NoteKind::Assumption,
                code: "assumption",
                message: Cow::Borrowed(ARN_NOT_ARN_ASSUMPTION),
            },
        );
    }
    let conditions_match = conditions.iter().all(|c| c.result);
    let no_effect = match (&statement.action, &statement.resource) {
        (None, _) => Some("the statement has no Action: KMS accepts it but it has no effect [S21][S26]"),
        (_, None) if labeled.policy.kind != PolicyKind::Trust => {
            Some("the statement has no Resource: KMS accepts it but it has no effect [S21][S26]")
        }
        _ => None,
    };
    Some(StatementTrace {
        policy: labeled.label,
        index,
        sid: statement.sid.as_deref(),
        effect: statement.effect,
        principal_match,
        action_match,
        resource_match,
        applies: principal_match.matched() && action_match && resource_match && conditions_match,
        conditions,
        conditions_match,
        no_effect,
    })
}

impl Policy {
    /// Whether deciding `action` under this policy can depend on the request's resource: some
    /// statement covering `action` (by `Action` or `NotAction`) has a `Resource` or `NotResource`
    /// without `*` among its patterns. Where it cannot, the request's resource is read only for
    /// its owner ([`Request::resource_owner`]), so a caller may remember the answer for every
    /// resource of one owner.
    pub fn resource_matters_for(&self, action: &str) -> bool {
        self.statements.iter().any(|statement| {
            let covers = statement
                .action
                .as_ref()
                .is_some_and(|element| element.covers(action) != element.negated);
            covers
                && statement.resource.as_ref().is_some_and(|element| {
                    !element
                        .resources
                        .iter()
                        .any(|r| r.pattern.is_some() && r.template.source == "*")
                })
        })
    }
}

fn resource_matches(element: &crate::policy::ResourceElement, request: &Request) -> bool {
    element.resources.iter().any(|r| match &r.pattern {
        Some(pattern) => pattern.matches(&request.resource),
        None => r
            .template
            .resolve(&request.context)
            .is_some_and(|pieces| Pattern::from_pieces(&pieces, Segments::Resource, false).matches(&request.resource)),
    }) != element.negated
}

/// How one `Principal` entry relates to the caller [S4].
fn principal_entry(names: &PrincipalName, caller: &Caller) -> PrincipalMatch {
    match (names, caller) {
        (PrincipalName::Everyone, _) => PrincipalMatch::Everyone,
        (PrincipalName::Account(account), caller) if caller.account() == Some(account.as_str()) => {
            PrincipalMatch::Account
        }
        (PrincipalName::Role { account, name }, Caller::RoleSession { account: a, role, .. })
            if account == a && name == role =>
        {
            PrincipalMatch::Exact
        }
        (PrincipalName::Exact(arn), caller) if caller.arn() == Some(arn.as_str()) => PrincipalMatch::Exact,
        (PrincipalName::Service(service), Caller::Service { name }) if service == name => PrincipalMatch::Exact,
        _ => PrincipalMatch::NoMatch,
    }
}

/// `NotPrincipal` (Deny only): AWS "might" check the account, then the role, then the session
/// [S5]. The caller is exempt for sure only when every link of that chain is listed; when some
/// but not all are, the answer is indeterminate and the conservative outcome is that the Deny
/// applies (E25).
fn not_principal(element: &PrincipalElement, caller: &Caller, notes: &mut Vec<Note>) -> PrincipalMatch {
    let listed = |check: &dyn Fn(&PrincipalName) -> bool| {
        element
            .entries
            .iter()
            .any(|e| e.names == PrincipalName::Everyone || check(&e.names))
    };
    let account_listed = |account: &str| listed(&|n| matches!(n, PrincipalName::Account(a) if a == account));
    let exact_listed = |arn: &str| listed(&|n| matches!(n, PrincipalName::Exact(x) if x == arn));
    let links: Vec<(&str, bool)> = match caller {
        Caller::Anonymous => vec![("anonymous", listed(&|_| false))],
        Caller::Service { name } => vec![(
            name.as_str(),
            listed(&|n| matches!(n, PrincipalName::Service(s) if s == name)),
        )],
        Caller::Root { arn, account } => vec![(arn.as_str(), account_listed(account))],
        Caller::User { arn, account, .. } | Caller::Other { arn, account } => {
            vec![
                ("its account", account_listed(account)),
                (arn.as_str(), exact_listed(arn)),
            ]
        }
        Caller::RoleSession {
            arn,
            account,
            role,
            role_arn,
            session,
        } => {
            let role_listed =
                listed(&|n| matches!(n, PrincipalName::Role { account: a, name } if a == account && name == role));
            let mut links = vec![
                ("its account", account_listed(account)),
                (role_arn.as_str(), role_listed),
            ];
            if session.is_some() {
                links.push((arn.as_str(), exact_listed(arn)));
            }
            links
        }
    };
    let count = links.iter().filter(|(_, l)| *l).count();
    if count == links.len() {
        return PrincipalMatch::Listed;
    }
    if count > 0 {
        let listed_names: Vec<&str> = links.iter().filter(|(_, l)| *l).map(|(n, _)| *n).collect();
        let missing: Vec<&str> = links.iter().filter(|(_, l)| !*l).map(|(n, _)| *n).collect();
        push_once(
            notes,
            Note {
                kind: NoteKind::Indeterminate,
                code: "indeterminate",
                message: Cow::Owned(format!(
                    "NotPrincipal lists {} but not {}: AWS documents that it might check the account, then the role, then the session [S5], so it might also exempt `{}` (no Deny); copylab reports the conservative outcome, that the Deny applies",
                    listed_names.join(", "),
                    missing.join(", "),
                    caller.display()
                )),
            },
        );
    }
    PrincipalMatch::NotListed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Context;

    fn policy(statements: &str) -> Policy {
        Policy::parse(
            &format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#),
            PolicyKind::Identity,
        )
        .unwrap()
    }

    const ALLOW_ALL: &str = r#"{"Effect": "Allow", "Action": "backup:CopyFromBackupVault", "Resource": "*"}"#;

    #[test]
    fn only_statements_covering_the_action_with_a_named_resource_make_the_resource_matter() {
        let action = "backup:CopyFromBackupVault";
        assert!(!policy(ALLOW_ALL).resource_matters_for(action));
        // Another action's named resource does not.
        let other =
            r#"{"Effect": "Allow", "Action": "backup:TagResource", "Resource": "arn:aws:backup:*:*:recovery-point:*"}"#;
        assert!(!policy(&format!("{ALLOW_ALL}, {other}")).resource_matters_for(action));
        // A Deny of some recovery points does; so does NotAction covering it, and NotResource.
        let deny = r#"{"Effect": "Deny", "Action": "backup:Copy*", "Resource": "arn:aws:rds:*:*:snapshot:secret-*"}"#;
        assert!(policy(&format!("{ALLOW_ALL}, {deny}")).resource_matters_for(action));
        let not_action = r#"{"Effect": "Allow", "NotAction": "s3:*", "Resource": "arn:aws:rds:*:*:snapshot:*"}"#;
        assert!(policy(not_action).resource_matters_for(action));
        let not_resource =
            r#"{"Effect": "Deny", "Action": "backup:*", "NotResource": "arn:aws:rds:*:*:snapshot:keep-*"}"#;
        assert!(policy(not_resource).resource_matters_for(action));
        // A variable in the resource is read from the request: it matters.
        let variable = r#"{"Effect": "Allow", "Action": "backup:*", "Resource": "arn:aws:rds:*:*:snapshot:${aws:PrincipalAccount}-*"}"#;
        assert!(policy(variable).resource_matters_for(action));
    }

    #[test]
    fn where_the_resource_does_not_matter_two_resources_of_one_owner_get_one_answer() {
        let policies = [
            policy(ALLOW_ALL),
            policy(
                r#"{"Effect": "Deny", "Action": "backup:*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}}"#,
            ),
            policy(r#"{"Effect": "Allow", "Action": "ec2:*", "Resource": "arn:aws:rds:*:*:snapshot:a"}"#),
        ];
        let caller = Caller::parse("arn:aws:sts::111122223333:assumed-role/R/AWSBackup-copy").unwrap();
        for policy in &policies {
            assert!(!policy.resource_matters_for("backup:CopyFromBackupVault"));
            let answers: Vec<(Outcome, Vec<usize>)> = ["a", "b"]
                .iter()
                .map(|name| {
                    let request = Request::new(
                        caller.clone(),
                        "backup:CopyFromBackupVault",
                        &format!("arn:aws:rds:us-east-1:111122223333:snapshot:{name}"),
                        None,
                        Context::new(),
                        PolicyKind::Identity,
                    );
                    let authorization = Authorization {
                        kind: PolicyKind::Identity,
                        resource_policy: None,
                        identity_policies: vec![LabeledPolicy { label: "p", policy }],
                        identity_allows_all: false,
                    };
                    let decision = evaluate_brief(&authorization, &request);
                    (
                        decision.decision,
                        decision.deciding_statements.iter().map(|d| d.index).collect(),
                    )
                })
                .collect();
            assert_eq!(answers[0], answers[1]);
        }
    }
}
