//! A deadline marked **not applicable** for one case, with a reason, and the mark taken back
//! (issue 14 §2): e.g. no joint home visit after a death in PICU. The mark is kept on the case
//! (a new version, so If-Match guards it), audited both ways, shown on the Summary, and the
//! deadline leaves the overdue counts and the board. The rule itself is never changed.

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::Path;
use super::extract::{AuthUser, IfMatch, RawBody};
use super::reply::Reply;
use super::write::{Begun, CaseWrite, Change, Idem};
use crate::audit::Action;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::put;
use jar_core::correction::MarkNotApplicable;
use jar_core::deadline::{self, NotApplicable};
use jar_core::permissions::{self, Permission};
use jar_core::wire::{CaseDetail, ChangeKind};
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new().route(
        "/cases/{reference}/deadlines/{rule}/not-applicable",
        put(mark_not_applicable).delete(unmark_not_applicable),
    )
}

/// The case write, with the If-Match check and the rule found among the case's deadlines
/// as this person sees them (a clock they may not see is "no such deadline").
async fn begin<'a>(
    ctx: &'a ApiContext,
    user: &'a AuthUser,
    reference: &str,
    rule: &str,
    if_match: IfMatch,
    body: &RawBody,
) -> Result<CaseWrite<'a>> {
    let need = (Permission::UpdateCase, "mark a deadline not applicable");
    // Idem::None: never a replay (If-Match makes the write safe to repeat).
    let cw = match CaseWrite::begin(ctx, user, reference, Some(need), Idem::None, body, "").await? {
        Begun::Replay(_, cw) | Begun::Fresh(cw) => cw,
    };
    let now = cw.w.now;
    if if_match.required()? != Some(cw.read_version) {
        let current =
            serde_json::to_value(super::cases::detail_for(ctx, &user.principal, &cw.b, now))
                .map_err(anyhow::Error::from)?;
        return Err(Error::Stale(current));
    }
    let visible = permissions::redact_deadlines(
        user.principal.role,
        cw.b.deadlines(&ctx.area_overrides, now),
    );
    if !visible.iter().any(|d| d.rule_id == rule) {
        return Err(Error::NotFound(
            "this case has no such deadline (a rule of another category, or switched off in this area)".into(),
        ));
    }
    Ok(cw)
}

async fn finish(
    ctx: &ApiContext,
    user: &AuthUser,
    mut cw: CaseWrite<'_>,
    rule: &str,
    (action, detail): (Action, &str),
) -> Result<Reply> {
    let now = cw.w.now;
    cw.save(true).await?;
    let version = cw.b.case.version;
    let change = Change {
        kind: ChangeKind::CaseUpdated,
        version,
        item: None,
        // A mark on a safeguarding clock reveals the track: only its readers hear of it.
        restricted: deadline::is_restricted_rule(rule),
    };
    let reply = Reply::json(
        StatusCode::OK,
        &super::cases::detail_for(ctx, &user.principal, &cw.b, now),
    )?
    .etag(version);
    cw.commit(Some(change), (action, detail), reply).await
}

#[utoipa::path(put, path = "/api/v1/cases/{reference}/deadlines/{rule}/not-applicable", tag = "cases",
    request_body = MarkNotApplicable,
    params(super::openapi::params::CasePath, super::openapi::params::RulePath, super::openapi::params::IfMatch),
    responses((status = 200, body = CaseDetail, description = "the case with the deadline not applicable (state `not_applicable`, its reason beside it); audited. Marking it again with another reason replaces the reason"),
        (status = 403, description = "your role may not change a case"),
        (status = 404, description = "no such case that you can see, or no such deadline on it"),
        (status = 409, description = "another server changed this case at the same moment; try again"),
        (status = 412, description = "`If-Match` names another version; `current` holds the case as it is now"),
        (status = 422, description = "the reason is missing, shorter than 10 characters or one character repeated"),
        (status = 428, description = "this write needs `If-Match` with the case's `ETag`")))]
pub async fn mark_not_applicable(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path((reference, rule)): Path<(String, String)>,
    if_match: IfMatch,
    body: RawBody,
) -> Result<Reply> {
    let mut cw = begin(&ctx, &user, &reference, &rule, if_match, &body).await?;
    let req: MarkNotApplicable = cw.body(&body)?;
    let now = cw.w.now;
    if let Some(n) = cw.b.case.not_applicable.iter().find(|n| n.rule_id == rule)
        && n.reason == req.reason
    {
        // The same mark again: nothing changes, no new version, no audit row.
        let detail = super::cases::detail_for(&ctx, &user.principal, &cw.b, now);
        return Ok(Reply::json(StatusCode::OK, &detail)?.etag(cw.read_version));
    }
    cw.b.case.not_applicable.retain(|n| n.rule_id != rule);
    cw.b.case.not_applicable.push(NotApplicable {
        rule_id: rule.clone(),
        reason: req.reason.clone(),
        by: user.principal.username.clone(),
        at: now,
    });
    let detail = format!("rule={rule}; reason: {}", req.reason);
    finish(
        &ctx,
        &user,
        cw,
        &rule,
        (Action::DeadlineNotApplicable, &detail),
    )
    .await
}

#[utoipa::path(delete, path = "/api/v1/cases/{reference}/deadlines/{rule}/not-applicable", tag = "cases",
    params(super::openapi::params::CasePath, super::openapi::params::RulePath, super::openapi::params::IfMatch),
    responses((status = 200, body = CaseDetail, description = "the deadline applies again and counts as before; audited (taking back a mark that is not there changes nothing)"),
        (status = 403, description = "your role may not change a case"),
        (status = 404, description = "no such case that you can see, or no such deadline on it"),
        (status = 409, description = "another server changed this case at the same moment; try again"),
        (status = 412, description = "`If-Match` names another version; `current` holds the case as it is now"),
        (status = 428, description = "this write needs `If-Match` with the case's `ETag`")))]
pub async fn unmark_not_applicable(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path((reference, rule)): Path<(String, String)>,
    if_match: IfMatch,
) -> Result<Reply> {
    let body = RawBody(Default::default());
    let mut cw = begin(&ctx, &user, &reference, &rule, if_match, &body).await?;
    let now = cw.w.now;
    let before = cw.b.case.not_applicable.len();
    cw.b.case.not_applicable.retain(|n| n.rule_id != rule);
    if cw.b.case.not_applicable.len() == before {
        let detail = super::cases::detail_for(&ctx, &user.principal, &cw.b, now);
        return Ok(Reply::json(StatusCode::OK, &detail)?.etag(cw.read_version));
    }
    let detail = format!("rule={rule}; applies again");
    finish(
        &ctx,
        &user,
        cw,
        &rule,
        (Action::DeadlineReinstated, &detail),
    )
    .await
}
