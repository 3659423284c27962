//! `/cases/{ref}/questions`: the family's questions (issue 16 §2). Each reader receives only
//! the questions `jar_core::permissions::may_read_question` lets them see (police and social
//! care: their own agency's); every read is audited by count, every write through the one
//! write path.

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::Path;
use super::extract::{AuthUser, IdemKey, RawBody};
use super::guard::find_in_scope;
use super::reply::Reply;
use super::write::{Begun, CaseWrite, Change, Idem};
use crate::audit::Action;
use crate::store::audit::AuditRecord;
use crate::store::{audit, records, review};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use jar_core::permissions;
use jar_core::questions::{FamilyQuestion, NewQuestion, QuestionAdvance, QuestionList};
use jar_core::wire::ChangeKind;
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new()
        .route(
            "/cases/{reference}/questions",
            get(list_questions).post(raise_question),
        )
        .route(
            "/cases/{reference}/questions/{id}/steps",
            post(advance_question),
        )
}

#[utoipa::path(get, path = "/api/v1/cases/{reference}/questions", tag = "questions",
    params(super::openapi::params::CasePath),
    responses((status = 200, body = QuestionList, description = "the family's questions you may see, oldest first (police and social care: those their agency is asked to answer); the read is audited"),
        (status = 404, description = "no such case that you can see")))]
pub async fn list_questions(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
) -> Result<axum::Json<QuestionList>> {
    let who = &user.principal;
    let mut tx = ctx.store.begin().await?;
    let (id, case) = find_in_scope(tx.conn(), who, &reference, ctx.now()).await?;
    let items: Vec<FamilyQuestion> = review::questions(tx.conn(), id)
        .await?
        .into_iter()
        .filter(|q| permissions::may_read_question(who, &case, q))
        .collect();
    let detail = format!("questions={}", items.len());
    let record = AuditRecord::by(
        who,
        Action::QuestionsRead,
        Some(&reference),
        &detail,
        &user.remote,
    );
    audit::record(tx.conn(), record, ctx.now()).await?;
    ctx.store.commit(tx).await?;
    Ok(axum::Json(QuestionList { items }))
}

#[utoipa::path(post, path = "/api/v1/cases/{reference}/questions", tag = "questions",
    request_body = NewQuestion,
    params(super::openapi::params::CasePath, super::openapi::params::IdempotencyKey),
    responses((status = 201, body = FamilyQuestion, description = "the question, on the register as open"),
        (status = 400, description = "no `Idempotency-Key`, or one that is malformed; or malformed JSON"),
        (status = 403, description = "only the key worker, the CDR manager and the lead paediatrician raise questions"),
        (status = 404, description = "no such case that you can see"),
        (status = 409, description = "another server changed this case at the same moment; try again"),
        (status = 422, description = "a field breaks a rule (blank text; `from_contact` not a contact of this case)")))]
pub async fn raise_question(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
    key: IdemKey,
    body: RawBody,
) -> Result<Reply> {
    let scope = format!("questions {reference}");
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
    if !permissions::may_raise_question(who, &cw.b.case) {
        return Err(Error::Forbidden(format!(
            "a {} cannot raise a family question; the key worker, the CDR manager and the lead paediatrician can",
            who.role.label()
        )));
    }
    let new: NewQuestion = cw.body(&body)?;
    if let Some(contact) = new.from_contact {
        let known = records::contacts(cw.w.tx.conn(), cw.b.id)
            .await?
            .iter()
            .any(|c| c.id == contact);
        if !known {
            return Err(Error::Unprocessable(
                "from_contact is not a contact of this case".into(),
            ));
        }
    }
    let mut q = FamilyQuestion::raised(new, &who.username, cw.w.now);
    q.id = review::insert_question(cw.w.tx.conn(), cw.b.id, &q).await?;
    let change = Change {
        kind: ChangeKind::FamilyQuestionChanged,
        version: cw.read_version,
        item: Some(q.id.to_string()),
        restricted: false,
    };
    let detail = format!("question={} agency={:?}", q.id, q.agency);
    let reply = Reply::json(StatusCode::CREATED, &q)?;
    cw.commit(Some(change), (Action::QuestionRaise, &detail), reply)
        .await
}

#[utoipa::path(post, path = "/api/v1/cases/{reference}/questions/{id}/steps", tag = "questions",
    request_body = QuestionAdvance,
    params(super::openapi::params::QuestionPath, super::openapi::params::IdempotencyKey),
    responses((status = 200, body = FamilyQuestion, description = "the question at its next step, with who and when"),
        (status = 400, description = "no `Idempotency-Key`, or one that is malformed; or malformed JSON"),
        (status = 403, description = "your role may not take this question to that step (answers are drafted by the agency asked, answered at the CDRM by the CDR manager, fed back by the key worker)"),
        (status = 404, description = "no such case that you can see, or no such question on it that you can see"),
        (status = 409, description = "the step is not the question's next one (nothing goes back to open)"),
        (status = 422, description = "a field breaks a rule (a drafted answer with no text)")))]
pub async fn advance_question(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path((reference, question_id)): Path<(String, String)>,
    key: IdemKey,
    body: RawBody,
) -> Result<Reply> {
    let scope = format!("question {reference} {question_id}");
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
    // A question the person may not see is as absent as one that does not exist.
    let not_found = || Error::NotFound("there is no such question on this case".into());
    let question_id: i64 = question_id.parse().map_err(|_| not_found())?;
    let mut q = review::questions(cw.w.tx.conn(), cw.b.id)
        .await?
        .into_iter()
        .find(|q| q.id == question_id && permissions::may_read_question(who, &cw.b.case, q))
        .ok_or_else(not_found)?;
    let step: QuestionAdvance = cw.body(&body)?;
    // The order of steps first (409): saying which step comes next tells nothing new to
    // someone who can already see the question.
    if q.status.next() != Some(step.status) {
        let why = match q.status.next() {
            Some(next) => format!(
                "this question is {}: its next step is {}",
                q.status.label(),
                next.label()
            ),
            None => "this question has already been fed back to the family".into(),
        };
        return Err(Error::Conflict(why));
    }
    if !permissions::may_advance_question(who, &cw.b.case, &q, step.status) {
        return Err(Error::Forbidden(format!(
            "a {} cannot mark this question {}",
            who.role.label(),
            step.status.label()
        )));
    }
    let to = step.status;
    q.advance(step, &who.username, cw.w.now)
        .map_err(Error::Conflict)?;
    review::update_question(cw.w.tx.conn(), &q).await?;
    let change = Change {
        kind: ChangeKind::FamilyQuestionChanged,
        version: cw.read_version,
        item: Some(q.id.to_string()),
        restricted: false,
    };
    let detail = format!("question={} status={to:?}", q.id);
    let reply = Reply::json(StatusCode::OK, &q)?;
    cw.commit(Some(change), (Action::QuestionAdvance, &detail), reply)
        .await
}
