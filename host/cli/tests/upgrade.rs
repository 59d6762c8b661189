//! Upgrading a database whose decisions were stored in the shape before migration 0006 (full
//! input and outcome per decision, in what is now `legacy_decisions`): opening the store
//! converts each into the one decision shape — a run of its own keeping when it was decided —
//! and empties the old tables, on SQLite and PostgreSQL.

mod common;

use dwa_sdk::{Quarter, Verdict};
use dwa_store::{RunKind, Store};
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
