//! Delivery of AWS Backup's events and vault notifications to the user's endpoints (`copylab serve --events-to URL`, `--notifications-to URL`, `--event-pattern FILE`), as a Lambda target receives them: each EventBridge envelope POSTed as JSON, each SNS notification as its `Records[]` document. Asynchronous and bounded: a task reads the logs under the state's lock for a moment, each endpoint has a queue of at most [`QUEUE`] items and a worker that posts with a timeout and a few retries, and a failing endpoint never slows the API; each failure is logged once, with the reason.

pub mod pattern;

use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use serde_json::Value;
use tokio::sync::{Mutex, mpsc};

use crate::state::ServerState;

/// Items an endpoint's queue holds; beyond, new ones are dropped (and logged).
pub const QUEUE: usize = 1_000;
/// How long one POST may take.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// Attempts per item (the first and the retries, 0.2 s, 0.4 s apart).
pub const ATTEMPTS: u32 = 3;
/// How often the logs are read.
pub const POLL: Duration = Duration::from_millis(100);

/// Where events and notifications go.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// `--events-to`: EventBridge envelopes.
    pub events: Vec<String>,
    /// `--notifications-to`: SNS `Records` documents.
    pub notifications: Vec<String>,
    /// `--event-pattern`: only the events it matches go (notifications are not filtered).
    pub pattern: Option<pattern::Pattern>,
}

/// `GET /_copylab/events/stream`: the events as they become due, as server-sent events (`id`
/// the event's number, `event` its `detail-type`, `data` its envelope), from the first the log
/// still holds or, with `?from=N`, from number N; read every [`POLL`], a comment line every 15 s
/// keeping the connection alive.
pub fn stream(shared: Arc<Mutex<ServerState>>, query: Option<&str>) -> axum::response::Response {
    let from = query
        .unwrap_or_default()
        .split('&')
        .find_map(|p| p.strip_prefix("from="))
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(0);
    let frames = futures_util::stream::unfold((shared, from, 0u32), |(shared, next, idle)| async move {
        let mut next = next;
        let mut idle = idle;
        loop {
            let due = {
                let state = shared.lock().await;
                state.services.backup.events.due_from(next, state.now())
            };
            if let Some((last, _)) = due.last() {
                next = last + 1;
                let text: String = due
                    .iter()
                    .map(|(number, envelope)| {
                        format!(
                            "id: {number}\nevent: {}\ndata: {envelope}\n\n",
                            envelope["detail-type"].as_str().unwrap_or_default()
                        )
                    })
                    .collect();
                return Some((
                    Ok::<Bytes, std::convert::Infallible>(Bytes::from(text)),
                    (shared, next, 0),
                ));
            }
            idle += 1;
            if idle * (POLL.as_millis() as u32) >= 15_000 {
                return Some((Ok(Bytes::from_static(b": keep-alive\n\n")), (shared, next, 0)));
            }
            tokio::time::sleep(POLL).await;
        }
    });
    let mut response = axum::response::Response::new(axum::body::Body::from_stream(frames));
    let headers = response.headers_mut();
    headers.insert(
        "content-type",
        axum::http::HeaderValue::from_static("text/event-stream"),
    );
    headers.insert("cache-control", axum::http::HeaderValue::from_static("no-cache"));
    response
}

/// Follows `base`'s event stream (`copylab events`): calls `each` with every envelope as it
/// arrives, until the connection ends; `Err` with the reason when it cannot connect.
pub async fn follow(base: &str, mut each: impl FnMut(Value)) -> Result<(), String> {
    use http_body_util::BodyExt as _;
    let uri = check_url(&format!("{}/_copylab/events/stream", base.trim_end_matches('/')))?;
    let client: hyper_util::client::legacy::Client<_, Full<Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
    let request = hyper::Request::get(uri)
        .body(Full::new(Bytes::new()))
        .map_err(|e| e.to_string())?;
    let response = client
        .request(request)
        .await
        .map_err(|e| format!("cannot reach {base}: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("{base} answered HTTP {}", response.status()));
    }
    let mut body = response.into_body();
    let mut pending = String::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| e.to_string())?;
        let Ok(data) = frame.into_data() else { continue };
        pending.push_str(&String::from_utf8_lossy(&data));
        while let Some(end) = pending.find("\n\n") {
            let message: String = pending.drain(..end + 2).collect();
            for line in message.lines() {
                if let Some(json) = line.strip_prefix("data: ")
                    && let Ok(envelope) = serde_json::from_str(json)
                {
                    each(envelope);
                }
            }
        }
    }
    Ok(())
}

