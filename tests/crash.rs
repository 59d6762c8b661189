//! Crash consistency, end to end: the real `dwa` binary on a database seeded by `dwa seed` is
//! killed with SIGKILL (kill -9) at random points of
//!
//! - a region-wide (bulk) allocation of the 28 regions (`dwa allocate --all`), on SQLite and on
//!   PostgreSQL,
//! - a per-unit allocation over hundreds of units (`dwa allocate --all --per-unit`), on SQLite
//!   and on PostgreSQL,
//! - a CSV import of 30,000 employees through `dwa serve` (`POST /api/employees/import`),
//! - withdrawals and late approvals in allocated units through `dwa serve` (issue 19), on SQLite
//!   and on PostgreSQL,
//!
//! and after each kill the database is opened again, as the next command does, and checked:
//! SQLite's `PRAGMA integrity_check` is ok; every stored decision reads back;
//! every unit has either a whole roster (exactly the one an uninterrupted run makes) with its
//! allocation row and the decisions of the run that made it, or no allocation, no roster and no
//! decisions; a region of the bulk run is committed whole or not at all, and every stored run
//! has all its decisions; the import left every row of the file or none; a withdrawal or a late
//! approval left the application, the roster, the history and the notifications all as before
//! it or all as after it (exactly as an uninterrupted one leaves them). The next command then
//! starts where the killed one left off, and a final uninterrupted run completes with the
//! reference result.
//!
//! Every loop is bounded: a fixed number of kills per scenario ([`KILLS`]; [`QUARTER_KILLS`] for
//! the quarter's), each at a delay drawn from a seeded generator (`DWA_CRASH_SEED`, printed)
//! within the command's measured duration (the quarter's alternately after a drawn statement of
//! the change's transaction, see `KillAt`), and every wait on a process or the server polls with
//! a deadline. Run with `--nocapture` to
//! see where each kill landed.

#[path = "../host/cli/tests/common/mod.rs"]
mod common;

use dwa_cli::seed::SplitMix;
use dwa_store::{Backend, Store};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const QUARTER: &str = "2027-Q1";
/// Kills per scenario.
const KILLS: usize = 5;
/// No command of these tests may take longer (a hung command fails the test).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

/// One scenario at a time: each measures its command's duration and draws its kill points in
/// it, which other scenarios running beside it would distort.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The generator for the kill delays: `DWA_CRASH_SEED` or a fixed default, printed so a failing
/// run can be repeated.
fn rng(scenario: &str) -> SplitMix {
    let seed = std::env::var("DWA_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_270_101u64);
    eprintln!("[{scenario}] DWA_CRASH_SEED={seed}");
    SplitMix::new(
        seed ^ scenario
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64)),
    )
}

/// `dwa` on `database` with the rules in `rules`; stdout discarded, stderr kept in `log`.
fn dwa(database: &str, rules: &Path, log: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dwa"));
    // On PostgreSQL the command's sessions are named, so that after a kill the check can wait
    // for the server to finish them (see `reopen`).
    let database = match session_name(database) {
        Some(name) => format!("{database}&application_name={name}"),
        None => database.to_owned(),
    };
    command
        .args(args)
        .env("DWA_DATABASE", database)
        .env("DWA_RULES", rules)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).expect("log file"));
    command
}

