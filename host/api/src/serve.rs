//! Serving the router over HTTP/1.1 with hyper directly (not `axum::serve`), so the host sets
//! the connection's limits and answers every request in its own shape: each connection is
//! [`Guarded`] (hyper's own error answers rewritten), reads its head within 30 s, accepts up to
//! 256 header fields so the router's own bound ([`crate::layers::MAX_HEADERS`]) answers first,
//! and gets the peer's address as `ConnectInfo`. On the shutdown signal no new connection is
//! accepted and the requests in flight finish.

use crate::wire::Guarded;
use crate::{AppState, SecureCookies, router};
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long a client may take to send a request's head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);

/// Header fields hyper parses before refusing by itself (above the router's own bound).
const HYPER_MAX_HEADERS: usize = 256;

/// Serve the API on `bind` until Ctrl-C or SIGTERM, then finish requests in flight.
/// SIGHUP (a logrotate `postrotate`, a terminal closing) is logged and otherwise ignored: its
/// default action would end the server without a line in the log.
pub async fn serve(bind: &str, state: AppState) -> std::io::Result<()> {
    let listener = TcpListener::bind(bind).await?;
    ignore_hangups();
    serve_on(listener, state, shutdown_signal()).await
}

/// Take SIGHUP over (from now on it no longer ends the process) and log each one.
fn ignore_hangups() {
    #[cfg(unix)]
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(mut hangups) => {
            tokio::spawn(async move {
                while hangups.recv().await.is_some() {
                    tracing::info!(
                        "SIGHUP received: ignored (the rules folder is watched and logs go to stderr; nothing to reopen)"
                    );
                }
            });
        }
        Err(e) => tracing::warn!(error = %e, "cannot handle SIGHUP; it would end the server"),
    }
}

/// Serve the API on a bound listener until `shutdown` completes, then finish requests in
/// flight. Each connection's peer address reaches the handlers (`ConnectInfo`), and through
/// [`crate::client`] the client's.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let open_metrics = state.metrics_token.is_none();
    let hsts = state.secure_cookies == SecureCookies::Always;
    let (router, _) = router(state);
    let address = listener.local_addr()?;
    tracing::info!(%address, "serving the DWA API");
    if open_metrics && !address.ip().is_loopback() {
        tracing::warn!(%address, "/metrics is open on a non-loopback address; give it a token (DWA_METRICS_TOKEN)");
    }
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = router
            .clone()
            .map_request(move |mut request: axum::http::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(HEAD_TIMEOUT)
            .max_headers(HYPER_MAX_HEADERS);
        let connection = builder.serve_connection(
            TokioIo::new(Guarded::new(stream, hsts)),
            hyper_util::service::TowerToHyperService::new(service),
        );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tracing::info!("shutting down: finishing requests in flight");
    graceful.shutdown().await;
    Ok(())
}

/// Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
