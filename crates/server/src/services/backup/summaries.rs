//! ListCopyJobSummaries and ListBackupJobSummaries (issue 14, item 4): job counts by Region, account, state, resource type and message category over the last 14 days of the virtual clock, daily (`ONE_DAY`) or in one window (`SEVEN_DAYS`, `FOURTEEN_DAYS`), for the caller's account or, from a management account, its members' (`ANY`, or summed with `AGGREGATE_ALL`).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::Reply;
use crate::call::Ctx;

const DAY: f64 = 86_400.0;

/// A job as the summaries count it.
struct Counted {
    account: String,
    region: String,
    state: String,
    resource_type: String,
    message_category: String,
    created: f64,
}

/// One dimension's request: a value keeps only it, `ANY` (the default) counts each value
/// apart, `AGGREGATE_ALL` sums them (shown as `AGGREGATE_ALL`: modeled).
fn dimension<'a>(input: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    input.get(name).and_then(Value::as_str).filter(|v| *v != "ANY")
}

fn key_of(want: Option<&str>, have: &str) -> Option<String> {
    match want {
        None => Some(have.to_owned()),
        Some("AGGREGATE_ALL") => Some("AGGREGATE_ALL".to_owned()),
        Some(value) if value == have => Some(have.to_owned()),
        Some(_) => None,
    }
}

/// The windows of `AggregationPeriod` ending now: "ONE_DAY - The daily job count for the prior
/// 14 days. SEVEN_DAYS - The aggregated job count for the prior 7 days. FOURTEEN_DAYS - The
/// aggregated job count for prior 14 days." (the model; `ONE_DAY` by default, and its days UTC
/// days, today's included: modeled).
fn windows(period: &str, now: f64) -> Vec<(f64, f64)> {
    match period {
        "SEVEN_DAYS" => vec![(now - 7.0 * DAY, now)],
        "FOURTEEN_DAYS" => vec![(now - 14.0 * DAY, now)],
        _ => {
            let today = (now / DAY).floor() * DAY;
            (0..14)
                .rev()
                .map(|back| {
                    let start = today - f64::from(back) * DAY;
                    (start, start + DAY)
                })
                .collect()
        }
    }
}

/// The summaries of `jobs` for the request, paginated under `member` (`CopyJobSummaries`,
/// `BackupJobSummaries`).
fn summarize(ctx: &Ctx<'_>, jobs: Vec<Counted>, input: &Map<String, Value>, member: &str) -> Reply {
    let caller = ctx.caller.account.as_str();
    let managed: Vec<&str> = ctx
        .state
        .world()
        .organizations
        .iter()
        .filter(|o| o.management_account == caller)
        .flat_map(|o| o.accounts.iter().map(|a| a.id.as_str()))
        .collect();
    // "If the request is sent from a member account or an account not part of Amazon Web
    // Services Organizations, jobs within requestor's account will be returned. Root, admin,
    // and delegated administrator accounts can use the value ANY to return job counts from
    // every account in the organization. AGGREGATE_ALL aggregates job counts from all accounts
    // within the authenticated organization, then returns the sum." (the model)
    let account_filter = input.get("AccountId").and_then(Value::as_str);
    let management = !managed.is_empty();
    let visible = |account: &str| {
        account == caller
            || (management
                && managed.contains(&account)
                && account_filter.is_some_and(|f| f == "ANY" || f == "AGGREGATE_ALL" || f == account))
    };
    let account_key = |account: &str| match account_filter {
        Some("AGGREGATE_ALL") if management => Some("AGGREGATE_ALL".to_owned()),
        Some("ANY") | None => Some(account.to_owned()),
        Some("AGGREGATE_ALL") => Some(account.to_owned()),
        Some(f) if f == account => Some(account.to_owned()),
        Some(_) if !management => Some(account.to_owned()),
        Some(_) => None,
    };
    let period = input
        .get("AggregationPeriod")
        .and_then(Value::as_str)
        .unwrap_or("ONE_DAY");
    let now = ctx.state.now();
    let (state, resource_type, category) = (
        dimension(input, "State"),
        dimension(input, "ResourceType"),
        dimension(input, "MessageCategory"),
    );
    let mut counts: BTreeMap<(u64, String, String, String, String), u64> = BTreeMap::new();
    let windows = windows(period, now);
    for job in jobs
        .iter()
        .filter(|j| j.region == ctx.caller.region && visible(&j.account))
    {
        let Some(window) = windows
            .iter()
            .position(|(from, to)| job.created >= *from && job.created < *to)
        else {
            continue;
        };
        let (Some(account), Some(state), Some(resource_type), Some(category)) = (
            account_key(&job.account),
            key_of(state, &job.state),
            key_of(resource_type, &job.resource_type),
            key_of(category, &job.message_category),
        ) else {
            continue;
        };
        *counts
            .entry((window as u64, account, state, resource_type, category))
            .or_default() += 1;
    }
    let summaries: Vec<Value> = counts
        .into_iter()
        .map(|((window, account, state, resource_type, category), count)| {
            let (start, end) = windows[window as usize];
            json!({
                "Region": ctx.caller.region,
                "AccountId": account,
                "State": state,
                "ResourceType": resource_type,
                "MessageCategory": category,
                "Count": count,
                "StartTime": start,
                "EndTime": end,
            })
        })
        .collect();
    let mut body = super::page(&summaries, input, member)?;
    if let Some(object) = body.as_object_mut() {
        object.insert("AggregationPeriod".to_owned(), json!(period));
    }
    Ok(body)
}

/// `ListCopyJobSummaries`: "a list of copy jobs created or running within the the most recent 30
/// days" (the model), counted as each shows its state now.
pub fn copy_jobs(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let (progression, now) = (ctx.state.progression, ctx.state.now());
    let jobs = ctx
        .state
        .services
        .backup
        .jobs
        .iter()
        .map(|job| Counted {
            account: job.account.clone(),
            region: job.region.clone(),
            state: job.state(progression, now).as_str().to_owned(),
            resource_type: job.resource_type.clone(),
            message_category: match &job.outcome {
                copylab_rules::Outcome::CopyJob { message_category, .. }
                    if job.state(progression, now) == job.end_state() =>
                {
                    (*message_category).to_owned()
                }
                _ => String::new(),
            },
            created: job.created,
        })
        .collect();
    summarize(ctx, jobs, input, "CopyJobSummaries")
}

/// `ListBackupJobSummaries`.
pub fn backup_jobs(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let jobs = ctx
        .state
        .services
        .backup
        .backup_jobs
        .iter()
        .map(|job| Counted {
            account: job.account_id.clone(),
            region: job.region.clone(),
            state: job.state.to_string(),
            resource_type: job.resource_type.clone(),
            message_category: job.message_category.to_string(),
            created: job.creation_date,
        })
        .collect();
    summarize(ctx, jobs, input, "BackupJobSummaries")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_day_windows_are_the_fourteen_utc_days_to_today() {
        let now = 20.5 * DAY;
        let days = windows("ONE_DAY", now);
        assert_eq!(days.len(), 14);
        assert_eq!(days[13], (20.0 * DAY, 21.0 * DAY));
        assert_eq!(days[0], (7.0 * DAY, 8.0 * DAY));
        assert_eq!(windows("SEVEN_DAYS", now), [(13.5 * DAY, now)]);
    }
}
