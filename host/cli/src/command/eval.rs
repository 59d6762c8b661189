//! `dwa eval`: evaluate one employee's application from JSON files and record the decision.

use crate::{Common, load_policies};
use anyhow::{Context, bail};
use clap::Args;
use dwa_sdk::baseline::pattern;
use dwa_sdk::{Application, Date, Employee};
use dwa_store::Store;
use std::path::{Path, PathBuf};

// The arguments; the command's help text is the doc comment of its variant in `cli::Command`.
#[derive(Args, Debug)]
pub(crate) struct EvalArgs {
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
}

/// Run `dwa eval`.
pub(crate) async fn run(args: EvalArgs) -> anyhow::Result<()> {
    let EvalArgs {
        common,
        region,
        employee,
        application,
        date,
        json,
    } = args;
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
    let store = Store::connect(common.database()).await?;
    let policies = load_policies(common.rules(), &store).await?;
    let decision = {
        let (employee, application) = (employee.clone(), application.clone());
        policies
            .call(&region, move |set| set.evaluate(&employee, &application, date))
            .await?
    };
    let id = store
        .insert_decisions(dwa_store::RunKind::Eval, std::slice::from_ref(&decision))
        .await?
        .remove(0);
    // An eligible application still needs the approvals it has not been given: it is not
    // approved, and says so in its data, not only in a reason's message.
    let pending = pending_approvals(&decision.eligibility, &application);
    if json {
        let out = serde_json::json!({
            "approvals_pending": pending,
            "approved": decision.eligibility.eligible && pending.is_empty(),
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
        print_decision(&employee, &decision, &id, &pending);
    }
    Ok(())
}

/// The approvers the decision requires whose approval the application does not carry.
fn pending_approvals(e: &dwa_sdk::Eligibility, application: &Application) -> Vec<String> {
    e.approvals_required
        .iter()
        .filter(|who| application.approval_by(**who) != Some(true))
        .map(dwa_store::code)
        .collect()
}

fn print_decision(employee: &Employee, d: &dwa_policy::Decision, id: &str, pending: &[String]) {
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
    if e.eligible && !pending.is_empty() {
        println!(
            "ELIGIBLE, AWAITING APPROVAL / MEMENUHI SYARAT, MENUNGGU PERSETUJUAN — up to {} ({} days anywhere) \
             once approved by: {}; priority {}",
            pattern(e.max_remote_days),
            e.max_remote_days,
            pending.join(", "),
            e.priority
        );
    } else if e.eligible {
        let approvals: Vec<String> = e.approvals_required.iter().map(dwa_store::code).collect();
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
        let waiting =
            r.passed && r.code.ends_with("_APPROVAL") && pending.iter().any(|p| r.code.starts_with(&p.to_uppercase()));
        println!(
            "  {} {:<24} {}",
            if waiting {
                "WAIT"
            } else if r.passed {
                "ok  "
            } else {
                "FAIL"
            },
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

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a valid document", path.display()))
}
