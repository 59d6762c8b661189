//! The web application in a real browser: headless Chromium driven over WebDriver against the
//! real `dwa serve` binary on a freshly seeded database. An employee signs in with a one-time
//! link, reads the reasons, uses the what-if and applies (a bad field is shown on the form); the
//! supervisor signs in with an API token and approves with a note; each role is refused the
//! other roles' pages; the English switch works; a form without its CSRF token is refused and
//! changes nothing; the roster downloads as iCalendar; a used link does not sign in twice.

#[path = "browser/a11y.rs"]
mod a11y;
mod common;
#[path = "browser/harness.rs"]
mod harness;

use dwa_sdk::{LocationKind, Quarter};
use harness::Harness;

/// An employee of `region` with a supervisor and no application for `quarter` whom the rules
/// find eligible (asked through the workflow's what-if, as the page does), and their supervisor
/// — in a unit with room to spare (the seeded allocation turned nobody away, and every day
/// asked for with this one more fits beside the office minimum), so HR's allocation grants
/// them whatever order it takes.
async fn eligible_newcomer(db: &std::path::Path, region: &str, quarter: Quarter) -> (String, String) {
    let store = dwa_store::Store::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let policies = common::policies();
    let candidates: Vec<(String, String)> = sqlx::query_as(
        "SELECT e.nip, e.supervisor_nip FROM employees e WHERE e.region = $1 AND e.supervisor_nip IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.nip = e.nip AND a.quarter = $2) \
         AND NOT EXISTS (SELECT 1 FROM roster r WHERE r.unit = e.unit AND r.quarter = $2 AND r.reasons LIKE '%QUOTA_FULL%') \
         AND (SELECT COALESCE(SUM(a.requested_remote_days), 0) FROM applications a JOIN employees x ON x.nip = a.nip \
              WHERE x.unit = e.unit AND a.quarter = $2) + 1 \
             <= 5 * ((SELECT COUNT(*) FROM employees y WHERE y.unit = e.unit) / 2) \
         ORDER BY e.nip LIMIT 300",
    )
    .bind(region)
    .bind(quarter.to_string())
    .fetch_all(store.pool())
    .await
    .unwrap();
    for (nip, supervisor) in candidates {
        let draft = draft(&nip, quarter, 1, "—");
        let today = dwa_sdk::Date::new(2026, 12, 1).unwrap();
        let decision = dwa_workflow::what_if(&store, &policies, draft, today).await.unwrap();
        if decision.eligibility.eligible {
            return (nip, supervisor);
        }
    }
    panic!("no eligible employee without an application in region {region}");
}

/// An application from home with a KPI target above its baseline.
fn draft(nip: &str, quarter: Quarter, days: u8, work_plan: &str) -> dwa_workflow::Draft {
    dwa_workflow::Draft {
        nip: nip.to_owned(),
        quarter,
        requested_remote_days: days,
        location_kind: LocationKind::RegisteredHome,
        work_plan: work_plan.into(),
        kpi_baseline: 70.0,
        kpi_target: 80.0,
    }
}

/// The signed-in employee's roster as the browser downloads it: its content type, then its body.
async fn roster_calendar(browser: &harness::Browser) -> String {
    let ics = browser
        .run_async(
            "const done = arguments[0]; fetch('/employee/roster.ics').then(r => r.text().then(t => \
             done({type: r.headers.get('content-type'), body: t})));",
        )
        .await;
    assert_eq!(ics["type"], "text/calendar; charset=utf-8");
    ics["body"].as_str().unwrap().to_owned()
}

/// A granted employee of the seeded allocation (they have a roster place).
/// Someone of Bekasi granted days in 2027-Q1, other than `not`.
async fn granted_employee(db: &std::path::Path, not: &str) -> String {
    let store = dwa_store::Store::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let (nip,): (String,) = sqlx::query_as(
        "SELECT r.nip FROM roster r JOIN employees e ON e.nip = r.nip WHERE e.region = '3216' AND r.quarter = '2027-Q1' \
         AND r.remote_days > 0 AND r.nip <> $1 ORDER BY r.nip",
    )
    .bind(not)
    .fetch_one(store.pool())
    .await
    .unwrap();
    nip
}

async fn fingerprint(db: &std::path::Path) -> String {
    let store = dwa_store::Store::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    common::database_fingerprint(&store).await
}

