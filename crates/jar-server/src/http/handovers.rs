//! `/handovers`: the on-call shift handover (issue 17 §1). The outgoing paediatrician sends
//! the I-PASS parts of each case (drafted by `jar_core::handover::draft`) to the incoming
//! colleague, who acknowledges each case, or all, and may become lead in the same step.
//! Reading is for the two people and the managers of the cases' areas
//! (`jar_core::permissions::may_read_handover`); a handover not fully acknowledged within
//! `jar_core::handover::ACK_WITHIN_MINUTES` reads as `overdue` (by the server's clock).

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::Path;
use super::extract::{AuthUser, IdemKey, RawBody};
use super::guard::Need;
use super::reply::Reply;
use super::write::{Begun, CaseWrite, Change, Idem, Write};
use crate::audit::Action;
use crate::store::{cases, changes, handovers, users};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use jar_core::handover::{
    self as ho, Handover, HandoverAck, HandoverCase, HandoverDraft, HandoverList, NewHandover,
};
use jar_core::permissions::{self, Permission, Principal};
use jar_core::wire::ChangeKind;
use jar_core::{Role, Stage};
use std::sync::Arc;

const SEND: Need = (Permission::HandOver, "send or acknowledge a handover");

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new()
        .route("/handovers", get(list_handovers).post(send_handover))
        .route("/handovers/draft", get(draft_handover))
        .route("/handovers/{id}", get(get_handover))
        .route("/handovers/{id}/acknowledgements", post(acknowledge))
}

fn not_found() -> Error {
    Error::NotFound("there is no handover with that id that you can see".into())
}

fn parse_id(id: &str) -> Result<i64> {
    id.parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(not_found)
}

fn may_read(who: &Principal, h: &Handover) -> bool {
    permissions::may_read_handover(who, &h.outgoing, &h.incoming, &h.areas)
}

#[utoipa::path(get, path = "/api/v1/handovers", tag = "handovers",
    responses((status = 200, body = HandoverList, description = "the handovers you sent or received, and, for managers, those of your areas; newest first. `overdue` marks one not fully acknowledged an hour after it was sent")))]
pub async fn list_handovers(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
) -> Result<axum::Json<HandoverList>> {
    let now = ctx.now();
    let items = handovers::list(&mut *ctx.store.read().await?, now)
        .await?
        .into_iter()
        .filter(|h| may_read(&user.principal, h))
        .collect();
    Ok(axum::Json(HandoverList { items }))
}

#[utoipa::path(get, path = "/api/v1/handovers/draft", tag = "handovers",
    responses((status = 200, body = HandoverDraft, description = "your handover as drafted from the data: every active case in your areas that you lead or wrote to in the last 24 hours, most urgent first, with the synthesis empty for you to write"),
        (status = 403, description = "your role does not take part in the on-call handover")))]
pub async fn draft_handover(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
) -> Result<axum::Json<HandoverDraft>> {
    let me = &user.principal;
    super::guard::require(me, SEND)?;
    let now = ctx.now();
    let mut conn = ctx.store.read().await?;
    let since = now - chrono::Duration::hours(ho::SHIFT_HOURS);
    let mut bundles = Vec::new();
    for reference in handovers::draft_refs(&mut conn, &me.username, since).await? {
        if let Some((id, case)) = cases::find(&mut conn, &reference).await?
            && permissions::in_scope(me, &case)
        {
            bundles.push(cases::bundle(&mut conn, id, case).await?);
        }
    }
    let prepared: Vec<_> = bundles
        .iter()
        .map(|b| {
            let deadlines =
                permissions::redact_deadlines(me.role, b.deadlines(&ctx.area_overrides, now));
            (b, deadlines, open_time_critical(b))
        })
        .collect();
    let cases: Vec<ho::DraftCase<'_>> = prepared
        .iter()
        .map(|(b, deadlines, open)| ho::DraftCase {
            case: &b.case,
            deadlines,
            open_time_critical: open,
            last_family_contact: b.last_family_contact(),
        })
        .collect();
    let mut entries = ho::draft(&cases, now);
    entries.truncate(ho::MAX_CASES);
    Ok(axum::Json(HandoverDraft { entries }))
}

