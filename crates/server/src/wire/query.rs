//! The query-protocol edge (AWS STS, AWS IAM): the `Action` and the form (`Name.member.N` lists) as the operation's input, answers in XML (`<OpResponse><OpResult>`, `<ErrorResponse>`, `text/xml`).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::model::Operation;
use super::xml::escape;
use super::{ApiError, Rejection};

/// The form's `Action`.
pub fn action_of(form: &[(String, String)]) -> &str {
    form.iter()
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

/// A successful answer: `inner` (the XML inside `<OpResult>`) wrapped in the operation's
/// response element in the service's namespace.
pub fn response(action: &str, namespace: &str, inner: Option<String>, request_id: &str) -> Response {
    let result = inner.map_or_else(String::new, |inner| {
        format!("  <{action}Result>\n{inner}  </{action}Result>\n")
    });
    xml_response(
        StatusCode::OK,
        format!(
            "<{action}Response xmlns=\"{namespace}\">\n{result}  <ResponseMetadata>\n    <RequestId>{}</RequestId>\n  </ResponseMetadata>\n</{action}Response>\n",
            escape(request_id)
        ),
        request_id,
    )
}

/// An error in the query protocol's shape (observed STS body, facts aws-org-wire §2.2), in the
/// service's namespace.
pub fn error_response(namespace: &str, error: &ApiError, request_id: &str) -> Response {
    let body = format!(
        "<ErrorResponse xmlns=\"{namespace}\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>{}</RequestId>\n</ErrorResponse>\n",
        escape(error.code),
        escape(&error.message),
        escape(request_id)
    );
    super::with_error_headers(xml_response(error.status, body, request_id), error, request_id)
}

fn xml_response(status: StatusCode, body: String, request_id: &str) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("text/xml"));
    super::with_request_id(response, request_id)
}

/// The form as the operation's input, keyed by member name and checked against the model
/// (unknown parameters and list indexes; the model's checks run in the call pipeline). Lists travel as
/// `Name.member.N` and their structures as `Name.member.N.Field`.
pub fn form_input(operation: &Operation, form: &[(String, String)]) -> Result<Map<String, Value>, Rejection> {
    let validation = |message: String| Rejection::Serialization(message);
    let mut input = Map::new();
    for (key, text) in form {
        if key == "Action" || key == "Version" {
            continue;
        }
        let (top, rest) = key.split_once('.').map_or((key.as_str(), None), |(t, r)| (t, Some(r)));
        let Some(member) = operation.members.iter().find(|m| m.name == top) else {
            return Err(validation(format!("{top} is not a parameter of {}", operation.name)));
        };
        match rest {
            None => {
                let value = super::members::typed_value(member, text).map_err(|v| Rejection::Invalid(vec![v]))?;
                input.insert(member.name.to_owned(), value);
            }
            Some(rest) => {
                // `member.N` or `member.N.Field`: a list of strings or of structures.
                let mut parts = rest.splitn(3, '.');
                let (Some("member"), Some(index)) = (parts.next(), parts.next().and_then(|n| n.parse::<usize>().ok()))
                else {
                    return Err(validation(format!("{key} is not a parameter of {}", operation.name)));
                };
                let Value::Array(list) = input
                    .entry(member.name.to_owned())
                    .or_insert_with(|| Value::Array(Vec::new()))
                else {
                    return Err(validation(format!("{top} is given twice")));
                };
                if index == 0 || index > 1000 {
                    return Err(validation(format!("{key}: list indexes start at 1")));
                }
                while list.len() < index {
                    list.push(Value::Null);
                }
                match parts.next() {
                    None => list[index - 1] = Value::String(text.clone()),
                    Some(field) => {
                        if !list[index - 1].is_object() {
                            list[index - 1] = Value::Object(Map::new());
                        }
                        if let Value::Object(map) = &mut list[index - 1] {
                            map.insert(field.to_owned(), Value::String(text.clone()));
                        }
                    }
                }
            }
        }
    }
    Ok(input)
}

/// `application/x-www-form-urlencoded` pairs, decoded (`+` is a space).
pub fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                let s = s.replace('+', " ");
                super::model::percent_decode(&s).unwrap_or(s)
            };
            (decode(k), decode(v))
        })
        .collect()
}

/// A string member of a checked input.
pub fn get<'i>(input: &'i Map<String, Value>, name: &str) -> Option<&'i str> {
    input.get(name).and_then(Value::as_str)
}

/// Percent-encodes everything but RFC 3986's unreserved characters, as IAM encodes the policy
/// documents it returns (SigV4's encoding, slashes included).
pub fn url_encode(text: &str) -> String {
    super::sigv4::encode(text, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::model::{Location, Member};

    #[test]
    fn forms_decode_and_documents_encode() {
        assert_eq!(
            parse_form(b"Action=AssumeRole&RoleSessionName=a+b%2Fc"),
            [
                ("Action".to_owned(), "AssumeRole".to_owned()),
                ("RoleSessionName".to_owned(), "a b/c".to_owned())
            ]
        );
        assert_eq!(url_encode("{\"A\": \"b c\"}"), "%7B%22A%22%3A%20%22b%20c%22%7D");
    }

    static TAGS: &[Member] = &[Member {
        name: "Tags",
        location: Location::Body,
        location_name: "Tags",
        kind: "list",
        required: false,
        min: None,
        max: None,
        pattern: None,
        enumeration: &[],
    }];
    static CREATE_ROLE: Operation = Operation {
        name: "CreateRole",
        method: "POST",
        path: "/",
        fixed_query: "",
        members: TAGS,
    };

    #[test]
    fn lists_of_structures_are_gathered_by_index() {
        let form = parse_form(
            b"Action=CreateRole&Version=2010-05-08&Tags.member.2.Key=b&Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Value=2",
        );
        let input = form_input(&CREATE_ROLE, &form).expect("valid");
        assert_eq!(
            input["Tags"],
            serde_json::json!([{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        );
        let unknown = parse_form(b"Action=CreateRole&Colour=red");
        assert!(matches!(
            form_input(&CREATE_ROLE, &unknown),
            Err(Rejection::Serialization(_))
        ));
    }
}
