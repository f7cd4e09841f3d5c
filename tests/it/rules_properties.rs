//! Property tests over generated worlds: the reported message is the first failing check's; remedies fix their check without breaking an earlier one and, repeated, reach COMPLETED; removing what a remedy added breaks the check again; outcomes are deterministic; a trusted world (policies parsed on first use) gives the checked world's verdict; checking a change answers as checking the whole changed world; adding an Allow never turns COMPLETED into FAILED; and generated worlds reach every producible message.
//!
//! Every run prints its seed (`proptest seed=N`); rerun with `PROPTEST_RNG_SEED=N`. Shrunk
//! failures are saved to `tests/it/rules_properties.proptest-regressions`.

use std::collections::BTreeMap;

use copylab_rules::catalog::{self, MESSAGES, Reach};
use copylab_rules::engine::{CheckResult, Options, Outcome, Verdict};
use copylab_rules::generate::{self, Generated};
use copylab_rules::remedy::{self, Patch};
use copylab_rules::world::CopyJobState;
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Value, json};

fn config() -> Config {
    crate::proptest_config(192, "tests/it/rules_properties.proptest-regressions")
}

fn verdict(g: &Generated) -> Verdict {
    let options = Options {
        as_of: Some(g.as_of.clone()),
        seed: 7,
        wording: Default::default(),
    };
    copylab_rules::simulate(&g.world, &g.request, &options).expect("generated worlds are valid")
}

