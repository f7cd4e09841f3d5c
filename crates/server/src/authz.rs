//! Authorising a wire call with the policy engine: a resource-side policy (key policy, trust policy) for the caller, with the caller's own IAM policies taken as allowing, the one assumption every service of the server shares (a world has no users' identity policies; modeled).

use copylab_policy::{Authorization, Caller, Context, LabeledPolicy, Outcome, Policy, PolicyKind};
use serde_json::Value;

/// The decision for `principal` taking `action` on `resource` under `document`, a policy of
/// `kind`; `None` when the policy or the principal does not parse (callers deny).
pub fn decide(document: &Value, kind: PolicyKind, principal: &str, action: &str, resource: &str) -> Option<Outcome> {
    let policy = Policy::parse(&document.to_string(), kind).ok()?;
    let caller = Caller::parse(principal).ok()?;
    let request = copylab_policy::Request::new(caller, action, resource, None, Context::new(), kind);
    let authorization = Authorization {
        kind,
        resource_policy: Some(LabeledPolicy {
            label: kind.as_str(),
            policy: &policy,
        }),
        identity_policies: Vec::new(),
        identity_allows_all: true,
    };
    Some(copylab_policy::evaluate_brief(&authorization, &request).decision)
}
