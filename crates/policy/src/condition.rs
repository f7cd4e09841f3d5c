//! Condition operators and their evaluation: `String*`, `Numeric*`, `Date*`, `Bool`, `Binary`, `IpAddress`, `Arn*`, `Null`, with `...IfExists` and `ForAllValues:`/`ForAnyValue:` [S11][S12].
//!
//! Several values for one key are ORed, NORed under a negated operator; several keys and
//! operators are ANDed by the caller. A missing key makes a condition false, except for negated
//! operators (true), `...IfExists` (true), `Null`, `ForAllValues` (true) and `ForAnyValue` (false).

use std::borrow::Cow;
use std::net::IpAddr;

use serde::Serialize;

use crate::pattern::{self, Pattern, Segments};
use crate::request::Context;
use crate::template::Template;

/// The base operator, without `IfExists` or a set prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseOperator {
    /// `StringEquals`.
    StringEquals,
    /// `StringEqualsIgnoreCase`.
    StringEqualsIgnoreCase,
    /// `StringLike`.
    StringLike,
    /// `NumericEquals`.
    NumericEquals,
    /// `NumericLessThan`.
    NumericLessThan,
    /// `NumericLessThanEquals`.
    NumericLessThanEquals,
    /// `NumericGreaterThan`.
    NumericGreaterThan,
    /// `NumericGreaterThanEquals`.
    NumericGreaterThanEquals,
    /// `DateEquals`.
    DateEquals,
    /// `DateLessThan`.
    DateLessThan,
    /// `DateLessThanEquals`.
    DateLessThanEquals,
    /// `DateGreaterThan`.
    DateGreaterThan,
    /// `DateGreaterThanEquals`.
    DateGreaterThanEquals,
    /// `Bool`.
    Bool,
    /// `BinaryEquals`.
    BinaryEquals,
    /// `IpAddress`.
    IpAddress,
    /// `ArnLike` and `ArnEquals` (they behave identically [S11]).
    ArnLike,
    /// `Null`.
    Null,
}

/// `ForAllValues:` or `ForAnyValue:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SetOperator {
    /// Every request value must match [S12].
    ForAllValues,
    /// Some request value must match [S12].
    ForAnyValue,
}

/// A parsed condition operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    /// The positive base operator.
    pub base: BaseOperator,
    /// Whether it is the negated form (`StringNotEquals`, `NotIpAddress`, `ArnNotLike`, ...).
    pub negated: bool,
    /// `...IfExists`.
    pub if_exists: bool,
    /// `ForAllValues:`/`ForAnyValue:`.
    pub set: Option<SetOperator>,
}

/// The operators by name: (name, base, negated).
const OPERATORS: &[(&str, BaseOperator, bool)] = &[
    ("StringEquals", BaseOperator::StringEquals, false),
    ("StringNotEquals", BaseOperator::StringEquals, true),
    ("StringEqualsIgnoreCase", BaseOperator::StringEqualsIgnoreCase, false),
    ("StringNotEqualsIgnoreCase", BaseOperator::StringEqualsIgnoreCase, true),
    ("StringLike", BaseOperator::StringLike, false),
    ("StringNotLike", BaseOperator::StringLike, true),
    ("NumericEquals", BaseOperator::NumericEquals, false),
    ("NumericNotEquals", BaseOperator::NumericEquals, true),
    ("NumericLessThan", BaseOperator::NumericLessThan, false),
    ("NumericLessThanEquals", BaseOperator::NumericLessThanEquals, false),
    ("NumericGreaterThan", BaseOperator::NumericGreaterThan, false),
    (
        "NumericGreaterThanEquals",
        BaseOperator::NumericGreaterThanEquals,
        false,
    ),
    ("DateEquals", BaseOperator::DateEquals, false),
    ("DateNotEquals", BaseOperator::DateEquals, true),
    ("DateLessThan", BaseOperator::DateLessThan, false),
    ("DateLessThanEquals", BaseOperator::DateLessThanEquals, false),
    ("DateGreaterThan", BaseOperator::DateGreaterThan, false),
    ("DateGreaterThanEquals", BaseOperator::DateGreaterThanEquals, false),
    ("Bool", BaseOperator::Bool, false),
    ("BinaryEquals", BaseOperator::BinaryEquals, false),
    ("IpAddress", BaseOperator::IpAddress, false),
    ("NotIpAddress", BaseOperator::IpAddress, true),
    ("ArnEquals", BaseOperator::ArnLike, false),
    ("ArnLike", BaseOperator::ArnLike, false),
    ("ArnNotEquals", BaseOperator::ArnLike, true),
    ("ArnNotLike", BaseOperator::ArnLike, true),
    ("Null", BaseOperator::Null, false),
];

