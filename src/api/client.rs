//! reqwest on jar-core wire types. Every request has a 5 s connect and a 15 s total timeout;
//! every body is cleaned of control characters before it is decoded.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use jar_core::case::Identity;
use jar_core::contact::Contact;
use jar_core::permissions::Principal;
use jar_core::timeline::TimelineEvent;
use jar_core::wire::{
    CaseDetail, CaseList, CaseSummary, ChecklistItemView, ChecklistList, ChecklistView,
    ContactList, LoginRequest, LoginResponse, Problem, RevealRequest, StartChecklist, TimelineList,
};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::{ApiError, ErrorKind};
use crate::msg::WriteOk;
use crate::sanitize;
use crate::state::Write;

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    /// For the event stream: no total timeout, a read timeout instead.
    stream: reqwest::Client,
    base: String,
    token: Arc<RwLock<Option<String>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base", &self.base).finish()
    }
}

/// The board's first page: more rows than a 200x60 terminal shows, few enough to arrive in one
/// round trip on a slow link.
pub const FIRST_PAGE: usize = 100;
/// The rest of the board, in pages this size.
pub const NEXT_PAGES: usize = 500;
/// Pages followed before the list is reported as not ending (about 100,000 cases).
pub const MAX_PAGES: usize = 200;
/// Tries of a later page of the case list before the whole list is given up (then the
/// board says it is incomplete and asks again with back-off: `update`).
pub const PAGE_TRIES: u32 = 3;
/// The event stream's read timeout: the server sends a heartbeat every 5 s
/// (`jar_server::http::events::KEEP_ALIVE`), so a stream silent this long is dead, noticed
/// within 15 s (issue 18 §1) rather than the minute a bare TCP read would wait.
pub const STREAM_READ_TIMEOUT: Duration = Duration::from_secs(12);

/// What the first page of the board brings, before the rest.
#[derive(Debug)]
pub struct FirstPage<R> {
    /// The first page's rows when more pages follow (empty when it was the only page: the
    /// whole list comes at once then).
    pub rows: Vec<R>,
    pub more: bool,
    /// The change sequence the page reflects, from servers that send one.
    pub seq: Option<i64>,
}

/// `http://host:port` → `http://host:port/api/v1`.
pub fn api_base(server: &str) -> String {
    let s = server.trim().trim_end_matches('/');
    if s.ends_with(jar_core::wire::API_PREFIX) {
        s.to_string()
    } else {
        format!("{s}{}", jar_core::wire::API_PREFIX)
    }
}

pub(crate) fn network(e: reqwest::Error) -> ApiError {
    let what = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "connection refused or unreachable".to_string()
    } else {
        // reqwest errors can carry the URL; keep only the kind.
        "network error".to_string()
    };
    ApiError::Network(what)
}

impl Client {
    pub fn new(server: &str) -> Result<Client, ApiError> {
        Client::with_timeout(server, TOTAL_TIMEOUT)
    }

