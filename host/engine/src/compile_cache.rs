//! The compiled-component cache on disk: compiling a plugin takes about 150 ms (and more on a
//! busy machine); loading the machine code compiled earlier takes a few milliseconds. Entries are
//! keyed by the plugin's sha256 and the engine's compatibility hash (wasmtime version, target and
//! every setting that changes the code), so an upgrade or a config change never loads stale
//! code — it simply misses and compiles again.
//!
//! Loading precompiled code is trusted by wasmtime (`Component::deserialize` is `unsafe`: it is
//! native code), so the cache is trusted only as far as it is private:
//! - the folder is created private (0700) and refused — the host then compiles every time — if
//!   it is owned by another user or writable by group or others;
//! - every entry is written with the sha256 of its bytes beside it, and read back only if the
//!   bytes still have that hash (a torn or altered file is removed and compiled again);
//! - folders of other engine configurations, and entries unused for [`MAX_AGE`], are removed.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Entries not used for this long are removed when a cache is opened.
pub(crate) const MAX_AGE: Duration = Duration::from_secs(30 * 24 * 3600);

/// Where compiled components are kept for one engine configuration.
#[derive(Clone, Debug)]
pub(crate) struct CompileCache {
    dir: PathBuf,
}

/// Why a cache folder is not used.
#[derive(Debug, thiserror::Error)]
pub enum CacheRefused {
    /// The folder cannot be created or read.
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    /// Another user owns it.
    #[error("{0} is owned by user {1}, not by this host's user {2}")]
    Owner(PathBuf, u32, u32),
    /// Others may write into it.
    #[error("{0} is writable by group or others (mode {1:o}); make it 0700")]
    Writable(PathBuf, u32),
}

impl CompileCache {
    /// A cache under `root`, in a folder named after the engine's compatibility hash; refused
    /// unless `root` is private to this user.
    pub(crate) fn open(root: &Path, engine: &Engine) -> Result<CompileCache, CacheRefused> {
        let io = |e| CacheRefused::Io(root.to_owned(), e);
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(root)
            .map_err(io)?;
        let meta = std::fs::metadata(root).map_err(io)?;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me {
            return Err(CacheRefused::Owner(root.to_owned(), meta.uid(), me));
        }
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o022 != 0 {
            return Err(CacheRefused::Writable(root.to_owned(), mode));
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let name = format!("wasmtime-{}-{:016x}", wasmtime_version(), hasher.finish());
        let dir = root.join(&name);
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .or_else(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => Ok(()),
                _ => Err(CacheRefused::Io(dir.clone(), e)),
            })?;
        remove_stale(root, &name);
        Ok(CompileCache { dir })
    }

    /// The compiled component for `bytes` (hex `sha256`): from the cache, or compiled and stored.
    /// Cache trouble (unwritable folder, bad entry) never fails a load; it only costs a compile.
    pub(crate) fn component(&self, engine: &Engine, sha256: &str, bytes: &[u8]) -> wasmtime::Result<Component> {
        let code_path = self.dir.join(format!("{sha256}.cwasm"));
        let hash_path = self.dir.join(format!("{sha256}.cwasm.sha256"));
        if let (Ok(code), Ok(recorded)) = (std::fs::read(&code_path), std::fs::read_to_string(&hash_path)) {
            if hex::encode(Sha256::digest(&code)) == recorded.trim() {
                // SAFETY: the bytes are exactly those `Component::serialize` wrote for an engine
                // with this compatibility hash (the folder name), in a folder private to the host
                // (checked when opened), and verified against the hash recorded when written;
                // wasmtime still checks the header and refuses an incompatible file.
                match unsafe { Component::deserialize(engine, &code) } {
                    Ok(component) => {
                        touch(&code_path);
                        return Ok(component);
                    }
                    Err(e) => {
                        tracing::warn!(path = %code_path.display(), error = %e, "dropping an unusable compiled plugin")
                    }
                }
            } else {
                tracing::warn!(path = %code_path.display(), "dropping a compiled plugin whose hash does not match its record");
            }
            let _ = std::fs::remove_file(&code_path);
            let _ = std::fs::remove_file(&hash_path);
        }
        let component = Component::new(engine, bytes)?;
        if let Err(e) = self.store(&code_path, &hash_path, &component) {
            tracing::warn!(path = %code_path.display(), error = %e, "cannot cache a compiled plugin");
        }
        Ok(component)
    }

    fn store(
        &self,
        code_path: &Path,
        hash_path: &Path,
        component: &Component,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let code = component.serialize()?;
        // Write then rename, code first: a reader never sees half a file, nor a record without
        // its code.
        let partial = |path: &Path| path.with_extension(format!("partial-{}", std::process::id()));
        std::fs::write(partial(code_path), &code)?;
        std::fs::rename(partial(code_path), code_path)?;
        std::fs::write(partial(hash_path), hex::encode(Sha256::digest(&code)))?;
        std::fs::rename(partial(hash_path), hash_path)?;
        Ok(())
    }
}

/// Mark an entry used (its modification time), so it is not removed as stale.
fn touch(path: &Path) {
    if let Ok(file) = std::fs::File::options().append(true).open(path) {
        let _ = file.set_modified(SystemTime::now());
    }
}

/// Remove the folders of other engine configurations under `root`, and entries of `current`
/// unused for [`MAX_AGE`].
fn remove_stale(root: &Path, current: &str) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with("wasmtime-") {
            continue;
        }
        if name != current {
            let _ = std::fs::remove_dir_all(entry.path());
            continue;
        }
        for file in std::fs::read_dir(entry.path()).into_iter().flatten().flatten() {
            let old = file
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > MAX_AGE);
            if old {
                let _ = std::fs::remove_file(file.path());
            }
        }
    }
}

/// The wasmtime version this host is built with (the dependency is pinned in Cargo.toml).
fn wasmtime_version() -> &'static str {
    "48.0.8"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        Engine::default()
    }

    #[test]
    fn refuses_a_folder_others_may_write() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("cache");
        std::fs::create_dir(&root).unwrap();
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(matches!(
            CompileCache::open(&root, &engine()),
            Err(CacheRefused::Writable(..))
        ));
    }

    #[test]
    fn creates_a_private_folder_and_drops_other_configurations() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("cache");
        std::fs::create_dir_all(root.join("wasmtime-0.0.0-stale")).unwrap();
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o700)).unwrap();
        let cache = CompileCache::open(&root, &engine()).expect("a private folder is used");
        assert_eq!(
            std::fs::metadata(&cache.dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
        assert!(!root.join("wasmtime-0.0.0-stale").exists());
    }

    #[test]
    fn an_altered_entry_is_compiled_again_not_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine();
        let cache = CompileCache::open(&dir.path().join("cache"), &engine).unwrap();
        let wasm = wat_component();
        let sha = hex::encode(Sha256::digest(&wasm));
        cache.component(&engine, &sha, &wasm).expect("compiles");
        let code = cache.dir.join(format!("{sha}.cwasm"));
        let mut bytes = std::fs::read(&code).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&code, &bytes).unwrap();
        cache.component(&engine, &sha, &wasm).expect("recompiles");
        assert_ne!(std::fs::read(&code).unwrap(), bytes, "the altered entry was replaced");
    }

    /// The smallest component: an empty one, in binary form.
    fn wat_component() -> Vec<u8> {
        // (component) — preamble: magic, version 0x0d, layer 1.
        vec![0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]
    }
}