/// Wait for `child` to exit, polling until `deadline`; `None` if it is still running then.
fn wait_until(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Run `command` to completion (bounded by [`COMMAND_TIMEOUT`]), asserting success; its duration.
fn run_ok(mut command: Command, log: &Path) -> Duration {
    let started = Instant::now();
    let mut child = command.spawn().expect("spawn dwa");
    let status = wait_until(&mut child, started + COMMAND_TIMEOUT).unwrap_or_else(|| {
        let _ = child.kill();
        let _ = child.wait();
        panic!("dwa did not finish within {COMMAND_TIMEOUT:?}")
    });
    assert!(
        status.success(),
        "dwa failed ({status}): {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
    started.elapsed()
}

/// Where one kill landed.
struct Kill {
    /// Delay after the start at which SIGKILL was sent.
    delay: Duration,
    /// The measured duration of an uninterrupted run.
    of: Duration,
    /// The command had already exited (no kill sent).
    finished: bool,
    /// What the database held afterwards.
    found: String,
}

/// Start `command` and kill it with SIGKILL `delay` after the start, unless it exits first.
fn run_and_kill(mut command: Command, delay: Duration) -> bool {
    let started = Instant::now();
    let mut child = command.spawn().expect("spawn dwa");
    if wait_until(&mut child, started + delay).is_some() {
        return true;
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    false
}

/// A delay within `0.05 … 0.9` of `of` (a kill after the end would test nothing).
fn delay_within(rng: &mut SplitMix, of: Duration) -> Duration {
    let fraction = 0.05 + 0.85 * (rng.below(10_000) as f64 / 10_000.0);
    of.mul_f64(fraction)
}

fn report(scenario: &str, kills: &[Kill]) {
    eprintln!("[{scenario}] {} kills:", kills.len());
    for (i, k) in kills.iter().enumerate() {
        eprintln!(
            "[{scenario}]   #{}: at {:>5} ms of {:>5} ms ({:>3.0}%){} -> {}",
            i + 1,
            k.delay.as_millis(),
            k.of.as_millis(),
            100.0 * k.delay.as_secs_f64() / k.of.as_secs_f64().max(1e-9),
            if k.finished {
                " (the command had already finished)"
            } else {
                ""
            },
            k.found
        );
    }
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// Copy a SQLite database (with its write-ahead log) to `to`.
fn copy_sqlite(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
    for suffix in ["-wal", "-shm"] {
        let (f, t) = (
            PathBuf::from(format!("{}{suffix}", from.display())),
            PathBuf::from(format!("{}{suffix}", to.display())),
        );
        if f.exists() {
            std::fs::copy(&f, &t).unwrap();
        }
    }
}

/// Open the database as the next command would (recovering the write-ahead log, migrating).
/// The PostgreSQL session name of the commands run on `url` (one per test schema), or `None`
/// for SQLite.
fn session_name(url: &str) -> Option<String> {
    let schema = url.strip_prefix("postgres")?.rsplit("search_path%3D").next()?;
    Some(format!("dwa_crash_{schema}"))
}

/// Open the database as the next command does. On PostgreSQL, first wait (bounded: 10 s) until
/// the killed command's sessions are gone: a server finishes the statement it is running when
/// its client dies — a COMMIT then still commits — and a check that read in the middle of that
/// would see half before and half after it.
async fn reopen(url: &str) -> Store {
    if let Some(name) = session_name(url) {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&common::postgres_url()).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (sessions,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1")
                    .bind(&name)
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
            if sessions == 0 || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    Store::connect(url)
        .await
        .unwrap_or_else(|e| panic!("reopening {url}: {e}"))
}

/// SQLite's own check of the file: pages, indexes and constraints.
async fn integrity_ok(store: &Store) {
    if store.backend() != Backend::Sqlite {
        return;
    }
    let rows = sqlx::query("PRAGMA integrity_check")
        .fetch_all(store.pool())
        .await
        .unwrap();
    let result: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
    assert_eq!(result, ["ok"], "PRAGMA integrity_check");
    let violations = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert!(
        violations.is_empty(),
        "PRAGMA foreign_key_check: {} violations",
        violations.len()
    );
}

/// A roster as stored: per unit, (nip, application, days, weekdays) by NIP.
type Rosters = BTreeMap<String, Vec<(String, String, i64, String)>>;

async fn rosters(store: &Store) -> Rosters {
    let rows = sqlx::query(
        "SELECT unit, nip, application_id, remote_days, weekdays FROM roster WHERE quarter = $1 ORDER BY unit, nip",
    )
    .bind(QUARTER)
    .fetch_all(store.pool())
    .await
    .unwrap();
    let mut out = Rosters::new();
    for r in rows {
        out.entry(r.get("unit")).or_default().push((
            r.get("nip"),
            r.get("application_id"),
            r.get("remote_days"),
            r.get("weekdays"),
        ));
    }
    out
}

/// Unit → region.
async fn units(store: &Store) -> BTreeMap<String, String> {
    let rows = sqlx::query("SELECT code, region FROM units")
        .fetch_all(store.pool())
        .await
        .unwrap();
    rows.iter().map(|r| (r.get("code"), r.get("region"))).collect()
}

/// Unit → `allocated_at` of its stored allocation for the quarter.
async fn allocations(store: &Store) -> BTreeMap<String, String> {
    let rows = sqlx::query("SELECT unit, allocated_at FROM allocations WHERE quarter = $1")
        .bind(QUARTER)
        .fetch_all(store.pool())
        .await
        .unwrap();
    rows.iter().map(|r| (r.get("unit"), r.get("allocated_at"))).collect()
}

/// Each allocated unit's roster is whole — exactly the reference's — and an unallocated unit
/// has none.
fn rosters_whole(
    units: &BTreeMap<String, String>,
    allocated: &BTreeMap<String, String>,
    found: &Rosters,
    reference: &Rosters,
) {
    for unit in units.keys() {
        let roster = found.get(unit);
        match allocated.get(unit) {
            None => assert!(
                roster.is_none(),
                "unit {unit}: roster rows without an allocation: {roster:?}"
            ),
            Some(_) => assert_eq!(
                roster,
                reference.get(unit),
                "unit {unit}: a roster other than the one the uninterrupted run made (half written?)"
            ),
        }
    }
    for unit in found.keys() {
        assert!(units.contains_key(unit), "roster of unknown unit {unit}");
    }
}

// ---------------------------------------------------------------------------------------------
// Per-unit allocation: one run (one transaction) per unit.

/// Per unit: (decisions stored for the quarter, start of the latest run that decided there).
async fn unit_decisions(store: &Store) -> BTreeMap<String, (i64, String)> {
    let rows = sqlx::query(
        "SELECT e.unit AS unit, COUNT(*) AS n, MAX(r.started_at) AS latest FROM decisions d \
         JOIN decision_runs r ON r.id = d.run_id JOIN employees e ON e.nip = d.nip WHERE r.quarter = $1 \
         GROUP BY e.unit",
    )
    .bind(QUARTER)
    .fetch_all(store.pool())
    .await
    .unwrap();
    rows.iter()
        .map(|r| (r.get("unit"), (r.get::<i64, _>("n"), r.get("latest"))))
        .collect()
}

/// Every decision row reads back whole through the host's own reader.
async fn decisions_readable(store: &Store) -> usize {
    let rows = sqlx::query("SELECT run_id, application_id FROM decisions")
        .fetch_all(store.pool())
        .await
        .unwrap();
    for row in &rows {
        let id = dwa_store::decision_id(row.get("run_id"), &row.get::<String, _>("application_id"));
        let decision = store
            .decision(&id)
            .await
            .unwrap_or_else(|e| panic!("decision {id} does not read back: {e}"));
        assert_eq!(decision.id, id);
    }
    rows.len()
}

/// The per-unit invariants; returns (units allocated, decisions stored).
async fn check_per_unit(
    store: &Store,
    reference: &Rosters,
    per_run: &BTreeMap<String, (i64, String)>,
) -> (usize, usize) {
    integrity_ok(store).await;
    let decisions = decisions_readable(store).await;
    let units = units(store).await;
    let allocated = allocations(store).await;
    rosters_whole(&units, &allocated, &rosters(store).await, reference);
    let stored = unit_decisions(store).await;
    for unit in units.keys() {
        let (n, latest) = stored.get(unit).cloned().unwrap_or((0, String::new()));
        let run = per_run.get(unit).map_or(0, |(n, _)| *n);
        match allocated.get(unit) {
            None => assert_eq!(n, 0, "unit {unit}: {n} decisions without the roster they were made for"),
            Some(at) => {
                // Each run stores one decision per live application, with the roster.
                assert!(
                    n >= run && (run == 0 || n % run == 0),
                    "unit {unit}: {n} decisions, not whole runs of {run}"
                );
                assert!(
                    latest.as_str() <= at.as_str(),
                    "unit {unit}: decisions of {latest}, newer than its roster of {at}"
                );
            }
        }
    }
    // No roster entry without an eligible decision on its application from the run (or an
    // earlier one) that stored the roster.
    let (orphans,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM roster r JOIN allocations a ON a.unit = r.unit AND a.quarter = r.quarter \
         WHERE r.quarter = $1 AND NOT EXISTS (SELECT 1 FROM decisions d JOIN decision_runs run ON run.id = d.run_id \
         WHERE d.application_id = r.application_id AND d.eligible = 1 AND run.started_at <= a.allocated_at)",
    )
    .bind(QUARTER)
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(orphans, 0, "roster entries without the decision that granted them");
    (allocated.len(), decisions)
}

/// Kill `dwa allocate --all --per-unit` [`KILLS`] times at random points, checking after each.
async fn per_unit_scenario(label: &str, url: &str, reference_url: Option<&str>, dir: &Path) {
    let rules = root().join("rules");
    let log = dir.join("dwa.log");
    let args = ["allocate", "--all", "--per-unit", "--quarter", QUARTER];
    assert_eq!(
        reopen(url).await.count("decisions").await.unwrap(),
        0,
        "the seed stores no decisions"
    );

    // The reference: an uninterrupted run on a copy (SQLite) or, on PostgreSQL, on the database
    // itself, whose result is then undone by killing nothing: the kills below re-run over it.
    let (duration, reference, per_run) = {
        let target = reference_url.unwrap_or(url);
        let duration = run_ok(dwa(target, &rules, &log, &args), &log);
        let store = reopen(target).await;
        let reference = rosters(&store).await;
        let per_run = unit_decisions(&store).await;
        check_per_unit(&store, &reference, &per_run).await;
        store.pool().close().await;
        (duration, reference, per_run)
    };
    eprintln!(
        "[{label}] uninterrupted run: {} ms, {} units with a roster",
        duration.as_millis(),
        reference.len()
    );
    if reference_url.is_none() {
        // Start the kills from nothing allocated again.
        let store = reopen(url).await;
        for table in [
            "roster",
            "allocations",
            "guardrail_violations",
            "decisions",
            "decision_runs",
        ] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(store.pool())
                .await
                .unwrap();
        }
        store.pool().close().await;
    }

    let mut rng = rng(label);
    let mut kills = Vec::new();
    for _ in 0..KILLS {
        let delay = delay_within(&mut rng, duration);
        let finished = run_and_kill(dwa(url, &rules, &log, &args), delay);
        let store = reopen(url).await;
        let (allocated, decisions) = check_per_unit(&store, &reference, &per_run).await;
        let units = store.count("units").await.unwrap();
        store.pool().close().await;
        kills.push(Kill {
            delay,
            of: duration,
            finished,
            found: format!(
                "{allocated} of {units} units allocated, {decisions} decisions, every unit whole or untouched"
            ),
        });
    }
    report(label, &kills);

    // The next command completes, and the result is the reference's.
    run_ok(dwa(url, &rules, &log, &args), &log);
    let store = reopen(url).await;
    check_per_unit(&store, &reference, &per_run).await;
    assert_eq!(rosters(&store).await, reference, "the re-run's rosters");
    assert_eq!(
        allocations(&store).await.len(),
        units(&store).await.len(),
        "every unit allocated"
    );
    store.pool().close().await;
}

/// `dwa seed` on `url`, then kills of the per-unit allocation.
#[tokio::test(flavor = "multi_thread")]
async fn kill_9_during_per_unit_allocation_sqlite() {
    let _turn = SERIAL.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dwa.db");
    let log = dir.path().join("seed.log");
    run_ok(
        dwa(
            &sqlite_url(&db),
            &root().join("rules"),
            &log,
            &["seed", "--employees", "6000"],
        ),
        &log,
    );
    let reference = dir.path().join("reference.db");
    copy_sqlite(&db, &reference);
    per_unit_scenario(
        "per-unit sqlite",
        &sqlite_url(&db),
        Some(&sqlite_url(&reference)),
        dir.path(),
    )
    .await;
}

/// The same on PostgreSQL: the killed client's transaction is rolled back by the server.
#[tokio::test(flavor = "multi_thread")]
async fn kill_9_during_per_unit_allocation_postgres() {
    let _turn = SERIAL.lock().await;
    let db = common::TestDb::postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("seed.log");
    run_ok(
        dwa(&db.url, &root().join("rules"), &log, &["seed", "--employees", "3000"]),
        &log,
    );
    per_unit_scenario("per-unit postgres", &db.url, None, dir.path()).await;
    db.drop_schema().await;
}

// ---------------------------------------------------------------------------------------------
// Region-wide allocation: one run (one transaction) per region.

/// The bulk run's invariants; returns the regions committed.
async fn check_bulk(store: &Store, reference: &Rosters, reference_runs: &BTreeMap<String, i64>) -> usize {
    integrity_ok(store).await;
    let units = units(store).await;
    let allocated = allocations(store).await;
    rosters_whole(&units, &allocated, &rosters(store).await, reference);

    // Every decision reads back, and belongs to a stored run with all its decisions.
    let runs = sqlx::query(
        "SELECT id, region, started_at, units, decisions FROM decision_runs WHERE quarter = $1 ORDER BY id",
    )
    .bind(QUARTER)
    .fetch_all(store.pool())
    .await
    .unwrap();
    let mut latest: BTreeMap<String, (i64, String, i64, i64)> = BTreeMap::new();
    let mut run_ids = BTreeSet::new();
    for r in &runs {
        let (id, region): (i64, String) = (r.get("id"), r.get("region"));
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM decisions WHERE run_id = $1")
            .bind(id)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(
            count,
            r.get::<i64, _>("decisions"),
            "run {id} of region {region}: decisions stored"
        );
        run_ids.insert(id);
        latest.insert(region, (id, r.get("started_at"), r.get("units"), count));
    }
    let rows = sqlx::query(
        "SELECT run_id, application_id, nip, eligible, max_remote_days, priority, approvals_required, failed \
         FROM decisions",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let mut per_run_apps: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for r in &rows {
        let run: i64 = r.get("run_id");
        assert!(run_ids.contains(&run), "decision of run {run}, which is not stored");
        let app: String = r.get("application_id");
        assert!(app.starts_with("app-"), "{app}");
        assert_eq!(r.get::<String, _>("nip").len(), 18);
        assert!(matches!(r.get::<i64, _>("eligible"), 0 | 1));
        assert!((0..=5).contains(&r.get::<i64, _>("max_remote_days")));
        let _: i64 = r.get("priority");
        for approver in r
            .get::<String, _>("approvals_required")
            .split(',')
            .filter(|a| !a.is_empty())
        {
            assert!(matches!(approver, "supervisor" | "head_of_agency"), "{approver}");
        }
        let _: String = r.get("failed");
        assert!(
            per_run_apps.entry(run).or_default().insert(app),
            "a decision stored twice in run {run}"
        );
    }
    if let Some(app) = rows.first().map(|r| r.get::<String, _>("application_id")) {
        store
            .latest_decision(&app)
            .await
            .expect("the host reads a decision back");
    }

    // Each region is committed whole or not at all.
    let mut by_region: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (unit, region) in &units {
        by_region.entry(region).or_default().push(unit);
    }
    let mut committed = 0;
    for (region, codes) in &by_region {
        let stored: Vec<&&str> = codes.iter().filter(|u| allocated.contains_key(**u)).collect();
        match latest.get(*region) {
            None => assert!(
                stored.is_empty(),
                "region {region}: {} units allocated without a run",
                stored.len()
            ),
            Some((id, started_at, run_units, decisions)) => {
                committed += 1;
                assert_eq!(stored.len(), codes.len(), "region {region}: half its units allocated");
                assert_eq!(*run_units as usize, codes.len(), "region {region}: run {id}'s units");
                assert_eq!(
                    Some(decisions),
                    reference_runs.get(*region),
                    "region {region}: run {id}'s decisions"
                );
                for unit in codes {
                    assert_eq!(
                        &allocated[*unit], started_at,
                        "unit {unit}: not from region {region}'s latest run"
                    );
                }
            }
        }
    }
    committed
}

/// The 28 regions of West Java, each with its own rules: scripts/national.sh's folder, made in `dir`.
fn national_rules(dir: &Path) -> PathBuf {
    let national = dir.join("national");
    let out = Command::new("bash")
        .arg(root().join("scripts/national.sh"))
        .arg("rules")
        .env("DWA_NATIONAL_DIR", &national)
        .output()
        .expect("scripts/national.sh rules");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    national.join("rules")
}

/// Kill `dwa allocate --all` (one run per region) [`KILLS`] times at random points, checking after
/// each. The reference run is made on `reference_url` (a copy) or, when `None`, on `url`
/// itself and then undone.
async fn region_wide_scenario(label: &str, url: &str, reference_url: Option<&str>, rules: &Path, dir: &Path) {
    let log = dir.join("dwa.log");
    let args = ["allocate", "--all", "--quarter", QUARTER];
    let target = reference_url.unwrap_or(url);
    let duration = run_ok(dwa(target, rules, &log, &args), &log);
    let store = reopen(target).await;
    let reference = rosters(&store).await;
    let rows = sqlx::query("SELECT region, decisions FROM decision_runs")
        .fetch_all(store.pool())
        .await
        .unwrap();
    let reference_runs: BTreeMap<String, i64> = rows.iter().map(|r| (r.get("region"), r.get("decisions"))).collect();
    assert_eq!(
        reference_runs.len(),
        28,
        "every region committed in the uninterrupted run"
    );
    assert_eq!(check_bulk(&store, &reference, &reference_runs).await, 28);
    if reference_url.is_none() {
        for table in [
            "roster",
            "allocations",
            "decisions",
            "decision_runs",
            "guardrail_violations",
        ] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(store.pool())
                .await
                .unwrap();
        }
    }
    store.pool().close().await;
    eprintln!("[{label}] uninterrupted run: {} ms", duration.as_millis());

    let mut rng = rng(label);
    let mut kills = Vec::new();
    for _ in 0..KILLS {
        let delay = delay_within(&mut rng, duration);
        let finished = run_and_kill(dwa(url, rules, &log, &args), delay);
        let store = reopen(url).await;
        let committed = check_bulk(&store, &reference, &reference_runs).await;
        let (runs,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM decision_runs")
            .fetch_one(store.pool())
            .await
            .unwrap();
        store.pool().close().await;
        kills.push(Kill {
            delay,
            of: duration,
            finished,
            found: format!("{committed} of 28 regions hold a committed run ({runs} runs stored in all), each whole"),
        });
    }
    report(label, &kills);

    run_ok(dwa(url, rules, &log, &args), &log);
    let store = reopen(url).await;
    assert_eq!(check_bulk(&store, &reference, &reference_runs).await, 28);
    assert_eq!(rosters(&store).await, reference, "the re-run's rosters");
    store.pool().close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_during_region_wide_allocation_sqlite() {
    let _turn = SERIAL.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let rules = national_rules(dir.path());
    let db = dir.path().join("dwa.db");
    let log = dir.path().join("seed.log");
    let seed = ["seed", "--employees", "100000", "--regions", "all"];
    run_ok(dwa(&sqlite_url(&db), &rules, &log, &seed), &log);
    let reference = dir.path().join("reference.db");
    copy_sqlite(&db, &reference);
    region_wide_scenario(
        "region-wide sqlite",
        &sqlite_url(&db),
        Some(&sqlite_url(&reference)),
        &rules,
        dir.path(),
    )
    .await;
}

/// The same on PostgreSQL (a smaller seed: the bulk path is slower there).
#[tokio::test(flavor = "multi_thread")]
async fn kill_9_during_region_wide_allocation_postgres() {
    let _turn = SERIAL.lock().await;
    let db = common::TestDb::postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let rules = national_rules(dir.path());
    let log = dir.path().join("seed.log");
    let seed = ["seed", "--employees", "50000", "--regions", "all"];
    run_ok(dwa(&db.url, &rules, &log, &seed), &log);
    region_wide_scenario("region-wide postgres", &db.url, None, &rules, dir.path()).await;
    db.drop_schema().await;
}

// ---------------------------------------------------------------------------------------------
// CSV import through the server: one transaction for the whole file.

/// Rows in the generated file.
const IMPORT_ROWS: usize = 30_000;

/// A CSV of `rows` valid employees of `unit` (NIPs born in 1955: the seed's are 1966–2000),
/// each with two SKP assessments.
fn import_csv(unit: &str, rows: usize) -> String {
    let mut csv = dwa_workflow::import::columns().join(",");
    csv.push('\n');
    for i in 0..rows {
        let (seq, day, month) = (1 + i % 999, 1 + (i / 999) % 28, 1 + (i / (999 * 28)) % 12);
        csv.push_str(&format!(
            "1955{month:02}{day:02}1990011{seq:03},Pegawai Impor {i},PNS,Fungsional,,{unit},1990-01-01,tidak,\
             analisisData,menengah,2025:sesuai:sesuai;2026:diatas:sesuai,,0,,\n"
        ));
    }
    csv
}

/// (employees, ratings) of the file stored.
async fn imported(store: &Store) -> (i64, i64) {
    let (e,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM employees WHERE nip LIKE '1955%'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let r = common::history_entries(store, "ratings_json", "1955%").await;
    (e, r)
}

/// The import invariant: every row of the file, or none.
async fn check_import(url: &str) -> (i64, i64) {
    let store = reopen(url).await;
    integrity_ok(&store).await;
    let found = imported(&store).await;
    store.pool().close().await;
    let n = IMPORT_ROWS as i64;
    assert!(
        found == (0, 0) || found == (n, 2 * n),
        "half an import: {found:?} of ({n}, {})",
        2 * n
    );
    found
}

/// `dwa serve` on a free loopback port, once it answers `/readyz` (polled, bounded).
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(url: &str, log: &Path) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address = format!("127.0.0.1:{port}");
        let child = dwa(
            url,
            &root().join("rules"),
            log,
            &["serve", "--bind", &address, "--today", "2026-12-01"],
        )
        .spawn()
        .expect("spawn dwa serve");
        let mut server = Server { child, address };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(answer) = server.request("GET", "/readyz", "", "", Duration::from_secs(5))
                && answer.starts_with("HTTP/1.1 200")
            {
                return server;
            }
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!(
                    "dwa serve exited ({status}): {}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "dwa serve not ready within 60 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// One HTTP/1.1 request; the whole answer, or `None` if the connection failed.
    fn request(&self, method: &str, path: &str, token: &str, body: &str, timeout: Duration) -> Option<String> {
        request(&self.address, method, path, token, body, timeout)
    }

    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reap");
    }
}

fn request(address: &str, method: &str, path: &str, token: &str, body: &str, timeout: Duration) -> Option<String> {
    let mut stream = std::net::TcpStream::connect(address).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    stream.set_write_timeout(Some(timeout)).ok()?;
    let auth = if token.is_empty() {
        String::new()
    } else {
        format!("Authorization: Bearer {token}\r\n")
    };
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: text/csv\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    Some(answer)
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_during_csv_import() {
    let _turn = SERIAL.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dwa.db");
    let url = sqlite_url(&db);
    let rules = root().join("rules");
    let log = dir.path().join("dwa.log");
    run_ok(dwa(&url, &rules, &log, &["seed", "--employees", "300"]), &log);
    let token_file = dir.path().join("token");
    let mut command = dwa(
        &url,
        &rules,
        &log,
        &["token", "create", "--role", "hr", "--region", "3216"],
    );
    command.stdout(std::fs::File::create(&token_file).unwrap());
    run_ok(command, &log);
    let token = std::fs::read_to_string(&token_file).unwrap().trim().to_owned();
    let store = reopen(&url).await;
    let unit = store.units(Some("3216")).await.unwrap().remove(0).code;
    store.pool().close().await;
    let csv = import_csv(&unit, IMPORT_ROWS);
    let path = "/api/employees/import";

    // The reference: the whole import on a copy, timed.
    let reference_db = dir.path().join("reference.db");
    copy_sqlite(&db, &reference_db);
    let reference_url = sqlite_url(&reference_db);
    let server = Server::start(&reference_url, &log);
    let started = Instant::now();
    let answer = server
        .request("POST", path, &token, &csv, Duration::from_secs(120))
        .expect("import answered");
    let duration = started.elapsed();
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "{}",
        &answer[..answer.len().min(2000)]
    );
    assert!(
        answer.contains(&format!("\"imported\":{IMPORT_ROWS}")),
        "{}",
        &answer[..answer.len().min(2000)]
    );
    // The same file with its last row invalid: validated whole, nothing written (422). Its time
    // is where the write begins.
    let mut bad = csv.clone();
    bad.truncate(bad.trim_end().rfind('\n').unwrap() + 1);
    bad.push_str(
        &import_csv(&unit, IMPORT_ROWS)
            .lines()
            .last()
            .unwrap()
            .replace("menengah", "sedang"),
    );
    bad.push('\n');
    let started = Instant::now();
    let answer = server
        .request("POST", path, &token, &bad, Duration::from_secs(120))
        .expect("import answered");
    let validation = started.elapsed();
    assert!(
        answer.starts_with("HTTP/1.1 422"),
        "{}",
        &answer[..answer.len().min(2000)]
    );
    server.kill();
    let n = IMPORT_ROWS as i64;
    assert_eq!(check_import(&reference_url).await, (n, 2 * n));
    eprintln!(
        "[csv import] uninterrupted import of {IMPORT_ROWS} rows ({} KiB): {} ms, of which validation ~{} ms",
        csv.len() / 1024,
        duration.as_millis(),
        validation.as_millis()
    );

    let mut rng = rng("csv import");
    let mut kills = Vec::new();
    for i in 0..KILLS {
        // Restart: the next command is a server on the same file; the file is checked as it
        // finds it.
        let server = Server::start(&url, &log);
        check_import(&url).await;
        // Every other kill falls after the validation, in the write transaction.
        let delay = match i % 2 {
            0 => delay_within(&mut rng, duration),
            _ => validation + delay_within(&mut rng, duration.saturating_sub(validation)),
        };
        let (address, token, body) = (server.address.clone(), token.clone(), csv.clone());
        let (sender, answered) = std::sync::mpsc::channel();
        let client = std::thread::spawn(move || {
            let answer = request(&address, "POST", path, &token, &body, Duration::from_secs(120));
            let _ = sender.send(answer.map(|a| a.lines().next().unwrap_or_default().to_owned()));
        });
        let started = Instant::now();
        let status = answered.recv_timeout(delay).ok().flatten();
        let delay = started.elapsed().min(delay);
        server.kill();
        client.join().unwrap();
        let found = check_import(&url).await;
        kills.push(Kill {
            delay,
            of: duration,
            finished: status.is_some(),
            found: format!(
                "{} of {IMPORT_ROWS} rows stored, killed while {}{}",
                found.0,
                if delay < validation { "validating" } else { "writing" },
                status
                    .map(|s| format!(" (answered {s} before the kill)"))
                    .unwrap_or_default()
            ),
        });
    }
    report("csv import", &kills);

    // After the kills the import completes: either it committed before a kill (the file's NIPs
    // are then all stored, and importing again rejects every row), or it goes in now.
    let server = Server::start(&url, &log);
    let before = check_import(&url).await;
    let answer = server
        .request("POST", path, &token, &csv, Duration::from_secs(120))
        .expect("import answered");
    server.kill();
    if before.0 == 0 {
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "{}",
            &answer[..answer.len().min(2000)]
        );
    } else {
        assert!(
            answer.starts_with("HTTP/1.1 422") && answer.contains("already"),
            "{}",
            &answer[..answer.len().min(500)]
        );
    }
    assert_eq!(check_import(&url).await, (n, 2 * n));
}

// ---------------------------------------------------------------------------------------------
// The quarter after the allocation run (issue 19): a withdrawal and a late approval through
// `dwa serve`, each one transaction (`dwa_store::QuarterChange`) that writes the application
// (status, or approval and decision), the unit's roster, the history (`application_events`) and
// the notifications together.

/// Kills per quarter scenario (withdrawal; late approval), one per change (see [`KillAt`]).
const QUARTER_KILLS: usize = 8;
/// A unit with a waitlist: 24 ask for four days, its 25 people (with the supervisor) leave room
/// for 12 away a day (60 day-slots): 15 granted, 9 waitlisted; each withdrawal serves one.
const UNIT_W: &str = "32-BAPPEDA-CRASHW";
const SUPERVISOR_W: &str = "197001012000011001";
const STAFF_W: usize = 24;
/// A unit with room left: 4 granted four days before the run, and [`QUARTER_KILLS`] late
/// applicants for two days each approved one by one after it (13 people: 6 away a day, 30
/// day-slots, so the first seven late ones get two days and the eighth a place on the waitlist).
const UNIT_L: &str = "32-BAPPEDA-CRASHL";
const SUPERVISOR_L: &str = "197002012000011002";
const STAFF_L: usize = 4;

fn staff_w(i: usize) -> String {
    format!("1980{:02}{:02}2005011{:03}", 1 + i % 12, 1 + i / 12, i + 1)
}

fn staff_l(i: usize) -> String {
    format!("1981{:02}012006011{:03}", 1 + i, i + 1)
}

/// The quarter's people, each with the token they use (the same tokens in both databases).
fn quarter_tokens() -> BTreeMap<String, (String, dwa_store::TokenGrant)> {
    let grant = |role: &str, nip: Option<&str>| {
        (
            dwa_api::new_token(),
            dwa_store::TokenGrant {
                role: role.into(),
                region: "32".into(),
                nip: nip.map(str::to_owned),
            },
        )
    };
    let mut tokens = BTreeMap::new();
    tokens.insert("hr".to_owned(), grant("hr", None));
    for nip in [SUPERVISOR_W, SUPERVISOR_L] {
        tokens.insert(nip.to_owned(), grant("supervisor", Some(nip)));
    }
    for nip in (0..STAFF_W)
        .map(staff_w)
        .chain((0..STAFF_L + QUARTER_KILLS).map(staff_l))
    {
        tokens.insert(nip.clone(), grant("employee", Some(&nip)));
    }
    tokens
}

/// One HTTP/1.1 request with a JSON body (`Connection: close`): status and body, or `None` if
/// the connection failed or broke (the server was killed).
fn call(
    address: &str,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&str>,
    timeout: Duration,
) -> Option<(u16, String)> {
    let mut stream = std::net::TcpStream::connect(address).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    stream.set_write_timeout(Some(timeout)).ok()?;
    let content = match body {
        Some(body) => format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
        None => "Content-Length: 0\r\n\r\n".to_owned(),
    };
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n{content}"
    )
    .ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw);
    let (head, mut rest) = text.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    if !head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        return Some((status, rest.to_owned()));
    }
    let mut body = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).ok()?;
        if size == 0 {
            break;
        }
        body.push_str(after.get(..size)?);
        rest = after[size..].trim_start_matches("\r\n");
    }
    Some((status, body))
}