/// The text of every open time-critical item (a window, or before transfer) of the case's
/// checklists.
fn open_time_critical(b: &crate::projection::Bundle) -> Vec<String> {
    b.checklists
        .iter()
        .filter_map(|(id, version)| jar_core::checklist::template_version(id, *version))
        .flat_map(|t| {
            t.items
                .iter()
                .filter(|item| item.is_time_critical())
                .filter(|item| {
                    !b.items.iter().any(|(tid, s)| {
                        tid == &t.id && s.item_id == item.id && s.status.is_closed()
                    })
                })
                .map(|item| item.text.clone())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/handovers/{id}", tag = "handovers",
    params(super::openapi::params::HandoverPath),
    responses((status = 200, body = Handover, description = "the handover"),
        (status = 404, description = "no handover with that id that you may read")))]
pub async fn get_handover(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<axum::Json<Handover>> {
    let id = parse_id(&id)?;
    let h = handovers::find(&mut *ctx.store.read().await?, id, ctx.now())
        .await?
        .filter(|h| may_read(&user.principal, h))
        .ok_or_else(not_found)?;
    Ok(axum::Json(h))
}

#[utoipa::path(post, path = "/api/v1/handovers", tag = "handovers", request_body = NewHandover,
    params(super::openapi::params::IdempotencyKey),
    responses((status = 201, body = Handover, description = "the handover, sent; `Location` is its address"),
        (status = 400, description = "no `Idempotency-Key`, or one that is malformed; or malformed JSON"),
        (status = 403, description = "your role does not take part in the on-call handover"),
        (status = 422, description = "the body breaks a rule: an incoming colleague who is not an active paediatrician covering every case, a case you cannot see or that is closed, or a case sent twice")))]
pub async fn send_handover(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    key: IdemKey,
    body: RawBody,
) -> Result<Reply> {
    let mut w = match Write::begin(
        &ctx,
        &user,
        SEND,
        Idem::Required(key),
        &body,
        "POST /handovers",
    )
    .await?
    {
        Begun::Replay(r, _) => return Ok(r),
        Begun::Fresh(w) => w,
    };
    let new: NewHandover = w.body(&body)?;
    let me = &user.principal;
    if new.duplicate().is_some() {
        return Err(Error::Unprocessable(
            "a case appears twice in the handover; send each case once".into(),
        ));
    }
    if new.incoming == me.username {
        return Err(Error::Unprocessable(
            "hand over to a colleague, not to yourself".into(),
        ));
    }
    let incoming = users::find(w.tx.conn(), &new.incoming)
        .await?
        .filter(|u| !u.summary.disabled && u.summary.role == Role::Paediatrician)
        .ok_or_else(|| {
            Error::Unprocessable(
                "the incoming colleague must be an active on-call paediatrician".into(),
            )
        })?;
    let incoming = Principal {
        username: incoming.summary.username,
        role: incoming.summary.role,
        areas: incoming.summary.areas,
    };
    let mut areas: Vec<String> = Vec::new();
    for e in &new.entries {
        let found = if jar_core::case::is_case_ref(&e.reference) {
            cases::find(w.tx.conn(), &e.reference).await?
        } else {
            None
        };
        let case = found
            .map(|(_, c)| c)
            .filter(|c| permissions::in_scope(me, c) && c.stage != Stage::Closed)
            .ok_or_else(|| {
                Error::Unprocessable(
                    "every case in a handover must be an open case you can see".into(),
                )
            })?;
        if !permissions::in_scope(&incoming, &case) {
            return Err(Error::Unprocessable(
                "the incoming colleague does not cover the area of every case".into(),
            ));
        }
        if !areas.contains(&case.area) {
            areas.push(case.area.clone());
        }
    }
    areas.sort();
    let entries: Vec<HandoverCase> = new
        .entries
        .into_iter()
        .map(|entry| HandoverCase {
            entry,
            acknowledged_at: None,
            became_lead: false,
        })
        .collect();
    let now = w.now;
    let h = handovers::insert(
        w.tx.conn(),
        &me.username,
        &incoming.username,
        &areas,
        &entries,
        now,
    )
    .await?;
    for c in &h.cases {
        let detail = format!("handover={} to={}", h.id, h.incoming);
        w.audit(Action::HandoverSend, Some(&c.entry.reference), &detail)
            .await?;
    }
    for area in &h.areas {
        changes::insert_area(
            w.tx.conn(),
            ChangeKind::HandoverSent,
            area,
            h.id.to_string(),
            now,
        )
        .await?;
    }
    let reply = Reply::json(StatusCode::CREATED, &h)?.location(format!(
        "{}/handovers/{}",
        jar_core::wire::API_PREFIX,
        h.id
    ));
    w.commit(reply).await
}