fn results(v: &Verdict) -> Vec<(&'static str, CheckResult)> {
    v.checks.iter().map(|c| (c.id, c.result)).collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn reported_message_is_the_catalog_message_of_the_first_failing_check(seed in any::<u64>()) {
        let g = generate::world(seed);
        let v = verdict(&g);
        let first = v.checks.iter().find(|c| c.result == CheckResult::Fail);
        match (&v.outcome, first) {
            (Outcome::CopyJob { state: CopyJobState::Completed, .. }, None) => {}
            (_, Some(check)) => {
                prop_assert_eq!(v.failed_check, Some(check.id));
                let message = check.message.as_ref().expect("a failed check names its message");
                prop_assert_eq!(v.outcome.message_id(), Some(message.id));
                let row = catalog::message(message.id).expect("catalog row");
                prop_assert_eq!(v.outcome.message().map(str::to_owned), Some(catalog::render(row.text, &message.args)));
            }
            (outcome, None) => prop_assert!(false, "no failed check but {:?}", outcome),
        }
    }

    #[test]
    fn remedies_fix_their_check_and_repeated_reach_completed(seed in any::<u64>()) {
        let mut g = generate::world(seed);
        let mut v = verdict(&g);
        for _ in 0..16 {
            if v.outcome.state() == Some(CopyJobState::Completed) {
                return Ok(());
            }
            let failed = v.failed().expect("a failure names its check").clone();
            let Some(remedy) = failed.remedy.clone() else {
                // Synchronous request errors: the request itself is wrong.
                prop_assert_eq!(failed.id, "request");
                return Ok(());
            };
            if !remedy.is_fixable() {
                prop_assert!(!remedy.alternatives.is_empty(), "{}: an unfixable failure must give alternatives", failed.id);
                return Ok(());
            }
            let before = results(&v);
            for patch in &remedy.patches {
                remedy::apply(&mut g.world, &mut g.request, patch).map_err(|e| TestCaseError::fail(format!("{}: {e}", failed.id)))?;
            }
            let after_verdict = verdict(&g);
            let after = results(&after_verdict);
            let index = before.iter().position(|(id, _)| *id == failed.id).expect("check listed");
            prop_assert_ne!(after[index].1, CheckResult::Fail, "{}: still failing after its remedy ({:?})", failed.id, g.variations);
            for (id, result) in after.iter().take(index) {
                prop_assert_ne!(*result, CheckResult::Fail, "{}'s remedy broke the earlier check {} ({:?})", failed.id, id, g.variations);
            }
            v = after_verdict;
        }
        prop_assert!(false, "no COMPLETED after 16 remedies: {:?}", g.variations);
    }

    #[test]
    fn removing_what_a_remedy_added_fails_the_check_again(seed in any::<u64>()) {
        let mut g = generate::world(seed);
        let v = verdict(&g);
        let Some(failed) = v.failed().cloned() else { return Ok(()) };
        let Some(remedy) = failed.remedy.clone() else { return Ok(()) };
        for patch in &remedy.patches {
            remedy::apply(&mut g.world, &mut g.request, patch).unwrap();
        }
        let fixed = g.clone();
        for patch in &remedy.patches {
            for variant in without_one_addition(patch) {
                let mut broken = fixed.clone();
                undo_addition(&mut broken, patch, &variant);
                let again = verdict(&broken);
                let result = again.checks.iter().find(|c| c.id == failed.id).map(|c| c.result);
                prop_assert_eq!(result, Some(CheckResult::Fail), "{} passes without {:?}", failed.id, variant);
            }
        }
    }

    #[test]
    fn outcomes_are_deterministic(seed in any::<u64>()) {
        let g = generate::world(seed);
        let first = serde_json::to_string(&verdict(&g)).unwrap();
        let second = serde_json::to_string(&verdict(&generate::world(seed))).unwrap();
        prop_assert_eq!(first, second);
    }

    /// A plan run decides its copies while it holds the night's new recovery points beside the
    /// world (`PreparedWorld::simulate_with`): the verdict, remedies and their commands included,
    /// is the world's with the recovery point appended.
    #[test]
    fn a_recovery_point_beside_the_world_decides_as_the_world_with_it_appended(seed in any::<u64>()) {
        let g = generate::world(seed);
        let options = Options { as_of: Some(g.as_of.clone()), seed: 7, wording: Default::default() };
        let arn = g.request.recovery_point_arn.clone().unwrap_or_default();
        let (mut appended, mut without) = (g.world.clone(), g.world.clone());
        let Some(at) = g.world.recovery_points.iter().position(|rp| rp.arn == arn) else {
            return Ok(());
        };
        let point = without.recovery_points.remove(at);
        let moved = appended.recovery_points.remove(at);
        appended.recovery_points.push(moved);
        let whole = serde_json::to_string(&copylab_rules::PreparedWorld::trusted(&appended).simulate(&g.request, &options)).unwrap();
        let beside = serde_json::to_string(
            &copylab_rules::PreparedWorld::trusted(&without).simulate_with(&g.request, &options, Some(&point)),
        )
        .unwrap();
        prop_assert_eq!(whole, beside);
    }

    #[test]
    fn a_trusted_world_parsing_policies_on_first_use_gives_the_checked_worlds_verdict(seed in any::<u64>()) {
        let g = generate::world(seed);
        let options = Options { as_of: Some(g.as_of.clone()), seed: 7, wording: Default::default() };
        let checked = copylab_rules::PreparedWorld::new(&g.world).expect("generated worlds are valid");
        let eager = serde_json::to_string(&checked.simulate(&g.request, &options)).unwrap();
        let lazy = serde_json::to_string(&copylab_rules::PreparedWorld::trusted(&g.world).simulate(&g.request, &options)).unwrap();
        prop_assert_eq!(eager, lazy);
    }

    #[test]
    fn checking_a_change_answers_as_checking_the_whole_changed_world(seed in any::<u64>(), change in 0usize..6, broken in any::<bool>()) {
        let g = generate::world(seed);
        let mut after = g.world.clone();
        let policy = if broken {
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt"}]})
        } else {
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::777788889999:root"}, "Action": "*", "Resource": "*"}]})
        };
        let document = |v: Value| serde_json::from_value(v).expect("a policy document");
        match change {
            0 => if let Some(key) = after.keys.first_mut() { key.policy = Some(document(policy)) },
            1 => if let Some(vault) = after.vaults.last_mut() { vault.access_policy = Some(document(policy)) },
            2 => if let Some(vault) = after.vaults.first().cloned() { after.vaults.push(vault) },
            3 => if let Some(key) = after.keys.first().cloned() {
                let mut key = key;
                key.arn = format!("{}0", key.arn);
                key.policy = Some(document(policy));
                after.keys.push(key);
            },
            4 => if let Some(role) = after.roles.first_mut() { role.arn = "arn:aws:iam::111122223333:user/not-a-role".into() },
            _ => if let Some(vault) = after.vaults.first_mut() { vault.name = "not a name!".into() },
        }
        let whole = copylab_rules::PreparedWorld::new(&after).map(|_| ()).map_err(|e| e.to_string());
        let change_only = copylab_rules::PreparedWorld::check_change(&g.world, &after).map_err(|e| e.to_string());
        prop_assert_eq!(change_only, whole);
    }

    #[test]
    fn adding_an_allow_never_turns_completed_into_failed(seed in any::<u64>(), target in 0usize..3) {
        let mut g = generate::world(seed);
        if verdict(&g).outcome.state() != Some(CopyJobState::Completed) {
            return Ok(());
        }
        let allow = json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::777788889999:root"}, "Action": "kms:Decrypt", "Resource": "*"});
        match target {
            0 => {
                if let Some(policy) = g.world.keys[0].policy.as_mut()
                    && let Some(list) = policy.0.get_mut("Statement").and_then(Value::as_array_mut) {
                        list.push(allow);
                    }
            }
            1 => {
                if let Some(policy) = g.world.vaults[1].access_policy.as_mut()
                    && let Some(list) = policy.0.get_mut("Statement").and_then(Value::as_array_mut) {
                        list.push(json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::777788889999:root"}, "Action": "backup:CopyIntoBackupVault", "Resource": "*"}));
                    }
            }
            _ => {
                if let Some(role) = g.world.roles.first_mut() {
                    role.policies.push(copylab_rules::world::InlinePolicy {
                        name: "AllowBackup".to_owned(),
                        document: copylab_rules::world::PolicyDocument(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "backup:*", "Resource": "*"}]})),
                    });
                }
            }
        }
        prop_assert_eq!(verdict(&g).outcome.state(), Some(CopyJobState::Completed));
    }
}

