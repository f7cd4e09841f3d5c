//! The real `aws-sdk-iam` client against `copylab serve` (query protocol, XML): roles, trust policies, inline and managed policies with AWS's errors; one world with AWS Backup (a role's policies, trust or existence changed through IAM decide the next copy job); and expired session credentials on every protocol.

use aws_credential_types::Credentials;
use aws_sdk_iam::error::ProvideErrorMetadata as _;
use copylab_rules::world::{AccessKey, Wording};
use copylab_server::state::Progression;

use crate::sdk::copy_shared_snapshot;
use crate::support::{default_world, router};

const ROLE_NAME: &str = "AWSBackupDefaultServiceRole";
const ROLE: &str = "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole";
const BACKUP_POLICY: &str = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup";
const ACCESS_DENIED: &str = "Access Denied trying to call AWS Backup service";

/// An IAM client for `access_key` (its secret from the default world, when it has one).
fn iam_with(app: &axum::Router, credentials: Credentials) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&crate::support::sdk_config(app, credentials, "us-east-1"))
}

fn iam(app: &axum::Router, access_key: &str) -> aws_sdk_iam::Client {
    let secret = crate::support::secret_for(access_key);
    iam_with(app, Credentials::new(access_key, secret, None, None, "copylab-tests"))
}

/// Decodes a URL-encoded policy document as IAM returns it.
fn decode(document: &str) -> serde_json::Value {
    let text = copylab_server::wire::model::percent_decode(document).expect("percent-encoded");
    serde_json::from_str(&text).expect("JSON")
}

fn trust(service: &str) -> String {
    serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}).to_string()
}

#[tokio::test]
async fn iam_roles_show_path_id_encoded_trust_policy_and_policies_and_list_by_account() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let source = iam(&app, "AKIAIOSFODNN7EXAMPLE");
    let role = source
        .get_role()
        .role_name(ROLE_NAME)
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    assert_eq!(role.arn(), ROLE);
    assert_eq!(role.path(), "/service-role/");
    assert!(
        role.role_id().starts_with("AROA") && role.role_id().len() == 21,
        "{}",
        role.role_id()
    );
    assert_eq!(role.max_session_duration(), Some(3600));
    // The world gives no trust policy: the one AWS Backup may assume, URL-encoded as IAM sends it.
    assert_eq!(
        decode(role.assume_role_policy_document().unwrap()),
        copylab_rules::policies::default_trust_policy()
    );
    // Names are case-insensitive in an account.
    let same = source
        .get_role()
        .role_name("awsbackupdefaultservicerole")
        .send()
        .await
        .unwrap();
    assert_eq!(same.role.unwrap().arn(), ROLE);
    // The role id is the one AssumeRole sessions of the role carry (stable per ARN).
    let again = source
        .get_role()
        .role_name(ROLE_NAME)
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    assert_eq!(again.role_id(), role.role_id());
    let attached = source
        .list_attached_role_policies()
        .role_name(ROLE_NAME)
        .send()
        .await
        .unwrap();
    let arns: Vec<_> = attached
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn())
        .collect();
    assert_eq!(arns, [BACKUP_POLICY]);
    assert_eq!(
        attached.attached_policies()[0].policy_name(),
        Some("AWSBackupServiceRolePolicyForBackup")
    );
    // The source account lists its two roles; the destination account none of them.
    let names: Vec<String> = source
        .list_roles()
        .into_paginator()
        .page_size(1)
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap()
        .iter()
        .map(|r| r.role_name().to_owned())
        .collect();
    assert_eq!(names, [ROLE_NAME, "BackupOperatorRole"]);
    let destination = iam(&app, "AKIAI44QH8DHBEXAMPLE");
    assert!(destination.list_roles().send().await.unwrap().roles().is_empty());
    let error = destination.get_role().role_name(ROLE_NAME).send().await.unwrap_err();
    assert_eq!(error.code(), Some("NoSuchEntity"));
    assert_eq!(
        error.message(),
        Some("The role with name AWSBackupDefaultServiceRole cannot be found.")
    );
    assert_eq!(error.raw_response().unwrap().status().as_u16(), 404);
}

