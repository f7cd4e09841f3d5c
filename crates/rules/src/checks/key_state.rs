//! `key-state`: the source key and the destination vault's key exist and are enabled; the fix enables them.

use super::{Check, Ctx, lazy, lazy_merge};
use crate::engine::MessageRef;
use crate::kms::KeyRef;
use crate::remedy::{Patch, Remedy, cmd};
use crate::text;
use crate::text::Text;

pub(crate) fn key_state(ctx: &Ctx<'_>) -> Check {
    let mut evidence = Vec::new();
    // The first problem decides the message; the remedy fixes every key that has one.
    let mut message: Option<MessageRef> = None;
    let mut remedies: Vec<Option<Remedy>> = Vec::new();
    match &ctx.source_key {
        KeyRef::Unencrypted => evidence.push(Text::plain(
            "keys.source-unencrypted",
            "the source backup is not encrypted",
        )),
        KeyRef::Missing(reference) => {
            evidence.push(text!(
                "keys.source-missing",
                "the source key `{key}` does not exist",
                key = reference
            ));
            message = Some(ctx.key_message(true));
            remedies.push(lazy(&ctx.want_remedy, || {
                Remedy::alternatives_only(vec![Text::plain(
                    "keys.alt-missing",
                    "a backup whose key is gone cannot be decrypted: copy another recovery point",
                )])
            }));
        }
        key => {
            let state = key.state();
            evidence.push(text!(
                "keys.source-state",
                "the source key {key} is {state}",
                key = key.arn(),
                state = state
            ));
            if state != "Enabled" {
                message = Some(ctx.key_message(false));
                remedies.push(lazy(&ctx.want_remedy, || enable_key(key, ctx.source_region)));
            }
        }
    }
    match &ctx.destination_key {
        KeyRef::Unencrypted => {}
        KeyRef::Missing(reference) => {
            evidence.push(text!(
                "keys.destination-missing",
                "the destination vault's key `{key}` does not exist",
                key = reference
            ));
            message.get_or_insert_with(|| MessageRef::new("kms-key-disabled-or-denied", vec![]));
            remedies.push(lazy(&ctx.want_remedy, || {
                Remedy::alternatives_only(vec![Text::plain(
                    "keys.alt-destination-missing",
                    "copy into another vault whose key exists",
                )])
            }));
        }
        key => {
            let state = key.state();
            evidence.push(text!(
                "keys.destination-state",
                "the destination vault's key {key} is {state}",
                key = key.arn(),
                state = state
            ));
            if state != "Enabled" {
                message.get_or_insert_with(|| MessageRef::new("kms-key-disabled-or-denied", vec![]));
                remedies.push(lazy(&ctx.want_remedy, || enable_key(key, &ctx.destination.region)));
            }
        }
    }
    match message {
        None => Check::pass(evidence),
        Some(message) => Check::fail(evidence, message, lazy_merge(remedies)),
    }
}

// The remedy.

pub(crate) fn enable_key(key: &KeyRef<'_>, region: &str) -> Remedy {
    let arn = key.arn();
    let account = crate::arn::account(&arn).unwrap_or_default().to_owned();
    let mut commands = Vec::new();
    if key.state() == "PendingDeletion" {
        commands.push(cmd(
            &account,
            Some(region),
            format!("aws kms cancel-key-deletion --key-id {arn}"),
        ));
    }
    commands.push(cmd(
        &account,
        Some(region),
        format!("aws kms enable-key --key-id {arn}"),
    ));
    Remedy {
        summary: text!("remedy.enable-key", "enable key {key}", key = arn),
        patches: vec![Patch::EnableKey { key_arn: arn }],
        commands: Vec::new(),
        alternatives: Vec::new(),
    }
}
