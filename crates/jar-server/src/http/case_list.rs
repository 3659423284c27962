//! `GET /cases`: the board. The hottest read, so it splices stored summaries and caches pages.

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::{AuthUser, Query};
use super::guard::require;
use crate::cache::Page;
use crate::store::{cases, ms};
use axum::extract::State;
use jar_core::Stage;
use jar_core::permissions::{Permission, allows};
use jar_core::wire::{CaseList, CaseSummary};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// A stage, e.g. `home_visit`.
    #[param(value_type = Option<jar_core::Stage>)]
    stage: Option<String>,
    /// Only cases in this area (and in yours). An area the server does not know is 400.
    #[param(schema_with = jar_core::text::schema::required_line)]
    area: Option<String>,
    /// `true`: only cases I am assigned to.
    #[param(value_type = Option<bool>)]
    mine: Option<String>,
    /// `true`: only cases with an open deadline past due.
    #[param(value_type = Option<bool>)]
    overdue: Option<String>,
    /// `true`: open cases; `false`: closed ones.
    #[param(value_type = Option<bool>)]
    active: Option<String>,
    /// Matches reference, area and category text.
    #[param(schema_with = jar_core::text::schema::any_line)]
    q: Option<String>,
    /// Default 100, at most 1000.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
    /// `next_cursor` of the page before (opaque).
    #[param(pattern = "^([0-9A-Fa-f]{2})+$")]
    cursor: Option<String>,
}

fn parse_bool(name: &str, v: &Option<String>) -> Result<Option<bool>> {
    match v.as_deref() {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(Error::BadRequest(format!("{name} must be true or false"))),
    }
}

pub fn parse_limit(v: &Option<String>) -> Result<i64> {
    match v {
        None => Ok(100),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| Error::BadRequest("limit must be a number from 1 to 1000".into())),
    }
}

fn encode_cursor(sort_due: i64, reference: &str) -> String {
    hex::encode(format!("{sort_due}|{reference}"))
}

fn decode_cursor(c: &str) -> Result<(i64, String)> {
    let bad = || Error::BadRequest("the cursor is not one this server gave out".into());
    let text = String::from_utf8(hex::decode(c).map_err(|_| bad())?).map_err(|_| bad())?;
    let (due, reference) = text.split_once('|').ok_or_else(bad)?;
    // Only a reference this server could have written: a cursor is decoded from hex, so the
    // edge check on the address cannot see a NUL hidden inside it (issue 13 §1).
    if !jar_core::case::is_case_ref(reference) {
        return Err(bad());
    }
    Ok((due.parse().map_err(|_| bad())?, reference.to_string()))
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(ListParams),
    responses((status = 200, body = CaseList, description = "one page of the board, most urgent first"),
        (status = 400, description = "a query parameter is not as documented, or the cursor is not one this server gave out"),
        (status = 403, description = "your role may not list cases")))]
