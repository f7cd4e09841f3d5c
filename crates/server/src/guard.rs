//! What a browser must not do to `copylab serve`: reach it under a name that is not the server's (DNS rebinding), or change its state from another site's page (a cross-origin POST). AWS clients send neither an `Origin` nor a stranger's `Host`, so they pass untouched.

use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The names besides loopback names and IP literals a server answers to (`copylab serve
/// --allow-host`), set once on its router by [`allow_hosts`] and read from each request, so that
/// the check needs no lock. A router without it (in-process servers) answers any `Host`.
#[derive(Debug, Clone)]
pub struct AllowedHosts(pub std::sync::Arc<[String]>);

/// `router`, answering only loopback names, IP literals and `names` in `Host`.
pub fn allow_hosts(router: axum::Router, names: Vec<String>) -> axum::Router {
    router.layer(axum::Extension(AllowedHosts(names.into())))
}

/// The refusal of a request whose `Host` is not allowed (see [`AllowedHosts`]), or that carries
/// an `Origin` other than its own `Host` on a method that changes state; `None` lets it through.
pub fn check(parts: &Parts) -> Option<Response> {
    let allowed = parts.extensions.get::<AllowedHosts>().map(|a| &*a.0);
    let host = parts
        .headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if let Some(allowed) = allowed
        && !host_allowed(host, allowed)
    {
        return Some(refuse(format!(
            "copylab serve does not answer the host `{host}` (use --allow-host to add a name)"
        )));
    }
    let changes_state = !matches!(parts.method.as_str(), "GET" | "HEAD" | "OPTIONS");
    if let Some(origin) = parts
        .headers
        .get(axum::http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        && changes_state
        && origin_host(origin) != Some(host)
    {
        return Some(refuse(format!("a page from `{origin}` may not change copylab's state")));
    }
    None
}

/// Loopback names, IP literals and the `allowed` names, with any port.
fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let name = match host.strip_prefix('[') {
        // `[::1]:4747`
        Some(rest) => {
            return rest
                .split(']')
                .next()
                .is_some_and(|ip| ip.parse::<std::net::Ipv6Addr>().is_ok());
        }
        None => host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                name
            } else {
                host
            }
        }),
    };
    let name = name.to_ascii_lowercase();
    name.parse::<std::net::Ipv4Addr>().is_ok()
        || name == "localhost"
        || name.ends_with(".localhost")
        || allowed.iter().any(|a| a.eq_ignore_ascii_case(&name))
}

/// `http://127.0.0.1:4747` -> `127.0.0.1:4747`.
fn origin_host(origin: &str) -> Option<&str> {
    origin.split_once("://").map(|(_, rest)| rest.trim_end_matches('/'))
}

fn refuse(message: String) -> Response {
    let mut response = (StatusCode::FORBIDDEN, message).into_response();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_and_ip_literals_are_answered_other_names_only_when_allowed() {
        let allowed = ["copylab".to_owned()];
        for host in [
            "127.0.0.1:4747",
            "localhost:4747",
            "LOCALHOST",
            "x.localhost:1",
            "[::1]:4747",
            "10.0.0.5",
            "copylab:4747",
        ] {
            assert!(host_allowed(host, &allowed), "{host}");
        }
        for host in ["evil.example:4747", "127.0.0.1.nip.io", "", "localhost.evil.example"] {
            assert!(!host_allowed(host, &allowed), "{host}");
        }
    }
}
