//! Errors from loading and calling plugins. Every error names the plugin: its region, name and
//! version once known, otherwise the file it came from.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Who a plugin is: what its `info` export says (region, name, version) beside what the host
/// knows for itself — the sha256 of its bytes. A plugin chooses its own name, so a hostile one
/// could call itself "Provinsi Jawa Barat"; the hash is what tells two plugins apart.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PluginId {
    /// BPS code of the region, as the plugin says.
    pub region: String,
    /// Plugin name, as the plugin says.
    pub name: String,
    /// Plugin version, as the plugin says.
    pub version: String,
    /// Hex sha256 of the component's bytes, computed by the host.
    pub sha256: String,
}

impl PluginId {
    /// The first 12 hex digits of the sha256: enough to tell plugins apart in a message.
    pub fn short_sha256(&self) -> &str {
        self.sha256.get(..12).unwrap_or(&self.sha256)
    }
}

impl fmt::Display for PluginId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` {} (region {}, sha256 {})",
            self.name,
            self.version,
            self.region,
            self.short_sha256()
        )
    }
}

/// Why a plugin file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The wasmtime engine could not be configured.
    #[error("cannot start the WebAssembly engine: {0}")]
    Engine(String),
    /// The bytes are not a WebAssembly component.
    #[error("{source_name}: not a valid WebAssembly component: {reason}")]
    NotAComponent {
        /// The file.
        source_name: String,
        /// What the compiler said.
        reason: String,
    },
    /// The component does not export a contract version this host supports.
    #[error(
        "{source_name}: exports {found}; this host supports dwa:policy/rules@{{{supported}}} — rebuild the plugin with a supported dwa-sdk"
    )]
    UnsupportedContract {
        /// The file.
        source_name: String,
        /// What the component exports.
        found: String,
        /// Supported versions, comma separated.
        supported: String,
    },
    /// The component imports something the sandbox does not provide.
    #[error(
        "{source_name}: needs imports the sandbox does not provide (only WASI without files, network or environment): {reason}"
    )]
    Imports {
        /// The file.
        source_name: String,
        /// What the linker said.
        reason: String,
    },
    /// The component failed while answering `info`.
    #[error("{source_name}: `info` failed: {error}")]
    Info {
        /// The file.
        source_name: String,
        /// The failure.
        error: Box<PluginError>,
    },
    /// `info` names a contract version other than the one the component exports.
    #[error("{source_name}: `info` claims contract {claimed} but the component exports {exported}")]
    ContractMismatch {
        /// The file.
        source_name: String,
        /// What `info` said.
        claimed: String,
        /// What the component exports.
        exported: String,
    },
}

/// Why one call into a plugin failed. The host and every other region keep working.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The plugin stopped abnormally.
    #[error("plugin {plugin} trapped: {cause}")]
    Trap {
        /// The plugin.
        plugin: Arc<PluginId>,
        /// Why.
        cause: TrapCause,
        /// What it printed before (bounded).
        output: String,
    },
    /// The plugin answered something no decision can be.
    #[error("plugin {plugin} returned invalid output: {reason}")]
    InvalidOutput {
        /// The plugin.
        plugin: Arc<PluginId>,
        /// What is wrong.
        reason: String,
    },
    /// The plugin declined to decide (its own `plugin-error`), e.g. a bad parameter.
    #[error("plugin {plugin} refused: {code}: {message}")]
    Refused {
        /// The plugin.
        plugin: Arc<PluginId>,
        /// Its error code.
        code: String,
        /// Its message.
        message: String,
    },
    /// The host could not run the call: its fault, not the plugin's (see [`HostFault`]).
    #[error("the host could not run plugin {plugin}: {fault}")]
    Host {
        /// The plugin that was to be called.
        plugin: Arc<PluginId>,
        /// What the host lacked.
        fault: HostFault,
    },
}

/// Why the host itself could not run a plugin call. Never counted against the plugin: the
/// client may retry, and `/readyz` reports the host degraded while it lasts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HostFault {
    /// The engine's pool of instances, memories or tables is full.
    #[error("the host is out of plugin instances ({0}); retry shortly")]
    PoolExhausted(String),
    /// Too many calls of this region are running or waiting.
    #[error("region {region} has {limit} calls running and more waiting; retry shortly")]
    RegionBusy {
        /// The region.
        region: String,
        /// Its bound on concurrent calls.
        limit: usize,
    },
    /// A call was made on an async worker thread, where a WASI call would crash the host (a
    /// host bug: every entry point must go through `engine::run_blocking`).
    #[error("a plugin call was made on an async worker thread (a host bug)")]
    AsyncWorker,
    /// The task running the calls panicked or was cancelled (a host bug).
    #[error("the task running the call failed: {0}")]
    TaskFailed(String),
}

impl PluginError {
    /// The plugin concerned.
    pub fn plugin(&self) -> &PluginId {
        match self {
            PluginError::Trap { plugin, .. }
            | PluginError::InvalidOutput { plugin, .. }
            | PluginError::Refused { plugin, .. }
            | PluginError::Host { plugin, .. } => plugin,
        }
    }

    /// A short stable label for metrics and logs: `fuel`, `timeout`, `memory`, …
    pub fn kind(&self) -> &'static str {
        match self {
            PluginError::Trap { cause, .. } => cause.kind(),
            PluginError::InvalidOutput { .. } => "invalid_output",
            PluginError::Refused { .. } => "refused",
            PluginError::Host { .. } => "host",
        }
    }

    /// Whether the host, not the plugin, is to blame.
    pub fn is_host_fault(&self) -> bool {
        matches!(self, PluginError::Host { .. })
    }
}

/// Why a plugin trapped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrapCause {
    /// Ran out of its instruction budget (an endless loop, or far too much work).
    FuelExhausted {
        /// The budget.
        budget: u64,
    },
    /// Ran past its wall-clock deadline.
    Timeout {
        /// The deadline.
        after: Duration,
    },
    /// Tried to grow its memory past the cap.
    MemoryLimit {
        /// The cap in bytes.
        limit: usize,
        /// The size it asked for.
        requested: usize,
    },
    /// The guest panicked (or hit `unreachable`).
    Panic {
        /// The panic message, if it printed one.
        message: Option<String>,
    },
    /// Recursed past its stack.
    StackOverflow,
    /// Accessed memory outside its linear memory — for a Rust guest usually its shadow stack
    /// (kept in linear memory) overflowing.
    OutOfBounds,
    /// Returned more than the host accepts.
    OutputTooLarge {
        /// What it returned.
        what: String,
        /// The limit.
        limit: String,
    },
    /// Broke the component ABI (invalid enum value, bad UTF-8, out-of-bounds pointer, …).
    Abi(String),
    /// Any other trap.
    Other(String),
}

impl TrapCause {
    /// A short stable label for metrics and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            TrapCause::FuelExhausted { .. } => "fuel",
            TrapCause::Timeout { .. } => "timeout",
            TrapCause::MemoryLimit { .. } => "memory",
            TrapCause::Panic { .. } => "panic",
            TrapCause::StackOverflow => "stack_overflow",
            TrapCause::OutOfBounds => "out_of_bounds",
            TrapCause::OutputTooLarge { .. } => "output_too_large",
            TrapCause::Abi(_) => "abi",
            TrapCause::Other(_) => "trap",
        }
    }
}

impl fmt::Display for TrapCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrapCause::FuelExhausted { budget } => write!(
                f,
                "fuel exhausted (budget {budget} units): endless loop or too much work"
            ),
            TrapCause::Timeout { after } => write!(f, "deadline of {} ms exceeded", after.as_millis()),
            TrapCause::MemoryLimit { limit, requested } => {
                write!(
                    f,
                    "memory limit of {} KiB exceeded (asked for {} KiB)",
                    limit >> 10,
                    requested >> 10
                )
            }
            TrapCause::Panic { message: Some(m) } => write!(f, "panicked: {m}"),
            TrapCause::Panic { message: None } => write!(f, "panicked (unreachable executed)"),
            TrapCause::StackOverflow => write!(f, "stack overflow"),
            TrapCause::OutOfBounds => {
                write!(
                    f,
                    "memory access out of bounds (usually the guest's stack overflowing into its data)"
                )
            }
            TrapCause::OutputTooLarge { what, limit } => write!(f, "output too large: {what}, limit {limit}"),
            TrapCause::Abi(e) => write!(f, "broke the component ABI: {e}"),
            TrapCause::Other(e) => write!(f, "{e}"),
        }
    }
}
