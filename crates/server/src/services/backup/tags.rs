//! Tag operations: ListTags, TagResource, UntagResource, for recovery points (their tags are the ones a copy writes) and other AWS Backup resources.

use serde_json::{Map, Value, json};

use super::{Reply, page, str_member};
use crate::call::Ctx;
use crate::wire::ApiError;

fn is_backup_arn(arn: &str) -> bool {
    copylab_rules::arn::Arn::parse(arn).is_some_and(|a| a.service == "backup")
}

/// `ListTags`.
pub fn list(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let arn = str_member(input, "ResourceArn")?;
    let tags: Vec<(String, String)> = match ctx.state.world.recovery_points.iter().find(|rp| rp.arn == arn) {
        Some(rp) => rp.tags.clone().into_iter().collect(),
        None if is_backup_arn(&arn) => ctx
            .state
            .services
            .backup
            .tags
            .get(&arn)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect(),
        None => {
            return Err(
                ApiError::invalid_value(format!("{arn} is not an AWS Backup resource copylab knows")).modeled(),
            );
        }
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
    match ctx.state.world.recovery_points.iter_mut().find(|rp| rp.arn == arn) {
        Some(rp) => rp.tags.extend(tags),
        None if is_backup_arn(&arn) => ctx.state.services.backup.tags.entry(arn).or_default().extend(tags),
        None => {
            return Err(
                ApiError::invalid_value(format!("{arn} is not an AWS Backup resource copylab knows")).modeled(),
            );
        }
    }
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
    match ctx.state.world.recovery_points.iter_mut().find(|rp| rp.arn == arn) {
        Some(rp) => keys.iter().for_each(|k| {
            rp.tags.remove(k);
        }),
        None if is_backup_arn(&arn) => {
            if let Some(tags) = ctx.state.services.backup.tags.get_mut(&arn) {
                keys.iter().for_each(|k| {
                    tags.remove(k);
                });
            }
        }
        None => {
            return Err(
                ApiError::invalid_value(format!("{arn} is not an AWS Backup resource copylab knows")).modeled(),
            );
        }
    }
    Ok(Value::Null)
}