    /// A client whose requests give up after `total` (tests of a server that never answers).
    pub fn with_timeout(server: &str, total: Duration) -> Result<Client, ApiError> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT.min(total))
            .timeout(total)
            .user_agent(concat!("jarterm/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Network(e.to_string()))?;
        let stream = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(STREAM_READ_TIMEOUT)
            .user_agent(concat!("jarterm/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Network(e.to_string()))?;
        Ok(Client {
            http,
            stream,
            base: api_base(server),
            token: Arc::new(RwLock::new(None)),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn set_token(&self, token: Option<String>) {
        if let Ok(mut t) = self.token.write() {
            *t = token;
        }
    }

    pub fn token(&self) -> Option<String> {
        self.token.read().ok().and_then(|t| t.clone())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.authed(self.http.request(method, self.url(path)))
    }

    pub(crate) fn stream_request(&self, path: &str) -> RequestBuilder {
        self.authed(self.stream.get(self.url(path)))
    }

    fn authed(&self, rb: RequestBuilder) -> RequestBuilder {
        match self.token() {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    /// Turn a response into `T`, or the server's problem.
    pub(crate) async fn read<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
        let status = resp.status();
        let body = super::limits::read_body(resp).await?;
        if status.is_success() {
            let body: &[u8] = if body.is_empty() { b"null" } else { &body };
            return sanitize::decode(body).map_err(|e| ApiError::Decode(e.to_string()));
        }
        Err(problem(status, &body))
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        let resp = self
            .request(Method::GET, path)
            .send()
            .await
            .map_err(network)?;
        Self::read(resp).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Result<LoginResponse, ApiError> {
        let resp = self
            .http
            .post(self.url("/session"))
            .json(&LoginRequest {
                username: username.to_string(),
                password: password.to_string(),
            })
            .send()
            .await
            .map_err(network)?;
        Self::read(resp).await
    }

    pub async fn logout(&self) -> Result<(), ApiError> {
        let resp = self
            .request(Method::DELETE, "/session")
            .send()
            .await
            .map_err(network)?;
        let _: serde_json::Value = Self::read(resp).await?;
        Ok(())
    }

    /// Revoke `token` (already taken off this client, so nothing else sends it meanwhile).
    pub async fn revoke(&self, token: &str) -> Result<(), ApiError> {
        let resp = self
            .http
            .delete(self.url("/session"))
            .bearer_auth(token)
            .send()
            .await
            .map_err(network)?;
        let _: serde_json::Value = Self::read(resp).await?;
        Ok(())
    }

    pub async fn me(&self) -> Result<Principal, ApiError> {
        self.get("/me").await
    }

    /// Every case in scope, following the cursor (500 per page; an error after `MAX_PAGES`).
    pub async fn all_cases(&self) -> Result<Vec<CaseSummary>, ApiError> {
        self.all_cases_progressive(|s| s, |_| {}).await
    }

    /// Every case in scope, each turned by `keep` into what the caller holds as its page
    /// arrives (so a client holding 10,000 cases never holds 10,000 full summaries too). The
    /// first, small page (the soonest deadlines: the server orders by them) is handed to
    /// `first_page` as soon as it arrives, so a board can be drawn over a slow link before
    /// the rest has come, and events can be heard from the sequence it reflects.
    pub async fn all_cases_progressive<R: Clone>(
        &self,
        mut keep: impl FnMut(CaseSummary) -> R,
        first_page: impl FnOnce(FirstPage<R>),
    ) -> Result<Vec<R>, ApiError> {
        let mut first_page = Some(first_page);
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut url = reqwest::Url::parse(&self.url("/cases"))
                .map_err(|e| ApiError::Network(e.to_string()))?;
            let limit = if cursor.is_none() {
                FIRST_PAGE
            } else {
                NEXT_PAGES
            };
            url.query_pairs_mut()
                .append_pair("limit", &limit.to_string());
            if let Some(c) = &cursor {
                url.query_pairs_mut().append_pair("cursor", c);
            }
            let page = self.list_page(url, cursor.is_some()).await?;
            out.extend(page.items.into_iter().map(&mut keep));
            let more = page.next_cursor.as_deref().is_some_and(|c| !c.is_empty());
            if let Some(hand_over) = first_page.take() {
                hand_over(FirstPage {
                    rows: if more { out.clone() } else { Vec::new() },
                    more,
                    seq: page.seq,
                });
            }
            match page.next_cursor {
                Some(c) if !c.is_empty() => cursor = Some(c),
                _ => return Ok(out),
            }
        }
        // Never a silently shortened board: say the list did not end.
        Err(ApiError::Decode(format!(
            "the case list did not end after {MAX_PAGES} pages"
        )))
    }

    /// One page of the case list. A later page that finds no server (or a server in
    /// trouble) is asked for again, 1 s then 2 s then 4 s later, before the whole list is
    /// given up: on a bad link one lost page must not cost the pages already here.
    async fn list_page(&self, url: reqwest::Url, later: bool) -> Result<CaseList, ApiError> {
        let tries = if later { PAGE_TRIES } else { 1 };
        let mut wait = Duration::from_secs(1);
        let mut attempt = 1;
        loop {
            let result = match self.authed(self.http.get(url.clone())).send().await {
                Ok(resp) => Self::read::<CaseList>(resp).await,
                Err(e) => Err(network(e)),
            };
            match result {
                Err(e) if attempt < tries && e.kind() == ErrorKind::Retryable => {
                    tracing::debug!(attempt, "case list: page failed; asking again");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    pub async fn case(&self, case_ref: &str) -> Result<CaseDetail, ApiError> {
        self.get(&format!("/cases/{case_ref}")).await
    }

    pub async fn timeline(&self, case_ref: &str) -> Result<Vec<TimelineEvent>, ApiError> {
        let l: TimelineList = self.get(&format!("/cases/{case_ref}/timeline")).await?;
        Ok(l.items)
    }

    pub async fn checklists(&self, case_ref: &str) -> Result<Vec<ChecklistView>, ApiError> {
        let l: ChecklistList = self.get(&format!("/cases/{case_ref}/checklists")).await?;
        Ok(l.checklists)
    }

    /// The family's contact details (the key worker of the case; each read is audited).
    pub async fn family_contacts(
        &self,
        case_ref: &str,
    ) -> Result<jar_core::identity::FamilyContacts, ApiError> {
        self.get(&format!("/cases/{case_ref}/family-contacts"))
            .await
    }

    /// Who may fill each place on the case (only a manager or its lead paediatrician asks).
    pub async fn assignees(
        &self,
        case_ref: &str,
    ) -> Result<Vec<(jar_core::people::Slot, Vec<String>)>, ApiError> {
        let mut out = Vec::new();
        for slot in jar_core::people::Slot::ALL {
            let name = serde_json::to_value(slot)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let people: Vec<jar_core::people::Candidate> = self
                .get(&format!("/cases/{case_ref}/assignments/{name}"))
                .await?;
            out.push((slot, people.into_iter().map(|p| p.username).collect()));
        }
        Ok(out)
    }

    pub async fn questions(
        &self,
        case_ref: &str,
    ) -> Result<Vec<jar_core::questions::FamilyQuestion>, ApiError> {
        let l: jar_core::questions::QuestionList =
            self.get(&format!("/cases/{case_ref}/questions")).await?;
        Ok(l.items)
    }

    pub async fn involvements(
        &self,
        case_ref: &str,
    ) -> Result<Vec<jar_core::reports::Involvement>, ApiError> {
        let l: jar_core::reports::InvolvementList =
            self.get(&format!("/cases/{case_ref}/involvements")).await?;
        Ok(l.items)
    }

    pub async fn contacts(&self, case_ref: &str) -> Result<Vec<Contact>, ApiError> {
        Ok(self.contact_list(case_ref).await?.items)
    }

    /// The contact log with the area's support catalogue.
    pub async fn contact_list(&self, case_ref: &str) -> Result<ContactList, ApiError> {
        self.get(&format!("/cases/{case_ref}/contacts")).await
    }

    /// Send one write with its idempotency key (reused on every retry).
    pub async fn send(&self, write: &Write, key: Uuid) -> Result<WriteOk, ApiError> {
        if let Some(done) = self.send_desk(write, key).await {
            return done;
        }
        let idem = key.to_string();
        let post = |path: String| {
            self.request(Method::POST, &path)
                .header("Idempotency-Key", idem.clone())
        };
        let rb = match write {
            Write::ItemUpdate {
                addr,
                version,
                update,
            } => self
                .request(
                    Method::PUT,
                    &format!(
                        "/cases/{}/checklists/{}/items/{}",
                        addr.case_ref, addr.template, addr.item
                    ),
                )
                .header("If-Match", format!("\"{version}\""))
                .json(update),
            Write::AddEvent { case_ref, event } => {
                post(format!("/cases/{case_ref}/timeline")).json(event)
            }
            Write::AddContact { case_ref, contact } => {
                post(format!("/cases/{case_ref}/contacts")).json(contact)
            }
            Write::RaiseQuestion { case_ref, question } => {
                post(format!("/cases/{case_ref}/questions")).json(question)
            }
            Write::AdvanceQuestion {
                case_ref,
                question_id,
                step,
            } => post(format!("/cases/{case_ref}/questions/{question_id}/steps")).json(step),
            Write::Amend {
                case_ref,
                contact_id,
                amendment,
            } => post(format!(
                "/cases/{case_ref}/contacts/{contact_id}/amendments"
            ))
            .json(amendment),
            Write::Notify(new_case) => post("/cases".to_string()).json(new_case),
            Write::StartChecklist { case_ref, template } => {
                post(format!("/cases/{case_ref}/checklists")).json(&StartChecklist {
                    template: template.clone(),
                })
            }
            Write::Reveal { case_ref, reason } => {
                post(format!("/cases/{case_ref}/identity/reveal")).json(&RevealRequest {
                    reason: reason.clone(),
                })
            }
            Write::Assign {
                case_ref,
                version,
                slot,
                username,
            } => {
                let name = serde_json::to_value(slot)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                self.request(
                    Method::PUT,
                    &format!("/cases/{case_ref}/assignments/{name}"),
                )
                .header("If-Match", format!("\"{version}\""))
                .json(&jar_core::people::Assign {
                    username: username.clone(),
                })
            }
            Write::PutIdentity {
                case_ref,
                version,
                identity,
            } => self
                .request(Method::PUT, &format!("/cases/{case_ref}/identity"))
                .header("If-Match", format!("\"{version}\""))
                .json(identity),
            Write::CorrectFacts {
                case_ref,
                version,
                patch,
            } => self
                .request(Method::PATCH, &format!("/cases/{case_ref}"))
                .header("If-Match", format!("\"{version}\""))
                .json(patch),
            Write::DeadlineNa {
                case_ref,
                version,
                rule,
                reason,
            } => {
                let path = format!("/cases/{case_ref}/deadlines/{rule}/not-applicable");
                let rb = match reason {
                    Some(reason) => self.request(Method::PUT, &path).json(
                        &jar_core::correction::MarkNotApplicable {
                            reason: reason.clone(),
                        },
                    ),
                    None => self.request(Method::DELETE, &path),
                };
                rb.header("If-Match", format!("\"{version}\""))
            }
            // Sent by `send_desk` above.
            _ => return Err(ApiError::Decode("not a case write".into())),
        };
        let resp = rb.send().await.map_err(network)?;
        Ok(match write {
            Write::ItemUpdate { .. } => {
                WriteOk::Item(Box::new(Self::read::<ChecklistItemView>(resp).await?))
            }
            Write::AddEvent { .. } => {
                WriteOk::Event(Box::new(Self::read::<TimelineEvent>(resp).await?))
            }
            Write::AddContact { .. } | Write::Amend { .. } => {
                WriteOk::Contact(Box::new(Self::read::<Contact>(resp).await?))
            }
            Write::Notify(_)
            | Write::PutIdentity { .. }
            | Write::Assign { .. }
            | Write::CorrectFacts { .. }
            | Write::DeadlineNa { .. } => {
                WriteOk::Case(Box::new(Self::read::<CaseDetail>(resp).await?))
            }
            Write::Reveal { .. } => {
                WriteOk::Identity(Box::new(Self::read::<Identity>(resp).await?))
            }
            _ => {
                let _: serde_json::Value = Self::read(resp).await?;
                WriteOk::Other
            }
        })
    }
}

/// An error status as an `ApiError`, using the problem+json body when there is one.
pub fn problem(status: StatusCode, body: &[u8]) -> ApiError {
    if status == StatusCode::UNAUTHORIZED {
        return ApiError::Unauthorized;
    }
    match sanitize::decode::<Problem>(body) {
        Ok(p) => ApiError::Problem(p),
        Err(_) => ApiError::Problem(Problem {
            kind: "about:blank".to_string(),
            title: status
                .canonical_reason()
                .unwrap_or("Unexpected status")
                .to_string(),
            status: status.as_u16(),
            detail: String::new(),
            current: None,
        }),
    }
}
