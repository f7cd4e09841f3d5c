//! The real `aws-sdk-sts` client against `copylab serve` (query protocol, XML): `GetCallerIdentity` for account keys, users and role sessions, and `AssumeRole` whose session credentials (secret and session token, verified) then act as the role's session on AWS Backup and KMS; trust policies decide who may assume a role.

use aws_credential_types::Credentials;
use aws_sdk_sts::error::ProvideErrorMetadata as _;
use copylab_rules::world::Wording;
use copylab_server::state::Progression;

use crate::support::{default_world, router, secret_for};

fn credentials(key: &str, secret: &str, token: Option<&str>) -> Credentials {
    Credentials::new(key, secret, token.map(str::to_owned), None, "copylab-tests")
}

fn sts(app: &axum::Router, credentials: Credentials) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::new(&crate::support::sdk_config(app, credentials, "us-east-1"))
}

fn backup(app: &axum::Router, credentials: Credentials) -> aws_sdk_backup::Client {
    aws_sdk_backup::Client::new(&crate::support::sdk_config(app, credentials, "us-east-1"))
}

const OPERATOR_ROLE: &str = "arn:aws:iam::111122223333:role/BackupOperatorRole";

#[tokio::test]
async fn get_caller_identity_names_the_account_root_a_user_and_a_role_session() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let root = sts(&app, credentials("111122223333", "any", None))
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(root.arn(), Some("arn:aws:iam::111122223333:root"));
    assert_eq!(
        (root.account(), root.user_id()),
        (Some("111122223333"), Some("111122223333"))
    );
    let key = "AKIAIOSFODNN7EXAMPLE";
    let user = sts(&app, credentials(key, &secret_for(key), None))
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(user.arn(), Some("arn:aws:iam::111122223333:user/backup-operator"));
    assert!(user.user_id().unwrap().starts_with("AIDA"), "{:?}", user.user_id());
    // A wrong secret: the query protocol's SignatureDoesNotMatch, 403.
    let error = sts(&app, credentials(key, "wrong", None))
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("SignatureDoesNotMatch"));
    assert_eq!(error.raw_response().unwrap().status().as_u16(), 403);
    // An unknown key: InvalidClientTokenId, 403, in the XML error shape.
    let error = sts(&app, credentials("AKIANOTLISTEDEXAMPLE", "x", None))
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("InvalidClientTokenId"));
    assert_eq!(
        error.message(),
        Some("The security token included in the request is invalid")
    );
}

/// `AssumedRoleId` (and the session's `GetCallerIdentity` `UserId`) "contains the role ID and
/// the role session name" (the model): the `RoleId` IAM gives the role, also for a role created
/// through the API, whose id is drawn anew.
#[tokio::test]
async fn an_assumed_role_id_is_the_roles_id_and_the_session_name() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let iam = aws_sdk_iam::Client::new(&crate::support::config(&app, "111122223333", "us-east-1"));
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}"#;
    let created = iam
        .create_role()
        .role_name("Drill")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    let role = created.role().unwrap();
    let operator = sts(&app, credentials("111122223333", "any", None));
    let assumed = operator
        .assume_role()
        .role_arn(role.arn())
        .role_session_name("restore-drill")
        .send()
        .await
        .unwrap();
    let user = assumed.assumed_role_user().unwrap();
    assert_eq!(user.assumed_role_id(), format!("{}:restore-drill", role.role_id()));
    let session = assumed.credentials().unwrap();
    let identity = sts(
        &app,
        credentials(
            session.access_key_id(),
            session.secret_access_key(),
            Some(session.session_token()),
        ),
    )
    .get_caller_identity()
    .send()
    .await
    .unwrap();
    assert_eq!(identity.user_id(), Some(user.assumed_role_id()));
}

#[tokio::test]
async fn assume_role_sessions_act_as_the_role_and_trust_policies_decide_who_may_assume() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let operator = sts(&app, credentials("111122223333", "any", None));
    let assumed = operator
        .assume_role()
        .role_arn(OPERATOR_ROLE)
        .role_session_name("nightly-copy")
        .send()
        .await
        .unwrap();
    let user = assumed.assumed_role_user().unwrap();
    assert_eq!(
        user.arn(),
        "arn:aws:sts::111122223333:assumed-role/BackupOperatorRole/nightly-copy"
    );
    assert!(user.assumed_role_id().ends_with(":nightly-copy"));
    let session = assumed.credentials().unwrap();
    assert!(session.access_key_id().starts_with("ASIA"));
    let as_session = credentials(
        session.access_key_id(),
        session.secret_access_key(),
        Some(session.session_token()),
    );
    // The session is who STS says, and acts as the role's account on AWS Backup.
    let identity = sts(&app, as_session.clone())
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(identity.arn(), Some(user.arn()));
    let vaults = backup(&app, as_session).list_backup_vaults().send().await.unwrap();
    assert!(
        vaults
            .backup_vault_list()
            .iter()
            .any(|v| v.backup_vault_name() == Some("SourceVault")),
        "the session sees the source account's vaults"
    );
    // Without its session token the key is refused.
    let error = backup(
        &app,
        credentials(session.access_key_id(), session.secret_access_key(), None),
    )
    .list_backup_vaults()
    .send()
    .await
    .unwrap_err();
    assert_eq!(error.code(), Some("UnrecognizedClientException"));
    // The copy role trusts only backup.amazonaws.com, and a role that does not exist is denied alike.
    for role in [
        "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole",
        "arn:aws:iam::111122223333:role/NoSuchRole",
    ] {
        let error = operator
            .assume_role()
            .role_arn(role)
            .role_session_name("s1")
            .send()
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some("AccessDenied"), "{role}");
        assert_eq!(
            error.message().map(str::to_owned),
            Some(format!(
                "User: arn:aws:iam::111122223333:root is not authorized to perform: sts:AssumeRole on resource: {role}"
            ))
        );
    }
    // Another account's principal is not trusted by BackupOperatorRole.
    let error = sts(&app, credentials("444455556666", "any", None))
        .assume_role()
        .role_arn(OPERATOR_ROLE)
        .role_session_name("s1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("AccessDenied"));
}
