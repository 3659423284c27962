//! Reads for the handover and the manager's desk (issue 17): the caller's drafted handover,
//! the handovers they may read, the filtered audit log and the users. Writes (sending and
//! acknowledging a handover, adding, disabling and resetting users) belong in the outbox like
//! every other write, so they are journaled before they are sent.

use super::ApiError;
use super::client::{Client, network};
use crate::msg::WriteOk;
use crate::outbox::Write;
use jar_core::handover::{Handover, HandoverDraft, HandoverEntry, HandoverList};
use jar_core::people::{Candidate, Cover, LinkDuplicate, Slot, Withdraw};
use jar_core::wire::{AuditList, NewUser, UserSummary};
use reqwest::Method;
use uuid::Uuid;

/// The audit screen's filters (`GET /audit`); empty fields are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub case_ref: Option<String>,
    pub user: Option<String>,
    pub action: Option<String>,
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl AuditQuery {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let time = |t: &chrono::DateTime<chrono::Utc>| {
            t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        };
        [
            ("case", self.case_ref.clone()),
            ("user", self.user.clone()),
            ("action", self.action.clone()),
            ("since", self.since.as_ref().map(time)),
            ("until", self.until.as_ref().map(time)),
            ("cursor", self.cursor.clone()),
            ("limit", self.limit.map(|l| l.to_string())),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect()
    }
}

/// `path?k=v&…`, form-encoded (a filter may hold any character).
fn with_query(path: &str, query: &[(&str, String)]) -> String {
    if query.is_empty() {
        return path.to_string();
    }
    let mut u = reqwest::Url::parse("http://query.invalid/").expect("a valid address");
    u.query_pairs_mut().extend_pairs(query);
    format!("{path}?{}", u.query().unwrap_or_default())
}

