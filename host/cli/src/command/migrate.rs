//! `dwa migrate`: the one command that upgrades a database's schema (every other command only
//! migrates a new, empty database and refuses one behind or ahead of it), and with `--check`
//! reports where the schema stands without changing anything.

use crate::Common;
use anyhow::bail;
use clap::Args;
use dwa_store::{OnConnect, SchemaStatus, Store, expected_version, redacted_url};

// The arguments; the command's help text is the doc comment of its variant in `cli::Command`.
#[derive(Args, Debug)]
pub(crate) struct MigrateArgs {
    #[command(flatten)]
    common: Common,
    /// Only print the schema's state — applied, pending and unknown migrations — and change
    /// nothing; the exit status is non-zero unless the schema is exactly this dwa's.
    #[arg(long)]
    check: bool,
}

/// Run `dwa migrate`.
pub(crate) async fn run(args: MigrateArgs) -> anyhow::Result<()> {
    let url = args.common.database();
    if args.check {
        let store = Store::connect_with(url, OnConnect::Existing).await?;
        let status = store.schema_status().await?;
        print!("{}", report(url, &status));
        if status.is_fresh() {
            bail!(
                "no migration applied yet ({} pending): `dwa migrate` or any other command creates the schema",
                status.pending.len()
            );
        }
        status.check()?;
        return Ok(());
    }
    let store = Store::connect_with(url, OnConnect::AsIs).await?;
    let applied = store.migrate().await?;
    for migration in &applied {
        println!("applied {migration}");
    }
    let version = expected_version();
    if applied.is_empty() {
        println!("nothing to apply: the database schema is at version {version}, as this dwa expects");
    } else {
        println!("the database schema is now at version {version}");
    }
    Ok(())
}

/// The `--check` report: the database, its version against this build's, then one line per
/// migration (`applied`, `pending`, `unknown`, `modified`, `failed`).
fn report(url: &str, status: &SchemaStatus) -> String {
    let version = status.version().map_or("none".into(), |v| v.to_string());
    let mut out = format!(
        "database {}\nschema version {version}; this dwa expects {}\n",
        redacted_url(url),
        expected_version()
    );
    let groups = [
        ("applied", &status.applied),
        ("pending", &status.pending),
        ("unknown", &status.unknown),
        ("modified", &status.modified),
        ("failed", &status.failed),
    ];
    for (state, migrations) in groups {
        for migration in migrations {
            out.push_str(&format!(
                "{state:<8} {:>4} {}\n",
                migration.version, migration.description
            ));
        }
    }
    out
}
