//! `jarterm-server user add|list|disable|reset-password`: set-up and recovery without the API.

use crate::store::{Store, is_unique_violation, users};
use chrono::Utc;
use jar_core::Role;

pub async fn add(
    database_url: &str,
    name: &str,
    role: Role,
    areas: &[String],
    password: &str,
) -> anyhow::Result<()> {
    let new = jar_core::wire::NewUser {
        username: name.to_string(),
        password: password.to_string(),
        role,
        areas: areas.to_vec(),
    };
    new.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
    let store = Store::connect(database_url).await?;
    let phc = crate::auth::hash_password(password.to_string()).await?;
    let mut tx = store.begin().await?;
    match users::insert(tx.conn(), name, &phc, role, areas, Utc::now()).await {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => anyhow::bail!("there is already a user called {name}"),
        Err(e) => return Err(e),
    }
    store.commit(tx).await?;
    Ok(())
}

pub async fn list(database_url: &str) -> anyhow::Result<Vec<jar_core::wire::UserSummary>> {
    let store = Store::connect(database_url).await?;
    users::list(&mut *store.read().await?).await
}

pub async fn disable(database_url: &str, name: &str) -> anyhow::Result<()> {
    let store = Store::connect(database_url).await?;
    let mut tx = store.begin().await?;
    if !users::disable(tx.conn(), name).await? {
        anyhow::bail!("there is no user called {name}");
    }
    store.commit(tx).await?;
    Ok(())
}

/// Set a new one-time password (`auth::one_time_password`) and revoke the user's tokens, as
/// `POST /users/{name}/password` does; returns the password to show once.
pub async fn reset_password(database_url: &str, name: &str) -> anyhow::Result<String> {
    let store = Store::connect(database_url).await?;
    let password = crate::auth::one_time_password();
    let phc = crate::auth::hash_password(password.clone()).await?;
    let mut tx = store.begin().await?;
    if !users::set_password(tx.conn(), name, &phc).await? {
        anyhow::bail!("there is no user called {name}");
    }
    store.commit(tx).await?;
    Ok(password)
}
