//! Connecting to SQLite (embedded default) or PostgreSQL, and running the migrations.

use std::str::FromStr;
use std::time::Duration;

use casia_migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ConnectOptions, ConnectionTrait, Database,
    DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, EntityTrait, IntoActiveModel,
    PrimaryKeyTrait, SqlxSqliteConnector,
};

/// Opens the database and brings its schema up to date.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, DbErr> {
    let db = connect(url).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    if url.starts_with("sqlite:") {
        // WAL lets readers run beside the writer; the busy timeout makes writers queue
        // instead of failing when several requests write at once.
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        // The file's folder, as sqlx read the URL (an in-memory database has none).
        if let Some(dir) = options.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| DbErr::Custom(format!("creating {}: {e}", dir.display())))?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
    } else {
        let mut options = ConnectOptions::new(url);
        options
            .max_connections(32)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(30))
            .sqlx_logging(false);
        Database::connect(options).await
    }
}

pub fn is_sqlite(db: &DatabaseConnection) -> bool {
    db.get_database_backend() == DbBackend::Sqlite
}

/// A unique-constraint violation (used where a duplicate is an expected outcome).
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// The row with this primary key, or `NotFound`.
pub(crate) async fn found<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: impl Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
) -> crate::ServiceResult<E::Model> {
    E::find_by_id(id)
        .one(db)
        .await?
        .ok_or(crate::ServiceError::NotFound)
}

/// Sets the boolean `column` (an `active` flag) of the row with this primary key; the row
/// as it was, for the audit event's `before`.
pub(crate) async fn switch<E>(
    db: &impl ConnectionTrait,
    id: i64,
    column: E::Column,
    on: bool,
) -> crate::ServiceResult<E::Model>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
    E::Model: IntoActiveModel<E::ActiveModel> + Clone,
    E::ActiveModel: ActiveModelBehavior + Send,
{
    let before = found::<E>(db, id).await?;
    let mut row = before.clone().into_active_model();
    row.set(column, on.into());
    row.update(db).await?;
    Ok(before)
}

/// Inserts `row` unless a row with the same `key` columns is there already (for rows whose
/// duplicate is an expected outcome: a first writer wins, the others change nothing).
pub(crate) async fn insert_unless_present<A, C>(
    db: &impl ConnectionTrait,
    row: A,
    key: impl IntoIterator<Item = C>,
) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
    C: sea_orm::sea_query::IntoIden,
{
    A::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns(key)
                .do_nothing()
                .to_owned(),
        )
        .try_insert()
        .exec(db)
        .await?;
    Ok(())
}

/// Runs `work` in a transaction that takes the write lock at once (`BEGIN IMMEDIATE` on
/// SQLite): for changes that read a row, then write it and its audit event. A deferred SQLite
/// transaction would fail to upgrade its read if anyone else wrote meanwhile.
pub async fn write_transaction<T>(
    db: &DatabaseConnection,
    work: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> crate::ServiceResult<T>,
) -> crate::ServiceResult<T> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    let tx = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await?;
    settle(tx, work).await
}

/// Runs `work` in `tx`: committed if it succeeds, rolled back if not.
pub(crate) async fn settle<T>(
    tx: DatabaseTransaction,
    work: impl AsyncFnOnce(&DatabaseTransaction) -> crate::ServiceResult<T>,
) -> crate::ServiceResult<T> {
    match work(&tx).await {
        Ok(value) => {
            tx.commit().await?;
            Ok(value)
        }
        Err(e) => {
            tx.rollback().await.ok();
            Err(e)
        }
    }
}

/// Text the database cannot store, sent by a client: PostgreSQL refuses the NUL character
/// (SQLSTATE 22021) and characters its encoding lacks (22P05). A client's mistake, not a
/// server fault, whatever query met it.
pub fn is_unstorable_text(err: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    let (DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e))) = err
    else {
        return false;
    };
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|code| code == "22021" || code == "22P05")
}

#[cfg(test)]
mod tests {
    use super::connect;

    #[tokio::test]
    async fn a_sqlite_file_gets_its_folder_and_memory_needs_none() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("nested folder/data/casia.db");
        // The folder as the URL names it: sqlx's own reading of it (spaces escaped).
        let url = format!(
            "sqlite://{}?mode=rwc",
            file.display().to_string().replace(' ', "%20")
        );
        connect(&url).await.unwrap();
        assert!(file.exists(), "{}", file.display());
        connect("sqlite::memory:").await.unwrap();
    }
}