/// `dwa serve` logging every SQL statement it runs (sqlx's `debug` lines) and every answer (the
/// access log), its stderr read line by line as it is written (and kept in the log file), so a
/// kill can follow a chosen statement and each kill can be placed in the change.
struct LoggedServer {
    child: Child,
    address: String,
    lines: std::sync::mpsc::Receiver<String>,
    reader: Option<std::thread::JoinHandle<()>>,
    log: PathBuf,
}

/// A test that fails leaves no server behind.
impl Drop for LoggedServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl LoggedServer {
    fn start(url: &str, log: &Path) -> LoggedServer {
        use std::io::BufRead;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address = format!("127.0.0.1:{port}");
        let mut command = dwa(
            url,
            &root().join("rules"),
            log,
            &["serve", "--bind", &address, "--today", "2026-12-01"],
        );
        command
            .env(
                "RUST_LOG",
                format!(
                    "warn,dwa_cli=info,{}=info,sqlx::query=debug",
                    dwa_api::access_log::TARGET
                ),
            )
            .env("DWA_LOG_FORMAT", "text")
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("spawn dwa serve");
        let stderr = child.stderr.take().unwrap();
        let mut file = std::fs::File::create(log).unwrap();
        let (sender, lines) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let _ = writeln!(file, "{line}");
                let _ = sender.send(line);
            }
        });
        let mut server = LoggedServer {
            child,
            address,
            lines,
            reader: Some(reader),
            log: log.to_owned(),
        };
        // Once ready, the server records the rules it loaded (a `load` in `policy_audit` for
        // each region served) in the background, outside its turn to write: on SQLite a change
        // that read before that write and writes after it fails (SQLITE_BUSY_SNAPSHOT, a 500
        // with nothing written). Requests wait for these writes.
        let loaded = |line: &String| line.contains("INSERT INTO policy_audit");
        let mut loads = 0;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            loads += server.lines.try_iter().filter(loaded).count();
            if let Some((200, body)) = call(&server.address, "GET", "/readyz", "", None, Duration::from_secs(5)) {
                let ready: serde_json::Value = serde_json::from_str(&body).unwrap();
                let regions = ready["regions"].as_array().map_or(0, Vec::len);
                while loads < regions {
                    let line = server
                        .lines
                        .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                        .unwrap_or_else(|_| panic!("dwa serve recorded {loads} of {regions} loads within 60 s"));
                    loads += loaded(&line) as usize;
                }
                server.lines.try_iter().for_each(drop);
                return server;
            }
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!(
                    "dwa serve exited ({status}): {}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "dwa serve not ready within 60 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A request that must answer `expect`; its body.
    fn ok(&self, method: &str, path: &str, token: &str, body: Option<&str>, expect: u16) -> String {
        let (status, body) = call(&self.address, method, path, token, body, Duration::from_secs(60))
            .unwrap_or_else(|| panic!("{method} {path}: no answer"));
        if status != expect {
            std::thread::sleep(Duration::from_millis(100));
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            panic!(
                "{method} {path}: {status} {body}\nthe server's log (its end):\n{}",
                lines[lines.len().saturating_sub(60)..].join("\n")
            );
        }
        body
    }

    /// SIGKILL; the lines it wrote that were not read yet.
    fn kill(mut self) -> Vec<String> {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reap");
        if let Some(reader) = self.reader.take() {
            reader.join().expect("log reader");
        }
        self.lines.try_iter().collect()
    }
}

