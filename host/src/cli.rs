//! The `dwa` command line: seed a database, evaluate one application from JSON files, check a
//! region's manifest and plugin, and allocate a quarter from the database.

use crate::api::Role;
use crate::engine::{Limits, PolicyEngine};
use crate::policy::{PROVINCE, PolicySet, RegionPolicy, validate};
use crate::store::Store;
use crate::workflow::{UnitOutcome, allocate_unit};
use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use dwa_sdk::baseline::pattern;
use dwa_sdk::{Application, Date, Employee, Quarter};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// DWA host — West Java's Dynamic Working Arrangement (Mekanisme Kerja Dinamis).
///
/// Each region's eligibility and quota rules are a sandboxed WebAssembly plugin with a manifest
/// in the rules folder. Start with `dwa seed`, then `dwa allocate --all --quarter 2027-Q1`.
#[derive(Parser, Debug)]
#[command(name = "dwa", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug, Clone)]
struct Common {
    /// Database: sqlite://FILE (created and migrated on first use) or postgres://…
    #[arg(long, env = "DWA_DATABASE", default_value = "sqlite://data/dwa.db")]
    database: String,
    /// Folder with one manifest (*.toml) and built plugin (*.wasm) per region.
    #[arg(long, env = "DWA_RULES", default_value = "rules")]
    rules: PathBuf,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Fill an empty database with synthetic employees, units and a quarter's applications.
    Seed {
        #[command(flatten)]
        common: Common,
        /// Number of employees, shared between the regions.
        #[arg(long, default_value_t = 2000)]
        employees: usize,
        /// Which regions: `pilot` (the province 32 and Kabupaten Bekasi 3216) or `all` (the 28
        /// regions of West Java, by BPS code, employees shared roughly by population).
        #[arg(long, default_value = "pilot")]
        regions: crate::seed::Regions,
        /// Quarter the applications are for, e.g. 2027-Q1.
        #[arg(long, default_value = "2027-Q1")]
        quarter: Quarter,
        /// Random seed: the same seed and size give the same data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Evaluate one employee's application from JSON files and record the decision.
    Eval {
        #[command(flatten)]
        common: Common,
        /// Region code (BPS), e.g. 32 or 3216.
        #[arg(long)]
        region: String,
        /// Employee JSON file (shape in README).
        #[arg(long)]
        employee: PathBuf,
        /// Application JSON file (shape in README).
        #[arg(long)]
        application: PathBuf,
        /// Evaluation date, YYYY-MM-DD.
        #[arg(long)]
        date: Date,
        /// Print the decision as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Validate a manifest and its plugin: contract version, `info`, worked examples, guardrails.
    Check {
        /// The manifest, e.g. rules/3216-kab-bekasi.toml.
        manifest: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Dry-run a candidate manifest (plugin beside it): which of the quarter's stored
    /// applications would flip under it, per unit. Nothing is activated.
    DryRun {
        #[command(flatten)]
        common: Common,
        /// The candidate manifest.
        manifest: PathBuf,
        /// Quarter whose applications are replayed, e.g. 2027-Q1.
        #[arg(long)]
        quarter: Quarter,
        /// Evaluation date (default: the quarter's first day).
        #[arg(long)]
        date: Option<Date>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Serve the HTTP API (and the rules in --rules) until Ctrl-C or SIGTERM.
    Serve {
        #[command(flatten)]
        common: Common,
        /// Address to listen on.
        #[arg(long, env = "DWA_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Fixed evaluation date for demos and tests (default: today in West Java).
        #[arg(long)]
        today: Option<Date>,
        /// Require `Authorization: Bearer <TOKEN>` on /metrics (default: open; set it when
        /// binding beyond loopback).
        #[arg(long, env = "DWA_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
    },
    /// Policy versions: upload a candidate, activate it now or from a date, roll back, list.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Evaluate and allocate a quarter from the database: one unit, one region or all.
    Allocate {
        #[command(flatten)]
        common: Common,
        /// Quarter, e.g. 2027-Q1.
        #[arg(long)]
        quarter: Quarter,
        /// One unit code.
        #[arg(long, conflicts_with_all = ["region", "all"])]
        unit: Option<String>,
        /// Every unit of one region.
        #[arg(long, conflicts_with = "all")]
        region: Option<String>,
        /// Every unit of every region.
        #[arg(long)]
        all: bool,
        /// Evaluation date (default: the quarter's first day).
        #[arg(long)]
        date: Option<Date>,
        /// Print per-unit outcomes as JSON.
        #[arg(long)]
        json: bool,
        /// With --region or --all: go unit by unit and store every decision in full (input,
        /// outcome, bilingual reasons), as for --unit. Slow at scale; by default regions are
        /// allocated in bulk and decisions stored compact.
        #[arg(long)]
        per_unit: bool,
        /// Evaluator threads for the bulk allocation (default: one per core).
        #[arg(long)]
        threads: Option<usize>,
    },
}

#[derive(Subcommand, Debug)]
enum PolicyCommand {
    /// Validate a candidate manifest (and plugin) and store it as a version, without activating it.
    Upload {
        #[command(flatten)]
        common: Common,
        /// Region code.
        #[arg(long)]
        region: String,
        /// The candidate manifest.
        manifest: PathBuf,
        /// The candidate plugin (default: the region's current plugin file).
        #[arg(long)]
        plugin: Option<PathBuf>,
    },
    /// Activate a stored version: now (written into the rules folder, where a running `dwa serve`
    /// picks it up and every replica follows), or from a date (scheduled).
    Activate {
        #[command(flatten)]
        common: Common,
        /// Region code.
        #[arg(long)]
        region: String,
        /// Version id (see `dwa policy versions`); default for `--rollback`: the latest other one.
        #[arg(long)]
        version: Option<String>,
        /// First day it applies, e.g. the next quarter's start.
        #[arg(long)]
        from: Option<Date>,
        /// Roll back: activate the latest version other than the one in the rules folder.
        #[arg(long)]
        rollback: bool,
    },
    /// List a region's stored versions and its audit trail.
    Versions {
        #[command(flatten)]
        common: Common,
        /// Region code.
        #[arg(long)]
        region: String,
    },
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Create a token and print it alone on stdout (it is stored only as its sha256).
    Create {
        #[command(flatten)]
        common: Common,
        /// What the token may do.
        #[arg(long, value_enum)]
        role: Role,
        /// The region it is scoped to (BPS code; the province is 32).
        #[arg(long)]
        region: String,
        /// The person, for employee and supervisor tokens.
        #[arg(long, conflicts_with = "sample")]
        nip: Option<String>,
        /// For demos: pick the person — an employee of the region with a live application, or
        /// that employee's supervisor (the NIP is printed on stderr).
        #[arg(long)]
        sample: bool,
        /// Provision employee tokens for the first N employees of the region (by NIP) in one
        /// go, printed as `NIP<TAB>token` lines (used by scripts/load.sh).
        #[arg(long, value_name = "N", conflicts_with_all = ["nip", "sample"])]
        each_employee: Option<usize>,
    },
}

/// Run the command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Seed {
            common,
            employees,
            regions,
            quarter,
            seed,
        } => {
            let store = Store::connect(&common.database).await?;
            let started = Instant::now();
            let bar = progress_bar(employees as u64, "seeding {pos}/{len} employees");
            let options = crate::seed::SeedOptions {
                employees,
                quarter,
                seed,
                regions,
            };
            let summary = crate::seed::seed_with(&store, &options, &|n| bar.inc(n as u64)).await?;
            bar.finish_and_clear();
            println!(
                "seeded {}: {} regions, {} units, {} employees, {} applications for {quarter}, {} reviews of {} ({:.1} s)",
                common.database,
                summary.regions,
                summary.units,
                summary.employees,
                summary.applications,
                summary.reviews,
                quarter.previous(),
                started.elapsed().as_secs_f64()
            );
        }
        Command::Eval {
            common,
            region,
            employee,
            application,
            date,
            json,
        } => {
            let employee: Employee = read_json(&employee)?;
            let application: Application = read_json(&application)?;
            if employee.region != region {
                bail!(
                    "the employee belongs to region {} but --region is {region}",
                    employee.region
                );
            }
            if let Err(e) = dwa_sdk::nip::parse_nip(&employee.nip) {
                bail!("employee.nip: {e}");
            }
            let policies = load_policies(&common.rules).await?;
            let decision = {
                let (employee, application) = (employee.clone(), application.clone());
                policies
                    .call(&region, move |set| set.evaluate(&employee, &application, date))
                    .await?
            };
            let store = Store::connect(&common.database).await?;
            let id = store.insert_decisions(std::slice::from_ref(&decision)).await?.remove(0);
            if json {
                let out = serde_json::json!({
                    "decision_id": id,
                    "region": decision.plugin.region,
                    "plugin": decision.plugin,
                    "nip": employee.nip,
                    "application_id": application.id,
                    "date": date,
                    "outcome": decision.eligibility,
                    "fuel_used": decision.fuel_used,
                    "duration_us": decision.duration.as_micros() as u64,
                    "guardrail_violations": decision.violations,
                });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                print_decision(&employee, &decision, &id);
            }
        }
        Command::Check { manifest, json } => {
            // Plugin calls (and the WASI calls a printing plugin makes) run off the async workers.
            let path = manifest.clone();
            let report = crate::engine::run_blocking(move || -> anyhow::Result<_> {
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
                let allocation = report
                    .examples
                    .iter()
                    .any(|e| e.name == crate::policy::ALLOCATION_EXAMPLE);
                let examples = report.examples.len() - usize::from(allocation);
                match allocation {
                    true => println!("all {examples} worked examples pass, and the allocation check; guardrails hold"),
                    false => println!("all {examples} worked examples pass; guardrails hold"),
                }
            }
        }
        Command::DryRun {
            common,
            manifest,
            quarter,
            date,
            json,
        } => {
            let store = Store::connect(&common.database).await?;
            let policies = load_policies(&common.rules).await?;
            let run = crate::workflow::dry_run(
                &store,
                &policies,
                &manifest,
                quarter,
                date.unwrap_or(quarter.start()),
                "cli",
            )
            .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&run)?);
            } else {
                println!(
                    "region {}: {} {} → candidate {} (manifest {}…), {quarter}: {} applications, {} become ineligible, {} become eligible, {} change pattern",
                    run.region,
                    run.active.name,
                    run.active.version,
                    run.candidate.version,
                    &run.candidate.manifest_sha256[..12],
                    run.evaluated,
                    run.became_ineligible,
                    run.became_eligible,
                    run.pattern_changed
                );
                for unit in run.units.iter().filter(|u| !u.examples.is_empty()) {
                    println!(
                        "  {:<32} -{} +{} ~{}",
                        unit.unit, unit.became_ineligible, unit.became_eligible, unit.pattern_changed
                    );
                    for f in &unit.examples {
                        println!(
                            "    {} {}: {} → {} (fails {})",
                            f.nip,
                            f.application_id,
                            pattern(f.days_before),
                            pattern(f.days_after),
                            f.failed_after.join(", ")
                        );
                    }
                }
            }
        }
        Command::Policy { command } => run_policy(command).await?,
        Command::Serve {
            common,
            bind,
            today,
            metrics_token,
        } => {
            let store = Store::connect(&common.database).await?;
            let policies = load_policies(&common.rules).await?;
            if let Some(kept) = crate::workflow::keep_last_good_guardrails(&store, &policies).await? {
                eprintln!("WARNING: serving regencies under the guardrails of {kept}, the last good province rules");
            }
            eprintln!(
                "serving regions {} on http://{bind} (database {})",
                policies.regions().join(", "),
                common.database
            );
            // Hot reload: edits in the rules folder go live once they validate.
            let _watcher = crate::watch::spawn(
                policies.clone(),
                common.rules.clone(),
                std::time::Duration::from_secs(2),
            );
            // Every version that goes live is stored, and every change audited.
            let _history = crate::workflow::record_policy_changes(store.clone(), &policies);
            // On PostgreSQL, serve the versions the other replicas activate.
            let _replicas =
                crate::workflow::follow_other_replicas(store.clone(), policies.clone(), &common.database).await?;
            // Activations scheduled for a date go live when it comes (checked every minute).
            let (due_store, due_policies) = (store.clone(), policies.clone());
            let state_today = crate::api::AppState::new(store.clone(), policies.clone(), today);
            let _scheduler = tokio::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
                loop {
                    tick.tick().await;
                    if let Err(e) =
                        crate::workflow::run_due_activations(&due_store, &due_policies, state_today.today()).await
                    {
                        tracing::warn!(error = %e, "scheduled activations failed");
                    }
                }
            });
            let state = crate::api::AppState::new(store, policies, today).with_metrics_token(metrics_token);
            crate::api::serve(&bind, state).await?;
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    common,
                    role,
                    region,
                    mut nip,
                    sample,
                    each_employee,
                },
        } => {
            let store = Store::connect(&common.database).await?;
            if let Some(count) = each_employee {
                if role != Role::Employee {
                    bail!("--each-employee: provisions employee tokens; use --role employee");
                }
                let nips = store.region_nips(&region, count).await?;
                if nips.is_empty() {
                    bail!("--region: no employees in region `{region}` (seed or import them first)");
                }
                let tokens: Vec<_> = nips
                    .into_iter()
                    .map(|nip| {
                        let grant = crate::store::TokenGrant {
                            role: role.code().into(),
                            region: region.clone(),
                            nip: Some(nip),
                        };
                        (crate::api::new_token(), grant)
                    })
                    .collect();
                store.insert_tokens(&tokens).await?;
                let mut out = String::with_capacity(tokens.len() * 80);
                for (token, grant) in &tokens {
                    out.push_str(&format!("{}\t{token}\n", grant.nip.as_deref().unwrap_or_default()));
                }
                print!("{out}");
                return Ok(());
            }
            if sample {
                let Some((employee, supervisor)) = store.sample_applicant(&region).await? else {
                    bail!("--sample: region {region} has no employee with a live application and a supervisor");
                };
                let person = if role == Role::Supervisor { supervisor } else { employee };
                eprintln!("{} token for NIP {person}", role.code());
                nip = Some(person);
            }
            if !store.region_exists(&region).await? {
                bail!("--region: unknown region `{region}` (seed or import the region first)");
            }
            if role == Role::ProvincialAdmin && region != PROVINCE {
                bail!("--region: a provincial-admin token belongs to the province ({PROVINCE})");
            }
            match (&nip, role.needs_nip()) {
                (None, true) => bail!("--nip: a {} token names a person", role.code()),
                (Some(_), false) => bail!("--nip: a {} token is not for one person", role.code()),
                (Some(nip), true) => {
                    if let Err(e) = dwa_sdk::nip::parse_nip(nip) {
                        bail!("--nip: {e}");
                    }
                    let employee = store.employee(nip).await?;
                    if employee.region != region {
                        bail!("--nip: {nip} works in region {}, not {region}", employee.region);
                    }
                }
                (None, false) => {}
            }
            let token = crate::api::new_token();
            store
                .insert_token(
                    &token,
                    &crate::store::TokenGrant {
                        role: role.code().into(),
                        region,
                        nip,
                    },
                )
                .await?;
            println!("{token}");
        }
        Command::Allocate {
            common,
            quarter,
            unit,
            region,
            all,
            date,
            json,
            per_unit,
            threads,
        } => {
            let today = date.unwrap_or(quarter.start());
            let store = Store::connect(&common.database).await?;
            let policies = load_policies(&common.rules).await?;
            let regions = match (&unit, region, all) {
                (Some(_), _, _) => None,
                (None, Some(r), _) => Some(vec![r]),
                (None, None, true) => Some(Vec::new()),
                (None, None, false) => bail!("say which units: --unit CODE, --region CODE or --all"),
            };
            match regions {
                Some(regions) if !per_unit => {
                    let mut options = crate::workflow::NationalOptions::new(quarter, today);
                    options.regions = regions;
                    options.keep_unit_outcomes = json;
                    if let Some(threads) = threads {
                        options.evaluators = threads;
                    }
                    allocate_in_bulk(&store, &policies, &options, json).await?;
                }
                regions => {
                    let units: Vec<String> = match (unit, regions) {
                        (Some(u), _) => vec![u],
                        (None, Some(r)) if r.is_empty() => {
                            store.units(None).await?.into_iter().map(|u| u.code).collect()
                        }
                        (None, Some(r)) => store.units(Some(&r[0])).await?.into_iter().map(|u| u.code).collect(),
                        (None, None) => unreachable!("the match above asks for a unit, region or --all"),
                    };
                    allocate_per_unit(&store, &policies, &units, quarter, today, json).await?;
                }
            }
        }
    }
    Ok(())
}

