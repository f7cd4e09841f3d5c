//! `control-policies`: the organization's SCPs let the copy role make the copy's AWS Backup calls, and its RCPs let the copy's KMS calls reach the keys; the synchronous SCP check of the `StartCopyJob` caller; the fix detaches the denying policy or attaches `FullAWSAccess` back.
//!
//! Facts (`aws-plans-policies-events-facts.md` §3): SCPs limit the IAM users and roles of member
//! accounts, never the management account's, never service-linked roles; AWS's own SCP examples
//! gate copies on `backup:CopyFromBackupVault` (with `backup:CopyTargets`,
//! `backup:CopyTargetOrgPaths`) and `backup:CopyIntoBackupVault` (with
//! `aws:ResourceTag/DestinationBackupVault`), so the copy role AWS Backup assumes in the source
//! account is limited by the source account's SCPs. The destination half of a copy is made by the
//! destination account's service-linked role, which SCPs do not limit. RCPs limit access to
//! member accounts' resources of the services they cover: KMS is one, AWS managed keys are
//! exempt, AWS Backup is in no list found (an inference: vaults are not limited).

use std::collections::HashMap;

use copylab_policy::{
    Caller, ControlDecision, ControlPolicyType, Outcome as Decided, PolicyKind, Request, evaluate_control,
};

use super::policy::{decision_args, org_context};
use super::{Check, Ctx, lazy};
use crate::control_policies::ParsedControlPolicies;
use crate::engine::MessageRef;
use crate::kms::KeyRef;
use crate::policies::PreparedWorld;
use crate::remedy::{Patch, Remedy};
use crate::text;
use crate::text::Text;
use crate::world::{Organization, StartCopyJob};

/// One denial: which type, which call, and the (policy, target) attachments that denied it, or
/// the target where nothing allowed it.
struct Denial {
    policy_type: ControlPolicyType,
    organization_id: String,
    denying: Vec<(String, String)>,
    level_without_allow: Option<String>,
    /// `backup` (an AWS Backup call) or `kms` (a key).
    service: &'static str,
}

/// The parsed policies of `policy_type` of the organization `account` is a member of; `None`
/// when the account is in no organization, is its management account (exempt from both types),
/// or the type is not enabled.
pub(crate) fn member_policies<'w>(
    prepared: &PreparedWorld<'w>,
    account: &str,
    policy_type: ControlPolicyType,
) -> Option<(&'w Organization, ParsedControlPolicies)> {
    let org = prepared.organization_of(account)?;
    if org.management_account == account {
        return None;
    }
    let index = prepared.world.organizations.iter().position(|o| std::ptr::eq(o, org))?;
    let parsed = ParsedControlPolicies::parse(org, index, policy_type)?.ok()?;
    Some((org, parsed))
}

