//! `dwa backup`'s copy of a SQLite database: `VACUUM INTO` a new file, which SQLite writes from
//! one read transaction — a consistent snapshot of a live database that a running `dwa serve`
//! keeps writing to (WAL lets it), with no lock on the writers. A PostgreSQL database is backed
//! up with `pg_dump`, not here.

use super::{Backend, Store, StoreError};
use std::path::Path;

impl Store {
    /// Copy the SQLite database into `dest`, a new file created readable and writable by its
    /// owner only (0600, as the database: it holds personnel data and token hashes). An existing
    /// file is never overwritten; on failure nothing is left at `dest`. The bytes written.
    pub async fn backup_sqlite(&self, dest: &Path) -> Result<u64, StoreError> {
        let failed = |reason: String| StoreError::Backup {
            path: dest.display().to_string(),
            reason,
        };
        if self.backend != Backend::Sqlite {
            return Err(failed(
                "only a SQLite database is copied here; use pg_dump for PostgreSQL".into(),
            ));
        }
        let target = dest
            .to_str()
            .ok_or_else(|| failed("the file name is not valid UTF-8".into()))?;
        // Created empty first (VACUUM INTO accepts an empty file): `create_new` refuses an
        // existing file without a race, and the mode is set before any data is in it.
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(dest).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => failed("the file exists; a backup never overwrites one".into()),
            _ => failed(e.to_string()),
        })?;
        let copied = async {
            sqlx::query("VACUUM INTO $1").bind(target).execute(&self.pool).await?;
            // SQLite does not sync the copy; a backup that a power cut can lose is no backup.
            let file = std::fs::File::open(dest).map_err(|e| failed(e.to_string()))?;
            file.sync_all().map_err(|e| failed(e.to_string()))?;
            Ok::<u64, StoreError>(file.metadata().map_err(|e| failed(e.to_string()))?.len())
        }
        .await;
        if copied.is_err() {
            let _ = std::fs::remove_file(dest);
        }
        copied
    }
}

#[cfg(all(test, unix))]
mod tests {
    use crate::{OnConnect, Store, StoreError};
    use std::os::unix::fs::PermissionsExt;

    #[tokio::test]
    async fn a_backup_is_a_private_new_file_with_the_same_rows() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("dwa.db").display());
        let store = Store::connect(&url).await.unwrap();
        store.upsert_region("32", "Provinsi Jawa Barat").await.unwrap();
        let copy = dir.path().join("copy.db");
        assert!(store.backup_sqlite(&copy).await.unwrap() > 0);
        assert_eq!(std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777, 0o600);
        let before = std::fs::read(&copy).unwrap();
        store.upsert_region("3216", "Kabupaten Bekasi").await.unwrap();
        assert!(
            matches!(store.backup_sqlite(&copy).await, Err(StoreError::Backup { reason, .. }) if reason.contains("exists"))
        );
        assert_eq!(
            std::fs::read(&copy).unwrap(),
            before,
            "an existing file is left as it was"
        );

        let restored = Store::connect_with(&format!("sqlite://{}", copy.display()), OnConnect::Existing)
            .await
            .unwrap();
        assert!(restored.schema_status().await.unwrap().is_current());
        assert_eq!(restored.count("regions").await.unwrap(), 1, "the copy is of its moment");
    }
}
