//! Reading an import file as a table, the same way for every kind of file: decode it (UTF-8,
//! a leading byte-order mark ignored), pick the separator, map the header's names to the
//! kind's columns, count lines as an editor shows them, and hand each data row to the kind's
//! parser. Problems with the whole file (not UTF-8, empty, a bad header, too many rows) are
//! reported here; what a field may hold is the kind's business.

use super::{FILE_FIELD, FileKind, ImportProblem, ImportReport, MAX_ROWS, ROW_FIELD, RejectedRow};
use std::collections::BTreeMap;

/// One column a kind of file has.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Column {
    /// The header name (SIASN's field name; matched ignoring ASCII case).
    pub(crate) name: &'static str,
    /// Whether the header may leave the column out (its values then read as empty).
    pub(crate) optional: bool,
}

/// A required column.
pub(crate) const fn required(name: &'static str) -> Column {
    Column { name, optional: false }
}

/// A column the header may leave out.
pub(crate) const fn optional(name: &'static str) -> Column {
    Column { name, optional: true }
}

/// One data row as the file has it.
pub(crate) struct Row<'r> {
    /// 1-based line where the row starts.
    pub(crate) line: usize,
    record: &'r csv::StringRecord,
    header: &'r Header,
}

impl Row<'_> {
    /// The trimmed value of the kind's column number `column` (its index in the kind's column
    /// list); empty when the header left an optional column out.
    pub(crate) fn get(&self, column: usize) -> &str {
        self.header.index[column]
            .and_then(|i| self.record.get(i))
            .unwrap_or("")
            .trim()
    }

    /// Why the row cannot be read field by field (it has more or fewer fields than the header).
    pub(crate) fn width_problem(&self) -> Option<(&'static str, ImportProblem)> {
        (self.record.len() != self.header.width).then(|| {
            let problem = ImportProblem::RowWidth {
                fields: self.record.len(),
                columns: self.header.width,
            };
            (ROW_FIELD, problem)
        })
    }
}

/// One parsed data row: its record when every field was valid, and its problems.
pub(crate) struct ParsedRow<T> {
    pub(crate) line: usize,
    /// The employee's NIP as written (for reports).
    pub(crate) nip: Option<String>,
    /// The unit's id as written (for reports).
    pub(crate) unit: Option<String>,
    /// The row's key when it is valid (a NIP, a unit id), for duplicate and database checks.
    pub(crate) valid_key: Option<String>,
    pub(crate) record: Option<T>,
    pub(crate) problems: Vec<RejectedRow>,
}

impl<T> ParsedRow<T> {
    /// A row without a record or problems yet.
    pub(crate) fn new(line: usize, nip: Option<String>, unit: Option<String>) -> ParsedRow<T> {
        ParsedRow {
            line,
            nip,
            unit,
            valid_key: None,
            record: None,
            problems: Vec::new(),
        }
    }

    /// Record a problem with `field`.
    pub(crate) fn problem(&mut self, field: &str, problem: impl Into<ImportProblem>) {
        let kind = problem.into();
        self.problems.push(RejectedRow {
            line: self.line,
            nip: self.nip.clone(),
            unit: self.unit.clone(),
            field: field.to_owned(),
            problem: kind.to_string(),
            kind,
        });
    }

    /// Keep a field's value, or record its problem against the column.
    pub(crate) fn field<V, E: Into<ImportProblem>>(&mut self, column: &str, result: Result<V, E>) -> Option<V> {
        result.map_err(|problem| self.problem(column, problem)).ok()
    }
}

/// Every row of a file, before the accepted and rejected rows are split.
pub(crate) struct Parsed<T> {
    /// Problems with the whole file; when present, no row is accepted.
    pub(crate) file_problems: Vec<RejectedRow>,
    pub(crate) rows: Vec<ParsedRow<T>>,
}

impl<T> Parsed<T> {
    pub(crate) fn file_problem(line: usize, problem: ImportProblem) -> Parsed<T> {
        Parsed {
            file_problems: vec![file_row(line, FILE_FIELD, problem)],
            rows: Vec::new(),
        }
    }

    /// Split into accepted records and rejected rows (sorted by line, stable).
    pub(crate) fn finish(self) -> ImportReport<T> {
        if !self.file_problems.is_empty() {
            return ImportReport {
                accepted: Vec::new(),
                rejected: self.file_problems,
            };
        }
        let mut report = ImportReport::default();
        for row in self.rows {
            if row.problems.is_empty() {
                report.accepted.extend(row.record);
            } else {
                report.rejected.extend(row.problems);
            }
        }
        report.rejected.sort_by_key(|r| r.line);
        report
    }

    /// Reject every row whose valid key appears on more than one line: which of them is right
    /// is for HR to say, so none is imported. `problem` words it from the key and the lines.
    pub(crate) fn mark_duplicates<P: Into<ImportProblem>>(&mut self, field: &str, problem: impl Fn(&str, &str) -> P) {
        let mut lines: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, row) in self.rows.iter().enumerate() {
            if let Some(key) = &row.valid_key {
                lines.entry(key.clone()).or_default().push(i);
            }
        }
        for (key, indices) in lines.into_iter().filter(|(_, v)| v.len() > 1) {
            let listed: Vec<String> = indices.iter().map(|&i| self.rows[i].line.to_string()).collect();
            let text: ImportProblem = problem(&key, &listed.join(", ")).into();
            for &i in &indices {
                self.rows[i].problem(field, text.clone());
            }
        }
    }
}

fn file_row(line: usize, field: &str, problem: ImportProblem) -> RejectedRow {
    RejectedRow {
        line,
        nip: None,
        unit: None,
        field: field.to_owned(),
        problem: problem.to_string(),
        kind: problem,
    }
}

