//! An organization's SCPs and RCPs: AWS's default policies (`FullAWSAccess`, `RCPFullAWSAccess`), which policies are attached at each level from the root down to an account, and their parsed documents for the policy engine.
//!
//! Facts: `aws-plans-policies-events-facts.md` §3.1 and §3.2. Enabling a type attaches AWS's
//! default to the root, every OU and every account; `FullAWSAccess` can be detached (the
//! allow-list strategy), `RCPFullAWSAccess` cannot.

use copylab_policy::{ControlLevel, ControlPolicyType, LabeledPolicy, Policy, PolicyKind};

use crate::policies::WorldError;
use crate::world::{ControlPolicies, Organization};

/// One of AWS's managed control policies.
#[derive(Debug, Clone, Copy)]
pub struct AwsManagedControlPolicy {
    /// Its name.
    pub name: &'static str,
    /// Its id (`p-FullAWSAccess`).
    pub id: &'static str,
    /// Its ARN.
    pub arn: &'static str,
    /// Its description.
    pub description: &'static str,
    /// Its document.
    pub content: &'static str,
    /// Where the document comes from.
    pub source: &'static str,
}

/// `FullAWSAccess`, the SCP every root, OU and account gets when SCPs are enabled (facts §3.1:
/// content from `orgs_manage_policies_scps_strategies`, ARN and description from
/// `orgs_reference_available-policies`).
pub const FULL_AWS_ACCESS: AwsManagedControlPolicy = AwsManagedControlPolicy {
    name: "FullAWSAccess",
    id: "p-FullAWSAccess",
    arn: "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
    description: "Allows access to every operation.",
    content: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    source: "documented: AWS Organizations User Guide, orgs_manage_policies_scps_strategies and orgs_reference_available-policies",
};

/// `RCPFullAWSAccess`, the RCP every root, OU and account gets when RCPs are enabled, and that
/// cannot be detached (facts §3.2: ARN, description and the attachment rule are AWS's; the
/// document is known only from public simulator code).
pub const RCP_FULL_AWS_ACCESS: AwsManagedControlPolicy = AwsManagedControlPolicy {
    name: "RCPFullAWSAccess",
    id: "p-RCPFullAWSAccess",
    arn: "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess",
    description: "Allows access to every resource.",
    content: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#,
    source: "modeled: the ARN, description and attachment rule are documented (orgs_manage_policies_rcps_evaluation, orgs_reference_available-policies); the document is from public simulator code, not from an AWS page",
};

/// AWS's default policy of a type.
pub fn aws_default(policy_type: ControlPolicyType) -> &'static AwsManagedControlPolicy {
    match policy_type {
        ControlPolicyType::ServiceControlPolicy => &FULL_AWS_ACCESS,
        ControlPolicyType::ResourceControlPolicy => &RCP_FULL_AWS_ACCESS,
    }
}

/// The id Organizations gives a policy named `name` in organization `organization_id`: AWS's
/// fixed id for its default, else `p-` and 12 characters derived from the organization and the
/// name (stable across runs; within the model's `PolicyId` pattern `^p-[0-9a-zA-Z_]{8,128}$`).
/// The server's Organizations answers with these ids, and remedies name them.
pub fn policy_id_of(organization_id: &str, policy_type: ControlPolicyType, name: &str) -> String {
    let default = aws_default(policy_type);
    if name == default.name {
        return default.id.to_owned();
    }
    policy_id(organization_id, name)
}

/// The id of an organization's own policy (any type) named `name`.
pub fn policy_id(organization_id: &str, name: &str) -> String {
    format!(
        "p-{}",
        crate::ids::IdGenerator::for_names(&[organization_id, name]).hex(12)
    )
}

/// The policy engine's rules for a type's documents: an SCP has no `Principal` (an identity
/// policy's grammar), an RCP names one (a resource policy's).
pub fn policy_kind(policy_type: ControlPolicyType) -> PolicyKind {
    match policy_type {
        ControlPolicyType::ServiceControlPolicy => PolicyKind::Identity,
        ControlPolicyType::ResourceControlPolicy => PolicyKind::Resource,
    }
}

/// The organization's policies of `policy_type`, when the type is enabled in its root.
pub fn of(org: &Organization, policy_type: ControlPolicyType) -> Option<&ControlPolicies> {
    match policy_type {
        ControlPolicyType::ServiceControlPolicy => org.service_control_policies.as_ref(),
        ControlPolicyType::ResourceControlPolicy => org.resource_control_policies.as_ref(),
    }
}

/// The world field that holds a type's policies, for error paths.
pub fn field(policy_type: ControlPolicyType) -> &'static str {
    match policy_type {
        ControlPolicyType::ServiceControlPolicy => "service_control_policies",
        ControlPolicyType::ResourceControlPolicy => "resource_control_policies",
    }
}

