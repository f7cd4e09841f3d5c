//! The in-process connector: the SDKs' requests go into the router with no socket and no sleeps (the s3s pattern), optionally changed after signing.

use std::sync::Arc;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// Adds the `Host` header hyper would send (the SDK signs it from the URI).
pub(crate) fn add_host<B>(request: &mut axum::http::Request<B>) {
    if let Some(authority) = request.uri().authority().map(|a| a.as_str().to_owned()) {
        request
            .headers_mut()
            .entry("host")
            .or_insert(authority.parse().unwrap());
    }
}

/// Changes a signed request before the server sees it (signature tests).
pub(crate) type Tamper = Arc<dyn Fn(&mut axum::http::Request<Vec<u8>>) + Send + Sync>;

/// Sends the SDK's requests into the router, after `tamper` when there is one.
#[derive(Clone)]
pub(crate) struct RouterConnector {
    router: axum::Router,
    tamper: Option<Tamper>,
}

impl std::fmt::Debug for RouterConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterConnector")
            .field("tamper", &self.tamper.is_some())
            .finish()
    }
}

impl HttpConnector for RouterConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (router, tamper) = (self.router.clone(), self.tamper.clone());
        HttpConnectorFuture::new(async move {
            let request = request.try_into_http1x().map_err(|e| ConnectorError::user(e.into()))?;
            let (parts, body) = request.into_parts();
            let bytes = body.bytes().map(<[u8]>::to_vec).unwrap_or_default();
            let mut request = axum::http::Request::from_parts(parts, bytes);
            add_host(&mut request);
            if let Some(tamper) = tamper {
                tamper(&mut request);
            }
            let (parts, body) = request.into_parts();
            let request = axum::http::Request::from_parts(parts, axum::body::Body::from(body));
            let response = router
                .oneshot(request)
                .await
                .map_err(|e| ConnectorError::io(e.into()))?;
            let (parts, body) = response.into_parts();
            let bytes = body
                .collect()
                .await
                .map_err(|e| ConnectorError::io(e.into()))?
                .to_bytes();
            HttpResponse::try_from(axum::http::Response::from_parts(parts, SdkBody::from(bytes)))
                .map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}

/// An SDK HTTP client that is the router, in-process.
#[derive(Debug, Clone)]
pub(crate) struct RouterClient(pub(crate) axum::Router);

impl HttpClient for RouterClient {
    fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(RouterConnector {
            router: self.0.clone(),
            tamper: None,
        })
    }
}

/// Like [`RouterClient`], changing each request after the SDK signed it.
#[derive(Debug, Clone)]
pub(crate) struct TamperingClient(pub(crate) RouterConnector);

impl TamperingClient {
    pub(crate) fn new(router: &axum::Router, tamper: Tamper) -> Self {
        TamperingClient(RouterConnector {
            router: router.clone(),
            tamper: Some(tamper),
        })
    }
}

impl HttpClient for TamperingClient {
    fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(self.0.clone())
    }
}
