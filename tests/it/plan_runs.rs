//! Backup plan rules run on the virtual clock, through the real aws-sdk-backup and aws-sdk-kms clients in-process: a nightly rule's backup jobs and the copy jobs its copy action starts (with `CreatedBy` and `CreatedByBackupJobId`, in the source account), a key policy changed through KMS deciding the next night's copy, and the same clock moves making the same jobs byte for byte.

use aws_sdk_backup::types::{
    BackupPlanInput, BackupRuleInput, BackupSelection, ConditionParameter, Conditions, CopyAction, Lifecycle,
};
use copylab_rules::world::Wording;
use copylab_server::state::Progression;
use http_body_util::BodyExt as _;
use serde_json::json;
use tower::ServiceExt as _;

use crate::kms::kms;
use crate::sdk::{DESTINATION, ROLE, control_post};
use crate::support::{SHARED_KEY, client, default_world, drop_destination_from_shared_key, router};

const SOURCE: &str = "111122223333";
const PLAN_DB: &str = "arn:aws:rds:us-east-1:111122223333:db:plan-orders";
const DAY: u64 = 86_400;

/// A server's state to share between its router and what reads it beside (delivery, streams).
fn shared_state() -> std::sync::Arc<tokio::sync::Mutex<copylab_server::state::ServerState>> {
    std::sync::Arc::new(tokio::sync::Mutex::new(copylab_server::state::ServerState::new(
        default_world(),
        1,
        None,
        Wording::Current,
        Progression::Instant,
    )))
}

/// The received (path, JSON body) of every POST a local endpoint gets; its address.
type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, serde_json::Value)>>>;

