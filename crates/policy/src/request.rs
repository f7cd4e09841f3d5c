//! The request being authorised: who calls (an IAM or STS principal, a service, or anonymous), the action, the resource and the request context.

use serde::Serialize;

use crate::kind::PolicyKind;

/// Who makes the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Caller {
    /// An unsigned request.
    Anonymous,
    /// An AWS service acting as its service principal (`backup.amazonaws.com`).
    Service {
        /// The service principal name.
        name: String,
    },
    /// The account root user (`arn:aws:iam::ACCOUNT:root`).
    Root {
        /// The ARN as given.
        arn: String,
        /// Its account.
        account: String,
    },
    /// An IAM user.
    User {
        /// The ARN as given.
        arn: String,
        /// Its account.
        account: String,
        /// The user name (the last path component).
        name: String,
    },
    /// A session of an IAM role (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`), or the
    /// role itself when a role ARN is given (then `session` is `None`).
    RoleSession {
        /// The ARN as given.
        arn: String,
        /// Its account.
        account: String,
        /// The role name (without path).
        role: String,
        /// The role's ARN (`aws:PrincipalArn`); without the path when only a session ARN was given.
        role_arn: String,
        /// The session name.
        session: Option<String>,
    },
    /// Any other principal of an account (a federated user session and the like).
    Other {
        /// The ARN as given.
        arn: String,
        /// Its account.
        account: String,
    },
}

impl Caller {
    /// Reads a principal as the CLI takes it: an IAM or STS ARN, a service principal name such
    /// as `backup.amazonaws.com`, or `anonymous`.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text == "anonymous" {
            return Ok(Caller::Anonymous);
        }
        if !text.starts_with("arn:") {
            let is_service = text.ends_with(".amazonaws.com")
                || text.ends_with(".amazonaws.com.cn")
                || text.ends_with(".amazon.com");
            return if is_service {
                Ok(Caller::Service { name: text.to_owned() })
            } else {
                Err(format!(
                    "principal `{text}` is not an IAM or STS ARN, a service principal name or `anonymous`"
                ))
            };
        }
        let bad = || format!("principal `{text}` is not an IAM or STS principal ARN");
        let [_, _, service, region, account, resource] = crate::pattern::split_arn(text).ok_or_else(bad)?;
        if !is_account_id(account) {
            return Err(format!(
                "principal `{text}` has `{account}` where a 12-digit account id belongs"
            ));
        }
        if !region.is_empty() {
            return Err(bad());
        }
        let arn = text.to_owned();
        let account = account.to_owned();
        match (service, resource.split_once('/')) {
            ("iam", None) if resource == "root" => Ok(Caller::Root { arn, account }),
            ("iam", Some(("user", path))) if !path.is_empty() => {
                let name = path.rsplit('/').next().unwrap_or(path).to_owned();
                Ok(Caller::User { arn, account, name })
            }
            ("iam", Some(("role", path))) if !path.is_empty() => {
                let role = path.rsplit('/').next().unwrap_or(path).to_owned();
                Ok(Caller::RoleSession {
                    role_arn: arn.clone(),
                    arn,
                    account,
                    role,
                    session: None,
                })
            }
            ("sts", Some(("assumed-role", rest))) => {
                let (role, session) = rest.split_once('/').ok_or_else(bad)?;
                if role.is_empty() || session.is_empty() {
                    return Err(bad());
                }
                let partition = text.split(':').nth(1).unwrap_or("aws");
                Ok(Caller::RoleSession {
                    role_arn: format!("arn:{partition}:iam::{account}:role/{role}"),
                    arn,
                    account,
                    role: role.to_owned(),
                    session: Some(session.to_owned()),
                })
            }
            ("sts", Some(("federated-user", name))) if !name.is_empty() => Ok(Caller::Other { arn, account }),
            _ => Err(bad()),
        }
    }

    /// The caller's account, if it has one.
    pub fn account(&self) -> Option<&str> {
        match self {
            Caller::Anonymous | Caller::Service { .. } => None,
            Caller::Root { account, .. }
            | Caller::User { account, .. }
            | Caller::RoleSession { account, .. }
            | Caller::Other { account, .. } => Some(account),
        }
    }

    /// The caller's ARN as given (`None` for anonymous and service callers).
    pub fn arn(&self) -> Option<&str> {
        match self {
            Caller::Anonymous | Caller::Service { .. } => None,
            Caller::Root { arn, .. }
            | Caller::User { arn, .. }
            | Caller::RoleSession { arn, .. }
            | Caller::Other { arn, .. } => Some(arn),
        }
    }

    /// How the caller is shown in explanations.
    pub fn display(&self) -> &str {
        match self {
            Caller::Anonymous => "anonymous",
            Caller::Service { name } => name,
            other => other.arn().unwrap_or_default(),
        }
    }
}