/// A progress bar on stderr counting `len` things.
fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{spinner}} {what} [{{bar:30}}] {{elapsed}} (eta {{eta}}) {{msg}}"
        ))
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar
}

/// `allocate --unit`, or `--per-unit`: unit by unit, every decision stored in full.
async fn allocate_per_unit(
    store: &Store,
    policies: &Arc<PolicySet>,
    units: &[String],
    quarter: Quarter,
    today: Date,
    json: bool,
) -> anyhow::Result<()> {
    if units.is_empty() {
        bail!("no units to allocate: seed the database first (dwa seed)");
    }
    let started = Instant::now();
    let bar = progress_bar(units.len() as u64, "allocating {pos}/{len} units");
    let mut outcomes = Vec::with_capacity(units.len());
    for unit in units {
        bar.set_message(unit.clone());
        let outcome = allocate_unit(store, policies, unit, quarter, today)
            .await
            .with_context(|| format!("unit {unit}"))?;
        outcomes.push(outcome);
        bar.inc(1);
    }
    bar.finish_and_clear();
    if json {
        println!("{}", serde_json::to_string_pretty(&outcomes)?);
    } else {
        print_allocation_summary(quarter, &outcomes, started.elapsed().as_secs_f64());
    }
    Ok(())
}

/// `allocate --all` and `--region`: the national bulk path, with a per-region and total summary.
async fn allocate_in_bulk(
    store: &Store,
    policies: &Arc<PolicySet>,
    options: &crate::workflow::NationalOptions,
    json: bool,
) -> anyhow::Result<()> {
    let one_region = options.regions.first().filter(|_| options.regions.len() == 1);
    let total = store.employee_count(one_region.map(String::as_str)).await?;
    if total == 0 && store.count("units").await? == 0 {
        bail!("no units to allocate: seed the database first (dwa seed)");
    }
    let bar = progress_bar(total, "allocating {pos}/{len} employees");
    let outcome = crate::workflow::allocate_national(store, policies, options, &|n| bar.inc(n)).await?;
    bar.finish_and_clear();
    let peak = crate::workflow::peak_memory_bytes();
    if json {
        let units: Vec<&UnitOutcome> = outcome.regions.iter().flat_map(|r| &r.unit_outcomes).collect();
        println!("{}", serde_json::to_string_pretty(&units)?);
    } else {
        print_national_summary(&outcome, peak);
    }
    let failed: Vec<String> = outcome
        .regions
        .iter()
        .filter_map(|r| r.error.as_ref().map(|e| format!("region {}: {e}", r.region)))
        .collect();
    if !failed.is_empty() {
        bail!(
            "{} of {} regions failed and kept their previous rosters:\n  {}",
            failed.len(),
            outcome.regions.len(),
            failed.join("\n  ")
        );
    }
    Ok(())
}