/// The browser tests take turns: each runs a host, a chromedriver and browsers.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_works_in_chromium() {
    let _turn = SERIAL.lock().await;
    let h = Harness::start(300);
    let quarter: Quarter = "2027-Q1".parse().unwrap();
    let (nip, boss) = eligible_newcomer(&h.db, "3216", quarter).await;

    // The employee signs in with a one-time link.
    let link = h.link("employee", "3216", Some(&nip));
    assert!(link.starts_with(&format!("{}/signin?code=", h.base)), "{link}");
    let me = h.browser(1280, 900).await;
    me.sign_in(&link).await;
    assert_eq!(me.path().await, "/employee");
    let html_lang = me.wait("html").await.attr("lang").await.unwrap();
    assert_eq!(html_lang.as_deref(), Some("id"));
    assert_eq!(
        me.text("h1").await,
        "Bisakah saya bekerja dari mana saja triwulan depan?"
    );
    // The current decision in plain words, with every reason.
    assert!(me.text("#current .answer").await.starts_with("Ya."));
    assert!(me.has("#current li[data-code='RATING'].pass").await);
    assert!(me.text("#current").await.contains("Triwulan I 2027"));

    // The what-if: a KPI target under the baseline fails KPI_TARGET and says what would change it.
    me.fill("#wi-baseline", "70").await;
    me.fill("#wi-target", "60").await;
    me.click("#whatif-button").await;
    let failed = me.wait("#whatif li[data-code='KPI_TARGET'].fail").await;
    let text = failed.text().await.unwrap();
    assert!(text.contains("Yang dapat mengubahnya"), "{text}");
    assert!(me.text("#whatif .answer").await.starts_with("Belum."));
    // Nothing was submitted by the what-if.
    assert!(!me.has("#application").await);

    // A bad field is named on the form and nothing is stored.
    let before = fingerprint(&h.db).await;
    me.fill("#ap-baseline", "tujuh puluh").await;
    me.fill("#ap-target", "80").await;
    me.fill("#ap-plan", "Menyusun rancangan peraturan bupati").await;
    me.click("#apply-button").await;
    assert!(me.text("#apply-errors").await.contains("Baseline IKU"));
    assert_eq!(fingerprint(&h.db).await, before, "a refused form changes nothing");

    // A form without its CSRF token is refused and changes nothing.
    me.fill("#ap-baseline", "70").await;
    me.client
        .execute(
            "document.querySelector('#apply-form input[name=csrf]').remove()",
            vec![],
        )
        .await
        .unwrap();
    me.click("#apply-button").await;
    assert_eq!(me.text("#error-title").await, "Formulir ditolak");
    assert_eq!(
        fingerprint(&h.db).await,
        before,
        "a form without CSRF token changes nothing"
    );

    // Apply.
    me.goto("/employee").await;
    me.fill("#ap-baseline", "70").await;
    me.fill("#ap-target", "82,5").await;
    me.fill("#ap-plan", "Menyusun rancangan peraturan bupati").await;
    me.click("#apply-button").await;
    assert_eq!(me.text("#flash").await, "Pengajuan terkirim.");
    assert_eq!(me.text("#app-state").await, "Menunggu persetujuan atasan");
    let application = me.wait("#application").await.attr("data-id").await.unwrap().unwrap();

    // The English switch.
    me.click("#lang-switch").await;
    assert_eq!(me.text("h1").await, "May I work from anywhere next quarter?");
    let html_lang = me.wait("html").await.attr("lang").await.unwrap();
    assert_eq!(html_lang.as_deref(), Some("en"));
    assert_eq!(me.text("#app-state").await, "Awaiting the supervisor's approval");
    me.click("#lang-switch").await;
    assert_eq!(
        me.text("h1").await,
        "Bisakah saya bekerja dari mana saja triwulan depan?"
    );

    // The employee is refused the supervisor's page.
    me.goto("/supervisor").await;
    assert_eq!(me.text("#error-title").await, "Akses ditolak");
    me.goto("/employee").await;
    me.sign_out().await;
    // A used link does not sign in again.
    me.goto(&link).await;
    me.click("#signin-button").await;
    me.wait("#signin-failed").await;
    me.close().await;

    // The supervisor signs in with an API token, reads the reasons, approves with a note.
    let token = h.token("supervisor", "3216", Some(&boss));
    let sup = h.browser(1280, 900).await;
    sup.sign_in(&token).await;
    assert_eq!(sup.path().await, "/supervisor");
    let item = format!("section[data-application='{application}']");
    assert!(sup.text(&item).await.contains("Menyusun rancangan peraturan bupati"));
    assert!(sup.has(&format!("{item} li[data-code='RATING'].pass")).await);
    // The applicant's verdict in the third person, the KPI with a decimal comma.
    let queued = sup.text(&item).await;
    assert!(!queued.contains("Anda dapat"), "{queued}");
    assert!(queued.contains(" dapat bekerja dari mana saja hingga "), "{queued}");
    assert!(queued.contains("70 → 82,5"), "{queued}");
    assert!(sup.has("#team-week").await);
    sup.fill(&format!("#note-{application}"), "Target IKU realistis, lanjutkan.")
        .await;
    sup.click(&format!("{item} button.approve")).await;
    assert_eq!(sup.text("#flash").await, "Keputusan disimpan.");
    assert!(!sup.has(&item).await, "approved applications leave the queue");
    // The supervisor is refused the employee's page.
    sup.goto("/employee").await;
    assert_eq!(sup.text("#error-title").await, "Akses ditolak");
    sup.close().await;

    // The employee sees the approval and the note.
    let me = h.browser(1280, 900).await;
    me.sign_in(&h.link("employee", "3216", Some(&nip))).await;
    // Approved after the unit's allocation ran: served at once into the unit's remaining
    // capacity — granted, or waitlisted only when the unit is full — and told so.
    let state = me.text("#app-state").await;
    assert!(state == "Diberikan" || state.starts_with("Daftar tunggu"), "{state}");
    if state == "Diberikan" {
        assert!(me.has("#roster td.away").await, "granted days show in the roster");
        assert!(me.text("#current").await.starts_with("Ya."));
    } else {
        assert!(!me.text("#current").await.starts_with("Ya."), "waitlisted is not yes");
    }
    assert!(me.has("#unread-count").await, "the header counts what changed");
    me.click("#notifications-link").await;
    let notices = me.text("#notifications").await;
    assert!(
        notices.contains("disetujui") && notices.contains("Target IKU realistis"),
        "{notices}"
    );
    me.goto("/employee").await;
    assert!(
        me.text("#application")
            .await
            .contains("Target IKU realistis, lanjutkan.")
    );
    me.close().await;

    // A granted employee's roster, and its iCalendar download fetched by the browser itself.
    let granted = granted_employee(&h.db, &nip).await;
    let other = h.browser(1280, 900).await;
    other.sign_in(&h.link("employee", "3216", Some(&granted))).await;
    assert!(other.has("#roster td.away").await);
    let body = roster_calendar(&other).await;
    assert!(
        body.starts_with("BEGIN:VCALENDAR") && body.contains("RRULE:FREQ=WEEKLY"),
        "{body}"
    );
    // Withdrawing asks for a confirmation first (the browser will not send it unticked), then
    // frees the days at once: the roster is gone from the employee's page.
    other.click("#withdraw-button").await;
    assert!(other.has("#application").await, "not sent without the confirmation");
    other.click("#withdraw-confirm").await;
    other.click("#withdraw-button").await;
    assert_eq!(other.text("#flash").await, "Pengajuan ditarik.");
    assert!(other.has("#roster-none").await, "the withdrawn days are freed at once");
    other.close().await;

    hr_imports_allocates_and_exports(&h, &nip).await;
    head_of_agency_approves(&h, quarter).await;
    policy_admin_dry_runs_and_activates(&h).await;
    provincial_it_sees_every_region(&h).await;
}

