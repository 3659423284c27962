//! Reads for the handover and the manager's desk (issue 17): the caller's drafted handover,
//! the handovers they may read, the filtered audit log and the users. Writes (sending and
//! acknowledging a handover, adding, disabling and resetting users) belong in the outbox like
//! every other write, so they are journaled before they are sent.

use super::ApiError;
use super::client::{Client, network};
use jar_core::handover::{Handover, HandoverDraft, HandoverList};
use jar_core::wire::{AuditList, UserSummary};
use reqwest::Method;

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
