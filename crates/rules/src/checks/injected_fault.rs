//! `injected-fault`: a fault the scenario injects fails the copy with its message; the fix removes it.

use super::{Check, Ctx, lazy};
use crate::engine::MessageRef;
use crate::remedy::{Patch, Remedy};
use crate::text;
use crate::text::Text;
use crate::world::Fault;

pub(crate) fn injected_fault(ctx: &Ctx<'_>) -> Check {
    let fault = ctx.prepared.world.faults.first().copied();
    let Some(fault) = fault else {
        return Check::pass(vec![Text::plain("fault.none", "the scenario injects no fault")]);
    };
    let id = match fault {
        Fault::InternalError => "internal-error",
        Fault::FatalError => "fatal-error",
        Fault::FatalErrorContactSupport => "fatal-error-contact-support",
        Fault::TooManyCopyJobs => "too-many-copy-jobs",
        Fault::RecoveryPointUnavailableForTags => "tag-copy-recovery-point-unavailable",
        Fault::NotAuthorized => "not-authorized",
        Fault::S3BucketVersioningPermission => "s3-bucket-versioning-permission",
        Fault::AmiStoragePermission => "ami-storage-permission",
    };
    Check::fail(
        vec![text!(
            "fault.injected",
            "the scenario injects the fault `{fault}`",
            fault = serde_json::to_value(fault)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        )],
        MessageRef::new(id, vec![]),
        lazy(&ctx.want_remedy, || remove_fault(fault)),
    )
}

// The remedy.

pub(crate) fn remove_fault(fault: Fault) -> Remedy {
    Remedy {
        summary: Text::plain(
            "remedy.fault",
            "an injected fault: nothing in the configuration causes it; retry the copy (in copylab, remove the fault)",
        ),
        patches: vec![Patch::RemoveFault { fault }],
        commands: Vec::new(),
        alternatives: vec![Text::plain(
            "remedy.fault-support",
            "if AWS shows this message for a real job, retry it; if it repeats, contact AWS Support",
        )],
    }
}