#[tokio::test]
async fn iam_create_put_attach_detach_and_delete_a_role_with_aws_errors_on_the_way() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let client = iam(&app, "111122223333");
    let created = client
        .create_role()
        .role_name("CopyRole")
        .path("/service-role/")
        .description("copies to the vault account")
        .assume_role_policy_document(trust("backup.amazonaws.com"))
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("team")
                .value("backup")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    assert_eq!(created.arn(), "arn:aws:iam::111122223333:role/service-role/CopyRole");
    assert_eq!(created.description(), Some("copies to the vault account"));
    assert_eq!(created.tags().len(), 1);
    let error = client
        .create_role()
        .role_name("copyrole")
        .assume_role_policy_document(trust("backup.amazonaws.com"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("EntityAlreadyExists"));
    assert_eq!(error.message(), Some("Role with name copyrole already exists."));
    assert_eq!(error.raw_response().unwrap().status().as_u16(), 409);

    // Inline policies: put, list, get (URL-encoded), replace, and a missing one.
    let allow = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "backup:CopyIntoBackupVault", "Resource": "*"}]});
    client
        .put_role_policy()
        .role_name("CopyRole")
        .policy_name("Copy")
        .policy_document(allow.to_string())
        .send()
        .await
        .unwrap();
    let names = client.list_role_policies().role_name("CopyRole").send().await.unwrap();
    assert_eq!(names.policy_names(), ["Copy"]);
    let got = client
        .get_role_policy()
        .role_name("CopyRole")
        .policy_name("Copy")
        .send()
        .await
        .unwrap();
    assert_eq!(decode(got.policy_document()), allow);
    // The same name replaces the document.
    let narrower = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "backup:CopyIntoBackupVault", "Resource": "arn:aws:backup:*:444455556666:backup-vault:*"}]});
    client
        .put_role_policy()
        .role_name("CopyRole")
        .policy_name("Copy")
        .policy_document(narrower.to_string())
        .send()
        .await
        .unwrap();
    let got = client
        .get_role_policy()
        .role_name("CopyRole")
        .policy_name("Copy")
        .send()
        .await
        .unwrap();
    assert_eq!(decode(got.policy_document()), narrower);
    let names = client.list_role_policies().role_name("CopyRole").send().await.unwrap();
    assert_eq!(names.policy_names(), ["Copy"]);
    let error = client
        .get_role_policy()
        .role_name("CopyRole")
        .policy_name("Nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("NoSuchEntity"));
    assert_eq!(error.message(), Some("The role policy with name Nope cannot be found."));

    // Managed policies: AWS's Backup policy attaches; unknown or service-linked ones do not.
    client
        .attach_role_policy()
        .role_name("CopyRole")
        .policy_arn(BACKUP_POLICY)
        .send()
        .await
        .unwrap();
    let unknown = "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForBackup";
    let error = client
        .attach_role_policy()
        .role_name("CopyRole")
        .policy_arn(unknown)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("NoSuchEntity"));
    assert_eq!(
        error.message(),
        Some("Policy arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForBackup does not exist or is not attachable.")
    );
    let error = client
        .attach_role_policy()
        .role_name("CopyRole")
        .policy_arn("arn:aws:iam::aws:policy/aws-service-role/AWSBackupServiceLinkedRolePolicyForBackup")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("PolicyNotAttachable"));
    assert_eq!(
        error.message(),
        Some("Cannot attach a Service Role Policy to a Customer Role.")
    );
    let error = client
        .detach_role_policy()
        .role_name("CopyRole")
        .policy_arn("longpolicynamebutnoarn")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.message(), Some("ARN longpolicynamebutnoarn is not valid."));

    // DeleteRole refuses while policies are attached, then inline policies remain.
    let error = client.delete_role().role_name("CopyRole").send().await.unwrap_err();
    assert_eq!(error.code(), Some("DeleteConflict"));
    assert_eq!(
        error.message(),
        Some("Cannot delete entity, must detach all policies first.")
    );
    client
        .detach_role_policy()
        .role_name("CopyRole")
        .policy_arn(BACKUP_POLICY)
        .send()
        .await
        .unwrap();
    let error = client
        .detach_role_policy()
        .role_name("CopyRole")
        .policy_arn(BACKUP_POLICY)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error.message(),
        Some(format!("Policy {BACKUP_POLICY} was not found.").as_str())
    );
    let error = client.delete_role().role_name("CopyRole").send().await.unwrap_err();
    assert_eq!(
        error.message(),
        Some("Cannot delete entity, must delete policies first.")
    );
    client
        .delete_role_policy()
        .role_name("CopyRole")
        .policy_name("Copy")
        .send()
        .await
        .unwrap();
    client.delete_role().role_name("CopyRole").send().await.unwrap();
    let error = client.get_role().role_name("CopyRole").send().await.unwrap_err();
    assert_eq!(error.message(), Some("The role with name CopyRole cannot be found."));
}