/// Evaluates `request` under `parsed` for `account`, with the decision as evidence arguments
/// and, when it is denied, the attachments to detach or the level to fix.
fn evaluate(
    org: &Organization,
    parsed: &ParsedControlPolicies,
    account: &str,
    request: &Request,
    service: &'static str,
) -> (Decided, [(&'static str, String); 4], Option<Denial>) {
    let attachments = parsed.attachments(org, account);
    let levels = parsed.levels(&attachments);
    let decision: ControlDecision<'_> = evaluate_control(parsed.policy_type, &levels, request);
    let as_policy_decision = copylab_policy::Decision {
        decision: decision.decision,
        deciding_statements: decision.deciding_statements.clone(),
        sides: copylab_policy::Sides {
            cross_account: false,
            resource_policy: None,
            identity: None,
        },
        statements: Vec::new(),
        warnings: Vec::new(),
        notes: decision.notes.clone(),
    };
    let args = decision_args(&as_policy_decision);
    let denial = (decision.decision != Decided::Allow).then(|| {
        let by_label: HashMap<&str, (String, String)> = attachments
            .iter()
            .flat_map(|(target, attached)| {
                attached
                    .iter()
                    .map(move |(label, i)| (label.as_str(), (parsed.names[*i].clone(), target.clone())))
            })
            .collect();
        let mut denying: Vec<(String, String)> = decision
            .deciding_statements
            .iter()
            .filter_map(|d| by_label.get(d.policy).cloned())
            .collect();
        denying.dedup();
        Denial {
            policy_type: parsed.policy_type,
            organization_id: org.id.clone(),
            denying,
            level_without_allow: decision.level_without_allow.map(str::to_owned),
            service,
        }
    });
    (decision.decision, args, denial)
}

/// The synchronous check: the source account's SCPs must let the caller call
/// `backup:StartCopyJob` on the recovery point (the resource is copylab's reading: AWS's
/// authorization reference is not in the facts). A denial is AWS's `AccessDeniedException`.
pub(crate) fn start_copy_job_refusal(
    prepared: &PreparedWorld<'_>,
    source_scps: Option<&(&Organization, ParsedControlPolicies)>,
    request: &StartCopyJob,
    recovery_point_arn: &str,
    partition: &str,
) -> Option<(MessageRef, Text)> {
    let (org, parsed) = source_scps?;
    let root = format!("arn:{partition}:iam::{}:root", request.account);
    let principal = match request.caller.as_deref() {
        Some(p) if !copylab_policy::is_account_id(p) => p.to_owned(),
        _ => root,
    };
    let caller = Caller::parse(&principal).ok()?;
    let context = org_context(prepared, &request.account);
    let call = Request::new(
        caller,
        "backup:StartCopyJob",
        recovery_point_arn,
        Some(&request.account),
        context,
        PolicyKind::Identity,
    );
    let (decided, args, _) = evaluate(org, parsed, &request.account, &call, "backup");
    let message_id = match decided {
        Decided::Allow => return None,
        Decided::ExplicitDeny => "scp-explicit-deny",
        Decided::ImplicitDeny => "scp-implicit-deny",
    };
    let mut evidence_args = vec![("principal", principal.clone())];
    evidence_args.extend(args);
    Some((
        MessageRef::new(
            message_id,
            vec![
                ("principal", principal),
                ("action", "backup:StartCopyJob".to_owned()),
                ("resource", recovery_point_arn.to_owned()),
            ],
        ),
        Text::new(
            "control.start-copy-job",
            "backup:StartCopyJob by {principal}, under the source account's SCPs: {decision}",
            evidence_args,
        ),
    ))
}

/// `control-policies`: every call of the copy that an SCP or RCP limits.
pub(crate) fn control_policies(ctx: &Ctx<'_>) -> Check {
    let mut evidence = Vec::new();
    let mut denials: Vec<Denial> = Vec::new();
    scp_calls(ctx, &mut evidence, &mut denials);
    rcp_calls(ctx, &mut evidence, &mut denials);
    let Some(first) = denials.first() else {
        if evidence.is_empty() {
            return Check::skip(Text::plain(
                "control.none",
                "no SCP or RCP applies: neither account's organization has them enabled for a member account that takes part",
            ));
        }
        return Check::pass(evidence);
    };
    let message = if first.service == "kms" {
        "control-policy-denied-key"
    } else {
        "control-policy-denied-backup"
    };
    Check::fail(
        evidence,
        MessageRef::new(message, vec![]),
        lazy(&ctx.want_remedy, || fix(&denials)),
    )
}

/// The copy role's AWS Backup calls, under the source account's SCPs.
fn scp_calls(ctx: &Ctx<'_>, evidence: &mut Vec<Text>, denials: &mut Vec<Denial>) {
    let policy_type = ControlPolicyType::ServiceControlPolicy;
    let source = ctx.source_account;
    if ctx.source_org().is_some_and(|o| o.management_account == source)
        && ctx.source_org().is_some_and(|o| o.service_control_policies.is_some())
    {
        evidence.push(text!(
            "control.scp-management",
            "the source account {account} is the organization's management account: SCPs don't affect its users or roles",
            account = source
        ));
    }
    // Parsed once by `request::validate`, which judged `StartCopyJob` under them.
    let Some((org, parsed)) = ctx.source_scps.as_ref() else {
        return;
    };
    let mut calls: Vec<Request> = Vec::new();
    calls.extend(super::iam_role::copy_from_request(ctx));
    if let Some(mut into) = ctx.copy_request().cloned() {
        if let Some(vault) = ctx.destination_vault {
            for (key, value) in &vault.tags {
                into.context.insert(&format!("aws:ResourceTag/{key}"), value);
            }
        }
        calls.push(into);
    }
    for call in &calls {
        let (_, args, denial) = evaluate(org, parsed, source, call, "backup");
        evidence.push(control_evidence(policy_type, call, args));
        denials.extend(denial);
    }
    if ctx.cross_account {
        evidence.push(Text::plain(
            "control.scp-service-linked-role",
            "the destination half of the copy is made by the destination account's service-linked role, which SCPs do not affect",
        ));
    }
}

/// The copy's KMS calls on customer managed keys of member accounts, under their RCPs; AWS
/// Backup vaults are not limited by RCPs.
fn rcp_calls(ctx: &Ctx<'_>, evidence: &mut Vec<Text>, denials: &mut Vec<Denial>) {
    let policy_type = ControlPolicyType::ResourceControlPolicy;
    let enabled = |account: &str| {
        ctx.prepared
            .organization_of(account)
            .is_some_and(|o| o.resource_control_policies.is_some())
    };
    if !enabled(ctx.source_account) && !enabled(&ctx.destination.account) {
        return;
    }
    evidence.push(Text::plain(
        "control.rcp-vault",
        "RCPs do not limit the destination vault: AWS Backup is not among the services RCPs apply to (AWS's lists name Amazon S3, AWS STS, AWS KMS, Amazon SQS, AWS Secrets Manager and others, not AWS Backup; an inference)",
    ));
    let keys = [
        (&ctx.source_key, "source", source_key_calls(ctx)),
        (&ctx.destination_key, "destination", destination_key_calls(ctx)),
    ];
    for (key, side, calls) in keys {
        if key.is_aws_managed() {
            evidence.push(text!(
                "control.rcp-aws-managed",
                "the {side} key {key} is AWS managed: RCPs do not apply to AWS managed keys",
                side = side,
                key = key.arn()
            ));
            continue;
        }
        let KeyRef::Listed(listed) = key else { continue };
        let key_account = crate::arn::account(&listed.arn).unwrap_or_default();
        if !enabled(key_account) {
            continue;
        }
        let Some((org, parsed)) = member_policies(ctx.prepared, key_account, policy_type) else {
            evidence.push(text!(
                "control.rcp-management",
                "the {side} key {key} is in the management account: RCPs don't affect its resources",
                side = side,
                key = listed.arn
            ));
            continue;
        };
        let mut service_linked = false;
        for call in &calls {
            let (decided, args, denial) = evaluate(org, &parsed, key_account, call, "kms");
            evidence.push(control_evidence(policy_type, call, args));
            if decided != Decided::Allow {
                service_linked |= call.caller.display().contains("/AWSServiceRoleForBackup/");
                denials.extend(denial);
            }
        }
        if service_linked {
            evidence.push(Text::plain(
                "control.rcp-service-linked-role",
                "assumption: the denied caller is a service-linked role; AWS documents no exemption of service-linked roles from RCPs (a third-party summary says there is one: if so, this copy completes)",
            ));
        }
    }
}

/// The source key's rows of the `source-key-policy` table, as the destination's service-linked
/// role makes them.
fn source_key_calls(ctx: &Ctx<'_>) -> Vec<Request> {
    let KeyRef::Listed(key) = ctx.source_key else {
        return Vec::new();
    };
    let service = super::KeyService::of(ctx.resource_type(), ctx.fully_managed());
    let principal = format!(
        "arn:{}:sts::{}:assumed-role/AWSServiceRoleForBackup/AWSBackup-copy",
        ctx.destination.partition, ctx.destination.account
    );
    let rows = super::SOURCE_KEY_REQUESTS
        .iter()
        .filter(|r| r.caller == super::KeyCaller::DestinationServiceLinkedRole)
        .filter(|r| r.only.is_none_or(|only| only == service))
        .map(|r| (r.action, r.context));
    key_calls(ctx, &key.arn, &principal, service.host(), rows)
}

/// The destination key's rows of the `destination-key-policy` table, as its writer makes them.
fn destination_key_calls(ctx: &Ctx<'_>) -> Vec<Request> {
    let KeyRef::Listed(key) = ctx.destination_key else {
        return Vec::new();
    };
    let principal = super::destination_key_policy::writer(ctx);
    let rows = super::destination_key_policy::DESTINATION_KEY_REQUESTS
        .iter()
        .map(|r| (r.action, r.context));
    key_calls(ctx, &key.arn, &principal, "backup", rows)
}

/// One request per row on `key_arn` by `principal`, through `SERVICE.REGION.amazonaws.com`.
fn key_calls<'r>(
    ctx: &Ctx<'_>,
    key_arn: &str,
    principal: &str,
    service: &str,
    rows: impl Iterator<Item = (&'static str, &'r [(&'static str, &'static str)])>,
) -> Vec<Request> {
    let Ok(caller) = Caller::parse(principal) else {
        return Vec::new();
    };
    let via = format!("{service}.{}.amazonaws.com", ctx.destination.region);
    let mut base = org_context(ctx.prepared, caller.account().unwrap_or_default());
    base.insert("kms:ViaService", &via);
    rows.map(|(action, extra)| {
        let mut context = base.clone();
        for (k, v) in extra {
            context.insert(k, v);
        }
        Request::new(caller.clone(), action, key_arn, None, context, PolicyKind::Kms)
    })
    .collect()
}

fn control_evidence(policy_type: ControlPolicyType, call: &Request, args: [(&'static str, String); 4]) -> Text {
    let mut all = vec![
        ("policies", policy_type.short().to_owned()),
        ("action", call.action.clone()),
        ("principal", call.caller.display().to_owned()),
        ("resource", call.resource.clone()),
    ];
    all.extend(args);
    Text::new(
        "control.call",
        "{action} by {principal} on {resource}, under the {policies}s: {decision}",
        all,
    )
}

// The remedy.

fn fix(denials: &[Denial]) -> Remedy {
    let mut patches = Vec::new();
    let mut alternatives = Vec::new();
    for denial in denials {
        for (name, target) in &denial.denying {
            let patch = Patch::DetachControlPolicy {
                organization_id: denial.organization_id.clone(),
                policy_type: denial.policy_type,
                policy_name: name.clone(),
                target: target.clone(),
            };
            if !patches.contains(&patch) {
                patches.push(patch);
            }
        }
        if let Some(target) = &denial.level_without_allow {
            let patch = Patch::AttachFullAwsAccess {
                organization_id: denial.organization_id.clone(),
                target: target.clone(),
            };
            if !patches.contains(&patch) {
                patches.push(patch);
            }
        }
    }
    if denials
        .iter()
        .any(|d| d.policy_type == ControlPolicyType::ServiceControlPolicy)
    {
        alternatives.push(Text::plain(
            "remedy.control-condition",
            "keep the SCP and let it allow this destination: AWS's examples name the allowed destinations in backup:CopyTargets or backup:CopyTargetOrgPaths, or tag allowed vaults DestinationBackupVault",
        ));
    }
    if denials
        .iter()
        .any(|d| d.policy_type == ControlPolicyType::ResourceControlPolicy)
    {
        alternatives.push(Text::plain(
            "remedy.control-rcp-condition",
            "keep the RCP and exempt the destination account's principals in its condition (for example with aws:PrincipalOrgID or aws:PrincipalAccount)",
        ));
    }
    let names: Vec<String> = patches
        .iter()
        .map(|p| match p {
            Patch::DetachControlPolicy {
                policy_type,
                policy_name,
                target,
                ..
            } => format!("detach {} `{policy_name}` from {target}", policy_type.short()),
            Patch::AttachFullAwsAccess { target, .. } => format!("attach FullAWSAccess to {target}"),
            _ => String::new(),
        })
        .collect();
    Remedy {
        summary: text!(
            "remedy.control",
            "in the organization's management account: {changes}",
            changes = names.join("; ")
        ),
        patches,
        commands: Vec::new(),
        alternatives,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policies_parse_as_their_types() {
        for policy_type in [
            ControlPolicyType::ServiceControlPolicy,
            ControlPolicyType::ResourceControlPolicy,
        ] {
            let default = crate::control_policies::aws_default(policy_type);
            assert!(
                copylab_policy::Policy::parse(default.content, crate::control_policies::policy_kind(policy_type))
                    .is_ok(),
                "{}",
                default.name
            );
        }
    }
}
