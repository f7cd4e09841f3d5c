//! The real `aws-sdk-organizations` client against `copylab serve` (awsJson1_1): who may call what (management account, members, accounts outside), and one world with AWS Backup: removing the destination account or attaching a tag policy through Organizations fails the next copy with the engine's message, and detaching the policy lets it complete.

use aws_credential_types::Credentials;
use aws_sdk_organizations::error::ProvideErrorMetadata as _;
use aws_sdk_organizations::types::PolicyType;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use copylab_rules::world::Wording;
use copylab_server::state::Progression;

use crate::sdk::{RouterClient, copy_shared_snapshot, default_world, engine_status_message, router};

const MANAGEMENT: &str = "123456789012";
const SOURCE: &str = "111122223333";

fn organizations(app: &axum::Router, account: &str) -> aws_sdk_organizations::Client {
    let config = aws_sdk_organizations::Config::builder()
        .behavior_version(aws_sdk_organizations::config::BehaviorVersion::latest())
        .region(aws_sdk_organizations::config::Region::new("us-east-1"))
        .credentials_provider(Credentials::new(account, "any", None, None, "copylab-tests"))
        .http_client(SharedHttpClient::new(RouterClient(app.clone())))
        .endpoint_url("http://copylab.test")
        .build();
    aws_sdk_organizations::Client::from_conf(config)
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
    let content = r#"{"tags":{"team":{"tag_key":{"@@assign":"team"},"tag_value":{"@@assign":["platform"]},"enforced_for":{"@@assign":["backup:recovery-point"]}}}}"#;
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
