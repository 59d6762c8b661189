//! Onboarding through the API, over the real router and a fresh database on both backends: the
//! provincial admin adds a region (`POST /api/regions`), HR imports its units
//! (`POST /api/units/import`) and staff, and reads the units back (`GET /api/units`). Paired
//! refusals — wrong role, wrong region, bad code or name, a duplicate, a bad file — each get
//! their status in the one error shape, and together change nothing.

use super::{common, fixture};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use dwa_api::{AppState, Role, new_token};
use dwa_store::{Store, TokenGrant};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

async fn call(router: &Router, method: Method, uri: &str, token: &str, body: Option<String>) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(body.map(Body::from).unwrap_or_else(Body::empty))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let value =
        serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, value)
}

async fn token(store: &Store, role: Role, region: &str) -> String {
    let token = new_token();
    let grant = TokenGrant {
        role: role.code().into(),
        region: region.into(),
        nip: None,
    };
    store.insert_token(&token, &grant).await.unwrap();
    token
}

/// The fixture's head of unit 3216-SETDA-HUKUM-01 (agency SETDA).
const SUPERVISOR: &str = "197805142003121001";
/// A member of the regional hospital (agency RSUD).
const HOSPITAL: &str = "199001012015011001";

async fn onboarding_over_http(db: common::TestDb) {
    let store = Store::connect(&db.url).await.unwrap();
    let admin = new_token();
    dwa_workflow::onboarding::initialise(&store, &admin, Role::ProvincialAdmin.code())
        .await
        .unwrap();
    let province_hr = token(&store, Role::Hr, "32").await;
    let router = dwa_api::router(AppState::new(store.clone(), common::policies(), None)).0;
    let regions = "/api/regions";

    // Refused: each with its status and the field at fault; together they change nothing.
    let before = common::database_fingerprint(&store).await;
    let bekasi = json!({"code": "3216", "name": "Kabupaten Bekasi"}).to_string();
    for (who, body, status, field) in [
        (&province_hr, bekasi.clone(), StatusCode::FORBIDDEN, None),
        (
            &admin,
            json!({"code": "3216"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("name"),
        ),
        (
            &admin,
            json!({"code": "9999", "name": "Kabupaten X"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("code"),
        ),
        (
            &admin,
            json!({"code": 3216, "name": "Kabupaten Bekasi"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("code"),
        ),
        (
            &admin,
            json!({"code": "3273", "name": "Kabupaten Bandung"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("name"),
        ),
        (
            &admin,
            json!({"code": "3216", "name": "Kabupaten\u{202E}Bekasi"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("name"),
        ),
        (
            &admin,
            json!({"code": "3216", "name": "Kabupaten Bekasi", "x": 1}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("x"),
        ),
        (
            &admin,
            json!({"code": "32", "name": "Provinsi Jawa Barat"}).to_string(),
            StatusCode::CONFLICT,
            None,
        ),
        (&admin, "{\"code\":".to_owned(), StatusCode::BAD_REQUEST, None),
    ] {
        let (got, answer) = call(&router, Method::POST, regions, who, Some(body.clone())).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert_eq!(answer["error"]["field"].as_str(), field, "{body}: {answer}");
    }
    let (status, answer) = call(&router, Method::POST, regions, "dwa_unknown", Some(bekasi.clone())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    assert_eq!(
        common::database_fingerprint(&store).await,
        before,
        "{}: refusals changed the database",
        db.label
    );

    // Allowed: the provincial admin adds Bekasi, once.
    let (status, answer) = call(&router, Method::POST, regions, &admin, Some(bekasi.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer, json!({"code": "3216", "name": "Kabupaten Bekasi"}));
    let (status, answer) = call(&router, Method::POST, regions, &admin, Some(bekasi)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    let (status, listed) = call(&router, Method::GET, regions, &province_hr, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");

    // Units: HR of the region imports them; others are refused; a bad file changes nothing.
    let hr = token(&store, Role::Hr, "3216").await;
    let policy_admin = token(&store, Role::PolicyAdmin, "3216").await;
    let units_csv = std::fs::read_to_string(fixture("units-3216.csv")).unwrap();
    let bad_csv = units_csv.replace(
        "3216-SETDA-HUKUM,Bagian Hukum,3216-SETDA,",
        "3216-SETDA-HUKUM,Bagian Hukum,3216-SETDA-HUKUM-01,",
    );
    let before = common::database_fingerprint(&store).await;
    for (who, uri, body, status) in [
        (
            &policy_admin,
            "/api/units/import",
            units_csv.clone(),
            StatusCode::FORBIDDEN,
        ),
        (
            &hr,
            "/api/units/import?region=3217",
            units_csv.clone(),
            StatusCode::FORBIDDEN,
        ),
        (
            &province_hr,
            "/api/units/import?region=3216",
            units_csv.clone(),
            StatusCode::FORBIDDEN,
        ),
        (
            &admin,
            "/api/units/import",
            units_csv.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &admin,
            "/api/units/import?region=3273",
            units_csv.clone(),
            StatusCode::NOT_FOUND,
        ),
        (&hr, "/api/units/import", bad_csv, StatusCode::UNPROCESSABLE_ENTITY),
        (
            &hr,
            "/api/units/import",
            "id\n".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (got, answer) = call(&router, Method::POST, uri, who, Some(body)).await;
        assert_eq!(got, status, "{uri}: {answer}");
        assert!(answer["error"]["message"].is_string(), "{uri}: {answer}");
    }
    assert_eq!(
        common::database_fingerprint(&store).await,
        before,
        "{}: refused imports changed the database",
        db.label
    );

    // Bekasi's HR imports Bekasi's units (the province's HR could import the province's own).
    let (status, answer) = call(&router, Method::POST, "/api/units/import", &hr, Some(units_csv)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        (answer["imported"].clone(), answer["written"].clone()),
        (json!(7), json!(true))
    );
    let (status, units) = call(&router, Method::GET, "/api/units?region=3216", &hr, None).await;
    assert_eq!(status, StatusCode::OK, "{units}");
    let hukum = units
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "3216-SETDA-HUKUM-01")
        .unwrap();
    assert_eq!(hukum["parent"], "3216-SETDA-HUKUM", "{hukum}");
    let (status, _) = call(&router, Method::GET, "/api/units?region=3216", &province_hr, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "HR of the province is not HR of Bekasi");

    let staff = std::fs::read_to_string(fixture("employees-3216.csv")).unwrap();
    let (status, answer) = call(&router, Method::POST, "/api/employees/import", &hr, Some(staff)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["imported"], 8, "{answer}");

    // Who heads SETDA (the head-of-agency approval): Bekasi's HR records an employee of it;
    // everything else is refused by role or by field and changes nothing.
    let head = "/api/regions/3216/agencies/SETDA/head";
    let before = common::database_fingerprint(&store).await;
    for (who, body, status, field) in [
        (&policy_admin, json!({"nip": SUPERVISOR}), StatusCode::FORBIDDEN, None),
        (&province_hr, json!({"nip": SUPERVISOR}), StatusCode::FORBIDDEN, None),
        (
            &hr,
            json!({"nip": HOSPITAL}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("agency"),
        ),
        (
            &hr,
            json!({"nip": "1978"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("nip"),
        ),
        (
            &hr,
            json!({"nip": SUPERVISOR, "x": 1}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("x"),
        ),
    ] {
        let (got, answer) = call(&router, Method::PUT, head, who, Some(body.to_string())).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert_eq!(answer["error"]["field"].as_str(), field, "{body}: {answer}");
    }
    let (got, answer) = call(
        &router,
        Method::PUT,
        "/api/regions/3273/agencies/SETDA/head",
        &admin,
        Some(json!({"nip": SUPERVISOR}).to_string()),
    )
    .await;
    assert_eq!(got, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(common::database_fingerprint(&store).await, before, "{}", db.label);
    let (got, answer) = call(
        &router,
        Method::PUT,
        head,
        &hr,
        Some(json!({"nip": SUPERVISOR}).to_string()),
    )
    .await;
    assert_eq!(got, StatusCode::OK, "{answer}");
    assert_eq!(answer, json!({"region": "3216", "agency": "SETDA", "nip": SUPERVISOR}));
    assert_eq!(
        store.agency_head("3216", "SETDA").await.unwrap().as_deref(),
        Some(SUPERVISOR)
    );
    store.pool().close().await;
    db.drop_schema().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn onboarding_over_http_on_sqlite() {
    onboarding_over_http(common::TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn onboarding_over_http_on_postgres() {
    onboarding_over_http(common::TestDb::postgres().await).await;
}
