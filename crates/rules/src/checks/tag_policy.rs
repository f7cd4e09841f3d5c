//! `tag-policy`: the copied tags comply with the destination account's effective tag policy where it is enforced for the resource the copy creates (the destination service's snapshot or backup; never an AWS Backup recovery point, which tag policies do not enforce); the fixes rename a tag key or set an allowed value.

use super::{Check, Ctx, lazy};
use crate::engine::MessageRef;
use crate::remedy::{Patch, Remedy};
use crate::tag_policy::{self, TagViolation};
use crate::text;
use crate::text::Text;
use crate::world::RecoveryPoint;

pub(crate) fn tag_policy(ctx: &Ctx<'_>) -> Check {
    let Some(org) = ctx.destination_org() else {
        return Check::skip(text!(
            "tags.no-org",
            "destination account {account} is in no organization: no tag policy applies",
            account = ctx.destination.account
        ));
    };
    if org.tag_policies.is_empty() {
        return Check::skip(text!(
            "tags.no-policies",
            "organization {org} has no tag policies",
            org = org.id
        ));
    }
    let computed;
    let (effective, effective_json) = match ctx.prepared.effective_tag_policy(&ctx.destination.account) {
        Some((policy, json)) => (policy, json),
        None => {
            computed = tag_policy::effective_tag_policy(org, &ctx.destination.account);
            (&computed, "")
        }
    };
    let mut evidence = vec![text!(
        "tags.effective",
        "the effective tag policy of destination account {account}: {policy} (which account's policy applies is not documented; copylab takes the destination's: modeled)",
        account = ctx.destination.account,
        policy = if effective_json.is_empty() {
            serde_json::to_string(effective).unwrap_or_default()
        } else {
            effective_json.to_owned()
        }
    )];
    evidence.push(text!(
        "tags.copied",
        "the copy writes these tags: {tags}",
        tags = serde_json::to_string(&ctx.recovery_point.tags).unwrap_or_default()
    ));
    let types = ctx.destination_tag_types();
    evidence.push(if types == ["backup:recovery-point"] {
        Text::plain(
            "tags.backup-recovery-point",
            "the copy is an AWS Backup recovery point, which no tag policy enforces: the types AWS lists for AWS Backup enforcement are backup:backupPlan and backup:backupVault",
        )
    } else {
        text!(
            "tags.enforced-types",
            "the copy creates and tags {types} in the destination account: the policy is enforced on it where its enforced_for names that type or all of its service's types",
            types = types.join(" and ")
        )
    });
    match tag_policy::first_violation(effective, &ctx.recovery_point.tags, types) {
        None => Check::pass(evidence),
        Some(violation) => {
            let (message, fix) = match &violation {
                TagViolation::KeyCase { key, required } => {
                    evidence.push(text!(
                        "tags.key-case",
                        "tag key `{key}` must be written `{required}` where the policy is enforced",
                        key = key,
                        required = required
                    ));
                    (
                        MessageRef::new("tag-copy-internal-failure", vec![]),
                        lazy(&ctx.want_remedy, || rename_tag(ctx.recovery_point, key, required)),
                    )
                }
                TagViolation::Value { key, value, allowed } => {
                    evidence.push(text!(
                        "tags.value",
                        "tag `{key}` has value `{value}`; the policy, enforced here, allows {allowed}",
                        key = key,
                        value = value,
                        allowed = serde_json::to_string(allowed).unwrap_or_default()
                    ));
                    (
                        MessageRef::new("tag-policy-value", vec![("tag_key", key.clone())]),
                        lazy(&ctx.want_remedy, || set_tag_value(ctx.recovery_point, key, allowed)),
                    )
                }
            };
            Check::fail(evidence, message, fix)
        }
    }
}

// The remedy.

pub(crate) fn rename_tag(recovery_point: &RecoveryPoint, key: &str, required: &str) -> Remedy {
    let value = recovery_point.tags.get(key).cloned().unwrap_or_default();
    let summary = text!(
        "remedy.rename-tag",
        "write the tag key as `{required}` instead of `{key}` on the resource (then back it up again) and on a fully managed recovery point",
        required = required,
        key = key
    );
    tag_remedy(summary, recovery_point, required, value, Some(key))
}

pub(crate) fn set_tag_value(recovery_point: &RecoveryPoint, key: &str, allowed: &[String]) -> Remedy {
    let value = allowed
        .iter()
        .find(|v| !v.contains('*'))
        .cloned()
        .unwrap_or_else(|| allowed.first().map_or_else(String::new, |v| v.replace('*', "")));
    let summary = text!(
        "remedy.set-tag",
        "give tag `{key}` an allowed value, such as `{value}`, on the resource (then back it up again) and on a fully managed recovery point",
        key = key,
        value = value
    );
    tag_remedy(summary, recovery_point, key, value, None)
}

/// A tag policy remedy: tag `key` with `value` (replacing `remove`), or change the policy.
pub(crate) fn tag_remedy(
    summary: Text,
    recovery_point: &RecoveryPoint,
    key: &str,
    value: String,
    remove: Option<&str>,
) -> Remedy {
    Remedy {
        summary,
        commands: Vec::new(),
        patches: vec![Patch::SetRecoveryPointTag {
            recovery_point_arn: recovery_point.arn.clone(),
            key: key.to_owned(),
            value,
            remove: remove.map(str::to_owned),
        }],
        alternatives: vec![Text::plain(
            "remedy.tag-policy-alt",
            "change the tag policy in the management account so that it does not enforce this tag for the type of the copy",
        )],
    }
}
