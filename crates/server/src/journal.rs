//! The journal of accepted requests (`copylab serve --state-dir`): every request that can change the state is handed to a [`Journal`] before it is applied, with the virtual time and wall time it was applied at, so that replaying the journal on the same start state rebuilds the same state (the server is deterministic in its inputs: time, ids and requests). The server writes no file: the command line's journal does.

use serde::{Deserialize, Serialize};

use crate::state::ServerState;

/// Where journaled requests go (the command line's state directory). `record` must make the
/// entry durable before it returns: the request is applied and answered only after.
pub trait Journal: Send {
    /// Records `entry`.
    fn record(&mut self, entry: &Entry) -> std::io::Result<()>;
    /// The state is back to its start (`POST /_copylab/reset`, recorded as `entry`): the
    /// entries before it no longer matter, and `entry` keeps the clock's time.
    fn reset(&mut self, entry: &Entry) -> std::io::Result<()>;
}

/// The state's journal, if it keeps one.
#[derive(Default)]
pub struct JournalHook(pub Option<Box<dyn Journal>>);

impl std::fmt::Debug for JournalHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "JournalHook(on)"
        } else {
            "JournalHook(off)"
        })
    }
}

/// Which door a request came in by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Door {
    /// An AWS API request (any service).
    Aws,
    /// A control API request (`/_copylab/...`, path without the prefix).
    Control,
}

/// One journaled request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Virtual time it was applied at, epoch seconds.
    pub at: f64,
    /// Wall time it arrived at (SigV4's window reads it), epoch seconds.
    pub wall: f64,
    /// AWS API or control API.
    pub door: Door,
    /// The HTTP method.
    pub method: String,
    /// The path (for the control API, after `/_copylab/`).
    pub path: String,
    /// The query string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The headers (those that are text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// The body as text, when it is UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body in hex, when it is not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_hex: Option<String>,
}

impl Entry {
    /// The entry for a request.
    pub fn new(
        at: f64,
        wall: std::time::SystemTime,
        door: Door,
        parts: &axum::http::request::Parts,
        path: &str,
        body: &[u8],
    ) -> Self {
        let (body, body_hex) = match std::str::from_utf8(body) {
            Ok("") => (None, None),
            Ok(text) => (Some(text.to_owned()), None),
            Err(_) => (None, Some(hex::encode(body))),
        };
        Entry {
            at,
            wall: crate::clock::wall_seconds(wall),
            door,
            method: parts.method.as_str().to_owned(),
            path: path.to_owned(),
            query: parts.uri.query().map(str::to_owned),
            headers: parts
                .headers
                .iter()
                .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
                .collect(),
            body,
            body_hex,
        }
    }

    /// The body's bytes.
    pub fn body_bytes(&self) -> Result<Vec<u8>, String> {
        match (&self.body, &self.body_hex) {
            (Some(text), _) => Ok(text.as_bytes().to_vec()),
            (None, Some(hex)) => hex::decode(hex).map_err(|e| format!("body_hex: {e}")),
            (None, None) => Ok(Vec::new()),
        }
    }
}

/// Applies a journaled request to `state` as it was applied: the clock at the entry's virtual
/// time (frozen while it runs), the same wall time, the same door. The answer is dropped.
pub fn replay(state: &mut ServerState, entry: &Entry) -> Result<(), String> {
    let (start, scale) = (state.clock.start(), state.clock.scale());
    state.clock = crate::clock::Clock::resumed(start, entry.at, 0.0);
    let body = entry.body_bytes()?;
    match entry.door {
        Door::Control => {
            let method = axum::http::Method::from_bytes(entry.method.as_bytes()).map_err(|e| e.to_string())?;
            let _ = crate::control::handle(state, &method, &entry.path, entry.query.as_deref(), &body);
        }
        Door::Aws => {
            let mut headers = axum::http::HeaderMap::new();
            for (name, value) in &entry.headers {
                if let (Ok(name), Ok(value)) = (
                    axum::http::HeaderName::from_bytes(name.as_bytes()),
                    axum::http::HeaderValue::from_str(value),
                ) {
                    headers.append(name, value);
                }
            }
            let sent = crate::wire::sigv4::Sent {
                method: &entry.method,
                raw_path: &entry.path,
                raw_query: entry.query.as_deref(),
                headers: &headers,
                body: &body,
            };
            let wall = std::time::UNIX_EPOCH + std::time::Duration::from_secs_f64(entry.wall.max(0.0));
            let _ = crate::services::respond(state, &sent, wall);
        }
    }
    // The clock goes on from the entry's time at its scale.
    let now = state.clock.now();
    state.clock = crate::clock::Clock::resumed(state.clock.start(), now, scale);
    Ok(())
}
