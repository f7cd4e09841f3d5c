//! The picture of an exercise's world, drawn as SVG by copylab: the organization and its accounts, the source and destination accounts with their vaults and keys, the copy as an arrow, and a badge on what carries a policy. It shows the setup only: nothing in it says which check fails.

use copylab_rules::world::{StartCopyJob, World};

use crate::i18n::{Lang, tr};

use copylab_server::wire::xml::escape as esc;

/// The short form of an ARN for a label: its last segment, cut to fit a box.
fn short(arn: &str) -> String {
    let last = arn.rsplit(['/', ':']).next().unwrap_or(arn);
    if last.chars().count() > 24 {
        format!("{}…", last.chars().take(23).collect::<String>())
    } else {
        last.to_owned()
    }
}

struct Box {
    account: String,
    role: &'static str,
    vault: Option<(String, bool)>,
    key: Option<(String, bool)>,
    extra: Vec<String>,
}

fn account_box(
    world: &World,
    account: &str,
    role: &'static str,
    vault: Option<&str>,
    region: &str,
    key: Option<String>,
) -> Box {
    let vault = vault.map(|name| {
        let policy = world
            .vaults
            .iter()
            .any(|v| v.account == account && v.region == region && v.name == name && v.access_policy.is_some());
        (name.to_owned(), policy)
    });
    let key = key.map(|k| {
        let policy = world.keys.iter().any(|w| w.arn == k && w.policy.is_some());
        (k, policy)
    });
    Box {
        account: account.to_owned(),
        role,
        vault,
        key,
        extra: Vec::new(),
    }
}

/// Draws `world` around the copy `request`.
pub fn world(world: &World, request: &StartCopyJob, lang: Lang) -> String {
    let source = request.account.clone();
    let destination_arn = request.destination_backup_vault_arn.clone().unwrap_or_default();
    let arn = copylab_rules::arn::Arn::lenient(&destination_arn);
    let destination = arn.account.to_owned();
    let destination_region = arn.region.to_owned();
    let destination_vault = arn.vault_name().map(str::to_owned);
    let rp_arn = request.recovery_point_arn.clone().unwrap_or_default();
    let rp = world.recovery_points.iter().find(|r| r.arn == rp_arn);
    let source_key = rp.and_then(|r| r.encryption_key.clone());
    let destination_key = world
        .vaults
        .iter()
        .find(|v| {
            Some(&v.name) == destination_vault.as_ref() && v.account == destination && v.region == destination_region
        })
        .and_then(|v| v.encryption_key.clone());
    let mut left = account_box(
        world,
        &source,
        "world-source",
        request.source_backup_vault_name.as_deref(),
        &request.region,
        source_key,
    );
    if let Some(role) = &request.iam_role_arn {
        left.extra.push(format!(
            "IAM role {} [{}]",
            short(role),
            tr(lang, "world-policy-badge", &[])
        ));
    }
    if let Some(rp) = rp {
        left.extra.push(format!("{} {}", rp.resource_type, short(&rp.arn)));
        for (key, value) in &rp.tags {
            left.extra
                .push(tr(lang, "world-tag", &[("key", key.clone()), ("value", value.clone())]));
        }
    }
    let right = account_box(
        world,
        &destination,
        "world-destination",
        destination_vault.as_deref(),
        &destination_region,
        destination_key,
    );
    let org_of = |account: &str| {
        world
            .organizations
            .iter()
            .find(|o| o.management_account == account || o.accounts.iter().any(|a| a.id == account))
    };
    let (width, height) = (760, 360);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"world-title\" aria-describedby=\"world-desc\" class=\"world\">\n<title id=\"world-title\">{}</title>\n<desc id=\"world-desc\">DESCRIPTION</desc>\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#1f6feb\"/></marker></defs>\n",
        esc(&tr(lang, "world-svg-title", &[]))
    );
    // Organizations as frames behind the accounts.
    let mut frames = Vec::new();
    for (index, account) in [&left.account, &right.account].into_iter().enumerate() {
        let x = 20 + index * 380;
        match org_of(account) {
            Some(org) => frames.push((
                org.id.clone(),
                org.cross_account_backup_enabled,
                x,
                org.management_account.clone(),
            )),
            None => frames.push((String::new(), false, x, String::new())),
        }
    }
    let same_org = !frames[0].0.is_empty() && frames[0].0 == frames[1].0;
    if same_org {
        let (id, on, _, management) = &frames[0];
        svg.push_str(&frame(10, 10, width - 20, height - 20, id, *on, management, lang));
    } else {
        for (id, on, x, management) in &frames {
            if id.is_empty() {
                svg.push_str(&format!(
                    "<text x=\"{}\" y=\"30\" class=\"muted\">{}</text>\n",
                    x + 10,
                    esc(&tr(lang, "world-no-organization", &[]))
                ));
            } else {
                svg.push_str(&frame(*x as i32 - 10, 10, 360, height - 20, id, *on, management, lang));
            }
        }
    }
    for (index, account) in [&left, &right].into_iter().enumerate() {
        svg.push_str(&account_svg(account, 30 + index as i32 * 380, 70, lang));
    }
    svg.push_str(&format!(
        "<line x1=\"340\" y1=\"121\" x2=\"420\" y2=\"121\" stroke=\"#1f6feb\" stroke-width=\"3\" marker-end=\"url(#arrow)\"/>\n<text x=\"380\" y=\"110\" text-anchor=\"middle\" class=\"copy\">{}</text>\n",
        esc(&tr(lang, "world-copy", &[]))
    ));
    svg.push_str("</svg>\n");
    // What the picture shows, in words, for screen readers.
    let mut description = Vec::new();
    for (id, on, _, management) in &frames {
        if !id.is_empty() {
            let setting = if *on {
                "world-cross-account-on"
            } else {
                "world-cross-account-off"
            };
            description.push(format!(
                "{} ({} {management}, {})",
                tr(lang, "world-organization", &[("id", id.clone())]),
                tr(lang, "world-management", &[]),
                tr(lang, setting, &[])
            ));
        }
        if same_org {
            break;
        }
    }
    for account in [&left, &right] {
        description.push(account_description(account, lang));
    }
    svg.replace("DESCRIPTION", &esc(&description.join(". ")))
}

