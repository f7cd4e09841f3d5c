//! ARNs, typed: the one reader of `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` every crate uses instead of splitting strings by hand, and the backup vault ARN the engine and the server share.

use std::fmt;

/// An ARN's six fields, borrowed from its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: &'a str,
    /// `backup`, `kms`, `iam`, ...
    pub service: &'a str,
    /// Empty for global services (IAM, Organizations).
    pub region: &'a str,
    /// Empty for AWS-owned resources (`arn:aws:ec2:us-east-1::image/...`).
    pub account: &'a str,
    /// Everything after the fifth colon (`role/Name`, `backup-vault:Name`).
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// `text` as an ARN: `arn:` and six fields, else `None`.
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let [_, partition, service, region, account, resource] = copylab_policy::split_arn(text)?;
        Some(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }

    /// `text` read as far as it goes: fields it lacks are empty (the partition `aws`), so text
    /// a user typed can still be shown.
    pub fn lenient(text: &'a str) -> Arn<'a> {
        // Field by field after the first colon (a general `splitn` costs several times this);
        // the resource keeps the rest, colons and all.
        let mut rest = text.split_once(':').map(|(_, rest)| rest);
        let mut next = || match rest.map(|r| r.split_once(':')) {
            Some(Some((field, after))) => {
                rest = Some(after);
                field
            }
            Some(None) => rest.take().unwrap_or_default(),
            None => "",
        };
        let (partition, service, region, account) = (next(), next(), next(), next());
        let resource = rest.unwrap_or_default();
        Arn {
            partition: if partition.is_empty() { "aws" } else { partition },
            service,
            region,
            account,
            resource,
        }
    }

    /// The backup vault's name, for `backup-vault:NAME`.
    pub fn vault_name(&self) -> Option<&'a str> {
        self.resource.strip_prefix("backup-vault:")
    }
}

/// The account an ARN names, if `text` is an ARN that names one.
pub fn account(text: &str) -> Option<&str> {
    Arn::parse(text).map(|a| a.account).filter(|a| !a.is_empty())
}

/// The Region an ARN names, if `text` is an ARN that names one.
pub fn region(text: &str) -> Option<&str> {
    Arn::parse(text).map(|a| a.region).filter(|r| !r.is_empty())
}

/// The partition of an ARN, `aws` when `text` is not one.
pub fn partition(text: &str) -> &str {
    Arn::parse(text).map_or("aws", |a| a.partition)
}

/// A backup vault's ARN: `arn:PARTITION:backup:REGION:ACCOUNT:backup-vault:NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultArn {
    /// The partition.
    pub partition: String,
    /// The Region.
    pub region: String,
    /// The 12-digit account.
    pub account: String,
    /// The vault's name.
    pub name: String,
}

impl VaultArn {
    /// `text` as a backup vault ARN (a Region, a 12-digit account and a name), else `None`.
    pub fn parse(text: &str) -> Option<VaultArn> {
        let arn = Arn::parse(text)?;
        let name = arn.vault_name()?;
        (arn.service == "backup"
            && !arn.region.is_empty()
            && copylab_policy::is_account_id(arn.account)
            && !name.is_empty())
        .then(|| VaultArn {
            partition: arn.partition.to_owned(),
            region: arn.region.to_owned(),
            account: arn.account.to_owned(),
            name: name.to_owned(),
        })
    }
}

/// The ARN of `account`'s backup vault `name` in `region`:
/// `arn:PARTITION:backup:REGION:ACCOUNT:backup-vault:NAME` (concatenated, not formatted: every
/// job names its vault).
pub fn vault_arn(partition: &str, region: &str, account: &str, name: &str) -> String {
    [
        "arn:",
        partition,
        ":backup:",
        region,
        ":",
        account,
        ":backup-vault:",
        name,
    ]
    .concat()
}

impl fmt::Display for VaultArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:backup:{}:{}:backup-vault:{}",
            self.partition, self.region, self.account, self.name
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`Arn::lenient`] as `splitn` gives it (what it was written as), for every text over a few
    /// characters up to six long, alone and after `arn:`.
    #[test]
    fn a_lenient_arn_is_splitn_at_colons() {
        fn reference(text: &str) -> Arn<'_> {
            let mut parts = text.splitn(6, ':').skip(1);
            let mut next = || parts.next().unwrap_or_default();
            let partition = next();
            Arn {
                partition: if partition.is_empty() { "aws" } else { partition },
                service: next(),
                region: next(),
                account: next(),
                resource: next(),
            }
        }
        let alphabet = ['a', ':', 'é', '/'];
        let mut texts = vec![String::new()];
        for _ in 0..7 {
            texts = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            for text in &texts {
                for text in [text.clone(), format!("arn:{text}")] {
                    assert_eq!(Arn::lenient(&text), reference(&text), "{text:?}");
                }
            }
        }
        assert_eq!(Arn::lenient("").partition, "aws");
        assert_eq!(
            Arn::lenient("arn:aws:backup:eu-west-1:111122223333:backup-vault:a:b").resource,
            "backup-vault:a:b"
        );
    }

    #[test]
    fn an_arn_reads_its_six_fields_and_a_vault_arn_round_trips() {
        let text = "arn:aws:backup:us-east-1:444455556666:backup-vault:Dest:ination";
        let arn = Arn::parse(text).unwrap();
        assert_eq!(
            (arn.service, arn.region, arn.account),
            ("backup", "us-east-1", "444455556666")
        );
        assert_eq!(arn.vault_name(), Some("Dest:ination"));
        assert_eq!(VaultArn::parse(text).unwrap().to_string(), text);
        assert_eq!(account("arn:aws:iam::111122223333:role/R"), Some("111122223333"));
        assert_eq!(region("arn:aws:iam::111122223333:role/R"), None);
        assert_eq!(account("arn:aws:ec2:us-east-1::image/ami-1"), None);
        assert_eq!(partition("arn:aws-cn:kms:cn-north-1:111122223333:key/k"), "aws-cn");
        assert_eq!(Arn::parse("not-an-arn"), None);
        assert_eq!(VaultArn::parse("arn:aws:backup:us-east-1:1234:backup-vault:V"), None);
        let partial = Arn::lenient("arn::backup:us-east-1");
        assert_eq!(
            (partial.partition, partial.region, partial.account),
            ("aws", "us-east-1", "")
        );
    }
}
