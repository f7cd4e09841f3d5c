//! The real `aws-sdk-organizations` client against `copylab serve` (awsJson1_1): who may call what (management account, members, accounts outside); an organization built through the API (CreateOrganization, OUs, invitations accepted by the invited accounts, MoveAccount, CreateAccount) whose effective tag policies are AWS's documented inheritance examples; and one world with AWS Backup: founding an organization, removing the destination account or attaching a tag policy through Organizations decides the next copy with the engine's message.

use aws_sdk_organizations::error::ProvideErrorMetadata as _;
use aws_sdk_organizations::types::PolicyType;
use copylab_rules::world::Wording;
use copylab_server::state::Progression;

use crate::sdk::{copy_shared_snapshot, engine_status_message};
use crate::support::{default_world, router};

const MANAGEMENT: &str = "123456789012";
const SOURCE: &str = "111122223333";

fn organizations(app: &axum::Router, account: &str) -> aws_sdk_organizations::Client {
    aws_sdk_organizations::Client::new(&crate::support::config(app, account, "us-east-1"))
}

#[tokio::test]
async fn organizations_callers_management_members_and_outsiders_get_awss_answers() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let member = organizations(&app, SOURCE);
    let org = member
        .describe_organization()
        .send()
        .await
        .unwrap()
        .organization
        .unwrap();
    assert_eq!(
        (org.id(), org.master_account_id()),
        (Some("o-a1b2c3d4e5"), Some(MANAGEMENT))
    );
    for error in [
        member
            .list_accounts()
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .meta()
            .clone(),
        member
            .list_roots()
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .meta()
            .clone(),
        member
            .remove_account_from_organization()
            .account_id("444455556666")
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .meta()
            .clone(),
    ] {
        assert_eq!(error.code(), Some("AccessDeniedException"));
        assert_eq!(
            error.message(),
            Some("You don't have permissions to access this resource.")
        );
    }
    let error = organizations(&app, "777788889999")
        .describe_organization()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("AWSOrganizationsNotInUseException"));
    assert_eq!(
        error.message(),
        Some("Your account is not a member of an organization.")
    );
    let management = organizations(&app, MANAGEMENT);
    let accounts = management.list_accounts().send().await.unwrap();
    let ids: Vec<&str> = accounts.accounts().iter().filter_map(|a| a.id()).collect();
    assert_eq!(ids, [MANAGEMENT, SOURCE, "444455556666"]);
    // Every account, the management account included, has joined (moto's suite: AWS sends it).
    assert!(
        accounts.accounts().iter().all(|a| a.joined_timestamp().is_some()),
        "{accounts:?}"
    );
    let roots = management.list_roots().send().await.unwrap();
    assert_eq!(roots.roots()[0].id(), Some("r-a1b2"));
    // No tag policy: DescribeEffectivePolicy says so in AWS's words.
    let error = member
        .describe_effective_policy()
        .policy_type(aws_sdk_organizations::types::EffectivePolicyType::TagPolicy)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("EffectivePolicyNotFoundException"));
}

#[tokio::test]
async fn removing_an_account_or_attaching_a_tag_policy_through_organizations_decides_the_next_copy() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let management = organizations(&app, MANAGEMENT);
    assert_eq!(copy_shared_snapshot(&app).await.0, "COMPLETED");

    // A tag policy enforcing team=platform on recovery points; the snapshot says team=payments.
    let content = r#"{"tags":{"team":{"tag_key":{"@@assign":"team"},"tag_value":{"@@assign":["platform"]},"enforced_for":{"@@assign":["rds:snapshot"]}}}}"#;
    let policy = management
        .create_policy()
        .name("team-values")
        .description("teams")
        .r#type(PolicyType::TagPolicy)
        .content(content)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    let policy_id = policy.policy_summary().unwrap().id().unwrap().to_owned();
    let error = management
        .attach_policy()
        .policy_id(&policy_id)
        .target_id("r-a1b2")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("PolicyTypeNotEnabledException"));
    management
        .enable_policy_type()
        .root_id("r-a1b2")
        .policy_type(PolicyType::TagPolicy)
        .send()
        .await
        .unwrap();
    management
        .attach_policy()
        .policy_id(&policy_id)
        .target_id("r-a1b2")
        .send()
        .await
        .unwrap();
    let effective = organizations(&app, SOURCE)
        .describe_effective_policy()
        .policy_type(aws_sdk_organizations::types::EffectivePolicyType::TagPolicy)
        .send()
        .await
        .unwrap()
        .effective_policy
        .unwrap();
    let content_json: serde_json::Value = serde_json::from_str(effective.policy_content().unwrap()).unwrap();
    assert_eq!(
        content_json["tags"]["team"]["tag_value"],
        serde_json::json!(["platform"])
    );
    let (state, message) = copy_shared_snapshot(&app).await;
    assert_eq!(state, "FAILED");
    let mut tagged = default_world();
    tagged.organizations[0]
        .tag_policies
        .push(copylab_rules::world::TagPolicy {
            name: "team-values".into(),
            targets: vec!["r-a1b2".into()],
            content: serde_json::from_str(content).unwrap(),
        });
    assert_eq!(
        message,
        engine_status_message(&tagged),
        "the engine's tag policy message"
    );
    management
        .detach_policy()
        .policy_id(&policy_id)
        .target_id("r-a1b2")
        .send()
        .await
        .unwrap();
    assert_eq!(copy_shared_snapshot(&app).await.0, "COMPLETED");

    // The destination account leaves the organization: the seed's organization failure.
    management
        .remove_account_from_organization()
        .account_id("444455556666")
        .send()
        .await
        .unwrap();
    let (state, message) = copy_shared_snapshot(&app).await;
    assert_eq!(state, "FAILED");
    assert_eq!(
        message.as_deref(),
        Some("Copy job failed. Both source and destination account must be a member of the same organization.")
    );
}

