//! The real `aws-sdk-kms` client against `copylab serve` (awsJson1_1, in-process): keys found by id, ARN, alias and alias ARN, AWS managed keys, key policies checked by the policy engine (malformed, lockout, cross-account), and one world with AWS Backup: a key policy or key state changed through KMS decides the next copy job.

use aws_sdk_kms::error::ProvideErrorMetadata;
use copylab_rules::world::Wording;
use copylab_server::state::Progression;

use crate::sdk::{copy_shared_snapshot, engine_status_message};
use crate::support::{OWN_ONLY_KEY_POLICY, SHARED_KEY, default_world, drop_destination_from_shared_key, router};

const UNSHARED_KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f";

/// A KMS client signing with `access_key` in `region`.
pub(crate) fn kms(app: &axum::Router, access_key: &str, region: &str) -> aws_sdk_kms::Client {
    aws_sdk_kms::Client::new(&crate::support::config(app, access_key, region))
}

#[tokio::test]
async fn kms_finds_keys_by_id_arn_alias_and_alias_arn_and_aws_managed_keys_exist_everywhere() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let source = kms(&app, "111122223333", "us-east-1");
    for reference in [
        SHARED_KEY,
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "alias/shared-with-destination",
        "arn:aws:kms:us-east-1:111122223333:alias/shared-with-destination",
    ] {
        let key = source
            .describe_key()
            .key_id(reference)
            .send()
            .await
            .unwrap()
            .key_metadata
            .unwrap();
        assert_eq!(key.arn(), Some(SHARED_KEY), "{reference}");
        assert_eq!(key.key_manager().map(|m| m.as_str()), Some("CUSTOMER"));
    }
    let ebs = source
        .describe_key()
        .key_id("alias/aws/ebs")
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert_eq!(ebs.key_manager().map(|m| m.as_str()), Some("AWS"));
    assert_eq!(ebs.aws_account_id(), Some("111122223333"));
    // The same key by its id, and a different one in another Region.
    let again = source
        .describe_key()
        .key_id(ebs.key_id())
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert_eq!(again.arn(), ebs.arn());
    let west = kms(&app, "111122223333", "us-west-2");
    let west_ebs = west
        .describe_key()
        .key_id("alias/aws/ebs")
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert_ne!(west_ebs.key_id(), ebs.key_id());
    let aliases = source.list_aliases().send().await.unwrap();
    let names: Vec<&str> = aliases.aliases().iter().filter_map(|a| a.alias_name()).collect();
    assert!(
        names.contains(&"alias/aws/ebs") && names.contains(&"alias/shared-with-destination"),
        "{names:?}"
    );
    // An AWS managed key's policy cannot be changed.
    let error = source
        .put_key_policy()
        .key_id(ebs.key_id())
        .policy("{}")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("AccessDeniedException"));
    // Missing keys and aliases: AWS's NotFoundException messages.
    let error = source.describe_key().key_id("alias/nope").send().await.unwrap_err();
    assert_eq!(error.code(), Some("NotFoundException"));
    assert_eq!(
        error.message(),
        Some("Alias arn:aws:kms:us-east-1:111122223333:alias/nope is not found.")
    );
    let missing = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000";
    let error = source.describe_key().key_id(missing).send().await.unwrap_err();
    assert_eq!(
        error.message(),
        Some(format!("Key '{missing}' does not exist").as_str())
    );
}

