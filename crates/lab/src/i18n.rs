//! The lab's languages: Fluent bundles for English and Japanese (`lab/i18n/*.ftl`, embedded), the language a request asks for (`?lang=`, then `Accept-Language`), and the rules engine's diagnosis sentences rendered from their ids and arguments, never from their English text.

use std::sync::LazyLock;

use copylab_rules::text::Text;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language of the lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    En,
    /// Japanese.
    Ja,
}

impl Lang {
    /// Every language, in menu order.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ja];

    /// The BCP 47 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    /// `en` or `ja`.
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "ja" => Some(Lang::Ja),
            _ => None,
        }
    }

    /// The language a request asks for: `?lang=` wins, then the first of `Accept-Language`'s
    /// languages the lab has (by quality), then English.
    pub fn negotiate(query_lang: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(lang) = query_lang.and_then(Lang::parse) {
            return lang;
        }
        let mut ranked: Vec<(f32, Lang)> = accept_language
            .unwrap_or_default()
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let quality = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                let primary = tag.split('-').next()?;
                Lang::parse(primary).map(|lang| (quality, lang))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranked.first().map_or(Lang::En, |(_, lang)| *lang)
    }
}

/// The Fluent source of a language.
pub fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::En => include_str!("../i18n/en.ftl"),
        Lang::Ja => include_str!("../i18n/ja.ftl"),
    }
}

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let id: unic_langid::LanguageIdentifier = lang.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around arguments: ARNs and ids are copied from the page.
    bundle.set_use_isolating(false);
    let resource = FluentResource::try_new(source(lang).to_owned()).unwrap_or_else(|(resource, _)| resource);
    // A duplicate key keeps its first value; the i18n tests refuse duplicates.
    let _ = bundle.add_resource(resource);
    bundle
}

static EN: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle(Lang::En));
static JA: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle(Lang::Ja));

fn bundle_for(lang: Lang) -> &'static FluentBundle<FluentResource> {
    match lang {
        Lang::En => &EN,
        Lang::Ja => &JA,
    }
}

/// Whether `lang` has a message `key`.
pub fn has(lang: Lang, key: &str) -> bool {
    bundle_for(lang).has_message(key)
}

/// Arguments that select a variant (`[1] easy`), passed to Fluent as numbers.
const SELECTORS: &[&str] = &["level"];

/// The message `key` in `lang` with `args`; the English one when `lang` lacks it, and the key
/// itself when neither has it (a test keeps that from happening).
pub fn tr(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    for lang in [lang, Lang::En] {
        let bundle = bundle_for(lang);
        if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
            let mut fluent_args = FluentArgs::new();
            for (name, value) in args {
                // Only the arguments that choose a variant are numbers: account ids, tag values
                // and seeds keep every digit.
                match value.parse::<f64>() {
                    Ok(number) if SELECTORS.contains(name) => fluent_args.set(*name, FluentValue::from(number)),
                    _ => fluent_args.set(*name, FluentValue::from(value.clone())),
                }
            }
            let mut errors = Vec::new();
            return bundle
                .format_pattern(pattern, Some(&fluent_args), &mut errors)
                .into_owned();
        }
    }
    key.to_owned()
}

/// The Fluent key of a diagnosis sentence: `dx-` and its id with `.` written `_`.
pub fn text_key(id: &str) -> String {
    format!("dx-{}", id.replace('.', "_"))
}

/// A diagnosis sentence in `lang`, from its id and arguments (a catalog message's cause is
/// `cause-ID`).
pub fn text(lang: Lang, text: &Text) -> String {
    for key in [text_key(text.id), format!("cause-{}", text.id)] {
        if has(Lang::En, &key) {
            return tr(lang, &key, &text.args);
        }
    }
    text.render()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_wins_then_accept_language_by_quality() {
        assert_eq!(Lang::negotiate(Some("ja"), Some("en")), Lang::Ja);
        assert_eq!(Lang::negotiate(None, Some("fr-FR, ja;q=0.8, en;q=0.5")), Lang::Ja);
        assert_eq!(Lang::negotiate(None, Some("en-US,en;q=0.9,ja;q=0.8")), Lang::En);
        assert_eq!(Lang::negotiate(Some("xx"), None), Lang::En);
    }

    #[test]
    fn messages_take_arguments_and_levels() {
        assert_eq!(
            tr(Lang::En, "catalog-difficulty", &[("level", "1".to_owned())]),
            "Difficulty: easy"
        );
        assert_eq!(
            tr(Lang::En, "world-account", &[("id", "111122223333".to_owned())]),
            "Account 111122223333"
        );
    }
}
