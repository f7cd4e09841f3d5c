//! The typed policy grammar: `Version`, `Id`, `Statement` with `Sid`, `Effect`, `Principal`/`NotPrincipal`, `Action`/`NotAction`, `Resource`/`NotResource` and `Condition`.
//!
//! Grammar: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html> [S16].
//! Values are compiled once at parse time (patterns, principals, condition operands), so that
//! evaluation does no parsing.

use serde::Serialize;

use crate::condition::Condition;
use crate::diagnostic::PolicyWarning;
use crate::json::Span;
use crate::kind::PolicyKind;
use crate::pattern::Pattern;
use crate::template::Template;

/// A parsed, validated policy document.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Which rules it was validated under.
    pub kind: PolicyKind,
    /// `Version`, when present.
    pub version: Option<Version>,
    /// `Id`, when present.
    pub id: Option<String>,
    /// The statements, in document order.
    pub statements: Vec<Statement>,
    /// What AWS accepts but ignores or may not mean.
    pub warnings: Vec<PolicyWarning>,
}

/// The policy language version [S15].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Version {
    /// `2012-10-17`: policy variables are recognised.
    #[serde(rename = "2012-10-17")]
    V2012_10_17,
    /// `2008-10-17`: `${...}` is literal text.
    #[serde(rename = "2008-10-17")]
    V2008_10_17,
}

impl Version {
    /// The version string.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2012_10_17 => "2012-10-17",
            Version::V2008_10_17 => "2008-10-17",
        }
    }
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    /// `Allow`.
    Allow,
    /// `Deny`.
    Deny,
}

impl Effect {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// One statement.
#[derive(Debug, Clone)]
pub struct Statement {
    /// `Sid`.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal` or `NotPrincipal` (absent in identity policies).
    pub principal: Option<PrincipalElement>,
    /// `Action` or `NotAction`; absent only in key policies, where the statement has no effect.
    pub action: Option<ActionElement>,
    /// `Resource` or `NotResource`; absent only in key policies, where the statement has no effect.
    pub resource: Option<ResourceElement>,
    /// The condition block, one entry per (operator, key).
    pub conditions: Vec<Condition>,
    /// Where the statement object stands.
    pub span: Span,
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone)]
pub struct PrincipalElement {
    /// `NotPrincipal`.
    pub negated: bool,
    /// `"*"` written as a bare string.
    pub bare_wildcard: bool,
    /// The principals, in document order (one `Everyone` entry for a bare `"*"`).
    pub entries: Vec<PrincipalEntry>,
}

/// The type key of a principal map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum PrincipalType {
    /// `AWS`.
    #[serde(rename = "AWS")]
    Aws,
    /// `CanonicalUser`.
    CanonicalUser,
    /// `Federated`.
    Federated,
    /// `Service`.
    Service,
}

impl PrincipalType {
    /// The JSON key.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::CanonicalUser => "CanonicalUser",
            PrincipalType::Federated => "Federated",
            PrincipalType::Service => "Service",
        }
    }
}

/// One principal as written, with what it names.
#[derive(Debug, Clone)]
pub struct PrincipalEntry {
    /// Its type key.
    pub kind: PrincipalType,
    /// The text as written.
    pub value: String,
    /// What it names.
    pub names: PrincipalName,
    /// Whether the text was an array element (for the canonical form).
    pub span: Span,
}

/// What a principal names [S4].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalName {
    /// `*`: everyone, anonymous callers included.
    Everyone,
    /// An account (`ACCOUNT` or `arn:aws:iam::ACCOUNT:root`): every principal of it, by delegation.
    Account(String),
    /// A role: the role and its sessions.
    Role {
        /// Its account.
        account: String,
        /// The role name (last path component; sessions carry no path).
        name: String,
    },
    /// One exact ARN: a user, an assumed-role session, a federated user.
    Exact(String),
    /// A service principal name.
    Service(String),
    /// A federated identity provider or canonical user (never matches copylab's callers).
    Unsupported(String),
}

/// `Action` or `NotAction`.
#[derive(Debug, Clone)]
pub struct ActionElement {
    /// `NotAction`.
    pub negated: bool,
    /// The patterns, matched case-insensitively [S6].
    pub actions: Vec<ActionPattern>,
    /// The service prefixes the patterns name, lowercase; `None` when a pattern could name any
    /// service (`*`, a wildcard in the prefix). Lets evaluation skip a statement at once.
    pub services: Option<Vec<String>>,
}

impl ActionElement {
    /// Whether `action` is covered (before `NotAction` negation).
    pub fn covers(&self, action: &str) -> bool {
        if let Some(services) = &self.services {
            let service = action.split(':').next().unwrap_or_default();
            if !services.iter().any(|s| s.eq_ignore_ascii_case(service)) {
                return false;
            }
        }
        self.actions.iter().any(|a| a.pattern.matches(action))
    }
}

/// One action pattern.
#[derive(Debug, Clone)]
pub struct ActionPattern {
    /// As written.
    pub source: String,
    /// Compiled, case-insensitive.
    pub pattern: Pattern,
}

/// `Resource` or `NotResource`.
#[derive(Debug, Clone)]
pub struct ResourceElement {
    /// `NotResource`.
    pub negated: bool,
    /// The patterns, matched case-sensitively with ARN segment rules [S8].
    pub resources: Vec<ResourcePattern>,
}

/// One resource pattern.
#[derive(Debug, Clone)]
pub struct ResourcePattern {
    /// As written, with its variables.
    pub template: Template,
    /// Compiled when it has no variables.
    pub pattern: Option<Pattern>,
}