fn account_description(account: &Box, lang: Lang) -> String {
    let badge = |with: bool| {
        if with {
            format!(" [{}]", tr(lang, "world-policy-badge", &[]))
        } else {
            String::new()
        }
    };
    let mut parts = vec![format!(
        "{} ({})",
        tr(lang, "world-account", &[("id", account.account.clone())]),
        tr(lang, account.role, &[])
    )];
    if let Some((name, policy)) = &account.vault {
        parts.push(format!(
            "{}{}",
            tr(lang, "world-vault", &[("name", name.clone())]),
            badge(*policy)
        ));
    }
    if let Some((key, policy)) = &account.key {
        parts.push(format!(
            "{}{}",
            tr(lang, "world-key", &[("key", short(key))]),
            badge(*policy)
        ));
    }
    parts.extend(account.extra.iter().cloned());
    parts.join(", ")
}

#[allow(
    clippy::too_many_arguments,
    reason = "one call site, the frame's geometry and labels"
)]
fn frame(x: i32, y: i32, width: i32, height: i32, id: &str, on: bool, management: &str, lang: Lang) -> String {
    let setting = if on {
        "world-cross-account-on"
    } else {
        "world-cross-account-off"
    };
    format!(
        "<rect x=\"{x}\" y=\"{y}\" width=\"{width}\" height=\"{height}\" rx=\"10\" class=\"org\"/>\n<text x=\"{}\" y=\"{}\" class=\"org-label\">{} — {} {} · {}</text>\n",
        x + 12,
        y + 22,
        esc(&tr(lang, "world-organization", &[("id", id.to_owned())])),
        esc(&tr(lang, "world-management", &[])),
        esc(management),
        esc(&tr(lang, setting, &[]))
    )
}

fn account_svg(account: &Box, x: i32, y: i32, lang: Lang) -> String {
    let mut out = format!(
        "<g class=\"account\"><rect x=\"{x}\" y=\"{y}\" width=\"310\" height=\"260\" rx=\"8\"/>\n<text x=\"{}\" y=\"{}\" class=\"account-label\">{} ({})</text>\n",
        x + 12,
        y + 24,
        esc(&tr(lang, "world-account", &[("id", account.account.clone())])),
        esc(&tr(lang, account.role, &[]))
    );
    let mut row = y + 56;
    let badge = |with: bool| {
        if with {
            format!(
                " <tspan class=\"badge\">[{}]</tspan>",
                esc(&tr(lang, "world-policy-badge", &[]))
            )
        } else {
            String::new()
        }
    };
    if let Some((name, policy)) = &account.vault {
        out.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"286\" height=\"34\" rx=\"6\" class=\"vault\"/><text x=\"{}\" y=\"{}\">{}{}</text>\n",
            x + 12,
            row - 22,
            x + 22,
            row,
            esc(&tr(lang, "world-vault", &[("name", name.clone())])),
            badge(*policy)
        ));
        row += 44;
    }
    if let Some((key, policy)) = &account.key {
        out.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"286\" height=\"34\" rx=\"6\" class=\"key\"/><text x=\"{}\" y=\"{}\">{}{}</text>\n",
            x + 12,
            row - 22,
            x + 22,
            row,
            esc(&tr(lang, "world-key", &[("key", short(key))])),
            badge(*policy)
        ));
        row += 44;
    }
    for line in &account.extra {
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{row}\" class=\"detail\">{}</text>\n",
            x + 22,
            esc(line)
        ));
        row += 22;
    }
    out.push_str("</g>\n");
    out
}
