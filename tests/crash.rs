//! Crash consistency, end to end: the real `dwa` binary on a database seeded by `dwa seed` is
//! killed with SIGKILL (kill -9) at random points of
//!
//! - a region-wide (bulk) allocation of the 28 regions (`dwa allocate --all`), on SQLite and on
//!   PostgreSQL,
//! - a per-unit allocation over hundreds of units (`dwa allocate --all --per-unit`), on SQLite
//!   and on PostgreSQL,
//! - a CSV import of 30,000 employees through `dwa serve` (`POST /api/employees/import`),
//!
//! and after each kill the database is opened again, as the next command does, and checked:
//! SQLite's `PRAGMA integrity_check` is ok; every stored decision reads back;
//! every unit has either a whole roster (exactly the one an uninterrupted run makes) with its
//! allocation row and the decisions of the run that made it, or no allocation, no roster and no
//! decisions; a region of the bulk run is committed whole or not at all, and every stored run
//! has all its decisions; the import left every row of the file or none. The next command then
//! starts where the killed one left off, and a final uninterrupted run completes with the
//! reference result.
//!
//! Every loop is bounded: a fixed number of kills per scenario ([`KILLS`]), each at a delay drawn
//! from a seeded generator (`DWA_CRASH_SEED`, printed) within the command's measured duration,
//! and every wait on a process or the server polls with a deadline. Run with `--nocapture` to
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
