//! Which rules apply to a policy: KMS key policy, Backup vault access policy, IAM identity policy or another resource policy; and how to tell them apart.

use serde::Serialize;

use crate::json::{self, JsonValue};

/// The kind of a policy document, which decides its validation rules, its AWS exception name
/// and, for the resource side, the evaluation rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyKind {
    /// A KMS key policy: no implicit access, only some operations cross-account [S19][S22].
    Kms,
    /// An AWS Backup vault access policy: no action wildcards, only `backup:CopyIntoBackupVault`
    /// cross-account [S28].
    Vault,
    /// An IAM identity policy (no `Principal`).
    Identity,
    /// Any other resource-based policy (S3 bucket policy and the like).
    Resource,
    /// An IAM role trust policy: who may assume the role (`Resource` is implied: the role).
    Trust,
}

impl PolicyKind {
    /// The name used on the command line and in files.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Kms => "kms",
            PolicyKind::Vault => "vault",
            PolicyKind::Identity => "identity",
            PolicyKind::Resource => "resource",
            PolicyKind::Trust => "trust",
        }
    }

    /// Parses a command-line name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "kms" => Some(PolicyKind::Kms),
            "vault" => Some(PolicyKind::Vault),
            "identity" => Some(PolicyKind::Identity),
            "resource" => Some(PolicyKind::Resource),
            "trust" => Some(PolicyKind::Trust),
            _ => None,
        }
    }

    /// The kind a resource ARN implies: a KMS key or alias is `kms`, a backup vault is `vault`,
    /// anything else `resource`.
    pub fn for_resource_arn(arn: &str) -> Self {
        let mut parts = arn.splitn(6, ':');
        let (Some("arn"), Some(_), Some(service)) = (parts.next(), parts.next(), parts.next()) else {
            return PolicyKind::Resource;
        };
        let resource = parts.nth(2).unwrap_or_default();
        match service {
            "kms" => PolicyKind::Kms,
            "backup" if resource.starts_with("backup-vault:") => PolicyKind::Vault,
            _ => PolicyKind::Resource,
        }
    }

    /// Guesses the kind from a document's content, or says why it cannot.
    ///
    /// No statement with `Principal` or `NotPrincipal`: identity. Every statement with one and
    /// every action `kms:`: kms. Every action `backup:`: vault. Anything else is ambiguous.
    pub fn infer(text: &str) -> Result<Self, String> {
        let root = json::read(text).map_err(|_| "the document is not valid JSON".to_owned())?;
        let JsonValue::Object(members) = root.value else {
            return Err("the document is not a JSON object".to_owned());
        };
        let statements: Vec<&json::Json> = match members.iter().find(|m| m.key == "Statement") {
            Some(m) => match &m.value.value {
                JsonValue::Array(items) => items.iter().collect(),
                _ => vec![&m.value],
            },
            None => Vec::new(),
        };
        let mut with_principal = 0;
        let mut services: Vec<String> = Vec::new();
        for statement in &statements {
            let JsonValue::Object(elements) = &statement.value else {
                continue;
            };
            if elements.iter().any(|e| e.key == "Principal" || e.key == "NotPrincipal") {
                with_principal += 1;
            }
            for element in elements.iter().filter(|e| e.key == "Action" || e.key == "NotAction") {
                let values: Vec<&json::Json> = match &element.value.value {
                    JsonValue::Array(items) => items.iter().collect(),
                    _ => vec![&element.value],
                };
                for value in values {
                    if let JsonValue::String(action) = &value.value {
                        let service = action.split(':').next().unwrap_or_default();
                        services.push(service.to_ascii_lowercase());
                    }
                }
            }
        }
        if statements.is_empty() {
            return Err("the document has no statements to tell its kind from".to_owned());
        }
        if with_principal == 0 {
            return Ok(PolicyKind::Identity);
        }
        if with_principal < statements.len() {
            return Err("some statements name a principal and some do not".to_owned());
        }
        if !actions_sts_assume(&statements) && !services.is_empty() && services.iter().all(|s| s == "kms") {
            Ok(PolicyKind::Kms)
        } else if !services.is_empty() && services.iter().all(|s| s == "backup") {
            Ok(PolicyKind::Vault)
        } else if actions_sts_assume(&statements) {
            Ok(PolicyKind::Trust)
        } else {
            Err("the statements name principals but their actions are neither all `kms:` nor all `backup:`".to_owned())
        }
    }
}

/// Whether every action of the statements is an `sts:AssumeRole*` action (a trust policy).
fn actions_sts_assume(statements: &[&json::Json]) -> bool {
    let mut any = false;
    for statement in statements {
        let JsonValue::Object(elements) = &statement.value else {
            return false;
        };
        for element in elements.iter().filter(|e| e.key == "Action") {
            let values: Vec<&json::Json> = match &element.value.value {
                JsonValue::Array(items) => items.iter().collect(),
                _ => vec![&element.value],
            };
            for value in values {
                match &value.value {
                    JsonValue::String(a)
                        if a.to_ascii_lowercase().starts_with("sts:assumerole")
                            || a.eq_ignore_ascii_case("sts:TagSession") =>
                    {
                        any = true
                    }
                    _ => return false,
                }
            }
        }
    }
    any
}
