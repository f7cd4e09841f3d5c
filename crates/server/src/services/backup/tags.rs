//! Tag operations: ListTags, TagResource, UntagResource, for recovery points (their tags are the ones a copy writes), vaults and backup plans.

use serde_json::{Map, Value, json};

use super::{Reply, page, str_member};
use crate::call::Ctx;
use crate::wire::ApiError;

/// What a tag operation's `ResourceArn` names, once it is known to be the caller's.
enum Tagged {
    /// A recovery point of the world, by index.
    RecoveryPoint(usize),
    /// A vault of the world, by index (its tags are the world's: policies read them).
    Vault(usize),
    /// A backup plan of the world, by index (deleted ones included).
    Plan(usize),
}

/// The resource `arn` names, if it exists and belongs to the caller's account and Region; any
/// other (another account's, another Region's, one that does not exist) is not found, as
/// `ResourceNotFoundException` is what the operations document (the message is copylab's).
fn tagged(ctx: &Ctx<'_>, arn: &str) -> Result<Tagged, ApiError> {
    let (account, region) = (ctx.caller.account.as_str(), ctx.caller.region.as_str());
    let parsed = copylab_rules::arn::Arn::lenient(arn);
    let in_region = parsed.region.is_empty() || parsed.region == region;
    let world = &ctx.state.world();
    if let Some(i) = world.recovery_points.iter().position(|rp| rp.arn == arn) {
        let rp = &world.recovery_points[i];
        // An ARN without an account (EBS snapshots, AMIs) is owned by its vault's account.
        let owner = rp.account.as_deref().or(Some(parsed.account).filter(|a| !a.is_empty()));
        let owned = match owner {
            Some(owner) => owner == account,
            None => world
                .vaults
                .iter()
                .any(|v| v.name == rp.vault && v.account == account && v.region == region),
        };
        if owned && in_region {
            return Ok(Tagged::RecoveryPoint(i));
        }
    } else if parsed.service == "backup"
        && parsed.account == account
        && parsed.region == region
        && let Some(i) = parsed.vault_name().and_then(|name| {
            world
                .vaults
                .iter()
                .position(|v| v.account == account && v.region == region && v.name == name)
        })
    {
        return Ok(Tagged::Vault(i));
    } else if let Some(i) = world.backup_plans.iter().position(|p| p.arn() == arn)
        && world.backup_plans[i].account == account
        && world.backup_plans[i].region == region
    {
        return Ok(Tagged::Plan(i));
    }
    Err(ApiError::not_found(format!("Resource {arn} not found")).modeled())
}

/// `ListTags`.
pub fn list(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let arn = str_member(input, "ResourceArn")?;
    let tags: Vec<(String, String)> = match tagged(ctx, &arn)? {
        Tagged::RecoveryPoint(i) => ctx.state.world().recovery_points[i].tags.clone().into_iter().collect(),
        Tagged::Vault(i) => ctx.state.world().vaults[i].tags.clone().into_iter().collect(),
        Tagged::Plan(i) => ctx.state.world().backup_plans[i].tags.clone().into_iter().collect(),
    };
    let items: Vec<Value> = tags.iter().map(|(k, v)| json!([k, v])).collect();
    let mut body = page(&items, input, "Tags")?;
    let map: Map<String, Value> = body["Tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|pair| Some((pair[0].as_str()?.to_owned(), pair[1].clone())))
        .collect();
    body["Tags"] = Value::Object(map);
    Ok(body)
}

/// `TagResource`.
pub fn tag(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let arn = str_member(input, "ResourceArn")?;
    let tags = super::string_map(input, "Tags");
    let current = match tagged(ctx, &arn)? {
        Tagged::RecoveryPoint(i) => &mut ctx.state.world_mut().recovery_points[i].tags,
        Tagged::Vault(i) => &mut ctx.state.world_mut().vaults[i].tags,
        Tagged::Plan(i) => &mut ctx.state.world_mut().backup_plans[i].tags,
    };
    let count = current
        .keys()
        .chain(tags.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    super::too_many_tags(count)?;
    current.extend(tags);
    Ok(Value::Null)
}

/// `UntagResource`.
pub fn untag(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let arn = str_member(input, "ResourceArn")?;
    let keys: Vec<String> = input
        .get("TagKeyList")
        .and_then(Value::as_array)
        .map(|k| k.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let tags = match tagged(ctx, &arn)? {
        Tagged::RecoveryPoint(i) => Some(&mut ctx.state.world_mut().recovery_points[i].tags),
        Tagged::Vault(i) => Some(&mut ctx.state.world_mut().vaults[i].tags),
        Tagged::Plan(i) => Some(&mut ctx.state.world_mut().backup_plans[i].tags),
    };
    if let Some(tags) = tags {
        for key in &keys {
            tags.remove(key);
        }
    }
    Ok(Value::Null)
}