#[utoipa::path(post, path = "/api/v1/handovers/{id}/acknowledgements", tag = "handovers",
    request_body = HandoverAck,
    params(super::openapi::params::HandoverPath),
    responses((status = 200, body = Handover, description = "the handover with the cases acknowledged (acknowledging a case again changes nothing)"),
        (status = 400, description = "malformed JSON"),
        (status = 403, description = "only the incoming colleague may acknowledge"),
        (status = 404, description = "no handover with that id that you may read, or a case that is no longer yours to see"),
        (status = 409, description = "another server changed a case at the same moment; try again"),
        (status = 422, description = "a reference that is not in this handover")))]
pub async fn acknowledge(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(id): Path<String>,
    body: RawBody,
) -> Result<Reply> {
    let id = parse_id(&id)?;
    let mut w = match Write::begin(&ctx, &user, SEND, Idem::None, &body, "").await? {
        Begun::Replay(r, _) => return Ok(r),
        Begun::Fresh(w) => w,
    };
    let me = &user.principal;
    let mut h = handovers::find(w.tx.conn(), id, w.now)
        .await?
        .filter(|h| may_read(me, h))
        .ok_or_else(not_found)?;
    if h.incoming != me.username {
        return Err(Error::Forbidden(
            "only the incoming colleague can acknowledge this handover".into(),
        ));
    }
    let ack: HandoverAck = w.body(&body)?;
    let unknown = |r: &String| !h.cases.iter().any(|c| &c.entry.reference == r);
    if ack.cases.iter().any(unknown) {
        return Err(Error::Unprocessable(
            "`cases` names a case that is not in this handover".into(),
        ));
    }
    let now = w.now;
    let targets: Vec<String> = h
        .cases
        .iter()
        .filter(|c| c.acknowledged_at.is_none())
        .filter(|c| ack.cases.is_empty() || ack.cases.contains(&c.entry.reference))
        .map(|c| c.entry.reference.clone())
        .collect();
    for reference in &targets {
        if ack.become_lead {
            let mut cw = CaseWrite::within(w, reference).await?;
            let lead = Some(me.username.clone());
            if cw.b.case.people.lead_paediatrician != lead {
                cw.b.case.people.lead_paediatrician = lead;
                cw.save(true).await?;
                let change = Change {
                    kind: ChangeKind::CaseUpdated,
                    version: cw.b.case.version,
                    item: None,
                    restricted: false,
                };
                let detail = format!("fields=people handover={id}");
                w = cw.finish(change, (Action::CaseUpdate, &detail)).await?;
            } else {
                w = cw.w;
            }
        }
        let detail = format!("handover={id} lead={}", ack.become_lead);
        w.audit(Action::HandoverAck, Some(reference), &detail)
            .await?;
        if let Some(c) = h.cases.iter_mut().find(|c| &c.entry.reference == reference) {
            c.acknowledged_at = Some(now);
            c.became_lead = ack.become_lead;
        }
    }
    if !targets.is_empty() {
        handovers::save_cases(w.tx.conn(), id, &h.cases).await?;
        for area in &h.areas {
            changes::insert_area(
                w.tx.conn(),
                ChangeKind::HandoverAcknowledged,
                area,
                id.to_string(),
                now,
            )
            .await?;
        }
    }
    h.refresh(now);
    w.commit(Reply::json(StatusCode::OK, &h)?).await
}
