//! `dwa check`: validate a manifest and its plugin (contract version, `info`, worked examples,
//! guardrails) and print the report.

use crate::engine;
use anyhow::bail;
use clap::Args;
use dwa_policy::{ALLOCATION_EXAMPLE, PROVINCE, RegionPolicy, validate};
use std::path::{Path, PathBuf};

// The arguments; the command's help text is the doc comment of its variant in `cli::Command`.
#[derive(Args, Debug)]
pub(crate) struct CheckArgs {
    /// The manifest, e.g. rules/3216-kab-bekasi.toml.
    manifest: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Run `dwa check`.
pub(crate) async fn run(args: CheckArgs) -> anyhow::Result<()> {
    let CheckArgs { manifest, json } = args;
    // Plugin calls (and the WASI calls a printing plugin makes) run off the async workers.
    let path = manifest.clone();
    let report = dwa_engine::run_blocking(move || -> anyhow::Result<_> {
        let engine = engine()?;
        let region = RegionPolicy::load(&engine, &path)?;
        let guardrails = province_guardrails(&path, &region)?;
        Ok(validate(&engine, &region, &guardrails))
    })
    .await??;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{}: region {} — plugin {} (contract {}, sha256 {})",
            manifest.display(),
            report.region,
            report.plugin,
            report.contract,
            &report.sha256[..16]
        );
        for e in &report.examples {
            match &e.problem {
                None => println!("  ok    {} (fuel {})", e.name, e.fuel_used),
                Some(p) => println!("  FAIL  {}: {p}", e.name),
            }
            // What the plugin printed (already bounded and made printable).
            for line in e.output.lines() {
                println!("        | {line}");
            }
        }
    }
    if !report.passed() {
        bail!(
            "{} of {} worked examples failed",
            report.failures().len(),
            report.examples.len()
        );
    }
    if !json {
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
/// province manifest beside it.
fn province_guardrails(manifest: &Path, region: &RegionPolicy) -> anyhow::Result<dwa_sdk::manifest::Guardrails> {
    if region.manifest.region == PROVINCE {
        return Ok(region.manifest.guardrails.clone().unwrap_or_default());
    }
    let dir = manifest.parent().unwrap_or(Path::new("."));
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "toml")
            && let Ok(text) = std::fs::read_to_string(&path)
            && let Ok(m) = dwa_sdk::manifest::Manifest::parse(&text)
            && m.region == PROVINCE
        {
            return Ok(m.guardrails.unwrap_or_default());
        }
    }
    eprintln!(
        "warning: no province manifest (region {PROVINCE}) beside {}; checking without guardrails",
        manifest.display()
    );
    Ok(Default::default())
}
