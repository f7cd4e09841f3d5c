//! The lab's words that need no page: a check's name, an exercise's neutral title, a scenario's summary in a sentence, an exercise's hints, in the page's language (the terminal quiz uses them too).

use crate::exercises::Exercise;
use crate::i18n::{self, Lang};

/// The localized name of a check.
pub fn check_name(lang: Lang, id: &str) -> String {
    i18n::tr(lang, &format!("check-{id}"), &[])
}

/// Where a copy goes, in the words of the catalog's groups and the titles: `same-account` (another
/// vault of the same account and Region), `cross-account`, `cross-region`,
/// `cross-account-region`, or `unknown` when the request names no valid destination vault ARN.
pub const SCOPES: [&str; 5] = [
    "same-account",
    "cross-account",
    "cross-region",
    "cross-account-region",
    "unknown",
];

/// The scenario's scope, one of [`SCOPES`]: from the request's account and Region and the
/// destination vault's ARN, nothing else.
pub fn scope(scenario: &copylab_rules::Scenario) -> &'static str {
    let request = &scenario.copy_job;
    let destination = request.destination_backup_vault_arn.as_deref().unwrap_or_default();
    match (
        copylab_rules::arn::account(destination),
        copylab_rules::arn::region(destination),
    ) {
        (Some(account), Some(region)) => match (account == request.account, region == request.region) {
            (true, true) => "same-account",
            (false, true) => "cross-account",
            (true, false) => "cross-region",
            (false, false) => "cross-account-region",
        },
        _ => "unknown",
    }
}

/// The exercise's neutral title: the situation (the resource type, where the copy goes, the
/// Regions), never the failing check or its cause, so it is made of the scenario's data only,
/// never of its name or description (which usually state the cause).
pub fn title(scenario: &copylab_rules::Scenario, lang: Lang) -> String {
    let request = &scenario.copy_job;
    let what = scenario
        .world
        .recovery_points
        .iter()
        .find(|r| Some(&r.arn) == request.recovery_point_arn.as_ref())
        .map_or_else(
            || i18n::tr(lang, "title-resource-unknown", &[]),
            |r| i18n::tr(lang, "title-resource", &[("resource", r.resource_type.clone())]),
        );
    let destination_region = request
        .destination_backup_vault_arn
        .as_deref()
        .and_then(copylab_rules::arn::region)
        .unwrap_or_default()
        .to_owned();
    i18n::tr(
        lang,
        &format!("title-{}", scope(scenario)),
        &[
            ("what", what),
            ("source_region", request.region.clone()),
            ("destination_region", destination_region),
        ],
    )
}

/// The setup in a sentence: what is copied from where to where, with which role.
pub fn summary(scenario: &copylab_rules::Scenario, lang: Lang) -> String {
    summary_with(scenario, lang, false)
}

/// [`summary`]; `short` names the recovery point and the role by their last segment (for a
/// terminal of 80 columns).
pub fn summary_with(scenario: &copylab_rules::Scenario, lang: Lang, short: bool) -> String {
    let cut = |arn: String| {
        if short {
            arn.rsplit(['/', ':']).next().unwrap_or_default().to_owned()
        } else {
            arn
        }
    };
    let request = &scenario.copy_job;
    let recovery_point = scenario
        .world
        .recovery_points
        .iter()
        .find(|r| Some(&r.arn) == request.recovery_point_arn.as_ref());
    let destination = request.destination_backup_vault_arn.clone().unwrap_or_default();
    let arn = copylab_rules::arn::Arn::lenient(&destination);
    i18n::tr(
        lang,
        "world-summary",
        &[
            (
                "resource",
                recovery_point.map_or_else(|| "?".to_owned(), |r| r.resource_type.clone()),
            ),
            ("arn", cut(request.recovery_point_arn.clone().unwrap_or_default())),
            ("vault", request.source_backup_vault_name.clone().unwrap_or_default()),
            ("source", request.account.clone()),
            ("source_region", request.region.clone()),
            ("destination_vault", arn.vault_name().unwrap_or_default().to_owned()),
            ("destination", arn.account.to_owned()),
            ("destination_region", arn.region.to_owned()),
            ("role", cut(request.iam_role_arn.clone().unwrap_or_default())),
        ],
    )
}

/// The hints, one at a time: where to look, what was found, then what to change.
pub fn hints(exercise: &Exercise, lang: Lang) -> Vec<String> {
    let Some(failed) = exercise.verdict.failed() else {
        return Vec::new();
    };
    let mut hints = Vec::new();
    if let Some(first) = failed.evidence.first() {
        hints.push(i18n::text(lang, first));
    }
    for evidence in failed.evidence.iter().skip(1).take(2) {
        hints.push(i18n::text(lang, evidence));
    }
    hints.push(check_name(lang, failed.id));
    if let Some(remedy) = &failed.remedy {
        hints.push(i18n::text(lang, &remedy.summary));
    }
    hints
}