impl Operator {
    /// Parses an operator name such as `ForAnyValue:StringNotLikeIfExists`; `None` when IAM
    /// does not define it (`NullIfExists` included).
    pub fn parse(name: &str) -> Option<Self> {
        let (set, rest) = if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (Some(SetOperator::ForAllValues), rest)
        } else if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (Some(SetOperator::ForAnyValue), rest)
        } else {
            (None, name)
        };
        let (if_exists, base_name) = match rest.strip_suffix("IfExists") {
            Some(base) => (true, base),
            None => (false, rest),
        };
        let &(_, base, negated) = OPERATORS.iter().find(|(n, _, _)| *n == base_name)?;
        if base == BaseOperator::Null && (if_exists || set.is_some()) {
            return None;
        }
        Some(Operator {
            base,
            negated,
            if_exists,
            set,
        })
    }

    /// Whether the operator's values may contain policy variables [S11][S14].
    pub fn takes_variables(self) -> bool {
        matches!(
            self.base,
            BaseOperator::StringEquals
                | BaseOperator::StringEqualsIgnoreCase
                | BaseOperator::StringLike
                | BaseOperator::ArnLike
                | BaseOperator::Bool
        )
    }
}

/// A condition operand compiled for its operator.
#[derive(Debug, Clone)]
pub enum Operand {
    /// Plain text (`StringEquals`, `BinaryEquals`), or a value with variables, compiled per request.
    Text,
    /// A `StringLike` pattern.
    Like(Pattern),
    /// An `ArnLike` pattern, one per ARN component; `None` when the value is not an ARN pattern.
    Arn(Option<Box<[Pattern; 6]>>),
    /// A number.
    Number(f64),
    /// A date as seconds since the epoch.
    Date(f64),
    /// `true` or `false` (`Bool`, `Null`).
    Bool(bool),
    /// An IP range.
    Cidr(Cidr),
}

/// An IP address range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    address: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `a.b.c.d/n`, an IPv6 range, or a single address.
    pub fn parse(text: &str) -> Option<Self> {
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (text.parse::<IpAddr>().ok()?, None),
        };
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Cidr { address, prefix })
    }

    /// Whether `ip` is in the range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let mask = |bits: u32, prefix: u8| -> u128 {
            if prefix == 0 {
                0
            } else {
                (!0u128 >> (128 - u32::from(prefix))) << (bits - u32::from(prefix))
            }
        };
        match (self.address, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let m = mask(32, self.prefix);
                (u128::from(u32::from(net)) & m) == (u128::from(u32::from(ip)) & m)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let m = if self.prefix == 0 {
                    0
                } else {
                    !0u128 << (128 - u32::from(self.prefix))
                };
                (u128::from(net) & m) == (u128::from(ip) & m)
            }
            _ => false,
        }
    }
}

/// One (operator, key) pair of a condition block with its values.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The operator as written.
    pub operator_name: String,
    /// The operator.
    pub operator: Operator,
    /// The key as written (matched case-insensitively).
    pub key: String,
    /// The values as written, with their variables.
    pub values: Vec<Template>,
    /// Each value compiled for the operator (same order as `values`).
    pub operands: Vec<Operand>,
}

/// How one condition evaluated, for the explanation.
#[derive(Debug, Clone, Serialize)]
pub struct ConditionTrace<'a> {
    /// The operator as written.
    pub operator: &'a str,
    /// The key as written.
    pub key: &'a str,
    /// Whether the key is in the request context.
    pub present: bool,
    /// The request's values for the key.
    pub request_values: &'a [String],
    /// The policy values tried, after variable substitution (`null` for a variable with no value).
    pub values_tried: Vec<Option<Cow<'a, str>>>,
    /// The outcome.
    pub result: bool,
    /// Set when the outcome rests on an assumption (E41: `Arn*` on a value that is not an ARN).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assumption: Option<&'static str>,
}

