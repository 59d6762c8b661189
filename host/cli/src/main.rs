//! The `dwa` binary: see [`dwa_cli`].

use clap::Parser;

/// mimalloc rather than glibc's malloc: the national allocation's evaluators build and drop
/// millions of small values, and glibc's malloc took a fifth of its time (README, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = dwa_cli::Cli::parse();
    dwa_cli::logging::init(cli.log_format());
    match dwa_cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
