//! KMS keys as the rules see them: resolving a key reference (key ARN, key id, alias name or alias ARN) in an account and Region, AWS managed keys that exist without being listed, and the default key policy.

use crate::arn::Arn;
use crate::policies::PreparedWorld;
use crate::world::{Key, KeyManager, KeyState};

/// How the rules write an AWS owned key where a key ARN goes (a copy's key, a recovery point's):
/// AWS's `EncryptionKeyType` value, since an AWS owned key has no ARN in the account.
pub const AWS_OWNED_KEY: &str = "AWS_OWNED_KMS_KEY";

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
            KeyRef::AwsOwned => AWS_OWNED_KEY.to_owned(),
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
                // Concatenated, not formatted: every copy's checks describe two keys.
                match &key.alias {
                    Some(alias) => [key.arn.as_str(), " (", alias.as_str(), ", ", manager, ")"].concat(),
                    None => [key.arn.as_str(), " (", manager, ")"].concat(),
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

/// Where a key reference leads, as KMS looks it up: the one resolver the rules engine and the
/// server's KMS share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    /// A key of the world, by index.
    Listed(usize),
    /// An AWS managed key the world does not list (`alias/aws/NAME`).
    AwsManaged {
        /// `aws/NAME`.
        alias: String,
        /// The account and Region it belongs to.
        account: String,
        /// Its Region.
        region: String,
    },
    /// Nothing: the reference named an alias (`true`) or a key (`false`).
    Missing {
        /// Whether it named an alias.
        alias: bool,
    },
    /// An alias, where the operation takes a key id or key ARN only (`KeyIdForms::KeyOnly`).
    AliasNotAccepted,
}

/// What a reference to a key may be, by operation: the one place for the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyIdForms {
    /// "Specify the key ID or key ARN of the KMS key."
    KeyOnly,
    /// "To specify a KMS key, use its key ID, key ARN, alias name, or alias ARN."
    KeyOrAlias,
}

/// The KMS operations whose key member (`KeyId`; `ReEncrypt`'s `SourceKeyId` and
/// `DestinationKeyId`) takes an alias name or alias ARN, as each member's documentation in the
/// pinned model (kms 2014-11-01, botocore 1.44.8) says; every other operation's key member says
/// "Specify the key ID or key ARN of the KMS key" (`CreateAlias`'s `TargetKeyId` included).
const ALIAS_ACCEPTING: &[&str] = &[
    "Decapsulate",
    "Decrypt",
    "DeriveSharedSecret",
    "DescribeKey",
    "Encapsulate",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateDataKeyWithoutPlaintext",
    "GetPublicKey",
    "ReEncrypt",
    "Sign",
    "Verify",
];

impl KeyIdForms {
    /// What `operation`'s key member accepts.
    pub fn of(operation: &str) -> KeyIdForms {
        if ALIAS_ACCEPTING.contains(&operation) {
            KeyIdForms::KeyOrAlias
        } else {
            KeyIdForms::KeyOnly
        }
    }
}

/// Whether `reference` names an alias (`alias/NAME` or an alias ARN).
pub fn is_alias_reference(reference: &str) -> bool {
    match Arn::parse(reference).filter(|a| a.service == "kms") {
        Some(arn) => arn.resource.starts_with("alias/"),
        None => reference.starts_with("alias/"),
    }
}

/// Looks `reference` (key id, key ARN, alias name or alias ARN) up as KMS does for a caller in
/// `account` and `region`: a key id or alias name in the caller's account and Region, an ARN
/// where it says. `aliases` maps an alias ARN to its key ARN for aliases beyond the one each
/// key of the world carries (the server's `CreateAlias`). Where `forms` takes keys only, an alias
/// is `AliasNotAccepted`, whether or not it exists.
pub fn locate<'k>(
    keys: &[Key],
    aliases: impl Fn(&str) -> Option<&'k str>,
    reference: &str,
    forms: KeyIdForms,
    account: &str,
    region: &str,
) -> Located {
    if forms == KeyIdForms::KeyOnly && is_alias_reference(reference) {
        return Located::AliasNotAccepted;
    }
    let arn = Arn::parse(reference).filter(|a| a.service == "kms");
    let (scope_account, scope_region, resource) = match arn {
        Some(a) => (a.account, a.region, a.resource),
        None if reference.starts_with("alias/") => (account, region, reference),
        None => (account, region, ""),
    };
    let in_scope =
        |key: &Key| Arn::parse(&key.arn).is_some_and(|a| a.region == scope_region && a.account == scope_account);
    if let Some(name) = resource.strip_prefix("alias/") {
        let alias = format!("alias/{name}");
        if let Some(i) = keys
            .iter()
            .position(|k| k.alias.as_deref() == Some(alias.as_str()) && in_scope(k))
        {
            return Located::Listed(i);
        }
        let partition = crate::regions::partition(scope_region);
        let alias_arn = format!("arn:{partition}:kms:{scope_region}:{scope_account}:{alias}");
        if let Some(i) = aliases(&alias_arn).and_then(|target| keys.iter().position(|k| k.arn == target)) {
            return Located::Listed(i);
        }
        return match name.strip_prefix("aws/") {
            Some(managed) => Located::AwsManaged {
                alias: format!("aws/{managed}"),
                account: scope_account.to_owned(),
                region: scope_region.to_owned(),
            },
            None => Located::Missing { alias: true },
        };
    }
    let id = match resource.strip_prefix("key/") {
        Some(id) => id,
        None if arn.is_none() => reference,
        None => return Located::Missing { alias: false },
    };
    let suffix = format!(":key/{id}");
    keys.iter()
        .position(|k| in_scope(k) && k.arn.ends_with(&suffix))
        .map_or(Located::Missing { alias: false }, Located::Listed)
}

