//! Service control policies and resource control policies: an organization's policies of one type, attached level by level from the root down to an account, decide a request as AWS Organizations documents it.
//!
//! The rules (reference `aws-plans-policies-events-facts.md` §3; AWS Organizations User Guide,
//! `orgs_manage_policies_scps`, `orgs_manage_policies_inheritance_auth`,
//! `orgs_manage_policies_rcps_evaluation`):
//! - "SCPs can only filter; they never add permissions": a control policy that allows is a
//!   condition for the request, never a grant of it;
//! - "to allow an AWS service API at the member account level, you must allow that API at every
//!   level between the member account and the root of your organization": each level (the root,
//!   every OU on the way, the account) needs an attached policy whose Allow statement applies;
//! - an applicable Deny in any policy at any level denies;
//! - who and what is exempt (the management account, service-linked roles, AWS managed keys) is
//!   the caller's to decide: this module evaluates the levels it is given.

use std::borrow::Cow;

use serde::Serialize;

use crate::evaluate::{
    LabeledPolicy, Note, NoteKind, Outcome, StatementRef, StatementTrace, applicable, trace_statement,
};
use crate::policy::Effect;
use crate::request::Request;

/// The two organization policy types that limit permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ControlPolicyType {
    /// `SERVICE_CONTROL_POLICY`: limits what the IAM principals of member accounts may do.
    ServiceControlPolicy,
    /// `RESOURCE_CONTROL_POLICY`: limits what anyone may do to member accounts' resources.
    ResourceControlPolicy,
}

impl ControlPolicyType {
    /// The phrase AWS's access-denied messages use for the type (`with an explicit deny in a
    /// service control policy`, `because no service control policy allows`).
    pub fn phrase(self) -> &'static str {
        match self {
            ControlPolicyType::ServiceControlPolicy => "service control policy",
            ControlPolicyType::ResourceControlPolicy => "resource control policy",
        }
    }

    /// The short name (`SCP`, `RCP`).
    pub fn short(self) -> &'static str {
        match self {
            ControlPolicyType::ServiceControlPolicy => "SCP",
            ControlPolicyType::ResourceControlPolicy => "RCP",
        }
    }
}

/// The policies of one type attached to one target (the root, an OU or the account).
#[derive(Debug, Clone)]
pub struct ControlLevel<'p> {
    /// The root, OU or account id.
    pub target: &'p str,
    /// The policies attached to it, labelled for traces.
    pub policies: Vec<LabeledPolicy<'p>>,
}

/// The answer for a request under an organization's control policies of one type.
#[derive(Debug, Clone, Serialize)]
pub struct ControlDecision<'a> {
    /// The type evaluated.
    pub policy_type: ControlPolicyType,
    /// `Allow` (the policies let the request through to the other policies), `ExplicitDeny` or
    /// `ImplicitDeny` (some level has no policy that allows it).
    pub decision: Outcome,
    /// Every applicable Deny for `ExplicitDeny`; empty otherwise.
    pub deciding_statements: Vec<StatementRef<'a>>,
    /// For `ImplicitDeny`, the first level, from the root down, that no policy allows at.
    pub level_without_allow: Option<&'a str>,
    /// Every statement whose principal, action and resource match, level by level.
    pub statements: Vec<StatementTrace<'a>>,
    /// Why, in words.
    pub notes: Vec<Note>,
}

/// Decides `request` under `levels`, ordered from the root down to the account.
pub fn evaluate_control<'a>(
    policy_type: ControlPolicyType,
    levels: &[ControlLevel<'a>],
    request: &'a Request,
) -> ControlDecision<'a> {
    let mut notes = Vec::new();
    let mut statements = Vec::new();
    let mut level_without_allow = None;
    for level in levels {
        let mut allowed_here = false;
        for labeled in &level.policies {
            for (index, statement) in labeled.policy.statements.iter().enumerate() {
                let Some(trace) = trace_statement(*labeled, index, statement, request, &mut notes, false) else {
                    continue;
                };
                allowed_here |= trace.applies && trace.effect == Effect::Allow;
                statements.push(trace);
            }
        }
        if !allowed_here && level_without_allow.is_none() {
            level_without_allow = Some(level.target);
        }
    }
    let deny = applicable(&statements, Effect::Deny);
    let phrase = policy_type.phrase();
    let decision = if !deny.is_empty() {
        notes.push(reason(
            "control-policy-deny",
            format!(
                "a {phrase} denies `{}` explicitly: a Deny at any level applies to every account below it",
                request.action
            ),
        ));
        Outcome::ExplicitDeny
    } else if let Some(target) = level_without_allow {
        notes.push(reason(
            "control-policy-allow-required",
            format!(
                "no {phrase} attached to `{target}` allows `{}`: every level from the root down to the account must allow a request, and {}s never grant one",
                request.action,
                policy_type.short()
            ),
        ));
        Outcome::ImplicitDeny
    } else {
        Outcome::Allow
    };
    ControlDecision {
        policy_type,
        decision,
        deciding_statements: if decision == Outcome::ExplicitDeny {
            deny
        } else {
            Vec::new()
        },
        level_without_allow: if decision == Outcome::ImplicitDeny {
            level_without_allow
        } else {
            None
        },
        statements,
        notes,
    }
}