/// A local HTTP endpoint keeping what it is POSTed, as the user's Lambda adapter would.
async fn receiver() -> (std::net::SocketAddr, Received) {
    let received: Received = std::sync::Arc::default();
    let into = received.clone();
    let router = axum::Router::new().route(
        "/{*path}",
        axum::routing::post(move |uri: axum::http::Uri, body: String| {
            let into = into.clone();
            async move {
                into.lock()
                    .unwrap()
                    .push((uri.path().to_owned(), serde_json::from_str(&body).unwrap()));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (address, received)
}

fn server() -> axum::Router {
    router(default_world(), 1, None, Wording::Current, Progression::Instant)
}

/// An unsigned control API or signed AWS request; the status and the body's bytes.
async fn raw(app: &axum::Router, method: &str, path: &str, account: Option<&str>, body: &str) -> (u16, Vec<u8>) {
    let mut builder = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json");
    if let Some(account) = account {
        builder = builder.header(
            "authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential={account}/20260807/us-east-1/backup/aws4_request, SignedHeaders=host;x-amz-date, Signature=0"
            ),
        );
    }
    let response = app
        .clone()
        .oneshot(builder.body(axum::body::Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    (
        status,
        response.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

async fn advance(app: &axum::Router, seconds: u64) {
    let (status, clock) = control_post(app, &format!("/_copylab/clock/advance?seconds={seconds}")).await;
    assert_eq!(status, 200, "{clock}");
}

/// Declares an RDS database under the shared key, one the selection leaves out, and a plan
/// with a daily rule at 05:00 UTC copying to the destination account's vault; the plan's id.
async fn nightly_plan(app: &axum::Router) -> String {
    for (arn, tag) in [
        (PLAN_DB, "nightly"),
        ("arn:aws:rds:us-east-1:111122223333:db:plan-scratch", "never"),
    ] {
        let resource =
            json!({"arn": arn, "encryption_key_arn": SHARED_KEY, "tags": {"backup": tag}, "resource_name": "orders"});
        let (status, body) = raw(app, "POST", "/_copylab/resources", None, &resource.to_string()).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    }
    let backup = client(app, SOURCE, "us-east-1");
    let rule = BackupRuleInput::builder()
        .rule_name("nightly")
        .target_backup_vault_name("SourceVault")
        .schedule_expression("cron(0 5 ? * * *)")
        .lifecycle(Lifecycle::builder().delete_after_days(35).build())
        .recovery_point_tags("made-by", "plan")
        .copy_actions(
            CopyAction::builder()
                .destination_backup_vault_arn(DESTINATION)
                .lifecycle(Lifecycle::builder().delete_after_days(90).build())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let plan = BackupPlanInput::builder()
        .backup_plan_name("nightly-copies")
        .rules(rule)
        .build()
        .unwrap();
    let created = backup.create_backup_plan().backup_plan(plan).send().await.unwrap();
    let plan_id = created.backup_plan_id().unwrap().to_owned();
    let selection = BackupSelection::builder()
        .selection_name("nightly-databases")
        .iam_role_arn(ROLE)
        .resources("arn:aws:rds:us-east-1:111122223333:db:plan-*")
        .conditions(
            Conditions::builder()
                .string_equals(
                    ConditionParameter::builder()
                        .condition_key("aws:ResourceTag/backup")
                        .condition_value("nightly")
                        .build(),
                )
                .build(),
        )
        .build()
        .unwrap();
    backup
        .create_backup_selection()
        .backup_plan_id(&plan_id)
        .backup_selection(selection)
        .send()
        .await
        .unwrap();
    plan_id
}

/// Two days: two nightly backup jobs of the selected database, each followed by a completed
/// copy to the destination account, in time order, in the source account (the plan's), each
/// naming the plan and rule and the backup job whose recovery point it copies.
#[tokio::test]
async fn a_nightly_rule_backs_up_its_selection_and_copies_cross_account_each_night_on_the_clock() {
    let app = server();
    let plan_id = nightly_plan(&app).await;
    let backup = client(&app, SOURCE, "us-east-1");
    let start = copylab_server::clock::date_seconds(copylab_rules::MODEL_DATE).unwrap() as i64;
    // Nothing runs before the clock moves.
    let none = backup.list_copy_jobs().send().await.unwrap();
    assert!(none.copy_jobs().is_empty());
    advance(&app, 2 * DAY).await;
    let backups = backup.list_backup_jobs().send().await.unwrap();
    let backups = backups.backup_jobs();
    assert_eq!(backups.len(), 2, "{backups:?}");
    let plan = backup.get_backup_plan().backup_plan_id(&plan_id).send().await.unwrap();
    let rule = &plan.backup_plan().unwrap().rules()[0];
    for (night, job) in backups.iter().enumerate() {
        assert_eq!(job.resource_arn(), Some(PLAN_DB));
        assert_eq!(job.state().unwrap().as_str(), "COMPLETED");
        assert_eq!(
            job.creation_date().unwrap().secs(),
            start + 5 * 3600 + night as i64 * DAY as i64,
            "05:00 UTC each day"
        );
        let created_by = job.created_by().unwrap();
        assert_eq!(created_by.backup_plan_id(), Some(plan_id.as_str()));
        assert_eq!(created_by.backup_plan_arn(), plan.backup_plan_arn());
        assert_eq!(created_by.backup_plan_version(), plan.version_id());
        assert_eq!(created_by.backup_rule_id(), rule.rule_id());
        assert_eq!(created_by.backup_rule_name(), Some("nightly"));
        assert_eq!(created_by.backup_rule_cron(), Some("cron(0 5 ? * * *)"));
        assert_eq!(created_by.backup_rule_timezone(), Some("UTC"));
    }
    // The recovery point: the rule's lifecycle and tags, the resource's own key (RDS is not
    // fully managed by AWS Backup).
    let point = backup
        .describe_recovery_point()
        .backup_vault_name("SourceVault")
        .recovery_point_arn(backups[0].recovery_point_arn().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(point.lifecycle().and_then(|l| l.delete_after_days()), Some(35));
    assert_eq!(point.encryption_key_arn(), Some(SHARED_KEY));
    assert_eq!(point.created_by(), backups[0].created_by());
    let by_plan = backup
        .list_recovery_points_by_backup_vault()
        .backup_vault_name("SourceVault")
        .by_backup_plan_id(&plan_id)
        .send()
        .await
        .unwrap();
    let made: Vec<_> = by_plan
        .recovery_points()
        .iter()
        .map(|p| p.recovery_point_arn())
        .collect();
    assert_eq!(made, backups.iter().map(|j| j.recovery_point_arn()).collect::<Vec<_>>());
    let tags = backup
        .list_tags()
        .resource_arn(backups[0].recovery_point_arn().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        tags.tags().and_then(|t| t.get("made-by")).map(String::as_str),
        Some("plan")
    );
    let copies = backup.list_copy_jobs().send().await.unwrap();
    let copies = copies.copy_jobs();
    assert_eq!(copies.len(), 2, "{copies:?}");
    for (copy, job) in copies.iter().zip(backups) {
        assert_eq!(
            copy.account_id(),
            Some(SOURCE),
            "the plan's copies are the source account's"
        );
        assert_eq!(copy.state().unwrap().as_str(), "COMPLETED");
        assert_eq!(copy.created_by(), job.created_by());
        assert_eq!(copy.created_by_backup_job_id(), job.backup_job_id());
        assert_eq!(copy.source_recovery_point_arn(), job.recovery_point_arn());
        assert_eq!(copy.destination_backup_vault_arn(), Some(DESTINATION));
        assert_eq!(copy.iam_role_arn(), Some(ROLE));
        // After the backup job completed.
        assert_eq!(copy.creation_date(), job.completion_date());
    }
    assert!(copies[0].creation_date() < copies[1].creation_date());
    // The engine's diagnosis is there for a plan's copy as for a hand-started one.
    let id = copies[1].copy_job_id().unwrap();
    let (status, diagnosis) = raw(&app, "GET", &format!("/_copylab/copy-jobs/{id}/diagnosis"), None, "").await;
    assert_eq!(status, 200);
    let diagnosis: serde_json::Value = serde_json::from_slice(&diagnosis).unwrap();
    assert_eq!(diagnosis["outcome"]["state"], "COMPLETED", "{diagnosis}");
}

/// The destination dropped from the source key's policy through KMS: the next night's copy
/// fails with the rules engine's message (the one a hand-started copy of it gets), the
/// earlier nights' stay completed.
#[tokio::test]
async fn a_key_policy_dropping_the_destination_fails_the_next_nights_copy_with_the_engines_message() {
    let app = server();
    let plan_id = nightly_plan(&app).await;
    let explain_path = format!("/_copylab/backup-plans/{plan_id}/explain");
    // Before any night: what the rule will do, without moving the clock.
    let (status, before) = raw(&app, "GET", &explain_path, None, "").await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&before));
    let before: serde_json::Value = serde_json::from_slice(&before).unwrap();
    assert_eq!(before["picks"]["picked"][0]["resource"]["arn"], PLAN_DB, "{before}");
    assert_eq!(
        before["picks"]["not_picked"][0]["reasons"][0][1],
        "fails Conditions StringEquals aws:ResourceTag/backup `nightly`: it has `never`",
        "{before}"
    );
    assert_eq!(before["copies"][0]["outcome"]["state"], "COMPLETED", "{before}");
    let (_, jobs) = raw(&app, "GET", "/copy-jobs/", Some(SOURCE), "").await;
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&jobs).unwrap()["CopyJobs"],
        serde_json::json!([]),
        "explaining starts no job"
    );
    advance(&app, 2 * DAY).await;
    drop_destination_from_shared_key(&kms(&app, SOURCE, "us-east-1")).await;
    advance(&app, DAY).await;
    let backup = client(&app, SOURCE, "us-east-1");
    let copies = backup.list_copy_jobs().send().await.unwrap();
    let states: Vec<&str> = copies.copy_jobs().iter().map(|j| j.state().unwrap().as_str()).collect();
    assert_eq!(states, ["COMPLETED", "COMPLETED", "FAILED"]);
    let failed = &copies.copy_jobs()[2];
    // The same copy started by hand, decided by the same engine on the same world.
    let by_hand = crate::sdk::copy_to_destination(&app, failed.source_recovery_point_arn().unwrap()).await;
    assert_eq!(by_hand.state().unwrap().as_str(), "FAILED");
    assert!(
        failed
            .status_message()
            .is_some_and(|m| m.contains("KMS") || m.contains("kms")),
        "{failed:?}"
    );
    assert_eq!(failed.status_message(), by_hand.status_message());
    assert_eq!(failed.message_category(), by_hand.message_category());
    // And the plan's explanation foretells the same message for the next night.
    let (_, after) = raw(&app, "GET", &explain_path, None, "").await;
    let after: serde_json::Value = serde_json::from_slice(&after).unwrap();
    assert_eq!(after["copies"][0]["outcome"]["state"], "FAILED", "{after}");
    assert_eq!(
        after["copies"][0]["outcome"]["status_message"],
        failed.status_message().unwrap()
    );
    let (status, _) = raw(&app, "GET", "/_copylab/backup-plans/no-such-plan/explain", None, "").await;
    assert_eq!(status, 404);
    assert_eq!(
        by_hand.created_by_backup_job_id(),
        None,
        "a hand-started copy names no backup job"
    );
}

/// A night of more copies than one thread decides (`runs::run_batch` decides them on the other
/// cores while the backups run, and completes each as soon as it is decided): each copy gets
/// the verdict it gets alone.
/// Every other database is under a key the destination account may not use, so a verdict
/// completed for the wrong copy shows; debug builds also compare each verdict with a fresh
/// engine's.
#[tokio::test]
async fn a_nights_many_copies_completed_as_they_are_decided_get_the_verdicts_each_gets_alone() {
    const NOT_SHARED_KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f";
    let app = server();
    nightly_plan(&app).await;
    let databases: Vec<(String, bool)> = (0..63)
        .map(|i| {
            (
                format!("arn:aws:rds:us-east-1:111122223333:db:plan-fleet-{i:02}"),
                i % 2 == 0,
            )
        })
        .collect();
    for (arn, shared) in &databases {
        let key = if *shared { SHARED_KEY } else { NOT_SHARED_KEY };
        let resource = json!({"arn": arn, "encryption_key_arn": key, "tags": {"backup": "nightly"}});
        let (status, body) = raw(&app, "POST", "/_copylab/resources", None, &resource.to_string()).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    }
    advance(&app, DAY).await;
    let backup = client(&app, SOURCE, "us-east-1");
    let copies = backup.list_copy_jobs().max_results(1000).send().await.unwrap();
    assert_eq!(copies.copy_jobs().len(), databases.len() + 1, "one copy per database");
    let mut failed = None;
    for (arn, shared) in &databases {
        let job = copies
            .copy_jobs()
            .iter()
            .find(|j| j.resource_arn() == Some(arn))
            .unwrap_or_else(|| panic!("no copy of {arn}"));
        let expected = if *shared { "COMPLETED" } else { "FAILED" };
        assert_eq!(job.state().unwrap().as_str(), expected, "{arn}: {job:?}");
        if !*shared {
            failed.get_or_insert_with(|| job.clone());
        }
    }
    // The same copy started by hand, alone.
    let failed = failed.unwrap();
    let by_hand = crate::sdk::copy_to_destination(&app, failed.source_recovery_point_arn().unwrap()).await;
    assert_eq!(by_hand.state().unwrap().as_str(), "FAILED");
    assert_eq!(failed.status_message(), by_hand.status_message());
    assert_eq!(failed.message_category(), by_hand.message_category());
}

/// Two fresh servers, the same world and the same clock moves: the same jobs, byte for byte.
#[tokio::test]
async fn the_same_world_and_clock_moves_make_byte_identical_plan_jobs() {
    let mut answers = Vec::new();
    for _ in 0..2 {
        let app = server();
        nightly_plan(&app).await;
        for seconds in [DAY / 2, DAY, 3 * DAY] {
            advance(&app, seconds).await;
        }
        let (status, copies) = raw(&app, "GET", "/copy-jobs/", Some(SOURCE), "").await;
        assert_eq!(status, 200);
        let (_, backups) = raw(&app, "GET", "/backup-jobs/", Some(SOURCE), "").await;
        answers.push((copies, backups));
    }
    let listed: serde_json::Value = serde_json::from_slice(&answers[0].0).unwrap();
    assert_eq!(listed["CopyJobs"].as_array().unwrap().len(), 5, "{listed}");
    assert_eq!(answers[0], answers[1]);
}

/// A clock moved by years runs only the latest occurrences of a rule (the rest are skipped and
/// logged): one request, bounded work. The recovery points stay; the backup jobs are listed
/// "for the last 30 days" (ListBackupJobs' model documentation), and older ones are forgotten,
/// their recovery points keeping their `CreatedBy`.
#[tokio::test]
async fn a_clock_moved_by_years_runs_a_bounded_number_of_occurrences() {
    let app = server();
    let plan_id = nightly_plan(&app).await;
    advance(&app, 3_650 * DAY).await;
    let path = format!("/backup-vaults/SourceVault/recovery-points/?backupPlanId={plan_id}&maxResults=1000");
    let (_, points) = raw(&app, "GET", &path, Some(SOURCE), "").await;
    let points: serde_json::Value = serde_json::from_slice(&points).unwrap();
    assert_eq!(
        points["RecoveryPoints"].as_array().unwrap().len(),
        copylab_server::services::backup::runs::MAX_OCCURRENCES_PER_RULE,
        "{points}"
    );
    let (_, backups) = raw(&app, "GET", "/backup-jobs/?maxResults=1000", Some(SOURCE), "").await;
    let backups: serde_json::Value = serde_json::from_slice(&backups).unwrap();
    let jobs = backups["BackupJobs"].as_array().unwrap();
    // Daily at 05:00: the 30 jobs that ended in the last 30 days.
    assert_eq!(jobs.len(), 30, "{backups}");
    assert!(jobs.iter().all(|j| j["CreatedBy"]["BackupPlanId"] == plan_id.as_str()));
}

/// Time passing without `clock/advance` (as under `--clock-scale`): the next AWS request runs
/// what is due before it is answered.
#[tokio::test]
async fn time_passing_without_an_advance_runs_plans_at_the_next_request() {
    let state = shared_state();
    let app = copylab_server::app(state.clone());
    nightly_plan(&app).await;
    // The clock moves as a running clock would, behind the control API's back.
    state.lock().await.clock.advance(DAY as f64).unwrap();
    let backup = client(&app, SOURCE, "us-east-1");
    let copies = backup.list_copy_jobs().send().await.unwrap();
    assert_eq!(copies.copy_jobs().len(), 1, "{copies:?}");
    assert_eq!(copies.copy_jobs()[0].state().unwrap().as_str(), "COMPLETED");
}

/// An organization backup policy attached to the root makes a read-only `orgs/` plan in each
/// account for the Region it names: listed and readable through the SDK (the `/` of its id
/// percent-encoded in paths), refused to update, delete or change selections with AWS's
/// observed (or modeled) messages, run on the clock like any plan, with `$account` replaced;
/// detached, the plan is gone.
#[tokio::test]
async fn an_organization_backup_policy_makes_read_only_plans_that_run_nightly() {
    use aws_sdk_organizations::types::PolicyType;
    let app = server();
    let organizations = aws_sdk_organizations::Client::new(&crate::support::config(&app, "123456789012", "us-east-1"));
    organizations
        .enable_policy_type()
        .root_id("r-a1b2")
        .policy_type(PolicyType::BackupPolicy)
        .send()
        .await
        .unwrap();
    let content = json!({"plans": {"Org_Nightly": {
        "regions": {"@@assign": ["us-east-1"]},
        "rules": {"Nightly": {
            "schedule_expression": {"@@assign": "cron(0 5 ? * * *)"},
            "target_backup_vault_name": {"@@assign": "SourceVault"},
            "lifecycle": {"delete_after_days": {"@@assign": "35"}},
            "copy_actions": {DESTINATION: {
                "target_backup_vault_arn": {"@@assign": DESTINATION},
                "lifecycle": {"delete_after_days": {"@@assign": "35"}}
            }}
        }},
        "selections": {"tags": {"Nightly": {
            "iam_role_arn": {"@@assign": "arn:aws:iam::$account:role/service-role/AWSBackupDefaultServiceRole"},
            "tag_key": {"@@assign": "backup"},
            "tag_value": {"@@assign": ["nightly"]}
        }}}
    }}});
    let policy = organizations
        .create_policy()
        .name("org-nightly")
        .description("nightly copies")
        .r#type(PolicyType::BackupPolicy)
        .content(content.to_string())
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    let policy_id = policy.policy_summary().unwrap().id().unwrap().to_owned();
    organizations
        .attach_policy()
        .policy_id(&policy_id)
        .target_id("r-a1b2")
        .send()
        .await
        .unwrap();
    let backup = client(&app, SOURCE, "us-east-1");
    let plans = backup.list_backup_plans().send().await.unwrap();
    let plan = plans
        .backup_plans_list()
        .iter()
        .find(|p| p.backup_plan_id().is_some_and(|id| id.starts_with("orgs/")))
        .expect("an orgs/ plan in the member account");
    let plan_id = plan.backup_plan_id().unwrap().to_owned();
    assert_eq!(plan.backup_plan_name(), Some("org_nightly"));
    assert!(
        plan.backup_plan_arn()
            .unwrap()
            .starts_with("arn:aws:backup:us-east-1:111122223333:backup-plan:orgs/"),
        "{plan:?}"
    );
    assert!(
        client(&app, SOURCE, "eu-west-1")
            .list_backup_plans()
            .send()
            .await
            .unwrap()
            .backup_plans_list()
            .is_empty(),
        "only the Regions the policy names"
    );
    let got = backup.get_backup_plan().backup_plan_id(&plan_id).send().await.unwrap();
    assert_eq!(got.backup_plan_id(), Some(plan_id.as_str()));
    let selections = backup
        .list_backup_selections()
        .backup_plan_id(&plan_id)
        .send()
        .await
        .unwrap();
    let selection_id = selections.backup_selections_list()[0]
        .selection_id()
        .unwrap()
        .to_owned();
    let selection = backup
        .get_backup_selection()
        .backup_plan_id(&plan_id)
        .selection_id(&selection_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        selection.backup_selection().unwrap().iam_role_arn(),
        ROLE,
        "$account replaced by the account"
    );
    // Read-only in the member account.
    let delete = backup
        .delete_backup_plan()
        .backup_plan_id(&plan_id)
        .send()
        .await
        .unwrap_err();
    let delete = delete.into_service_error();
    assert_eq!(
        aws_sdk_backup::error::ProvideErrorMetadata::message(&delete),
        Some(format!("Backup plan cannot be deleted for backup plan {plan_id} created by organizations").as_str())
    );
    assert_eq!(
        aws_sdk_backup::error::ProvideErrorMetadata::code(&delete),
        Some("InvalidParameterValueException")
    );
    let delete_selection = backup
        .delete_backup_selection()
        .backup_plan_id(&plan_id)
        .selection_id(&selection_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        aws_sdk_backup::error::ProvideErrorMetadata::message(&delete_selection),
        Some(format!("Cannot delete selection for backup plan {plan_id} created by organizations").as_str())
    );
    let update = backup
        .update_backup_plan()
        .backup_plan_id(&plan_id)
        .backup_plan(
            BackupPlanInput::builder()
                .backup_plan_name("mine")
                .rules(
                    BackupRuleInput::builder()
                        .rule_name("r")
                        .target_backup_vault_name("SourceVault")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        aws_sdk_backup::error::ProvideErrorMetadata::code(&update),
        Some("InvalidParameterValueException")
    );
    // It runs: the tagged database is backed up and copied at 05:00 by the plan.
    let resource = json!({"arn": PLAN_DB, "encryption_key_arn": SHARED_KEY, "tags": {"backup": "nightly"}});
    let (status, _) = raw(&app, "POST", "/_copylab/resources", None, &resource.to_string()).await;
    assert_eq!(status, 200);
    advance(&app, DAY).await;
    let copies = backup.list_copy_jobs().send().await.unwrap();
    let copy = &copies.copy_jobs()[0];
    assert_eq!(copy.state().unwrap().as_str(), "COMPLETED", "{copy:?}");
    assert_eq!(copy.created_by().unwrap().backup_plan_id(), Some(plan_id.as_str()));
    // Detached: no plan any more.
    organizations
        .detach_policy()
        .policy_id(&policy_id)
        .target_id("r-a1b2")
        .send()
        .await
        .unwrap();
    let plans = backup.list_backup_plans().send().await.unwrap();
    assert!(
        plans
            .backup_plans_list()
            .iter()
            .all(|p| !p.backup_plan_id().unwrap().starts_with("orgs/")),
        "{plans:?}"
    );
}

/// A recovery point's `Lifecycle` runs on the clock: after `MoveToColdStorageAfterDays` it is in
/// cold storage (and a copy of it is refused as AWS refuses copies of cold backups), after
/// `DeleteAfterDays` it is gone.
#[tokio::test]
async fn recovery_points_move_to_cold_storage_and_are_deleted_on_the_clock() {
    let app = server();
    let resource = json!({"arn": PLAN_DB, "encryption_key_arn": SHARED_KEY});
    let (status, _) = raw(&app, "POST", "/_copylab/resources", None, &resource.to_string()).await;
    assert_eq!(status, 200);
    let backup = client(&app, SOURCE, "us-east-1");
    let started = backup
        .start_backup_job()
        .backup_vault_name("SourceVault")
        .resource_arn(PLAN_DB)
        .iam_role_arn(ROLE)
        .lifecycle(
            Lifecycle::builder()
                .move_to_cold_storage_after_days(1)
                .delete_after_days(91)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let rp = started.recovery_point_arn().unwrap().to_owned();
    let describe = |backup: aws_sdk_backup::Client, rp: String| async move {
        backup
            .describe_recovery_point()
            .backup_vault_name("SourceVault")
            .recovery_point_arn(rp)
            .send()
            .await
    };
    let warm = describe(backup.clone(), rp.clone()).await.unwrap();
    assert_eq!(warm.storage_class().unwrap().as_str(), "WARM");
    advance(&app, DAY).await;
    let cold = describe(backup.clone(), rp.clone()).await.unwrap();
    assert_eq!(cold.storage_class().unwrap().as_str(), "COLD");
    let refused = backup
        .start_copy_job()
        .recovery_point_arn(&rp)
        .source_backup_vault_name("SourceVault")
        .destination_backup_vault_arn(DESTINATION)
        .iam_role_arn(ROLE)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        aws_sdk_backup::error::ProvideErrorMetadata::code(&refused),
        Some("InvalidRequestException")
    );
    advance(&app, 90 * DAY).await;
    assert!(
        describe(backup.clone(), rp.clone()).await.is_err(),
        "deleted after 91 days"
    );
}

/// Two rules of one plan whose time frames overlap (a daily and a monthly rule at the same
/// hour): on the first of the month only the rule with the longer retention backs up, as AWS's
/// troubleshooting page says; on other days the daily rule does.
#[tokio::test]
async fn overlapping_rules_back_up_once_with_the_longer_retention() {
    let app = server();
    let resource = json!({"arn": PLAN_DB, "encryption_key_arn": SHARED_KEY});
    let (status, _) = raw(&app, "POST", "/_copylab/resources", None, &resource.to_string()).await;
    assert_eq!(status, 200);
    let backup = client(&app, SOURCE, "us-east-1");
    let rule = |name: &str, cron: &str, days: i64| {
        BackupRuleInput::builder()
            .rule_name(name)
            .target_backup_vault_name("SourceVault")
            .schedule_expression(cron)
            .lifecycle(Lifecycle::builder().delete_after_days(days).build())
            .build()
            .unwrap()
    };
    let plan = BackupPlanInput::builder()
        .backup_plan_name("daily-and-monthly")
        .rules(rule("daily", "cron(0 5 ? * * *)", 35))
        .rules(rule("monthly", "cron(0 5 1 * ? *)", 365))
        .build()
        .unwrap();
    let plan_id = backup
        .create_backup_plan()
        .backup_plan(plan)
        .send()
        .await
        .unwrap()
        .backup_plan_id()
        .unwrap()
        .to_owned();
    backup
        .create_backup_selection()
        .backup_plan_id(&plan_id)
        .backup_selection(
            BackupSelection::builder()
                .selection_name("orders")
                .iam_role_arn(ROLE)
                .resources(PLAN_DB)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    // The clock starts on 2026-08-07: 26 days take it past 2026-09-01 05:00.
    advance(&app, 26 * DAY).await;
    let jobs = backup.list_backup_jobs().max_results(1000).send().await.unwrap();
    let rules: Vec<(i64, &str)> = jobs
        .backup_jobs()
        .iter()
        .map(|j| {
            (
                j.creation_date().unwrap().secs(),
                j.created_by().unwrap().backup_rule_name().unwrap(),
            )
        })
        .collect();
    assert_eq!(rules.len(), 26, "one backup a day: {rules:?}");
    let first_of_september = 1_788_238_800; // 2026-09-01T05:00:00Z
    for (at, rule) in rules {
        let expected = if at == first_of_september { "monthly" } else { "daily" };
        assert_eq!(rule, expected, "at {at}");
    }
}

/// A resource type opted out in the Region (`UpdateRegionSettings`
/// `ResourceTypeOptInPreference`) is left out by a selection that assigns by tags only, and
/// backed up by one that names its resources, as the model's documentation says.
#[tokio::test]
async fn opted_out_resource_types_are_left_out_by_tag_only_selections() {
    let app = server();
    let resource = json!({"arn": PLAN_DB, "encryption_key_arn": SHARED_KEY, "tags": {"backup": "nightly"}});
    raw(&app, "POST", "/_copylab/resources", None, &resource.to_string()).await;
    let backup = client(&app, SOURCE, "us-east-1");
    let plan = BackupPlanInput::builder()
        .backup_plan_name("tagged")
        .rules(
            BackupRuleInput::builder()
                .rule_name("nightly")
                .target_backup_vault_name("SourceVault")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let plan_id = backup
        .create_backup_plan()
        .backup_plan(plan)
        .send()
        .await
        .unwrap()
        .backup_plan_id()
        .unwrap()
        .to_owned();
    for (name, by_arn) in [("by-tag", false), ("by-arn", true)] {
        let mut selection = BackupSelection::builder().selection_name(name).iam_role_arn(ROLE);
        selection = if by_arn {
            selection.resources(PLAN_DB)
        } else {
            selection.list_of_tags(
                aws_sdk_backup::types::Condition::builder()
                    .condition_type(aws_sdk_backup::types::ConditionType::Stringequals)
                    .condition_key("backup")
                    .condition_value("nightly")
                    .build()
                    .unwrap(),
            )
        };
        let plan_with = |selection: BackupSelection| {
            backup
                .create_backup_selection()
                .backup_plan_id(&plan_id)
                .backup_selection(selection)
                .send()
        };
        plan_with(selection.build().unwrap()).await.unwrap();
        if !by_arn {
            let explain = format!("/_copylab/backup-plans/{plan_id}/explain");
            let (_, before) = raw(&app, "GET", &explain, None, "").await;
            let before: serde_json::Value = serde_json::from_slice(&before).unwrap();
            assert_eq!(before["picks"]["picked"][0]["selection"], "by-tag", "{before}");
            backup
                .update_region_settings()
                .resource_type_opt_in_preference("RDS", false)
                .send()
                .await
                .unwrap();
            let settings = backup.describe_region_settings().send().await.unwrap();
            assert_eq!(
                settings.resource_type_opt_in_preference().unwrap().get("RDS"),
                Some(&false)
            );
            let (_, after) = raw(&app, "GET", &explain, None, "").await;
            let after: serde_json::Value = serde_json::from_slice(&after).unwrap();
            assert_eq!(after["picks"]["picked"], json!([]), "{after}");
            assert!(
                after["picks"]["not_picked"][0]["reasons"][0][1]
                    .as_str()
                    .unwrap()
                    .contains("opted out"),
                "{after}"
            );
        }
    }
    let explain = format!("/_copylab/backup-plans/{plan_id}/explain");
    let (_, both) = raw(&app, "GET", &explain, None, "").await;
    let both: serde_json::Value = serde_json::from_slice(&both).unwrap();
    assert_eq!(both["picks"]["picked"][0]["selection"], "by-arn", "{both}");
}

/// `ExportBackupPlanTemplate` gives a template `GetBackupPlanFromJSON` reads back into the same
/// plan; a plan that does not exist is not found.
#[tokio::test]
async fn an_exported_plan_template_reads_back_into_the_same_plan() {
    let app = server();
    let plan_id = nightly_plan(&app).await;
    let backup = client(&app, SOURCE, "us-east-1");
    let template = backup
        .export_backup_plan_template()
        .backup_plan_id(&plan_id)
        .send()
        .await
        .unwrap();
    let read = backup
        .get_backup_plan_from_json()
        .backup_plan_template_json(template.backup_plan_template_json().unwrap())
        .send()
        .await
        .unwrap();
    let plan = read.backup_plan().unwrap();
    assert_eq!(plan.backup_plan_name(), "nightly-copies");
    assert_eq!(plan.rules()[0].schedule_expression(), Some("cron(0 5 ? * * *)"));
    assert_eq!(
        plan.rules()[0].copy_actions()[0].destination_backup_vault_arn(),
        DESTINATION
    );
    let missing = backup
        .export_backup_plan_template()
        .backup_plan_id("00000000-0000-4000-8000-000000000000")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        aws_sdk_backup::error::ProvideErrorMetadata::code(&missing),
        Some("ResourceNotFoundException")
    );
}

/// Declares the nightly plan's database again, its backups taking `seconds`.
async fn backups_take(app: &axum::Router, seconds: u64) {
    let resource = json!({"arn": PLAN_DB, "encryption_key_arn": SHARED_KEY, "tags": {"backup": "nightly"},
        "resource_name": "orders", "backup_duration_seconds": seconds});
    let (status, body) = raw(app, "POST", "/_copylab/resources", None, &resource.to_string()).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
}

/// A second plan picking the nightly plan's database at 05:00 too: a plan of one rule with
/// `StartWindowMinutes` `start_window` (none: the default); its id.
async fn second_nightly_plan(app: &axum::Router, start_window: Option<i64>) -> String {
    let backup = client(app, SOURCE, "us-east-1");
    let plan = BackupPlanInput::builder()
        .backup_plan_name("also-nightly")
        .rules(
            BackupRuleInput::builder()
                .rule_name("nightly")
                .target_backup_vault_name("SourceVault")
                .schedule_expression("cron(0 5 ? * * *)")
                .set_start_window_minutes(start_window)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let id = backup
        .create_backup_plan()
        .backup_plan(plan)
        .send()
        .await
        .unwrap()
        .backup_plan_id()
        .unwrap()
        .to_owned();
    backup
        .create_backup_selection()
        .backup_plan_id(&id)
        .backup_selection(
            BackupSelection::builder()
                .selection_name("orders")
                .iam_role_arn(ROLE)
                .resources(PLAN_DB)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    id
}

/// The jobs of the source account: (state, status message, creation, start by, completion).
async fn backup_job_times(app: &axum::Router) -> Vec<(String, Option<String>, f64, f64, f64)> {
    let backup = client(app, SOURCE, "us-east-1");
    let seconds = |d: Option<&aws_sdk_backup::primitives::DateTime>| d.map_or(-1.0, |d| d.as_secs_f64());
    let mut jobs: Vec<_> = backup
        .list_backup_jobs()
        .send()
        .await
        .unwrap()
        .backup_jobs()
        .iter()
        .map(|j| {
            (
                j.state().unwrap().as_str().to_owned(),
                j.status_message().map(str::to_owned),
                seconds(j.creation_date()),
                seconds(j.start_by()),
                seconds(j.completion_date()),
            )
        })
        .collect();
    jobs.sort_by(|a, b| a.4.total_cmp(&b.4));
    jobs
}

/// Two plans picking the same database at the same time, its backups taking 2 hours: the
/// second plan's job waits `CREATED` for the first (StartWindowMinutes: "During the start
/// window, the backup job status remains in CREATED status until it has successfully begun"),
/// then runs and completes, and its copies start when it ends.
#[tokio::test]
async fn a_plans_job_waits_for_a_running_backup_of_its_resource_within_its_start_window() {
    let app = server();
    nightly_plan(&app).await;
    backups_take(&app, 7_200).await;
    second_nightly_plan(&app, Some(180)).await;
    advance(&app, DAY).await;
    let jobs = backup_job_times(&app).await;
    let at = jobs[0].2;
    assert_eq!(
        jobs,
        [
            ("COMPLETED".to_owned(), None, at, at + 28_800.0, at + 7_200.0),
            ("COMPLETED".to_owned(), None, at, at + 10_800.0, at + 14_400.0),
        ],
        "the second job begins when the first ends, within its 3-hour start window"
    );
    let (_, events) = raw(
        &app,
        "GET",
        "/_copylab/events?detail-type=Backup+Job+State+Change",
        None,
        "",
    )
    .await;
    let events: serde_json::Value = serde_json::from_slice(&events).unwrap();
    let running: Vec<&str> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["detail"]["state"] == "RUNNING")
        .map(|e| e["time"].as_str().unwrap())
        .collect();
    assert_eq!(running.len(), 2);
    assert_ne!(running[0], running[1], "the second job runs from the first one's end");
}

/// A rule whose `CompletionWindowMinutes` is shorter than the backup: the job expires with
/// AWS's message when the window, counted from the scheduled time, closes; no recovery point,
/// no copy.
#[tokio::test]
async fn a_backup_longer_than_its_complete_window_expires_before_completion() {
    let app = server();
    let plan_id = nightly_plan(&app).await;
    backups_take(&app, 7_200).await;
    let backup = client(&app, SOURCE, "us-east-1");
    let plan = backup.get_backup_plan().backup_plan_id(&plan_id).send().await.unwrap();
    let rule = plan.backup_plan().unwrap().rules()[0].clone();
    let input = BackupPlanInput::builder()
        .backup_plan_name("nightly-copies")
        .rules(
            BackupRuleInput::builder()
                .rule_name(rule.rule_name())
                .target_backup_vault_name(rule.target_backup_vault_name())
                .set_schedule_expression(rule.schedule_expression().map(str::to_owned))
                .completion_window_minutes(60)
                .set_copy_actions(Some(rule.copy_actions().to_vec()))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    backup
        .update_backup_plan()
        .backup_plan_id(&plan_id)
        .backup_plan(input)
        .send()
        .await
        .unwrap();
    advance(&app, DAY).await;
    let jobs = backup_job_times(&app).await;
    let at = jobs[0].2;
    assert_eq!(
        jobs,
        [(
            "EXPIRED".to_owned(),
            Some("Backup job expired before completion.".to_owned()),
            at,
            at + 28_800.0,
            at + 3_600.0
        )]
    );
    let copies = backup.list_copy_jobs().send().await.unwrap();
    assert!(copies.copy_jobs().is_empty(), "an expired backup starts no copy");
    let points = backup
        .list_recovery_points_by_backup_vault()
        .backup_vault_name("SourceVault")
        .by_resource_arn(PLAN_DB)
        .send()
        .await
        .unwrap();
    assert!(points.recovery_points().is_empty(), "and makes no recovery point");
}

/// A continuous backup rule with a copy action, two nights: the database keeps one continuous
/// recovery point in the rule's vault, each night adds a snapshot, and the nightly copies copy
/// the snapshots ("AWS Backup takes a snapshot of the resource and copies the snapshot"); a copy
/// of the continuous recovery point started by hand is refused, as StartCopyJob "does not
/// support continuous backups".
#[tokio::test]
async fn a_continuous_rule_keeps_one_continuous_recovery_point_and_copies_snapshots() {
    let app = server();
    let plan_id = nightly_plan(&app).await;
    let backup = client(&app, SOURCE, "us-east-1");
    let input = BackupPlanInput::builder()
        .backup_plan_name("nightly-copies")
        .rules(
            BackupRuleInput::builder()
                .rule_name("nightly")
                .target_backup_vault_name("SourceVault")
                .schedule_expression("cron(0 5 ? * * *)")
                .enable_continuous_backup(true)
                .lifecycle(Lifecycle::builder().delete_after_days(35).build())
                .copy_actions(
                    CopyAction::builder()
                        .destination_backup_vault_arn(DESTINATION)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    backup
        .update_backup_plan()
        .backup_plan_id(&plan_id)
        .backup_plan(input)
        .send()
        .await
        .unwrap();
    advance(&app, 2 * DAY).await;
    let points = backup
        .list_recovery_points_by_backup_vault()
        .backup_vault_name("SourceVault")
        .by_resource_arn(PLAN_DB)
        .send()
        .await
        .unwrap();
    let arns: Vec<&str> = points
        .recovery_points()
        .iter()
        .map(|p| p.recovery_point_arn().unwrap())
        .collect();
    let (continuous, snapshots): (Vec<&str>, Vec<&str>) = arns.iter().partition(|a| a.contains(":backup:"));
    assert_eq!((continuous.len(), snapshots.len()), (1, 2), "{arns:?}");
    let copies = backup.list_copy_jobs().send().await.unwrap();
    let copied: Vec<&str> = copies
        .copy_jobs()
        .iter()
        .map(|j| j.source_recovery_point_arn().unwrap())
        .collect();
    assert_eq!(copied.len(), 2);
    assert!(copied.iter().all(|arn| snapshots.contains(arn)), "{copied:?}");
    let refused = backup
        .start_copy_job()
        .recovery_point_arn(continuous[0])
        .source_backup_vault_name("SourceVault")
        .destination_backup_vault_arn(DESTINATION)
        .iam_role_arn(ROLE)
        .send()
        .await;
    let error = refused.expect_err("a continuous recovery point is not copied on demand");
    let error = error.into_service_error();
    assert_eq!(error.meta().code(), Some("InvalidRequestException"));
    assert_eq!(
        error.meta().message(),
        Some(
            format!(
                "Recovery point {} cannot be copied: StartCopyJob does not support continuous backups",
                continuous[0]
            )
            .as_str()
        )
    );
}

/// Two plans picking the same database at the same time, its backups taking 9 hours: the
/// other plan's job waits past its start window (the default 8 hours) and ends EXPIRED with
/// AWS's message for a running job of the same resource, and starts no copy.
#[tokio::test]
async fn a_second_plan_backing_up_a_running_resource_expires() {
    let app = server();
    nightly_plan(&app).await;
    backups_take(&app, 9 * 3_600).await;
    let backup = client(&app, SOURCE, "us-east-1");
    let plan = BackupPlanInput::builder()
        .backup_plan_name("also-nightly")
        .rules(
            BackupRuleInput::builder()
                .rule_name("nightly")
                .target_backup_vault_name("SourceVault")
                .schedule_expression("cron(0 5 ? * * *)")
                .copy_actions(
                    CopyAction::builder()
                        .destination_backup_vault_arn(DESTINATION)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let second = backup
        .create_backup_plan()
        .backup_plan(plan)
        .send()
        .await
        .unwrap()
        .backup_plan_id()
        .unwrap()
        .to_owned();
    backup
        .create_backup_selection()
        .backup_plan_id(&second)
        .backup_selection(
            BackupSelection::builder()
                .selection_name("orders")
                .iam_role_arn(ROLE)
                .resources(PLAN_DB)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    advance(&app, DAY).await;
    let jobs = backup.list_backup_jobs().send().await.unwrap();
    let states: Vec<(&str, Option<&str>)> = jobs
        .backup_jobs()
        .iter()
        .map(|j| (j.state().unwrap().as_str(), j.status_message()))
        .collect();
    assert_eq!(
        states,
        [
            ("COMPLETED", None),
            (
                "EXPIRED",
                Some("Backup job failed because there was a running job for the same resource.")
            )
        ]
    );
    let copies = backup.list_copy_jobs().send().await.unwrap();
    assert_eq!(copies.copy_jobs().len(), 1, "the expired job starts no copy");
    // Its event carries the message in escaped quotes, as AWS's EXPIRED example does.
    let (_, events) = raw(
        &app,
        "GET",
        "/_copylab/events?detail-type=Backup+Job+State+Change",
        None,
        "",
    )
    .await;
    let events: serde_json::Value = serde_json::from_slice(&events).unwrap();
    let expired = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["detail"]["state"] == "EXPIRED")
        .expect("an EXPIRED event");
    assert_eq!(
        expired["detail"]["statusMessage"],
        "\"Backup job failed because there was a running job for the same resource.\""
    );
    assert_eq!(expired["detail"]["createdBy"]["backupPlanId"], second.as_str());
}

/// An AWS example event from `tests/fixtures/events/`.
fn example_event(name: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/events/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A JSON value's shape: its members in order with their types, recursively (what must match
/// AWS's examples; values differ).
fn shape(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(members) => {
            serde_json::Value::Array(members.iter().map(|(k, v)| json!([k, shape(v)])).collect())
        }
        serde_json::Value::Array(items) => json!(["array", items.first().map(shape)]),
        serde_json::Value::String(_) => json!("string"),
        serde_json::Value::Number(_) => json!("number"),
        serde_json::Value::Bool(_) => json!("bool"),
        serde_json::Value::Null => json!("null"),
    }
}

/// A night of a plan: the backup job's and the copy job's EventBridge events, in virtual-time
/// order, in the source account, each with the members, order and JSON types of AWS's documented
/// example for its state (sizes as strings in backup-job events and as numbers in copy-job
/// events, `destinationRecoveryPointArn` `{}` until the copy exists, `createdBy` with
/// `backupPlanRuleId`); the copy's resources name the recovery point it copies, and nothing
/// after the virtual now is shown.
#[tokio::test]
async fn a_nights_jobs_emit_awss_events_in_virtual_time_order() {
    let app = server();
    let plan_id = nightly_plan(&app).await;
    let resource = json!({"arn": PLAN_DB, "encryption_key_arn": SHARED_KEY, "tags": {"backup": "nightly"}, "backup_size_in_bytes": 3221225472_u64});
    raw(&app, "POST", "/_copylab/resources", None, &resource.to_string()).await;
    let (status, none) = raw(&app, "GET", "/_copylab/events", None, "").await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&none).unwrap()["events"],
        json!([])
    );
    advance(&app, DAY).await;
    let (_, body) = raw(&app, "GET", &format!("/_copylab/events?account={SOURCE}"), None, "").await;
    let events: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let events = events["events"].as_array().unwrap();
    // A recovery point's event has `status`, not `state` (as AWS's example).
    let state_of = |e: &serde_json::Value| {
        e["detail"]["state"]
            .as_str()
            .or_else(|| e["detail"]["status"].as_str())
            .unwrap()
            .to_owned()
    };
    let seen: Vec<(String, String)> = events
        .iter()
        .map(|e| (e["detail-type"].as_str().unwrap().to_owned(), state_of(e)))
        .collect();
    let expected = [
        ("Backup Job State Change", "CREATED"),
        ("Backup Job State Change", "RUNNING"),
        ("Backup Job State Change", "COMPLETED"),
        ("Recovery Point State Change", "COMPLETED"),
        ("Copy Job State Change", "CREATED"),
        ("Copy Job State Change", "RUNNING"),
        ("Copy Job State Change", "COMPLETED"),
    ];
    assert_eq!(seen, expected.map(|(kind, state)| (kind.to_owned(), state.to_owned())));
    let times: Vec<&str> = events.iter().map(|e| e["time"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "in virtual-time order");
    for event in events {
        let (kind, state) = (event["detail-type"].as_str().unwrap(), state_of(event));
        let prefix = match kind {
            "Copy Job State Change" => "copy-job",
            "Backup Job State Change" => "backup-job",
            _ => "recovery-point",
        };
        let name = format!("{prefix}-{state}");
        let example = example_event(&name);
        // The backup job's RUNNING example is a plan's, as ours is; its COMPLETED and CREATED
        // examples carry no createdBy, and neither do ours.
        assert_eq!(shape(&event["detail"]), shape(&example["detail"]), "{name}: {event:#}");
        assert_eq!(shape(event), shape(&example), "{name}: the envelope");
        assert_eq!(event["source"], "aws.backup");
        assert_eq!(event["account"], SOURCE);
        assert_eq!(event["region"], "us-east-1");
    }
    assert_eq!(
        events[6]["resources"], events[2]["resources"],
        "the copy's resources name the recovery point the backup made"
    );
    assert_eq!(
        events[3]["resources"], events[2]["resources"],
        "the recovery point's event names it"
    );
    assert!(events[6]["detail"]["destinationRecoveryPointArn"].is_string());
    assert_eq!(events[5]["detail"]["createdBy"]["backupPlanId"], plan_id.as_str());
    assert_eq!(events[5]["detail"]["destinationRecoveryPointArn"], json!({}));
    // Filters.
    let (_, copies) = raw(
        &app,
        "GET",
        "/_copylab/events?detail-type=Copy+Job+State+Change",
        None,
        "",
    )
    .await;
    let copies: serde_json::Value = serde_json::from_slice(&copies).unwrap();
    assert_eq!(copies["events"].as_array().unwrap().len(), 3);
    let last = events[6]["time"].as_str().unwrap();
    let (_, after) = raw(&app, "GET", &format!("/_copylab/events?since={last}"), None, "").await;
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&after).unwrap()["events"],
        json!([])
    );
    let (status, _) = raw(&app, "GET", "/_copylab/events?since=yesterday", None, "").await;
    assert_eq!(status, 400);
}

/// A vault's notifications (Put, Get, Delete): a topic of another account or a FIFO topic is
/// refused; the plan's backup and copy send the topic what an SNS-subscribed Lambda receives,
/// with AWS's subject, its message for a completed backup job and its message attributes; a
/// deprecated event name is kept but sends nothing; deleted, nothing more is sent.
#[tokio::test]
async fn vault_notifications_send_awss_sns_records_for_the_vaults_jobs() {
    use aws_sdk_backup::types::BackupVaultEvent;
    let app = server();
    nightly_plan(&app).await;
    let backup = client(&app, SOURCE, "us-east-1");
    let topic = "arn:aws:sns:us-east-1:111122223333:backup-alerts";
    for (refused, why) in [
        (
            "arn:aws:sns:us-east-1:444455556666:backup-alerts",
            "another account's topic",
        ),
        ("arn:aws:sns:us-east-1:111122223333:backup-alerts.fifo", "a FIFO topic"),
    ] {
        let error = backup
            .put_backup_vault_notifications()
            .backup_vault_name("SourceVault")
            .sns_topic_arn(refused)
            .backup_vault_events(BackupVaultEvent::BackupJobCompleted)
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert_eq!(
            aws_sdk_backup::error::ProvideErrorMetadata::code(&error),
            Some("InvalidParameterValueException"),
            "{why}"
        );
    }
    assert!(
        backup
            .get_backup_vault_notifications()
            .backup_vault_name("SourceVault")
            .send()
            .await
            .is_err(),
        "none yet"
    );
    backup
        .put_backup_vault_notifications()
        .backup_vault_name("SourceVault")
        .sns_topic_arn(topic)
        .backup_vault_events(BackupVaultEvent::BackupJobCompleted)
        .backup_vault_events(BackupVaultEvent::CopyJobSuccessful)
        .backup_vault_events(BackupVaultEvent::BackupJobFailed)
        .send()
        .await
        .unwrap();
    let got = backup
        .get_backup_vault_notifications()
        .backup_vault_name("SourceVault")
        .send()
        .await
        .unwrap();
    assert_eq!(got.sns_topic_arn(), Some(topic));
    assert_eq!(got.backup_vault_events().len(), 3, "the deprecated one is kept");
    advance(&app, DAY).await;
    let (_, body) = raw(&app, "GET", "/_copylab/notifications", None, "").await;
    let sent: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let sent = sent["notifications"].as_array().unwrap();
    let states: Vec<(&str, &str)> = sent
        .iter()
        .map(|n| {
            let attributes = &n["Records"][0]["Sns"]["MessageAttributes"];
            (
                attributes["EventType"]["Value"].as_str().unwrap(),
                attributes["State"]["Value"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(states, [("BACKUP_JOB", "COMPLETED"), ("COPY_JOB", "COMPLETED")]);
    let record = &sent[0]["Records"][0];
    assert_eq!(record["EventSource"], "aws:sns");
    assert_eq!(record["Sns"]["TopicArn"], topic);
    assert_eq!(record["Sns"]["Subject"], "Notification from AWS Backup");
    let jobs = backup.list_backup_jobs().send().await.unwrap();
    let job = &jobs.backup_jobs()[0];
    assert_eq!(
        record["Sns"]["Message"],
        format!(
            "An AWS Backup job was completed successfully. Recovery point ARN: {}. Resource ARN : {PLAN_DB}. BackupJob ID : {}",
            job.recovery_point_arn().unwrap(),
            job.backup_job_id().unwrap()
        )
    );
    assert_eq!(record["Sns"]["MessageAttributes"]["AccountId"]["Value"], SOURCE);
    backup
        .delete_backup_vault_notifications()
        .backup_vault_name("SourceVault")
        .send()
        .await
        .unwrap();
    advance(&app, DAY).await;
    let (_, body) = raw(&app, "GET", "/_copylab/notifications", None, "").await;
    let after: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        after["notifications"].as_array().unwrap().len(),
        2,
        "nothing after the delete"
    );
}

/// ListCopyJobSummaries and ListBackupJobSummaries count the plan's nightly jobs per day, per
/// account for the management account with `ANY` (summed with `AGGREGATE_ALL`), the member
/// seeing its own only.
#[tokio::test]
async fn job_summaries_count_the_nightly_jobs_per_day_and_account() {
    use aws_sdk_backup::types::AggregationPeriod;
    let app = server();
    nightly_plan(&app).await;
    advance(&app, 3 * DAY).await;
    let member = client(&app, SOURCE, "us-east-1");
    let daily = member.list_copy_job_summaries().send().await.unwrap();
    let counts: Vec<(i32, &str, &str)> = daily
        .copy_job_summaries()
        .iter()
        .map(|s| (s.count(), s.state().unwrap().as_str(), s.account_id().unwrap()))
        .collect();
    assert_eq!(
        counts,
        [(1, "COMPLETED", SOURCE); 3],
        "one copy a night for three nights"
    );
    assert_eq!(daily.aggregation_period(), Some("ONE_DAY"));
    let week = member
        .list_backup_job_summaries()
        .aggregation_period(AggregationPeriod::SevenDays)
        .send()
        .await
        .unwrap();
    assert_eq!(week.backup_job_summaries().len(), 1);
    assert_eq!(week.backup_job_summaries()[0].count(), 3);
    let management = client(&app, "123456789012", "us-east-1");
    let own = management.list_copy_job_summaries().send().await.unwrap();
    assert!(
        own.copy_job_summaries().is_empty(),
        "the management account's own: none"
    );
    let any = management
        .list_copy_job_summaries()
        .account_id("ANY")
        .aggregation_period(AggregationPeriod::FourteenDays)
        .send()
        .await
        .unwrap();
    assert_eq!(any.copy_job_summaries().len(), 1);
    assert_eq!(any.copy_job_summaries()[0].account_id(), Some(SOURCE));
    assert_eq!(any.copy_job_summaries()[0].count(), 3);
    let summed = management
        .list_copy_job_summaries()
        .account_id("AGGREGATE_ALL")
        .state(aws_sdk_backup::types::CopyJobStatus::AggregateAll)
        .aggregation_period(AggregationPeriod::FourteenDays)
        .send()
        .await
        .unwrap();
    assert_eq!(summed.copy_job_summaries()[0].account_id(), Some("AGGREGATE_ALL"));
    assert_eq!(
        summed.copy_job_summaries()[0].state().unwrap().as_str(),
        "AGGREGATE_ALL"
    );
}

/// `copylab serve --events-to URL --notifications-to URL --event-pattern FILE`, in-process: a
/// night's failed copy is POSTed to the user's endpoint as the EventBridge envelope (only what
/// the pattern matches) and as the vault's SNS record; an endpoint that refuses connections
/// is retried and logged, and the API answers all along.
#[tokio::test]
async fn events_and_notifications_reach_the_users_endpoints_and_a_dead_one_breaks_nothing() {
    use copylab_server::delivery::{Targets, pattern::Pattern};
    let (address, received) = receiver().await;
    let state = shared_state();
    let app = copylab_server::app(state.clone());
    copylab_server::delivery::spawn(
        state,
        Targets {
            events: vec![format!("http://{address}/events"), "http://127.0.0.1:9/dead".to_owned()],
            notifications: vec![format!("http://{address}/sns")],
            pattern: Some(
                Pattern::parse(r#"{"detail-type": ["Copy Job State Change"], "detail": {"state": ["FAILED"]}}"#)
                    .unwrap(),
            ),
        },
    );
    nightly_plan(&app).await;
    let backup = client(&app, SOURCE, "us-east-1");
    backup
        .put_backup_vault_notifications()
        .backup_vault_name("SourceVault")
        .sns_topic_arn("arn:aws:sns:us-east-1:111122223333:backup-alerts")
        .backup_vault_events(aws_sdk_backup::types::BackupVaultEvent::CopyJobFailed)
        .send()
        .await
        .unwrap();
    drop_destination_from_shared_key(&kms(&app, SOURCE, "us-east-1")).await;
    advance(&app, DAY).await;
    let mut waited = 0;
    loop {
        let got = received.lock().unwrap().clone();
        let paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
        if paths.contains(&"/events") && paths.contains(&"/sns") {
            let event = &got.iter().find(|(p, _)| p == "/events").unwrap().1;
            assert_eq!(event["detail-type"], "Copy Job State Change");
            assert_eq!(event["detail"]["state"], "FAILED");
            assert_eq!(
                got.iter().filter(|(p, _)| p == "/events").count(),
                1,
                "only what the pattern matches"
            );
            let record = &got.iter().find(|(p, _)| p == "/sns").unwrap().1;
            assert_eq!(
                record["Records"][0]["Sns"]["MessageAttributes"]["State"]["Value"],
                "FAILED"
            );
            break;
        }
        assert!(waited < 100, "nothing delivered in 10 s: {got:?}");
        // The API answers while the dead endpoint is retried.
        let listed = backup.list_copy_jobs().send().await.unwrap();
        assert_eq!(listed.copy_jobs().len(), 1);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
}

/// `GET /_copylab/events/stream` (what `copylab events` follows): the night's events arrive as
/// server-sent events, in the log's order, while the connection stays open.
#[tokio::test]
async fn the_event_stream_delivers_a_nights_events_as_they_become_due() {
    let state = shared_state();
    let app = copylab_server::app(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = app.clone();
    tokio::spawn(async move { copylab_server::serve(listener, served).await });
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<serde_json::Value>::new()));
    let into = seen.clone();
    let follower = tokio::spawn(async move {
        copylab_server::delivery::follow(&base, |envelope| into.lock().unwrap().push(envelope)).await
    });
    nightly_plan(&app).await;
    advance(&app, DAY).await;
    let mut waited = 0;
    loop {
        let got = seen.lock().unwrap().clone();
        if got.len() >= 8 {
            // A recovery point's event has `status`, not `state`.
            let states: Vec<String> = got
                .iter()
                .map(|e| {
                    format!(
                        "{} {}",
                        e["detail-type"].as_str().unwrap(),
                        e["detail"]["state"]
                            .as_str()
                            .or_else(|| e["detail"]["status"].as_str())
                            .unwrap()
                    )
                })
                .collect();
            assert_eq!(
                states.iter().rev().take(2).map(String::as_str).collect::<Vec<_>>(),
                [
                    "Recovery Point State Change COMPLETED",
                    "Copy Job State Change COMPLETED"
                ],
                "the copy's end, then its recovery point's: {states:?}"
            );
            assert_eq!(
                states.first().map(String::as_str),
                Some("Backup Job State Change CREATED")
            );
            break;
        }
        assert!(waited < 100, "the stream gave {got:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    follower.abort();
}

/// The events of a night, as the server emits them (ids, times and ARNs from the seed and the
/// frozen clock), pinned: a change to any envelope shows in review.
#[tokio::test]
async fn events_of_a_nightly_plan() {
    let app = server();
    nightly_plan(&app).await;
    advance(&app, DAY).await;
    let (_, body) = raw(&app, "GET", "/_copylab/events", None, "").await;
    let events: serde_json::Value = serde_json::from_slice(&body).unwrap();
    insta::assert_json_snapshot!("events_of_a_nightly_plan", events);
}

/// Under every progression, each copy job's events come in order (CREATED, RUNNING, then its end
/// state), exactly one per transition, the end's `completionDate` the job's `CompletionDate`
/// and its `creationDate` the job's `CreationDate`.
#[tokio::test]
async fn each_jobs_events_are_one_per_transition_in_order_with_the_jobs_dates() {
    for progression in [Progression::Instant, Progression::Polls(2), Progression::Realtime(60.0)] {
        let app = router(default_world(), 1, None, Wording::Current, progression);
        nightly_plan(&app).await;
        advance(&app, 2 * DAY).await;
        let backup = client(&app, SOURCE, "us-east-1");
        // Poll each job to its end (polls:N moves by polls; realtime by the clock).
        advance(&app, 3_600).await;
        let jobs = backup.list_copy_jobs().send().await.unwrap();
        for job in jobs.copy_jobs() {
            let id = job.copy_job_id().unwrap();
            let mut end = None;
            for _ in 0..10 {
                let described = backup
                    .describe_copy_job()
                    .copy_job_id(id)
                    .send()
                    .await
                    .unwrap()
                    .copy_job
                    .unwrap();
                if matches!(described.state().unwrap().as_str(), "COMPLETED" | "FAILED" | "PARTIAL") {
                    end = Some(described);
                    break;
                }
            }
            let end = end.expect("the job ends");
            let (_, body) = raw(
                &app,
                "GET",
                "/_copylab/events?detail-type=Copy+Job+State+Change",
                None,
                "",
            )
            .await;
            let events: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let created = aws_sdk_backup::primitives::DateTime::from_secs(end.creation_date().unwrap().secs());
            // CREATED carries no copyJobId (AWS's example): it is the one with this job's date
            // and vaults just before this job's RUNNING.
            let mine: Vec<&serde_json::Value> = events["events"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["detail"]["copyJobId"] == id)
                .collect();
            let states: Vec<&str> = mine.iter().map(|e| e["detail"]["state"].as_str().unwrap()).collect();
            assert_eq!(states, ["RUNNING", end.state().unwrap().as_str()], "{progression:?}");
            let completion = mine[1]["detail"]["completionDate"].as_str().unwrap();
            assert_eq!(
                &completion[..19],
                &copylab_server::clock::iso8601(end.completion_date().unwrap().as_secs_f64())[..19],
                "{progression:?}"
            );
            assert_eq!(
                &mine[0]["detail"]["creationDate"].as_str().unwrap()[..19],
                &copylab_server::clock::iso8601(created.as_secs_f64())[..19]
            );
            let creates = events["events"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| {
                    e["detail"]["state"] == "CREATED"
                        && e["detail"]["creationDate"] == mine[0]["detail"]["creationDate"]
                })
                .count();
            assert!(creates >= 1, "a CREATED event for the job");
        }
    }
}

/// AWS's FAILED examples reproduced: a plan's rule whose vault does not exist makes a backup
/// job that fails with the example's message ("Backup job failed because backup vault ... does
/// not exist.", in escaped quotes in the event), and a hand-started copy that fails has the
/// FAILED copy example's members, order and types.
#[tokio::test]
async fn failed_backup_and_copy_jobs_emit_awss_failed_examples() {
    let app = server();
    let resource = json!({"arn": PLAN_DB, "encryption_key_arn": SHARED_KEY, "backup_size_in_bytes": 36048});
    raw(&app, "POST", "/_copylab/resources", None, &resource.to_string()).await;
    let backup = client(&app, SOURCE, "us-east-1");
    let plan = BackupPlanInput::builder()
        .backup_plan_name("into-nowhere")
        .rules(
            BackupRuleInput::builder()
                .rule_name("nightly")
                .target_backup_vault_name("NoSuchVault")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let plan_id = backup
        .create_backup_plan()
        .backup_plan(plan)
        .send()
        .await
        .unwrap()
        .backup_plan_id()
        .unwrap()
        .to_owned();
    backup
        .create_backup_selection()
        .backup_plan_id(&plan_id)
        .backup_selection(
            BackupSelection::builder()
                .selection_name("db")
                .iam_role_arn(ROLE)
                .resources(PLAN_DB)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    advance(&app, DAY).await;
    let jobs = backup.list_backup_jobs().send().await.unwrap();
    let job = &jobs.backup_jobs()[0];
    assert_eq!(job.state().unwrap().as_str(), "FAILED");
    let message = "Backup job failed because backup vault arn:aws:backup:us-east-1:111122223333:backup-vault:NoSuchVault does not exist.";
    assert_eq!(job.status_message(), Some(message));
    // A hand-started copy that fails (the EBS snapshot under aws/ebs, cross-account).
    backup
        .start_copy_job()
        .recovery_point_arn("arn:aws:ec2:us-east-1::snapshot/snap-0a1b2c3d4e5f60718")
        .source_backup_vault_name("SourceVault")
        .destination_backup_vault_arn(DESTINATION)
        .iam_role_arn(ROLE)
        .send()
        .await
        .unwrap();
    let (_, body) = raw(&app, "GET", "/_copylab/events", None, "").await;
    let events: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let find = |kind: &str| {
        events["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["detail-type"] == kind && e["detail"]["state"] == "FAILED")
            .unwrap_or_else(|| panic!("a FAILED {kind}: {events}"))
            .clone()
    };
    let mut failed_backup = find("Backup Job State Change");
    assert_eq!(failed_backup["detail"]["statusMessage"], format!("\"{message}\""));
    // AWS's example is a hand-started job's: the same, but for the plan's createdBy.
    failed_backup["detail"].as_object_mut().unwrap().remove("createdBy");
    assert_eq!(
        shape(&failed_backup),
        shape(&example_event("backup-job-FAILED")),
        "{failed_backup:#}"
    );
    let failed_copy = find("Copy Job State Change");
    assert_eq!(
        shape(&failed_copy),
        shape(&example_event("copy-job-FAILED")),
        "{failed_copy:#}"
    );
}

/// Without a pattern, the user's endpoint receives every event of the log exactly once, in the
/// log's order.
#[tokio::test]
async fn every_event_reaches_the_endpoint_once_in_order() {
    let (address, received) = receiver().await;
    let state = shared_state();
    let app = copylab_server::app(state.clone());
    copylab_server::delivery::spawn(
        state,
        copylab_server::delivery::Targets {
            events: vec![format!("http://{address}/events")],
            ..Default::default()
        },
    );
    nightly_plan(&app).await;
    advance(&app, 2 * DAY).await;
    let (_, body) = raw(&app, "GET", "/_copylab/events", None, "").await;
    let logged: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let logged = logged["events"].as_array().unwrap().clone();
    assert!(logged.len() >= 14, "two nights of events: {}", logged.len());
    let mut waited = 0;
    while received.lock().unwrap().len() < logged.len() && waited < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let ids = |events: &[serde_json::Value]| -> Vec<String> {
        events.iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect()
    };
    let bodies: Vec<serde_json::Value> = received.lock().unwrap().iter().map(|(_, body)| body.clone()).collect();
    assert_eq!(ids(&bodies), ids(&logged), "each once, in the log's order");
}

/// `GET /_copylab/state` given to a fresh server (`POST /_copylab/scenario`, as `copylab serve
/// --scenario FILE` does at start): the same jobs, diagnoses, backup jobs, KMS keys and clock,
/// byte for byte, and from there the same nights as the original, ids included.
#[tokio::test]
async fn a_state_document_restored_in_a_fresh_server_goes_on_as_the_original_would() {
    let original = server();
    nightly_plan(&original).await;
    advance(&original, 2 * DAY).await;
    drop_destination_from_shared_key(&kms(&original, SOURCE, "us-east-1")).await;
    let key = kms(&original, SOURCE, "us-east-1")
        .create_key()
        .description("ledger backups")
        .send()
        .await
        .unwrap();
    let key_id = key.key_metadata().unwrap().key_id().to_owned();
    advance(&original, DAY).await;
    let (status, document) = raw(&original, "GET", "/_copylab/state", None, "").await;
    assert_eq!(status, 200);
    let text = String::from_utf8(document).unwrap();
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(state["format"], "copylab-state-document");
    let states: Vec<&str> = state["copy_jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["COMPLETED", "COMPLETED", "FAILED"]);
    // Each night's copy was decided on its own day, about its own recovery point.
    assert_eq!(state["decisions"].as_array().unwrap().len(), 3);

    let restored = server();
    let (status, loaded) = raw(&restored, "POST", "/_copylab/scenario", None, &text).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&loaded));
    let (_, again) = raw(&restored, "GET", "/_copylab/state", None, "").await;
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&again).unwrap(), state);
    // Each answer, asked of both in the same order (request ids come from the same stream).
    let ids: Vec<String> = state["copy_jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["record"]["id"].as_str().unwrap().to_owned())
        .collect();
    let mut asked = vec![
        ("GET", "/copy-jobs/".to_owned(), Some(SOURCE)),
        ("GET", "/backup-jobs/".to_owned(), Some(SOURCE)),
        ("GET", "/backup/plans/".to_owned(), Some(SOURCE)),
    ];
    for id in &ids {
        asked.push(("GET", format!("/copy-jobs/{id}"), Some(SOURCE)));
        asked.push(("GET", format!("/_copylab/copy-jobs/{id}/diagnosis"), None));
    }
    for (method, path, account) in &asked {
        let (a, b) = (
            raw(&original, method, path, *account, "").await,
            raw(&restored, method, path, *account, "").await,
        );
        assert_eq!(a.0, 200, "{path}: {}", String::from_utf8_lossy(&a.1));
        assert_eq!(String::from_utf8_lossy(&a.1), String::from_utf8_lossy(&b.1), "{path}");
    }
    let failed = &ids[2];
    let (_, diagnosis) = raw(
        &restored,
        "GET",
        &format!("/_copylab/copy-jobs/{failed}/diagnosis"),
        None,
        "",
    )
    .await;
    let diagnosis: serde_json::Value = serde_json::from_slice(&diagnosis).unwrap();
    assert_eq!(diagnosis["failed_check"], "source-key-policy", "{diagnosis}");
    let described = |app: axum::Router| {
        let key_id = key_id.clone();
        async move {
            kms(&app, SOURCE, "us-east-1")
                .describe_key()
                .key_id(key_id)
                .send()
                .await
                .unwrap()
                .key_metadata
                .unwrap()
        }
    };
    let (a, b) = (described(original.clone()).await, described(restored.clone()).await);
    assert_eq!(b.description(), Some("ledger backups"));
    assert_eq!(a, b);
    // The next night, in both: the same new jobs with the same ids.
    advance(&original, DAY).await;
    advance(&restored, DAY).await;
    let (_, a) = raw(&original, "GET", "/copy-jobs/", Some(SOURCE), "").await;
    let (_, b) = raw(&restored, "GET", "/copy-jobs/", Some(SOURCE), "").await;
    let listed: serde_json::Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(listed["CopyJobs"].as_array().unwrap().len(), 4, "{listed}");
    assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
    let (_, a) = raw(&original, "GET", "/_copylab/state", None, "").await;
    let (_, b) = raw(&restored, "GET", "/_copylab/state", None, "").await;
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&a).unwrap(),
        serde_json::from_slice::<serde_json::Value>(&b).unwrap()
    );
}

/// A state document that does not fit is refused with where and why, and changes nothing: a
/// newer version, a job naming a decision the document lacks, a message id the catalog lacks.
#[tokio::test]
async fn a_state_document_that_does_not_fit_is_refused_and_changes_nothing() {
    let app = server();
    nightly_plan(&app).await;
    advance(&app, DAY).await;
    let (_, document) = raw(&app, "GET", "/_copylab/state", None, "").await;
    let state: serde_json::Value = serde_json::from_slice(&document).unwrap();
    let changed = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut document = state.clone();
        edit(&mut document);
        serde_json::to_string_pretty(&document).unwrap()
    };
    let cases = [
        (
            changed(&|d| d["version"] = json!(2)),
            "written by a newer copylab (state document version 2; this copylab reads version 1)",
        ),
        (
            changed(&|d| d["copy_jobs"][0]["decision"] = json!(7)),
            "copy_jobs[0]: decision 7 is not in `decisions`",
        ),
        (
            changed(&|d| d["copy_jobs"][0]["record"]["outcome"]["message_category"] = json!("NOPE")),
            "message_category `NOPE` is not one a copy job has",
        ),
        (
            // A job its own nested job would end only once its nested job has: never.
            changed(&|d| {
                let id = d["copy_jobs"][0]["record"]["id"].clone();
                d["copy_jobs"][0]["record"]["children"] = json!([id]);
            }),
            "does not name it its parent",
        ),
        (
            changed(&|d| d["ids_drawn"] = json!(u64::MAX)),
            "is more than a server draws",
        ),
        (
            changed(&|d| d["copy_jobs"][0]["record"]["polls"] = json!("many")),
            "not a state document: invalid type: string \"many\", expected u32",
        ),
        (
            "{\"format\": \"copylab-state-document\", \"version\": 1,".to_owned(),
            "the body is not JSON: EOF while parsing a value at line 1 column 50",
        ),
    ];
    for (body, expected) in cases {
        let (status, answer) = raw(&app, "POST", "/_copylab/scenario", None, &body).await;
        let answer: serde_json::Value = serde_json::from_slice(&answer).unwrap();
        assert_eq!(status, 400, "{answer}");
        let message = answer["Message"].as_str().unwrap();
        assert!(message.contains(expected), "{message}\nexpected: {expected}");
        let (_, now) = raw(&app, "GET", "/_copylab/state", None, "").await;
        let now: serde_json::Value = serde_json::from_slice(&now).unwrap();
        let differing: Vec<&String> = now
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| now[k.as_str()] != state[k.as_str()])
            .collect();
        assert!(differing.is_empty(), "{expected}: {differing:?}");
    }
}

/// Copies decided together (`ServerState::decide_all`) get the verdicts of deciding each alone,
/// in order, ids included (each decision's ids come from its own options, drawn in order).
#[test]
fn copies_decided_together_get_the_verdicts_they_get_one_at_a_time() {
    let mut state =
        copylab_server::state::ServerState::new(default_world(), 7, None, Wording::Current, Progression::Instant);
    let points: Vec<String> = state.world().recovery_points.iter().map(|rp| rp.arn.clone()).collect();
    let vaults = [
        "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault",
        "arn:aws:backup:us-east-1:444455556666:backup-vault:UnsharedVault",
        "arn:aws:backup:us-east-1:777788889999:backup-vault:OutsideVault",
    ];
    let requests: Vec<copylab_rules::StartCopyJob> = (0..48)
        .map(|i| copylab_rules::StartCopyJob {
            account: SOURCE.to_owned(),
            caller: None,
            region: "us-east-1".to_owned(),
            recovery_point_arn: Some(points[i % points.len()].clone()),
            source_backup_vault_name: Some("SourceVault".to_owned()),
            destination_backup_vault_arn: Some(vaults[i % vaults.len()].to_owned()),
            iam_role_arn: Some(ROLE.to_owned()),
            lifecycle: None,
        })
        .collect();
    let options: Vec<copylab_rules::Options> = requests.iter().map(|_| state.decision_options()).collect();
    let batch: Vec<_> = requests.iter().zip(&options).collect();
    let together: Vec<_> = state.decide_all(&batch).into_iter().map(|d| d.verdict).collect();
    let alone: Vec<_> = batch
        .iter()
        .map(|one| state.decide_all(&[*one]).remove(0).verdict)
        .collect();
    assert_eq!(together.len(), 48);
    let json = |verdicts: &[copylab_rules::Verdict]| serde_json::to_value(verdicts).unwrap();
    assert_eq!(json(&together), json(&alone));
    let states: std::collections::BTreeSet<_> = together.iter().map(|v| format!("{:?}", v.outcome.state())).collect();
    assert!(states.len() > 1, "completed and failed copies both: {states:?}");
}
