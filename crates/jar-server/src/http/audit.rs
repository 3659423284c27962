//! `GET /audit`: managers read the audit log, newest first.

use super::ApiContext;
use super::case_list::parse_limit;
use super::error::{Error, Result};
use super::extract::{AuthUser, Query};
use super::guard::require;
use crate::store::audit;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use chrono::{DateTime, Utc};
use jar_core::permissions::Permission;
use jar_core::wire::AuditList;
use serde::Deserialize;
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new().route("/audit", get(list_audit))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// A case reference.
    #[param(schema_with = jar_core::text::schema::any_line)]
    case: Option<String>,
    /// A username.
    #[param(schema_with = jar_core::text::schema::any_line)]
    user: Option<String>,
    /// Only entries at or after this time (RFC 3339).
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    since: Option<String>,
    /// Only entries before this time (RFC 3339).
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    until: Option<String>,
    /// One action, e.g. `identity.reveal` (see docs/api.md for the list).
    #[param(schema_with = jar_core::text::schema::any_line)]
    action: Option<String>,
    /// Default 100, at most 1000.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
    /// `next_cursor` of the page before.
    #[param(value_type = Option<i64>)]
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = AuditList, description = "audit entries, newest first"),
        (status = 400, description = "a query parameter is not as documented"),
        (status = 403, description = "your role may not read the audit log")))]
pub async fn list_audit(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Query(p): Query<AuditParams>,
) -> Result<axum::Json<AuditList>> {
    require(
        &user.principal,
        (Permission::ReadAudit, "read the audit log"),
    )?;
    let limit = parse_limit(&p.limit)?;
    let time = |v: &Option<String>, name: &str| {
        v.as_deref()
            .map(|s| DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)))
            .transpose()
            .map_err(|_| {
                Error::BadRequest(format!(
                    "{name} must be an RFC 3339 time, e.g. 2026-03-01T00:00:00Z"
                ))
            })
    };
    let since = time(&p.since, "since")?;
    let until = time(&p.until, "until")?;
    let before_id = p
        .cursor
        .as_deref()
        .map(|c| c.parse::<i64>())
        .transpose()
        .map_err(|_| Error::BadRequest("the cursor is not one this server gave out".into()))?;
    let filter = audit::AuditFilter {
        case_ref: p.case,
        username: p.user,
        since,
        until,
        action: p.action,
        before_id,
        limit: limit + 1,
    };
    let mut items = audit::list(&mut *ctx.store.read().await?, &filter).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|e| e.id.to_string())
    } else {
        None
    };
    Ok(axum::Json(AuditList { items, next_cursor }))
}