/// Regional HR: a CSV with a bad row is refused row by row and changes nothing; the fixed file
/// imports; the quarter's allocation runs; rosters, charts and the XLSX export; then the
/// employee who applied sees the outcome (and, when granted, the roster and its `.ics`).
async fn hr_imports_allocates_and_exports(h: &Harness, applicant: &str) {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("units-bad.csv");
    let good = dir.path().join("units.csv");
    let header = "id,namaUnor,diatasanId,instansiId,eselonId,namaJabatan,aktif\n";
    std::fs::write(&bad, format!("{header}3216-WEB-UJI-01,Bidang Uji Web,,BAPPEDA,,,ya\n3216-WEB-UJI-02,Sub Uji,3216-TIDAK-ADA,BAPPEDA,,,ya\n")).unwrap();
    std::fs::write(&good, format!("{header}3216-WEB-UJI-01,Bidang Uji Web,,BAPPEDA,,,ya\n3216-WEB-UJI-02,Sub Uji,3216-WEB-UJI-01,BAPPEDA,,,ya\n")).unwrap();

    let hr = h.browser(1280, 900).await;
    hr.sign_in(&h.link("hr", "3216", None)).await;
    assert_eq!(hr.path().await, "/hr");
    let before = fingerprint(&h.db).await;
    hr.wait("#import-kind").await.select_by_value("units").await.unwrap();
    hr.wait("#import-file")
        .await
        .send_keys(&bad.display().to_string())
        .await
        .unwrap();
    hr.click("#import-button").await;
    hr.wait("#import-refused").await;
    let report = hr.text("#import-rejects").await;
    assert!(report.contains("diatasanId") && report.contains('3'), "{report}");
    assert_eq!(fingerprint(&h.db).await, before, "a refused import changes nothing");
    hr.wait("#import-kind").await.select_by_value("units").await.unwrap();
    hr.wait("#import-file")
        .await
        .send_keys(&good.display().to_string())
        .await
        .unwrap();
    hr.click("#import-button").await;
    assert!(hr.text("#import-ok").await.starts_with("2 "));

    // The quarter's allocation, with its progress bar while it runs.
    assert!(hr.has("#alloc-progress[hidden]").await);
    // The run replaces the quarter's rosters: the browser will not send it unconfirmed.
    hr.click("#allocate-button").await;
    assert!(
        hr.has("#alloc-progress[hidden]").await,
        "not sent without the confirmation"
    );
    hr.click("#allocate-confirm").await;
    hr.click("#allocate-button").await;
    hr.wait("#allocation-done").await;
    assert!(hr.has("#allocation tbody tr").await);
    // Rosters, charts, exports.
    assert!(hr.has("#unit-roster").await);
    assert!(hr.has("#chart-participation svg[role='img']").await);
    assert!(hr.has("#chart-savings svg").await);
    assert!(hr.text("#savings-total").await.contains("Rp "));
    let xlsx = hr
        .run_async(
            "const done = arguments[0]; fetch('/hr/export/participation.xlsx').then(r => r.arrayBuffer().then(b => \
             done({type: r.headers.get('content-type'), size: b.byteLength, magic: Array.from(new Uint8Array(b.slice(0, 2)))})));",
        )
        .await;
    assert_eq!(
        xlsx["type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(xlsx["magic"], serde_json::json!([80, 75]), "an XLSX is a zip file");
    assert!(xlsx["size"].as_u64().unwrap() > 1000, "{xlsx}");
    let csv = hr
        .run_async("const done = arguments[0]; fetch('/hr/export/participation.csv').then(r => r.text().then(done));")
        .await;
    assert!(csv.as_str().unwrap().starts_with("quarter,region,unit,"), "{csv}");
    // HR is refused the other roles' pages.
    for page in ["/employee", "/supervisor", "/policy", "/province"] {
        hr.goto(page).await;
        assert_eq!(hr.text("#error-title").await, "Akses ditolak", "{page}");
    }
    hr.close().await;

    // The applicant sees the allocation's outcome; a granted one, the roster and its calendar.
    let me = h.browser(1280, 900).await;
    me.sign_in(&h.link("employee", "3216", Some(applicant))).await;
    // Their unit had room (see `eligible_newcomer`): HR's allocation grants the approved day.
    assert_eq!(me.text("#app-state").await, "Diberikan");
    assert!(me.has("#roster td.away").await);
    assert!(me.text("#granted").await.contains("hari per minggu"));
    let body = roster_calendar(&me).await;
    assert!(
        body.contains("BEGIN:VEVENT") && body.contains("RRULE:FREQ=WEEKLY"),
        "{body}"
    );
    for page in ["/hr", "/policy", "/province"] {
        me.goto(page).await;
        assert_eq!(me.text("#error-title").await, "Akses ditolak", "{page}");
    }
    me.close().await;
}

/// Bekasi asks the head of agency to approve two days a week or more: HR records who heads an
/// agency (`dwa region head`, here its workflow call), and that person's supervisor page queues
/// the agency's applications awaiting them; the approval moves the application on.
async fn head_of_agency_approves(h: &Harness, quarter: Quarter) {
    let store = dwa_store::Store::connect(&format!("sqlite://{}", h.db.display()))
        .await
        .unwrap();
    let policies = common::policies();
    let today = dwa_sdk::Date::new(2026, 12, 1).unwrap();
    let candidates: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT e.nip, e.supervisor_nip, e.agency FROM employees e WHERE e.region = '3216' \
         AND e.supervisor_nip IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.nip = e.nip AND a.quarter = $1) \
         ORDER BY e.nip LIMIT 300",
    )
    .bind(quarter.to_string())
    .fetch_all(store.pool())
    .await
    .unwrap();
    let draft = |nip: &str| draft(nip, quarter, 2, "Menyusun kajian kebijakan daerah");
    let mut chosen = None;
    for (nip, supervisor, agency) in candidates {
        let decision = dwa_workflow::what_if(&store, &policies, draft(&nip), today)
            .await
            .unwrap();
        let needs_head = decision
            .eligibility
            .approvals_required
            .contains(&dwa_sdk::Approver::HeadOfAgency);
        if decision.eligibility.eligible && needs_head {
            chosen = Some((nip, supervisor, agency));
            break;
        }
    }
    let (nip, supervisor, agency) = chosen.expect("an employee eligible for two days who needs the head's approval");
    let (head,): (String,) = sqlx::query_as(
        "SELECT nip FROM employees WHERE region = '3216' AND agency = $1 AND nip <> $2 AND nip <> $3 ORDER BY nip LIMIT 1",
    )
    .bind(&agency)
    .bind(&nip)
    .bind(&supervisor)
    .fetch_one(store.pool())
    .await
    .unwrap();
    // HR records the head on its page; first someone of another agency, refused, changing nothing.
    let (outsider,): (String,) =
        sqlx::query_as("SELECT nip FROM employees WHERE region = '3216' AND agency <> $1 ORDER BY nip LIMIT 1")
            .bind(&agency)
            .fetch_one(store.pool())
            .await
            .unwrap();
    let hr = h.browser(1280, 900).await;
    hr.sign_in(&h.link("hr", "3216", None)).await;
    let before = fingerprint(&h.db).await;
    hr.wait("#head-agency").await.select_by_value(&agency).await.unwrap();
    hr.fill("#head-nip", &outsider).await;
    hr.click("#head-button").await;
    let refused = hr.text("#head-error").await;
    assert!(
        refused.contains(&format!("OPD: NIP {outsider} bekerja di OPD "))
            && refused.contains(&format!(
                ", bukan di {agency}; kepala OPD harus pegawai OPD itu sendiri"
            )),
        "another agency's employee is refused, in Indonesian: {refused}"
    );
    assert_eq!(fingerprint(&h.db).await, before, "a refused head changes nothing");
    hr.wait("#head-agency").await.select_by_value(&agency).await.unwrap();
    hr.fill("#head-nip", &head).await;
    hr.click("#head-button").await;
    assert_eq!(hr.text("#head-saved").await, "Kepala OPD disimpan.");
    assert!(
        hr.text(&format!("#heads tr[data-agency='{agency}']"))
            .await
            .contains(&head)
    );
    hr.close().await;
    let submitted = dwa_workflow::submit_application(&store, &policies, draft(&nip), today)
        .await
        .unwrap();
    let id = submitted.application.id;
    let approval = dwa_sdk::Approval {
        approver: dwa_sdk::Approver::Supervisor,
        by_nip: supervisor.clone(),
        approved: true,
    };
    dwa_workflow::decide_approval(&store, &policies, &id, approval, None, today, "test")
        .await
        .unwrap();

    let boss = h.browser(1280, 900).await;
    boss.sign_in(&h.link("supervisor", "3216", Some(&head))).await;
    let item = format!("section[data-application='{id}'][data-approver='head_of_agency']");
    assert!(boss.text(&item).await.contains("Menyusun kajian kebijakan daerah"));
    boss.fill(&format!("#note-{id}"), "Disetujui kepala OPD.").await;
    boss.click(&format!("{item} button.approve")).await;
    assert_eq!(boss.text("#flash").await, "Keputusan disimpan.");
    assert!(!boss.has(&item).await, "approved applications leave the queue");
    boss.close().await;
    let (approved,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM approvals WHERE application_id = $1 AND approver = 'head_of_agency' AND approved <> 0 AND by_nip = $2",
    )
    .bind(&id)
    .bind(&head)
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(approved, 1, "the head's approval is stored");
}

