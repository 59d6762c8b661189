//! `dwa import`: organisational units, employees and the position catalogue from the national personnel system's CSV
//! exports, validated row by row and written all or nothing (the same workflow as
//! `POST /api/units/import` and `POST /api/employees/import`).

use crate::Common;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use dwa_store::Store;
use dwa_workflow::import::ImportOutcome;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub(crate) enum ImportCommand {
    /// Organisational units (unor export: id, namaUnor, diatasanId, instansiId[, eselonId,
    /// namaJabatan, aktif]); parents in the file or already stored; all or nothing.
    Units(FileArgs),
    /// Employees (SIASN field names, see the README); their units must be imported first.
    Employees {
        #[command(flatten)]
        file: FileArgs,
        /// Write the valid rows even when some are rejected (default: all or nothing).
        #[arg(long)]
        partial: bool,
    },
    /// The region's catalogue of positions that qualify (kodeJabatan, namaJabatan, status
    /// layak/dikecualikan/ditinjau[, catatan]); entries already stored are updated; all or
    /// nothing.
    Positions(FileArgs),
}

#[derive(Args, Debug)]
pub(crate) struct FileArgs {
    #[command(flatten)]
    common: Common,
    /// The CSV file.
    file: PathBuf,
    /// The region to import into (BPS code; it must have been added).
    #[arg(long)]
    region: String,
    /// Print the outcome (imported count and every rejected row) as JSON.
    #[arg(long)]
    json: bool,
}

/// Run `dwa import`.
pub(crate) async fn run(command: ImportCommand) -> anyhow::Result<()> {
    match command {
        ImportCommand::Units(args) => {
            let (store, bytes) = open(&args).await?;
            let outcome = dwa_workflow::import::import_units(&store, &args.region, &bytes).await?;
            finish(&args, "units", &outcome)
        }
        ImportCommand::Employees { file: args, partial } => {
            let (store, bytes) = open(&args).await?;
            let outcome = dwa_workflow::import::import_employees(&store, &args.region, &bytes, partial).await?;
            finish(&args, "employees", &outcome)
        }
        ImportCommand::Positions(args) => {
            let (store, bytes) = open(&args).await?;
            let file = args.file.file_name().unwrap_or_default().to_string_lossy();
            let by = format!("dwa import positions {file}");
            let outcome = dwa_workflow::import::import_positions(&store, &args.region, &bytes, &by).await?;
            finish(&args, "positions", &outcome)
        }
    }
}

/// The file's bytes and the database, once the region is known to exist.
async fn open(args: &FileArgs) -> anyhow::Result<(Store, Vec<u8>)> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let store = Store::connect(args.common.database()).await?;
    dwa_workflow::onboarding::require_region(&store, &args.region).await?;
    Ok((store, bytes))
}

/// Print the outcome; an error (exit status 1) unless rows were written.
fn finish(args: &FileArgs, what: &str, outcome: &ImportOutcome) -> anyhow::Result<()> {
    if args.json {
        println!("{}", serde_json::to_string_pretty(outcome)?);
    } else {
        report(outcome);
    }
    let file = args.file.display();
    if outcome.refused() {
        bail!(
            "nothing imported: {} problem(s) in {file}; fix them and import the file again",
            outcome.rejected.len()
        );
    }
    if !outcome.written {
        bail!("nothing imported: {file} has no {what}");
    }
    if !outcome.rejected.is_empty() {
        eprintln!("{} problem(s): those rows were not imported", outcome.rejected.len());
    }
    eprintln!("imported {} {what} into region {}", outcome.imported, args.region);
    Ok(())
}

/// Every rejected row on stderr, one per line, as `line N, column (who): problem`.
fn report(outcome: &ImportOutcome) {
    for row in &outcome.rejected {
        let who = row.nip.as_deref().or(row.unit.as_deref());
        let who = who.map(|w| format!(" ({w})")).unwrap_or_default();
        eprintln!("line {}, {}{who}: {}", row.line, row.field, row.problem);
    }
}
