//! The lab's words that need no page: a check's name, a scenario's summary in a sentence, an exercise's hints, in the page's language (the terminal quiz uses them too).

use crate::exercises::Exercise;
use crate::i18n::{self, Lang};

/// The localized name of a check.
pub fn check_name(lang: Lang, id: &str) -> String {
    i18n::tr(lang, &format!("check-{id}"), &[])
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
