//! Look-ups the employee import needs before it writes: which of a file's NIPs are already
//! stored.

use super::{Store, StoreError};
use sqlx::Row;
use std::collections::HashSet;

/// NIPs per `IN (…)` query: far below SQLite's and PostgreSQL's bound-parameter limits, and
/// small enough that a 100,000-row file needs only a few hundred round trips.
const NIPS_PER_QUERY: usize = 500;

impl Store {
    /// Which of `nips` already belong to a stored employee.
    pub async fn existing_nips(&self, nips: &[&str]) -> Result<HashSet<String>, StoreError> {
        let mut found = HashSet::new();
        for chunk in nips.chunks(NIPS_PER_QUERY) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!("SELECT nip FROM employees WHERE nip IN ({})", placeholders.join(", "));
            let mut query = sqlx::query(&sql);
            for nip in chunk {
                query = query.bind(*nip);
            }
            for row in query.fetch_all(&self.pool).await? {
                found.insert(row.try_get::<String, _>("nip")?);
            }
        }
        Ok(found)
    }
}
