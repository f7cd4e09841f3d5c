//! `vault-lock-retention`: the copy's retention fits the destination vault's lock (or a logically air-gapped vault's minimum); the fix sets the copy's lifecycle.

use super::{Check, Ctx, lazy};
use crate::engine::MessageRef;
use crate::remedy::{Patch, Remedy};
use crate::text;
use crate::text::Text;
use crate::world::VaultType;

/// The copy's retention in days, `None` for no expiry: the request's `DeleteAfterDays`, else
/// the source recovery point's (copies keep their source's retention). `-1` is "keep your
/// recovery points indefinitely" (StartCopyJob), so no expiry.
pub(crate) fn retention_days(ctx: &Ctx<'_>) -> Option<i64> {
    match requested_days(ctx) {
        Some(-1) => None,
        Some(days) => Some(days),
        None => source_days(ctx),
    }
}

fn requested_days(ctx: &Ctx<'_>) -> Option<i64> {
    ctx.request.lifecycle.as_ref().and_then(|l| l.delete_after_days)
}

fn source_days(ctx: &Ctx<'_>) -> Option<i64> {
    ctx.recovery_point.lifecycle.as_ref().and_then(|l| l.delete_after_days)
}

/// Whether `retention` (`None`: no expiry) is within `lock`: (too short, too long).
fn outside(retention: Option<i64>, lock: &crate::world::VaultLock) -> (bool, bool) {
    let too_short = matches!((retention, lock.min_retention_days), (Some(r), Some(min)) if r < min);
    let too_long = match (retention, lock.max_retention_days) {
        (Some(r), Some(max)) => r > max,
        (None, Some(_)) => true,
        _ => false,
    };
    (too_short, too_long)
}

fn describe(retention: Option<i64>) -> String {
    retention.map_or("unlimited (no expiry)".to_owned(), |d| format!("{d} days"))
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
            ..Default::default()
        })
    });
    let Some(lock) = lock else {
        return Check::skip(Text::plain(
            "lock.none",
            "the destination vault has no retention limits",
        ));
    };
    let retention = retention_days(ctx);
    let mut evidence = vec![text!(
        "lock.range",
        "the destination vault keeps copies between {min} and {max} days; the copy's retention is {retention}",
        min = lock.min_retention_days.map_or("any".to_owned(), |d| d.to_string()),
        max = lock
            .max_retention_days
            .map_or("unlimited".to_owned(), |d| d.to_string()),
        retention = describe(retention)
    )];
    let (too_short, too_long) = outside(retention, &lock);
    // `-1`: StartCopyJob's reference says the copy is kept indefinitely; the copy page is read
    // as the copy keeping its source's expiry. Where the two readings disagree on the lock,
    // AWS gives no single answer and the check says so.
    if requested_days(ctx) == Some(-1) {
        let source = source_days(ctx);
        let (short, long) = outside(source, &lock);
        evidence.push(text!(
            "lock.minus-one",
            "the copy asks DeleteAfterDays -1: StartCopyJob's reference reads it as keeping the copy indefinitely; read as keeping the source recovery point's retention, it is {source}",
            source = describe(source)
        ));
        if (short || long) != (too_short || too_long) {
            evidence.push(Text::plain(
                "lock.minus-one-undecided",
                "the two readings disagree on whether the destination vault's lock accepts this copy, and AWS documents no single answer: copylab lets the copy through and marks this check indeterminate",
            ));
            return Check {
                result: crate::engine::CheckResult::Indeterminate,
                evidence,
                message: None,
                remedy: None,
            };
        }
    }
    // A logically air-gapped vault's maximum and a copy kept indefinitely: AWS documents no
    // answer (aws-plans-policies-events-facts.md §4.2 marks it uncertain).
    if vault.vault_type == VaultType::LogicallyAirGappedBackupVault
        && retention.is_none()
        && lock.max_retention_days.is_some()
        && !too_short
    {
        evidence.push(Text::plain(
            "lock.lag-no-expiry-undecided",
            "the copy never expires and the logically air-gapped vault has a maximum retention: AWS documents how a copy without DeleteAfterDays is judged against the vault's MaxRetentionDays nowhere, so copylab lets the copy through and marks this check indeterminate",
        ));
        return Check {
            result: crate::engine::CheckResult::Indeterminate,
            evidence,
            message: None,
            remedy: None,
        };
    }
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
