//! `GET /exports/notifications?from=&to=`: the notification export for a date range (issue 15
//! §2; the record is `crate::export`). Managers only; audited with the count of records; never
//! cached (it is special-category personal data, clinical-model.md §9).

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::{AuthUser, Query};
use super::guard::require;
use crate::audit::Action;
use crate::export::{self, NotificationExport};
use crate::store::audit::{self, AuditRecord};
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::NaiveDate;
use jar_core::permissions::{self, Permission};
use serde::Deserialize;
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new()
        .route("/exports/notifications", get(notifications))
        .route("/exports/notifications/{reference}", get(one_notification))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// First UK date of notification, `YYYY-MM-DD`.
    #[param(value_type = NaiveDate)]
    from: Option<String>,
    /// Last UK date of notification (inclusive), `YYYY-MM-DD`.
    #[param(value_type = NaiveDate)]
    to: Option<String>,
    /// `json` (the default) or `csv`.
    #[param(schema_with = format_schema)]
    format: Option<String>,
}

/// `format`: one of the two answers' media types.
fn format_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["json", "csv"]))
        .build()
}

/// `format` of the per-case export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OneParams {
    /// `json` (the default) or `csv`.
    #[param(schema_with = format_schema)]
    format: Option<String>,
}

fn csv_wanted(format: Option<&str>) -> Result<bool> {
    match format {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(_) => Err(Error::BadRequest("format must be json or csv".into())),
    }
}

fn require_manager(who: &jar_core::permissions::Principal) -> Result<()> {
    require(who, (Permission::ListCases, "list cases"))?;
    if !permissions::manager_only(who.role) {
        return Err(Error::Forbidden(format!(
            "a {} cannot export notifications; a manager does",
            who.role.label()
        )));
    }
    Ok(())
}

fn answer(e: &NotificationExport, csv: bool) -> Result<axum::response::Response> {
    let (body, kind) = if csv {
        (export::to_csv(e), "text/csv; charset=utf-8")
    } else {
        (export::to_json(e)?, "application/json")
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

fn date(name: &str, v: &Option<String>) -> Result<NaiveDate> {
    let v = v
        .as_deref()
        .ok_or_else(|| Error::BadRequest(format!("{name} is required (YYYY-MM-DD)")))?;
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| Error::BadRequest(format!("{name} must be a date written YYYY-MM-DD")))
}

#[utoipa::path(get, path = "/api/v1/exports/notifications", tag = "exports",
    params(ExportParams),
    responses((status = 200, description = "the notifications made in the range in your areas: JSON, or CSV with `format=csv` (one row per record, the columns of docs/exports.md); audited with the count of records",
            content((NotificationExport = "application/json"), (String = "text/csv")),
            headers(("Cache-Control" = String, description = "`no-store`: the export is never cached"))),
        (status = 400, description = "`from` or `to` missing or not a date written YYYY-MM-DD, `to` before `from`, or a `format` other than json or csv"),
        (status = 403, description = "only a manager exports notifications")))]
pub async fn notifications(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Query(p): Query<ExportParams>,
) -> Result<axum::response::Response> {
    let who = &user.principal;
    require_manager(who)?;
    let (from, to) = (date("from", &p.from)?, date("to", &p.to)?);
    if to < from {
        return Err(Error::BadRequest("to must not be before from".into()));
    }
    let csv = csv_wanted(p.format.as_deref())?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    let e = export::build(tx.conn(), &who.areas, from, to, now).await?;
    let detail = format!(
        "records={} from={from} to={to} format={}",
        e.records.len(),
        if csv { "csv" } else { "json" }
    );
    let record = AuditRecord::by(who, Action::NotificationExport, None, &detail, &user.remote);
    audit::record(tx.conn(), record, now).await?;
    ctx.store.commit(tx).await?;
    answer(&e, csv)
}

#[utoipa::path(get, path = "/api/v1/exports/notifications/{reference}", tag = "exports",
    params(super::openapi::params::CasePath, OneParams),
    responses((status = 200, description = "one case's notification (the document of `GET /exports/notifications` with one record; `from` and `to` the day it was notified): JSON, or CSV with `format=csv`; audited against the case",
            content((NotificationExport = "application/json"), (String = "text/csv")),
            headers(("Cache-Control" = String, description = "`no-store`: the export is never cached"))),
        (status = 400, description = "a `format` other than json or csv"),
        (status = 403, description = "only a manager exports notifications"),
        (status = 404, description = "no such case in your areas")))]
pub async fn one_notification(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    super::extract::Path(reference): super::extract::Path<String>,
    Query(p): Query<OneParams>,
) -> Result<axum::response::Response> {
    let who = &user.principal;
    require_manager(who)?;
    let csv = csv_wanted(p.format.as_deref())?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    let e = if jar_core::case::is_case_ref(&reference) {
        export::one(tx.conn(), &who.areas, &reference, now).await?
    } else {
        None
    }
    .ok_or_else(|| Error::NotFound("no such case in your areas".into()))?;
    let detail = format!("records=1 format={}", if csv { "csv" } else { "json" });
    let record = AuditRecord::by(
        who,
        Action::NotificationExport,
        Some(&reference),
        &detail,
        &user.remote,
    );
    audit::record(tx.conn(), record, now).await?;
    ctx.store.commit(tx).await?;
    answer(&e, csv)
}