/// A line of the log that is a SQL statement run.
fn statement(line: &str) -> Option<&str> {
    line.contains(" sqlx::query: ")
        .then(|| line.split("db.statement=").nth(1).unwrap_or(line))
}

/// A line of the log that says a change (a POST; the requests around it are GETs, whose lines
/// may still be coming) was answered.
fn answered(line: &str) -> bool {
    line.contains(dwa_api::access_log::TARGET) && line.contains("method=POST")
}

/// Where a change's transaction starts in the statements the server logs. PostgreSQL: its first
/// statement, the unit's lock. SQLite logs no BEGIN, and the transaction's first read repeats
/// one made before it: there, the change's first statement of its own.
fn change_starts(statement: &str, scenario: Scenario) -> bool {
    statement.contains("FOR UPDATE")
        || match scenario {
            Scenario::Withdrawal => statement.contains("UPDATE applications SET status = 'withdrawn'"),
            Scenario::LateApproval => statement.contains("SELECT status FROM applications WHERE id = $1"),
        }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    Withdrawal,
    LateApproval,
}

/// One change of the quarter: whose application, and how it is made.
struct Change {
    scenario: Scenario,
    nip: String,
}

impl Change {
    /// The request (a POST): path, token, body and the status of success, on a database whose
    /// application ids are `apps`.
    fn request(
        &self,
        apps: &BTreeMap<String, String>,
        tokens: &BTreeMap<String, (String, dwa_store::TokenGrant)>,
    ) -> (String, String, Option<String>, u16) {
        let id = &apps[&self.nip];
        match self.scenario {
            Scenario::Withdrawal => (
                format!("/api/applications/{id}/withdraw"),
                tokens[&self.nip].0.clone(),
                None,
                204,
            ),
            Scenario::LateApproval => (
                format!("/api/applications/{id}/approvals"),
                tokens[SUPERVISOR_L].0.clone(),
                Some(r#"{"approver":"supervisor","approved":true}"#.to_owned()),
                200,
            ),
        }
    }
}

/// What the quarter holds, keyed by NIP (ids and times differ from one database to the other),
/// one entry per fact: each person's application status, approvals, decisions, roster place,
/// set-aside record, history and notifications, and the row counts of the tables a change
/// writes.
type Facts = BTreeMap<String, String>;

async fn quarter_facts(store: &Store) -> Facts {
    let mut facts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let pool = store.pool();
    let rows = sqlx::query("SELECT nip, status FROM applications WHERE quarter = $1 ORDER BY nip, status")
        .bind(QUARTER)
        .fetch_all(pool)
        .await
        .unwrap();
    for r in rows {
        facts
            .entry(format!("application {}", r.get::<String, _>("nip")))
            .or_default()
            .push(r.get("status"));
    }
    let rows = sqlx::query(
        "SELECT a.nip AS nip, p.approver AS approver, p.by_nip AS by_nip, p.approved AS approved FROM approvals p \
         JOIN applications a ON a.id = p.application_id ORDER BY a.nip, p.approver",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for r in rows {
        facts
            .entry(format!("approvals {}", r.get::<String, _>("nip")))
            .or_default()
            .push(format!(
                "{} {} by {}",
                if r.get::<i64, _>("approved") == 1 {
                    "approved"
                } else {
                    "rejected"
                },
                r.get::<String, _>("approver"),
                r.get::<String, _>("by_nip")
            ));
    }
    let rows = sqlx::query(
        "SELECT d.nip AS nip, d.eligible AS eligible, d.max_remote_days AS max_days, a.nip AS applicant \
         FROM decisions d LEFT JOIN applications a ON a.id = d.application_id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for r in rows {
        facts
            .entry(format!("decisions {}", r.get::<String, _>("nip")))
            .or_default()
            .push(format!(
                "eligible {} for {} days (application of {:?})",
                r.get::<i64, _>("eligible"),
                r.get::<i64, _>("max_days"),
                r.get::<Option<String>, _>("applicant")
            ));
    }
    let rows = sqlx::query(
        "SELECT r.unit AS unit, r.nip AS nip, r.remote_days AS days, r.weekdays AS weekdays, r.reasons AS reasons, \
         a.nip AS applicant, a.status AS status FROM roster r LEFT JOIN applications a ON a.id = r.application_id \
         WHERE r.quarter = $1",
    )
    .bind(QUARTER)
    .fetch_all(pool)
    .await
    .unwrap();
    for r in rows {
        facts
            .entry(format!("roster {}", r.get::<String, _>("nip")))
            .or_default()
            .push(format!(
                "{}: {} days [{}] for the {:?} application of {:?} {}",
                r.get::<String, _>("unit"),
                r.get::<i64, _>("days"),
                r.get::<String, _>("weekdays"),
                r.get::<Option<String>, _>("status"),
                r.get::<Option<String>, _>("applicant"),
                r.get::<String, _>("reasons")
            ));
    }
    let rows = sqlx::query("SELECT nip, failure FROM set_aside WHERE quarter = $1")
        .bind(QUARTER)
        .fetch_all(pool)
        .await
        .unwrap();
    for r in rows {
        facts
            .entry(format!("set aside {}", r.get::<String, _>("nip")))
            .or_default()
            .push(r.get("failure"));
    }
    // The history in its order (each change writes at one instant, `seq` within it); the actor
    // without its token id.
    let rows = sqlx::query(
        "SELECT e.nip AS nip, e.event AS event, e.actor AS actor, e.detail AS detail, a.nip AS applicant \
         FROM application_events e LEFT JOIN applications a ON a.id = e.application_id ORDER BY e.at, e.seq",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for r in rows {
        let actor: String = r.get("actor");
        facts
            .entry(format!("events {}", r.get::<String, _>("nip")))
            .or_default()
            .push(format!(
                "{} by {} on the application of {:?}: {}",
                r.get::<String, _>("event"),
                actor.split(" (token").next().unwrap_or_default(),
                r.get::<Option<String>, _>("applicant"),
                r.get::<String, _>("detail")
            ));
    }
    // Notifications of one change share an instant: sorted, not in the order written.
    let rows = sqlx::query(
        "SELECT n.nip AS nip, n.kind AS kind, n.detail AS detail, n.read_at AS read_at, a.nip AS about \
         FROM notifications n LEFT JOIN applications a ON a.id = n.application_id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for r in rows {
        facts
            .entry(format!("notifications {}", r.get::<String, _>("nip")))
            .or_default()
            .push(format!(
                "{} about {:?}{}: {}",
                r.get::<String, _>("kind"),
                r.get::<Option<String>, _>("about"),
                if r.get::<Option<String>, _>("read_at").is_some() {
                    " (read)"
                } else {
                    ""
                },
                r.get::<String, _>("detail")
            ));
    }
    for table in [
        "applications",
        "approvals",
        "approval_notes",
        "decision_runs",
        "decisions",
        "guardrail_violations",
        "allocations",
        "roster",
        "set_aside",
        "application_events",
        "notifications",
    ] {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(pool)
            .await
            .unwrap();
        facts.insert(format!("rows in {table}"), vec![n.to_string()]);
    }
    facts
        .into_iter()
        .map(|(key, mut values)| {
            if key.starts_with("notifications ") || key.starts_with("decisions ") {
                values.sort();
            }
            (key, values.join(" | "))
        })
        .collect()
}

/// The facts a change makes: those an uninterrupted change turned from `before` into `after`.
fn parts(before: &Facts, after: &Facts) -> BTreeSet<String> {
    before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .cloned()
        .collect()
}

/// The invariant: `found` is `before` or `after`, whole. Every fact the change makes holds its
/// value from before it (nothing of the change visible) or every one its value from after it
/// (all of it), and every other fact is untouched. True when the change is in.
fn whole_or_nothing(found: &Facts, before: &Facts, after: &Facts, what: &str) -> bool {
    let made = parts(before, after);
    let (mut old, mut new) = (BTreeSet::new(), BTreeSet::new());
    for key in found.keys().chain(before.keys()).chain(after.keys()) {
        let (f, b, a) = (found.get(key), before.get(key), after.get(key));
        if !made.contains(key) {
            assert_eq!(f, b, "{what}: `{key}` changed, which the change does not touch");
        } else if f == b {
            old.insert(key.as_str());
        } else if f == a {
            new.insert(key.as_str());
        } else {
            panic!("{what}: `{key}` is {f:?}: neither as before the change ({b:?}) nor as after it ({a:?})");
        }
    }
    assert!(
        old.is_empty() || new.is_empty(),
        "{what}: half a change: {new:?} written, {old:?} not"
    );
    !new.is_empty()
}

/// The unit, its people and their tokens, stored through the store; then, through `dwa serve`,
/// the applications, their approval, the allocation of both units, and the late applications.
/// The application ids by NIP.
async fn prepare_quarter(
    url: &str,
    tokens: &BTreeMap<String, (String, dwa_store::TokenGrant)>,
    log: &Path,
) -> BTreeMap<String, String> {
    let store = Store::connect(url).await.unwrap();
    store.upsert_region("32", "Provinsi Jawa Barat").await.unwrap();
    let sample = dwa_sdk::testing::employee();
    let person = |nip: &str, name: String, unit: &str, supervisor: Option<&str>, year: u16| dwa_store::EmployeeRecord {
        nip: nip.into(),
        name,
        employment_type: sample.employment_type,
        region: "32".into(),
        agency: "BAPPEDA".into(),
        unit: unit.into(),
        position_kind: sample.position_kind,
        echelon: None,
        public_service: false,
        task_category: sample.task_category,
        // Longer service is served first.
        appointed_on: dwa_sdk::Date::new(year, 1, 1).unwrap(),
        potential: sample.potential,
        unexcused_absence_days: 0,
        supervisor_nip: supervisor.map(str::to_owned),
        ratings: sample.ratings.clone(),
        penalties: vec![],
        position_code: None,
        position_status: Default::default(),
    };
    let mut records = Vec::new();
    for (unit, supervisor, staff) in [
        (UNIT_W, SUPERVISOR_W, (0..STAFF_W).map(staff_w).collect::<Vec<_>>()),
        (
            UNIT_L,
            SUPERVISOR_L,
            (0..STAFF_L + QUARTER_KILLS).map(staff_l).collect(),
        ),
    ] {
        store
            .upsert_unit(&dwa_store::UnitRow {
                code: unit.into(),
                region: "32".into(),
                agency: "BAPPEDA".into(),
                name: format!("Bidang {unit}"),
            })
            .await
            .unwrap();
        records.push(person(supervisor, format!("Kepala {unit}"), unit, None, 1995));
        for (i, nip) in staff.iter().enumerate() {
            records.push(person(
                nip,
                format!("Pegawai {nip}"),
                unit,
                Some(supervisor),
                1996 + i as u16,
            ));
        }
    }
    store.insert_employees(&records).await.unwrap();
    for (token, grant) in tokens.values() {
        store.insert_token(token, grant).await.unwrap();
    }
    store.pool().close().await;

    let server = LoggedServer::start(url, log);
    let apply = |nip: &str, days: u8| {
        let body = format!(
            r#"{{"nip":"{nip}","quarter":"{QUARTER}","requested_remote_days":{days},"location_kind":"registered_home",
               "work_plan":"Menyusun laporan analisis data triwulanan.","kpi_baseline":70.0,"kpi_target":80.0}}"#
        );
        let answer = server.ok("POST", "/api/applications", &tokens[nip].0, Some(&body), 201);
        let view: serde_json::Value = serde_json::from_str(&answer).unwrap();
        view["application"]["id"].as_str().unwrap().to_owned()
    };
    let approve = r#"{"approver":"supervisor","approved":true}"#;
    let mut apps = BTreeMap::new();
    for (supervisor, staff) in [
        (SUPERVISOR_W, (0..STAFF_W).map(staff_w).collect::<Vec<_>>()),
        (SUPERVISOR_L, (0..STAFF_L).map(staff_l).collect()),
    ] {
        for nip in staff {
            let id = apply(&nip, 4);
            let path = format!("/api/applications/{id}/approvals");
            server.ok("POST", &path, &tokens[supervisor].0, Some(approve), 200);
            apps.insert(nip, id);
        }
    }
    for unit in [UNIT_W, UNIT_L] {
        let body = format!(r#"{{"quarter":"{QUARTER}","unit":"{unit}"}}"#);
        server.ok("POST", "/api/allocations", &tokens["hr"].0, Some(&body), 200);
    }
    for nip in (STAFF_L..STAFF_L + QUARTER_KILLS).map(staff_l) {
        let id = apply(&nip, 2);
        apps.insert(nip, id);
    }
    server.kill();
    apps
}

/// An uninterrupted change, measured: the facts before and after it, the request's duration,
/// the statements of its transaction (as the log names them), and the applicant's state after.
struct Reference {
    before: Facts,
    after: Facts,
    duration: Duration,
    statements: Vec<String>,
    state: String,
}

/// Make `change` on the running `server` (on `store`'s database) and measure it.
async fn reference_change(
    server: &LoggedServer,
    store: &Store,
    apps: &BTreeMap<String, String>,
    tokens: &BTreeMap<String, (String, dwa_store::TokenGrant)>,
    change: &Change,
) -> Reference {
    let before = quarter_facts(store).await;
    let (path, token, body, expect) = change.request(apps, tokens);
    server.lines.try_iter().for_each(drop);
    let started = Instant::now();
    server.ok("POST", &path, &token, body.as_deref(), expect);
    let duration = started.elapsed();
    // The statements from the change's first to the answer.
    let mut statements = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let line = server
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the access line of the change");
        if answered(&line) {
            break;
        }
        if let Some(sql) = statement(&line)
            && (!statements.is_empty() || change_starts(sql, change.scenario))
        {
            statements.push(sql.to_owned());
        }
    }
    assert!(
        !statements.is_empty(),
        "{:?}: no statement of the change's transaction logged",
        change.scenario
    );
    let after = quarter_facts(store).await;
    let view = server.ok(
        "GET",
        &format!("/api/applications/{}", apps[&change.nip]),
        &tokens["hr"].0,
        None,
        200,
    );
    let view: serde_json::Value = serde_json::from_str(&view).unwrap();
    Reference {
        before,
        after,
        duration,
        statements,
        state: view["state"].as_str().unwrap().to_owned(),
    }
}

/// The parts the issue names, in an uninterrupted change: a withdrawal writes the status, frees
/// the place, records `withdrawn`, tells the supervisor (not the applicant, who withdrew) and
/// serves someone from the waitlist (their place, their `granted`, their notification); a late
/// approval writes the approval, a decision, a place, `approved` and `granted` or `waitlisted`,
/// and the applicant's notifications of both.
fn assert_parts(change: &Change, reference: &Reference) {
    let made = parts(&reference.before, &reference.after);
    let nip = &change.nip;
    let last_event = |who: &str| {
        reference.after[&format!("events {who}")]
            .rsplit(" | ")
            .next()
            .unwrap()
            .to_owned()
    };
    let must = |key: String| {
        assert!(
            made.contains(&key),
            "{:?} of {nip}: `{key}` unchanged: {made:?}",
            change.scenario
        )
    };
    must(format!("roster {nip}"));
    must(format!("events {nip}"));
    match change.scenario {
        Scenario::Withdrawal => {
            must(format!("application {nip}"));
            assert_eq!(reference.after[&format!("application {nip}")], "withdrawn");
            assert!(
                !reference.after.contains_key(&format!("roster {nip}")),
                "the place is freed"
            );
            assert!(last_event(nip).starts_with("withdrawn"), "{}", last_event(nip));
            must(format!("notifications {SUPERVISOR_W}"));
            let served: Vec<String> = (0..STAFF_W)
                .map(staff_w)
                .filter(|p| p != nip && made.contains(&format!("roster {p}")))
                .collect();
            assert!(!served.is_empty(), "the withdrawal of {nip} served nobody: {made:?}");
            for p in &served {
                must(format!("events {p}"));
                must(format!("notifications {p}"));
                assert!(last_event(p).starts_with("granted"), "{p}: {}", last_event(p));
                assert!(reference.after[&format!("notifications {p}")].contains("granted about"));
            }
        }
        Scenario::LateApproval => {
            must(format!("notifications {nip}"));
            must(format!("approvals {nip}"));
            must(format!("decisions {nip}"));
            assert!(!reference.before.contains_key(&format!("roster {nip}")));
            let events = &reference.after[&format!("events {nip}")];
            assert!(events.starts_with("approved"), "{events}");
            assert!(
                last_event(nip).starts_with("granted") || last_event(nip).starts_with("waitlisted"),
                "{events}"
            );
            let told = &reference.after[&format!("notifications {nip}")];
            assert!(
                told.contains("approved about")
                    && (told.contains("granted about") || told.contains("waitlisted about")),
                "{told}"
            );
            assert!(made.contains("rows in decisions") && made.contains("rows in approvals"));
        }
    }
}

/// When a change is killed. The transaction is under a millisecond of a 5 ms request on SQLite
/// and a few of 15 ms on PostgreSQL: a delay alone seldom lands in it, so kills alternate.
#[derive(Clone, Copy, Debug)]
enum KillAt {
    /// At a delay drawn within the request's measured duration (as the other scenarios).
    Delay(Duration),
    /// Once the server has logged this statement of the change's transaction, drawn from those
    /// an uninterrupted change runs (1 = its first; on PostgreSQL the last is its COMMIT).
    Statement(usize),
    /// Once the change is answered (the last kill of each scenario): after its commit, for sure.
    Answer,
}

/// Where a kill landed in a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Landed {
    /// Before the change's transaction had run a statement.
    BeforeTheTransaction,
    /// Inside it: statements run, not committed (rolled back).
    InsideTheTransaction,
    /// After its commit.
    AfterTheCommit,
}

