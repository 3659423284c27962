//! `/cases/{ref}/involvements`: the professionals and agencies involved with the child and
//! their agency reports (issue 16 §4, the reporting forms): added by anyone on the case;
//! requested, chased and returned as the CDR office records them.

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::Path;
use super::extract::{AuthUser, IdemKey, RawBody};
use super::guard::find_in_scope;
use super::reply::Reply;
use super::write::{Begun, CaseWrite, Change, Idem};
use crate::audit::Action;
use crate::store::review;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use jar_core::permissions;
use jar_core::reports::{Involvement, InvolvementList, NewInvolvement, ReportStep};
use jar_core::wire::ChangeKind;
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new()
        .route(
            "/cases/{reference}/involvements",
            get(list_involvements).post(add_involvement),
        )
        .route(
            "/cases/{reference}/involvements/{id}/steps",
            post(report_step),
        )
}

#[utoipa::path(get, path = "/api/v1/cases/{reference}/involvements", tag = "review",
    params(super::openapi::params::CasePath),
    responses((status = 200, body = InvolvementList, description = "the professionals involved and their agency reports, oldest first"),
        (status = 404, description = "no such case that you can see")))]
pub async fn list_involvements(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
) -> Result<axum::Json<InvolvementList>> {
    let mut conn = ctx.store.read().await?;
    let (id, _) = find_in_scope(&mut conn, &user.principal, &reference, ctx.now()).await?;
    let items = review::involvements(&mut conn, id).await?;
    Ok(axum::Json(InvolvementList { items }))
}

#[utoipa::path(post, path = "/api/v1/cases/{reference}/involvements", tag = "review",
    request_body = NewInvolvement,
    params(super::openapi::params::CasePath, super::openapi::params::IdempotencyKey),
    responses((status = 201, body = Involvement, description = "the professional or agency, added"),
        (status = 400, description = "no `Idempotency-Key`, or one that is malformed; or malformed JSON"),
        (status = 403, description = "only people named on the case and the CDR manager add to the list"),
        (status = 404, description = "no such case that you can see"),
        (status = 409, description = "another server changed this case at the same moment; try again")))]
pub async fn add_involvement(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
    key: IdemKey,
    body: RawBody,
) -> Result<Reply> {
    let scope = format!("involvements {reference}");
    let mut cw = match CaseWrite::begin(
        &ctx,
        &user,
        &reference,
        None,
        Idem::Required(key),
        &body,
        &scope,
    )
    .await?
    {
        Begun::Replay(r, _) => return Ok(r),
        Begun::Fresh(w) => w,
    };
    let who = &user.principal;
    if !permissions::may_add_involvement(who, &cw.b.case) {
        return Err(Error::Forbidden(
            "only people named on the case and the CDR manager add professionals involved".into(),
        ));
    }
    let new: NewInvolvement = cw.body(&body)?;
    let mut inv = Involvement::added(new, &who.username, cw.w.now);
    inv.id = review::insert_involvement(cw.w.tx.conn(), cw.b.id, &inv).await?;
    let change = Change {
        kind: ChangeKind::InvolvementChanged,
        version: cw.read_version,
        item: Some(inv.id.to_string()),
        restricted: false,
    };
    let detail = format!("involvement={} agency={:?}", inv.id, inv.agency);
    let reply = Reply::json(StatusCode::CREATED, &inv)?;
    cw.commit(Some(change), (Action::InvolvementAdd, &detail), reply)
        .await
}

#[utoipa::path(post, path = "/api/v1/cases/{reference}/involvements/{id}/steps", tag = "review",
    request_body = ReportStep,
    params(super::openapi::params::InvolvementPath, super::openapi::params::IdempotencyKey),
    responses((status = 200, body = Involvement, description = "the agency report with the step recorded"),
        (status = 400, description = "no `Idempotency-Key`, or one that is malformed; or malformed JSON"),
        (status = 403, description = "only the CDR office records reports requested, chased and returned"),
        (status = 404, description = "no such case that you can see, or no such professional on it"),
        (status = 409, description = "the step does not follow (chased before requested, anything after returned)"),
        (status = 422, description = "a field breaks a rule (due before the request, a time in the future)")))]
pub async fn report_step(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path((reference, inv_id)): Path<(String, String)>,
    key: IdemKey,
    body: RawBody,
) -> Result<Reply> {
    let scope = format!("involvement {reference} {inv_id}");
    let mut cw = match CaseWrite::begin(
        &ctx,
        &user,
        &reference,
        None,
        Idem::Required(key),
        &body,
        &scope,
    )
    .await?
    {
        Begun::Replay(r, _) => return Ok(r),
        Begun::Fresh(w) => w,
    };
    let who = &user.principal;
    if !permissions::may_record_report_step(who.role) {
        return Err(Error::Forbidden(format!(
            "a {} cannot record agency reports; the CDR office does",
            who.role.label()
        )));
    }
    let not_found = || Error::NotFound("there is no such professional on this case".into());
    let inv_id: i64 = inv_id.parse().map_err(|_| not_found())?;
    let mut inv = review::involvements(cw.w.tx.conn(), cw.b.id)
        .await?
        .into_iter()
        .find(|i| i.id == inv_id)
        .ok_or_else(not_found)?;
    let step: ReportStep = cw.body(&body)?;
    if let Some(bad) = jar_core::plausibility::happened("at", step.at(), cw.w.now) {
        return Err(Error::Unprocessable(format!(
            "{} {}",
            bad.field, bad.message
        )));
    }
    inv.record(step.clone(), &who.username)
        .map_err(|why| Error::Conflict(why.into()))?;
    review::update_involvement(cw.w.tx.conn(), &inv).await?;
    let change = Change {
        kind: ChangeKind::InvolvementChanged,
        version: cw.read_version,
        item: Some(inv.id.to_string()),
        restricted: false,
    };
    let name = match step {
        ReportStep::Requested { .. } => "requested",
        ReportStep::Chased { .. } => "chased",
        ReportStep::Returned { .. } => "returned",
    };
    let detail = format!("involvement={} step={name}", inv.id);
    let reply = Reply::json(StatusCode::OK, &inv)?;
    cw.commit(Some(change), (Action::ReportStep, &detail), reply)
        .await
}