fn print_national_summary(outcome: &crate::workflow::NationalOutcome, peak: Option<u64>) {
    println!(
        "{:<6} {:<28} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7} {:>10}",
        "region", "plugin", "units", "staff", "apps", "elig", "cand", "grant", "s", "dec/s"
    );
    for r in &outcome.regions {
        let plugin = r
            .plugin
            .as_ref()
            .map(|p| format!("{} {}", p.name, p.version))
            .unwrap_or_default();
        match &r.error {
            Some(e) => println!("{:<6} {:<28} FAILED: {e}", r.region, plugin),
            None => println!(
                "{:<6} {:<28} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7.2} {:>10.0}",
                r.region,
                plugin,
                r.units,
                r.employees,
                r.evaluated,
                r.eligible,
                r.candidates,
                r.granted,
                r.seconds,
                r.decisions_per_second()
            ),
        }
    }
    let sum = |f: fn(&crate::workflow::RegionOutcome) -> u64| outcome.regions.iter().map(f).sum::<u64>();
    let quarter = outcome.quarter.map(|q| q.to_string()).unwrap_or_default();
    println!(
        "{quarter}: {} regions, {} units, {} staff, {} applications evaluated, {} eligible, {} approved candidates, {} granted, {} days anywhere a week, {} guardrail corrections; {:.2} s ({:.0} decisions/s); peak memory {}",
        outcome.regions.len(),
        sum(|r| r.units),
        sum(|r| r.employees),
        outcome.evaluated(),
        sum(|r| r.eligible),
        sum(|r| r.candidates),
        sum(|r| r.granted),
        sum(|r| r.remote_days),
        sum(|r| r.violations),
        outcome.seconds,
        outcome.decisions_per_second(),
        peak.map(|b| format!("{:.0} MiB (VmHWM)", b as f64 / (1 << 20) as f64))
            .unwrap_or_else(|| "unknown".into())
    );
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a valid document", path.display()))
}

