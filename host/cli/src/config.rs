//! The host's configuration, every knob in one place, layered with [figment]: built-in defaults,
//! then a TOML file (`--config FILE`, else `DWA_CONFIG`, else `./dwa.toml` when present), then
//! the `DWA_*` environment variables, then the command-line flags — each layer over the ones
//! before it. `dwa config check` prints the result with each value's origin and the secrets
//! redacted; `dwa.example.toml` at the repository root documents every key.
//!
//! [`KNOBS`] is the one table of keys: each key's environment variable, flag and whether it is a
//! secret. The binary resolves the configuration once, before logging starts ([`load`]), and the
//! commands read it through [`get`]. Unknown keys and values of the wrong type are refused,
//! naming the key and where it came from. Relative paths are taken from the working directory,
//! as on the command line.

use anyhow::{Context, bail};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider, providers::Format, providers::Toml};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The file read when neither `--config` nor `DWA_CONFIG` names one (only if it exists).
pub const DEFAULT_FILE: &str = "dwa.toml";

/// The effective configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `sqlite://FILE` or `postgres://…`.
    pub database: String,
    /// The rules folder: one manifest and plugin per region.
    pub rules: PathBuf,
    /// The host's data folder (default: `$XDG_DATA_HOME/dwa`, else `~/.local/share/dwa`).
    pub data_dir: Option<PathBuf>,
    /// Compiled-plugin cache folder, or `off` (default: `compiled/` in the data folder).
    pub compile_cache: Option<String>,
    /// How log lines on stderr are written.
    pub log_format: crate::logging::LogFormat,
    /// `dwa serve`.
    pub serve: Serve,
    /// The sandbox's limits on every plugin call.
    pub limits: Limits,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            database: "sqlite://data/dwa.db".into(),
            rules: "rules".into(),
            data_dir: None,
            compile_cache: None,
            log_format: crate::logging::LogFormat::Text,
            serve: Serve::default(),
            limits: Limits::default(),
        }
    }
}

/// `[serve]`: the HTTP server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Serve {
    /// Address to listen on.
    pub bind: String,
    /// Bearer token required on /metrics (default: none, /metrics open).
    pub metrics_token: Option<String>,
    /// Reverse proxies (addresses or CIDR blocks) whose forwarding headers are believed.
    pub trusted_proxies: Vec<String>,
    /// When session cookies are `Secure` and answers carry HSTS.
    pub secure_cookies: SecureCookies,
    /// Throttling of failed authentications per client address.
    pub throttle: Throttle,
}

impl Default for Serve {
    fn default() -> Serve {
        Serve {
            bind: "127.0.0.1:8080".into(),
            metrics_token: None,
            trusted_proxies: Vec::new(),
            secure_cookies: SecureCookies::Auto,
            throttle: Throttle::default(),
        }
    }
}

/// `[serve] secure_cookies`: see [`dwa_api::SecureCookies`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecureCookies {
    /// When the request came over HTTPS (as a trusted proxy says).
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl From<SecureCookies> for dwa_api::SecureCookies {
    fn from(s: SecureCookies) -> dwa_api::SecureCookies {
        match s {
            SecureCookies::Auto => dwa_api::SecureCookies::Auto,
            SecureCookies::Always => dwa_api::SecureCookies::Always,
            SecureCookies::Never => dwa_api::SecureCookies::Never,
        }
    }
}

/// `[serve.throttle]`: see [`dwa_api::AuthThrottle`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Throttle {
    /// Failed authentications allowed per client address within the window.
    pub failures: u32,
    /// The window, in seconds.
    pub window_secs: u64,
}

impl Default for Throttle {
    fn default() -> Throttle {
        let d = dwa_api::AuthThrottle::default();
        Throttle {
            failures: d.limit,
            window_secs: d.window.as_secs(),
        }
    }
}

