//! The `dwa` command line: initialise a database and bring regions on board from their CSV
//! exports (or seed synthetic data), evaluate one application from JSON files, check a region's
//! manifest and plugin, write and test a regency's plugin in its own repository, and allocate a
//! quarter from the database.
//!
//! The top of the host's layers (DESIGN §3): the binary may use every host crate; data flows
//! one way, request → workflow → policy/engine → store.

mod command;
pub mod config;
pub mod logging;
pub mod seed;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use dwa_engine::PolicyEngine;
use dwa_policy::{PROVINCE, PolicySet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// DWA host — West Java's Dynamic Working Arrangement (Mekanisme Kerja Dinamis).
///
/// Each region's eligibility and quota rules are a sandboxed WebAssembly plugin with a manifest
/// in the rules folder. From an empty database: `dwa init`, `dwa region add`, `dwa import units`,
/// `dwa import employees`; or for a demo `dwa seed`; then `dwa allocate --all --quarter 2027-Q1`.
#[derive(Parser, Debug)]
#[command(name = "dwa", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How log lines on stderr are written: `text` (the default) or `json` (one object a line,
    /// with the request id of each request `dwa serve` answers). Also `log_format` in the
    /// configuration file, or DWA_LOG_FORMAT.
    #[arg(long, global = true, value_enum)]
    log_format: Option<logging::LogFormat>,
    /// The configuration file (TOML; see dwa.example.toml). Default: ./dwa.toml when present.
    /// Its values are overridden by the DWA_* environment variables, and both by the flags.
    #[arg(long, global = true, env = "DWA_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
}

impl Cli {
    /// The configuration file asked for (`--config`, `DWA_CONFIG`), if any.
    pub fn config_file(&self) -> Option<&Path> {
        self.config.as_deref()
    }
}

/// The options every database command takes. The flags override the configuration ([`config`]:
/// `database` and `rules` in the file, DWA_DATABASE and DWA_RULES in the environment).
#[derive(Args, Debug, Clone)]
pub(crate) struct Common {
    /// Database: sqlite://FILE (created and migrated on first use; later upgrades with `dwa
    /// migrate`) or postgres://… Default: sqlite://data/dwa.db, or `database` in the
    /// configuration file, or DWA_DATABASE.
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// Folder with one manifest (*.toml) and built plugin (*.wasm) per region. Default: rules,
    /// or `rules` in the configuration file, or DWA_RULES.
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
}

impl Common {
    /// The database URL: the flag, else the configuration's.
    pub(crate) fn database(&self) -> &str {
        self.database.as_deref().unwrap_or(&config::get().config.database)
    }

    /// The rules folder: the flag, else the configuration's.
    pub(crate) fn rules(&self) -> &Path {
        self.rules.as_deref().unwrap_or(&config::get().config.rules)
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create the province (region 32) on an empty database and print the first provincial-admin
    /// token, once. Refused, changing nothing, on a database that has regions.
    Init(command::init::InitArgs),
    /// Regions: add a regency or city by its BPS code; list them.
    Region {
        #[command(subcommand)]
        command: command::region::RegionCommand,
    },
    /// Import a region's organisational units, employees or position catalogue from CSV (all or nothing).
    Import {
        #[command(subcommand)]
        command: command::import::ImportCommand,
    },
    /// Fill an empty database with synthetic employees, units and a quarter's applications.
    Seed(command::seed_data::SeedArgs),
    /// Evaluate one employee's application from JSON files and record the decision.
    Eval(command::eval::EvalArgs),
    /// Validate a manifest and its plugin: contract version, `info`, worked examples, guardrails.
    Check(command::check::CheckArgs),
    /// Dry-run a candidate manifest (plugin beside it): which of the quarter's stored
    /// applications would flip under it, per unit. Nothing is activated.
    DryRun(command::dry_run::DryRunArgs),
    /// Serve the HTTP API (and the rules in --rules) until Ctrl-C or SIGTERM.
    Serve(command::serve::ServeArgs),
    /// Policy versions: upload a candidate, activate it now or from a date, roll back, list.
    Policy {
        #[command(subcommand)]
        command: command::policy::PolicyCommand,
    },
    /// A regency's rule plugin in its own repository: scaffold (`new`), build the component
    /// (`build`), run its worked examples through the host's sandbox and its tests (`test`).
    Plugin {
        #[command(subcommand)]
        command: command::plugin::PluginCommand,
    },
    /// Signing keys for a region's rules: `generate` an ed25519 key pair.
    Key {
        #[command(subcommand)]
        command: command::key::KeyCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: command::token::TokenCommand,
    },
    /// Evaluate and allocate a quarter from the database: one unit, one region or all.
    Allocate(command::allocate::AllocateArgs),
    /// Upgrade the database's schema to this dwa's (printing the migrations applied), or with
    /// `--check` print where it stands. Every other command migrates only a new, empty database
    /// and refuses one whose schema is older or newer than this dwa's.
    Migrate(command::migrate::MigrateArgs),
    /// Copy the live SQLite database into a new file (0600), consistently, while `dwa serve`
    /// runs; for PostgreSQL, print the pg_dump command to use instead.
    Backup(command::backup::BackupArgs),
    /// The configuration (dwa.toml, DWA_* variables, flags): `check` prints the effective one.
    Config {
        #[command(subcommand)]
        command: config::ConfigCommand,
    },
}

/// Run the command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Init(args) => command::init::run(args).await,
        Command::Region { command } => command::region::run(command).await,
        Command::Import { command } => command::import::run(command).await,
        Command::Seed(args) => command::seed_data::run(args).await,
        Command::Eval(args) => command::eval::run(args).await,
        Command::Check(args) => command::check::run(args).await,
        Command::DryRun(args) => command::dry_run::run(args).await,
        Command::Policy { command } => command::policy::run(command).await,
        Command::Serve(args) => command::serve::run(args).await,
        Command::Plugin { command } => command::plugin::run(command).await,
        Command::Key { command } => command::key::run(command),
        Command::Token { command } => command::token::run(command).await,
        Command::Allocate(args) => command::allocate::run(args).await,
        Command::Migrate(args) => command::migrate::run(args).await,
        Command::Backup(args) => command::backup::run(args).await,
        Command::Config { command } => config::run(command),
    }
}

