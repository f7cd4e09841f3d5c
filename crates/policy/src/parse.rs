//! From policy text to a validated [`Policy`]: typed parsing of every element with errors that point at the element (JSON path, line and column) and warnings for what AWS accepts but ignores.

use crate::condition::{self, BaseOperator, Condition, Operand, Operator};
use crate::diagnostic::{PolicyError, PolicyWarning, Rule, WarningRule, exception_for};
use crate::json::{self, Json, JsonErrorKind, JsonValue, Member, Span};
use crate::kind::PolicyKind;
use crate::pattern::{Pattern, Segments};
use crate::policy::{
    ActionElement, ActionPattern, Effect, Policy, PrincipalElement, PrincipalEntry, PrincipalName, PrincipalType,
    ResourceElement, ResourcePattern, Statement, Version,
};
use crate::request::is_account_id;
use crate::template::Template;

/// KMS key policies are limited to 32 KB [S21].
const KMS_POLICY_MAX_BYTES: usize = 32_768;

/// Context keys that can hold several values, which may not be used as policy variables [S13].
const MULTIVALUED_KEYS: &[&str] = &[
    "aws:TagKeys",
    "aws:CalledVia",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceNamesList",
    "kms:GrantOperations",
];

impl Policy {
    /// Parses and validates policy text under the rules of `kind`.
    ///
    /// Every problem found is reported, not only the first; a JSON syntax error or a duplicate
    /// key stops the reading at once.
    pub fn parse(text: &str, kind: PolicyKind) -> Result<Policy, Vec<PolicyError>> {
        let mut parser = Parser {
            kind,
            variables: false,
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        let root = match json::read(text) {
            Ok(root) => root,
            Err(err) => {
                let (rule, message) = match err.kind {
                    JsonErrorKind::Syntax(message) => (Rule::MalformedJson, message),
                    JsonErrorKind::DuplicateKey(key) => (
                        Rule::DuplicateKey,
                        format!("duplicate key `{key}`: an element may appear only once"),
                    ),
                };
                parser.error(rule, &err.path, err.span, message);
                return Err(parser.errors);
            }
        };
        if kind == PolicyKind::Kms && text.len() > KMS_POLICY_MAX_BYTES {
            parser.error(
                Rule::PolicyTooLarge,
                "$",
                root.span,
                format!(
                    "the key policy is {} bytes: a key policy may have at most 32 KB",
                    text.len()
                ),
            );
        }
        let policy = parser.policy(&root);
        match policy {
            Some(policy) if parser.errors.is_empty() => Ok(Policy {
                warnings: parser.warnings,
                ..policy
            }),
            _ => Err(parser.errors),
        }
    }
}

struct Parser {
    kind: PolicyKind,
    /// Whether `${...}` is a variable (Version 2012-10-17).
    variables: bool,
    errors: Vec<PolicyError>,
    warnings: Vec<PolicyWarning>,
}

/// The values of an element that may be one value or an array, with their paths.
fn one_or_many<'j>(json: &'j Json, path: &str) -> Vec<(&'j Json, String)> {
    match &json.value {
        JsonValue::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| (item, format!("{path}[{i}]")))
            .collect(),
        _ => vec![(json, path.to_owned())],
    }
}

impl Parser {
    fn error(&mut self, rule: Rule, path: &str, span: Span, message: String) {
        self.errors.push(PolicyError {
            rule,
            exception: exception_for(self.kind),
            message,
            path: path.to_owned(),
            span,
            provenance: "modeled",
        });
    }

    fn warn(&mut self, rule: WarningRule, path: &str, span: Span, message: String) {
        self.warnings.push(PolicyWarning {
            rule,
            message,
            path: path.to_owned(),
            span,
        });
    }

    fn wrong_type(&mut self, path: &str, json: &Json, expected: &str) {
        let message = format!("expected {expected}, found {}", json.value.type_name());
        self.error(Rule::WrongType, path, json.span, message);
    }