/// The header's names (trimmed), when the file's first line reads as a CSV header.
fn header_names(bytes: &[u8]) -> Vec<String> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Vec::new();
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    match reader.records().next() {
        Some(Ok(record)) => record.iter().map(|f| f.trim().to_owned()).collect(),
        _ => Vec::new(),
    }
}

/// When the header is refused and names every required column of another kind of file (a
/// unit file given as the employee file), one problem saying so instead of one per column.
pub(crate) fn wrong_file<T>(
    parsed: &mut Parsed<T>,
    bytes: &[u8],
    expected: FileKind,
    others: &[(FileKind, &[Column])],
) {
    if parsed.file_problems.is_empty() {
        return;
    }
    let names = header_names(bytes);
    let has = |column: &Column| names.iter().any(|n| n.eq_ignore_ascii_case(column.name));
    for (found, columns) in others {
        if columns.iter().filter(|c| !c.optional).all(has) {
            let problem = ImportProblem::WrongFile {
                expected,
                found: *found,
            };
            parsed.file_problems = vec![file_row(1, FILE_FIELD, problem)];
            return;
        }
    }
}

/// The names of `columns`, in order.
pub(crate) fn names(columns: &[Column]) -> Vec<&'static str> {
    columns.iter().map(|c| c.name).collect()
}

/// Decode `bytes`, read the header against `columns`, and parse every data row with `parse`
/// (blank rows skipped). `what` names the rows in messages (`employees`, `units`).
pub(crate) fn read<T>(
    bytes: &[u8],
    columns: &[Column],
    what: FileKind,
    mut parse: impl FnMut(&Row<'_>) -> ParsedRow<T>,
) -> Parsed<T> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
            let problem = ImportProblem::NotUtf8 {
                offset: e.valid_up_to(),
                line,
            };
            return Parsed::file_problem(line, problem);
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let mut lines = LineCounter::new(text);
    let header = match records.next() {
        None => {
            let problem = ImportProblem::EmptyFile(names(columns).into_iter().map(str::to_owned).collect());
            return Parsed::file_problem(1, problem);
        }
        Some(Err(e)) => return Parsed::file_problem(1, ImportProblem::UnreadableHeader(e.to_string())),
        Some(Ok(record)) => {
            let line = record.position().map_or(1, |p| lines.line_at(p.byte()));
            match Header::read(&record, line, columns) {
                Ok(header) => header,
                Err(problems) => {
                    return Parsed {
                        file_problems: problems,
                        rows: Vec::new(),
                    };
                }
            }
        }
    };
    let mut parsed = Parsed {
        file_problems: Vec::new(),
        rows: Vec::new(),
    };
    for result in records {
        let record = match result {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                return Parsed::file_problem(line, ImportProblem::UnreadableCsv(e.to_string()));
            }
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        if parsed.rows.len() == MAX_ROWS {
            let problem = ImportProblem::TooManyRows(what);
            return Parsed::file_problem(line, problem);
        }
        let row = Row {
            line,
            record: &record,
            header: &header,
        };
        parsed.rows.push(parse(&row));
    }
    parsed
}

/// Line numbers from byte offsets. The csv reader's own line count leaves out blank lines, and
/// HR needs the line their editor shows; records come in file order, so one forward scan serves
/// the whole file.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> LineCounter<'a> {
        LineCounter {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of the record the reader says starts at byte `offset` (offsets must
    /// not decrease between calls). The reader gives the offset before any blank lines it
    /// skipped, and a record never starts with a line break, so skip those first.
    fn line_at(&mut self, offset: u64) -> usize {
        let mut offset = (offset as usize).min(self.text.len()).max(self.offset);
        while matches!(self.text.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        self.line += self.text[self.offset..offset].iter().filter(|b| **b == b'\n').count();
        self.offset = offset;
        self.line
    }
}

/// Commas, unless the header line uses semicolons and no commas (spreadsheets in the Indonesian
/// locale save CSV that way).
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    if header.contains(';') && !header.contains(',') {
        b';'
    } else {
        b','
    }
}

/// Where each of the kind's columns is in the file.
struct Header {
    /// By the kind's column number: the field index in the file, if present.
    index: Vec<Option<usize>>,
    width: usize,
}

impl Header {
    /// Map the header's names to columns; every unknown or repeated column, and every missing
    /// required one, is a file-level problem on the header's line.
    fn read(record: &csv::StringRecord, line: usize, columns: &[Column]) -> Result<Header, Vec<RejectedRow>> {
        let mut index: Vec<Option<usize>> = vec![None; columns.len()];
        let mut problems = Vec::new();
        let mut problem = |field: &str, problem: ImportProblem| problems.push(file_row(line, field, problem));
        for (i, name) in record.iter().enumerate() {
            let name = name.trim();
            match columns.iter().position(|c| c.name.eq_ignore_ascii_case(name)) {
                None if name.is_empty() => problem(FILE_FIELD, ImportProblem::UnnamedColumn(i + 1)),
                None => problem(
                    name,
                    ImportProblem::UnknownColumn {
                        name: name.to_owned(),
                        columns: names(columns).into_iter().map(str::to_owned).collect(),
                    },
                ),
                Some(c) if index[c].is_some() => problem(
                    columns[c].name,
                    ImportProblem::RepeatedColumn(columns[c].name.to_owned()),
                ),
                Some(c) => index[c] = Some(i),
            }
        }
        for (column, found) in columns.iter().zip(&index) {
            if found.is_none() && !column.optional {
                problem(column.name, ImportProblem::MissingColumn(column.name.to_owned()));
            }
        }
        if problems.is_empty() {
            Ok(Header {
                index,
                width: record.len(),
            })
        } else {
            Err(problems)
        }
    }
}
