//! `dwa backup FILE`: a consistent copy of the live SQLite database into a new file (0600),
//! taken while `dwa serve` keeps serving. A PostgreSQL database is backed up with `pg_dump`:
//! this command says so, with the command to run, rather than pretending to.

use crate::Common;
use anyhow::bail;
use clap::Args;
use dwa_store::{Backend, OnConnect, Store, redacted_url};
use std::path::PathBuf;

// The arguments; the command's help text is the doc comment of its variant in `cli::Command`.
#[derive(Args, Debug)]
pub(crate) struct BackupArgs {
    #[command(flatten)]
    common: Common,
    /// The copy: a new file (an existing one is never overwritten).
    file: PathBuf,
}

/// Run `dwa backup`.
pub(crate) async fn run(args: BackupArgs) -> anyhow::Result<()> {
    let url = args.common.database();
    if Backend::of_url(url) == Some(Backend::Postgres) {
        // The password is never printed; pg_dump takes it from PGPASSWORD or ~/.pgpass.
        let shown = quoted(&redacted_url(url));
        let file = quoted(&args.file.display().to_string());
        bail!(
            "`dwa backup` copies a SQLite database; back up PostgreSQL with pg_dump, which takes a consistent \
             snapshot while the replicas keep serving (password from PGPASSWORD or ~/.pgpass):\n  \
             pg_dump --format=custom --file={file} --dbname={shown}\nand restore into an empty database with\n  \
             pg_restore --no-owner --dbname={shown} {file}"
        );
    }
    // As it is: a backup copies any schema version, and a missing database is not created.
    let store = Store::connect_with(url, OnConnect::Existing).await?;
    let bytes = store.backup_sqlite(&args.file).await?;
    println!(
        "backed up {} to {} ({bytes} bytes)",
        redacted_url(url),
        args.file.display()
    );
    Ok(())
}

/// `text` as one POSIX shell word.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