/// Both scenarios on `url`, measured first on `reference_url` (prepared alike): for each,
/// [`QUARTER_KILLS`] changes, each killed once and checked, then completed by the next server.
async fn quarter_scenarios(label: &str, url: &str, reference_url: &str, dir: &Path) {
    let tokens = quarter_tokens();
    let reference_apps = prepare_quarter(reference_url, &tokens, &dir.join("reference-setup.log")).await;
    let apps = prepare_quarter(url, &tokens, &dir.join("setup.log")).await;
    let reference_store = Store::connect(reference_url).await.unwrap();
    let start = quarter_facts(&reference_store).await;
    let store = reopen(url).await;
    assert_eq!(
        quarter_facts(&store).await,
        start,
        "{label}: two set-ups alike, two quarters alike"
    );
    store.pool().close().await;

    // Withdrawals of granted people of the full unit (the first by NIP); late approvals in the
    // unit with room.
    let place = |nip: &String| start.get(&format!("roster {nip}")).cloned().unwrap_or_default();
    let granted: Vec<String> = (0..STAFF_W)
        .map(staff_w)
        .filter(|nip| place(nip).contains(" days") && !place(nip).contains(": 0 days"))
        .collect();
    let waitlisted = (0..STAFF_W)
        .map(staff_w)
        .filter(|nip| place(nip).contains(": 0 days"))
        .count();
    assert!(
        granted.len() >= QUARTER_KILLS && waitlisted >= QUARTER_KILLS,
        "{label}: {} granted, {waitlisted} waitlisted in {UNIT_W}",
        granted.len()
    );
    let changes: Vec<Change> = granted
        .iter()
        .take(QUARTER_KILLS)
        .map(|nip| Change {
            scenario: Scenario::Withdrawal,
            nip: nip.clone(),
        })
        .chain((STAFF_L..STAFF_L + QUARTER_KILLS).map(|i| Change {
            scenario: Scenario::LateApproval,
            nip: staff_l(i),
        }))
        .collect();

    // The reference: every change uninterrupted, measured.
    let server = LoggedServer::start(reference_url, &dir.join("reference.log"));
    let mut references = Vec::new();
    for change in &changes {
        let reference = reference_change(&server, &reference_store, &reference_apps, &tokens, change).await;
        assert_parts(change, &reference);
        eprintln!(
            "[{label}] uninterrupted {:?} of {}: {} ms, {} statements in its transaction, {} facts changed, then {}",
            change.scenario,
            change.nip,
            reference.duration.as_millis(),
            reference.statements.len(),
            parts(&reference.before, &reference.after).len(),
            reference.state
        );
        references.push(reference);
    }
    server.kill();
    let end = quarter_facts(&reference_store).await;
    reference_store.pool().close().await;

    let mut starts = 0;
    let mut next_server = |url: &str| {
        starts += 1;
        LoggedServer::start(url, &dir.join(format!("dwa-{starts}.log")))
    };
    let mut server = next_server(url);
    for scenario in [Scenario::Withdrawal, Scenario::LateApproval] {
        let name = format!("{label} {scenario:?}");
        let mut rng = rng(&name);
        let mut kills = Vec::new();
        let mut landed: BTreeMap<Landed, usize> = BTreeMap::new();
        let of_scenario = changes.iter().zip(&references).filter(|(c, _)| c.scenario == scenario);
        for (i, (change, reference)) in of_scenario.enumerate() {
            let what = format!("[{name}] #{} ({})", i + 1, change.nip);
            let (path, token, body, expect) = change.request(&apps, &tokens);
            let statements = reference.statements.len();
            let kill_at = if i + 1 == QUARTER_KILLS {
                KillAt::Answer
            } else if i % 2 == 0 {
                KillAt::Delay(delay_within(&mut rng, reference.duration))
            } else {
                KillAt::Statement(1 + rng.below(statements as u64) as usize)
            };
            server.lines.try_iter().for_each(drop);
            let (sender, answer) = std::sync::mpsc::channel();
            let client = {
                let (address, path, token, body) = (server.address.clone(), path.clone(), token.clone(), body.clone());
                std::thread::spawn(move || {
                    let answer = call(
                        &address,
                        "POST",
                        &path,
                        &token,
                        body.as_deref(),
                        Duration::from_secs(60),
                    );
                    let _ = sender.send(answer.map(|(status, _)| status));
                })
            };
            let started = Instant::now();
            let mut seen = Vec::new();
            let status = match kill_at {
                KillAt::Delay(delay) => answer.recv_timeout(delay).ok().flatten(),
                KillAt::Statement(_) | KillAt::Answer => {
                    let n = match kill_at {
                        KillAt::Statement(n) => n,
                        _ => usize::MAX,
                    };
                    let deadline = started + Duration::from_secs(30);
                    let (mut began, mut count) = (false, 0);
                    while let Ok(line) = server
                        .lines
                        .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                    {
                        let stop = match statement(&line) {
                            Some(sql) => {
                                began |= change_starts(sql, scenario);
                                count += began as usize;
                                count >= n
                            }
                            None => answered(&line),
                        };
                        seen.push(line);
                        if stop {
                            break;
                        }
                    }
                    answer.try_recv().ok().flatten()
                }
            };
            let at = started.elapsed();
            seen.extend(server.kill());
            client.join().unwrap();
            if let Some(status) = status {
                assert_eq!(status, expect, "{what}: answered before the kill");
            }
            // How far the change had gone, by the statements it had logged.
            let logged = seen
                .iter()
                .filter_map(|l| statement(l))
                .skip_while(|sql| !change_starts(sql, scenario))
                .count();

            // The database as the next command finds it.
            let store = reopen(url).await;
            integrity_ok(&store).await;
            let found = quarter_facts(&store).await;
            store.pool().close().await;
            let committed = whole_or_nothing(&found, &reference.before, &reference.after, &what);
            let place = if committed {
                Landed::AfterTheCommit
            } else if logged == 0 {
                Landed::BeforeTheTransaction
            } else {
                Landed::InsideTheTransaction
            };
            *landed.entry(place).or_default() += 1;
            kills.push(Kill {
                delay: at,
                of: reference.duration,
                finished: status.is_some(),
                found: format!(
                    "{place:?} ({}; {logged} of {statements} statements of the transaction logged): {}",
                    match kill_at {
                        KillAt::Delay(_) => "at a drawn delay".to_owned(),
                        KillAt::Statement(n) => format!("after its statement {n}"),
                        KillAt::Answer => "once answered".to_owned(),
                    },
                    if committed {
                        format!(
                            "all {} facts of the change",
                            parts(&reference.before, &reference.after).len()
                        )
                    } else {
                        "nothing of the change".to_owned()
                    }
                ),
            });

            // The next server works, and the change is made (again, or found made).
            server = next_server(url);
            match (committed, scenario) {
                (false, _) => {
                    server.ok("POST", &path, &token, body.as_deref(), expect);
                }
                (true, Scenario::Withdrawal) => {
                    server.ok("POST", &path, &token, None, 409);
                }
                // Approving again would be a second decision: the state is read instead.
                (true, Scenario::LateApproval) => {}
            }
            let view = server.ok(
                "GET",
                &format!("/api/applications/{}", apps[&change.nip]),
                &tokens["hr"].0,
                None,
                200,
            );
            let view: serde_json::Value = serde_json::from_str(&view).unwrap();
            assert_eq!(view["state"], reference.state.as_str(), "{what}: {view}");
            let store = Store::connect(url).await.unwrap();
            assert_eq!(
                quarter_facts(&store).await,
                reference.after,
                "{what}: the quarter after the change, as an uninterrupted change left it"
            );
            store.pool().close().await;
        }
        report(&name, &kills);
        eprintln!("[{name}] kills landed: {landed:?}");
    }
    server.kill();
    let store = reopen(url).await;
    integrity_ok(&store).await;
    assert_eq!(
        quarter_facts(&store).await,
        end,
        "{label}: the end state of an uninterrupted run"
    );
    store.pool().close().await;
}

