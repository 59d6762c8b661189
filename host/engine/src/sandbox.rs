//! The sandbox a plugin call runs in: a memory cap, and — only for components that import WASI —
//! a capability-free WASI context: no files, network, environment or arguments; clocks that read
//! the evaluation date; randomness seeded from it; stdout/stderr captured and bounded.
//!
//! Time is virtual: a guest's sleep or timed poll never waits. wasmtime-wasi's own monotonic
//! clock subscriptions sleep on the real clock inside the host call, where neither fuel nor the
//! epoch deadline can stop them, so one sleeping plugin could hold a thread and an instance slot
//! for ever. The linker shadows them: a subscription advances the virtual clock to its deadline
//! and is ready at once, so `std::thread::sleep(20 s)` returns at once with the clock 20 s on,
//! and a guest sleeping in a loop spins until fuel or the deadline stops it.

use super::Limits;
use dwa_domain::GuestOutput;
use dwa_sdk::Date;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use wasmtime::ResourceLimiter;
use wasmtime::StoreContextMut;
use wasmtime::component::{Linker, Resource, ResourceTable};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{DynPollable, OutputStream, Pollable, StreamResult, subscribe};
use wasmtime_wasi::random::Deterministic;
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxView, WasiView};

/// Caps linear memory and records the first request past the cap, so the trap can be named.
pub(crate) struct MemoryCap {
    limit: usize,
    /// The size asked for when the cap was hit.
    pub(crate) exceeded: Option<usize>,
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.limit {
            self.exceeded.get_or_insert(desired);
            // Trapping (instead of returning `false`) stops a guest that would otherwise abort
            // anyway, and makes the cause unambiguous.
            wasmtime::bail!("memory limit of {} bytes exceeded", self.limit);
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

struct Wasi {
    ctx: WasiCtx,
    table: ResourceTable,
    clock: VirtualClock,
}

/// The data of one call's [`wasmtime::Store`].
pub(crate) struct HostState {
    pub(crate) limiter: MemoryCap,
    /// The fuel the current call started with.
    pub(crate) fuel_budget: u64,
    /// Built on the first WASI call only: most calls never make one (the imports are there for
    /// a panic message or a `println!`), and building a context for each instance costs more
    /// than a whole decision.
    wasi: Option<Wasi>,
    log: Option<BoundedLog>,
    max_log_bytes: usize,
    today: Date,
}

impl HostState {
    pub(crate) fn new(limits: &Limits, today: Date) -> HostState {
        HostState {
            limiter: MemoryCap {
                limit: limits.memory_bytes,
                exceeded: None,
            },
            fuel_budget: limits.fuel,
            wasi: None,
            log: None,
            max_log_bytes: limits.max_log_bytes,
            today,
        }
    }

    fn wasi(&mut self) -> &mut Wasi {
        let (today, max_log_bytes) = (self.today, self.max_log_bytes);
        let log = self.log.get_or_insert_with(|| BoundedLog::new(max_log_bytes)).clone();
        self.wasi.get_or_insert_with(|| {
            let midnight = Duration::from_secs(today.days_since_epoch().max(0) as u64 * 86_400);
            let seed = splitmix_bytes(today.days_since_epoch() as u64, 256);
            let clock = VirtualClock::default();
            let ctx = WasiCtx::builder()
                .stdout(log.clone())
                .stderr(log)
                .wall_clock(FixedWallClock(midnight))
                .monotonic_clock(clock.clone())
                .secure_random(Deterministic::new(seed.clone()))
                .insecure_random(Deterministic::new(seed))
                .insecure_random_seed(today.days_since_epoch() as u128)
                .allow_ip_name_lookup(false)
                .allow_tcp(false)
                .allow_udp(false)
                .build();
            Wasi {
                ctx,
                table: ResourceTable::new(),
                clock,
            }
        })
    }

    pub(crate) fn take_output(&mut self) -> GuestOutput {
        self.log.as_ref().map(BoundedLog::take).unwrap_or_default()
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let wasi = self.wasi();
        WasiCtxView {
            ctx: &mut wasi.ctx,
            table: &mut wasi.table,
        }
    }
}

/// The monotonic clock interface wasmtime-wasi defines (guests importing any 0.2.x version are
/// linked to it).
const MONOTONIC_CLOCK: &str = "wasi:clocks/monotonic-clock@0.2.12";

/// Link the WASI interfaces (backed by the capability-free context above), with the clock's
/// subscriptions in virtual time (see the module docs).
pub(crate) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    wasmtime_wasi::p2::add_to_linker_sync(linker)?;
    linker.allow_shadowing(true);
    let mut clock = linker.instance(MONOTONIC_CLOCK)?;
    clock.func_wrap(
        "subscribe-duration",
        |mut store: StoreContextMut<'_, HostState>, (nanos,): (u64,)| {
            let wasi = store.data_mut().wasi();
            wasi.clock.advance_by(nanos);
            Ok((virtual_deadline(&mut wasi.table)?,))
        },
    )?;
    clock.func_wrap(
        "subscribe-instant",
        |mut store: StoreContextMut<'_, HostState>, (instant,): (u64,)| {
            let wasi = store.data_mut().wasi();
            wasi.clock.advance_to(instant);
            Ok((virtual_deadline(&mut wasi.table)?,))
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

/// A pollable that is ready at once: a deadline in virtual time, already reached.
fn virtual_deadline(table: &mut ResourceTable) -> wasmtime::Result<Resource<DynPollable>> {
    let deadline = table.push(VirtualDeadline)?;
    subscribe(table, deadline)
}

struct VirtualDeadline;

#[wasmtime_wasi::async_trait]
impl Pollable for VirtualDeadline {
    async fn ready(&mut self) {}
}

/// `bytes` pseudo-random bytes from `seed` (SplitMix64): deterministic per evaluation date.
fn splitmix_bytes(mut seed: u64, bytes: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes);
    while out.len() < bytes {
        seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(bytes);
    out
}

/// The wall clock reads midnight UTC of the evaluation date.
struct FixedWallClock(Duration);

impl HostWallClock for FixedWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        self.0
    }
}

