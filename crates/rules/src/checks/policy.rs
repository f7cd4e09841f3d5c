//! What the three policy checks share: one decision through the policy engine, the context keys the world supplies, and a decision as evidence.

use copylab_policy::{Authorization, Context, Decision, LabeledPolicy, Outcome as Decided, PolicyKind, Request};

use crate::policies::PreparedWorld;
use crate::text::Text;

/// Runs the policy engine.
pub(crate) fn decide<'a>(
    kind: PolicyKind,
    resource: Option<LabeledPolicy<'a>>,
    identity: Vec<LabeledPolicy<'a>>,
    identity_allows_all: bool,
    request: &'a Request,
) -> Decision<'a> {
    let authorization = Authorization {
        kind,
        resource_policy: resource,
        identity_policies: identity,
        identity_allows_all,
    };
    copylab_policy::evaluate_brief(&authorization, request)
}

/// The context keys the world supplies for a caller in `account`.
pub(crate) fn org_context(prepared: &PreparedWorld<'_>, account: &str) -> Context {
    let mut context = Context::new();
    if let Some((org, path)) = prepared.org_info(account) {
        context.insert("aws:PrincipalOrgID", org);
        context.insert("aws:PrincipalOrgPaths", path);
    }
    context
}

/// A decision as evidence arguments, computed once: `decision` whole (`ImplicitDeny by statement
/// #1 "Sid": reason`, what the English templates show) and in parts for translations:
/// `outcome` (`Allow`, `ExplicitDeny`, `ImplicitDeny`), `by` (the deciding statements, or
/// `none`) and `reason` (the policy engine's reason and notes as it writes them, or `none`).
pub(crate) fn decision_args(decision: &Decision<'_>) -> [(&'static str, String); 4] {
    let deciding: Vec<String> = decision
        .deciding_statements
        .iter()
        .map(|d| match d.sid {
            Some(sid) => format!("#{} \"{sid}\"", d.index),
            None => format!("#{}", d.index),
        })
        .collect();
    let outcome = decision.decision.as_str();
    let mut whole = outcome.to_owned();
    if !deciding.is_empty() {
        whole.push_str(&format!(" by statement {}", deciding.join(", ")));
    }
    let mut reason = String::new();
    if let Some(note) = decision
        .notes
        .iter()
        .find(|n| n.kind == copylab_policy::NoteKind::Reason)
    {
        reason.push_str(&format!(": {}", note.message));
    }
    // Where AWS documents no single answer the policy engine says so; keep that in the evidence.
    for note in decision
        .notes
        .iter()
        .filter(|n| n.kind != copylab_policy::NoteKind::Reason)
    {
        reason.push_str(&format!(" ({}: {})", note.code, note.message));
    }
    whole.push_str(&reason);
    let or_none = |text: String| if text.is_empty() { "none".to_owned() } else { text };
    [
        ("decision", whole),
        ("outcome", outcome.to_owned()),
        ("by", or_none(deciding.join(", "))),
        ("reason", or_none(reason)),
    ]
}

/// An evidence sentence about a decision: `args` and then [`decision_args`].
pub(crate) fn decision_evidence(
    id: &'static str,
    template: &'static str,
    args: Vec<(&'static str, String)>,
    decision: &Decision<'_>,
) -> Text {
    let mut args = args;
    args.extend(decision_args(decision));
    Text::new(id, template, args)
}

/// Explicit Deny statements that decided, as indexes in the named policy.
pub(crate) fn deny_indexes(decision: &Decision<'_>, label: &str) -> Vec<usize> {
    if decision.decision != Decided::ExplicitDeny {
        return Vec::new();
    }
    decision
        .deciding_statements
        .iter()
        .filter(|d| d.policy == label)
        .map(|d| d.index)
        .collect()
}