/// kill -9 during withdrawals and late approvals on SQLite: the application, the roster, the
/// history and the notifications change together or not at all.
#[tokio::test(flavor = "multi_thread")]
async fn kill_9_during_withdrawal_and_late_approval_sqlite() {
    let _turn = SERIAL.lock().await;
    let dir = tempfile::tempdir().unwrap();
    quarter_scenarios(
        "quarter sqlite",
        &sqlite_url(&dir.path().join("dwa.db")),
        &sqlite_url(&dir.path().join("reference.db")),
        dir.path(),
    )
    .await;
}

/// The same on PostgreSQL (the reference in a schema of its own).
#[tokio::test(flavor = "multi_thread")]
async fn kill_9_during_withdrawal_and_late_approval_postgres() {
    let _turn = SERIAL.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let (db, reference) = (common::TestDb::postgres().await, common::TestDb::postgres().await);
    quarter_scenarios("quarter postgres", &db.url, &reference.url, dir.path()).await;
    db.drop_schema().await;
    reference.drop_schema().await;
}

/// The quarter's check itself: it takes a quarter as before or as after a change, and refuses
/// half of one, a fact neither before nor after, and a fact the change does not touch.
#[test]
fn the_quarter_check_refuses_half_a_change() {
    let facts =
        |pairs: &[(&str, &str)]| -> Facts { pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect() };
    let before = facts(&[
        ("application a", "submitted"),
        ("roster a", "4 days"),
        ("roster b", "0 days"),
    ]);
    let after = facts(&[
        ("application a", "withdrawn"),
        ("roster b", "4 days"),
        ("events b", "granted"),
    ]);
    assert!(!whole_or_nothing(&before, &before, &after, "before"));
    assert!(whole_or_nothing(&after, &before, &after, "after"));
    for found in [
        facts(&[("application a", "withdrawn"), ("roster b", "0 days")]),
        facts(&[
            ("application a", "submitted"),
            ("roster a", "4 days"),
            ("roster b", "4 days"),
            ("events b", "granted"),
        ]),
        facts(&[
            ("application a", "withdrawn"),
            ("roster b", "3 days"),
            ("events b", "granted"),
        ]),
        facts(&[
            ("application a", "withdrawn"),
            ("roster b", "4 days"),
            ("events b", "granted"),
            ("roster c", "1 day"),
        ]),
    ] {
        let refused = std::panic::catch_unwind(|| whole_or_nothing(&found, &before, &after, "half"));
        assert!(refused.is_err(), "accepted {found:?}");
    }
}