pub async fn list_cases(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Query(p): Query<ListParams>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response> {
    let gzip = accepts_gzip(&headers);
    let who = &user.principal;
    require(who, (Permission::ListCases, "list cases"))?;
    // Read the change sequence before the query: a write landing meanwhile makes this page
    // stale at once rather than cached as current.
    let seq = ctx.store.latest_seq();
    // A key worker also sees the cases of the key workers they cover now (issue 15 §4).
    let covering = if who.role == jar_core::Role::KeyWorker {
        crate::store::people::covering(&mut *ctx.store.read().await?, &who.username, ctx.now())
            .await?
    } else {
        Vec::new()
    };
    let cache_key = format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
        who.username,
        who.role,
        who.areas.join("\u{1e}"),
        uri.query().unwrap_or(""),
        covering.join("\u{1e}")
    );
    if let Some(page) = ctx.pages.get(&cache_key, seq, ctx.now()) {
        return Ok(page_response(page, gzip));
    }
    let stage = match &p.stage {
        Some(s) => Some(
            Stage::parse(s)
                .ok_or_else(|| {
                    let known: Vec<&str> = Stage::ALL.iter().map(|s| s.as_str()).collect();
                    Error::BadRequest(format!("stage must be one of: {}", known.join(", ")))
                })?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    if let Some(area) = &p.area
        && !who.areas.contains(area)
    {
        // Another team's area lists nothing (scope); an area nobody has is a mistake to name.
        let known = cases::known_areas(&mut *ctx.store.read().await?, &ctx.area_overrides).await?;
        if !known.contains(area) {
            return Err(Error::BadRequest(format!(
                "there is no such area; the areas this server knows are: {}",
                known.join(", ")
            )));
        }
    }
    let limit = parse_limit(&p.limit)?;
    let filter = cases::ListFilter {
        areas: who.areas.clone(),
        key_worker: (who.role == jar_core::Role::KeyWorker).then(|| who.username.clone()),
        covering,
        stage,
        area: p.area.clone(),
        mine: parse_bool("mine", &p.mine)?
            .filter(|m| *m)
            .map(|_| who.username.clone()),
        overdue_at: parse_bool("overdue", &p.overdue)?
            .filter(|o| *o)
            .map(|_| ms(ctx.now())),
        active: parse_bool("active", &p.active)?,
        q: p.q.clone().filter(|q| !q.trim().is_empty()),
        after: p.cursor.as_deref().map(decode_cursor).transpose()?,
        limit: limit + 1,
    };
    let mut rows = cases::list(&mut *ctx.store.read().await?, &filter).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| encode_cursor(r.sort_due, &r.reference))
    } else {
        None
    };
    let see_flags = allows(who.role, Permission::ReadCriminalDetail);
    // The stored summaries are spliced into the answer as they are: the board is the hottest
    // read, and parsing and re-serialising a hundred summaries would dominate it. Only what
    // differs per reader is adjusted.
    let mut body =
        String::with_capacity(rows.iter().map(|r| r.summary_json.len() + 1).sum::<usize>() + 64);
    body.push_str("{\"items\":[");
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        let mine = r
            .assigned
            .iter()
            .any(|a| a.as_deref() == Some(who.username.as_str()));
        if see_flags {
            // Safe on the raw text: inside a JSON string the quotes would be escaped.
            if mine {
                body.push_str(&r.summary_json.replacen(ASSIGNED_FALSE, ASSIGNED_TRUE, 1));
            } else {
                body.push_str(&r.summary_json);
            }
        } else {
            let mut s: CaseSummary =
                serde_json::from_str(&r.summary_json).map_err(anyhow::Error::from)?;
            s.flags = None;
            s.assigned_to_me = mine;
            body.push_str(&serde_json::to_string(&s).map_err(anyhow::Error::from)?);
        }
    }
    body.push_str("],\"next_cursor\":");
    body.push_str(&serde_json::to_string(&next_cursor).map_err(anyhow::Error::from)?);
    body.push_str(",\"seq\":");
    body.push_str(&seq.to_string());
    body.push('}');
    let page = Page::new(axum::body::Bytes::from(body));
    ctx.pages.put(cache_key, seq, page.clone(), ctx.now());
    Ok(page_response(page, gzip))
}

/// Whether the client takes gzip (`Accept-Encoding: gzip`, not with `q=0`).
fn accepts_gzip(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get_all(axum::http::header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

fn page_response(page: Page, gzip: bool) -> axum::response::Response {
    use axum::http::header::{CONTENT_ENCODING, CONTENT_TYPE, VARY};
    use axum::response::IntoResponse;
    if gzip && !page.gzip.is_empty() {
        (
            [
                (CONTENT_TYPE, "application/json"),
                (CONTENT_ENCODING, "gzip"),
                (VARY, "accept-encoding"),
            ],
            page.gzip,
        )
            .into_response()
    } else {
        (
            [
                (CONTENT_TYPE, "application/json"),
                (VARY, "accept-encoding"),
            ],
            page.json,
        )
            .into_response()
    }
}

const ASSIGNED_FALSE: &str = "\"assigned_to_me\":false";
const ASSIGNED_TRUE: &str = "\"assigned_to_me\":true";

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use jar_core::case::PresentingCategory;

    #[test]
    fn the_stored_summary_spells_assigned_to_me_as_the_splice_expects() {
        let s = CaseSummary {
            reference: "JAR-2026-0001".into(),
            area: "\"assigned_to_me\":false".into(),
            category: PresentingCategory::Sudi,
            stage: Stage::Reported,
            age_months: 3,
            notified_at: Utc::now(),
            open_deadlines: Vec::new(),
            progress: Default::default(),
            last_family_contact: None,
            family_contact_due: None,
            flags: None,
            assigned_to_me: false,
            version: 1,
        };
        let json = serde_json::to_string(&s).expect("json");
        let spliced = json.replacen(ASSIGNED_FALSE, ASSIGNED_TRUE, 1);
        let back: CaseSummary = serde_json::from_str(&spliced).expect("still JSON");
        assert!(back.assigned_to_me, "{spliced}");
        assert_eq!(back.area, s.area, "text inside a string is never touched");
    }
}
