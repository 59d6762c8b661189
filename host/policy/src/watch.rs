//! Hot reload: a file watcher on the rules folder (with a polling fallback for filesystems whose
//! events do not arrive) feeds one loader task, which debounces bursts of changes and asks the
//! policy set to reload each affected manifest. A change that fails validation never goes live.
//!
//! Only real changes load: reads (the host's own, or anyone's) are not events, and a manifest
//! whose content (its bytes and its plugin's) is what the last attempt saw is skipped — so a
//! rejected candidate is validated once, not on every tick. Each manifest validates on its own
//! blocking task: a slow candidate of one region never holds up another region's change.

use crate::{PolicySet, is_province_manifest, manifests_in};
use notify::{RecursiveMode, Watcher};
use std::collections::{BTreeMap, BTreeSet, HashMap};
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

/// Size and modification time of every manifest, plugin and signature in the folder: what
/// polling compares.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u64, Option<SystemTime>)> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml" || x == "wasm" || x == "sig"))
        .filter_map(|p| {
            let meta = std::fs::metadata(&p).ok()?;
            Some((p, (meta.len(), meta.modified().ok())))
        })
        .collect()
}

/// The manifests a set of changed files touches: a changed manifest itself (or its signature
/// file), and every manifest naming a changed plugin file.
fn affected_manifests(dir: &Path, changed: &BTreeSet<PathBuf>) -> Vec<PathBuf> {
    let manifests = manifests_in(dir).unwrap_or_default();
    let mut affected: Vec<PathBuf> = Vec::new();
    for manifest in manifests {
        let signature = crate::signing::signature_path(&manifest);
        let touched = changed
            .iter()
            .any(|c| c.file_name() == manifest.file_name() || c.file_name() == signature.file_name())
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
    affected
}

/// Load one manifest if its content changed, on the blocking pool (failures are recorded in the
/// policy status and logged by the policy set).
fn load(policies: Arc<PolicySet>, manifest: PathBuf) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let loaded = dwa_engine::run_blocking(move || {
            let _ = policies.reload_if_changed(&manifest, "file watcher");
        });
        if let Err(e) = loaded.await {
            tracing::error!(error = %e, "reload task failed");
        }
    })
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
            // Opening or reading a file changes nothing (a closed write is a modify in effect).
            if matches!(event.kind, notify::EventKind::Access(kind) if kind != notify::event::AccessKind::Close(notify::event::AccessMode::Write)) {
                return;
            }
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
        let mut loading: HashMap<PathBuf, tokio::task::JoinHandle<()>> = HashMap::new();
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
            // The province first (its guardrails bind the others), then every other region at
            // once, each on its own task; a manifest still validating waits for the next round.
            loading.retain(|_, task: &mut tokio::task::JoinHandle<()>| !task.is_finished());
            let (province, regions): (Vec<_>, Vec<_>) = affected.into_iter().partition(|p| is_province_manifest(p));
            for manifest in province {
                if !loading.contains_key(&manifest) {
                    let task = load(policies.clone(), manifest.clone());
                    let _ = task.await;
                }
            }
            for manifest in regions {
                if loading.contains_key(&manifest) {
                    // Seen again by polling once the running load is done (the stamp is forgotten).
                    seen.remove(&manifest);
                    continue;
                }
                loading.insert(manifest.clone(), load(policies.clone(), manifest));
            }
        }
    });
    drop(tx);
    RulesWatcher {
        _watcher: watcher,
        task,
    }
}