#[tokio::test]
async fn iam_refuses_malformed_documents_with_aws_messages() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let client = iam(&app, "111122223333");
    let with_resource = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"backup.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}"#;
    let not_sts = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"backup.amazonaws.com"},"Action":"s3:GetObject"}]}"#;
    for (document, message) in [
        ("{not json", "This policy contains invalid Json"),
        (with_resource, "Has prohibited field Resource"),
        (not_sts, "AssumeRole policy may only specify STS AssumeRole actions."),
    ] {
        let error = client
            .create_role()
            .role_name("Bad")
            .assume_role_policy_document(document)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some("MalformedPolicyDocument"), "{document}");
        assert_eq!(error.message(), Some(message), "{document}");
        assert_eq!(error.raw_response().unwrap().status().as_u16(), 400);
    }
    let no_resource = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"backup:*"}]}"#;
    let error = client
        .put_role_policy()
        .role_name(ROLE_NAME)
        .policy_name("P")
        .policy_document(no_resource)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.message(), Some("Policy statement must contain resources."));
    // A document the policy engine refuses (an unknown Effect): the engine's reason, labelled.
    let bad_effect = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"backup:*","Resource":"*"}]}"#;
    let error = client
        .put_role_policy()
        .role_name(ROLE_NAME)
        .policy_name("P")
        .policy_document(bad_effect)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("MalformedPolicyDocument"));
    // Provenance travels beside the message, never inside it.
    assert!(!error.message().unwrap().contains("(modeled"), "{error:?}");
    assert_eq!(
        error.raw_response().unwrap().headers().get("x-copylab-provenance"),
        Some("modeled")
    );
    // Names and paths IAM would refuse never reach the world.
    for (name, path) in [("a/b", "/"), ("Good", "x/"), ("Good", "/a"), ("", "/")] {
        let error = client
            .create_role()
            .role_name(name)
            .path(path)
            .assume_role_policy_document(trust("backup.amazonaws.com"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some("ValidationError"), "{name} {path}");
    }
    // Nothing was stored or created.
    let error = client.get_role().role_name("Bad").send().await.unwrap_err();
    assert_eq!(error.code(), Some("NoSuchEntity"));
    let names = client.list_role_policies().role_name(ROLE_NAME).send().await.unwrap();
    assert!(names.policy_names().is_empty());
}

