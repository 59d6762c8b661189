//! Hot reload: a file watcher on the rules folder (with a polling fallback for filesystems whose
//! events do not arrive) feeds one loader task, which debounces bursts of changes and asks the
//! policy set to reload each affected manifest. A change that fails validation never goes live.

use crate::policy::{PolicySet, manifests_in};
use notify::{RecursiveMode, Watcher};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::mpsc;

/// How long the folder must be quiet before a burst of changes is loaded (editors and `cp`
/// write in several steps).
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// Watches a rules folder for as long as it is kept.
pub struct RulesWatcher {
    _watcher: Option<notify::RecommendedWatcher>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RulesWatcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Size and modification time of every manifest and plugin in the folder: what polling compares.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u64, Option<SystemTime>)> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml" || x == "wasm"))
        .filter_map(|p| {
            let meta = std::fs::metadata(&p).ok()?;
            Some((p, (meta.len(), meta.modified().ok())))
        })
        .collect()
}

/// The manifests a set of changed files touches: a changed manifest itself, and every manifest
/// naming a changed plugin file.
fn affected_manifests(dir: &Path, changed: &BTreeSet<PathBuf>) -> Vec<PathBuf> {
    let manifests = manifests_in(dir).unwrap_or_default();
    let mut affected: Vec<PathBuf> = Vec::new();
    for manifest in manifests {
        let touched = changed.iter().any(|c| c.file_name() == manifest.file_name())
            || std::fs::read_to_string(&manifest)
                .ok()
                .and_then(|t| dwa_sdk::manifest::Manifest::parse(&t).ok())
                .is_some_and(|m| {
                    changed
                        .iter()
                        .any(|c| c.file_name().is_some_and(|n| n.to_string_lossy() == m.plugin))
                });
        if touched {
            affected.push(manifest);
        }
    }
    // The province's guardrails bind the others: load it first.
    affected.sort_by_key(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("32-")));
    affected
}

/// Start watching `dir`, reloading into `policies`. `poll` is the polling fallback's period.
pub fn spawn(policies: Arc<PolicySet>, dir: PathBuf, poll: Duration) -> RulesWatcher {
    spawn_with(policies, dir, poll, true)
}

/// [`spawn`], optionally without file events: polling alone, as on filesystems (network
/// mounts, some containers) whose events never arrive.
pub fn spawn_with(policies: Arc<PolicySet>, dir: PathBuf, poll: Duration, file_events: bool) -> RulesWatcher {
    let (tx, mut rx) = mpsc::unbounded_channel::<PathBuf>();
    let events = tx.clone();
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            for path in event.paths {
                let _ = events.send(path);
            }
        }
    })
    .and_then(|mut w| w.watch(&dir, RecursiveMode::NonRecursive).map(|()| w))
    .and_then(|w| {
        if file_events {
            Ok(w)
        } else {
            Err(notify::Error::generic("file events switched off"))
        }
    })
    .map_err(|e| tracing::warn!(error = %e, "file events unavailable; relying on polling"))
    .ok();

    let task = tokio::spawn(async move {
        let mut seen = snapshot(&dir);
        let mut ticker = tokio::time::interval(poll);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let mut changed = BTreeSet::new();
            tokio::select! {
                Some(path) = rx.recv() => { changed.insert(path); }
                _ = ticker.tick() => {}
            }
            // Debounce: gather everything that arrives until the folder is quiet.
            while let Ok(Some(path)) = tokio::time::timeout(DEBOUNCE, rx.recv()).await {
                changed.insert(path);
            }
            // Polling catches what events missed (and files changed while we were loading).
            let now = snapshot(&dir);
            for (path, stamp) in &now {
                if seen.get(path) != Some(stamp) {
                    changed.insert(path.clone());
                }
            }
            seen = now;
            let affected = affected_manifests(&dir, &changed);
            if affected.is_empty() {
                continue;
            }
            let policies = policies.clone();
            let reload = tokio::task::spawn_blocking(move || {
                for manifest in affected {
                    // Failures are recorded in the policy status and logged by `reload`.
                    let _ = policies.reload(&manifest, "file watcher");
                }
            });
            if let Err(e) = reload.await {
                tracing::error!(error = %e, "reload task failed");
            }
        }
    });
    drop(tx);
    RulesWatcher {
        _watcher: watcher,
        task,
    }
}