/// Resolves `reference` as KMS would for a caller in `account` and `region`, in the world.
pub fn resolve<'w>(world: &PreparedWorld<'w>, reference: &str, account: &str, region: &str) -> KeyRef<'w> {
    let keys = &world.world.keys;
    // A listed key's ARN, found through the index (what `locate` would find by a scan).
    if let Some(key) = world.key_named(reference) {
        return KeyRef::Listed(key);
    }
    match locate(keys, |_| None, reference, KeyIdForms::KeyOrAlias, account, region) {
        Located::Listed(i) => KeyRef::Listed(&keys[i]),
        Located::AwsManaged { alias, account, region } => KeyRef::ImplicitAwsManaged {
            arn: format!(
                "arn:{}:kms:{region}:{account}:alias/{alias}",
                crate::regions::partition(&region)
            ),
            alias,
        },
        Located::Missing { .. } | Located::AliasNotAccepted => KeyRef::Missing(reference.to_owned()),
    }
}

/// A vault's key as the rules see it: the key it names, else `aws/backup` for a backup vault
/// and an AWS owned key for a logically air-gapped vault ("encrypted with either an AWS owned
/// key (default) or optionally with a customer-managed KMS key", the LAG page).
pub fn vault_key<'w>(world: &PreparedWorld<'w>, vault: &crate::world::BackupVault) -> KeyRef<'w> {
    match (&vault.encryption_key, vault.vault_type) {
        (Some(key), _) => resolve(world, key, &vault.account, &vault.region),
        (None, crate::world::VaultType::LogicallyAirGappedBackupVault) => KeyRef::AwsOwned,
        (None, crate::world::VaultType::BackupVault) => {
            resolve(world, "alias/aws/backup", &vault.account, &vault.region)
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(arn: &str, alias: Option<&str>) -> Key {
        Key {
            arn: arn.to_owned(),
            manager: KeyManager::Customer,
            alias: alias.map(str::to_owned),
            state: KeyState::Enabled,
            policy: None,
        }
    }

    #[test]
    fn a_reference_is_found_by_id_arn_alias_or_extra_alias_in_its_scope_only() {
        let arn = "arn:aws:kms:us-east-1:111122223333:key/k1";
        let keys = [
            key(arn, Some("alias/one")),
            key("arn:aws:kms:us-west-2:111122223333:key/k2", None),
        ];
        let extra = |alias_arn: &str| (alias_arn == "arn:aws:kms:us-east-1:111122223333:alias/two").then_some(arn);
        let at = |reference: &str| {
            locate(
                &keys,
                extra,
                reference,
                KeyIdForms::KeyOrAlias,
                "111122223333",
                "us-east-1",
            )
        };
        assert_eq!(at("k1"), Located::Listed(0));
        assert_eq!(at(arn), Located::Listed(0));
        assert_eq!(at("alias/one"), Located::Listed(0));
        assert_eq!(at("alias/two"), Located::Listed(0));
        assert_eq!(at("arn:aws:kms:us-east-1:111122223333:alias/two"), Located::Listed(0));
        // KMS keys are Regional: a bare id finds no key of another Region.
        assert_eq!(at("k2"), Located::Missing { alias: false });
        assert_eq!(at("alias/three"), Located::Missing { alias: true });
        assert_eq!(
            at("alias/aws/backup"),
            Located::AwsManaged {
                alias: "aws/backup".to_owned(),
                account: "111122223333".to_owned(),
                region: "us-east-1".to_owned()
            }
        );
        assert_eq!(
            at("arn:aws:kms:us-east-1:111122223333:grant/g"),
            Located::Missing { alias: false }
        );
    }

    #[test]
    fn operations_documented_for_key_ids_only_refuse_aliases_even_existing_ones() {
        let arn = "arn:aws:kms:us-east-1:111122223333:key/k1";
        let keys = [key(arn, Some("alias/one"))];
        let at = |operation: &str, reference: &str| {
            locate(
                &keys,
                |_| None,
                reference,
                KeyIdForms::of(operation),
                "111122223333",
                "us-east-1",
            )
        };
        assert_eq!(at("DescribeKey", "alias/one"), Located::Listed(0));
        assert_eq!(at("Encrypt", "alias/one"), Located::Listed(0));
        for operation in [
            "GetKeyPolicy",
            "PutKeyPolicy",
            "CreateAlias",
            "EnableKey",
            "TagResource",
        ] {
            assert_eq!(at(operation, "alias/one"), Located::AliasNotAccepted, "{operation}");
            assert_eq!(
                at(operation, "arn:aws:kms:us-east-1:111122223333:alias/one"),
                Located::AliasNotAccepted,
                "{operation}"
            );
            assert_eq!(at(operation, "k1"), Located::Listed(0), "{operation}");
            assert_eq!(at(operation, arn), Located::Listed(0), "{operation}");
        }
    }
}
