//! Employee import from CSV on SQLite and PostgreSQL: the example file imports whole; each kind
//! of bad row or file is rejected with the right column and, in all-or-nothing mode, leaves the
//! database unchanged; a partial import writes exactly the valid rows.

mod common;

use dwa_sdk::{PenaltyLevel, Quarter};
use dwa_store::{Store, UnitRow};
use dwa_workflow::import::{
    FILE_FIELD, ImportOutcome, MAX_ROWS, ROW_FIELD, columns, import_employees, parse_employees_csv,
};
use std::collections::{BTreeMap, HashMap};

const QUARTER: Quarter = Quarter { year: 2027, number: 1 };
const EXAMPLE: &str = include_str!("data/employees-3216.csv");

/// A store with the seed's regions and units (Kabupaten Bekasi's are `3216-…-01`) and a few
/// seeded employees.
async fn seeded(db: &common::TestDb) -> Store {
    let store = Store::connect(&db.url)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", db.label));
    dwa_cli::seed::seed(&store, 44, QUARTER, 7).await.unwrap();
    store
}

/// Rows in the tables an import writes.
async fn counts(store: &Store) -> [i64; 3] {
    [
        store.count("employees").await.unwrap(),
        common::history_entries(store, "ratings_json", "%").await,
        common::history_entries(store, "penalties_json", "%").await,
    ]
}

/// The header of a valid file.
fn header() -> String {
    columns().join(",")
}

/// A valid row in a Bekasi unit: NIP `19880715 2012 01 1 SEQ`, appointed 2012-01-01.
fn row(seq: u16) -> BTreeMap<&'static str, String> {
    let values = [
        ("nipBaru", format!("198807152012011{seq:03}")),
        ("nama", format!("Pegawai Uji {seq}")),
        ("jenisPegawai", "PNS".into()),
        ("jenisJabatan", "Fungsional".into()),
        ("eselon", String::new()),
        ("unorId", "3216-BAPPEDA-PERENCANAAN-01".into()),
        ("tmtCpns", "2012-01-01".into()),
        ("layananPublik", "tidak".into()),
        ("kategoriTugas", "analisisData".into()),
        ("potensi", "menengah".into()),
        ("skp", "2025:sesuai:sesuai;2026:diatas:sesuai".into()),
        ("hukdis", String::new()),
        ("alpa12Bulan", "0".into()),
        ("nipAtasan", String::new()),
        ("kodeJabatan", String::new()),
    ];
    values.into_iter().collect()
}

/// A row as a CSV line in header order (values here need no quoting).
fn line(row: &BTreeMap<&'static str, String>) -> String {
    columns().iter().map(|c| row[c].as_str()).collect::<Vec<_>>().join(",")
}

/// A row with one column changed.
fn with(seq: u16, column: &'static str, value: &str) -> String {
    let mut r = row(seq);
    r.insert(column, value.to_owned());
    line(&r)
}

/// Problem columns per line.
fn fields_by_line(outcome: &ImportOutcome) -> BTreeMap<usize, Vec<String>> {
    let mut by_line: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for r in &outcome.rejected {
        by_line.entry(r.line).or_default().push(r.field.clone());
    }
    by_line
}

#[tokio::test(flavor = "multi_thread")]
async fn the_example_file_imports_whole_and_a_second_time_not_at_all() {
    for db in common::TestDb::both().await {
        let store = seeded(&db).await;
        let before = counts(&store).await;
        let outcome = import_employees(&store, "3216", EXAMPLE.as_bytes(), false)
            .await
            .unwrap();
        assert_eq!(outcome.rejected, vec![], "{}", db.label);
        assert_eq!((outcome.imported, outcome.written), (10, true));
        let after = counts(&store).await;
        assert_eq!(after[0], before[0] + 10, "{}", db.label);
        assert_eq!(after[1], before[1] + 18, "9 rows with 2 SKP years each");
        assert_eq!(after[2], before[2] + 2, "two penalties");

        let hendra = store.employee("197805142003121001").await.unwrap();
        assert_eq!(
            hendra.name, "Dr. Hendra Gunawan, S.T., M.T.",
            "quoted field with commas"
        );
        assert_eq!((hendra.region.as_str(), hendra.agency.as_str()), ("3216", "BAPPEDA"));
        assert_eq!(hendra.echelon, Some(3));
        let rizky = store.employee("199601082020121003").await.unwrap();
        assert_eq!(rizky.supervisor_nip.as_deref(), Some("198511302009022001"));
        assert_eq!(rizky.unexcused_absence_days, 2);
        assert_eq!(rizky.penalties.len(), 1);
        assert_eq!(
            (rizky.penalties[0].level, rizky.penalties[0].end),
            (PenaltyLevel::Light, None)
        );
        let wulan = store.employee("199405052022032002").await.unwrap();
        assert_eq!(wulan.employment_type, dwa_sdk::EmploymentType::PppkParuhWaktu);

        let again = import_employees(&store, "3216", EXAMPLE.as_bytes(), true)
            .await
            .unwrap();
        assert_eq!((again.imported, again.written, again.rejected.len()), (0, false, 10));
        assert!(
            again
                .rejected
                .iter()
                .all(|r| r.field == "nipBaru" && r.problem.contains("already exists"))
        );
        assert_eq!(counts(&store).await, after);
        db.drop_schema().await;
    }
}