/// Whether `text` is a 12-digit account id.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// One context key and its values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextEntry {
    /// The key as given (matched case-insensitively [S10]).
    pub key: String,
    /// Its values; several for a multivalued key, none for a present but empty set.
    pub values: Vec<String>,
    /// Whether copylab filled it in from the caller rather than the user giving it.
    pub derived: bool,
}

/// The request context: condition keys and their values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Context {
    entries: Vec<ContextEntry>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a value to `key` (a repeated key is multivalued).
    pub fn insert(&mut self, key: &str, value: &str) {
        match self.entries.iter_mut().find(|e| e.key.eq_ignore_ascii_case(key)) {
            Some(entry) => entry.values.push(value.to_owned()),
            None => self.entries.push(ContextEntry {
                key: key.to_owned(),
                values: vec![value.to_owned()],
                derived: false,
            }),
        }
    }

    /// Sets `key` to exactly `values` (an empty list is a present, empty set).
    pub fn set(&mut self, key: &str, values: Vec<String>) {
        match self.entries.iter_mut().find(|e| e.key.eq_ignore_ascii_case(key)) {
            Some(entry) => entry.values = values,
            None => self.entries.push(ContextEntry {
                key: key.to_owned(),
                values,
                derived: false,
            }),
        }
    }

    /// Removes `key` (matched case-insensitively).
    pub fn remove(&mut self, key: &str) {
        self.entries.retain(|e| !e.key.eq_ignore_ascii_case(key));
    }

    /// Adds `values` to `key`, creating it (present, possibly with no values) when absent.
    pub fn extend(&mut self, key: &str, values: &[String]) {
        match self.entries.iter_mut().find(|e| e.key.eq_ignore_ascii_case(key)) {
            Some(entry) => entry.values.extend_from_slice(values),
            None => self.entries.push(ContextEntry {
                key: key.to_owned(),
                values: values.to_vec(),
                derived: false,
            }),
        }
    }

    fn derive(&mut self, key: &str, value: &str) {
        if !self.entries.iter().any(|e| e.key.eq_ignore_ascii_case(key)) {
            self.entries.push(ContextEntry {
                key: key.to_owned(),
                values: vec![value.to_owned()],
                derived: true,
            });
        }
    }

    /// The values of `key`, matched case-insensitively; `None` when absent. An empty string
    /// given for a tag key counts as absent (null) [S10].
    pub fn get(&self, key: &str) -> Option<&[String]> {
        let entry = self.entries.iter().find(|e| e.key.eq_ignore_ascii_case(key))?;
        let is_tag_key = entry.key.contains('/');
        if is_tag_key && entry.values.iter().all(String::is_empty) && !entry.values.is_empty() {
            return None;
        }
        Some(&entry.values)
    }

    /// All entries, given and derived.
    pub fn entries(&self) -> &[ContextEntry] {
        &self.entries
    }
}