/// The inheritance examples of AWS's "Understanding management policy inheritance" page
/// (`awsdocs/aws-organizations-docs`, `doc_source/orgs_manage_policies_inheritance_mgmt.md`;
/// facts aws-org-wire §1.3): Root policy A with OU policy B (example 1), OU policy C (example 2)
/// and an account policy D (example 3), each attached through the API to an organization built
/// through the API, and the effective tag policy AWS shows for an account under each.
#[tokio::test]
async fn an_organization_built_through_the_api_gives_awss_effective_tag_policy_examples() {
    let mut world = default_world();
    world.organizations.clear();
    let app = router(world, 5, None, Wording::Current, Progression::Instant);
    let management = organizations(&app, MANAGEMENT);
    let org = management
        .create_organization()
        .send()
        .await
        .unwrap()
        .organization
        .unwrap();
    assert!(
        org.id().unwrap().starts_with("o-") && org.id().unwrap().len() == 12,
        "{org:?}"
    );
    assert_eq!(org.master_account_id(), Some(MANAGEMENT));
    let error = management.create_organization().send().await.unwrap_err();
    assert_eq!(error.code(), Some("AlreadyInOrganizationException"));
    assert_eq!(
        error.message(),
        Some("The AWS account is already a member of an organization.")
    );
    let root = management.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned();
    let ou = |name: &'static str| {
        let management = management.clone();
        let root = root.clone();
        async move {
            let unit = management
                .create_organizational_unit()
                .parent_id(root)
                .name(name)
                .send()
                .await
                .unwrap()
                .organizational_unit
                .unwrap();
            unit.id().unwrap().to_owned()
        }
    };
    let (ou1, ou2) = (ou("OU1").await, ou("OU2").await);
    assert!(ou1.starts_with(&format!("ou-{}-", &root[2..])), "{ou1}");
    let error = management
        .create_organizational_unit()
        .parent_id(&root)
        .name("OU1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("DuplicateOrganizationalUnitException"));
    assert_eq!(error.message(), Some("An OU with the same name already exists."));

    // Accounts join by invitation, accepted by each account, and move into their OU.
    for (account, parent) in [
        ("111111111111", Some(&ou1)),
        ("999999999999", Some(&ou2)),
        ("333333333333", None),
    ] {
        let handshake = management
            .invite_account_to_organization()
            .target(account_party(account))
            .send()
            .await
            .unwrap()
            .handshake
            .unwrap();
        assert_eq!(handshake.state().map(|s| s.as_str()), Some("OPEN"));
        let id = handshake.id().unwrap();
        // Only the invited account accepts.
        let error = organizations(&app, "444455556666")
            .accept_handshake()
            .handshake_id(id)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some("HandshakeNotFoundException"), "{account}");
        let accepted = organizations(&app, account)
            .accept_handshake()
            .handshake_id(id)
            .send()
            .await
            .unwrap()
            .handshake
            .unwrap();
        assert_eq!(accepted.state().map(|s| s.as_str()), Some("ACCEPTED"));
        let error = organizations(&app, account)
            .accept_handshake()
            .handshake_id(id)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some("HandshakeAlreadyInStateException"));
        if let Some(parent) = parent {
            management
                .move_account()
                .account_id(account)
                .source_parent_id(&root)
                .destination_parent_id(parent)
                .send()
                .await
                .unwrap();
        }
    }
    let error = management
        .move_account()
        .account_id("111111111111")
        .source_parent_id(&ou1)
        .destination_parent_id(&ou1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("DuplicateAccountException"));
    // Not under the source parent named: AWS says the account does not exist.
    let error = management
        .move_account()
        .account_id("111111111111")
        .source_parent_id(&ou2)
        .destination_parent_id(&root)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (
            Some("AccountNotFoundException"),
            Some("You specified an account that doesn't exist.")
        )
    );
    let error = management
        .invite_account_to_organization()
        .target(account_party("111111111111"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("HandshakeConstraintViolationException"));

    management
        .enable_policy_type()
        .root_id(&root)
        .policy_type(PolicyType::TagPolicy)
        .send()
        .await
        .unwrap();
    let attach = |name: &'static str, content: serde_json::Value, target: String| {
        let management = management.clone();
        async move {
            let id = management
                .create_policy()
                .name(name)
                .description(name)
                .r#type(PolicyType::TagPolicy)
                .content(content.to_string())
                .send()
                .await
                .unwrap()
                .policy
                .unwrap()
                .policy_summary
                .unwrap()
                .id
                .unwrap();
            management
                .attach_policy()
                .policy_id(id)
                .target_id(target)
                .send()
                .await
                .unwrap();
        }
    };
    use serde_json::json;
    attach(
        "A",
        json!({"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}, "tag_value": {"@@assign": ["Development", "Support"]}}}}),
        root.clone(),
    )
    .await;
    attach(
        "B",
        json!({"tags": {"costcenter": {"tag_value": {"@@assign": ["Sandbox"]}, "enforced_for": {"@@assign": ["redshift:*", "dynamodb:table"]}}}}),
        ou1.clone(),
    )
    .await;
    attach(
        "C",
        json!({"tags": {"costcenter": {"tag_value": {"@@append": ["Marketing"]}, "enforced_for": {"@@append": ["redshift:*", "dynamodb:table"]}}}}),
        ou2.clone(),
    )
    .await;
    attach(
        "D",
        json!({"tags": {"costcenter": {"tag_value": {"@@remove": ["Development", "Marketing"]}}}}),
        "333333333333".to_owned(),
    )
    .await;
    for (account, expected) in [
        (
            "111111111111",
            json!({"tags": {"costcenter": {"tag_key": "CostCenter", "tag_value": ["Sandbox"], "enforced_for": ["redshift:*", "dynamodb:table"]}}}),
        ),
        (
            "999999999999",
            json!({"tags": {"costcenter": {"tag_key": "CostCenter", "tag_value": ["Development", "Support", "Marketing"], "enforced_for": ["redshift:*", "dynamodb:table"]}}}),
        ),
        (
            "333333333333",
            json!({"tags": {"costcenter": {"tag_key": "CostCenter", "tag_value": ["Support"]}}}),
        ),
    ] {
        // The management account names the account; the account itself asks without a target.
        for (client, target) in [(&management, Some(account)), (&organizations(&app, account), None)] {
            let effective = client
                .describe_effective_policy()
                .policy_type(aws_sdk_organizations::types::EffectivePolicyType::TagPolicy)
                .set_target_id(target.map(str::to_owned))
                .send()
                .await
                .unwrap()
                .effective_policy
                .unwrap();
            let content: serde_json::Value = serde_json::from_str(effective.policy_content().unwrap()).unwrap();
            assert_eq!(content, expected, "{account} asked by {target:?}");
        }
    }
}

#[tokio::test]
async fn an_organization_founded_through_the_api_lets_copies_through_once_aws_backup_allows_them() {
    // Source and destination in no organization: the seed's organization failure.
    let mut world = default_world();
    world.organizations.clear();
    let app = router(world, 6, None, Wording::Current, Progression::Instant);
    let outside = copy_shared_snapshot(&app).await;
    assert_eq!(
        outside,
        (
            "FAILED".to_owned(),
            Some(
                "Copy job failed. Both source and destination account must be a member of the same organization."
                    .to_owned()
            )
        )
    );
    let management = organizations(&app, MANAGEMENT);
    management.create_organization().send().await.unwrap();
    for account in [SOURCE, "444455556666"] {
        let id = management
            .invite_account_to_organization()
            .target(account_party(account))
            .send()
            .await
            .unwrap()
            .handshake
            .unwrap()
            .id
            .unwrap();
        organizations(&app, account)
            .accept_handshake()
            .handshake_id(id)
            .send()
            .await
            .unwrap();
    }
    // A new organization has AWS Backup's cross-account setting off.
    assert_eq!(
        copy_shared_snapshot(&app).await,
        (
            "FAILED".to_owned(),
            Some("Copy job failed. Cross-account copy feature is not enabled for the current organization.".to_owned())
        )
    );
    crate::support::client(&app, MANAGEMENT, "us-east-1")
        .update_global_settings()
        .global_settings("isCrossAccountBackupEnabled", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(copy_shared_snapshot(&app).await, ("COMPLETED".to_owned(), None));
}

#[tokio::test]
async fn created_accounts_report_their_status_and_the_management_account_can_assume_their_access_role() {
    let app = router(default_world(), 7, None, Wording::Current, Progression::Instant);
    let management = organizations(&app, MANAGEMENT);
    let status = management
        .create_account()
        .account_name("Vaults")
        .email("vaults@example.com")
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap();
    assert_eq!(status.state().map(|s| s.as_str()), Some("IN_PROGRESS"));
    assert!(status.id().unwrap().starts_with("car-"));
    let done = management
        .describe_create_account_status()
        .create_account_request_id(status.id().unwrap())
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap();
    assert_eq!(done.state().map(|s| s.as_str()), Some("SUCCEEDED"));
    let account = done.account_id().unwrap().to_owned();
    assert!(copylab_policy::is_account_id(&account), "{account}");
    let listed = management.list_accounts().send().await.unwrap();
    let new = listed
        .accounts()
        .iter()
        .find(|a| a.id() == Some(account.as_str()))
        .unwrap();
    assert_eq!(
        (new.name(), new.email(), new.joined_method().map(|m| m.as_str())),
        (Some("Vaults"), Some("vaults@example.com"), Some("CREATED"))
    );
    // The same email again: the request fails (a status, not an error), as AWS reports it.
    let again = management
        .create_account()
        .account_name("Vaults again")
        .email("vaults@example.com")
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap();
    let failed = management
        .describe_create_account_status()
        .create_account_request_id(again.id().unwrap())
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap();
    assert_eq!(
        (
            failed.state().map(|s| s.as_str()),
            failed.failure_reason().map(|r| r.as_str())
        ),
        (Some("FAILED"), Some("EMAIL_ALREADY_EXISTS"))
    );
    let error = management
        .describe_create_account_status()
        .create_account_request_id("car-00000000000000000000000000000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("CreateAccountStatusNotFoundException"));
    // The management account assumes the new account's OrganizationAccountAccessRole.
    let sts = aws_sdk_sts::Client::new(&crate::support::config(&app, MANAGEMENT, "us-east-1"));
    let session = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/OrganizationAccountAccessRole"))
        .role_session_name("setup")
        .send()
        .await
        .unwrap();
    assert_eq!(
        session.assumed_role_user().unwrap().arn(),
        format!("arn:aws:sts::{account}:assumed-role/OrganizationAccountAccessRole/setup")
    );
}

fn account_party(account: &str) -> aws_sdk_organizations::types::HandshakeParty {
    aws_sdk_organizations::types::HandshakeParty::builder()
        .id(account)
        .r#type(aws_sdk_organizations::types::HandshakePartyType::Account)
        .build()
        .unwrap()
}

#[tokio::test]
async fn organizations_refusals_answer_awss_errors_and_change_nothing() {
    let app = router(default_world(), 8, None, Wording::Current, Progression::Instant);
    let management = organizations(&app, MANAGEMENT);
    let outsider = organizations(&app, "777788889999");
    let handshake = management
        .invite_account_to_organization()
        .target(account_party("777788889999"))
        .send()
        .await
        .unwrap()
        .handshake
        .unwrap();
    let id = handshake.id().unwrap().to_owned();
    let before = crate::sdk::state_of(&app).await;

    let error = management
        .invite_account_to_organization()
        .target(account_party("777788889999"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("DuplicateHandshakeException"));
    let error = management
        .accept_handshake()
        .handshake_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("AccessDeniedException"));
    let error = management
        .create_organizational_unit()
        .parent_id("ou-a1b2-nosuchou")
        .name("Nowhere")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (
            Some("ParentNotFoundException"),
            Some("We can't find a root or OU with the ParentId that you specified.")
        )
    );
    let error = management
        .move_account()
        .account_id(SOURCE)
        .source_parent_id("r-a1b2")
        .destination_parent_id("ou-a1b2-nosuchou")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("DestinationParentNotFoundException"));
    let error = management
        .move_account()
        .account_id(SOURCE)
        .source_parent_id("ou-a1b2-nosuchou")
        .destination_parent_id("r-a1b2")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("SourceParentNotFoundException"));
    let error = management
        .remove_account_from_organization()
        .account_id(MANAGEMENT)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("ConstraintViolationException"));
    assert_eq!(crate::sdk::state_of(&app).await, before, "a refusal changed the state");

    // Declined, the invitation cannot be accepted any more.
    let declined = outsider.decline_handshake().handshake_id(&id).send().await.unwrap();
    assert_eq!(
        declined.handshake.unwrap().state().map(|s| s.as_str()),
        Some("DECLINED")
    );
    let error = outsider.accept_handshake().handshake_id(&id).send().await.unwrap_err();
    assert_eq!(error.code(), Some("InvalidHandshakeTransitionException"));

    // An organization with consolidated billing only has no policy types.
    let billing = outsider
        .create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::ConsolidatedBilling)
        .send()
        .await
        .unwrap()
        .organization
        .unwrap();
    assert_eq!(billing.feature_set().map(|f| f.as_str()), Some("CONSOLIDATED_BILLING"));
    let root = outsider.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned();
    let error = outsider
        .enable_policy_type()
        .root_id(&root)
        .policy_type(PolicyType::TagPolicy)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("PolicyTypeNotAvailableForOrganizationException"));

    // OUs nest five levels under the root, no deeper (the runtime message).
    let mut parent = root.clone();
    for level in 1..=5 {
        parent = outsider
            .create_organizational_unit()
            .parent_id(&parent)
            .name(format!("Level{level}"))
            .send()
            .await
            .unwrap()
            .organizational_unit
            .unwrap()
            .id
            .unwrap();
    }
    let error = outsider
        .create_organizational_unit()
        .parent_id(&parent)
        .name("Level6")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (
            Some("ConstraintViolationException"),
            Some(
                "You cannot add an organizational unit to the specified parent because it would exceed the max depth allowed."
            )
        )
    );
}

