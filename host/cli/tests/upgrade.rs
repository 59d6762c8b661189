//! Upgrading a database, on SQLite and PostgreSQL:
//! - decisions stored in the shape before migration 0006 (full input and outcome per decision,
//!   in what is now `legacy_decisions`): opening the store converts each into the one decision
//!   shape — a run of its own keeping when it was decided — and empties the old tables;
//! - a database at migration 0013, with ratings and penalties in tables of their own and
//!   applications and reviews without a unit: migration 0014 moves the first onto the
//!   employee's row and records the unit on the second, so an employee and a page of staff read
//!   the same as before;
//! - a database at migration 0014, with tokens that never expired: after 0015 each has its id
//!   (the first 16 hex digits of its hash) and expires 90 days after its creation — a recent
//!   token still works, one made long ago is expired.
//!
//! A database of an earlier version is refused on connect until `dwa migrate` (the real binary)
//! upgrades it: only that command changes an existing schema (README, Upgrades and backups).

mod common;

use dwa_sdk::{Quarter, Verdict};
use dwa_store::{RunKind, Store, StoreError};
use sqlx::Row;

const Q1: Quarter = Quarter { year: 2027, number: 1 };

#[tokio::test(flavor = "multi_thread")]
async fn decisions_of_earlier_versions_are_converted_on_open() {
    let policies = common::policies();
    for db in common::TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        dwa_cli::seed::seed(&store, 300, Q1, 5).await.unwrap();
        let unit = store.units(Some("3216")).await.unwrap().remove(0).code;
        dwa_workflow::allocate_unit(&store, &policies, &unit, Q1, Q1.start())
            .await
            .unwrap();
        let application_id: String = sqlx::query_scalar(
            "SELECT a.id FROM applications a JOIN employees e ON e.nip = a.nip WHERE e.unit = $1 ORDER BY a.id",
        )
        .bind(&unit)
        .fetch_all(store.pool())
        .await
        .unwrap()
        .remove(0);
        let allocated = store.latest_decision(&application_id).await.unwrap();

        // A full decision on it as an earlier version stored it, made before the allocation.
        let application = store.application(&application_id).await.unwrap();
        let employee = store.employee(&application.nip).await.unwrap().as_of(Q1.start(), None);
        let set = policies.clone();
        let app = application.application.clone();
        let decision =
            common::off_runtime(move || set.evaluate(&employee, &app, Q1.start()).expect("the rules decide"));
        let decided_at = "2026-11-30T10:00:00.000001Z";
        sqlx::query(
            "INSERT INTO legacy_decisions (id, application_id, nip, region, quarter, evaluated_on, plugin_name, \
             plugin_version, plugin_sha256, manifest_sha256, input_json, eligible, max_remote_days, priority, \
             outcome_json, fuel_used, duration_us, guest_output, decided_at) \
             VALUES ('dec-old', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, 'printed', $16)",
        )
        .bind(&application_id)
        .bind(&application.nip)
        .bind(&decision.plugin.region)
        .bind(Q1.to_string())
        .bind(Q1.start().to_string())
        .bind(&decision.plugin.name)
        .bind(&decision.plugin.version)
        .bind(&decision.plugin.sha256)
        .bind(&decision.plugin.manifest_sha256)
        .bind(serde_json::to_string(&decision.input).unwrap())
        .bind(decision.eligibility.eligible as i64)
        .bind(decision.eligibility.max_remote_days as i64)
        .bind(decision.eligibility.priority as i64)
        .bind(serde_json::to_string(&decision.eligibility).unwrap())
        .bind(decision.fuel_used as i64)
        .bind(decided_at)
        .execute(store.pool())
        .await
        .unwrap();
        store.pool().close().await;

        // Opening the store converts it.
        let store = Store::connect(&db.url).await.unwrap();
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM legacy_decisions")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(left, 0, "{}: the old table is emptied", db.label);
        let run =
            sqlx::query("SELECT id, started_at, reason_codes, guest_output FROM decision_runs WHERE kind = 'migrated'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(run.get::<String, _>("started_at"), decided_at, "{}", db.label);
        assert_eq!(run.get::<String, _>("guest_output"), "printed");
        let codes: Vec<String> = decision.eligibility.reasons.iter().map(|r| r.code.clone()).collect();
        assert_eq!(run.get::<String, _>("reason_codes"), codes.join(","));
        let converted = store
            .decision(&dwa_store::decision_id(run.get("id"), &application_id))
            .await
            .unwrap();
        assert_eq!(converted.kind, RunKind::Migrated);
        assert_eq!(converted.plugin, decision.plugin);
        assert_eq!(converted.decision.verdict, Verdict::from(&decision.eligibility));
        // It was made before the allocation: the allocation's decision is still the latest.
        assert_eq!(
            store.latest_decision(&application_id).await.unwrap(),
            allocated,
            "{}",
            db.label
        );
        // Opening again converts nothing more.
        store.pool().close().await;
        let store = Store::connect(&db.url).await.unwrap();
        assert_eq!(store.count("decision_runs").await.unwrap(), 2, "{}", db.label);
        store.pool().close().await;
        db.drop_schema().await;
    }
}

