//! `organization-membership`: a cross-account copy needs both accounts in one organization; the fix joins them.

use super::{Check, Ctx, lazy};
use crate::engine::MessageRef;
use crate::remedy::{Patch, Remedy};
use crate::text;
use crate::text::Text;
use crate::world::Organization;

pub(crate) fn organization_membership(ctx: &Ctx<'_>) -> Check {
    if !ctx.cross_account {
        return Check::skip(Text::plain(
            "org.same-account",
            "same-account copy: no organization is needed",
        ));
    }
    let (source, destination) = (ctx.source_org(), ctx.destination_org());
    let describe = |account: &str, org: Option<&Organization>| match org {
        Some(org) => text!(
            "org.member",
            "account {account} is in organization {org}",
            account = account,
            org = org.id
        ),
        None => text!(
            "org.not-member",
            "account {account} is in no organization",
            account = account
        ),
    };
    let evidence = vec![
        describe(ctx.source_account, source),
        describe(&ctx.destination.account, destination),
    ];
    match (source, destination) {
        (Some(a), Some(b)) if a.id == b.id => Check::pass(evidence),
        _ => Check::fail(
            evidence,
            MessageRef::new("organization-membership", vec![]),
            lazy(&ctx.want_remedy, || {
                join_organization(ctx.source_account, &ctx.destination.account, source, destination)
            }),
        ),
    }
}

// The remedy.

pub(crate) fn join_organization(
    source: &str,
    destination: &str,
    source_org: Option<&Organization>,
    destination_org: Option<&Organization>,
) -> Remedy {
    let (account, org) = match (source_org, destination_org) {
        (Some(org), _) => (destination, Some(org)),
        (None, Some(org)) => (source, Some(org)),
        (None, None) => (destination, None),
    };
    match org {
        Some(org) => Remedy {
            summary: text!(
                "remedy.join-org",
                "bring account {account} into organization {org}, the other account's organization",
                account = account,
                org = org.id
            ),
            patches: vec![Patch::JoinOrganization {
                account: account.to_owned(),
                organization_id: org.id.clone(),
            }],
            commands: Vec::new(),
            alternatives: vec![Text::plain(
                "remedy.join-org-leave",
                "an account that is in another organization must leave it first (aws organizations leave-organization, from that account)",
            )],
        },
        None => Remedy {
            summary: text!(
                "remedy.create-org",
                "create an organization in account {source} and invite account {destination}",
                source = source,
                destination = destination
            ),
            patches: vec![Patch::CreateOrganization {
                organization_id: "o-copylab0001".to_owned(),
                management_account: source.to_owned(),
                member: destination.to_owned(),
            }],
            commands: Vec::new(),
            alternatives: Vec::new(),
        },
    }
}