#[tokio::test]
async fn iam_changes_to_the_copy_role_decide_the_next_copy_job() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let client = iam(&app, "AKIAIOSFODNN7EXAMPLE");
    assert_eq!(copy_shared_snapshot(&app).await.0, "COMPLETED");

    // An inline Deny on CopyIntoBackupVault: the copy fails as AWS shows it; deleting it repairs.
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"backup:CopyIntoBackupVault","Resource":"*"}]}"#;
    client
        .put_role_policy()
        .role_name(ROLE_NAME)
        .policy_name("NoCopies")
        .policy_document(deny)
        .send()
        .await
        .unwrap();
    assert_eq!(
        copy_shared_snapshot(&app).await,
        ("FAILED".to_owned(), Some(ACCESS_DENIED.to_owned()))
    );
    client
        .delete_role_policy()
        .role_name(ROLE_NAME)
        .policy_name("NoCopies")
        .send()
        .await
        .unwrap();
    assert_eq!(copy_shared_snapshot(&app).await.0, "COMPLETED");

    // A trust policy AWS Backup is not in: the role cannot be assumed.
    let cannot_assume = format!("IAM Role {ROLE} cannot be assumed by AWS Backup.");
    client
        .update_assume_role_policy()
        .role_name(ROLE_NAME)
        .policy_document(trust("ec2.amazonaws.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        copy_shared_snapshot(&app).await,
        ("FAILED".to_owned(), Some(cannot_assume.clone()))
    );
    client
        .update_assume_role_policy()
        .role_name(ROLE_NAME)
        .policy_document(trust("backup.amazonaws.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(copy_shared_snapshot(&app).await.0, "COMPLETED");

    // Without AWS's managed policy nothing allows the copy.
    client
        .detach_role_policy()
        .role_name(ROLE_NAME)
        .policy_arn(BACKUP_POLICY)
        .send()
        .await
        .unwrap();
    assert_eq!(
        copy_shared_snapshot(&app).await,
        ("FAILED".to_owned(), Some(ACCESS_DENIED.to_owned()))
    );

    // A deleted role cannot be assumed; created again as AWS's documentation says, it copies.
    client.delete_role().role_name(ROLE_NAME).send().await.unwrap();
    assert_eq!(
        copy_shared_snapshot(&app).await,
        ("FAILED".to_owned(), Some(cannot_assume))
    );
    client
        .create_role()
        .role_name(ROLE_NAME)
        .path("/service-role/")
        .assume_role_policy_document(trust("backup.amazonaws.com"))
        .send()
        .await
        .unwrap();
    client
        .attach_role_policy()
        .role_name(ROLE_NAME)
        .policy_arn(BACKUP_POLICY)
        .send()
        .await
        .unwrap();
    assert_eq!(copy_shared_snapshot(&app).await.0, "COMPLETED");
}

#[tokio::test]
async fn a_permissions_boundary_set_through_iam_is_shown_and_limits_the_copy_role() {
    use aws_sdk_iam::types::PermissionsBoundaryAttachmentType;
    const RESTORES: &str = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores";
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let client = iam(&app, "AKIAIOSFODNN7EXAMPLE");
    assert_eq!(copy_shared_snapshot(&app).await.0, "COMPLETED");
    // A boundary that allows no copy: the copy role's own policies still do, the copy fails.
    client
        .put_role_permissions_boundary()
        .role_name(ROLE_NAME)
        .permissions_boundary(RESTORES)
        .send()
        .await
        .unwrap();
    let role = client
        .get_role()
        .role_name(ROLE_NAME)
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    let boundary = role.permissions_boundary().unwrap();
    assert_eq!(boundary.permissions_boundary_arn(), Some(RESTORES));
    assert_eq!(
        boundary.permissions_boundary_type(),
        Some(&PermissionsBoundaryAttachmentType::Policy)
    );
    assert_eq!(
        copy_shared_snapshot(&app).await,
        ("FAILED".to_owned(), Some(ACCESS_DENIED.to_owned()))
    );
    // A boundary that allows the copy: it completes.
    client
        .put_role_permissions_boundary()
        .role_name(ROLE_NAME)
        .permissions_boundary(BACKUP_POLICY)
        .send()
        .await
        .unwrap();
    assert_eq!(copy_shared_snapshot(&app).await.0, "COMPLETED");
    // Without a boundary, as before.
    client
        .put_role_permissions_boundary()
        .role_name(ROLE_NAME)
        .permissions_boundary(RESTORES)
        .send()
        .await
        .unwrap();
    client
        .delete_role_permissions_boundary()
        .role_name(ROLE_NAME)
        .send()
        .await
        .unwrap();
    let role = client
        .get_role()
        .role_name(ROLE_NAME)
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    assert!(role.permissions_boundary().is_none());
    assert_eq!(copy_shared_snapshot(&app).await.0, "COMPLETED");
    // CreateRole keeps one; a policy copylab does not know is refused, and no role is made.
    let error = client
        .create_role()
        .role_name("Bounded")
        .assume_role_policy_document(trust("backup.amazonaws.com"))
        .permissions_boundary("arn:aws:iam::111122223333:policy/NoSuchPolicy")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("NoSuchEntity"));
    assert!(client.get_role().role_name("Bounded").send().await.is_err());
    let created = client
        .create_role()
        .role_name("Bounded")
        .assume_role_policy_document(trust("backup.amazonaws.com"))
        .permissions_boundary(RESTORES)
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    assert_eq!(
        created
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn()),
        Some(RESTORES)
    );
}