/// E41: AWS does not document `ArnLike` on a value that is not an ARN.
pub const ARN_NOT_ARN_ASSUMPTION: &str = "the request value is not an ARN: AWS does not document how Arn operators treat it; copylab assumes no match (a negated operator is then true)";

impl Condition {
    /// Evaluates the condition against `context`.
    pub fn evaluate<'a>(&'a self, context: &'a Context) -> ConditionTrace<'a> {
        let request_values = context.get(&self.key);
        let mut trace = ConditionTrace {
            operator: &self.operator_name,
            key: &self.key,
            present: request_values.is_some(),
            request_values: request_values.unwrap_or(&[]),
            values_tried: Vec::new(),
            result: false,
            assumption: None,
        };
        let op = self.operator;
        if op.base == BaseOperator::Null {
            // `Null: true` means the key is absent [S11].
            trace.values_tried = self
                .values
                .iter()
                .map(|t| Some(Cow::Borrowed(t.source.as_str())))
                .collect();
            let present = request_values.is_some_and(|v| !v.is_empty());
            trace.result = self
                .operands
                .iter()
                .any(|o| matches!(o, Operand::Bool(b) if *b != present));
            return trace;
        }
        // Resolve the policy values once (variables substituted).
        let resolved: Vec<Option<Cow<'a, str>>> = self.values.iter().map(|t| t.resolve_text(context)).collect();
        let Some(request_values) = request_values else {
            trace.values_tried = resolved;
            trace.result = match op.set {
                Some(SetOperator::ForAllValues) => true,
                Some(SetOperator::ForAnyValue) => op.if_exists,
                None => op.if_exists || op.negated,
            };
            return trace;
        };
        let mut assumption = None;
        let mut positive = |value: &str| -> bool {
            self.values
                .iter()
                .zip(&self.operands)
                .zip(&resolved)
                .any(|((template, operand), text)| {
                    let Some(text) = text else { return false };
                    match self.matches_one(template, operand, text, value, context) {
                        Some(m) => m,
                        None => {
                            assumption = Some(ARN_NOT_ARN_ASSUMPTION);
                            false
                        }
                    }
                })
        };
        // Per request value: the operator's verdict; negated operators NOR the values [S12].
        let negated = op.negated;
        trace.result = match op.set {
            Some(SetOperator::ForAllValues) => request_values.iter().all(|v| positive(v) != negated),
            Some(SetOperator::ForAnyValue) => request_values.iter().any(|v| positive(v) != negated),
            None => request_values.iter().any(|v| positive(v)) != negated,
        };
        trace.values_tried = resolved;
        trace.assumption = assumption;
        trace
    }

    /// Whether one request value matches one policy value under the positive operator;
    /// `None` when `Arn*` meets a value that is not an ARN.
    fn matches_one(
        &self,
        template: &Template,
        operand: &Operand,
        text: &str,
        value: &str,
        context: &Context,
    ) -> Option<bool> {
        Some(match (self.operator.base, operand) {
            (BaseOperator::StringEquals | BaseOperator::BinaryEquals, _) => text == value,
            (BaseOperator::StringEqualsIgnoreCase, _) => text.to_lowercase() == value.to_lowercase(),
            (BaseOperator::StringLike, Operand::Like(pattern)) => pattern.matches(value),
            (BaseOperator::StringLike, _) => {
                let pieces = template.resolve(context)?;
                Pattern::from_pieces(&pieces, Segments::Free, false).matches(value)
            }
            (BaseOperator::ArnLike, Operand::Arn(Some(patterns))) => pattern::arn_like(patterns, value)?,
            (BaseOperator::ArnLike, _) => {
                let patterns = compile_arn(text)?;
                pattern::arn_like(&patterns, value)?
            }
            (BaseOperator::Bool, _) => text.eq_ignore_ascii_case(value),
            (BaseOperator::IpAddress, Operand::Cidr(cidr)) => value.parse::<IpAddr>().is_ok_and(|ip| cidr.contains(ip)),
            (base, Operand::Number(policy)) => match value.trim().parse::<f64>() {
                Ok(request) => compare(base, request, *policy),
                Err(_) => false,
            },
            (base, Operand::Date(policy)) => match parse_date(value) {
                Some(request) => compare(base, request, *policy),
                None => false,
            },
            _ => false,
        })
    }
}