    fn string<'j>(&mut self, json: &'j Json, path: &str) -> Option<&'j str> {
        match &json.value {
            JsonValue::String(s) => Some(s),
            _ => {
                self.wrong_type(path, json, "a string");
                None
            }
        }
    }

    fn strings<'j>(&mut self, json: &'j Json, path: &str) -> Vec<(&'j str, String, Span)> {
        if let JsonValue::Array(items) = &json.value
            && items.is_empty()
        {
            self.error(
                Rule::WrongType,
                path,
                json.span,
                "expected at least one value, found an empty array".to_owned(),
            );
        }
        one_or_many(json, path)
            .into_iter()
            .filter_map(|(item, item_path)| self.string(item, &item_path).map(|s| (s, item_path, item.span)))
            .collect()
    }

    fn policy(&mut self, root: &Json) -> Option<Policy> {
        let JsonValue::Object(members) = &root.value else {
            self.wrong_type("$", root, "a policy object");
            return None;
        };
        let mut version = None;
        let mut id = None;
        let mut statement_json = None;
        for member in members {
            let path = format!("$.{}", member.key);
            match member.key.as_str() {
                "Version" => {
                    if let Some(text) = self.string(&member.value, &path) {
                        version = match text {
                            "2012-10-17" => Some(Version::V2012_10_17),
                            "2008-10-17" => Some(Version::V2008_10_17),
                            other => {
                                let message = format!("unknown policy version `{other}`: use `2012-10-17`");
                                self.error(Rule::UnknownVersion, &path, member.value.span, message);
                                None
                            }
                        };
                    }
                }
                "Id" => id = self.string(&member.value, &path).map(str::to_owned),
                "Statement" => statement_json = Some(&member.value),
                other => self.unknown_element(other, &path, member, "Version, Id, Statement"),
            }
        }
        self.variables = version == Some(Version::V2012_10_17);
        let Some(statement_json) = statement_json else {
            self.error(
                Rule::MissingElement,
                "$",
                root.span,
                "the policy has no `Statement` element".to_owned(),
            );
            return None;
        };
        let mut statements = Vec::new();
        match &statement_json.value {
            JsonValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    statements.extend(self.statement(item, &format!("$.Statement[{i}]")));
                }
            }
            JsonValue::Object(_) => statements.extend(self.statement(statement_json, "$.Statement")),
            _ => self.wrong_type("$.Statement", statement_json, "a statement object or an array of them"),
        }
        if statements.is_empty() && self.errors.is_empty() {
            self.warn(
                WarningRule::NoStatements,
                "$.Statement",
                statement_json.span,
                "the policy has no statements: it allows nothing".to_owned(),
            );
        }
        Some(Policy {
            kind: self.kind,
            version,
            id,
            statements,
            warnings: Vec::new(),
        })
    }

    fn unknown_element(&mut self, name: &str, path: &str, member: &Member, known: &str) {
        let message = format!("unknown element `{name}`: expected one of {known}");
        self.error(Rule::UnknownElement, path, member.key_span, message);
    }

    fn statement(&mut self, json: &Json, path: &str) -> Option<Statement> {
        let JsonValue::Object(members) = &json.value else {
            self.wrong_type(path, json, "a statement object");
            return None;
        };
        let errors_before = self.errors.len();
        let find = |name: &str| members.iter().find(|m| m.key == name);
        for member in members {
            if !matches!(
                member.key.as_str(),
                "Sid"
                    | "Effect"
                    | "Principal"
                    | "NotPrincipal"
                    | "Action"
                    | "NotAction"
                    | "Resource"
                    | "NotResource"
                    | "Condition"
            ) {
                let known = "Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition";
                self.unknown_element(&member.key, &format!("{path}.{}", member.key), member, known);
            }
        }
        for (a, b) in [
            ("Principal", "NotPrincipal"),
            ("Action", "NotAction"),
            ("Resource", "NotResource"),
        ] {
            if let (Some(_), Some(second)) = (find(a), find(b)) {
                let message = format!("`{a}` and `{b}` cannot both appear in one statement");
                self.error(
                    Rule::ConflictingElements,
                    &format!("{path}.{b}"),
                    second.key_span,
                    message,
                );
            }
        }

        let sid = match find("Sid") {
            Some(m) => {
                let sid_path = format!("{path}.Sid");
                let sid = self.string(&m.value, &sid_path).map(str::to_owned);
                if let Some(sid) = &sid
                    && self.kind == PolicyKind::Identity
                    && !sid.chars().all(|c| c.is_ascii_alphanumeric())
                {
                    let message = format!("`Sid` `{sid}` may contain only letters and digits in an identity policy");
                    self.error(Rule::InvalidSid, &sid_path, m.value.span, message);
                }
                sid
            }
            None => None,
        };

        let effect = match find("Effect") {
            Some(m) => match self.string(&m.value, &format!("{path}.Effect")) {
                Some("Allow") => Some(Effect::Allow),
                Some("Deny") => Some(Effect::Deny),
                Some(other) => {
                    let message = format!("`Effect` must be `Allow` or `Deny`, found `{other}`");
                    self.error(Rule::InvalidEffect, &format!("{path}.Effect"), m.value.span, message);
                    None
                }
                None => None,
            },
            None => {
                self.error(
                    Rule::MissingElement,
                    path,
                    json.span,
                    "the statement has no `Effect` element".to_owned(),
                );
                None
            }
        };

        let principal_member = find("Principal").or_else(|| find("NotPrincipal"));
        let principal = match principal_member {
            Some(m) if self.kind == PolicyKind::Identity => {
                let message = format!(
                    "`{}` is not allowed in an identity policy: it applies to the identity it is attached to",
                    m.key
                );
                self.error(
                    Rule::PrincipalInIdentityPolicy,
                    &format!("{path}.{}", m.key),
                    m.key_span,
                    message,
                );
                None
            }
            Some(m) => self.principal(m, &format!("{path}.{}", m.key), effect),
            None => {
                if self.kind != PolicyKind::Identity {
                    let message = format!(
                        "the statement has no `Principal`: a {} policy must name who it applies to",
                        self.kind_name()
                    );
                    self.error(Rule::MissingPrincipal, path, json.span, message);
                }
                None
            }
        };

        let action = match find("Action").or_else(|| find("NotAction")) {
            Some(m) => self.actions(m, &format!("{path}.{}", m.key)),
            None => {
                self.missing_in_statement("Action", path, json.span, WarningRule::StatementWithoutAction);
                None
            }
        };
        let resource = match find("Resource").or_else(|| find("NotResource")) {
            Some(m) => self.resources(m, &format!("{path}.{}", m.key)),
            None => {
                self.missing_in_statement("Resource", path, json.span, WarningRule::StatementWithoutResource);
                None
            }
        };
        let conditions = match find("Condition") {
            Some(m) => self.conditions(&m.value, &format!("{path}.Condition")),
            None => Vec::new(),
        };

        if let (Some(element), Some(Effect::Deny)) = (&principal, effect)
            && element.negated
        {
            self.check_not_principal_accounts(element, &format!("{path}.NotPrincipal"));
        }
        if self.errors.len() > errors_before {
            return None;
        }
        Some(Statement {
            sid,
            effect: effect?,
            principal,
            action,
            resource,
            conditions,
            span: json.span,
        })
    }

    fn kind_name(&self) -> &'static str {
        match self.kind {
            PolicyKind::Kms => "key",
            PolicyKind::Vault => "vault access",
            PolicyKind::Identity => "identity",
            PolicyKind::Resource => "resource",
            PolicyKind::Trust => "trust",
        }
    }

    /// A missing `Action` or `Resource`: a warning in key policies (accepted, no effect
    /// [S21][S26]), an error elsewhere.
    fn missing_in_statement(&mut self, element: &str, path: &str, span: Span, warning: WarningRule) {
        if self.kind == PolicyKind::Trust && element == "Resource" {
            // A trust policy's resource is the role it is attached to.
            return;
        }
        if self.kind == PolicyKind::Kms {
            let message =
                format!("the statement has no `{element}`: KMS accepts the key policy but the statement has no effect");
            self.warn(warning, path, span, message);
        } else {
            let message = format!("the statement has no `{element}` or `Not{element}` element");
            self.error(Rule::MissingElement, path, span, message);
        }
    }

    fn principal(&mut self, member: &Member, path: &str, effect: Option<Effect>) -> Option<PrincipalElement> {
        let negated = member.key == "NotPrincipal";
        if negated && effect == Some(Effect::Allow) {
            let message =
                "`NotPrincipal` must be used with `\"Effect\": \"Deny\"`: with `Allow` it is not supported".to_owned();
            self.error(Rule::NotPrincipalWithAllow, path, member.key_span, message);
        }
        let json = &member.value;
        let mut entries = Vec::new();
        match &json.value {
            JsonValue::String(s) if s == "*" => {
                entries.push(PrincipalEntry {
                    kind: PrincipalType::Aws,
                    value: "*".to_owned(),
                    names: PrincipalName::Everyone,
                    span: json.span,
                });
                return Some(PrincipalElement {
                    negated,
                    bare_wildcard: true,
                    entries,
                });
            }
            JsonValue::Object(types) => {
                if types.is_empty() {
                    self.error(
                        Rule::MissingElement,
                        path,
                        json.span,
                        "the principal map is empty".to_owned(),
                    );
                }
                for type_member in types {
                    let type_path = format!("{path}.{}", type_member.key);
                    let kind = match type_member.key.as_str() {
                        "AWS" => PrincipalType::Aws,
                        "Service" => PrincipalType::Service,
                        "Federated" => PrincipalType::Federated,
                        "CanonicalUser" => PrincipalType::CanonicalUser,
                        other => {
                            self.unknown_element(
                                other,
                                &type_path,
                                type_member,
                                "AWS, Service, Federated, CanonicalUser",
                            );
                            continue;
                        }
                    };
                    for (value, value_path, span) in self.strings(&type_member.value, &type_path) {
                        if let Some(names) = self.principal_name(kind, value, &value_path, span) {
                            entries.push(PrincipalEntry {
                                kind,
                                value: value.to_owned(),
                                names,
                                span,
                            });
                        }
                    }
                }
            }
            JsonValue::String(other) => {
                let message = format!(
                    "a bare principal string must be `*`, found `{other}`: use a map such as {{\"AWS\": \"{other}\"}}"
                );
                self.error(Rule::InvalidPrincipal, path, json.span, message);
            }
            _ => self.wrong_type(path, json, "`*` or a principal map"),
        }
        Some(PrincipalElement {
            negated,
            bare_wildcard: false,
            entries,
        })
    }

    fn principal_name(&mut self, kind: PrincipalType, value: &str, path: &str, span: Span) -> Option<PrincipalName> {
        if value == "*" {
            return Some(PrincipalName::Everyone);
        }
        if value.contains('*') {
            let message = format!(
                "principal `{value}` has a partial wildcard: a principal is `*` or names one account, user, role, session or service"
            );
            self.error(Rule::PartialWildcardPrincipal, path, span, message);
            return None;
        }
        match kind {
            PrincipalType::Service => {
                if value.is_empty() || value.contains(char::is_whitespace) || !value.contains('.') {
                    let message = format!("`{value}` is not a service principal name such as `backup.amazonaws.com`");
                    self.error(Rule::InvalidPrincipal, path, span, message);
                    return None;
                }
                Some(PrincipalName::Service(value.to_owned()))
            }
            PrincipalType::Federated | PrincipalType::CanonicalUser => {
                Some(PrincipalName::Unsupported(value.to_owned()))
            }
            PrincipalType::Aws => {
                let names = aws_principal(value);
                if names.is_none() {
                    let account = crate::pattern::split_arn(value).map(|arn| arn[4]);
                    let message = match account {
                        Some(account) if !is_account_id(account) => {
                            format!("principal `{value}` has `{account}` where a 12-digit account id belongs")
                        }
                        _ => format!("principal `{value}` is not an account id nor an IAM or STS principal ARN"),
                    };
                    self.error(Rule::InvalidPrincipal, path, span, message);
                }
                names
            }
        }
    }

    /// E25: a `NotPrincipal` Deny should list the account of every principal it exempts [S5].
    fn check_not_principal_accounts(&mut self, element: &PrincipalElement, path: &str) {
        let listed_accounts: Vec<&str> = element
            .entries
            .iter()
            .filter_map(|e| match &e.names {
                PrincipalName::Account(a) => Some(a.as_str()),
                _ => None,
            })
            .collect();
        for entry in &element.entries {
            let account = match &entry.names {
                PrincipalName::Role { account, .. } => Some(account.as_str()),
                PrincipalName::Exact(arn) => arn.split(':').nth(4),
                _ => None,
            };
            if let Some(account) = account
                && !listed_accounts.contains(&account)
            {
                let message = format!(
                    "`NotPrincipal` names `{}` but not its account `arn:aws:iam::{account}:root`: AWS might deny the whole account, so the Deny may apply to that principal too",
                    entry.value
                );
                self.warn(WarningRule::NotprincipalWithoutAccount, path, entry.span, message);
            }
        }
    }

    fn actions(&mut self, member: &Member, path: &str) -> Option<ActionElement> {
        let negated = member.key == "NotAction";
        let mut actions = Vec::new();
        for (value, value_path, span) in self.strings(&member.value, path) {
            let valid = value == "*"
                || value.split_once(':').is_some_and(|(service, name)| {
                    !service.is_empty()
                        && !name.is_empty()
                        && service.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                        && !name.contains(char::is_whitespace)
                });
            if !valid {
                let message = format!("action `{value}` is not `*` nor `service:action`");
                self.error(Rule::InvalidAction, &value_path, span, message);
                continue;
            }
            if self.kind == PolicyKind::Vault && value.contains(['*', '?']) {
                let message = format!(
                    "action `{value}` has a wildcard: AWS Backup vault access policies do not support wildcards in actions"
                );
                self.error(Rule::VaultActionWildcard, &value_path, span, message);
                continue;
            }
            actions.push(ActionPattern {
                source: value.to_owned(),
                pattern: Pattern::new(value, Segments::Free, true),
            });
        }
        let services = actions
            .iter()
            .map(|a| match a.source.split_once(':') {
                Some((service, _)) if !service.contains(['*', '?']) => Some(service.to_ascii_lowercase()),
                _ => None,
            })
            .collect::<Option<Vec<String>>>();
        Some(ActionElement {
            negated,
            actions,
            services,
        })
    }

    fn resources(&mut self, member: &Member, path: &str) -> Option<ResourceElement> {
        let negated = member.key == "NotResource";
        let mut resources = Vec::new();
        for (value, value_path, span) in self.strings(&member.value, path) {
            let Some(template) = self.template(value, &value_path, span) else {
                continue;
            };
            if let Some(offset) = value.find("${").filter(|_| self.variables)
                && value.get(..offset).unwrap_or_default().matches(':').count() < 5
            {
                let message = format!(
                    "resource `{value}` has a policy variable before the resource part: variables may appear only after the fifth colon"
                );
                self.error(Rule::VariableOutsideResourcePart, &value_path, span, message);
                continue;
            }
            let segments: Vec<&str> = value.splitn(6, ':').collect();
            if segments.first() == Some(&"arn") && segments.get(2).is_some_and(|s| s.contains(['*', '?'])) {
                let message = format!(
                    "resource `{value}` has a wildcard in its service segment: wildcards are not allowed there"
                );
                self.error(Rule::ServiceWildcard, &value_path, span, message);
                continue;
            }
            if self.kind == PolicyKind::Identity && value != "*" && !value.starts_with("arn:") {
                let message = format!(
                    "resource `{value}` is not an ARN: it matches only a resource named exactly so, never a key in another account (name a KMS key by its key ARN)"
                );
                self.warn(WarningRule::ResourceNotArn, &value_path, span, message);
            }
            let pattern = (!template.is_dynamic()).then(|| Pattern::new(value, Segments::Resource, false));
            resources.push(ResourcePattern { template, pattern });
        }
        Some(ResourceElement { negated, resources })
    }

    /// Reads a string that may hold policy variables, and checks its variables.
    fn template(&mut self, value: &str, path: &str, span: Span) -> Option<Template> {
        match Template::parse(value, self.variables) {
            Ok(template) => {
                for key in template.variables() {
                    if MULTIVALUED_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                        let message = format!(
                            "`${{{key}}}` is a multivalued context key: it cannot be used as a policy variable"
                        );
                        self.error(Rule::MultivaluedVariable, path, span, message);
                        return None;
                    }
                }
                Some(template)
            }
            Err(bad) => {
                self.error(Rule::InvalidVariable, path, span, bad.message);
                None
            }
        }
    }

    fn conditions(&mut self, json: &Json, path: &str) -> Vec<Condition> {
        let JsonValue::Object(operators) = &json.value else {
            self.wrong_type(path, json, "a condition object");
            return Vec::new();
        };
        let mut conditions = Vec::new();
        for op_member in operators {
            let op_path = format!("{path}.{}", op_member.key);
            let Some(operator) = Operator::parse(&op_member.key) else {
                let message = format!("unknown condition operator `{}`", op_member.key);
                self.error(Rule::UnknownConditionOperator, &op_path, op_member.key_span, message);
                continue;
            };
            let JsonValue::Object(keys) = &op_member.value.value else {
                self.wrong_type(&op_path, &op_member.value, "an object of condition keys");
                continue;
            };
            for key_member in keys {
                let key_path = format!("{op_path}.{}", key_member.key);
                if let Some(condition) = self.condition(operator, &op_member.key, key_member, &key_path) {
                    conditions.push(condition);
                }
            }
        }
        conditions
    }

    fn condition(&mut self, operator: Operator, operator_name: &str, member: &Member, path: &str) -> Option<Condition> {
        let mut values = Vec::new();
        let mut operands = Vec::new();
        for (item, item_path) in one_or_many(&member.value, path) {
            let text = match &item.value {
                JsonValue::String(s) => s.clone(),
                JsonValue::Bool(b) => b.to_string(),
                JsonValue::Number(n) => n.clone(),
                _ => {
                    self.wrong_type(&item_path, item, "a string, number or boolean");
                    continue;
                }
            };
            let template = if operator.takes_variables() {
                self.template(&text, &item_path, item.span)?
            } else {
                if self.variables && text.contains("${") {
                    let message = format!("`{operator_name}` does not take policy variables, found `{text}`");
                    self.error(Rule::InvalidConditionValue, &item_path, item.span, message);
                    continue;
                }
                Template::literal(&text)
            };
            let operand = match operator.base {
                BaseOperator::StringEquals | BaseOperator::StringEqualsIgnoreCase | BaseOperator::BinaryEquals => {
                    Some(Operand::Text)
                }
                BaseOperator::StringLike => Some(if template.is_dynamic() {
                    Operand::Text
                } else {
                    Operand::Like(Pattern::new(&text, Segments::Free, false))
                }),
                BaseOperator::ArnLike => Some(Operand::Arn(if template.is_dynamic() {
                    None
                } else {
                    condition::compile_arn(&text)
                })),
                BaseOperator::Bool | BaseOperator::Null => match text.to_ascii_lowercase().as_str() {
                    "true" => Some(Operand::Bool(true)),
                    "false" => Some(Operand::Bool(false)),
                    _ if template.is_dynamic() => Some(Operand::Text),
                    _ => None,
                },
                BaseOperator::NumericEquals
                | BaseOperator::NumericLessThan
                | BaseOperator::NumericLessThanEquals
                | BaseOperator::NumericGreaterThan
                | BaseOperator::NumericGreaterThanEquals => text.trim().parse::<f64>().ok().map(Operand::Number),
                BaseOperator::DateEquals
                | BaseOperator::DateLessThan
                | BaseOperator::DateLessThanEquals
                | BaseOperator::DateGreaterThan
                | BaseOperator::DateGreaterThanEquals => condition::parse_date(&text).map(Operand::Date),
                BaseOperator::IpAddress => condition::Cidr::parse(&text).map(Operand::Cidr),
            };
            let Some(operand) = operand else {
                let expected = match operator.base {
                    BaseOperator::Bool | BaseOperator::Null => "`true` or `false`",
                    BaseOperator::IpAddress => "an IP address or CIDR range",
                    BaseOperator::DateEquals
                    | BaseOperator::DateLessThan
                    | BaseOperator::DateLessThanEquals
                    | BaseOperator::DateGreaterThan
                    | BaseOperator::DateGreaterThanEquals => "an ISO 8601 date or epoch seconds",
                    _ => "a number",
                };
                let message = format!("`{operator_name}` expects {expected}, found `{text}`");
                self.error(Rule::InvalidConditionValue, &item_path, item.span, message);
                continue;
            };
            values.push(template);
            operands.push(operand);
        }
        Some(Condition {
            operator_name: operator_name.to_owned(),
            operator,
            key: member.key.clone(),
            values,
            operands,
        })
    }
}