/// The policy admin dry-runs a change (which decisions would flip, the diff), stores it as a
/// version and activates it; the live status then serves it.
async fn policy_admin_dry_runs_and_activates(h: &Harness) {
    let admin = h.browser(1280, 900).await;
    admin.sign_in(&h.link("policy-admin", "3216", None)).await;
    assert_eq!(admin.path().await, "/policy");
    assert!(admin.text("#serving").await.contains("Kabupaten Bekasi"));
    // Exclude one more agency.
    admin
        .client
        .execute(
            "const m = document.getElementById('manifest'); m.value = m.value.replace('\"DAMKAR\"]', '\"DAMKAR\", \"DISKOMINFO\"]');",
            vec![],
        )
        .await
        .unwrap();
    admin.click("#dry-run-button").await;
    let summary = admin.text("#dry-run-summary").await;
    assert!(summary.contains("Menjadi tidak memenuhi syarat"), "{summary}");
    assert!(admin.text("#dry-run-diff").await.contains("excluded_agencies"));
    assert!(admin.has("#dry-run-units tbody tr").await, "some unit's decisions flip");
    // The input-space diff: people of the newly excluded agency who have not applied yet.
    assert!(admin.text("#input-diff-summary").await.contains("contoh data diuji"));
    let class = admin
        .text("#input-diff tr[data-dimension='agency'][data-value='DISKOMINFO'][data-change='becomes ineligible']")
        .await;
    assert!(class.contains("Menjadi tidak memenuhi syarat"), "{class}");
    assert!(class.contains("tidak memenuhi syarat (EXCLUDED_AGENCY)"), "{class}");
    admin.click("#upload-button").await;
    let flash = admin.text("#flash").await;
    let version = flash.rsplit(": ").next().unwrap().trim().to_owned();
    assert!(version.starts_with("ver-"), "{flash}");
    admin
        .wait("#activate-version")
        .await
        .select_by_value(&version)
        .await
        .unwrap();
    admin.click("#activate-button").await;
    assert_eq!(admin.text_other_than("#flash", &flash).await, "Versi diaktifkan.");
    let serving = admin.text("#versions tr.serving").await;
    assert!(serving.contains(&version), "{serving}");
    // Signature state: the region does not require signatures; the version serving is unsigned.
    assert_eq!(admin.text("#signatures-required").await, "Tanda tangan wajib: tidak");
    assert_eq!(
        admin.text("#versions tr.serving td.signature").await,
        "tidak ditandatangani"
    );
    for page in ["/employee", "/supervisor", "/hr", "/province"] {
        admin.goto(page).await;
        assert_eq!(admin.text("#error-title").await, "Akses ditolak", "{page}");
    }
    admin.close().await;
}