/// SCPs and RCPs through the real SDK, in the default world: an SCP created before its type is
/// enabled cannot be attached; enabled, `FullAWSAccess` is everywhere; an SCP that denies
/// `backup:StartCopyJob` attached to the source account refuses the call with AWS's
/// "explicit deny in a service control policy" form and changes nothing; detached, the copy
/// completes; the last SCP of a target cannot be detached, nor `RCPFullAWSAccess` at all, nor an
/// attached policy deleted (the model's texts); and an RCP on the source account that keeps its
/// keys to its own principals fails the next copy with the engine's message, then detached lets
/// it complete.
#[tokio::test]
async fn scps_and_rcps_through_organizations_decide_the_next_copy() {
    use crate::sdk::{DESTINATION, RDS_SHARED, ROLE};
    use aws_sdk_backup::error::ProvideErrorMetadata as _;
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let management = organizations(&app, MANAGEMENT);
    let backup = crate::support::client(&app, SOURCE, "us-east-1");
    assert_eq!(copy_shared_snapshot(&app).await.0, "COMPLETED");

    let deny_start = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoCopies","Effect":"Deny","Action":"backup:StartCopyJob","Resource":"*"}]}"#;
    let id = management
        .create_policy()
        .name("no-copies")
        .description("no copies from this account")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(deny_start)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .policy_summary
        .unwrap()
        .id
        .unwrap();
    let error = management
        .attach_policy()
        .policy_id(&id)
        .target_id(SOURCE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("PolicyTypeNotEnabledException"));
    let malformed = management
        .create_policy()
        .name("with-principal")
        .description("SCPs name no principal")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(malformed.code(), Some("MalformedPolicyDocumentException"));
    let root = management
        .enable_policy_type()
        .root_id("r-a1b2")
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap()
        .root
        .unwrap();
    assert!(
        root.policy_types()
            .iter()
            .any(|t| t.r#type() == Some(&PolicyType::ServiceControlPolicy))
    );
    let for_source = management
        .list_policies_for_target()
        .target_id(SOURCE)
        .filter(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let names: Vec<(&str, &str, bool)> = for_source
        .policies()
        .iter()
        .map(|p| (p.id().unwrap(), p.name().unwrap(), p.aws_managed()))
        .collect();
    assert_eq!(names, [("p-FullAWSAccess", "FullAWSAccess", true)]);
    management
        .attach_policy()
        .policy_id(&id)
        .target_id(SOURCE)
        .send()
        .await
        .unwrap();
    let before = crate::sdk::state_of(&app).await;
    let refused = backup
        .start_copy_job()
        .recovery_point_arn(RDS_SHARED)
        .source_backup_vault_name("SourceVault")
        .destination_backup_vault_arn(DESTINATION)
        .iam_role_arn(ROLE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some("AccessDeniedException"));
    assert_eq!(
        refused.message(),
        Some(format!("User: arn:aws:iam::{SOURCE}:root is not authorized to perform: backup:StartCopyJob on resource: {RDS_SHARED} with an explicit deny in a service control policy").as_str())
    );
    assert_eq!(
        crate::sdk::state_of(&app).await,
        before,
        "a refused StartCopyJob changes nothing"
    );
    let targets = management
        .list_targets_for_policy()
        .policy_id(&id)
        .send()
        .await
        .unwrap();
    let targets: Vec<(&str, &str)> = targets
        .targets()
        .iter()
        .map(|t| (t.target_id().unwrap(), t.r#type().unwrap().as_str()))
        .collect();
    assert_eq!(targets, [(SOURCE, "ACCOUNT")]);
    let in_use = management.delete_policy().policy_id(&id).send().await.unwrap_err();
    assert_eq!(in_use.code(), Some("PolicyInUseException"));
    assert_eq!(
        in_use.message(),
        Some(
            "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation."
        )
    );
    management
        .detach_policy()
        .policy_id(&id)
        .target_id(SOURCE)
        .send()
        .await
        .unwrap();
    assert_eq!(copy_shared_snapshot(&app).await.0, "COMPLETED");
    let last = management
        .detach_policy()
        .policy_id("p-FullAWSAccess")
        .target_id(SOURCE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(last.code(), Some("ConstraintViolationException"));
    management.delete_policy().policy_id(&id).send().await.unwrap();

    // RCPs: RCPFullAWSAccess stays; an RCP keeping the source account's keys to its principals.
    management
        .enable_policy_type()
        .root_id("r-a1b2")
        .policy_type(PolicyType::ResourceControlPolicy)
        .send()
        .await
        .unwrap();
    let stays = management
        .detach_policy()
        .policy_id("p-RCPFullAWSAccess")
        .target_id("r-a1b2")
        .send()
        .await
        .unwrap_err();
    assert_eq!(stays.code(), Some("ConstraintViolationException"));
    let own_keys = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Sid": "OwnPrincipalsOnly", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:PrincipalAccount": SOURCE}, "Bool": {"aws:PrincipalIsAWSService": "false"}}}]});
    let rcp = management
        .create_policy()
        .name("own-keys")
        .description("keys for the account's own principals")
        .r#type(PolicyType::ResourceControlPolicy)
        .content(own_keys.to_string())
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .policy_summary
        .unwrap()
        .id
        .unwrap();
    management
        .attach_policy()
        .policy_id(&rcp)
        .target_id(SOURCE)
        .send()
        .await
        .unwrap();
    let (state, message) = copy_shared_snapshot(&app).await;
    assert_eq!(state, "FAILED");
    let mut world = default_world();
    world.organizations[0].resource_control_policies = Some(copylab_rules::world::ControlPolicies {
        default_detached_from: Vec::new(),
        policies: vec![copylab_rules::world::ControlPolicy {
            name: "own-keys".into(),
            description: String::new(),
            targets: vec![SOURCE.into()],
            content: copylab_rules::world::PolicyDocument(own_keys),
        }],
    });
    assert_eq!(message, engine_status_message(&world), "the engine's RCP message");
    assert_eq!(
        message.as_deref(),
        Some("KMS key is either disabled or pending deletion or access to KMS key is denied")
    );
    management
        .detach_policy()
        .policy_id(&rcp)
        .target_id(SOURCE)
        .send()
        .await
        .unwrap();
    assert_eq!(copy_shared_snapshot(&app).await.0, "COMPLETED");
}

