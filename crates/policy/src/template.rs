//! Policy variables (`${aws:username}`, `${key, 'default'}`, `${*}`, `${?}`, `${$}`) in condition values and resources [S14].
//!
//! Variables are recognised only under `Version: 2012-10-17`; under `2008-10-17` or with no
//! `Version` they are literal text [S15]. A variable whose key is absent and has no default has
//! no value: the caller treats the whole value as not matching.

use std::borrow::Cow;

use crate::pattern::Piece;
use crate::request::Context;

/// One part of a value that may contain variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text as written (wildcards keep their meaning in `Like` operators).
    Text(String),
    /// Literal text from an escape: `${*}` is `*`, `${?}` is `?`, `${$}` is `$`.
    Escaped(char),
    /// A variable: the context key and an optional default.
    Variable {
        /// The key, as written.
        key: String,
        /// The default from `${key, 'default'}`.
        default: Option<String>,
    },
}

/// A string value from a policy, with its variables found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The text as written in the policy.
    pub source: String,
    /// Its parts; a single `Text` when there is no variable.
    pub parts: Vec<Part>,
}

/// A variable that could not be read, for validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadVariable {
    /// Byte offset of `${` in the source.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl Template {
    /// A template with no variables.
    pub fn literal(source: &str) -> Self {
        Template {
            source: source.to_owned(),
            parts: vec![Part::Text(source.to_owned())],
        }
    }

    /// Finds the variables in `source` when `variables` is true (the policy is `2012-10-17`).
    pub fn parse(source: &str, variables: bool) -> Result<Self, BadVariable> {
        if !variables || !source.contains("${") {
            return Ok(Self::literal(source));
        }
        let mut parts = Vec::new();
        let mut rest = source;
        let mut consumed = 0;
        while let Some(start) = rest.find("${") {
            if start > 0 {
                parts.push(Part::Text(rest[..start].to_owned()));
            }
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                return Err(BadVariable {
                    offset: consumed + start,
                    message: "policy variable `${` is not closed with `}`".to_owned(),
                });
            };
            let inner = &after[..end];
            parts.push(match inner {
                "*" => Part::Escaped('*'),
                "?" => Part::Escaped('?'),
                "$" => Part::Escaped('$'),
                _ => parse_variable(inner).ok_or_else(|| BadVariable {
                    offset: consumed + start,
                    message: format!("`${{{inner}}}` is not a valid policy variable"),
                })?,
            });
            let advance = start + 2 + end + 1;
            consumed += advance;
            rest = &rest[advance..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        Ok(Template {
            source: source.to_owned(),
            parts,
        })
    }

    /// Whether the template has a variable or an escape (and so must be resolved per request).
    pub fn is_dynamic(&self) -> bool {
        !matches!(self.parts.as_slice(), [Part::Text(_)] | [])
    }

    /// The variables' keys, for validation.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Variable { key, .. } => Some(key.as_str()),
            _ => None,
        })
    }

    /// Substitutes the variables from `context`; `None` when one has no value and no default.
    pub fn resolve<'a>(&'a self, context: &'a Context) -> Option<Vec<Piece<'a>>> {
        let mut pieces = Vec::with_capacity(self.parts.len());
        for part in &self.parts {
            pieces.push(match part {
                Part::Text(text) => Piece::Wild(text),
                Part::Escaped('*') => Piece::Literal("*"),
                Part::Escaped('?') => Piece::Literal("?"),
                Part::Escaped(_) => Piece::Literal("$"),
                Part::Variable { key, default } => match context.get(key).and_then(|v| v.first()) {
                    Some(value) => Piece::Literal(value),
                    None => Piece::Literal(default.as_deref()?),
                },
            });
        }
        Some(pieces)
    }

    /// The value with variables substituted, as plain text (for equality operators and traces).
    pub fn resolve_text<'a>(&'a self, context: &'a Context) -> Option<Cow<'a, str>> {
        if let [Part::Text(text)] = self.parts.as_slice() {
            return Some(Cow::Borrowed(text));
        }
        let pieces = self.resolve(context)?;
        Some(Cow::Owned(
            pieces
                .iter()
                .map(|p| match p {
                    Piece::Wild(t) | Piece::Literal(t) => *t,
                })
                .collect(),
        ))
    }
}

/// `key` or `key, 'default'`; the key is letters, digits and `:/_-.` characters.
fn parse_variable(inner: &str) -> Option<Part> {
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let default = default.strip_prefix('\'')?.strip_suffix('\'')?;
            (key.trim(), Some(default.to_owned()))
        }
        None => (inner.trim(), None),
    };
    let valid =
        !key.is_empty() && key.contains(':') && key.chars().all(|c| c.is_ascii_alphanumeric() || ":/_-.@".contains(c));
    valid.then(|| Part::Variable {
        key: key.to_owned(),
        default,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_defaults_parse() {
        let t = Template::parse("a${*}b${aws:PrincipalTag/team, 'none'}", true).unwrap();
        assert_eq!(
            t.parts,
            vec![
                Part::Text("a".into()),
                Part::Escaped('*'),
                Part::Text("b".into()),
                Part::Variable {
                    key: "aws:PrincipalTag/team".into(),
                    default: Some("none".into())
                }
            ]
        );
    }

    #[test]
    fn variables_are_literal_without_2012_version() {
        let t = Template::parse("${aws:username}", false).unwrap();
        assert!(!t.is_dynamic());
    }

    #[test]
    fn unclosed_variable_is_an_error() {
        assert!(Template::parse("a${aws:username", true).is_err());
    }
}
