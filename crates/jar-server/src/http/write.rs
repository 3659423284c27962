//! One way to write (issue 13 §4). Every write runs the same unit of work:
//!
//! begin → scope → permission → idempotency replay → validate → change → save → change row →
//! audit → remember the reply → commit.
//!
//! [`Write`] is that unit for writes that are not on one case (a new case, users);
//! [`CaseWrite`] adds the case: found in the caller's scope, loaded with everything its
//! computed fields depend on, and saved with its projection under a version guard. Handlers
//! only say what changes.

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::{AuthUser, IdemKey, RawBody};
use super::guard::{self, Need};
use super::reply::Reply;
use crate::audit::Action;
use crate::projection::Bundle;
use crate::store::audit::{self, AuditRecord};
use crate::store::changes::{self, NewChange};
use crate::store::{WriteTx, cases, idempotency};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use jar_core::text::TextError;
use jar_core::wire::ChangeKind;
use serde::de::DeserializeOwned;

/// A request body: its shape (serde) and its rules (`validate`, in jar-core).
pub trait Body: DeserializeOwned + serde::Serialize {
    fn check(&self) -> std::result::Result<(), TextError>;
}

macro_rules! bodies {
    ($($t:ty),* $(,)?) => {$(
        impl Body for $t {
            fn check(&self) -> std::result::Result<(), TextError> {
                self.validate()
            }
        }
    )*};
}

bodies!(
    jar_core::wire::NewCase,
    jar_core::wire::CasePatch,
    jar_core::wire::RevealRequest,
    jar_core::wire::NewTimelineEvent,
    jar_core::wire::ItemUpdate,
    jar_core::wire::NewUser,
    jar_core::contact::NewContact,
    jar_core::contact::NewAmendment,
    jar_core::handover::NewHandover,
    jar_core::handover::HandoverAck,
);

bodies!(
    jar_core::questions::NewQuestion,
    jar_core::questions::QuestionAdvance,
    jar_core::review::ReviewPatch,
    jar_core::reports::NewInvolvement,
    jar_core::reports::ReportStep,
);

bodies!(
    jar_core::people::Assign,
    jar_core::people::Withdraw,
    jar_core::people::LinkDuplicate,
    jar_core::people::Cover,
    jar_core::correction::MarkNotApplicable,
    jar_core::people::EndCover,
);

impl Body for jar_core::case::Identity {
    fn check(&self) -> std::result::Result<(), TextError> {
        jar_core::identity::validate(self)
    }
}

impl Body for jar_core::wire::StartChecklist {
    fn check(&self) -> std::result::Result<(), TextError> {
        jar_core::text::check_line("template", &self.template, jar_core::text::caps::SHORT)
    }
}

/// How a write is made safe to retry.
pub enum Idem {
    /// `Idempotency-Key` required (every POST that creates something).
    Required(IdemKey),
    /// Replayed if sent (the identity reveal).
    Optional(IdemKey),
    /// Naturally idempotent (If-Match guarded, or a state change such as disabling a user).
    None,
}

/// Either the stored first reply to the same request (the write is still open, so that a
/// replay can be audited), or a fresh write.
pub enum Begun<W> {
    Replay(Reply, W),
    Fresh(W),
}

/// What the event stream hears of a case write.
pub struct Change {
    pub kind: ChangeKind,
    pub version: i64,
    pub item: Option<String>,
    /// Investigative detail: see `jar_core::permissions::restricted_*_change`.
    pub restricted: bool,
}

/// The write transaction, who is writing, one `now` for the whole write, and the key and
/// request hash to remember the reply under.
pub struct Write<'a> {
    pub ctx: &'a ApiContext,
    pub user: &'a AuthUser,
    pub tx: WriteTx<'a>,
    pub now: DateTime<Utc>,
    idem: Option<(String, String)>,
}

impl<'a> Write<'a> {
    /// Permission, key, transaction, replay: the start of a write that is not on a case.
    pub async fn begin(
        ctx: &'a ApiContext,
        user: &'a AuthUser,
        need: Need,
        idem: Idem,
        body: &RawBody,
        scope: &str,
    ) -> Result<Begun<Write<'a>>> {
        guard::require(&user.principal, need)?;
        let key = idem_key(idem)?;
        let tx = ctx.store.begin().await?;
        Self::replay_or_fresh(ctx, user, tx, key, body, scope).await
    }

    async fn replay_or_fresh(
        ctx: &'a ApiContext,
        user: &'a AuthUser,
        mut tx: WriteTx<'a>,
        key: Option<String>,
        body: &RawBody,
        scope: &str,
    ) -> Result<Begun<Write<'a>>> {
        let now = ctx.now();
        let Some(key) = key else {
            return Ok(Begun::Fresh(Write {
                ctx,
                user,
                tx,
                now,
                idem: None,
            }));
        };
        let hash = body.hash(scope);
        let stored = idempotency::find(tx.conn(), &user.principal.username, &key).await?;
        let w = Write {
            ctx,
            user,
            tx,
            now,
            idem: Some((key, hash.clone())),
        };
        match stored {
            None => Ok(Begun::Fresh(w)),
            Some(s) if s.request_hash != hash => Err(Error::IdempotencyKeyReused),
            Some(s) => {
                let reply = Reply {
                    status: StatusCode::from_u16(s.status).map_err(anyhow::Error::from)?,
                    body: s.body,
                    etag: s.etag,
                    location: s.location,
                };
                Ok(Begun::Replay(reply, w))
            }
        }
    }

    /// Parse the body and check it against its rules (422 naming the field).
    pub fn body<T: Body>(&self, raw: &RawBody) -> Result<T> {
        let value: T = raw.json()?;
        value.check()?;
        Ok(value)
    }

    /// One audit row, in the same transaction as the change it records.
    pub async fn audit(
        &mut self,
        action: Action,
        case_ref: Option<&str>,
        detail: &str,
    ) -> Result<()> {
        let record = AuditRecord::by(
            &self.user.principal,
            action,
            case_ref,
            detail,
            &self.user.remote,
        );
        audit::record(self.tx.conn(), record, self.now).await?;
        Ok(())
    }

    /// Remember the reply under the key (if any) and commit.
    pub async fn commit(mut self, reply: Reply) -> Result<Reply> {
        if let Some((key, hash)) = &self.idem {
            let stored = idempotency::Stored {
                request_hash: hash.clone(),
                status: reply.status.as_u16(),
                body: reply.body.clone(),
                etag: reply.etag.clone(),
                location: reply.location.clone(),
            };
            idempotency::save(
                self.tx.conn(),
                &self.user.principal.username,
                key,
                &stored,
                self.now,
            )
            .await?;
        }
        self.ctx.store.commit(self.tx).await?;
        Ok(reply)
    }

    /// Commit what was written for a replay (its audit row) and send the first reply again.
    pub async fn commit_replay(self, reply: Reply) -> Result<Reply> {
        self.ctx.store.commit(self.tx).await?;
        Ok(reply)
    }
}

