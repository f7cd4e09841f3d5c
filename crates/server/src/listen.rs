//! The accept loop of `copylab serve`: HTTP/1.1 connections with a header read timeout (which also closes idle keep-alives), a body read timeout, a limit on open connections, and graceful shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tower_service::Service as _;

/// The bounds on connections; [`Limits::default`] is what `copylab serve` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long a client may take to send a request's headers, from the connection's start or
    /// the previous response: a half-sent header or an idle keep-alive is closed after it.
    pub header_read_timeout: Duration,
    /// How long a client may take to send a request's body (a request that declares more than
    /// it sends is answered 408 after it).
    pub body_read_timeout: Duration,
    /// Connections open at once; beyond, new clients wait in the listen queue.
    pub max_connections: usize,
    /// How long requests in flight may finish after SIGTERM or SIGINT.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// The body read timeout of the connection a request came on (a request extension).
#[derive(Debug, Clone, Copy)]
pub struct BodyReadTimeout(pub Duration);

/// Serves `router` on `listener` until `stop` completes; then stops accepting, lets requests in
/// flight finish for up to [`Limits::shutdown_grace`], and returns.
pub async fn run(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (closing, closed) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit,
            () = &mut stop => break,
        };
        let Ok(permit) = permit else { break };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file handles, or a connection reset before it was accepted: wait a
                // little rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let (router, mut closed) = (router.clone(), closed.clone());
        connections.spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(BodyReadTimeout(limits.body_read_timeout));
                router.clone().call(request)
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                () = async {
                    let _ = closed.wait_for(|closed| *closed).await;
                } => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = closing.send(true);
    let drained = async { while connections.join_next().await.is_some() {} };
    // What is still in flight after the grace period is cut.
    let _ = tokio::time::timeout(limits.shutdown_grace, drained).await;
    connections.abort_all();
    Ok(())
}
