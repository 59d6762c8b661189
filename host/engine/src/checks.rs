//! The structural checks every plugin answer passes before the host uses it, whatever the
//! region: days within a week, reasons present and bounded, verdicts consistent, grants only for
//! the candidates asked about — and every text made safe (see [`dwa_domain::text`]).

use crate::{Plugin, PluginError, PolicyEngine, TrapCause, text};
use dwa_sdk::{AllocationRequest, Eligibility, Grant, Verdict};

impl PolicyEngine {
    pub(crate) fn check_batch_len(
        &self,
        plugin: &Plugin,
        export: &str,
        got: usize,
        asked: usize,
    ) -> Result<(), PluginError> {
        if got != asked {
            return Err(plugin.invalid_output(format!("{export} returned {got} results for {asked} items")));
        }
        Ok(())
    }

    /// Structural checks every verdict must pass, whatever the region; its codes made safe.
    pub(crate) fn check_verdict(&self, plugin: &Plugin, v: &mut Verdict) -> Result<(), PluginError> {
        if v.max_remote_days > 5 {
            return Err(plugin.invalid_output(format!(
                "max-remote-days {} is more than a 5-day week",
                v.max_remote_days
            )));
        }
        if v.eligible != v.failed.is_empty() {
            return Err(plugin.invalid_output(format!(
                "a verdict that is {} with failed gates {:?}",
                if v.eligible { "eligible" } else { "not eligible" },
                v.failed
            )));
        }
        if v.approvals_required.len() > 8 {
            return Err(plugin.invalid_output(format!("{} approvals required", v.approvals_required.len())));
        }
        let bytes: usize = v.failed.iter().map(String::len).sum();
        if v.failed.len() > self.limits.max_reasons || bytes > self.limits.max_output_bytes {
            return Err(PluginError::Trap {
                plugin: plugin.shared_id(),
                cause: TrapCause::OutputTooLarge {
                    what: format!("{} failed gates ({bytes} bytes)", v.failed.len()),
                    limit: format!("{} reasons", self.limits.max_reasons),
                },
                output: String::new(),
            });
        }
        for code in &mut v.failed {
            text::clean(code, text::MAX_CODE_BYTES);
        }
        if v.failed.iter().any(String::is_empty) {
            return Err(plugin.invalid_output("a failed gate without a code".into()));
        }
        Ok(())
    }

    /// Structural checks every decision must pass, whatever the region; its texts made safe
    /// (see [`text`]).
    pub(crate) fn check_eligibility(&self, plugin: &Plugin, e: &mut Eligibility) -> Result<(), PluginError> {
        if e.max_remote_days > 5 {
            return Err(plugin.invalid_output(format!(
                "max-remote-days {} is more than a 5-day week",
                e.max_remote_days
            )));
        }
        if e.eligible && e.reasons.iter().any(|r| !r.passed) {
            return Err(plugin.invalid_output("eligible although a gate failed".into()));
        }
        if e.reasons.is_empty() {
            return Err(plugin.invalid_output("a decision without reasons".into()));
        }
        if e.approvals_required.len() > 8 {
            return Err(plugin.invalid_output(format!("{} approvals required", e.approvals_required.len())));
        }
        if e.reasons.len() > self.limits.max_reasons {
            return Err(PluginError::Trap {
                plugin: plugin.shared_id(),
                cause: TrapCause::OutputTooLarge {
                    what: format!("{} reasons", e.reasons.len()),
                    limit: format!("{} reasons", self.limits.max_reasons),
                },
                output: String::new(),
            });
        }
        let bytes: usize = e
            .reasons
            .iter()
            .map(|r| {
                r.code.len()
                    + r.message.id.len()
                    + r.message.en.len()
                    + r.remedy.as_ref().map_or(0, |t| t.id.len() + t.en.len())
            })
            .sum();
        if bytes > self.limits.max_output_bytes {
            return Err(PluginError::Trap {
                plugin: plugin.shared_id(),
                cause: TrapCause::OutputTooLarge {
                    what: format!("{bytes} bytes of reasons"),
                    limit: format!("{} bytes", self.limits.max_output_bytes),
                },
                output: String::new(),
            });
        }
        for r in &mut e.reasons {
            text::clean(&mut r.code, text::MAX_CODE_BYTES);
            let remedy = r.remedy.iter_mut().flat_map(|t| [&mut t.id, &mut t.en]);
            for t in [&mut r.message.id, &mut r.message.en].into_iter().chain(remedy) {
                text::clean(t, text::MAX_MESSAGE_BYTES);
            }
        }
        if let Some(r) = e
            .reasons
            .iter()
            .find(|r| r.code.is_empty() || r.message.id.is_empty() || r.message.en.is_empty())
        {
            return Err(plugin.invalid_output(format!(
                "reason `{}` lacks a code or a message in both languages",
                r.code
            )));
        }
        Ok(())
    }
}

/// Grants must answer exactly the candidates asked about, within their eligibility, with
/// `remote_days` distinct weekdays each.
pub(crate) fn check_grants(plugin: &Plugin, request: &AllocationRequest, grants: &[Grant]) -> Result<(), PluginError> {
    if grants.len() > request.candidates.len() {
        return Err(plugin.invalid_output(format!(
            "{} grants for {} candidates",
            grants.len(),
            request.candidates.len()
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for grant in grants {
        let Some(candidate) = request
            .candidates
            .iter()
            .find(|c| c.application_id == grant.application_id)
        else {
            return Err(plugin.invalid_output(format!("grant for unknown application `{}`", grant.application_id)));
        };
        if !seen.insert(grant.application_id.as_str()) {
            return Err(plugin.invalid_output(format!("two grants for application `{}`", grant.application_id)));
        }
        if grant.nip != candidate.nip {
            return Err(plugin.invalid_output(format!("grant for `{}` names another NIP", grant.application_id)));
        }
        if grant.remote_days > candidate.max_remote_days {
            return Err(plugin.invalid_output(format!(
                "granted {} days to `{}`, eligible for {}",
                grant.remote_days, grant.application_id, candidate.max_remote_days
            )));
        }
        let mut days = grant.weekdays.clone();
        days.sort_unstable();
        days.dedup();
        if days.len() != grant.weekdays.len() || days.len() != grant.remote_days as usize {
            return Err(plugin.invalid_output(format!(
                "grant for `{}` has {} days but weekdays {:?}",
                grant.application_id, grant.remote_days, grant.weekdays
            )));
        }
    }
    Ok(())
}