fn idem_key(idem: Idem) -> Result<Option<String>> {
    match idem {
        Idem::Required(k) => k.required().map(Some),
        Idem::Optional(k) => Ok(k.0),
        Idem::None => Ok(None),
    }
}

/// A write on one case: [`Write`] plus the case, found in the caller's scope and loaded.
pub struct CaseWrite<'a> {
    pub w: Write<'a>,
    pub reference: String,
    pub b: Bundle,
    /// The version read, which the save is guarded by.
    pub read_version: i64,
}

impl<'a> CaseWrite<'a> {
    /// Transaction, scope (404), permission (403; `None` when the handler decides per item),
    /// key and replay, then the case with everything its computed fields depend on.
    pub async fn begin(
        ctx: &'a ApiContext,
        user: &'a AuthUser,
        reference: &str,
        need: Option<Need>,
        idem: Idem,
        body: &RawBody,
        scope: &str,
    ) -> Result<Begun<CaseWrite<'a>>> {
        let mut tx = ctx.store.begin().await?;
        let (id, case) =
            guard::find_in_scope(tx.conn(), &user.principal, reference, ctx.now()).await?;
        if let Some(need) = need {
            guard::require(&user.principal, need)?;
        }
        let key = idem_key(idem)?;
        let begun = Write::replay_or_fresh(ctx, user, tx, key, body, scope).await?;
        let (replay, mut w) = match begun {
            Begun::Replay(r, w) => (Some(r), w),
            Begun::Fresh(w) => (None, w),
        };
        let b = cases::bundle(w.tx.conn(), id, case).await?;
        let cw = CaseWrite {
            w,
            reference: reference.to_string(),
            read_version: b.case.version,
            b,
        };
        Ok(match replay {
            Some(r) => Begun::Replay(r, cw),
            None => Begun::Fresh(cw),
        })
    }

    pub fn body<T: Body>(&self, raw: &RawBody) -> Result<T> {
        self.w.body(raw)
    }

    /// One case of a write that spans several (a handover acknowledged with "become lead"):
    /// the case is found in scope and loaded inside the write's transaction; [`Self::finish`]
    /// hands the write back for the next case.
    pub async fn within(mut w: Write<'a>, reference: &str) -> Result<CaseWrite<'a>> {
        let (id, case) =
            guard::find_in_scope(w.tx.conn(), &w.user.principal, reference, w.now).await?;
        let b = cases::bundle(w.tx.conn(), id, case).await?;
        Ok(CaseWrite {
            w,
            reference: reference.to_string(),
            read_version: b.case.version,
            b,
        })
    }

    /// The change row and the audit row of one case of a larger write, without committing.
    pub async fn finish(
        mut self,
        change: Change,
        (action, detail): (Action, &str),
    ) -> Result<Write<'a>> {
        let row = NewChange {
            kind: change.kind,
            case: Some(&self.b.case),
            version: Some(change.version),
            item: change.item,
            restricted: change.restricted,
        };
        changes::insert(self.w.tx.conn(), row, self.w.now).await?;
        let reference = self.reference.clone();
        self.w.audit(action, Some(&reference), detail).await?;
        Ok(self.w)
    }

    /// Recompute the stage and projection and write the case back, guarded by the version
    /// read; `new_version` when the case itself changed (a patch, a milestone).
    pub async fn save(&mut self, new_version: bool) -> Result<()> {
        if new_version {
            self.b.case.version = self.read_version + 1;
        }
        self.b.case.stage = self.b.stage();
        let p = self.b.project(&self.w.ctx.area_overrides, self.w.now);
        let saved = cases::update(
            self.w.tx.conn(),
            self.b.id,
            &self.b.case,
            &p,
            self.read_version,
        )
        .await?;
        if !saved {
            return Err(Error::Conflict(
                "another server changed this case at the same moment; try again".into(),
            ));
        }
        Ok(())
    }

    /// The change row for the event stream and the audit row, then remember and commit.
    pub async fn commit(
        mut self,
        change: Option<Change>,
        (action, detail): (Action, &str),
        reply: Reply,
    ) -> Result<Reply> {
        if let Some(c) = change {
            let row = NewChange {
                kind: c.kind,
                case: Some(&self.b.case),
                version: Some(c.version),
                item: c.item,
                restricted: c.restricted,
            };
            changes::insert(self.w.tx.conn(), row, self.w.now).await?;
        }
        let reference = self.reference.clone();
        self.w.audit(action, Some(&reference), detail).await?;
        self.w.commit(reply).await
    }
}
