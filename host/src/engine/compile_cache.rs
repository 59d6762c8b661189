//! The compiled-component cache on disk: compiling a plugin takes about 150 ms (and more on a
//! busy machine); loading the machine code compiled earlier takes a few milliseconds. Entries are
//! keyed by the plugin's sha256 and the engine's compatibility hash (wasmtime version, target and
//! every setting that changes the code), so an upgrade or a config change never loads stale
//! code — it simply misses and compiles again.
//!
//! Loading precompiled code is trusted by wasmtime (`Component::deserialize_file` is `unsafe`):
//! the cache folder must be writable only by the host, like its database. A corrupt or foreign
//! entry is refused by wasmtime's own header check, removed, and recompiled.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where compiled components are kept for one engine configuration.
#[derive(Clone, Debug)]
pub(crate) struct CompileCache {
    dir: PathBuf,
}

impl CompileCache {
    /// A cache under `root`, in a folder named after the engine's compatibility hash.
    pub(crate) fn new(root: &Path, engine: &Engine) -> CompileCache {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        CompileCache {
            dir: root.join(format!("wasmtime-{}-{:016x}", wasmtime_version(), hasher.finish())),
        }
    }

    /// The compiled component for `bytes` (hex `sha256`): from the cache, or compiled and stored.
    /// Cache trouble (unwritable folder, bad entry) never fails a load; it only costs a compile.
    pub(crate) fn component(&self, engine: &Engine, sha256: &str, bytes: &[u8]) -> wasmtime::Result<Component> {
        let path = self.dir.join(format!("{sha256}.cwasm"));
        if path.exists() {
            // SAFETY: the file was written by `Component::serialize` of an engine with the same
            // compatibility hash (the folder name), in a folder only the host writes; wasmtime
            // still checks its header and refuses an incompatible file.
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => return Ok(component),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "dropping an unusable compiled plugin");
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        let component = Component::new(engine, bytes)?;
        if let Err(e) = self.store(&path, &component) {
            tracing::warn!(path = %path.display(), error = %e, "cannot cache a compiled plugin");
        }
        Ok(component)
    }

    fn store(&self, path: &Path, component: &Component) -> Result<(), Box<dyn std::error::Error>> {
        std::fs::create_dir_all(&self.dir)?;
        let code = component.serialize()?;
        // Write then rename: a reader never sees half a file.
        let partial = path.with_extension(format!("partial-{}", std::process::id()));
        std::fs::write(&partial, code)?;
        std::fs::rename(&partial, path)?;
        Ok(())
    }
}

/// The wasmtime version this host is built with (the dependency is pinned in Cargo.toml).
fn wasmtime_version() -> &'static str {
    "48.0.8"
}