fn compare(base: BaseOperator, request: f64, policy: f64) -> bool {
    match base {
        BaseOperator::NumericEquals | BaseOperator::DateEquals => request == policy,
        BaseOperator::NumericLessThan | BaseOperator::DateLessThan => request < policy,
        BaseOperator::NumericLessThanEquals | BaseOperator::DateLessThanEquals => request <= policy,
        BaseOperator::NumericGreaterThan | BaseOperator::DateGreaterThan => request > policy,
        BaseOperator::NumericGreaterThanEquals | BaseOperator::DateGreaterThanEquals => request >= policy,
        _ => false,
    }
}

/// Compiles an `ArnLike` pattern into six component patterns; `None` when it is not an ARN.
pub fn compile_arn(text: &str) -> Option<Box<[Pattern; 6]>> {
    let parts = pattern::split_arn(text)?;
    Some(Box::new(parts.map(|p| Pattern::new(p, Segments::Free, false))))
}

/// Parses a date as IAM takes it: ISO 8601 (`2026-01-31`, `2026-01-31T12:00:00Z`, with
/// fractional seconds or an offset) or seconds since the epoch. Returns epoch seconds.
pub fn parse_date(text: &str) -> Option<f64> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<f64>().ok();
    }
    let (date, time) = match text.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut ymd = date.splitn(3, '-');
    let year: i64 = ymd.next()?.parse().ok()?;
    let month: u32 = ymd.next()?.parse().ok()?;
    let day: u32 = ymd.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut seconds = days_from_civil(year, month, day) as f64 * 86_400.0;
    if let Some(time) = time {
        let (clock, offset) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
            (clock, 0.0)
        } else if let Some(pos) = time.rfind(['+', '-']) {
            let (clock, zone) = time.split_at(pos);
            let sign = if zone.starts_with('-') { -1.0 } else { 1.0 };
            let zone = zone.get(1..)?;
            let (h, m) = zone
                .split_once(':')
                .unwrap_or((zone.get(..2)?, zone.get(2..).unwrap_or("0")));
            (
                clock,
                sign * (h.parse::<f64>().ok()? * 3600.0 + m.parse::<f64>().ok()? * 60.0),
            )
        } else {
            (time, 0.0)
        };
        let mut hms = clock.splitn(3, ':');
        let h: f64 = hms.next()?.parse().ok()?;
        let m: f64 = hms.next().unwrap_or("0").parse().ok()?;
        let s: f64 = hms.next().unwrap_or("0").parse().ok()?;
        if h >= 24.0 || m >= 60.0 || s >= 61.0 {
            return None;
        }
        seconds += h * 3600.0 + m * 60.0 + s - offset;
    }
    Some(seconds)
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_parse_with_prefixes_and_suffixes() {
        let op = Operator::parse("ForAnyValue:StringNotLikeIfExists").unwrap();
        assert_eq!(
            (op.base, op.negated, op.if_exists, op.set),
            (BaseOperator::StringLike, true, true, Some(SetOperator::ForAnyValue))
        );
        assert!(Operator::parse("NullIfExists").is_none());
        assert!(Operator::parse("StringEqualz").is_none());
    }

    #[test]
    fn dates_parse_in_iam_forms() {
        assert_eq!(parse_date("1970-01-02"), Some(86_400.0));
        assert_eq!(parse_date("1970-01-01T01:00:00Z"), Some(3600.0));
        assert_eq!(parse_date("1970-01-01T01:00:00+01:00"), Some(0.0));
        assert_eq!(parse_date("86400"), Some(86_400.0));
        assert_eq!(parse_date("2026-13-01"), None);
    }

    #[test]
    fn cidr_contains_addresses() {
        let net = Cidr::parse("203.0.113.0/24").unwrap();
        assert!(net.contains("203.0.113.9".parse().unwrap()));
        assert!(!net.contains("203.0.114.9".parse().unwrap()));
        assert!(
            Cidr::parse("2001:db8::/32")
                .unwrap()
                .contains("2001:db8::1".parse().unwrap())
        );
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
    }
}