/// The virtual monotonic clock (nanoseconds): it advances one microsecond per reading, and to
/// the deadline of every sleep — deterministic for the same calls, and never waited on.
#[derive(Clone, Default)]
struct VirtualClock(Arc<AtomicU64>);

impl VirtualClock {
    fn advance_by(&self, nanos: u64) {
        let _ = self.0.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |now| {
            Some(now.saturating_add(nanos))
        });
    }

    fn advance_to(&self, instant: u64) {
        self.0.fetch_max(instant, Ordering::Relaxed);
    }
}

impl HostMonotonicClock for VirtualClock {
    fn resolution(&self) -> u64 {
        1_000
    }
    fn now(&self) -> u64 {
        self.0.fetch_add(1_000, Ordering::Relaxed)
    }
}

/// Bytes of the end of the output kept apart, so a panic message printed after a full log is
/// still found.
const TAIL_BYTES: usize = 1024;

/// Keeps the first `capacity` bytes written and counts the rest; writing never fails, so a
/// chatty guest is not killed by its own logging.
#[derive(Clone)]
struct BoundedLog {
    capacity: usize,
    inner: Arc<Mutex<GuestOutput>>,
}

impl BoundedLog {
    fn new(capacity: usize) -> BoundedLog {
        BoundedLog {
            capacity,
            inner: Arc::default(),
        }
    }

    fn append(&self, bytes: &[u8]) {
        let mut out = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let room = self.capacity.saturating_sub(out.bytes.len());
        let kept = room.min(bytes.len());
        out.bytes.extend_from_slice(&bytes[..kept]);
        out.dropped += bytes.len() - kept;
        if kept < bytes.len() {
            out.tail.extend_from_slice(&bytes[kept..]);
            let excess = out.tail.len().saturating_sub(TAIL_BYTES);
            out.tail.drain(..excess);
        }
    }

    fn take(&self) -> GuestOutput {
        std::mem::take(&mut *self.inner.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl IsTerminal for BoundedLog {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for BoundedLog {
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }

    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }
}

impl OutputStream for BoundedLog {
    fn write(&mut self, bytes: bytes::Bytes) -> StreamResult<()> {
        self.append(&bytes);
        Ok(())
    }
    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }
    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 << 10)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for BoundedLog {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for BoundedLog {
    fn poll_write(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        self.append(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