/// Vault tags are the world's: `CreateBackupVault` keeps `BackupVaultTags` (ListTags shows them,
/// as moto's suite expects), and `TagResource` on the destination vault lets a copy through
/// AWS's tag-gated SCP example, which failed it before.
#[tokio::test]
async fn vault_tags_are_kept_and_decide_awss_tag_gated_scp() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let management = organizations(&app, MANAGEMENT);
    let destination = crate::support::client(&app, "444455556666", "us-east-1");
    let created = destination
        .create_backup_vault()
        .backup_vault_name("Tagged")
        .backup_vault_tags("team", "payments")
        .send()
        .await
        .unwrap();
    let tags = destination
        .list_tags()
        .resource_arn(created.backup_vault_arn().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().unwrap().get("team").map(String::as_str), Some("payments"));

    management
        .enable_policy_type()
        .root_id("r-a1b2")
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let gate = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"backup:CopyIntoBackupVault","Resource":"*","Condition":{"Null":{"aws:ResourceTag/DestinationBackupVault":"true"}}}]}"#;
    let id = management
        .create_policy()
        .name("copy-only-to-tagged-vaults")
        .description("AWS's example")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(gate)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .policy_summary
        .unwrap()
        .id
        .unwrap();
    management
        .attach_policy()
        .policy_id(&id)
        .target_id("r-a1b2")
        .send()
        .await
        .unwrap();
    let (state, message) = copy_shared_snapshot(&app).await;
    assert_eq!(state, "FAILED");
    assert_eq!(
        message.as_deref(),
        Some("Access Denied trying to call AWS Backup service")
    );
    destination
        .tag_resource()
        .resource_arn(crate::sdk::DESTINATION)
        .tags("DestinationBackupVault", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(copy_shared_snapshot(&app).await.0, "COMPLETED");
}

