//! The shape of an operation table (generated per service by `build.rs` from the vendored models) and matching a restJson1 request's method and path against one.

/// Where an input member travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A path label.
    Uri,
    /// A query string parameter.
    Query,
    /// A header.
    Header,
    /// A header prefix map.
    Headers,
    /// The JSON body.
    Body,
}

/// An input member of an operation.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    /// The member name (body key).
    pub name: &'static str,
    /// Where it travels.
    pub location: Location,
    /// Its name in the path, query or header.
    pub location_name: &'static str,
    /// The model type (`string`, `long`, `integer`, `boolean`, `timestamp`, `map`, `list`, `structure`, ...).
    pub kind: &'static str,
    /// Whether the model requires it.
    pub required: bool,
    /// Minimum length or value.
    pub min: Option<f64>,
    /// Maximum length or value.
    pub max: Option<f64>,
    /// The model's pattern.
    pub pattern: Option<&'static str>,
    /// Allowed values of an enum.
    pub enumeration: &'static [&'static str],
}

/// One operation of the model.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// The operation name.
    pub name: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template, e.g. `/backup-vaults/{backupVaultName}`.
    pub path: &'static str,
    /// A fixed query string in the model's URI (rare).
    pub fixed_query: &'static str,
    /// The input members.
    pub members: &'static [Member],
}

/// Path labels: (label name, decoded value).
pub type Labels = Vec<(&'static str, String)>;

/// One segment of a path template.
#[derive(Debug, Clone, Copy)]
enum Segment {
    Literal(&'static str),
    Label(&'static str),
}

/// A restJson1 route table: every operation of a model with its path template split once, in
/// buckets by method and number of segments (a request is compared with its bucket only).
#[derive(Debug)]
pub struct Routes {
    buckets: std::collections::HashMap<(&'static str, usize), Vec<Route>>,
}

/// One operation's route: its template's segments and how many are literal.
#[derive(Debug)]
struct Route {
    operation: &'static Operation,
    template: Vec<Segment>,
    literals: usize,
}

impl Routes {
    /// The routes of `operations`.
    pub fn new(operations: &'static [Operation]) -> Self {
        let mut buckets: std::collections::HashMap<(&'static str, usize), Vec<Route>> = Default::default();
        for operation in operations {
            let template: Vec<Segment> = operation
                .path
                .trim_end_matches('/')
                .split('/')
                .skip(1)
                .map(|t| match t.strip_prefix('{').and_then(|l| l.strip_suffix('}')) {
                    Some(label) => Segment::Label(label.trim_end_matches('+')),
                    None => Segment::Literal(t),
                })
                .collect();
            let literals = template.iter().filter(|s| matches!(s, Segment::Literal(_))).count();
            buckets
                .entry((operation.method, template.len()))
                .or_default()
                .push(Route {
                    operation,
                    template,
                    literals,
                });
        }
        Routes { buckets }
    }

    /// Finds the operation for `method` and `path` (already split from its query); returns it and
    /// its path labels, percent-decoded. A trailing slash is accepted with or without (botocore
    /// sends `GET /copy-jobs/`, the Smithy-based SDKs `GET /copy-jobs`).
    pub fn route(&self, method: &str, path: &str) -> Option<(&'static Operation, Labels)> {
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
        let bucket = self.buckets.get(&(method, segments.len()))?;
        // Prefer the template with the most literal segments (`/x/{a}/y` over `/x/{a}/{b}`).
        let route = bucket
            .iter()
            .filter(|route| {
                route.template.iter().zip(&segments).all(|(t, s)| match t {
                    Segment::Literal(l) => l == s,
                    Segment::Label(_) => !s.is_empty(),
                })
            })
            .max_by_key(|route| route.literals)?;
        let mut labels = Vec::new();
        for (t, s) in route.template.iter().zip(&segments) {
            if let Segment::Label(label) = t {
                let value = percent_decode(s).filter(|v| !v.is_empty())?;
                labels.push((*label, value));
            }
        }
        Some((route.operation, labels))
    }
}

/// Decodes `%XX` escapes of one path segment; `None` for malformed escapes or non-UTF-8.
pub fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = segment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    static OPERATIONS: &[Operation] = &[
        Operation {
            name: "ListCopyJobs",
            method: "GET",
            path: "/copy-jobs/",
            fixed_query: "",
            members: &[],
        },
        Operation {
            name: "StartCopyJob",
            method: "PUT",
            path: "/copy-jobs",
            fixed_query: "",
            members: &[],
        },
        Operation {
            name: "DescribeRecoveryPoint",
            method: "GET",
            path: "/backup-vaults/{backupVaultName}/recovery-points/{recoveryPointArn}",
            fixed_query: "",
            members: &[],
        },
    ];

    #[test]
    fn routes_with_and_without_trailing_slash() {
        let routes = Routes::new(OPERATIONS);
        assert_eq!(
            routes.route("GET", "/copy-jobs/").map(|(op, _)| op.name),
            Some("ListCopyJobs")
        );
        assert_eq!(
            routes.route("GET", "/copy-jobs").map(|(op, _)| op.name),
            Some("ListCopyJobs")
        );
        assert_eq!(
            routes.route("PUT", "/copy-jobs").map(|(op, _)| op.name),
            Some("StartCopyJob")
        );
    }

    #[test]
    fn arn_labels_are_percent_decoded() {
        let (op, labels) = Routes::new(OPERATIONS)
            .route(
                "GET",
                "/backup-vaults/Vault/recovery-points/arn%3Aaws%3Aec2%3Aus-east-1%3A%3Asnapshot%2Fsnap-1",
            )
            .unwrap();
        assert_eq!(op.name, "DescribeRecoveryPoint");
        assert_eq!(labels[1].1, "arn:aws:ec2:us-east-1::snapshot/snap-1");
        assert!(percent_decode("%zz").is_none());
    }
}
