//! KMS keys as the rules see them: resolving a key reference (key ARN, key id, alias name or alias ARN) in an account and Region, AWS managed keys that exist without being listed, and the default key policy.

use crate::policies::PreparedWorld;
use crate::world::{Key, KeyManager, KeyState};

/// A resolved key reference.
#[derive(Debug, Clone)]
pub enum KeyRef<'w> {
    /// A key the world lists.
    Listed(&'w Key),
    /// An AWS managed key the world does not list (`alias/aws/...`): enabled, policy immutable.
    ImplicitAwsManaged {
        /// The alias, without `alias/`.
        alias: String,
        /// Its alias ARN.
        arn: String,
    },
    /// An AWS owned key (a logically air-gapped vault's default): usable, not shareable, not
    /// in the account.
    AwsOwned,
    /// A reference to a key that does not exist.
    Missing(String),
    /// No key: the backup is not encrypted.
    Unencrypted,
}

impl KeyRef<'_> {
    /// The key's ARN (the alias ARN for unlisted AWS managed keys; the reference when missing).
    pub fn arn(&self) -> String {
        match self {
            KeyRef::Listed(key) => key.arn.clone(),
            KeyRef::ImplicitAwsManaged { arn, .. } => arn.clone(),
            KeyRef::AwsOwned => "AWS_OWNED_KMS_KEY".to_owned(),
            KeyRef::Missing(reference) => reference.clone(),
            KeyRef::Unencrypted => "none".to_owned(),
        }
    }

    /// For evidence.
    pub fn describe(&self) -> String {
        match self {
            KeyRef::Listed(key) => {
                let manager = if key.manager == KeyManager::Aws {
                    "AWS managed"
                } else {
                    "customer managed"
                };
                match &key.alias {
                    Some(alias) => format!("{} ({alias}, {manager})", key.arn),
                    None => format!("{} ({manager})", key.arn),
                }
            }
            KeyRef::ImplicitAwsManaged { alias, arn } => format!("{arn} (alias/{alias}, AWS managed)"),
            KeyRef::AwsOwned => "an AWS owned key (AWS_OWNED_KMS_KEY)".to_owned(),
            KeyRef::Missing(reference) => format!("{reference} (does not exist)"),
            KeyRef::Unencrypted => "none (unencrypted)".to_owned(),
        }
    }

    /// Whether it is an AWS managed key.
    pub fn is_aws_managed(&self) -> bool {
        match self {
            KeyRef::Listed(key) => key.manager == KeyManager::Aws,
            KeyRef::ImplicitAwsManaged { .. } => true,
            KeyRef::AwsOwned | KeyRef::Missing(_) | KeyRef::Unencrypted => false,
        }
    }

    /// Whether it is the AWS managed key with this alias (`aws/backup`).
    pub fn is_alias(&self, alias: &str) -> bool {
        match self {
            KeyRef::Listed(key) => key
                .alias
                .as_deref()
                .is_some_and(|a| a.strip_prefix("alias/") == Some(alias)),
            KeyRef::ImplicitAwsManaged { alias: a, .. } => a == alias,
            KeyRef::AwsOwned | KeyRef::Missing(_) | KeyRef::Unencrypted => false,
        }
    }

    /// The key state as KMS spells it.
    pub fn state(&self) -> &'static str {
        match self {
            KeyRef::Listed(key) => match key.state {
                KeyState::Enabled => "Enabled",
                KeyState::Disabled => "Disabled",
                KeyState::PendingDeletion => "PendingDeletion",
            },
            KeyRef::ImplicitAwsManaged { .. } | KeyRef::AwsOwned => "Enabled",
            KeyRef::Missing(_) | KeyRef::Unencrypted => "missing",
        }
    }
}

fn key_parts(arn: &str) -> Option<(&str, &str, &str, &str)> {
    let arn = crate::arn::Arn::parse(arn).filter(|a| a.service == "kms")?;
    Some((arn.partition, arn.region, arn.account, arn.resource))
}

/// Resolves `reference` as KMS would for a caller in `account` and `region`.
pub fn resolve<'w>(world: &PreparedWorld<'w>, reference: &str, account: &str, region: &str) -> KeyRef<'w> {
    let keys = &world.world.keys;
    let in_scope = |key: &&Key| key_parts(&key.arn).is_some_and(|(_, r, a, _)| r == region && a == account);
    let (alias, scope_account, scope_region) = match key_parts(reference) {
        Some((_, _, _, resource)) if resource.starts_with("key/") => {
            return keys
                .iter()
                .find(|k| k.arn == reference)
                .map_or_else(|| KeyRef::Missing(reference.to_owned()), KeyRef::Listed);
        }
        Some((_, r, a, resource)) if resource.starts_with("alias/") => {
            (resource.to_owned(), a.to_owned(), r.to_owned())
        }
        Some(_) => return KeyRef::Missing(reference.to_owned()),
        None if reference.starts_with("alias/") => (reference.to_owned(), account.to_owned(), region.to_owned()),
        None => {
            let suffix = format!("key/{reference}");
            return keys
                .iter()
                .filter(in_scope)
                .find(|k| k.arn.ends_with(&suffix))
                .map_or_else(|| KeyRef::Missing(reference.to_owned()), KeyRef::Listed);
        }
    };
    let listed = keys
        .iter()
        .filter(|k| key_parts(&k.arn).is_some_and(|(_, r, a, _)| r == scope_region && a == scope_account))
        .find(|k| k.alias.as_deref() == Some(alias.as_str()));
    if let Some(key) = listed {
        return KeyRef::Listed(key);
    }
    match alias.strip_prefix("alias/aws/") {
        Some(name) => KeyRef::ImplicitAwsManaged {
            alias: format!("aws/{name}"),
            arn: format!(
                "arn:{}:kms:{scope_region}:{scope_account}:{alias}",
                crate::regions::partition(&scope_region)
            ),
        },
        None => KeyRef::Missing(reference.to_owned()),
    }
}

/// KMS's default key policy for a key of `account` (the `Enable IAM User Permissions`
/// statement [S20]).
pub fn default_key_policy(partition: &str, account: &str) -> serde_json::Value {
    serde_json::json!({
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:{partition}:iam::{account}:root")},
            "Action": "kms:*",
            "Resource": "*"
        }]
    })
}
