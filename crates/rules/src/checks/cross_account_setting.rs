//! `cross-account-setting`: the organization's management account allows cross-account backup copies (`isCrossAccountBackupEnabled`); the fix turns it on.

use super::{Check, Ctx, lazy};
use crate::engine::MessageRef;
use crate::remedy::{Patch, Remedy};
use crate::text;
use crate::text::Text;
use crate::world::Organization;

pub(crate) fn cross_account_setting(ctx: &Ctx<'_>) -> Check {
    if !ctx.cross_account {
        return Check::skip(Text::plain(
            "setting.same-account",
            "same-account copy: the cross-account setting does not apply",
        ));
    }
    let Some(org) = ctx.source_org() else {
        return Check::skip(Text::plain(
            "setting.no-org",
            "the source account is in no organization (see organization-membership)",
        ));
    };
    let evidence = vec![text!(
        "setting.value",
        "isCrossAccountBackupEnabled is {value} in management account {management} of {org}",
        value = if org.cross_account_backup_enabled {
            "true"
        } else {
            "false"
        },
        management = org.management_account,
        org = org.id
    )];
    if org.cross_account_backup_enabled {
        Check::pass(evidence)
    } else {
        Check::fail(
            evidence,
            MessageRef::new("cross-account-disabled", vec![]),
            lazy(&ctx.want_remedy, || enable_cross_account(org)),
        )
    }
}

// The remedy.

pub(crate) fn enable_cross_account(org: &Organization) -> Remedy {
    Remedy {
        summary: text!(
            "remedy.enable-cross-account",
            "turn on cross-account backup in the management account {management}",
            management = org.management_account
        ),
        patches: vec![Patch::SetCrossAccountBackup {
            organization_id: org.id.clone(),
            enabled: true,
        }],
        commands: Vec::new(),
        alternatives: Vec::new(),
    }
}