/// Each bad row: what is wrong, the row, and the one column it must be rejected for.
fn bad_rows() -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("NIP of 17 digits", with(101, "nipBaru", "19880715201201110"), "nipBaru"),
        (
            "NIP with a letter",
            with(102, "nipBaru", "19880715201201110X"),
            "nipBaru",
        ),
        (
            "NIP born on 30 February",
            with(103, "nipBaru", "198802302012011103"),
            "nipBaru",
        ),
        (
            "NIP with sex digit 3",
            with(104, "nipBaru", "198807152012013104"),
            "nipBaru",
        ),
        ("unknown unit", with(105, "unorId", "3216-TIDAKADA-01"), "unorId"),
        (
            "unit of the province",
            with(106, "unorId", "32-BAPPEDA-PERENCANAAN-01"),
            "unorId",
        ),
        ("honorary staff", with(107, "jenisPegawai", "Honorer"), "jenisPegawai"),
        (
            "appointment month not the NIP's",
            with(108, "tmtCpns", "2012-02-01"),
            "tmtCpns",
        ),
        ("appointment not a date", with(109, "tmtCpns", "01/01/2012"), "tmtCpns"),
        ("SKP with dashes", with(110, "skp", "2025-sesuai-sesuai"), "skp"),
        ("SKP with a predicate word", with(111, "skp", "2025:baik:sesuai"), "skp"),
        (
            "SKP year twice",
            with(112, "skp", "2025:sesuai:sesuai;2025:diatas:sesuai"),
            "skp",
        ),
        (
            "penalty level unknown",
            with(113, "hukdis", "sangat berat:2026-01-01:2026-12-31"),
            "hukdis",
        ),
        (
            "moderate penalty without end",
            with(114, "hukdis", "sedang:2026-01-01:"),
            "hukdis",
        ),
        ("negative absence", with(115, "alpa12Bulan", "-1"), "alpa12Bulan"),
        ("absence in words", with(116, "alpa12Bulan", "dua"), "alpa12Bulan"),
        (
            "unknown position kind",
            with(117, "jenisJabatan", "Staf"),
            "jenisJabatan",
        ),
        (
            "echelon for a functional position",
            with(118, "eselon", "III"),
            "eselon",
        ),
        ("potential not a level", with(119, "potensi", "sedang"), "potensi"),
        (
            "public service neither yes nor no",
            with(120, "layananPublik", "mungkin"),
            "layananPublik",
        ),
        ("supervisor NIP too short", with(121, "nipAtasan", "123"), "nipAtasan"),
        ("empty name", with(122, "nama", ""), "nama"),
        (
            "unknown task category",
            with(123, "kategoriTugas", "rapat"),
            "kategoriTugas",
        ),
        ("one field too many", format!("{},extra", line(&row(124))), ROW_FIELD),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_rows_name_their_column_and_only_valid_rows_are_written() {
    for db in common::TestDb::both().await {
        let store = seeded(&db).await;
        let existing = store.units(Some("3216")).await.unwrap();
        let stored = store.unit_employees(&existing[0].code).await.unwrap().remove(0);

        let mut lines = vec![header()];
        let mut expected: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        let mut what_on: BTreeMap<usize, &str> = BTreeMap::new();
        for (what, text, field) in bad_rows() {
            lines.push(text);
            expected.insert(lines.len(), vec![field.to_owned()]);
            what_on.insert(lines.len(), what);
        }
        // The same NIP twice: both rows are rejected.
        lines.push(line(&row(150)));
        expected.insert(lines.len(), vec!["nipBaru".into()]);
        lines.push(with(150, "nama", "Pegawai Kembar"));
        expected.insert(lines.len(), vec!["nipBaru".into()]);
        // A NIP already in the database, otherwise valid.
        let mut known = row(151);
        known.insert("nipBaru", stored.nip.clone());
        known.insert("tmtCpns", stored.appointed_on.to_string());
        known.insert("skp", String::new());
        lines.push(line(&known));
        expected.insert(lines.len(), vec!["nipBaru".into()]);
        // Valid rows.
        let valid: Vec<String> = (901..=903).map(|seq| format!("198807152012011{seq:03}")).collect();
        let mut valid_lines = Vec::new();
        for seq in 901..=903 {
            lines.push(line(&row(seq)));
            valid_lines.push(lines.len());
        }
        let file = lines.join("\n") + "\n";

        let before = counts(&store).await;
        let all_or_nothing = import_employees(&store, "3216", file.as_bytes(), false).await.unwrap();
        assert_eq!(
            (all_or_nothing.imported, all_or_nothing.written),
            (0, false),
            "{}",
            db.label
        );
        assert_eq!(counts(&store).await, before, "{}: nothing written", db.label);
        let got = fields_by_line(&all_or_nothing);
        for (line, what) in &what_on {
            assert_eq!(got.get(line), expected.get(line), "{}: {what} (line {line})", db.label);
        }
        assert_eq!(got, expected, "{}: {:#?}", db.label, all_or_nothing.rejected);
        for r in &all_or_nothing.rejected {
            assert!(!r.problem.is_empty());
            assert!(!valid_lines.contains(&r.line));
        }

        let partial = import_employees(&store, "3216", file.as_bytes(), true).await.unwrap();
        assert_eq!((partial.imported, partial.written), (3, true), "{}", db.label);
        assert_eq!(fields_by_line(&partial), expected, "{}: same rejects", db.label);
        let after = counts(&store).await;
        assert_eq!(after[0], before[0] + 3, "{}: exactly the valid rows", db.label);
        for nip in &valid {
            store.employee(nip).await.unwrap();
        }
        // The duplicated NIP is valid on its own but neither of its rows was written.
        assert!(store.employee("198807152012011150").await.is_err());
        db.drop_schema().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn file_problems_reject_the_whole_file() {
    let without_potensi = {
        let mut lines = vec![
            columns()
                .iter()
                .filter(|c| **c != "potensi")
                .copied()
                .collect::<Vec<_>>()
                .join(","),
        ];
        let mut r = row(201);
        r.remove("potensi");
        lines.push(
            columns()
                .iter()
                .filter_map(|c| r.get(c).cloned())
                .collect::<Vec<_>>()
                .join(","),
        );
        lines.join("\n")
    };
    let with_golongan = format!("{},golongan\n{},III/a\n", header(), line(&row(202)));
    let mut not_utf8 = EXAMPLE.as_bytes().to_vec();
    let fourth_line = EXAMPLE.match_indices('\n').nth(2).unwrap().0 + 5;
    not_utf8.insert(fourth_line, 0xFF);
    let cases: Vec<(&str, Vec<u8>, usize, &str)> = vec![
        ("missing column", without_potensi.into_bytes(), 1, "potensi"),
        ("unknown column", with_golongan.into_bytes(), 1, "golongan"),
        ("invalid UTF-8 on line 4", not_utf8, 4, FILE_FIELD),
        ("empty file", Vec::new(), 1, FILE_FIELD),
    ];
    for db in common::TestDb::both().await {
        let store = seeded(&db).await;
        let before = counts(&store).await;
        for (what, bytes, line, field) in &cases {
            for partial in [false, true] {
                let outcome = import_employees(&store, "3216", bytes, partial).await.unwrap();
                assert_eq!(outcome.imported, 0, "{}: {what}", db.label);
                assert!(!outcome.written, "{what}");
                assert_eq!(outcome.rejected.len(), 1, "{what}: {:?}", outcome.rejected);
                let rejected = &outcome.rejected[0];
                assert_eq!(
                    (rejected.line, rejected.field.as_str()),
                    (*line, *field),
                    "{what}: {rejected:?}"
                );
            }
        }
        assert_eq!(counts(&store).await, before, "{}", db.label);
        db.drop_schema().await;
    }
}

/// The units the example file uses, without a database.
fn example_units() -> HashMap<String, UnitRow> {
    let mut units = HashMap::new();
    for code in EXAMPLE
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').find(|f| f.starts_with("3216-")))
    {
        units.insert(
            code.to_owned(),
            UnitRow {
                code: code.to_owned(),
                region: "3216".into(),
                agency: code.split('-').nth(1).unwrap().into(),
                name: code.into(),
            },
        );
    }
    units
}

#[test]
fn semicolons_a_byte_order_mark_and_any_column_order_or_case_parse_the_same() {
    let units = example_units();
    let plain = parse_employees_csv(EXAMPLE, "3216", &units);
    assert_eq!(
        (plain.accepted.len(), plain.rejected.len()),
        (10, 0),
        "{:?}",
        plain.rejected
    );

    // Rewrite the example as a spreadsheet in the Indonesian locale would: `;`-separated, with
    // a BOM; also reverse the columns and shout the header.
    let mut reader = csv::Reader::from_reader(EXAMPLE.as_bytes());
    let mut writer = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
    let header: Vec<String> = reader.headers().unwrap().iter().rev().map(str::to_uppercase).collect();
    writer.write_record(&header).unwrap();
    for record in reader.records() {
        writer.write_record(record.unwrap().iter().rev()).unwrap();
    }
    let text = format!("\u{feff}{}", String::from_utf8(writer.into_inner().unwrap()).unwrap());
    assert!(
        text.contains("\"2025:diatas:sesuai;2026:diatas:diatas\""),
        "skp is quoted"
    );
    let rewritten = parse_employees_csv(&text, "3216", &units);
    assert_eq!(rewritten, plain);
}

#[test]
fn a_row_with_several_problems_lists_each_and_lines_count_from_the_header() {
    let units = example_units();
    let mut r = row(301);
    r.insert("jenisPegawai", "Honorer".into());
    r.insert("potensi", "super".into());
    r.insert("alpa12Bulan", "400".into());
    let text = format!("{}\n{}\n\n{}\n", header(), line(&row(300)), line(&r));
    let report = parse_employees_csv(&text, "3216", &units);
    assert_eq!(report.accepted.len(), 1);
    let fields: Vec<(usize, &str)> = report.rejected.iter().map(|r| (r.line, r.field.as_str())).collect();
    assert_eq!(fields, vec![(4, "jenisPegawai"), (4, "potensi"), (4, "alpa12Bulan")]);
    assert!(
        report
            .rejected
            .iter()
            .all(|r| r.nip.as_deref() == Some("198807152012011301"))
    );
    assert!(
        report.rejected[0]
            .problem
            .contains("PNS, CPNS, PPPK or PPPK Paruh Waktu")
    );
}

#[test]
fn more_than_the_row_limit_is_a_file_problem() {
    let units = example_units();
    let body = format!("{}\n", line(&row(1)));
    let text = format!("{}\n{}", header(), body.repeat(MAX_ROWS + 1));
    let report = parse_employees_csv(&text, "3216", &units);
    assert!(report.accepted.is_empty());
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].field, FILE_FIELD);
    assert_eq!(report.rejected[0].line, MAX_ROWS + 2);
}

#[test]
fn lines_are_the_editor_s_lines_despite_blank_lines_crlf_and_quoted_line_breaks() {
    let units = example_units();
    let mut bad = row(402);
    bad.insert("potensi", "super".into());
    let mut quoted = row(401);
    quoted.insert("nama", "\"Nama\nDua Baris\"".into());
    let text = format!(
        "{}\r\n\r\n{}\r\n{}\r\n\r\n\r\n{}\r\n",
        header(),
        line(&row(400)),
        line(&quoted),
        line(&bad)
    );
    let report = parse_employees_csv(&text, "3216", &units);
    // Line 4 holds a name with a line break (continuing on line 5): a control character.
    let fields: Vec<(usize, &str)> = report.rejected.iter().map(|r| (r.line, r.field.as_str())).collect();
    assert_eq!(fields, vec![(4, "nama"), (8, "potensi")], "{:?}", report.rejected);
    assert_eq!(report.accepted.len(), 1);
}