#[tokio::test]
async fn expired_session_credentials_answer_each_protocols_expired_token_error() {
    let mut world = default_world();
    let (key, secret, token) = ("ASIAEXPIREDEXAMPLE01", "expired-secret", "expired-token");
    world.credentials.push(AccessKey {
        access_key_id: key.to_owned(),
        principal: "arn:aws:sts::111122223333:assumed-role/BackupOperatorRole/old".to_owned(),
        secret_access_key: Some(secret.to_owned()),
        session_token: Some(token.to_owned()),
        expiration: Some("2020-01-01T00:00:00Z".to_owned()),
    });
    let app = router(world, 1, None, Wording::Current, Progression::Instant);
    let credentials = Credentials::new(key, secret, Some(token.to_owned()), None, "copylab-tests");
    let message = "The security token included in the request is expired";

    let error = iam_with(&app, credentials.clone())
        .list_roles()
        .send()
        .await
        .unwrap_err();
    assert_eq!((error.code(), error.message()), (Some("ExpiredToken"), Some(message)));
    assert_eq!(error.raw_response().unwrap().status().as_u16(), 403);

    let kms = aws_sdk_kms::Client::new(&crate::support::sdk_config(&app, credentials.clone(), "us-east-1"));
    let error = kms.list_keys().send().await.unwrap_err();
    assert_eq!(
        (
            aws_sdk_kms::error::ProvideErrorMetadata::code(&error),
            aws_sdk_kms::error::ProvideErrorMetadata::message(&error)
        ),
        (Some("ExpiredTokenException"), Some(message))
    );
    assert_eq!(error.raw_response().unwrap().status().as_u16(), 400);

    let backup = aws_sdk_backup::Client::new(&crate::support::sdk_config(&app, credentials.clone(), "us-east-1"));
    let error = backup.list_backup_vaults().send().await.unwrap_err();
    assert_eq!(
        aws_sdk_backup::error::ProvideErrorMetadata::code(&error),
        Some("ExpiredTokenException")
    );
    assert_eq!(error.raw_response().unwrap().status().as_u16(), 403);

    // A session STS just issued carries its Expiration in the world, an hour ahead.
    let sts = aws_sdk_sts::Client::new(&crate::support::config(&app, "111122223333", "us-east-1"));
    let issued = sts
        .assume_role()
        .role_arn("arn:aws:iam::111122223333:role/BackupOperatorRole")
        .role_session_name("fresh")
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    let expiration = issued.expiration().secs();
    // The one clock: in-process it is frozen at the start of the model date.
    let now = copylab_server::clock::date_seconds(copylab_rules::MODEL_DATE).unwrap() as i64;
    assert_eq!(expiration, now + 3600, "{expiration} vs {now}");
    let fresh = Credentials::new(
        issued.access_key_id(),
        issued.secret_access_key(),
        Some(issued.session_token().to_owned()),
        None,
        "copylab-tests",
    );
    assert!(iam_with(&app, fresh).list_roles().send().await.is_ok());
    // The world's own expired key is not forgotten by AssumeRole's clean-up: still expired.
    let error = iam_with(&app, credentials).list_roles().send().await.unwrap_err();
    assert_eq!(error.code(), Some("ExpiredToken"));
    // A session may not outlast the role's MaxSessionDuration.
    let error = sts
        .assume_role()
        .role_arn("arn:aws:iam::111122223333:role/BackupOperatorRole")
        .role_session_name("long")
        .duration_seconds(7200)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_sts::error::ProvideErrorMetadata::code(&error),
        Some("ValidationError")
    );
}

