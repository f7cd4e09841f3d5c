//! Settings operations: DescribeGlobalSettings, UpdateGlobalSettings (the organization's `isCrossAccountBackupEnabled`), GetSupportedResourceTypes.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::Reply;
use crate::call::Ctx;
use crate::wire::ApiError;

/// `DescribeGlobalSettings`: "Returns an error if the account is not a member of an
/// Organizations organization" (model doc); the message is the one observed on the wire.
pub fn describe_global(ctx: &mut Ctx<'_>, _input: &Map<String, Value>) -> Reply {
    let account = &ctx.caller.account;
    let org = ctx
        .state
        .world()
        .organizations
        .iter()
        .find(|o| o.management_account == *account || o.accounts.iter().any(|a| a.id == *account))
        .ok_or_else(|| {
            ApiError::new(
                "InvalidRequestException",
                StatusCode::BAD_REQUEST,
                "Your account is not a member of an organization.",
            )
        })?;
    Ok(json!({
        "GlobalSettings": {"isCrossAccountBackupEnabled": org.cross_account_backup_enabled.to_string()},
        "LastUpdateTime": ctx.state.started(),
    }))
}

/// `UpdateGlobalSettings`: "Returns an error if the account is not an Organizations management
/// account" (model doc; message modeled).
pub fn update_global(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let account = ctx.caller.account.clone();
    let settings = input
        .get("GlobalSettings")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let Some(org) = ctx
        .state
        .world_mut()
        .organizations
        .iter_mut()
        .find(|o| o.management_account == account)
    else {
        return Err(ApiError::invalid_request(format!(
            "account {account} is not the management account of an organization"
        ))
        .modeled());
    };
    for (name, value) in settings {
        match (name.as_str(), value.as_str()) {
            ("isCrossAccountBackupEnabled", Some("true")) => org.cross_account_backup_enabled = true,
            ("isCrossAccountBackupEnabled", Some("false")) => org.cross_account_backup_enabled = false,
            ("isCrossAccountBackupEnabled", _) => {
                return Err(
                    ApiError::invalid_value("isCrossAccountBackupEnabled must be \"true\" or \"false\"").modeled(),
                );
            }
            ("isMpaEnabled" | "isDelegatedAdministratorEnabled", Some("true" | "false")) => {}
            (other, _) => {
                return Err(ApiError::invalid_value(format!("unknown global setting `{other}`")).modeled());
            }
        }
    }
    Ok(Value::Null)
}

/// `GetSupportedResourceTypes`: the types of copylab's feature matrix.
pub fn supported_resource_types(_ctx: &mut Ctx<'_>, _input: &Map<String, Value>) -> Reply {
    Ok(json!({"ResourceTypes": copylab_rules::features::resource_types().collect::<Vec<_>>()}))
}

/// `DescribeRegionSettings`: the opt-in preferences (every type copylab knows, on unless opted
/// out) and the management preference for DynamoDB advanced features.
pub fn describe_region(ctx: &mut Ctx<'_>, _input: &Map<String, Value>) -> Reply {
    let (account, region) = (&ctx.caller.account, &ctx.caller.region);
    let settings = ctx
        .state
        .world()
        .region_settings
        .iter()
        .find(|s| s.account == *account && s.region == *region);
    let advanced = settings.is_some_and(|s| s.dynamodb_advanced_features);
    let opt_in: Map<String, Value> = copylab_rules::features::resource_types()
        .map(|t| {
            let out = settings.is_some_and(|s| s.opted_out.iter().any(|o| o == t));
            (t.to_owned(), Value::Bool(!out))
        })
        .collect();
    Ok(json!({
        "ResourceTypeOptInPreference": opt_in,
        "ResourceTypeManagementPreference": {"DynamoDB": advanced, "EFS": true},
    }))
}

/// `UpdateRegionSettings`: `ResourceTypeManagementPreference.DynamoDB` turns DynamoDB advanced
/// features on or off for the caller's account and Region; `ResourceTypeOptInPreference` opts
/// resource types in or out (what backup plans' tag-only selections pick).
pub fn update_region(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let (account, region) = (ctx.caller.account.clone(), ctx.caller.region.clone());
    if let Some(preferences) = input.get("ResourceTypeOptInPreference").and_then(Value::as_object) {
        let world = ctx.state.world_mut();
        if !world
            .region_settings
            .iter()
            .any(|s| s.account == account && s.region == region)
        {
            world.region_settings.push(copylab_rules::world::RegionSettings {
                account: account.clone(),
                region: region.clone(),
                dynamodb_advanced_features: false,
                opted_out: Vec::new(),
            });
        }
        if let Some(settings) = world
            .region_settings
            .iter_mut()
            .find(|s| s.account == account && s.region == region)
        {
            for (resource_type, opted_in) in preferences {
                settings.opted_out.retain(|t| t != resource_type);
                if opted_in.as_bool() == Some(false) {
                    settings.opted_out.push(resource_type.clone());
                }
            }
        }
    }
    if let Some(dynamodb) = input
        .get("ResourceTypeManagementPreference")
        .and_then(|m| m.get("DynamoDB"))
    {
        let enabled = dynamodb
            .as_bool()
            .ok_or_else(|| ApiError::invalid_request("DynamoDB must be a boolean").modeled())?;
        match ctx
            .state
            .world_mut()
            .region_settings
            .iter_mut()
            .find(|s| s.account == account && s.region == region)
        {
            Some(settings) => settings.dynamodb_advanced_features = enabled,
            None => ctx
                .state
                .world_mut()
                .region_settings
                .push(copylab_rules::world::RegionSettings {
                    account,
                    region,
                    dynamodb_advanced_features: enabled,
                    opted_out: Vec::new(),
                }),
        }
    }
    Ok(Value::Null)
}