#[tokio::test]
async fn kms_operations_documented_for_key_ids_only_refuse_aliases_and_create_alias_checks_the_name() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let source = kms(&app, "111122223333", "us-east-1");
    // The model: GetKeyPolicy, PutKeyPolicy, EnableKey, ... "Specify the key ID or key ARN".
    for alias in [
        "alias/shared-with-destination",
        "arn:aws:kms:us-east-1:111122223333:alias/shared-with-destination",
    ] {
        let error = source.get_key_policy().key_id(alias).send().await.unwrap_err();
        assert_eq!(error.code(), Some("NotFoundException"), "{alias}");
        assert_eq!(error.message(), Some(format!("Invalid keyId {alias}").as_str()));
        let error = source.disable_key().key_id(alias).send().await.unwrap_err();
        assert_eq!(error.code(), Some("NotFoundException"), "{alias}");
        let error = source.list_resource_tags().key_id(alias).send().await.unwrap_err();
        assert_eq!(error.code(), Some("NotFoundException"), "{alias}");
        // CreateAlias's TargetKeyId too.
        let error = source
            .create_alias()
            .alias_name("alias/second")
            .target_key_id(alias)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some("NotFoundException"), "{alias}");
    }
    // The key stays enabled: the refused DisableKey changed nothing.
    let key = source
        .describe_key()
        .key_id(SHARED_KEY)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert_eq!(key.key_state().map(|s| s.as_str()), Some("Enabled"));
    // By key id or key ARN they work.
    source.get_key_policy().key_id(SHARED_KEY).send().await.unwrap();
    source
        .get_key_policy()
        .key_id("1234abcd-12ab-34cd-56ef-1234567890ab")
        .send()
        .await
        .unwrap();
    // AliasName: the alias/ prefix (ValidationException), only alphanumerics, /, _ and -.
    let error = source
        .create_alias()
        .alias_name("no-prefix")
        .target_key_id(SHARED_KEY)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("ValidationException"));
    assert!(
        error
            .message()
            .unwrap()
            .starts_with("Alias must start with the prefix \"alias/\"."),
        "{error:?}"
    );
    let error = source
        .create_alias()
        .alias_name("alias/with:colon")
        .target_key_id(SHARED_KEY)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("ValidationException"));
    let error = source
        .create_alias()
        .alias_name("alias/aws/mine")
        .target_key_id(SHARED_KEY)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("InvalidAliasNameException"));
    let names = |aliases: aws_sdk_kms::operation::list_aliases::ListAliasesOutput| -> Vec<String> {
        aliases
            .aliases()
            .iter()
            .filter_map(|a| a.alias_name().map(str::to_owned))
            .collect()
    };
    let listed = names(source.list_aliases().send().await.unwrap());
    assert!(
        !listed
            .iter()
            .any(|n| n == "alias/second" || n == "alias/with:colon" || n == "no-prefix"),
        "{listed:?}"
    );
    source
        .create_alias()
        .alias_name("alias/second_one/x-y")
        .target_key_id("1234abcd-12ab-34cd-56ef-1234567890ab")
        .send()
        .await
        .unwrap();
    let key = source
        .describe_key()
        .key_id("alias/second_one/x-y")
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert_eq!(key.arn(), Some(SHARED_KEY));
}

#[tokio::test]
async fn create_key_keeps_key_spec_key_usage_and_multi_region_and_describe_key_shows_them() {
    use aws_sdk_kms::types::{KeySpec, KeyUsageType};
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let source = kms(&app, "111122223333", "us-east-1");
    let describe = |id: String| {
        let source = source.clone();
        async move {
            source
                .describe_key()
                .key_id(id)
                .send()
                .await
                .unwrap()
                .key_metadata
                .unwrap()
        }
    };
    // The default: a symmetric encryption key, single-Region.
    let plain = source.create_key().send().await.unwrap().key_metadata.unwrap();
    assert_eq!(plain.key_spec(), Some(&KeySpec::SymmetricDefault));
    assert_eq!(plain.multi_region(), Some(false));
    assert!(plain.multi_region_configuration().is_none());
    // An RSA signing key: its usage and signing algorithms, no encryption algorithms.
    let rsa = source
        .create_key()
        .key_spec(KeySpec::Rsa2048)
        .key_usage(KeyUsageType::SignVerify)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    let rsa = describe(rsa.key_id().to_owned()).await;
    assert_eq!(rsa.key_spec(), Some(&KeySpec::Rsa2048));
    assert_eq!(rsa.key_usage(), Some(&KeyUsageType::SignVerify));
    assert!(rsa.encryption_algorithms().is_empty());
    assert!(!rsa.signing_algorithms().is_empty());
    // An HMAC key: its MAC algorithm.
    let hmac = source
        .create_key()
        .key_spec(KeySpec::Hmac256)
        .key_usage(KeyUsageType::GenerateVerifyMac)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert_eq!(
        hmac.mac_algorithms().iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        ["HMAC_SHA_256"]
    );
    // KeyUsage is required beyond symmetric keys, and must fit the spec.
    for (spec, usage) in [
        (KeySpec::Hmac256, None),
        (KeySpec::Hmac256, Some(KeyUsageType::EncryptDecrypt)),
    ] {
        let error = source
            .create_key()
            .key_spec(spec)
            .set_key_usage(usage)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some("ValidationException"));
    }
    // A multi-Region primary key.
    let primary = source
        .create_key()
        .multi_region(true)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert!(primary.key_id().starts_with("mrk-"), "{primary:?}");
    let primary = describe(primary.arn().unwrap().to_owned()).await;
    assert_eq!(primary.multi_region(), Some(true));
    let configuration = primary.multi_region_configuration().unwrap();
    assert_eq!(
        configuration.multi_region_key_type().map(|t| t.as_str()),
        Some("PRIMARY")
    );
    assert_eq!(configuration.primary_key().and_then(|k| k.arn()), primary.arn());
    assert_eq!(configuration.primary_key().and_then(|k| k.region()), Some("us-east-1"));
}

