//! `dwa check`: validate a manifest and its plugin (contract version, `info`, worked examples,
//! guardrails) and print the report. `dwa plugin test` runs the same validation and printing,
//! with each example's answer in detail.

use crate::engine;
use anyhow::bail;
use clap::Args;
use dwa_policy::{ALLOCATION_EXAMPLE, PROVINCE, RegionPolicy, ValidationReport, validate};
use dwa_sdk::Eligibility;
use dwa_sdk::manifest::{Guardrails, Manifest};
use std::path::{Path, PathBuf};

// The arguments; the command's help text is the doc comment of its variant in `cli::Command`.
#[derive(Args, Debug)]
pub(crate) struct CheckArgs {
    /// The manifest, e.g. rules/3216-kab-bekasi.toml.
    manifest: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// The database whose registered keys and signature requirement apply (default: none — the
    /// signature is then not checked unless `--key` is given).
    #[arg(long, env = "DWA_DATABASE")]
    database: Option<String>,
    /// Require the manifest to be signed with this public key (a `.pub` file).
    #[arg(long)]
    key: Option<PathBuf>,
}

/// The province manifest this `dwa` was built with: the guardrails `dwa plugin test` applies in
/// a regency's own repository, where no province manifest lies beside the regency's.
const BUILT_IN_PROVINCE: &str = include_str!("../../../../rules/32-jabar.toml");

/// Where the province's guardrails come from when its manifest is not beside the one checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WithoutProvince {
    /// Check without guardrails (with a warning): `dwa check` in a rules folder.
    NoGuardrails,
    /// The province manifest built into this `dwa` (said on stderr): a regency's own repository.
    BuiltIn,
}

/// Run `dwa check`.
pub(crate) async fn run(args: CheckArgs) -> anyhow::Result<()> {
    let CheckArgs {
        manifest,
        json,
        database,
        key,
    } = args;
    let signature = super::check_signature::check(&manifest, database.as_deref(), key.as_deref()).await?;
    eprintln!("{}: {signature}", manifest.display());
    let report = validate_manifest(&manifest, WithoutProvince::NoGuardrails).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&manifest, &report, false);
    }
    conclude(&report, !json)
}

/// Load a manifest and its plugin and run the host's validation on them, against the province's
/// guardrails (see [`WithoutProvince`]).
pub(crate) async fn validate_manifest(manifest: &Path, without: WithoutProvince) -> anyhow::Result<ValidationReport> {
    // Plugin calls (and the WASI calls a printing plugin makes) run off the async workers.
    let path = manifest.to_owned();
    dwa_engine::run_blocking(move || -> anyhow::Result<_> {
        let engine = engine()?;
        let region = RegionPolicy::load(&engine, &path)?;
        let guardrails = province_guardrails(&path, &region, without)?;
        Ok(validate(&engine, &region, &guardrails))
    })
    .await?
}

/// Print the report: a line per example, with what the plugin printed; with `detail`, also its
/// answer (outcome, approvals, each reason's code passed or failed) and whether `decide` agreed.
pub(crate) fn print_report(manifest: &Path, report: &ValidationReport, detail: bool) {
    println!(
        "{}: region {} — plugin {} (contract {}, sha256 {})",
        manifest.display(),
        report.region,
        report.plugin,
        report.contract,
        &report.sha256[..16]
    );
    for e in &report.examples {
        match (&e.problem, detail) {
            (None, false) => println!("  ok    {} (fuel {})", e.name, e.fuel_used),
            (None, true) => println!("  ok    {}", e.name),
            (Some(p), _) => println!("  FAIL  {}: {p}", e.name),
        }
        if detail && let Some(answer) = &e.answer {
            let decide = match e.decide_agrees {
                Some(true) => "decide agrees with evaluate",
                _ => "decide DISAGREES with evaluate",
            };
            println!("        {}; fuel {}; {decide}", outcome(answer), e.fuel_used);
            println!("        reasons: {}", reasons(answer));
        }
        // What the plugin printed (already bounded and made printable).
        for line in e.output.lines() {
            println!("        | {line}");
        }
    }
}

/// `eligible 3-2, approvals ["supervisor"]` — the approvals as a manifest's `expect` writes them.
fn outcome(answer: &Eligibility) -> String {
    let approvals = serde_json::to_string(&answer.approvals_required).unwrap_or_default();
    format!(
        "{} {}, approvals {approvals}",
        if answer.eligible { "eligible" } else { "not eligible" },
        dwa_sdk::baseline::pattern(answer.max_remote_days)
    )
}

/// Each reason as `CODE` (passed) or `CODE FAILED`, in the plugin's order.
fn reasons(answer: &Eligibility) -> String {
    let all: Vec<String> = answer
        .reasons
        .iter()
        .map(|r| match r.passed {
            true => r.code.clone(),
            false => format!("{} FAILED", r.code),
        })
        .collect();
    if all.is_empty() { "none".into() } else { all.join(", ") }
}

/// Fail when an example failed; otherwise (with `print`) say that all passed.
pub(crate) fn conclude(report: &ValidationReport, print: bool) -> anyhow::Result<()> {
    if !report.passed() {
        bail!(
            "{} of {} worked examples failed",
            report.failures().len(),
            report.examples.len()
        );
    }
    if print {
        let allocation = report.examples.iter().any(|e| e.name == ALLOCATION_EXAMPLE);
        let examples = report.examples.len() - usize::from(allocation);
        match allocation {
            true => println!("all {examples} worked examples pass, and the allocation check; guardrails hold"),
            false => println!("all {examples} worked examples pass; guardrails hold"),
        }
    }
    Ok(())
}

/// The province's guardrails: from this manifest if it is the province's, else from the
/// province manifest beside it, else as `without` says.
fn province_guardrails(manifest: &Path, region: &RegionPolicy, without: WithoutProvince) -> anyhow::Result<Guardrails> {
    if region.manifest.region == PROVINCE {
        return Ok(region.manifest.guardrails.clone().unwrap_or_default());
    }
    let dir = manifest
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "toml")
            && let Ok(text) = std::fs::read_to_string(&path)
            && let Ok(m) = Manifest::parse(&text)
            && m.region == PROVINCE
        {
            return Ok(m.guardrails.unwrap_or_default());
        }
    }
    match without {
        WithoutProvince::NoGuardrails => {
            eprintln!(
                "warning: no province manifest (region {PROVINCE}) beside {}; checking without guardrails",
                manifest.display()
            );
            Ok(Guardrails::default())
        }
        WithoutProvince::BuiltIn => {
            let guardrails = Manifest::parse(BUILT_IN_PROVINCE)?.guardrails.unwrap_or_default();
            eprintln!(
                "note: no province manifest (region {PROVINCE}) beside {}; using the province's guardrails built \
                 into this dwa (at most {} days anywhere, at least {} of a unit in the office)",
                manifest.display(),
                guardrails.max_remote_days.map_or("any".into(), |d| d.to_string()),
                guardrails
                    .min_office_share
                    .map_or("any share".into(), |s| s.to_string()),
            );
            Ok(guardrails)
        }
    }
}
