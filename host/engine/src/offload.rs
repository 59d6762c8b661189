//! Where plugin calls run. wasmtime-wasi's synchronous bindings block on a future for every WASI
//! call a guest makes (a `println!`, a panic message, a clock read); on a tokio worker thread
//! that panics ("Cannot start a runtime from within a runtime") and takes the host down. So
//! every call into a plugin runs either on a thread without a runtime (the CLI's plain threads)
//! or on the blocking pool through [`run_blocking`], which marks its thread; the engine refuses,
//! as a host fault, a call made anywhere else.

use super::error::HostFault;
use std::cell::Cell;

thread_local! {
    static OFFLOADED: Cell<bool> = const { Cell::new(false) };
}

/// Run `f` (which may call plugins) on tokio's blocking pool and wait for it. A panic in `f`
/// is the host's fault, reported as such; it never unwinds into the caller.
pub async fn run_blocking<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> Result<R, HostFault> {
    tokio::task::spawn_blocking(move || {
        OFFLOADED.with(|flag| flag.set(true));
        f()
    })
    .await
    .map_err(|e| {
        let detail = if e.is_panic() {
            panic_text(e.into_panic())
        } else {
            "cancelled".to_owned()
        };
        tracing::error!(%detail, "a task running plugin calls failed");
        HostFault::TaskFailed(detail)
    })
}

/// Whether a plugin may be called on this thread: one without a tokio runtime, or one of the
/// blocking pool's threads entered through [`run_blocking`].
pub(crate) fn may_call_here() -> bool {
    OFFLOADED.with(Cell::get) || tokio::runtime::Handle::try_current().is_err()
}

fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panicked".to_owned())
}
