//! Schema migrations, embedded at build time and run at start. Each backend has its own SQL
//! files because DDL is where SQLite and PostgreSQL differ; the queries elsewhere are shared.

use super::{Backend, Store};
use anyhow::Context;

const SQLITE: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_init.sql")),
    (
        2,
        include_str!("../../migrations/sqlite/0002_handovers.sql"),
    ),
    (3, include_str!("../../migrations/sqlite/0003_identity.sql")),
    (
        6,
        include_str!("../../migrations/sqlite/0006_family_contact.sql"),
    ),
    (7, include_str!("../../migrations/sqlite/0007_review.sql")),
];
const POSTGRES: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/postgres/0001_init.sql")),
    (
        2,
        include_str!("../../migrations/postgres/0002_handovers.sql"),
    ),
    (
        3,
        include_str!("../../migrations/postgres/0003_identity.sql"),
    ),
    (
        6,
        include_str!("../../migrations/postgres/0006_family_contact.sql"),
    ),
    (7, include_str!("../../migrations/postgres/0007_review.sql")),
];

pub async fn run(store: &Store) -> anyhow::Result<()> {
    let mut tx = store.begin().await?;
    sqlx::query("CREATE TABLE IF NOT EXISTS jar_schema (version BIGINT PRIMARY KEY)")
        .execute(tx.conn())
        .await?;
    let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM jar_schema")
        .fetch_one(tx.conn())
        .await?;
    let applied = applied.unwrap_or(0);
    let files = match store.backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    for (version, sql) in files.iter().filter(|(v, _)| *v > applied) {
        for statement in statements(sql) {
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(tx.conn())
                .await
                .with_context(|| format!("migration {version} failed"))?;
        }
        sqlx::query("INSERT INTO jar_schema (version) VALUES ($1)")
            .bind(*version)
            .execute(tx.conn())
            .await?;
    }
    tx.tx.commit().await?;
    Ok(())
}

/// Split a migration into statements: our files keep one statement per `;`-terminated block
/// and never put `;` inside a literal.
fn statements(sql: &str) -> Vec<String> {
    let without_comments: String = sql
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    without_comments
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