/// A progress bar on stderr counting `len` things.
pub(crate) fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
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

/// The engine of the `dwa` commands, under the configuration's `[limits]`, keeping compiled
/// plugins in `compile_cache` (DWA_COMPILE_CACHE; default: `compiled/` in the host's data
/// folder, see [`data_dir`]; `off` to compile every time). A cache folder that is not private to
/// this user is not used, with a warning.
pub(crate) fn engine() -> anyhow::Result<PolicyEngine> {
    let config = &config::get().config;
    let mut engine = PolicyEngine::new(config.limits.engine())?;
    let dir = match &config.compile_cache {
        Some(dir) if dir == "off" => return Ok(engine),
        Some(dir) => PathBuf::from(dir),
        None => match data_dir() {
            Some(data) => data.join("compiled"),
            None => return Ok(engine),
        },
    };
    if let Err(e) = engine.use_compile_cache(&dir) {
        tracing::warn!("not using the compiled-plugin cache: {e}");
    }
    Ok(engine)
}

/// The host's data folder: the configuration's `data_dir` (DWA_DATA_DIR), else
/// `$XDG_DATA_HOME/dwa`, else `~/.local/share/dwa`; `None` without a home.
pub fn data_dir() -> Option<PathBuf> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    config::get()
        .config
        .data_dir
        .clone()
        .or_else(|| var("XDG_DATA_HOME").map(|d| d.join("dwa")))
        .or_else(|| var("HOME").map(|h| h.join(".local/share/dwa")))
}

/// Load every region's rules (off the async workers: plugins run during validation); a region
/// that fails — its signature included, where the database says the region requires one — is
/// logged (so `--log-format json` keeps `dwa serve`'s stderr all JSON) and left out. Without
/// the province's rules, regency answers are refused (fail closed) — said loudly.
pub(crate) async fn load_policies(rules: &Path, store: &dwa_store::Store) -> anyhow::Result<Arc<PolicySet>> {
    let set = load_rules_folder(rules, store).await?;
    if set.regions().is_empty() {
        bail!(
            "no region's rules could be loaded from {}: put each region's manifest (`<code>-<name>.toml`) and its \
             plugin there, the province's (32-…) first, or point --rules / DWA_RULES at the folder that has them",
            rules.display()
        );
    }
    Ok(set)
}

/// [`load_policies`] for `dwa serve`: an empty (or missing, then created) rules folder is not an
/// error — a fresh deployment starts serving nothing, and the province's rules, then each
/// regency's, are dropped in and picked up by hot reload.
pub(crate) async fn load_policies_for_serving(
    rules: &Path,
    store: &dwa_store::Store,
) -> anyhow::Result<Arc<PolicySet>> {
    std::fs::create_dir_all(rules).with_context(|| format!("cannot create the rules folder {}", rules.display()))?;
    let set = load_rules_folder(rules, store).await?;
    if set.regions().is_empty() {
        tracing::warn!(
            "no region's rules in {} yet: serving none until a manifest and its plugin are dropped there (the \
             province's, 32-…, first; hot reload picks them up)",
            rules.display()
        );
    }
    Ok(set)
}

async fn load_rules_folder(rules: &Path, store: &dwa_store::Store) -> anyhow::Result<Arc<PolicySet>> {
    // Every stored key is checked again before anything loads: a weak one (registered before
    // weak keys were refused, or written into the database by hand) lets anyone forge its
    // region's signatures, so that region's rules are refused below (each refusal audited).
    for weak in dwa_workflow::signing::weak_stored_keys(store).await? {
        tracing::error!(
            "region {} has a weak signing key registered ({}): its rules are not served. Remove it with \
             `dwa region key remove {} {}` and register a real one (`dwa key generate`)",
            weak.region,
            weak.reason,
            weak.region,
            weak.key_id
        );
    }
    let engine = Arc::new(engine()?);
    let dir = rules.to_owned();
    let trust = dwa_workflow::signing::StoreTrust::source(store.clone());
    let (set, errors) =
        dwa_engine::run_blocking(move || PolicySet::load_dir_trusting(engine, &dir, Some(trust))).await??;
    for e in &errors {
        tracing::warn!("rules not loaded: {e}");
    }
    if !set.has_guardrails() {
        tracing::warn!(
            "the province's rules (region {PROVINCE}) are not active, so its guardrails are unknown: \
             no regency answer will be served until they are (fail closed)"
        );
    }
    Ok(Arc::new(set))
}
