//! `jarterm-server audit export`: the audit log, filtered, as CSV on standard output (issue 17
//! §2), for a CDR manager's review without curl.

use crate::store::Store;
use crate::store::audit::{self, AuditFilter};
use chrono::{DateTime, Utc};

/// What to export: every filter is optional and they combine (AND).
#[derive(Debug, Default, Clone)]
pub struct ExportFilter {
    pub case_ref: Option<String>,
    pub username: Option<String>,
    pub action: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Rows read per query.
const PAGE: i64 = 1000;

/// The filtered audit log as CSV, newest first (`store::audit::to_csv`).
pub async fn export_csv(database_url: &str, f: &ExportFilter) -> anyhow::Result<String> {
    if let Some(a) = &f.action
        && !crate::audit::ACTIONS.contains(&a.as_str())
    {
        anyhow::bail!(
            "there is no audit action {a:?}; use one of: {}",
            crate::audit::ACTIONS.join(", ")
        );
    }
    let store = Store::connect(database_url).await?;
    let mut conn = store.read().await?;
    let mut all = Vec::new();
    let mut before_id = None;
    loop {
        let filter = AuditFilter {
            case_ref: f.case_ref.clone(),
            username: f.username.clone(),
            since: f.since,
            until: f.until,
            action: f.action.clone(),
            before_id,
            limit: PAGE,
        };
        let page = audit::list(&mut conn, &filter).await?;
        let full = page.len() as i64 == PAGE;
        before_id = page.last().map(|e| e.id);
        all.extend(page);
        if !full {
            break;
        }
    }
    Ok(audit::to_csv(&all))
}