/// A request to authorise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    /// Who calls.
    pub caller: Caller,
    /// The action, e.g. `kms:Decrypt`.
    pub action: String,
    /// The resource ARN.
    pub resource: String,
    /// The account that owns the resource.
    pub resource_owner: Option<String>,
    /// The request context, with the keys AWS derives from the caller filled in.
    pub context: Context,
}

impl Request {
    /// Builds a request and fills in the context keys AWS derives from the caller, unless
    /// `context` already has them: `aws:PrincipalArn` (for a role session, the role's ARN),
    /// `aws:PrincipalAccount` (`anonymous` for anonymous callers), `aws:PrincipalIsAWSService`,
    /// `aws:username` for IAM users, and `kms:CallerAccount` for KMS [S17][S24].
    ///
    /// `resource_owner` defaults to the account in the resource ARN.
    pub fn new(
        caller: Caller,
        action: &str,
        resource: &str,
        resource_owner: Option<&str>,
        mut context: Context,
        kind: PolicyKind,
    ) -> Self {
        match &caller {
            Caller::Anonymous => {
                context.derive("aws:PrincipalAccount", "anonymous");
                context.derive("aws:PrincipalIsAWSService", "false");
            }
            Caller::Service { name } => {
                context.derive("aws:PrincipalIsAWSService", "true");
                context.derive("aws:PrincipalServiceName", name);
            }
            Caller::RoleSession { role_arn, account, .. } => {
                context.derive("aws:PrincipalArn", role_arn);
                context.derive("aws:PrincipalAccount", account);
                context.derive("aws:PrincipalIsAWSService", "false");
            }
            Caller::User { arn, account, name } => {
                context.derive("aws:PrincipalArn", arn);
                context.derive("aws:PrincipalAccount", account);
                context.derive("aws:PrincipalIsAWSService", "false");
                context.derive("aws:username", name);
            }
            Caller::Root { arn, account } | Caller::Other { arn, account } => {
                context.derive("aws:PrincipalArn", arn);
                context.derive("aws:PrincipalAccount", account);
                context.derive("aws:PrincipalIsAWSService", "false");
            }
        }
        if kind == PolicyKind::Kms
            && let Some(account) = caller.account()
        {
            context.derive("kms:CallerAccount", account);
        }
        let resource_owner = resource_owner.map(str::to_owned).or_else(|| {
            crate::pattern::split_arn(resource)
                .map(|arn| arn[4])
                .filter(|a| is_account_id(a))
                .map(str::to_owned)
        });
        Request {
            caller,
            action: action.to_owned(),
            resource: resource.to_owned(),
            resource_owner,
            context,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_arn_derives_role_arn_as_principal_arn() {
        let caller = Caller::parse("arn:aws:sts::444455556666:assumed-role/BackupRole/s1").unwrap();
        let request = Request::new(
            caller,
            "kms:Decrypt",
            "arn:aws:kms:us-east-1:111122223333:key/k",
            None,
            Context::new(),
            PolicyKind::Kms,
        );
        assert_eq!(
            request.context.get("AWS:PRINCIPALARN").unwrap(),
            ["arn:aws:iam::444455556666:role/BackupRole"]
        );
        assert_eq!(request.context.get("kms:calleraccount").unwrap(), ["444455556666"]);
        assert_eq!(request.resource_owner.as_deref(), Some("111122223333"));
    }

    #[test]
    fn malformed_principals_are_rejected() {
        assert!(Caller::parse("arn:aws:iam::SourceAccountID :root").is_err());
        assert!(Caller::parse("bob").is_err());
        assert_eq!(
            Caller::parse("backup.amazonaws.com").unwrap(),
            Caller::Service {
                name: "backup.amazonaws.com".into()
            }
        );
    }

    #[test]
    fn empty_tag_value_counts_as_absent() {
        let mut context = Context::new();
        context.insert("aws:ResourceTag/team", "");
        assert!(context.get("aws:resourcetag/TEAM").is_none());
    }
}