/// An endpoint URL copylab can post to: `http://HOST:PORT/PATH` (no TLS: endpoints are local).
pub fn check_url(url: &str) -> Result<hyper::Uri, String> {
    let uri: hyper::Uri = url.parse().map_err(|e| format!("`{url}` is not a URL: {e}"))?;
    if uri.scheme_str() != Some("http") || uri.host().is_none() {
        return Err(format!(
            "`{url}` is not an http:// URL with a host (copylab posts to local endpoints, without TLS)"
        ));
    }
    Ok(uri)
}

/// Starts delivering to `targets` (nothing when there are none).
pub fn spawn(shared: Arc<Mutex<ServerState>>, targets: Targets) {
    if targets.events.is_empty() && targets.notifications.is_empty() {
        return;
    }
    let events: Vec<mpsc::Sender<Value>> = targets.events.iter().filter_map(|url| worker(url)).collect();
    let notifications: Vec<mpsc::Sender<Value>> = targets.notifications.iter().filter_map(|url| worker(url)).collect();
    let pattern = targets.pattern;
    tokio::spawn(async move {
        let (mut next_event, mut next_notification) = (0u64, 0u64);
        loop {
            tokio::time::sleep(POLL).await;
            let (new_events, new_notifications) = {
                let state = shared.lock().await;
                let now = state.now();
                let backup = &state.services.backup;
                (
                    backup.events.due_from(next_event, now),
                    backup.notifications.due_from(next_notification, now),
                )
            };
            if let Some(last) = new_events.last() {
                next_event = last.0 + 1;
            }
            if let Some(last) = new_notifications.last() {
                next_notification = last.0 + 1;
            }
            for (_, envelope) in new_events {
                if pattern.as_ref().is_some_and(|p| !p.matches(&envelope)) {
                    continue;
                }
                send_all(&events, &envelope);
            }
            for (_, record) in new_notifications {
                send_all(&notifications, &record);
            }
        }
    });
}

fn send_all(queues: &[mpsc::Sender<Value>], item: &Value) {
    for queue in queues {
        if let Err(mpsc::error::TrySendError::Full(_)) = queue.try_send(item.clone()) {
            tracing::warn!("delivery queue full ({QUEUE} items): an item was dropped");
        }
    }
}

/// A worker posting to `url` what its queue receives; `None` for a URL copylab cannot post to
/// (logged).
fn worker(url: &str) -> Option<mpsc::Sender<Value>> {
    let uri = match check_url(url) {
        Ok(uri) => uri,
        Err(why) => {
            tracing::warn!("not delivering: {why}");
            return None;
        }
    };
    let (sender, mut receiver) = mpsc::channel::<Value>(QUEUE);
    let client: hyper_util::client::legacy::Client<_, Full<Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
    tokio::spawn(async move {
        while let Some(item) = receiver.recv().await {
            let body = Bytes::from(item.to_string());
            let mut failure = String::new();
            for attempt in 0..ATTEMPTS {
                if attempt > 0 {
                    tokio::time::sleep(Duration::from_millis(200 << (attempt - 1))).await;
                }
                let request = hyper::Request::post(uri.clone())
                    .header("content-type", "application/json")
                    .body(Full::new(body.clone()));
                let Ok(request) = request else { break };
                match tokio::time::timeout(TIMEOUT, client.request(request)).await {
                    Ok(Ok(response)) if response.status().is_success() => {
                        failure.clear();
                        break;
                    }
                    Ok(Ok(response)) => failure = format!("HTTP {}", response.status()),
                    Ok(Err(e)) => failure = e.to_string(),
                    Err(_) => failure = format!("no answer within {} s", TIMEOUT.as_secs()),
                }
            }
            if !failure.is_empty() {
                tracing::warn!(url = %uri, "delivery failed after {ATTEMPTS} attempts: {failure}");
            }
        }
    });
    Some(sender)
}