#[tokio::test]
async fn service_linked_roles_and_bad_markers_are_refused_and_change_nothing_and_path_prefixes_filter() {
    let mut world = default_world();
    world.roles.push(copylab_rules::world::Role {
        arn: "arn:aws:iam::111122223333:role/aws-service-role/backup.amazonaws.com/AWSServiceRoleForBackup".to_owned(),
        trust_policy: None,
        policies: Vec::new(),
        managed_policies: vec![
            "arn:aws:iam::aws:policy/aws-service-role/AWSBackupServiceLinkedRolePolicyForBackup".to_owned(),
        ],
        permissions_boundary: None,
    });
    let app = router(world, 1, None, Wording::Current, Progression::Instant);
    let client = iam(&app, "111122223333");
    let before = crate::sdk::state_of(&app).await;
    let error = client
        .delete_role()
        .role_name("AWSServiceRoleForBackup")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("UnmodifiableEntity"));
    assert!(!error.message().unwrap().contains("(modeled"));
    assert_eq!(
        error.raw_response().unwrap().headers().get("x-copylab-provenance"),
        Some("modeled")
    );
    let error = client.list_roles().marker("not-a-marker").send().await.unwrap_err();
    assert_eq!(error.code(), Some("InvalidInput"));
    assert_eq!(crate::sdk::state_of(&app).await, before);
    // PathPrefix filters.
    let listed = client
        .list_roles()
        .path_prefix("/aws-service-role/")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.roles().len(), 1);
}

/// "If you delete a copy job role during a cross-account copy, AWS Backup can't unshare
/// snapshots from the source account when the copy job completes ... the copy job status shows
/// as Failed to unshare snapshot" (create-cross-account-backup): under `polls:2`, the copy role
/// deleted through IAM while a cross-account copy of an RDS snapshot runs ends the job FAILED
/// with that status, the copy's data kept in the destination vault; the same copy with the role
/// in place completes, and a copy started after the deletion fails as the engine decides.
#[tokio::test]
async fn deleting_the_copy_role_during_a_cross_account_copy_fails_it_to_unshare_the_snapshot() {
    use crate::sdk::{DESTINATION, RDS_SHARED};
    let app = router(default_world(), 1, None, Wording::Current, Progression::Polls(2));
    let backup = crate::support::client(&app, "111122223333", "us-east-1");
    async fn start(backup: &aws_sdk_backup::Client) -> String {
        backup
            .start_copy_job()
            .recovery_point_arn(RDS_SHARED)
            .source_backup_vault_name("SourceVault")
            .destination_backup_vault_arn(DESTINATION)
            .iam_role_arn(ROLE)
            .send()
            .await
            .unwrap()
            .copy_job_id
            .unwrap()
    }
    async fn end(backup: &aws_sdk_backup::Client, id: &str) -> (String, Option<String>, Option<String>) {
        loop {
            let job = backup
                .describe_copy_job()
                .copy_job_id(id)
                .send()
                .await
                .unwrap()
                .copy_job
                .unwrap();
            let state = job.state().unwrap().as_str().to_owned();
            if state != "CREATED" && state != "RUNNING" {
                return (state, job.status_message, job.destination_recovery_point_arn);
            }
        }
    }
    let kept = start(&backup).await;
    assert_eq!(end(&backup, &kept).await.0, "COMPLETED");

    let running = start(&backup).await;
    // Polled until it runs (CREATED, then RUNNING); the role goes before it ends.
    let mut state = String::new();
    for _ in 0..4 {
        let job = backup
            .describe_copy_job()
            .copy_job_id(&running)
            .send()
            .await
            .unwrap()
            .copy_job
            .unwrap();
        state = job.state().unwrap().as_str().to_owned();
        if state == "RUNNING" {
            break;
        }
    }
    assert_eq!(state, "RUNNING");
    let client = iam(&app, "111122223333");
    client
        .detach_role_policy()
        .role_name(ROLE_NAME)
        .policy_arn(BACKUP_POLICY)
        .send()
        .await
        .unwrap();
    client.delete_role().role_name(ROLE_NAME).send().await.unwrap();
    let (state, message, copied) = end(&backup, &running).await;
    assert_eq!(state, "FAILED");
    assert_eq!(message.as_deref(), Some("Failed to unshare snapshot"));
    assert!(copied.is_some(), "the copy's data arrived before the unshare failed");
    // Its end's event says so too (its start's events showed the outcome it started with).
    let (_, events) = crate::sdk::control_get(&app, "/_copylab/events?detail-type=Copy+Job+State+Change").await;
    let ended: Vec<&serde_json::Value> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["detail"]["copyJobId"] == running.as_str() && e["detail"]["state"] == "FAILED")
        .collect();
    assert_eq!(ended.len(), 1, "{events:#}");
    assert_eq!(ended[0]["detail"]["statusMessage"], "Failed to unshare snapshot");
    let after = start(&backup).await;
    let (state, message, _) = end(&backup, &after).await;
    assert_eq!(state, "FAILED");
    assert_eq!(
        message.as_deref(),
        Some(
            "IAM Role arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole cannot be assumed by AWS Backup."
        )
    );
}

