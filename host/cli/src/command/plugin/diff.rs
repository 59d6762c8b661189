//! `dwa plugin diff OLD NEW`: the classes of input whose outcome differs between two candidates
//! of a region's rules (manifests, or plugin files run under a manifest's parameters), explored
//! along every gate's boundary in the host's sandbox — and, with `--database`, the quarter's
//! stored applications. What a dry run on stored data cannot show: people who have not applied.

use crate::engine;
use anyhow::{Context, bail};
use clap::Args;
use dwa_policy::RegionPolicy;
use dwa_sdk::manifest::Manifest;
use dwa_sdk::{Application, Employee, Quarter};
use dwa_workflow::diff::{ChangeClass, PluginDiff};
use std::path::{Path, PathBuf};
use std::sync::Arc;

// The arguments; the command's help text is the doc comment of its variant in `PluginCommand`.
#[derive(Args, Debug)]
pub(crate) struct DiffArgs {
    /// The old candidate: a manifest (its plugin beside it) or a plugin file (.wasm).
    old: PathBuf,
    /// The new candidate: a manifest or a plugin file.
    new: PathBuf,
    /// The manifest whose parameters a plugin file given alone runs under (default: the other
    /// candidate's manifest).
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// Also compare the quarter's stored applications in this database.
    #[arg(long)]
    database: Option<String>,
    /// The quarter whose stored applications are compared (default: the current one).
    #[arg(long)]
    quarter: Option<Quarter>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Run `dwa plugin diff`.
pub(crate) async fn run(args: DiffArgs) -> anyhow::Result<()> {
    let manifest_for_plugin = match (&args.manifest, is_plugin(&args.old), is_plugin(&args.new)) {
        (Some(m), _, _) => Some(m.clone()),
        (None, true, false) => Some(args.new.clone()),
        (None, false, true) => Some(args.old.clone()),
        (None, true, true) => bail!("both candidates are plugin files: give --manifest for their parameters"),
        (None, false, false) => None,
    };
    let (old_path, new_path) = (args.old.clone(), args.new.clone());
    let engine = Arc::new(engine()?);
    let loader = engine.clone();
    let (old, new, mut diff) = dwa_engine::run_blocking(move || -> anyhow::Result<_> {
        let old = load(&loader, &old_path, manifest_for_plugin.as_deref())?;
        let new = load(&loader, &new_path, manifest_for_plugin.as_deref())?;
        let diff = dwa_workflow::diff::explore(&loader, &old.0, &new.0)?;
        Ok((Arc::new(old.0), Arc::new(new.0), diff))
    })
    .await??;
    if let Some(url) = &args.database {
        let store = dwa_store::Store::connect(url).await?;
        // The host's one clock (West Java's date, `DWA_NOW` in tests), as the API and the web use.
        let quarter = match args.quarter {
            Some(quarter) => quarter,
            None => dwa_domain::clock::try_today()?.quarter(),
        };
        let stored = dwa_workflow::diff::compare_stored(&store, engine, old, new, quarter, quarter.start()).await?;
        diff.stored = Some(stored);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&diff)?);
    } else {
        print(&diff);
    }
    Ok(())
}

fn is_plugin(path: &Path) -> bool {
    path.extension().is_some_and(|x| x == "wasm")
}

/// A candidate as `dwa check` loads it; a plugin file is staged beside a copy of the manifest
/// whose parameters it runs under (the temporary folder is kept as long as the candidate).
fn load(
    engine: &dwa_engine::PolicyEngine,
    path: &Path,
    manifest: Option<&Path>,
) -> anyhow::Result<(RegionPolicy, Option<tempfile::TempDir>)> {
    if !is_plugin(path) {
        return Ok((RegionPolicy::load(engine, path)?, None));
    }
    let manifest = manifest.context("a plugin file needs a manifest for its parameters")?;
    let text = std::fs::read_to_string(manifest).with_context(|| format!("cannot read {}", manifest.display()))?;
    let parsed = Manifest::parse(&text).with_context(|| manifest.display().to_string())?;
    let staging = tempfile::tempdir()?;
    let name = manifest.file_name().context("the manifest has no file name")?;
    std::fs::write(staging.path().join(name), &text)?;
    std::fs::copy(path, staging.path().join(&parsed.plugin))
        .with_context(|| format!("cannot read {}", path.display()))?;
    let region = RegionPolicy::load(engine, &staging.path().join(name))?;
    Ok((region, Some(staging)))
}

fn print(diff: &PluginDiff) {
    let side = |r: &dwa_policy::PluginRef| {
        format!(
            "{} {} (plugin {}…, manifest {}…)",
            r.name,
            r.version,
            &r.sha256[..12],
            &r.manifest_sha256[..12]
        )
    };
    println!("region {}: {} → {}", diff.region, side(&diff.old), side(&diff.new));
    println!(
        "explored {} inputs along every gate's boundary (evaluated on {}): {} change, in {} classes",
        diff.explored,
        diff.date,
        diff.changed,
        diff.classes.len()
    );
    print_classes(&diff.classes);
    if let Some(stored) = &diff.stored {
        println!(
            "stored applications of {}: {} compared, {} change",
            stored.quarter, stored.evaluated, stored.changed
        );
        print_classes(&stored.classes);
    }
}

fn print_classes(classes: &[ChangeClass]) {
    for c in classes {
        println!(
            "  {} = {}: {} — {} of {}, e.g. {}: {} → {}",
            c.dimension,
            c.value,
            c.change,
            c.count,
            c.of,
            describe(&c.example.employee, &c.example.application),
            c.example.old.summary(),
            c.example.new.summary()
        );
    }
}

/// The example's coordinates a reader needs beside its class: who, rating, potential, request.
fn describe(e: &Employee, a: &Application) -> String {
    let rating = e
        .ratings
        .iter()
        .max_by_key(|r| r.year)
        .map(|r| format!("SKP {} {:?}/{:?}", r.year, r.work_result, r.work_behaviour).to_lowercase())
        .unwrap_or_else(|| "no SKP".into());
    format!(
        "NIP {}, {} months of service, {rating}, potential {:?}, {} days requested",
        e.nip, e.service_months, e.potential, a.requested_remote_days
    )
    .replace("potential High", "potential high")
    .replace("potential Medium", "potential medium")
    .replace("potential Low", "potential low")
}