/// The engine of the `dwa` commands, keeping compiled plugins in `DWA_COMPILE_CACHE` (default:
/// `compiled/` in the host's data folder, see [`data_dir`]; `off` to compile every time). A cache
/// folder that is not private to this user is not used, with a warning.
fn engine() -> anyhow::Result<PolicyEngine> {
    let mut engine = PolicyEngine::new(Limits::default())?;
    let dir = match std::env::var_os("DWA_COMPILE_CACHE") {
        Some(dir) if dir == "off" => return Ok(engine),
        Some(dir) => PathBuf::from(dir),
        None => match data_dir() {
            Some(data) => data.join("compiled"),
            None => return Ok(engine),
        },
    };
    if let Err(e) = engine.use_compile_cache(&dir) {
        eprintln!("warning: not using the compiled-plugin cache: {e}");
    }
    Ok(engine)
}

/// The host's data folder: `DWA_DATA_DIR`, else `$XDG_DATA_HOME/dwa`, else
/// `~/.local/share/dwa`; `None` without a home.
pub fn data_dir() -> Option<PathBuf> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("DWA_DATA_DIR")
        .or_else(|| var("XDG_DATA_HOME").map(|d| d.join("dwa")))
        .or_else(|| var("HOME").map(|h| h.join(".local/share/dwa")))
}

