//! The `dwa` binary: see [`dwa_cli`].

use clap::{CommandFactory, FromArgMatches};

/// mimalloc rather than glibc's malloc: the national allocation's evaluators build and drop
/// millions of small values, and glibc's malloc took a fifth of its time (README, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let matches = dwa_cli::Cli::command().get_matches();
    let cli = dwa_cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // The configuration (defaults < dwa.toml < DWA_* < flags), before anything logs.
    match dwa_cli::config::load(cli.config_file(), Some(&matches)) {
        Ok(loaded) => {
            dwa_cli::logging::init(loaded.config.log_format);
            dwa_cli::config::set(loaded);
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            return std::process::ExitCode::FAILURE;
        }
    }
    match dwa_cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
