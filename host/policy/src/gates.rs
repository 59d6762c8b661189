//! Each region's bound on concurrent plugin calls. A region's calls wait for a turn (at most the
//! call deadline), so a flood of slow calls to one region queues behind that region's own
//! bound and is answered "busy" — while every other region keeps its own turns, and the
//! engine's shared instance pool never fills from one region.

use dwa_engine::HostFault;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a region counts as saturated after a call of it was turned away.
const BUSY_MEMORY: Duration = Duration::from_secs(5);

/// One semaphore per region, made on first use.
pub(crate) struct RegionGates {
    limit: usize,
    gates: Mutex<HashMap<String, Arc<Semaphore>>>,
    turned_away: Mutex<HashMap<String, Instant>>,
}

impl RegionGates {
    pub(crate) fn new(limit: usize) -> RegionGates {
        RegionGates {
            limit: limit.max(1),
            gates: Mutex::default(),
            turned_away: Mutex::default(),
        }
    }

    fn gate(&self, region: &str) -> Arc<Semaphore> {
        let mut gates = self.gates.lock().unwrap_or_else(|p| p.into_inner());
        gates
            .entry(region.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(self.limit)))
            .clone()
    }

    /// A turn for one call of `region`, waiting at most `wait`.
    pub(crate) async fn enter(&self, region: &str, wait: Duration) -> Result<OwnedSemaphorePermit, HostFault> {
        let gate = self.gate(region);
        match tokio::time::timeout(wait, gate.acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => {
                self.turned_away
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(region.to_owned(), Instant::now());
                tracing::warn!(region, limit = self.limit, "region busy: a plugin call was turned away");
                Err(HostFault::RegionBusy {
                    region: region.to_owned(),
                    limit: self.limit,
                })
            }
        }
    }

    /// Regions using every turn now, or that turned a call away in the last few seconds, with
    /// their calls running.
    pub(crate) fn saturated(&self) -> Vec<(String, usize)> {
        let recent: Vec<String> = {
            let mut turned_away = self.turned_away.lock().unwrap_or_else(|p| p.into_inner());
            turned_away.retain(|_, at| at.elapsed() < BUSY_MEMORY);
            turned_away.keys().cloned().collect()
        };
        let gates = self.gates.lock().unwrap_or_else(|p| p.into_inner());
        let mut saturated: Vec<(String, usize)> = gates
            .iter()
            .filter(|(region, gate)| gate.available_permits() == 0 || recent.contains(region))
            .map(|(region, gate)| (region.clone(), self.limit - gate.available_permits()))
            .collect();
        saturated.sort();
        saturated
    }

    /// The bound on each region's concurrent calls.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }
}