/// Provincial IT: every region's status and links to /metrics and /openapi.json.
async fn provincial_it_sees_every_region(h: &Harness) {
    let it = h.browser(1280, 900).await;
    it.sign_in(&h.link("provincial-admin", "32", None)).await;
    assert_eq!(it.path().await, "/province");
    assert!(it.has("#regions tr[data-region='32']").await);
    assert!(
        it.text("#regions tr[data-region='3216']")
            .await
            .contains("Kabupaten Bekasi")
    );
    it.click("#openapi-link").await;
    assert!(it.client.source().await.unwrap().contains("openapi"));
    it.goto("/province").await;
    for page in ["/employee", "/supervisor", "/hr", "/policy"] {
        it.goto(page).await;
        assert_eq!(it.text("#error-title").await, "Akses ditolak", "{page}");
    }
    it.close().await;
}

/// Every page, signed in as its role, at desktop and phone width: a `lang` attribute, labelled
/// controls, one h1, contrast of at least 4.5:1, no sideways scrolling at 390 px, under 100 KB;
/// a PNG of each (into docs/screenshots with `DWA_SCREENSHOTS=docs/screenshots`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_is_accessible_small_and_fits_a_phone() {
    let _turn = SERIAL.lock().await;
    let h = Harness::start(300);
    let pages = [
        (
            "employee",
            "/employee?whatif=1&days=2&baseline=70&target=60&location=registered_home",
        ),
        ("supervisor", "/supervisor"),
        ("hr", "/hr"),
        ("policy", "/policy"),
        ("province", "/province"),
    ];
    for (width, height, device) in [(1280, 900, "desktop"), (390, 844, "phone")] {
        let b = h.browser(width, height).await;
        b.goto("/signin").await;
        b.wait("#signin-button").await;
        check(&b, &format!("signin-{device}")).await;
        b.close().await;
        for (name, path) in pages {
            let b = h.browser(width, height).await;
            b.sign_in(&h.sign_in_link(name)).await;
            b.goto(path).await;
            b.wait("main h1").await;
            check(&b, &format!("{name}-{device}")).await;
            b.close().await;
        }
    }
}

