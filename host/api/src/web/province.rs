//! Provincial IT's page: every region's rules at a glance (version serving, last attempt and
//! its error), plugin failures and host faults counted since start (from the host's own
//! metrics), the next quarter's stored decisions and eligible rate per region, and links to
//! `/metrics` and `/openapi.json`.

use super::format;
use super::page::{PageError, Shell, render};
use super::session::WebUser;
use crate::{ApiError, AppState, Role};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use std::collections::BTreeMap;

/// One region's line.
pub struct RegionRow {
    code: String,
    name: String,
    serving: String,
    last_attempt: String,
    error: Option<String>,
    failures: u64,
    decisions: String,
    eligible: String,
}

#[derive(Template)]
#[template(path = "province.html")]
struct ProvincePage {
    shell: Shell,
    quarter: String,
    regions: Vec<RegionRow>,
}

/// Sum a counter of the Prometheus exposition by its `region` label.
fn by_region(exposition: &str, metric: &str) -> BTreeMap<String, u64> {
    let mut sums = BTreeMap::new();
    for line in exposition
        .lines()
        .filter(|l| l.starts_with(metric) && l[metric.len()..].starts_with('{'))
    {
        let Some(region) = line.split("region=\"").nth(1).and_then(|r| r.split('"').next()) else {
            continue;
        };
        let value = line
            .rsplit(' ')
            .next()
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0);
        *sums.entry(region.to_owned()).or_insert(0) += value as u64;
    }
    sums
}

/// `GET /province`.
pub async fn show(State(state): State<AppState>, user: WebUser) -> Result<Response, PageError> {
    user.require(Role::ProvincialAdmin)?;
    let lang = user.lang;
    let fail = |e: ApiError| PageError::from(e).in_lang(lang);
    let quarter = state.today().quarter().next();
    let regions = dwa_workflow::onboarding::regions(&state.store)
        .await
        .map_err(|e| fail(e.into()))?;
    let status = state.policies.status();
    let exposition = state.metrics.render();
    let failures = by_region(&exposition, "dwa_plugin_failures_total");
    let faults = by_region(&exposition, "dwa_host_faults_total");
    let counts = dwa_workflow::reads::decision_counts(&state.store, None, quarter)
        .await
        .map_err(|e| fail(e.into()))?;
    let rows = regions
        .into_iter()
        .map(|region| {
            let s = status
                .iter()
                .find(|s| s.region.as_deref() == Some(region.code.as_str()));
            let active = s.and_then(|s| s.active.as_ref());
            let attempt = s.and_then(|s| s.last_attempt.as_ref());
            let count = counts.iter().find(|c| c.region == region.code);
            RegionRow {
                serving: active.map_or_else(
                    || "—".into(),
                    |a| {
                        format!(
                            "{} {} · {}…",
                            a.plugin_name,
                            a.plugin_version,
                            &a.sha256[..a.sha256.len().min(12)]
                        )
                    },
                ),
                last_attempt: attempt.map_or_else(
                    || "—".into(),
                    |a| format!("{} · {}", format::timestamp(&a.at, lang), if a.ok { "OK" } else { "✗" }),
                ),
                error: attempt.and_then(|a| a.error.clone()),
                failures: failures.get(&region.code).copied().unwrap_or(0)
                    + faults.get(&region.code).copied().unwrap_or(0),
                decisions: count.map_or_else(|| "0".into(), |c| format::thousands(c.decisions)),
                eligible: count.map_or_else(
                    || "—".into(),
                    |c| {
                        format::percent(
                            if c.decisions == 0 {
                                0.0
                            } else {
                                c.eligible as f64 / c.decisions as f64
                            },
                            lang,
                        )
                    },
                ),
                code: region.code,
                name: region.name,
            }
        })
        .collect();
    Ok(render(&ProvincePage {
        shell: user.shell("/province"),
        quarter: format::quarter(quarter, lang),
        regions: rows,
    }))
}