fn reason(code: &'static str, message: String) -> Note {
    Note {
        kind: NoteKind::Reason,
        code,
        message: Cow::Owned(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::PolicyKind;
    use crate::policy::Policy;
    use crate::request::{Caller, Context};

    fn scp(text: &str) -> Policy {
        Policy::parse(text, PolicyKind::Identity).unwrap()
    }

    fn request(action: &str) -> Request {
        Request::new(
            Caller::parse("arn:aws:sts::111122223333:assumed-role/BackupRole/s").unwrap(),
            action,
            "arn:aws:backup:us-east-1:444455556666:backup-vault:Dest",
            None,
            Context::new(),
            PolicyKind::Identity,
        )
    }

    const FULL: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

    #[test]
    fn every_level_must_allow_and_the_first_that_does_not_is_named() {
        let full = scp(FULL);
        let only_kms =
            scp(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#);
        let levels = [
            ControlLevel {
                target: "r-a1b2",
                policies: vec![LabeledPolicy {
                    label: "FullAWSAccess",
                    policy: &full,
                }],
            },
            ControlLevel {
                target: "ou-a1b2-11111111",
                policies: vec![LabeledPolicy {
                    label: "OnlyKms",
                    policy: &only_kms,
                }],
            },
            ControlLevel {
                target: "111122223333",
                policies: vec![LabeledPolicy {
                    label: "FullAWSAccess",
                    policy: &full,
                }],
            },
        ];
        let copy = request("backup:CopyIntoBackupVault");
        let decision = evaluate_control(ControlPolicyType::ServiceControlPolicy, &levels, &copy);
        assert_eq!(decision.decision, Outcome::ImplicitDeny);
        assert_eq!(decision.level_without_allow, Some("ou-a1b2-11111111"));
        let kms = request("kms:Decrypt");
        assert_eq!(
            evaluate_control(ControlPolicyType::ServiceControlPolicy, &levels, &kms).decision,
            Outcome::Allow
        );
    }

    #[test]
    fn a_deny_at_any_level_decides_whatever_allows() {
        let full = scp(FULL);
        let deny = scp(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoCopy","Effect":"Deny","Action":"backup:CopyIntoBackupVault","Resource":"*"}]}"#,
        );
        let levels = [
            ControlLevel {
                target: "r-a1b2",
                policies: vec![
                    LabeledPolicy {
                        label: "FullAWSAccess",
                        policy: &full,
                    },
                    LabeledPolicy {
                        label: "NoCopy",
                        policy: &deny,
                    },
                ],
            },
            ControlLevel {
                target: "111122223333",
                policies: vec![LabeledPolicy {
                    label: "FullAWSAccess",
                    policy: &full,
                }],
            },
        ];
        let copy = request("backup:CopyIntoBackupVault");
        let decision = evaluate_control(ControlPolicyType::ServiceControlPolicy, &levels, &copy);
        assert_eq!(decision.decision, Outcome::ExplicitDeny);
        assert_eq!(decision.deciding_statements[0].sid, Some("NoCopy"));
        assert_eq!(decision.level_without_allow, None);
    }

    #[test]
    fn a_level_with_no_policy_attached_denies_implicitly() {
        let copy = request("backup:CopyIntoBackupVault");
        let levels = [ControlLevel {
            target: "111122223333",
            policies: Vec::new(),
        }];
        let decision = evaluate_control(ControlPolicyType::ServiceControlPolicy, &levels, &copy);
        assert_eq!(decision.decision, Outcome::ImplicitDeny);
        assert!(
            decision.notes[0]
                .message
                .contains("no service control policy attached to `111122223333`")
        );
    }
}