#[tokio::test]
async fn kms_key_policies_are_checked_malformed_lockout_and_cross_account() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let source = kms(&app, "111122223333", "us-east-1");
    let created = source
        .create_key()
        .description("copy key")
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    let key_id = created.key_id().to_owned();
    assert_eq!(created.key_state().map(|s| s.as_str()), Some("Enabled"));
    let policy = source
        .get_key_policy()
        .key_id(&key_id)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    assert!(
        policy.contains("arn:aws:iam::111122223333:root"),
        "the default key policy: {policy}"
    );
    // Not JSON, and not a key policy.
    for bad in [
        "{not json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]}"#,
    ] {
        let error = source
            .put_key_policy()
            .key_id(&key_id)
            .policy(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some("MalformedPolicyDocumentException"), "{bad}");
    }
    // A policy that would lock the caller out is refused unless the check is bypassed.
    let locked = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:Decrypt", "Resource": "*"}]}"#;
    let error = source
        .put_key_policy()
        .key_id(&key_id)
        .policy(locked)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("MalformedPolicyDocumentException"));
    assert_eq!(
        error.message(),
        Some("The new key policy will not allow you to update the key policy in the future.")
    );
    source
        .put_key_policy()
        .key_id(&key_id)
        .policy(locked)
        .bypass_policy_lockout_safety_check(true)
        .send()
        .await
        .unwrap();
    let error = source.get_key_policy().key_id(&key_id).send().await.unwrap_err();
    assert_eq!(error.code(), Some("AccessDeniedException"));
    assert_eq!(
        error.message().map(str::to_owned),
        Some(format!(
            "User: arn:aws:iam::111122223333:root is not authorized to perform: kms:GetKeyPolicy on resource: {} because no resource-based policy allows the kms:GetKeyPolicy action",
            created.arn().unwrap()
        ))
    );
    // Another account describes a key its policy shares, not one it does not.
    let destination = kms(&app, "AKIAI44QH8DHBEXAMPLE", "us-east-1");
    destination.describe_key().key_id(SHARED_KEY).send().await.unwrap();
    let error = destination
        .describe_key()
        .key_id(UNSHARED_KEY)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error.message().map(str::to_owned),
        Some(format!(
            "User: arn:aws:iam::444455556666:user/vault-admin is not authorized to perform: kms:DescribeKey on resource: {UNSHARED_KEY} because no resource-based policy allows the kms:DescribeKey action"
        ))
    );
    // GetKeyPolicy is not a cross-account operation: KMS looks in the caller's account.
    let error = destination
        .get_key_policy()
        .key_id(SHARED_KEY)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("NotFoundException"));
    // An access key that is neither listed nor an account id: KMS's 400 with a period.
    let error = kms(&app, "AKIANOTLISTEDEXAMPLE", "us-east-1")
        .list_keys()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("UnrecognizedClientException"));
    assert_eq!(
        error.message(),
        Some("The security token included in the request is invalid.")
    );
}

#[tokio::test]
async fn key_policy_and_key_state_changed_through_kms_decide_the_next_copy_job() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let source = kms(&app, "111122223333", "us-east-1");
    assert_eq!(copy_shared_snapshot(&app).await.0, "COMPLETED");
    let original = source
        .get_key_policy()
        .key_id(SHARED_KEY)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    // Drop the destination account from the key policy: the next copy fails.
    drop_destination_from_shared_key(&source).await;
    let (state, message) = copy_shared_snapshot(&app).await;
    assert_eq!(state, "FAILED");
    let mut world = default_world();
    world.keys[0].policy = Some(copylab_rules::world::PolicyDocument(
        serde_json::from_str(OWN_ONLY_KEY_POLICY).unwrap(),
    ));
    assert_eq!(message, engine_status_message(&world), "the engine's message");
    // Put the policy back: the copy completes again.
    source
        .put_key_policy()
        .key_id(SHARED_KEY)
        .policy(&original)
        .send()
        .await
        .unwrap();
    assert_eq!(copy_shared_snapshot(&app).await.0, "COMPLETED");
    // A disabled source key fails the copy; enabled again, it completes.
    source.disable_key().key_id(SHARED_KEY).send().await.unwrap();
    assert_eq!(copy_shared_snapshot(&app).await.0, "FAILED");
    source.enable_key().key_id(SHARED_KEY).send().await.unwrap();
    assert_eq!(copy_shared_snapshot(&app).await.0, "COMPLETED");
}

/// A KMS client for `access_key` in us-east-1.
pub(crate) fn kms_client(app: &axum::Router, access_key: &str) -> aws_sdk_kms::Client {
    kms(app, access_key, "us-east-1")
}