impl Client {
    async fn get_query<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        let resp = self
            .request(Method::GET, &with_query(path, query))
            .send()
            .await
            .map_err(network)?;
        Client::read(resp).await
    }

    /// `GET /handovers/draft`: the caller's handover as drafted from the data.
    pub async fn handover_draft(&self) -> Result<HandoverDraft, ApiError> {
        self.get_query("/handovers/draft", &[]).await
    }

    /// `GET /handovers`: the handovers the caller sent, received or manages, newest first.
    pub async fn handovers(&self) -> Result<Vec<Handover>, ApiError> {
        let list: HandoverList = self.get_query("/handovers", &[]).await?;
        Ok(list.items)
    }

    /// `GET /audit` with the screen's filters: one page, newest first.
    pub async fn audit(&self, q: &AuditQuery) -> Result<AuditList, ApiError> {
        self.get_query("/audit", &q.pairs()).await
    }

    /// `GET /users`.
    pub async fn users(&self) -> Result<Vec<UserSummary>, ApiError> {
        let list: jar_core::wire::UserList = self.get_query("/users", &[]).await?;
        Ok(list.items)
    }

    /// `GET /users` and `GET /covers`: the users screen.
    pub async fn users_and_covers(&self) -> Result<(Vec<UserSummary>, Vec<Cover>), ApiError> {
        let users = self.users().await?;
        let covers: Vec<Cover> = self.get_query("/covers", &[]).await?;
        Ok((users, covers))
    }

    /// The drafted handover and the paediatricians who may receive it: those who may lead
    /// every one of its cases (`GET /cases/{ref}/assignments/lead_paediatrician`, which lists
    /// the enabled paediatricians of the case's area).
    pub async fn handover_draft_with_candidates(
        &self,
    ) -> Result<(Vec<HandoverEntry>, Vec<String>), ApiError> {
        let draft = self.handover_draft().await?;
        let slot = serde_json::to_value(Slot::LeadPaediatrician)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let mut candidates: Option<Vec<String>> = None;
        for e in &draft.entries {
            let people: Vec<Candidate> = self
                .get_query(&format!("/cases/{}/assignments/{slot}", e.reference), &[])
                .await?;
            let names: Vec<String> = people.into_iter().map(|p| p.username).collect();
            candidates = Some(match candidates {
                None => names,
                Some(before) => before.into_iter().filter(|n| names.contains(n)).collect(),
            });
        }
        Ok((draft.entries, candidates.unwrap_or_default()))
    }

    /// The writes of the handover and the manager's desk (`None`: another kind of write).
    /// A new user is added with a long random password nobody sees, then given a one-time
    /// password by the server (shown once): no password is ever kept in the journal, and a
    /// retry after a lost answer still ends with one password, the last one shown.
    pub(crate) async fn send_desk(
        &self,
        write: &Write,
        key: Uuid,
    ) -> Option<Result<WriteOk, ApiError>> {
        let idem = key.to_string();
        let post = |path: &str| {
            self.request(Method::POST, path)
                .header("Idempotency-Key", idem.clone())
        };
        let if_match = |path: &str, version: i64| {
            self.request(Method::POST, path)
                .header("If-Match", format!("\"{version}\""))
        };
        let rb = match write {
            Write::SendHandover(h) => post("/handovers").json(h),
            Write::AckHandover { id, ack } => {
                post(&format!("/handovers/{id}/acknowledgements")).json(ack)
            }
            Write::AddUser {
                username,
                role,
                areas,
            } => {
                let new = NewUser {
                    username: username.clone(),
                    password: format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple()),
                    role: *role,
                    areas: areas.clone(),
                };
                post("/users").json(&new)
            }
            Write::DisableUser { username } => post(&format!("/users/{username}/disable")),
            Write::ResetPassword { username } => post(&format!("/users/{username}/password")),
            Write::SetCover(c) => post("/covers").json(c),
            Write::EndCover(c) => post("/covers/end").json(c),
            Write::Withdraw {
                case_ref,
                version,
                reason,
            } => if_match(&format!("/cases/{case_ref}/withdraw"), *version).json(&Withdraw {
                reason: reason.clone(),
            }),
            Write::LinkDuplicate {
                case_ref,
                version,
                duplicate,
                reason,
            } => {
                if_match(&format!("/cases/{case_ref}/duplicates"), *version).json(&LinkDuplicate {
                    duplicate: duplicate.clone(),
                    reason: reason.clone(),
                })
            }
            _ => return None,
        };
        Some(self.finish_desk(write, rb).await)
    }

    async fn finish_desk(
        &self,
        write: &Write,
        rb: reqwest::RequestBuilder,
    ) -> Result<WriteOk, ApiError> {
        let resp = rb.send().await.map_err(network)?;
        match write {
            Write::SendHandover(_) | Write::AckHandover { .. } => Ok(WriteOk::Handover(Box::new(
                Client::read::<Handover>(resp).await?,
            ))),
            Write::AddUser { username, .. } => {
                let _: UserSummary = Client::read(resp).await?;
                let resp = self
                    .request(Method::POST, &format!("/users/{username}/password"))
                    .send()
                    .await
                    .map_err(network)?;
                Ok(WriteOk::Password(Client::read(resp).await?))
            }
            Write::ResetPassword { .. } => Ok(WriteOk::Password(Client::read(resp).await?)),
            Write::Withdraw { .. } | Write::LinkDuplicate { .. } => Ok(WriteOk::Case(Box::new(
                Client::read::<jar_core::wire::CaseDetail>(resp).await?,
            ))),
            Write::SetCover(_) => {
                let _: Cover = Client::read(resp).await?;
                Ok(WriteOk::Other)
            }
            _ => {
                // 204: nothing to read.
                let () = Client::read(resp).await?;
                Ok(WriteOk::Other)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn filters_are_form_encoded_into_the_address() {
        assert_eq!(with_query("/audit", &[]), "/audit");
        assert_eq!(
            with_query("/audit", &[("user", "dr a&b".to_string())]),
            "/audit?user=dr+a%26b"
        );
    }

    #[test]
    fn only_the_filters_set_are_sent() {
        let q = AuditQuery {
            case_ref: Some("JAR-2026-0042".into()),
            user: Some(String::new()),
            since: chrono::Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).single(),
            limit: Some(50),
            ..AuditQuery::default()
        };
        assert_eq!(
            q.pairs(),
            vec![
                ("case", "JAR-2026-0042".to_string()),
                ("since", "2026-03-01T00:00:00Z".to_string()),
                ("limit", "50".to_string()),
            ]
        );
    }
}
