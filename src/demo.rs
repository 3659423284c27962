//! `jarterm demo`: the case API in-process on loopback with a temporary SQLite file and
//! synthetic cases, signed in as the demo user for a role. The data is removed on quit.

use anyhow::Context;
use jar_core::Role;
use jar_server::demo::{DEMO_PASSWORD, DEMO_USERS};
use jar_server::{RunningServer, ServerConfig};

use crate::api::Client;
use jar_core::wire::LoginResponse;

pub struct Demo {
    pub server: RunningServer,
    pub client: Client,
    pub login: LoginResponse,
    /// Removed when dropped.
    pub dir: tempfile::TempDir,
}

pub fn demo_user(role: Role) -> &'static str {
    DEMO_USERS
        .iter()
        .find(|(_, r)| *r == role)
        .map(|(u, _)| *u)
        .unwrap_or("demo-paed")
}

/// Start the server with demo data and sign in as `role`'s demo user.
pub async fn start(role: Role, cases: Option<usize>) -> anyhow::Result<Demo> {
    let dir = tempfile::Builder::new()
        .prefix("jarterm-demo-")
        .tempdir()
        .context("cannot create a temporary directory for the demo data")?;
    let db = format!("sqlite://{}", dir.path().join("demo.db").display());
    let mut config = ServerConfig::loopback(db);
    config.demo_cases = Some(cases.unwrap_or(jar_server::demo::DEFAULT_CASES));
    let server = jar_server::start(config)
        .await
        .context("the demo case API did not start")?;
    let client = Client::new(&server.base_url()).map_err(|e| anyhow::anyhow!(e.describe()))?;
    let login = client
        .login(demo_user(role), DEMO_PASSWORD)
        .await
        .map_err(|e| anyhow::anyhow!("demo sign-in failed: {}", e.describe()))?;
    client.set_token(Some(login.token.clone()));
    Ok(Demo {
        server,
        client,
        login,
        dir,
    })
}
