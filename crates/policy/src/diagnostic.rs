//! Validation errors and warnings: one stable rule id per check, the AWS exception name for the policy kind, and the element's path and position.
//!
//! Messages follow our own style (one lowercase sentence, user input in backticks, no final
//! period). They are ours, not AWS's: AWS does not document the text it returns for these
//! cases, so every error carries `provenance: "modeled"`. The exception *names* are AWS's, from
//! the pinned models (`kms` and `iam`: `MalformedPolicyDocumentException`; `backup`:
//! `InvalidParameterValueException`).

use serde::Serialize;

use crate::json::Span;
use crate::kind::PolicyKind;

/// A check a policy document can fail; the kebab-case name is stable and used in tests and output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// The text is not JSON.
    MalformedJson,
    /// An object repeats a key [S16].
    DuplicateKey,
    /// An element name the grammar does not know.
    UnknownElement,
    /// An element has the wrong JSON type.
    WrongType,
    /// A required element is missing.
    MissingElement,
    /// `Effect` is neither `Allow` nor `Deny`.
    InvalidEffect,
    /// Two elements that exclude each other (`Action` and `NotAction`, ...).
    ConflictingElements,
    /// A principal with `*` that is not exactly `*` [S4].
    PartialWildcardPrincipal,
    /// A principal that is not an account id, an IAM or STS ARN, or a service name.
    InvalidPrincipal,
    /// `NotPrincipal` with `"Effect": "Allow"` [S5].
    NotPrincipalWithAllow,
    /// `Principal` or `NotPrincipal` in an identity policy.
    PrincipalInIdentityPolicy,
    /// A resource policy statement without `Principal`.
    MissingPrincipal,
    /// `Version` other than `2012-10-17` or `2008-10-17` [S15].
    UnknownVersion,
    /// A condition operator IAM does not define [S11].
    UnknownConditionOperator,
    /// A condition value the operator cannot use (`Bool` that is not true or false, a bad date, ...).
    InvalidConditionValue,
    /// A policy variable outside the resource part of a `Resource` ARN [S14].
    VariableOutsideResourcePart,
    /// A multivalued context key used as a policy variable [S13].
    MultivaluedVariable,
    /// A `${...}` that is not a policy variable (unclosed, or not `service:key`) [S14].
    InvalidVariable,
    /// A wildcard in the `Action` of a Backup vault access policy [S28].
    VaultActionWildcard,
    /// A wildcard in the service segment of a `Resource` ARN [S8].
    ServiceWildcard,
    /// An action that is not `*` nor `service:action`.
    InvalidAction,
    /// An identity-policy `Sid` with characters other than letters and digits [S16].
    InvalidSid,
    /// A KMS key policy over 32 KB [S21].
    PolicyTooLarge,
}

impl Rule {
    /// The stable kebab-case id.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::MalformedJson => "malformed-json",
            Rule::DuplicateKey => "duplicate-key",
            Rule::UnknownElement => "unknown-element",
            Rule::WrongType => "wrong-type",
            Rule::MissingElement => "missing-element",
            Rule::InvalidEffect => "invalid-effect",
            Rule::ConflictingElements => "conflicting-elements",
            Rule::PartialWildcardPrincipal => "partial-wildcard-principal",
            Rule::InvalidPrincipal => "invalid-principal",
            Rule::NotPrincipalWithAllow => "not-principal-with-allow",
            Rule::PrincipalInIdentityPolicy => "principal-in-identity-policy",
            Rule::MissingPrincipal => "missing-principal",
            Rule::UnknownVersion => "unknown-version",
            Rule::UnknownConditionOperator => "unknown-condition-operator",
            Rule::InvalidConditionValue => "invalid-condition-value",
            Rule::VariableOutsideResourcePart => "variable-outside-resource-part",
            Rule::MultivaluedVariable => "multivalued-variable",
            Rule::InvalidVariable => "invalid-variable",
            Rule::VaultActionWildcard => "vault-action-wildcard",
            Rule::ServiceWildcard => "service-wildcard",
            Rule::InvalidAction => "invalid-action",
            Rule::InvalidSid => "invalid-sid",
            Rule::PolicyTooLarge => "policy-too-large",
        }
    }
}

/// Why a policy document was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{path}: {message}")]
pub struct PolicyError {
    /// Which check failed.
    pub rule: Rule,
    /// The AWS exception the API call that stores this policy kind would answer with.
    pub exception: &'static str,
    /// What is wrong, in our words.
    pub message: String,
    /// JSON path of the offending element, e.g. `$.Statement[0].Principal.AWS[1]`.
    pub path: String,
    /// Where the offending element stands in the text.
    pub span: Span,
    /// Always `modeled`: AWS does not document the message text for these errors.
    pub provenance: &'static str,
}

/// Something AWS accepts but that has no effect or may not do what its author meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningRule {
    /// A key policy statement without `Resource`: accepted, no effect [S21][S26].
    StatementWithoutResource,
    /// A key policy statement without `Action`: accepted, no effect [S21][S26].
    StatementWithoutAction,
    /// A `NotPrincipal` Deny that names a principal but not its account [S5].
    NotprincipalWithoutAccount,
    /// An identity-policy `Resource` that is not an ARN (a KMS alias or key id) [S22].
    ResourceNotArn,
    /// The policy has no statements: it allows nothing.
    NoStatements,
}

impl WarningRule {
    /// The stable kebab-case id.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningRule::StatementWithoutResource => "statement-without-resource",
            WarningRule::StatementWithoutAction => "statement-without-action",
            WarningRule::NotprincipalWithoutAccount => "notprincipal-without-account",
            WarningRule::ResourceNotArn => "resource-not-arn",
            WarningRule::NoStatements => "no-statements",
        }
    }
}

/// A warning about a policy that AWS would accept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyWarning {
    /// Which check produced it.
    pub rule: WarningRule,
    /// What it means, in our words.
    pub message: String,
    /// JSON path of the element concerned.
    pub path: String,
    /// Where it stands.
    pub span: Span,
}

/// The AWS exception name for a rejected policy of this kind: the shape name of the pinned
/// models (KMS sends it as is; IAM's wire code for the same shape is `MalformedPolicyDocument`,
/// which `copylab serve` sends for identity and trust policies).
pub(crate) fn exception_for(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Vault => "InvalidParameterValueException",
        PolicyKind::Kms | PolicyKind::Identity | PolicyKind::Resource | PolicyKind::Trust => {
            "MalformedPolicyDocumentException"
        }
    }
}