/// `[limits]`: the sandbox's limits on plugin calls ([`dwa_engine::Limits`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Instruction budget (fuel) of one call.
    pub fuel: u64,
    /// Wall-clock deadline of one call, in milliseconds.
    pub timeout_ms: u64,
    /// Cap on a plugin's linear memory, in MiB.
    pub memory_mib: u64,
    /// Cap on the size of one call's result, in bytes.
    pub max_output_bytes: u64,
    /// Cap on the number of reasons in one decision.
    pub max_reasons: u64,
    /// Bytes of a plugin's stdout/stderr kept per call.
    pub max_log_bytes: u64,
    /// Calls of one region that may run at once.
    pub max_concurrent_per_region: u64,
    /// Bound on validating one candidate's rules, in milliseconds.
    pub validation_timeout_ms: u64,
    /// Plugin instances the engine's pool holds at once.
    pub pool_instances: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        let d = dwa_engine::Limits::default();
        Limits {
            fuel: d.fuel,
            timeout_ms: d.timeout.as_millis() as u64,
            memory_mib: (d.memory_bytes >> 20) as u64,
            max_output_bytes: d.max_output_bytes as u64,
            max_reasons: d.max_reasons as u64,
            max_log_bytes: d.max_log_bytes as u64,
            max_concurrent_per_region: d.max_concurrent_per_region as u64,
            validation_timeout_ms: d.validation_timeout.as_millis() as u64,
            pool_instances: d.pool_instances,
        }
    }
}

impl Limits {
    /// The engine's limits.
    pub fn engine(&self) -> dwa_engine::Limits {
        let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        dwa_engine::Limits {
            fuel: self.fuel,
            timeout: std::time::Duration::from_millis(self.timeout_ms),
            memory_bytes: size(self.memory_mib.saturating_mul(1 << 20)),
            max_output_bytes: size(self.max_output_bytes),
            max_reasons: size(self.max_reasons),
            max_log_bytes: size(self.max_log_bytes),
            max_concurrent_per_region: size(self.max_concurrent_per_region),
            validation_timeout: std::time::Duration::from_millis(self.validation_timeout_ms),
            pool_instances: self.pool_instances,
        }
    }
}

/// How a knob's environment variable or flag is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A string (a path, a URL, a name).
    Text,
    /// A whole number (else the string, refused with the key's name).
    Number,
    /// A comma-separated list (repeatable flag).
    List,
}

/// One configuration key.
#[derive(Clone, Copy, Debug)]
pub struct Knob {
    /// The key in the file, dotted (`serve.bind` is `bind` under `[serve]`).
    pub key: &'static str,
    /// Its environment variable.
    pub env: &'static str,
    /// Its flag (clap's argument id, and the flag as typed), if it has one.
    pub flag: Option<(&'static str, &'static str)>,
    /// Printed redacted by `dwa config check`.
    pub secret: bool,
    kind: Kind,
}

const fn knob(key: &'static str, env: &'static str, flag: Option<(&'static str, &'static str)>, kind: Kind) -> Knob {
    Knob {
        key,
        env,
        flag,
        secret: false,
        kind,
    }
}