async fn check(b: &harness::Browser, name: &str) {
    let audit = a11y::audit(b).await;
    assert!(audit.problems.is_empty(), "{name}: {:#?}", audit.problems);
    assert!(audit.texts_checked > 5, "{name}: {audit:?}");
    assert!(audit.bytes < 100_000, "{name}: {} bytes", audit.bytes);
    a11y::screenshot(b, name).await;
}

/// The Indonesian employee page speaks Indonesian from end to end: a refused form names the
/// field and says what is wrong in Bahasa Indonesia (days above the region's cap, a KPI that is
/// not a number), the KPI is written `64,2 → 72,1` (no float noise, a decimal comma), times
/// are WIB wall-clock time and the header names the region; the English page says the same in
/// English, with its plurals right.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_indonesian_employee_page_speaks_indonesian() {
    let _turn = SERIAL.lock().await;
    let h = Harness::start(300);
    let quarter: Quarter = "2027-Q1".parse().unwrap();
    let (nip, _) = eligible_newcomer(&h.db, "3216", quarter).await;
    let me = h.browser(1280, 900).await;
    me.sign_in(&h.link("employee", "3216", Some(&nip))).await;
    assert_eq!(me.path().await, "/employee");
    let who = me.text(".who").await;
    assert!(
        who.contains("Kabupaten Bekasi") && !who.contains("Wilayah 3216"),
        "{who}"
    );
    let before = fingerprint(&h.db).await;

    // Days above Kabupaten Bekasi's cap (2): the browser's own check is lifted, so the host's is
    // the one that answers.
    let cap: u8 = me
        .wait("#ap-days")
        .await
        .attr("max")
        .await
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(cap, 2, "Kabupaten Bekasi allows 2 days anywhere");
    me.client
        .execute("document.getElementById('ap-days').removeAttribute('max')", vec![])
        .await
        .unwrap();
    me.fill("#ap-days", "3").await;
    me.fill("#ap-baseline", "70").await;
    me.fill("#ap-target", "80").await;
    me.fill("#ap-plan", "Menyusun rancangan peraturan bupati").await;
    me.click("#apply-button").await;
    let errors = me.text("#apply-errors").await;
    assert!(
        errors.contains(
            "Hari bekerja dari mana saja per minggu: 3 hari melebihi batas wilayah ini, yaitu paling banyak 2 hari per minggu"
        ),
        "{errors}"
    );
    for english in ["days", "cap", "anywhere", "region"] {
        assert!(
            !errors.contains(english),
            "English `{english}` on the Indonesian page: {errors}"
        );
    }
    assert_eq!(fingerprint(&h.db).await, before, "a refused form changes nothing");

    // A baseline that is not a number: named, in Indonesian, with the value as typed.
    me.fill("#ap-days", "1").await;
    me.fill("#ap-baseline", "abc").await;
    me.click("#apply-button").await;
    let errors = me.text_other_than("#apply-errors", &errors).await;
    assert!(errors.contains("Baseline IKU: “abc” bukan angka"), "{errors}");
    assert!(!errors.contains("is not a number"), "{errors}");
    // The form keeps what was typed.
    let typed = me.wait("#ap-baseline").await.prop("value").await.unwrap();
    assert_eq!(typed.as_deref(), Some("abc"));
    assert_eq!(fingerprint(&h.db).await, before, "a refused form changes nothing");

    // A target at the baseline: the guard, in Indonesian, with Indonesian decimals.
    me.fill("#ap-baseline", "64,2").await;
    me.fill("#ap-target", "64,2").await;
    me.click("#apply-button").await;
    let errors = me.text_other_than("#apply-errors", &errors).await;
    assert!(
        errors.contains("Target IKU: harus lebih tinggi dari nilai awal (64,2 ≤ 64,2)"),
        "{errors}"
    );
    assert_eq!(fingerprint(&h.db).await, before, "a refused form changes nothing");

    // Applied with decimals: shown `64,2 → 72,1`, not `72.10000000000001`.
    me.fill("#ap-days", "1").await;
    me.fill("#ap-baseline", "64,2").await;
    me.fill("#ap-target", "72,1").await;
    me.click("#apply-button").await;
    assert_eq!(me.text("#flash").await, "Pengajuan terkirim.");
    let application = me.text("#application").await;
    assert!(application.contains("64,2 → 72,1"), "{application}");
    assert!(application.contains("1 hari per minggu"), "{application}");
    let history = me.text("#history").await;
    assert!(history.contains(" WIB — Pengajuan dikirim."), "{history}");
    assert!(
        !history.contains('Z') && !history.contains("T1") && !history.contains("T0"),
        "{history}"
    );

    // The English page: a dot, and the singular.
    me.click("#lang-switch").await;
    me.wait("html[lang='en']").await;
    let application = me.text("#application").await;
    assert!(application.contains("64.2 → 72.1"), "{application}");
    assert!(application.contains("1 day a week"), "{application}");
    assert!(!application.contains("1 days"), "{application}");
    me.goto("/employee?whatif=1&days=x&baseline=70&target=80&location=registered_home")
        .await;
    me.wait("html[lang='en']").await;
    let whatif_error = me.text("#whatif-error").await;
    assert!(
        whatif_error.contains("Days anywhere per week: “x” is not a number of days from 1 to 5"),
        "{whatif_error}"
    );
    me.click("#lang-switch").await;
    me.close().await;
}