/// An AWS managed policy copylab vendors reads back through `GetPolicy` and
/// `GetPolicyVersion` (its default version, URL-encoded as IAM sends documents); another is
/// `NoSuchEntity`.
#[tokio::test]
async fn get_policy_and_its_default_version_read_aws_managed_backup_policies() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let client = iam(&app, "AKIAIOSFODNN7EXAMPLE");
    let policy = client.get_policy().policy_arn(BACKUP_POLICY).send().await.unwrap();
    let policy = policy.policy().unwrap();
    assert_eq!(policy.policy_name(), Some("AWSBackupServiceRolePolicyForBackup"));
    assert_eq!(policy.path(), Some("/service-role/"));
    let version = policy.default_version_id().unwrap().to_owned();
    let got = client
        .get_policy_version()
        .policy_arn(BACKUP_POLICY)
        .version_id(&version)
        .send()
        .await
        .unwrap();
    let document = decode(got.policy_version().unwrap().document().unwrap());
    assert!(document["Statement"].as_array().is_some_and(|s| !s.is_empty()));
    let missing = client
        .get_policy()
        .policy_arn("arn:aws:iam::aws:policy/SecurityAudit")
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("NoSuchEntity"));
}

/// The copy role's answer to `backup:CopyFromBackupVault` is remembered for a role and vault only
/// where no statement for that action names a recovery point: a role denying it on some recovery
/// points decides each copy by its own, whichever was decided first on the kept index.
#[test]
fn a_role_denying_copies_of_some_recovery_points_decides_each_by_its_own() {
    use crate::sdk::{DESTINATION, RDS_SHARED, ROLE};
    let mut world = default_world();
    let mut secret = world
        .recovery_points
        .iter()
        .find(|rp| rp.arn == RDS_SHARED)
        .unwrap()
        .clone();
    secret.arn = "arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-secret-0001".to_owned();
    world.recovery_points.push(secret.clone());
    let role = world.roles.iter_mut().find(|r| r.arn == ROLE).unwrap();
    role.policies.push(copylab_rules::world::InlinePolicy {
        name: "NoSecretCopies".to_owned(),
        document: copylab_rules::world::PolicyDocument(serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": "backup:CopyFromBackupVault",
                           "Resource": "arn:aws:rds:*:*:snapshot:awsbackup:job-secret-*"}]
        })),
    });
    for order in [[RDS_SHARED, secret.arn.as_str()], [secret.arn.as_str(), RDS_SHARED]] {
        let mut state =
            copylab_server::state::ServerState::new(world.clone(), 1, None, Wording::Current, Progression::Instant);
        let states: Vec<(String, Option<copylab_rules::world::CopyJobState>)> = order
            .iter()
            .map(|arn| {
                let request = copylab_rules::StartCopyJob {
                    account: "111122223333".to_owned(),
                    caller: None,
                    region: "us-east-1".to_owned(),
                    recovery_point_arn: Some((*arn).to_owned()),
                    source_backup_vault_name: Some("SourceVault".to_owned()),
                    destination_backup_vault_arn: Some(DESTINATION.to_owned()),
                    iam_role_arn: Some(ROLE.to_owned()),
                    lifecycle: None,
                };
                ((*arn).to_owned(), state.simulate(&request).unwrap().outcome.state())
            })
            .collect();
        for (arn, state) in states {
            let expected = if arn == RDS_SHARED {
                copylab_rules::world::CopyJobState::Completed
            } else {
                copylab_rules::world::CopyJobState::Failed
            };
            assert_eq!(state, Some(expected), "{arn}, in the order {order:?}");
        }
    }
}