/// What an `AWS` principal value names, or `None` when it is not valid [S4].
pub(crate) fn aws_principal(value: &str) -> Option<PrincipalName> {
    if is_account_id(value) {
        return Some(PrincipalName::Account(value.to_owned()));
    }
    let [_, partition, service, region, account, resource] = crate::pattern::split_arn(value)?;
    if partition.is_empty() || !region.is_empty() || !is_account_id(account) || resource.contains(char::is_whitespace) {
        return None;
    }
    match (service, resource.split_once('/')) {
        ("iam", None) if resource == "root" => Some(PrincipalName::Account(account.to_owned())),
        ("iam", Some(("role", path))) if !path.is_empty() => Some(PrincipalName::Role {
            account: account.to_owned(),
            name: path.rsplit('/').next().unwrap_or(path).to_owned(),
        }),
        ("iam", Some(("user", path))) if !path.is_empty() => Some(PrincipalName::Exact(value.to_owned())),
        ("sts", Some(("assumed-role", rest))) if rest.split('/').filter(|s| !s.is_empty()).count() == 2 => {
            Some(PrincipalName::Exact(value.to_owned()))
        }
        ("sts", Some(("federated-user", name))) if !name.is_empty() => Some(PrincipalName::Exact(value.to_owned())),
        _ => None,
    }
}