/// For a patch that adds statements: one variant per added statement (drop it) and per action of
/// a multi-action statement (drop that action).
fn without_one_addition(patch: &Patch) -> Vec<(usize, Option<usize>)> {
    let statements: &[Value] = match patch {
        Patch::AddKeyPolicyStatements { statements, .. } | Patch::AddVaultAccessPolicyStatements { statements, .. } => {
            statements
        }
        Patch::AddRolePolicy { policy, .. } => policy["Statement"].as_array().map_or(&[], Vec::as_slice),
        _ => &[],
    };
    let mut variants = Vec::new();
    for (i, statement) in statements.iter().enumerate() {
        variants.push((i, None));
        if let Some(actions) = statement["Action"].as_array()
            && actions.len() > 1
        {
            variants.extend((0..actions.len()).map(|a| (i, Some(a))));
        }
    }
    variants
}

/// Removes one added statement (or one action of it) from the world, after the patch applied:
/// the statements the patch added are the last ones of the policy.
fn undo_addition(g: &mut Generated, patch: &Patch, (statement, action): &(usize, Option<usize>)) {
    let (list, added): (Option<&mut Vec<Value>>, usize) = match patch {
        Patch::AddKeyPolicyStatements { key_arn, statements } => (
            g.world
                .keys
                .iter_mut()
                .find(|k| k.arn == *key_arn)
                .and_then(|k| k.policy.as_mut())
                .and_then(|p| p.0.get_mut("Statement"))
                .and_then(Value::as_array_mut),
            statements.len(),
        ),
        Patch::AddVaultAccessPolicyStatements { vault_arn, statements } => (
            g.world
                .vaults
                .iter_mut()
                .find(|v| vault_arn.ends_with(&format!(":backup-vault:{}", v.name)) && vault_arn.contains(&v.account))
                .and_then(|v| v.access_policy.as_mut())
                .and_then(|p| p.0.get_mut("Statement"))
                .and_then(Value::as_array_mut),
            statements.len(),
        ),
        Patch::AddRolePolicy {
            role_arn,
            policy_name,
            policy,
        } => (
            g.world
                .roles
                .iter_mut()
                .find(|r| r.arn == *role_arn)
                .and_then(|r| r.policies.iter_mut().find(|p| p.name == *policy_name))
                .and_then(|p| p.document.0.get_mut("Statement"))
                .and_then(Value::as_array_mut),
            policy["Statement"].as_array().map_or(0, Vec::len),
        ),
        _ => (None, 0),
    };
    let Some(list) = list else { return };
    let index = list.len() - added + statement;
    match action {
        None => {
            list.remove(index);
        }
        Some(a) => {
            if let Some(actions) = list[index]["Action"].as_array_mut() {
                actions.remove(*a);
            }
        }
    }
}