/// An organization's policies of one type, parsed: AWS's default first, then the
/// organization's own in order.
#[derive(Debug)]
pub struct ParsedControlPolicies {
    /// The type.
    pub policy_type: ControlPolicyType,
    /// The names, parallel to `policies`.
    pub names: Vec<String>,
    /// The documents.
    pub policies: Vec<Policy>,
    /// The targets each is attached to (for AWS's default: every target but those it was
    /// detached from, answered by [`ParsedControlPolicies::attached_to`]).
    targets: Vec<Vec<String>>,
    default_detached_from: Vec<String>,
}

impl ParsedControlPolicies {
    /// Parses the policies of `policy_type` of organization `index` of the world, or says why
    /// the world is invalid; `None` when the type is not enabled.
    pub fn parse(org: &Organization, index: usize, policy_type: ControlPolicyType) -> Option<Result<Self, WorldError>> {
        let set = of(org, policy_type)?;
        Some(Self::parse_set(org, index, policy_type, set))
    }

    fn parse_set(
        org: &Organization,
        index: usize,
        policy_type: ControlPolicyType,
        set: &ControlPolicies,
    ) -> Result<Self, WorldError> {
        let base = format!("world.organizations[{index}].{}", field(policy_type));
        let fail = |path: String, message: String| WorldError {
            path,
            message,
            policy_errors: Vec::new(),
        };
        let default = aws_default(policy_type);
        let kind = policy_kind(policy_type);
        let known_target = |target: &str| {
            target == org.root_id
                || target == org.management_account
                || org.accounts.iter().any(|a| a.id == target)
                || org.organizational_units.iter().any(|u| u.id == target)
        };
        if policy_type == ControlPolicyType::ResourceControlPolicy && !set.default_detached_from.is_empty() {
            return Err(fail(
                format!("{base}.default_detached_from"),
                "RCPFullAWSAccess cannot be detached: AWS attaches it to the root, every OU and every account while RCPs are enabled".to_owned(),
            ));
        }
        for target in &set.default_detached_from {
            if !known_target(target) {
                return Err(fail(
                    format!("{base}.default_detached_from"),
                    format!(
                        "`{target}` is not the root, an OU or an account of organization `{}`",
                        org.id
                    ),
                ));
            }
        }
        let mut names = vec![default.name.to_owned()];
        let mut policies = vec![Policy::parse(default.content, kind).map_err(|errors| WorldError {
            path: base.clone(),
            message: format!("{} does not parse", default.name),
            policy_errors: errors,
        })?];
        let mut targets = vec![Vec::new()];
        for (j, policy) in set.policies.iter().enumerate() {
            let path = format!("{base}.policies[{j}]");
            if names.contains(&policy.name) {
                return Err(fail(
                    path,
                    format!("a policy named `{}` is already in the organization", policy.name),
                ));
            }
            for target in &policy.targets {
                if !known_target(target) {
                    return Err(fail(
                        format!("{path}.targets"),
                        format!(
                            "`{target}` is not the root, an OU or an account of organization `{}`",
                            org.id
                        ),
                    ));
                }
            }
            let text = policy.content.text();
            let parsed = Policy::parse(&text, kind).map_err(|errors| WorldError {
                path: format!("{path}.content"),
                message: format!("the {} is invalid", policy_type.phrase()),
                policy_errors: errors,
            })?;
            names.push(policy.name.clone());
            policies.push(parsed);
            targets.push(policy.targets.clone());
        }
        Ok(ParsedControlPolicies {
            policy_type,
            names,
            policies,
            targets,
            default_detached_from: set.default_detached_from.clone(),
        })
    }

    /// Whether policy `i` (0: AWS's default) is attached to `target`.
    pub fn attached_to(&self, i: usize, target: &str) -> bool {
        if i == 0 {
            return !self.default_detached_from.iter().any(|t| t == target);
        }
        self.targets.get(i).is_some_and(|t| t.iter().any(|x| x == target))
    }

    /// The levels from the root down to `account`, each with the labels of the policies
    /// attached to it (`NAME at TARGET`) and their indexes in `policies`.
    pub fn attachments(&self, org: &Organization, account: &str) -> Vec<(String, Vec<(String, usize)>)> {
        crate::tag_policy::targets_of(org, account)
            .into_iter()
            .map(|target| {
                let attached = (0..self.policies.len())
                    .filter(|&i| self.attached_to(i, &target))
                    .map(|i| (format!("{} {} at {target}", self.policy_type.short(), self.names[i]), i))
                    .collect();
                (target, attached)
            })
            .collect()
    }

    /// [`ParsedControlPolicies::attachments`] as the policy engine takes them.
    pub fn levels<'a>(&'a self, attachments: &'a [(String, Vec<(String, usize)>)]) -> Vec<ControlLevel<'a>> {
        attachments
            .iter()
            .map(|(target, attached)| ControlLevel {
                target: target.as_str(),
                policies: attached
                    .iter()
                    .filter_map(|(label, i)| {
                        Some(LabeledPolicy {
                            label: label.as_str(),
                            policy: self.policies.get(*i)?,
                        })
                    })
                    .collect(),
            })
            .collect()
    }
}