/// Load every region's rules (off the async workers: plugins run during validation); a region
/// that fails is reported on stderr and left out. Without the province's rules, regency answers
/// are refused (fail closed) — said loudly.
async fn load_policies(rules: &Path) -> anyhow::Result<Arc<PolicySet>> {
    let engine = Arc::new(engine()?);
    let dir = rules.to_owned();
    let (set, errors) = crate::engine::run_blocking(move || PolicySet::load_dir(engine, &dir)).await??;
    for e in &errors {
        eprintln!("warning: rules not loaded: {e}");
    }
    if !set.has_guardrails() {
        eprintln!(
            "WARNING: the province's rules (region {PROVINCE}) are not active, so its guardrails are unknown: \
             no regency answer will be served until they are (fail closed)"
        );
    }
    if set.regions().is_empty() {
        bail!(
            "no region's rules could be loaded from {} (build the plugins with scripts/build-plugins.sh)",
            rules.display()
        );
    }
    Ok(Arc::new(set))
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

fn print_decision(employee: &Employee, d: &crate::policy::Decision, id: &str) {
    let e = &d.eligibility;
    println!(
        "{} {} — region {} ({} {}, sha256 {}…)",
        employee.nip,
        employee.name,
        d.plugin.region,
        d.plugin.name,
        d.plugin.version,
        &d.plugin.sha256[..12]
    );
    if e.eligible {
        let approvals: Vec<String> = e.approvals_required.iter().map(crate::store::code).collect();
        println!(
            "ELIGIBLE / MEMENUHI SYARAT — up to {} ({} days anywhere); approvals: {}; priority {}",
            pattern(e.max_remote_days),
            e.max_remote_days,
            approvals.join(", "),
            e.priority
        );
    } else {
        println!("NOT ELIGIBLE / TIDAK MEMENUHI SYARAT — office only ({})", pattern(0));
    }
    for r in &e.reasons {
        println!(
            "  {} {:<24} {}",
            if r.passed { "ok  " } else { "FAIL" },
            r.code,
            r.message.en
        );
        println!("       {:<24} {}", "", r.message.id);
        if let Some(remedy) = &r.remedy {
            println!("       {:<24} → {}", "", remedy.en);
            println!("       {:<24} → {}", "", remedy.id);
        }
    }
    for v in &d.violations {
        println!("  guardrail: {} — {}", v.rule, v.detail);
    }
    println!(
        "decision {id}; fuel {}; {:.3} ms",
        d.fuel_used,
        d.duration.as_secs_f64() * 1000.0
    );
}

fn print_allocation_summary(quarter: Quarter, outcomes: &[UnitOutcome], seconds: f64) {
    println!(
        "{:<32} {:>5} {:>6} {:>6} {:>6} {:>6} {:>5}  away Mon-Fri (office share)",
        "unit", "staff", "apps", "elig", "cand", "grant", "days"
    );
    for o in outcomes {
        let min_share = o
            .away_by_weekday
            .iter()
            .map(|a| 1.0 - *a as f64 / o.headcount.max(1) as f64)
            .fold(1.0, f64::min);
        println!(
            "{:<32} {:>5} {:>6} {:>6} {:>6} {:>6} {:>5}  {:?} ({:.0}% min in office)",
            o.unit,
            o.headcount,
            o.evaluated,
            o.eligible,
            o.candidates,
            o.granted,
            o.remote_days,
            o.away_by_weekday,
            min_share * 100.0
        );
    }
    let sum = |f: fn(&UnitOutcome) -> usize| outcomes.iter().map(f).sum::<usize>();
    let evaluated = sum(|o| o.evaluated);
    println!(
        "{quarter}: {} units, {} staff, {} applications evaluated, {} eligible, {} approved candidates, {} granted, {} days anywhere a week, {} guardrail corrections; {:.2} s ({:.0} decisions/s)",
        outcomes.len(),
        outcomes.iter().map(|o| o.headcount as usize).sum::<usize>(),
        evaluated,
        sum(|o| o.eligible),
        sum(|o| o.candidates),
        sum(|o| o.granted),
        outcomes.iter().map(|o| o.remote_days as usize).sum::<usize>(),
        sum(|o| o.violations),
        seconds,
        evaluated as f64 / seconds.max(1e-9)
    );
}

async fn run_policy(command: PolicyCommand) -> anyhow::Result<()> {
    match command {
        PolicyCommand::Upload {
            common,
            region,
            manifest,
            plugin,
        } => {
            let store = Store::connect(&common.database).await?;
            let policies = load_policies(&common.rules).await?;
            let text =
                std::fs::read_to_string(&manifest).with_context(|| format!("cannot read {}", manifest.display()))?;
            let plugin = plugin
                .map(|p| std::fs::read(&p).with_context(|| format!("cannot read {}", p.display())))
                .transpose()?;
            let version = crate::workflow::upload_version(&store, &policies, &region, &text, plugin, "cli").await?;
            println!("{version}");
        }
        PolicyCommand::Activate {
            common,
            region,
            version,
            from,
            rollback,
        } => {
            let store = Store::connect(&common.database).await?;
            let policies = load_policies(&common.rules).await?;
            let version = match (version, rollback) {
                (Some(v), _) => v,
                (None, true) => crate::workflow::rollback_target(&store, &policies, &region).await?,
                (None, false) => bail!("--version: say which version (or --rollback)"),
            };
            let today = Date::from_days_since_epoch(
                (std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)?
                    .as_secs()
                    / 86_400) as i64,
            );
            match from.filter(|f| *f > today) {
                Some(from) => {
                    let id = store.schedule_activation(&region, &version, from, "cli").await?;
                    println!("scheduled {version} for region {region} from {from} ({id})");
                }
                None => {
                    let by = if rollback { "cli (rollback)" } else { "cli" };
                    let history = crate::workflow::record_policy_changes(store.clone(), &policies);
                    let active = crate::workflow::activate_version(&store, &policies, &region, &version, by).await?;
                    // Dropping the set closes its event channel: the history task stores the
                    // activation, then ends.
                    drop(policies);
                    history.await?;
                    println!(
                        "region {region} now serves {} {} (sha256 {})",
                        active.name, active.version, active.sha256
                    );
                }
            }
        }
        PolicyCommand::Versions { common, region } => {
            let store = Store::connect(&common.database).await?;
            for v in store.versions(&region).await? {
                println!(
                    "{}  {} {}  plugin {}…  manifest {}…  {}",
                    v.id,
                    v.plugin_name,
                    v.plugin_version,
                    &v.plugin_sha256[..12],
                    &v.manifest_sha256[..12],
                    v.created_at
                );
            }
            println!("audit:");
            for a in store.audit(&region).await? {
                println!(
                    "  {}  {:<8} {}  by {}: {}",
                    a.at,
                    a.action,
                    a.version_id.unwrap_or_default(),
                    a.actor,
                    a.detail
                );
            }
        }
    }
    Ok(())
}