/// Generated worlds reach every producible message (the counts are printed).
#[test]
fn generated_worlds_reach_every_producible_message() {
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    for seed in 0..4000u64 {
        let v = verdict(&generate::world(seed));
        *counts.entry(v.outcome.message_id().unwrap_or("COMPLETED")).or_default() += 1;
    }
    eprintln!("messages over 4000 generated worlds: {counts:#?}");
    let unreached: Vec<&str> = MESSAGES
        .iter()
        .filter(|m| m.reach == Reach::Producible && !counts.contains_key(m.id))
        .map(|m| m.id)
        .collect();
    assert!(unreached.is_empty(), "no generated world produces: {unreached:?}");
    assert!(
        counts.get("COMPLETED").copied().unwrap_or(0) > 400,
        "too few successes: {counts:?}"
    );
}

/// A recovery point of a generated list: vault `A` or `B`, an account or none, maybe the
/// nested point of an earlier one, maybe an ARN another point has too.
fn recovery_point(i: usize, vault: bool, account: bool, parent: Option<usize>, same_arn_as: Option<usize>) -> Value {
    json!({
        "arn": format!("arn:aws:backup:us-east-1:111122223333:recovery-point:rp-{}", same_arn_as.unwrap_or(i)),
        "vault": if vault { "A" } else { "B" },
        "account": account.then_some("111122223333"),
        "resource_type": "EBS",
        "resource_arn": "arn:aws:ec2:us-east-1:111122223333:volume/vol-0",
        "parent_recovery_point_arn": parent.map(|p| format!("arn:aws:backup:us-east-1:111122223333:recovery-point:rp-{p}")),
    })
}

proptest! {
    #![proptest_config(config())]

    /// The server's kept index follows a lifecycle's deletions (`WorldIndex::remove_recovery_points`)
    /// and then answers as an index made afresh on the world without them: every name, parent
    /// and vault count.
    #[test]
    fn a_kept_index_after_deletions_answers_as_a_fresh_one(
        points in prop::collection::vec((any::<bool>(), any::<bool>(), any::<u8>(), any::<u8>()), 1..40),
        removing in prop::collection::vec(any::<bool>(), 40),
        run in prop::option::of((0usize..40, 1usize..40)),
    ) {
        let list: Vec<Value> = points
            .iter()
            .enumerate()
            .map(|(i, &(vault, account, parent, same))| {
                let earlier = |n: u8| (i > 0 && n.is_multiple_of(3)).then(|| usize::from(n) % i);
                recovery_point(i, vault, account, earlier(parent), earlier(same.wrapping_add(1)).filter(|_| same.is_multiple_of(5)))
            })
            .collect();
        let mut world: copylab_rules::World = serde_json::from_value(json!({"recovery_points": list})).unwrap();
        let index = copylab_rules::WorldIndex::new(&world);
        let arns: Vec<String> = world.recovery_points.iter().map(|rp| rp.arn.clone()).collect();
        // Indexed as the server's lookups index them.
        index.recovery_points_named(&world, &arns[0]);
        // Some places, or a run of them (as a lifecycle deletes the oldest).
        let removed: Vec<usize> = match run {
            Some((from, length)) => (from..from + length).take_while(|&i| i < world.recovery_points.len()).collect(),
            None => (0..world.recovery_points.len()).filter(|&i| removing[i]).collect(),
        };
        index.remove_recovery_points(&world, &removed).run();
        let mut place = 0;
        world.recovery_points.retain(|_| {
            let kept = removed.binary_search(&place).is_err();
            place += 1;
            kept
        });
        let fresh = copylab_rules::WorldIndex::new(&world);
        for arn in &arns {
            prop_assert_eq!(index.recovery_points_named(&world, arn), fresh.recovery_points_named(&world, arn));
            prop_assert_eq!(index.nested_recovery_points(&world, arn), fresh.nested_recovery_points(&world, arn));
        }
        for vault in ["A", "B"] {
            prop_assert_eq!(
                index.recovery_points_in(&world, "111122223333", vault),
                fresh.recovery_points_in(&world, "111122223333", vault)
            );
        }
    }
}