/// The store's migrations up to and including `last` (a database as an earlier version left it).
async fn migrate_up_to(url: &str, label: &str, last: i64) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    let url = if label == "sqlite" {
        format!("{url}?mode=rwc")
    } else {
        url.to_owned()
    };
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/migrations");
    let mut migrator = sqlx::migrate::Migrator::new(dir).await.unwrap();
    migrator.migrations = migrator
        .migrations
        .iter()
        .filter(|m| m.version <= last)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    migrator.run(&pool).await.unwrap();
    pool
}

/// The database at `url`, of an earlier version (its last migration `from`): refused on connect,
/// then upgraded by `dwa migrate`, which names every migration it applies.
async fn upgraded(url: &str, label: &str, from: i64) -> Store {
    let refused = Store::connect(url).await.err().expect("an older schema is refused");
    assert!(
        matches!(refused, StoreError::SchemaBehind { version, .. } if version == from),
        "{label}: {refused}"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dwa"))
        .arg("migrate")
        .env("DWA_DATABASE", url)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{label}: dwa migrate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for migration in dwa_store::known_migrations().iter().filter(|m| m.version > from) {
        assert!(said.contains(&format!("applied {migration}\n")), "{label}: {said}");
    }
    Store::connect(url).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn ratings_penalties_and_units_of_a_0013_database_carry_over() {
    use dwa_sdk::{Approver, Date, Expectation, PenaltyLevel};
    let nip = "198001012005011001";
    let unit = "3216-DISKOMINFO-01";
    for db in common::TestDb::both().await {
        let pool = migrate_up_to(&db.url, db.label, 13).await;
        for sql in [
            "INSERT INTO regions (code, name) VALUES ('3216', 'Kabupaten Bekasi')",
            "INSERT INTO units (code, region, agency, name) VALUES ('3216-DISKOMINFO-01', '3216', 'DISKOMINFO', 'Tim 1')",
            "INSERT INTO employees (nip, name, employment_type, region, agency, unit, position_kind, echelon, \
             public_service, task_category, appointed_on, potential, unexcused_absence_days, supervisor_nip, \
             position_code) VALUES ('198001012005011001', 'Siti', 'pns', '3216', 'DISKOMINFO', \
             '3216-DISKOMINFO-01', 'fungsional', NULL, 0, 'finance', '2005-01-01', 'high', 0, NULL, NULL)",
            // Stored out of order: the row's arrays are by year, and by start date then level.
            "INSERT INTO ratings (nip, year, work_result, work_behaviour) VALUES \
             ('198001012005011001', 2026, 'above', 'meets'), ('198001012005011001', 2025, 'meets', 'below')",
            "INSERT INTO penalties (nip, level, start_date, end_date) VALUES \
             ('198001012005011001', 'moderate', '2026-03-01', '2026-08-31'), \
             ('198001012005011001', 'light', '2025-02-01', NULL)",
            "INSERT INTO reviews (nip, quarter, granted_remote_days, kpi_achieved, reviewed_at) VALUES \
             ('198001012005011001', '2026-Q4', 2, 1, '2026-12-20T00:00:00Z')",
            "INSERT INTO applications (id, nip, quarter, requested_remote_days, location_kind, work_plan, \
             kpi_baseline, kpi_target, status, submitted_at) VALUES ('app-old', '198001012005011001', '2027-Q1', 2, \
             'registered_home', 'rencana', 60.0, 70.0, 'submitted', '2026-12-01T00:00:00Z')",
            "INSERT INTO approvals (application_id, approver, by_nip, approved, decided_at) VALUES \
             ('app-old', 'supervisor', '197001011995031001', 1, '2026-12-02T00:00:00Z')",
        ] {
            sqlx::query(sql)
                .execute(&pool)
                .await
                .unwrap_or_else(|e| panic!("{}: {sql}: {e}", db.label));
        }
        pool.close().await;

        let store = upgraded(&db.url, db.label, 13).await;
        let employee = store.employee(nip).await.unwrap();
        let ratings: Vec<_> = employee
            .ratings
            .iter()
            .map(|r| (r.year, r.work_result, r.work_behaviour))
            .collect();
        assert_eq!(
            ratings,
            [
                (2025, Expectation::Meets, Expectation::Below),
                (2026, Expectation::Above, Expectation::Meets)
            ],
            "{}",
            db.label
        );
        let penalties: Vec<_> = employee.penalties.iter().map(|p| (p.level, p.start, p.end)).collect();
        let date = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(
            penalties,
            [
                (PenaltyLevel::Light, date("2025-02-01"), None),
                (PenaltyLevel::Moderate, date("2026-03-01"), Some(date("2026-08-31")))
            ],
            "{}",
            db.label
        );
        for table in ["applications", "reviews"] {
            let stored: String = sqlx::query_scalar(&format!("SELECT unit FROM {table} WHERE nip = $1"))
                .bind(nip)
                .fetch_one(store.pool())
                .await
                .unwrap();
            assert_eq!(stored, unit, "{}: {table}.unit", db.label);
        }

        // A page of staff (the allocation's reader) finds all of it by unit.
        let page = store.staff_page("3216", vec![unit.to_owned()], Q1).await.unwrap();
        let units = page.parse("3216", Q1, Q1.start()).unwrap();
        let row = &units[0].staff[0];
        assert_eq!(row.employee.ratings, employee.ratings, "{}", db.label);
        assert_eq!(row.employee.penalties, employee.penalties, "{}", db.label);
        let review = row.employee.previous_review.as_ref().expect("last quarter's review");
        assert_eq!(
            (review.granted_remote_days, review.kpi_achieved),
            (2, true),
            "{}",
            db.label
        );
        let application = row.application.as_ref().expect("the live application");
        assert_eq!(application.id, "app-old", "{}", db.label);
        assert_eq!(application.approvals.len(), 1, "{}", db.label);
        assert_eq!(application.approvals[0].approver, Approver::Supervisor, "{}", db.label);
        store.pool().close().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_of_a_0014_database_carry_over_with_an_expiry() {
    use dwa_store::{DEFAULT_TOKEN_SECONDS, TokenState, token_hash, unix_now};
    let (recent, old) = ("dwa_recent_token_of_0014", "dwa_old_token_of_0014");
    for db in common::TestDb::both().await {
        let pool = migrate_up_to(&db.url, db.label, 14).await;
        for (token, created) in [
            (recent, dwa_store::now_rfc3339()),
            (old, "2020-01-01T00:00:00.000000Z".into()),
        ] {
            sqlx::query(
                "INSERT INTO api_tokens (token_sha256, role, region, nip, created_at) VALUES ($1, 'hr', '3216', NULL, $2)",
            )
            .bind(token_hash(token))
            .bind(created)
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.label));
        }
        pool.close().await;

        let store = upgraded(&db.url, db.label, 14).await;
        let kept = store
            .token_record(recent)
            .await
            .unwrap()
            .expect("the recent token is kept");
        assert_eq!(kept.id, token_hash(recent)[..16], "{}", db.label);
        let lifetime = kept.expires_at - unix_now();
        assert!(
            (DEFAULT_TOKEN_SECONDS - 60..=DEFAULT_TOKEN_SECONDS).contains(&lifetime),
            "{}: expires 90 days after creation, not in {lifetime} s",
            db.label
        );
        assert_eq!(kept.state(unix_now()), TokenState::Live, "{}", db.label);
        assert!(store.token_grant(recent).await.unwrap().is_some(), "{}", db.label);
        let expired = store.token_record(old).await.unwrap().expect("the old token is kept");
        assert_eq!(expired.state(unix_now()), TokenState::Expired, "{}", db.label);
        assert_eq!(
            store.token_grant(old).await.unwrap(),
            None,
            "{}: an expired token grants nothing",
            db.label
        );
        store.pool().close().await;
        db.drop_schema().await;
    }
}