#[tokio::test]
async fn an_invalid_enum_answers_invalid_input_with_the_models_reason_for_organizations_only() {
    use aws_sdk_organizations::operation::create_account::CreateAccountError;
    use aws_sdk_organizations::operation::list_policies::ListPoliciesError;
    use aws_sdk_organizations::types::{IamUserAccessToBilling, InvalidInputExceptionReason};
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let management = organizations(&app, MANAGEMENT);
    let error = management
        .create_account()
        .email("new@example.com")
        .account_name("new")
        .iam_user_access_to_billing(IamUserAccessToBilling::from("MAYBE"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let CreateAccountError::InvalidInputException(invalid) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(invalid.reason(), Some(&InvalidInputExceptionReason::InvalidEnum));
    assert_eq!(invalid.message(), Some("You specified an invalid value."));
    // A policy type: the model's INVALID_ENUM_POLICY_TYPE.
    let error = management
        .list_policies()
        .filter(PolicyType::from("NOT_A_POLICY_TYPE"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let ListPoliciesError::InvalidInputException(invalid) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(
        invalid.reason(),
        Some(&InvalidInputExceptionReason::InvalidEnumPolicyType)
    );
    // Nothing was created.
    let accounts = management.list_accounts().send().await.unwrap();
    assert!(accounts.accounts().iter().all(|a| a.name() != Some("new")));
    // Other services keep their protocol's error for an enum: KMS's ValidationException.
    let error = crate::kms::kms(&app, SOURCE, "us-east-1")
        .create_key()
        .key_spec(aws_sdk_kms::types::KeySpec::from("NOT_A_SPEC"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_kms::error::ProvideErrorMetadata::code(&error),
        Some("ValidationException")
    );
}

#[tokio::test]
async fn arns_take_the_partition_of_the_region_the_request_was_signed_for() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    for (region, partition) in [
        ("us-east-1", "aws"),
        ("cn-north-1", "aws-cn"),
        ("cn-northwest-1", "aws-cn"),
        ("us-isob-east-1", "aws-iso-b"),
    ] {
        let config = crate::support::config(&app, MANAGEMENT, region);
        let org = aws_sdk_organizations::Client::new(&config)
            .describe_organization()
            .send()
            .await
            .unwrap()
            .organization
            .unwrap();
        let prefix = format!("arn:{partition}:organizations::{MANAGEMENT}:");
        assert!(org.arn().unwrap().starts_with(&prefix), "{region}: {org:?}");
        assert!(org.master_account_arn().unwrap().starts_with(&prefix), "{region}");
        let accounts = aws_sdk_organizations::Client::new(&config)
            .list_accounts()
            .send()
            .await
            .unwrap();
        assert!(
            accounts
                .accounts()
                .iter()
                .all(|a| a.arn().unwrap().starts_with(&prefix)),
            "{region}"
        );
        let roots = aws_sdk_organizations::Client::new(&config)
            .list_roots()
            .send()
            .await
            .unwrap();
        assert!(roots.roots()[0].arn().unwrap().starts_with(&prefix), "{region}");
        // STS and IAM take the same rule.
        let identity = aws_sdk_sts::Client::new(&config)
            .get_caller_identity()
            .send()
            .await
            .unwrap();
        assert_eq!(
            identity.arn(),
            Some(format!("arn:{partition}:iam::{MANAGEMENT}:root").as_str()),
            "{region}"
        );
        let role = aws_sdk_iam::Client::new(&config)
            .create_role()
            .role_name(format!("PartitionRole-{region}"))
            .assume_role_policy_document(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"backup.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            )
            .send()
            .await
            .unwrap()
            .role
            .unwrap();
        assert!(
            role.arn()
                .starts_with(&format!("arn:{partition}:iam::{MANAGEMENT}:role/")),
            "{region}: {}",
            role.arn()
        );
    }
}

/// A backup policy attached to the root, then one to the account that changes the schedule and
/// appends a Region: `DescribeEffectivePolicy` with `BACKUP_POLICY` shows them merged, keys
/// lower-cased and `$account` as written; an account with none gets AWS's not-found answer.
#[tokio::test]
async fn the_effective_backup_policy_merges_the_root_and_account_policies() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let management = organizations(&app, MANAGEMENT);
    let member = organizations(&app, SOURCE);
    let none = member
        .describe_effective_policy()
        .policy_type(aws_sdk_organizations::types::EffectivePolicyType::BackupPolicy)
        .send()
        .await
        .unwrap_err();
    assert_eq!(none.code(), Some("EffectivePolicyNotFoundException"));
    management
        .enable_policy_type()
        .root_id("r-a1b2")
        .policy_type(PolicyType::BackupPolicy)
        .send()
        .await
        .unwrap();
    let root = r#"{"plans":{"Nightly_Plan":{"regions":{"@@assign":["us-east-1"]},"rules":{"Nightly":{"schedule_expression":{"@@assign":"cron(0 5 ? * * *)"},"target_backup_vault_name":{"@@assign":"SourceVault"},"copy_actions":{"arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault":{"target_backup_vault_arn":{"@@assign":"arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault"}}}}},"selections":{"tags":{"nightly":{"iam_role_arn":{"@@assign":"arn:aws:iam::$account:role/service-role/AWSBackupDefaultServiceRole"},"tag_key":{"@@assign":"backup"},"tag_value":{"@@assign":["nightly"]}}}}}}}"#;
    let account = r#"{"plans":{"nightly_plan":{"regions":{"@@append":["eu-west-1"]},"rules":{"nightly":{"schedule_expression":{"@@assign":"cron(0 1 ? * * *)"}}}}}}"#;
    for (name, content, target) in [("org-nightly", root, "r-a1b2"), ("source-early", account, SOURCE)] {
        let policy = management
            .create_policy()
            .name(name)
            .description(name)
            .r#type(PolicyType::BackupPolicy)
            .content(content)
            .send()
            .await
            .unwrap()
            .policy
            .unwrap();
        management
            .attach_policy()
            .policy_id(policy.policy_summary().unwrap().id().unwrap())
            .target_id(target)
            .send()
            .await
            .unwrap();
    }
    let effective = member
        .describe_effective_policy()
        .policy_type(aws_sdk_organizations::types::EffectivePolicyType::BackupPolicy)
        .send()
        .await
        .unwrap()
        .effective_policy
        .unwrap();
    assert_eq!(effective.target_id(), Some(SOURCE));
    let content: serde_json::Value = serde_json::from_str(effective.policy_content().unwrap()).unwrap();
    let plan = &content["plans"]["nightly_plan"];
    assert_eq!(plan["regions"], serde_json::json!(["us-east-1", "eu-west-1"]));
    assert_eq!(plan["rules"]["nightly"]["schedule_expression"], "cron(0 1 ? * * *)");
    assert_eq!(plan["rules"]["nightly"]["target_backup_vault_name"], "SourceVault");
    assert_eq!(
        plan["selections"]["tags"]["nightly"]["iam_role_arn"],
        "arn:aws:iam::$account:role/service-role/AWSBackupDefaultServiceRole"
    );
    // The destination account has the root's policy only.
    let other = management
        .describe_effective_policy()
        .policy_type(aws_sdk_organizations::types::EffectivePolicyType::BackupPolicy)
        .target_id("444455556666")
        .send()
        .await
        .unwrap()
        .effective_policy
        .unwrap();
    let other: serde_json::Value = serde_json::from_str(other.policy_content().unwrap()).unwrap();
    assert_eq!(
        other["plans"]["nightly_plan"]["rules"]["nightly"]["schedule_expression"],
        "cron(0 5 ? * * *)"
    );
}

/// What `copylab collect` asks the management account: where an account is (`ListParents`, up
/// to the root) and the account itself (`DescribeAccount`), with the model's errors for an id
/// the organization does not have; members may not ask.
#[tokio::test]
async fn list_parents_and_describe_account_show_where_an_account_is() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let management = organizations(&app, MANAGEMENT);
    let parents = management.list_parents().child_id(SOURCE).send().await.unwrap();
    let parent = &parents.parents()[0];
    assert_eq!(parent.r#type().map(|t| t.as_str()), Some("ROOT"));
    assert!(parent.id().unwrap().starts_with("r-"));
    let account = management.describe_account().account_id(SOURCE).send().await.unwrap();
    assert_eq!(account.account().unwrap().id(), Some(SOURCE));
    let missing = management
        .list_parents()
        .child_id("999999999999")
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("ChildNotFoundException"));
    let missing = management
        .describe_account()
        .account_id("999999999999")
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("AccountNotFoundException"));
    let member = organizations(&app, SOURCE);
    let refused = member.list_parents().child_id(SOURCE).send().await.unwrap_err();
    assert_eq!(refused.code(), Some("AccessDeniedException"));
}