/// Every key, in the order `dwa config check` and `dwa.example.toml` list them.
pub const KNOBS: &[Knob] = &[
    knob("database", "DWA_DATABASE", Some(("database", "--database")), Kind::Text),
    knob("rules", "DWA_RULES", Some(("rules", "--rules")), Kind::Text),
    knob("data_dir", "DWA_DATA_DIR", None, Kind::Text),
    knob("compile_cache", "DWA_COMPILE_CACHE", None, Kind::Text),
    knob(
        "log_format",
        "DWA_LOG_FORMAT",
        Some(("log_format", "--log-format")),
        Kind::Text,
    ),
    knob("serve.bind", "DWA_BIND", Some(("bind", "--bind")), Kind::Text),
    Knob {
        secret: true,
        ..knob(
            "serve.metrics_token",
            "DWA_METRICS_TOKEN",
            Some(("metrics_token", "--metrics-token")),
            Kind::Text,
        )
    },
    knob(
        "serve.trusted_proxies",
        "DWA_TRUSTED_PROXIES",
        Some(("trusted_proxies", "--trusted-proxy")),
        Kind::List,
    ),
    knob(
        "serve.secure_cookies",
        "DWA_SECURE_COOKIES",
        Some(("secure_cookies", "--secure-cookies")),
        Kind::Text,
    ),
    knob("serve.throttle.failures", "DWA_THROTTLE_FAILURES", None, Kind::Number),
    knob(
        "serve.throttle.window_secs",
        "DWA_THROTTLE_WINDOW_SECS",
        None,
        Kind::Number,
    ),
    knob("limits.fuel", "DWA_LIMITS_FUEL", None, Kind::Number),
    knob("limits.timeout_ms", "DWA_LIMITS_TIMEOUT_MS", None, Kind::Number),
    knob("limits.memory_mib", "DWA_LIMITS_MEMORY_MIB", None, Kind::Number),
    knob(
        "limits.max_output_bytes",
        "DWA_LIMITS_MAX_OUTPUT_BYTES",
        None,
        Kind::Number,
    ),
    knob("limits.max_reasons", "DWA_LIMITS_MAX_REASONS", None, Kind::Number),
    knob("limits.max_log_bytes", "DWA_LIMITS_MAX_LOG_BYTES", None, Kind::Number),
    knob(
        "limits.max_concurrent_per_region",
        "DWA_LIMITS_MAX_CONCURRENT_PER_REGION",
        None,
        Kind::Number,
    ),
    knob(
        "limits.validation_timeout_ms",
        "DWA_LIMITS_VALIDATION_TIMEOUT_MS",
        None,
        Kind::Number,
    ),
    knob("limits.pool_instances", "DWA_LIMITS_POOL_INSTANCES", None, Kind::Number),
];

/// The names of the layers' providers (figment's metadata), by which `config check` says
/// where a value came from.
const ENV_LAYER: &str = "environment";
const FLAG_LAYER: &str = "command line";

/// A layer built here (the environment's, the flags'): keys set, under figment's default profile.
struct Layer {
    name: &'static str,
    dict: Dict,
}

impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.name)
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(self.dict.clone()))
    }
}

impl Layer {
    fn new(name: &'static str) -> Layer {
        Layer {
            name,
            dict: Dict::new(),
        }
    }

    /// Set `knob` from its raw values (one, or a list's items).
    fn set(&mut self, knob: &Knob, values: Vec<String>) {
        let value = match knob.kind {
            Kind::List => Value::from(
                values
                    .iter()
                    .flat_map(|v| v.split(','))
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(Value::from)
                    .collect::<Vec<_>>(),
            ),
            Kind::Number => {
                let text = values.concat();
                text.trim()
                    .parse::<u64>()
                    .map_or_else(|_| Value::from(text), Value::from)
            }
            Kind::Text => Value::from(values.concat()),
        };
        insert(&mut self.dict, knob.key, value);
    }
}

fn insert(dict: &mut Dict, key: &str, value: Value) {
    match key.split_once('.') {
        None => {
            dict.insert(key.to_owned(), value);
        }
        Some((head, rest)) => {
            let entry = dict.entry(head.to_owned()).or_insert_with(|| Value::from(Dict::new()));
            if let Value::Dict(_, inner) = entry {
                insert(inner, rest, value);
            }
        }
    }
}

/// The `DWA_*` variables of [`KNOBS`] that are set and not empty.
fn env_layer() -> Layer {
    let mut layer = Layer::new(ENV_LAYER);
    for knob in KNOBS {
        if let Some(value) = std::env::var_os(knob.env).filter(|v| !v.is_empty()) {
            layer.set(knob, vec![value.to_string_lossy().into_owned()]);
        }
    }
    layer
}

/// The flags of [`KNOBS`] given on the command line, at any level of the subcommands.
fn flag_layer(matches: &clap::ArgMatches) -> Layer {
    let mut layer = Layer::new(FLAG_LAYER);
    let mut level = Some(matches);
    while let Some(m) = level {
        for knob in KNOBS {
            let Some((id, _)) = knob.flag else { continue };
            if let Ok(Some(raw)) = m.try_get_raw(id)
                && m.value_source(id) == Some(clap::parser::ValueSource::CommandLine)
            {
                layer.set(knob, raw.map(|v| v.to_string_lossy().into_owned()).collect());
            }
        }
        level = m.subcommand().map(|(_, sub)| sub);
    }
    layer
}

