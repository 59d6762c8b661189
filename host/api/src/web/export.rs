//! HR's tables as files: the participation, reasons and savings reports (the workflow's, the
//! same rows the API's CSV gives) and a unit's roster, each as CSV or XLSX (rust_xlsxwriter;
//! numbers stay numbers in the spreadsheet).

use super::page::PageError;
use super::session::WebUser;
use crate::{ApiError, AppState, Role};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use dwa_sdk::Quarter;
use dwa_workflow::report::{self, CsvRow, ParticipationReport, ReasonsReport, SavingsReport, UnitCosts};
use std::collections::HashMap;

/// The region's three reports for a quarter.
pub struct Reports {
    /// Participation per unit.
    pub participation: ParticipationReport,
    /// Reasons breakdown.
    pub reasons: ReasonsReport,
    /// Estimated savings.
    pub savings: SavingsReport,
}

fn costs(state: &AppState) -> HashMap<String, UnitCosts> {
    dwa_workflow::rules::region_costs(&state.policies)
}

impl Reports {
    /// Read the reports of `region` for `quarter` through the workflow.
    pub async fn load(state: &AppState, region: &str, quarter: Quarter) -> Result<Reports, ApiError> {
        Ok(Reports {
            participation: report::participation(&state.store, Some(region), quarter).await?,
            reasons: report::reasons(&state.store, Some(region), quarter).await?,
            savings: report::savings(&state.store, Some(region), quarter, &costs(state)).await?,
        })
    }
}

/// The region's estimated savings for the four quarters up to `quarter`, oldest first.
pub async fn savings_history(
    state: &AppState,
    region: &str,
    quarter: Quarter,
) -> Result<Vec<(Quarter, f64)>, ApiError> {
    let costs = costs(state);
    let mut quarters = vec![quarter];
    for _ in 0..3 {
        let earlier = quarters[quarters.len() - 1].previous();
        quarters.push(earlier);
    }
    quarters.reverse();
    let mut out = Vec::with_capacity(4);
    for q in quarters {
        let report = report::savings(&state.store, Some(region), q, &costs).await?;
        out.push((q, report.total.total));
    }
    Ok(out)
}

/// A table as an XLSX workbook: a header row, then the rows; values that are numbers are
/// written as numbers.
pub fn xlsx(sheet: &str, columns: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, ApiError> {
    let fail = |e: rust_xlsxwriter::XlsxError| ApiError::internal(&format!("XLSX: {e}"));
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(fail)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, name) in columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *name, &bold).map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match as_number(value) {
                Some(n) => ws.write_number(r, c, n).map_err(fail)?,
                None => ws.write_string(r, c, value).map_err(fail)?,
            };
        }
    }
    book.save_to_buffer().map_err(fail)
}

/// A value to write as a number: a decimal that survives as a spreadsheet number (NIPs and
/// codes with leading zeros or 16 digits and more stay text).
fn as_number(value: &str) -> Option<f64> {
    let leading_zero = value.len() > 1 && value.starts_with('0') && !value.starts_with("0.");
    if value.len() > 15 || leading_zero {
        return None;
    }
    value.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn table<R: CsvRow>(rows: &[R]) -> (Vec<&'static str>, Vec<Vec<String>>) {
    (R::COLUMNS.to_vec(), rows.iter().map(CsvRow::values).collect())
}

fn csv(columns: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let quote = |v: &str| {
        if v.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", v.replace('"', "\"\""))
        } else {
            v.to_owned()
        }
    };
    out.push_str(&columns.iter().map(|c| quote(c)).collect::<Vec<_>>().join(","));
    out.push('\n');
    for row in rows {
        out.push_str(&row.iter().map(|v| quote(v)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

/// `GET /hr/export/{participation|reasons|savings|roster}.{csv|xlsx}[?unit=…]`: the table of the
/// next quarter for HR's region.
pub async fn export(
    State(state): State<AppState>,
    user: WebUser,
    Path(file): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    user.require(Role::Hr)?;
    let lang = user.lang;
    let fail = |e: ApiError| PageError::from(e).in_lang(lang);
    let (name, kind) = file
        .rsplit_once('.')
        .ok_or_else(|| fail(ApiError::not_found("no such export")))?;
    let region = user.caller.region.clone();
    let quarter = state.today().quarter().next();
    let (columns, rows): (Vec<&str>, Vec<Vec<String>>) = match name {
        "participation" => {
            let r = report::participation(&state.store, Some(&region), quarter)
                .await
                .map_err(|e| fail(e.into()))?;
            let all: Vec<_> = r.units.iter().chain(&r.regions).cloned().collect();
            table(&all)
        }
        "reasons" => table(
            &report::reasons(&state.store, Some(&region), quarter)
                .await
                .map_err(|e| fail(e.into()))?
                .rows,
        ),
        "savings" => {
            let r = report::savings(&state.store, Some(&region), quarter, &costs(&state))
                .await
                .map_err(|e| fail(e.into()))?;
            let all: Vec<_> = r.units.iter().chain(&r.regions).cloned().collect();
            table(&all)
        }
        "roster" => {
            let unit = query.get("unit").map_or("", String::as_str);
            dwa_workflow::input::check_id("unit", unit).map_err(|e| fail(e.into()))?;
            let row = dwa_workflow::reads::unit(&state.store, unit)
                .await
                .map_err(|e| fail(e.into()))?;
            if row.region != region {
                return Err(PageError::forbidden(lang));
            }
            let entries = dwa_workflow::reads::roster(&state.store, unit, quarter)
                .await
                .map_err(|e| fail(e.into()))?;
            let rows = entries
                .into_iter()
                .map(|e| {
                    let days: Vec<String> = e.weekdays.iter().map(dwa_workflow::code).collect();
                    vec![
                        quarter.to_string(),
                        unit.to_owned(),
                        e.nip,
                        e.remote_days.to_string(),
                        days.join(" "),
                    ]
                })
                .collect();
            (vec!["quarter", "unit", "nip", "remote_days", "weekdays"], rows)
        }
        _ => return Err(fail(ApiError::not_found("no such export"))),
    };
    let filename = format!("dwa-{region}-{quarter}-{name}.{kind}");
    let (body, content_type) = match kind {
        "csv" => (csv(&columns, &rows).into_bytes(), "text/csv; charset=utf-8"),
        "xlsx" => (
            xlsx(name, &columns, &rows).map_err(fail)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        _ => return Err(fail(ApiError::not_found("no such export"))),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