/// The rejected rows of HR's import report as shown: each row's column and problem.
async fn shown_rejects(hr: &harness::Browser) -> Vec<(String, String)> {
    hr.wait("#import-refused").await;
    let rows = hr
        .run_async(
            "const done = arguments[0]; done(Array.from(document.querySelectorAll('#import-rejects tbody tr')).map(\
             tr => Array.from(tr.querySelectorAll('td')).map(td => td.textContent.trim())));",
        )
        .await;
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| (r[2].as_str().unwrap().to_owned(), r[3].as_str().unwrap().to_owned()))
        .collect()
}

/// Upload `file` as `kind` on HR's page.
async fn upload(hr: &harness::Browser, kind: &str, file: &std::path::Path) {
    hr.wait("#import-kind").await.select_by_value(kind).await.unwrap();
    hr.wait("#import-file")
        .await
        .send_keys(&file.display().to_string())
        .await
        .unwrap();
    // Wait for the answer's page, not the previous report.
    hr.client
        .execute("document.body.dataset.before = '1'", vec![])
        .await
        .unwrap();
    hr.click("#import-button").await;
    for _ in 0..200 {
        if !hr.has("body[data-before]").await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import's page never came");
}

/// The same file through the API (as `text/csv`, with an HR token): its JSON answer.
async fn api_import(hr: &harness::Browser, token: &str, path: &str, csv: &str) -> serde_json::Value {
    let script = format!(
        "const done = arguments[0]; fetch('{path}', {{method: 'POST', headers: {{'Authorization': 'Bearer {token}', \
         'Content-Type': 'text/csv'}}, body: {body}}}).then(r => r.json().then(j => done({{status: r.status, body: j}})));",
        body = serde_json::Value::String(csv.to_owned())
    );
    hr.run_async(&script).await
}

/// Issue #21: every problem HR's Indonesian page shows for a CSV import is Indonesian and names
/// its column, while the API keeps its English; a unit file given as the employee file (or the
/// reverse) is said in one line, on the page and in the API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hr_import_problems_speak_indonesian() {
    let _turn = SERIAL.lock().await;
    let h = Harness::start(300);
    let dir = tempfile::tempdir().unwrap();
    let columns = dwa_workflow::import::columns();
    let bad_value = |column: &str| match column {
        "nipBaru" => "123",
        "nama" => "",
        "jenisPegawai" => "kontrak",
        "jenisJabatan" => "direktur",
        "eselon" => "V",
        "unorId" => "3216-TIDAK-ADA-01",
        "tmtCpns" => "",
        "layananPublik" => "mungkin",
        "kategoriTugas" => "memasak",
        "potensi" => "luar biasa",
        "alpa12Bulan" => "999",
        "nipAtasan" => "12x",
        _ => "",
    };
    let row: Vec<&str> = columns.iter().map(|c| bad_value(c)).collect();
    let employees = format!("{}\n{}\n1,2\n", columns.join(","), row.join(","));
    let units = "id,namaUnor,diatasanId,instansiId,eselonId,namaJabatan,aktif\n\
                 3216 SALAH,,3216 SALAH,BAPPEDA,99,,mungkin\n\
                 3216-WEB-DUA,Bidang Dua,3216-TIDAK-ADA,BAPPEDA,,,ya\n\
                 3216-WEB-DUA,Bidang Dua,,BAPPEDA,,,ya\n";
    let good_units = "id,namaUnor,diatasanId,instansiId,eselonId,namaJabatan,aktif\n\
                      3216-WEB-TIGA,Bidang Tiga,,BAPPEDA,,,ya\n";
    let mut headers: Vec<String> = columns
        .iter()
        .filter(|c| **c != "nama")
        .map(|c| c.to_string())
        .collect();
    headers.extend(["golongan".to_owned(), "nipBaru".to_owned(), String::new()]);
    let bad_header = format!("{}\n", headers.join(","));
    let files = [
        ("employees", "employees-bad.csv", employees.clone()),
        ("units", "units-bad.csv", units.to_owned()),
        ("employees", "employees-header.csv", bad_header.clone()),
    ];

    let hr = h.browser(1280, 900).await;
    hr.sign_in(&h.link("hr", "3216", None)).await;
    assert_eq!(hr.path().await, "/hr");
    let before = fingerprint(&h.db).await;
    const ENGLISH: [&str; 12] = [
        "is not", "must", "missing", "unknown", " the ", "empty", " is ", " has ", "appears", "column", "use ",
        "required",
    ];
    let named: Vec<String> = columns
        .iter()
        .chain(&[
            "id",
            "namaUnor",
            "diatasanId",
            "instansiId",
            "eselonId",
            "namaJabatan",
            "aktif",
        ])
        .map(|c| c.to_string())
        .chain(["berkas".to_owned(), "baris".to_owned(), "golongan".to_owned()])
        .collect();
    let mut seen = 0;
    for (kind, name, csv) in &files {
        let path = dir.path().join(name);
        std::fs::write(&path, csv).unwrap();
        upload(&hr, kind, &path).await;
        let shown = shown_rejects(&hr).await;
        assert!(shown.len() >= 3, "{name}: {shown:?}");
        seen += shown.len();
        for (column, problem) in &shown {
            assert!(named.contains(column), "{name}: `{column}` names no column: {problem}");
            for english in ENGLISH {
                assert!(
                    !problem.contains(english),
                    "{name}: English `{english}` on the Indonesian page: {column}: {problem}"
                );
            }
        }
        assert_eq!(fingerprint(&h.db).await, before, "a refused import changes nothing");
    }
    assert!(seen >= 20, "{seen} problems shown");
    let shown = |rows: &[(String, String)], column: &str| {
        rows.iter()
            .filter(|(c, _)| c == column)
            .map(|(_, p)| p.clone())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    // A few in full.
    upload(&hr, "employees", &dir.path().join("employees-bad.csv")).await;
    let rows = shown_rejects(&hr).await;
    assert_eq!(shown(&rows, "nama"), "kosong; wajib diisi", "{rows:?}");
    assert!(
        shown(&rows, "unorId").contains("unit “3216-TIDAK-ADA-01” tidak dikenal"),
        "{rows:?}"
    );
    assert!(
        shown(&rows, "layananPublik").contains("“mungkin” bukan pilihan yang sah; gunakan ya atau tidak"),
        "{rows:?}"
    );
    assert!(shown(&rows, "baris").contains("baris ini berisi 2 isian"), "{rows:?}");

    // The same files through the API: English, as before.
    let token = h.token("hr", "3216", None);
    // Creating the token writes it; the refused imports after it change nothing.
    let before = fingerprint(&h.db).await;
    let answer = api_import(&hr, &token, "/api/employees/import", &employees).await;
    let problems: Vec<String> = answer["body"]["rejected"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"))
        .iter()
        .map(|r| format!("{}: {}", r["field"].as_str().unwrap(), r["problem"].as_str().unwrap()))
        .collect();
    assert!(
        problems.contains(&"nama: is empty; a value is required".to_owned()),
        "{problems:?}"
    );
    assert!(
        problems.contains(
            &"unorId: unknown unit `3216-TIDAK-ADA-01`: no unit has this code (import the units first)".to_owned()
        ),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("row: the line has 2 fields but the header has")),
        "{problems:?}"
    );
    let answer = api_import(&hr, &token, "/api/units/import", units).await;
    let text = answer["body"].to_string();
    assert!(
        text.contains("is not an echelon code") && text.contains("appears more than once"),
        "{answer}"
    );

    // A unit file given as the employee file, and the reverse: one line each.
    let path = dir.path().join("units.csv");
    std::fs::write(&path, good_units).unwrap();
    upload(&hr, "employees", &path).await;
    let rows = shown_rejects(&hr).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0]
            .1
            .starts_with("ini berkas unit organisasi, bukan berkas pegawai"),
        "{rows:?}"
    );
    let answer = api_import(&hr, &token, "/api/employees/import", good_units).await;
    let rejected = answer["body"]["rejected"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"));
    assert_eq!(rejected.len(), 1, "{answer}");
    assert_eq!(
        rejected[0]["problem"],
        "this is a unit file, not an employee file; choose the import that matches the file"
    );
    let staff = format!("{}\n", columns.join(","));
    let path = dir.path().join("employees.csv");
    std::fs::write(&path, &staff).unwrap();
    upload(&hr, "units", &path).await;
    let rows = shown_rejects(&hr).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0]
            .1
            .starts_with("ini berkas pegawai, bukan berkas unit organisasi"),
        "{rows:?}"
    );
    assert_eq!(fingerprint(&h.db).await, before, "a refused import changes nothing");
}