/// The configuration and the layers it was resolved from.
#[derive(Debug)]
pub struct Loaded {
    /// The effective configuration.
    pub config: Config,
    /// The file read, if any.
    pub file: Option<PathBuf>,
    figment: Figment,
}

/// Resolve the configuration: defaults < file < environment < the flags in `matches`. The file
/// is `file` (the `--config` / `DWA_CONFIG` argument; it must exist), else `./dwa.toml` if
/// present.
pub fn load(file: Option<&Path>, matches: Option<&clap::ArgMatches>) -> anyhow::Result<Loaded> {
    let file = match file {
        Some(path) => {
            if !path.is_file() {
                bail!(
                    "the configuration file {} does not exist (from --config or DWA_CONFIG)",
                    path.display()
                );
            }
            Some(path.to_owned())
        }
        None => Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.is_file()),
    };
    let mut figment = Figment::new();
    if let Some(path) = &file {
        // Read here, so that a file we cannot read is an error rather than an empty layer.
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
        figment = figment.merge(FileLayer {
            path: path.clone(),
            toml: Toml::string(&text),
        });
    }
    figment = figment.merge(env_layer());
    if let Some(matches) = matches {
        figment = figment.merge(flag_layer(matches));
    }
    let config: Config = figment.extract().map_err(|e| explain(e, file.as_deref()))?;
    check(&config)?;
    Ok(Loaded { config, file, figment })
}

/// The TOML file's layer: figment's TOML parser, with the file named as its source.
struct FileLayer {
    path: PathBuf,
    toml: figment::providers::Data<Toml>,
}

impl Provider for FileLayer {
    fn metadata(&self) -> Metadata {
        Metadata::from("configuration file", self.path.as_path())
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        self.toml.data()
    }
}

/// A figment error as one line per problem, each naming the key and where its value came from.
fn explain(error: figment::Error, file: Option<&Path>) -> anyhow::Error {
    let mut lines = Vec::new();
    for e in error {
        let mut key = e.path.join(".");
        if let figment::error::Kind::UnknownField(field, _) = &e.kind {
            // figment's path is the table's; name the key itself.
            if !key.ends_with(field.as_str()) {
                key = if key.is_empty() {
                    field.clone()
                } else {
                    format!("{key}.{field}")
                };
            }
        }
        let origin = match &e.metadata {
            Some(md) if md.name == ENV_LAYER => KNOBS
                .iter()
                .find(|k| k.key == key)
                .map_or("the environment".into(), |k| format!("environment variable {}", k.env)),
            Some(md) if md.name == FLAG_LAYER => "the command line".into(),
            Some(md) => md.source.as_ref().map_or(md.name.to_string(), |s| s.to_string()),
            None => file.map_or("the configuration".into(), |f| f.display().to_string()),
        };
        let what = if key.is_empty() {
            "configuration".into()
        } else {
            format!("key `{key}`")
        };
        lines.push(format!("invalid {what} in {origin}: {}", e.kind));
    }
    anyhow::anyhow!(lines.join("\n"))
}

/// Values figment's types allow but the host cannot use.
fn check(config: &Config) -> anyhow::Result<()> {
    let l = &config.limits;
    for (key, value) in [
        ("limits.fuel", l.fuel),
        ("limits.timeout_ms", l.timeout_ms),
        ("limits.memory_mib", l.memory_mib),
        ("limits.max_concurrent_per_region", l.max_concurrent_per_region),
        ("limits.validation_timeout_ms", l.validation_timeout_ms),
        ("limits.pool_instances", u64::from(l.pool_instances)),
        ("serve.throttle.failures", u64::from(config.serve.throttle.failures)),
        ("serve.throttle.window_secs", config.serve.throttle.window_secs),
    ] {
        if value == 0 {
            bail!("invalid key `{key}`: must be more than 0");
        }
    }
    Ok(())
}

static LOADED: OnceLock<Loaded> = OnceLock::new();

