//! `vault-lock-retention`: the copy's retention fits the destination vault's lock (or a logically air-gapped vault's minimum); the fix sets the copy's lifecycle.

use super::{Check, Ctx, lazy};
use crate::engine::MessageRef;
use crate::remedy::{Patch, Remedy};
use crate::text;
use crate::text::Text;
use crate::world::VaultType;

pub(crate) fn retention_days(ctx: &Ctx<'_>) -> Option<i64> {
    ctx.request
        .lifecycle
        .as_ref()
        .and_then(|l| l.delete_after_days)
        .or_else(|| ctx.recovery_point.lifecycle.as_ref().and_then(|l| l.delete_after_days))
}

pub(crate) fn vault_lock_retention(ctx: &Ctx<'_>) -> Check {
    let Some(vault) = ctx.destination_vault else {
        return Check::skip(Text::plain(
            "lock.no-vault",
            "the destination vault does not exist (see destination-vault-policy)",
        ));
    };
    let lock = vault.lock.clone().or_else(|| {
        (vault.vault_type == VaultType::LogicallyAirGappedBackupVault).then_some(crate::world::VaultLock {
            min_retention_days: Some(7),
            max_retention_days: None,
        })
    });
    let Some(lock) = lock else {
        return Check::skip(Text::plain(
            "lock.none",
            "the destination vault has no retention limits",
        ));
    };
    let retention = retention_days(ctx);
    let evidence = vec![text!(
        "lock.range",
        "the destination vault keeps copies between {min} and {max} days; the copy's retention is {retention}",
        min = lock.min_retention_days.map_or("any".to_owned(), |d| d.to_string()),
        max = lock
            .max_retention_days
            .map_or("unlimited".to_owned(), |d| d.to_string()),
        retention = retention.map_or("unlimited (no DeleteAfterDays)".to_owned(), |d| format!("{d} days"))
    )];
    let too_short = matches!((retention, lock.min_retention_days), (Some(r), Some(min)) if r < min);
    let too_long = match (retention, lock.max_retention_days) {
        (Some(r), Some(max)) => r > max,
        (None, Some(_)) => true,
        _ => false,
    };
    if too_short || too_long {
        let days = if too_short {
            lock.min_retention_days.unwrap_or(7)
        } else {
            lock.max_retention_days.unwrap_or(35)
        };
        Check::fail(
            evidence,
            MessageRef::new("retention-out-of-range", vec![]),
            lazy(&ctx.want_remedy, || set_copy_retention(days)),
        )
    } else {
        Check::pass(evidence)
    }
}

// The remedy.

pub(crate) fn set_copy_retention(days: i64) -> Remedy {
    Remedy {
        summary: text!(
            "remedy.retention",
            "set the copy's retention to {days} days, within the destination vault's limits",
            days = days
        ),
        patches: vec![Patch::SetCopyLifecycle {
            delete_after_days: days,
        }],
        commands: Vec::new(),
        alternatives: Vec::new(),
    }
}