/// Make `loaded` the process's configuration (once; later calls are ignored).
pub fn set(loaded: Loaded) {
    let _ = LOADED.set(loaded);
}

/// The process's configuration: what [`set`] was given, else (the library used without the
/// binary's `main`) defaults, `./dwa.toml` and the environment — or the defaults if they fail.
pub fn get() -> &'static Loaded {
    LOADED.get_or_init(|| {
        load(None, None).unwrap_or_else(|_| Loaded {
            config: Config::default(),
            file: None,
            figment: Figment::new(),
        })
    })
}

impl Loaded {
    /// Where the value of `knob` came from: `default`, `file PATH`, `env VAR` or `flag --FLAG`.
    pub fn origin(&self, knob: &Knob) -> String {
        match self.figment.find_metadata(knob.key) {
            None => "default".into(),
            Some(md) if md.name == ENV_LAYER => format!("env {}", knob.env),
            Some(md) if md.name == FLAG_LAYER => format!("flag {}", knob.flag.map_or("?", |f| f.1)),
            Some(md) => match &md.source {
                Some(source) => format!("file {source}"),
                None => md.name.to_string(),
            },
        }
    }

    /// The effective configuration as TOML, secrets redacted, each value followed by its origin.
    pub fn render(&self) -> anyhow::Result<String> {
        let mut config = self.config.clone();
        config.database = dwa_store::redacted_url(&config.database);
        let tree = toml::Value::try_from(&config)?;
        let mut out = String::new();
        if let Some(file) = &self.file {
            out.push_str(&format!("# configuration file: {}\n", file.display()));
        } else {
            out.push_str("# configuration file: none\n");
        }
        let mut section = "";
        for knob in KNOBS {
            let (table, name) = knob.key.rsplit_once('.').unwrap_or(("", knob.key));
            if table != section {
                out.push_str(&format!("\n[{table}]\n"));
                section = table;
            }
            let value = table
                .split('.')
                .filter(|t| !t.is_empty())
                .try_fold(&tree, |v, t| v.get(t))
                .and_then(|t| t.get(name));
            let origin = self.origin(knob);
            match value {
                Some(_) if knob.secret => out.push_str(&format!("{name} = \"<redacted>\"  # {origin}\n")),
                Some(v) => out.push_str(&format!("{name} = {v}  # {origin}\n")),
                None => out.push_str(&format!("# {name} (unset)  # {origin}\n")),
            }
        }
        Ok(out)
    }
}

/// `dwa config …`.
#[derive(clap::Subcommand, Debug)]
pub(crate) enum ConfigCommand {
    /// Print the effective configuration (defaults < dwa.toml < DWA_* environment < flags) as
    /// TOML, each value with where it came from, secrets redacted. A bad file (an unknown key,
    /// a value of the wrong type) is refused naming the key.
    Check,
}

/// Run `dwa config …`.
pub(crate) fn run(command: ConfigCommand) -> anyhow::Result<()> {
    match command {
        ConfigCommand::Check => {
            print!("{}", get().render()?);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key of the configuration is in [`KNOBS`] (so it has an env var and is printed).
    #[test]
    fn every_key_is_a_knob() {
        let config = Config {
            data_dir: Some("d".into()),
            compile_cache: Some("c".into()),
            serve: Serve {
                metrics_token: Some("t".into()),
                ..Serve::default()
            },
            ..Config::default()
        };
        let tree = toml::Value::try_from(&config).unwrap();
        fn leaves(prefix: &str, v: &toml::Value, out: &mut Vec<String>) {
            match v {
                toml::Value::Table(t) => {
                    for (k, v) in t {
                        let key = if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}.{k}")
                        };
                        leaves(&key, v, out);
                    }
                }
                _ => out.push(prefix.to_owned()),
            }
        }
        let mut keys = Vec::new();
        leaves("", &tree, &mut keys);
        for key in &keys {
            assert!(KNOBS.iter().any(|k| k.key == key), "{key} is not in KNOBS");
        }
        assert_eq!(keys.len(), KNOBS.len());
    }
}
