//! Reading offline (issue 12 §3): the last fetched copy of the board and of each case the
//! person opened is kept (in memory, and in the person's sealed journal cache where one can
//! be written: `crate::journal::CacheFile`, by the journal's writer thread through a
//! `crate::journal_writer::CacheSink`), and a read the network could not answer is answered
//! from it, marked "as of 14:02 — offline".
//!
//! The app passes every message through `before` (which remembers what reads brought and
//! swaps a read that failed for lack of a server for the cached copy) and `after` (which
//! marks on screen what came from the cache). `update` sees an ordinary answer. The cache
//! belongs to one person on one server: the app drops it when someone else signs in.

use chrono::{DateTime, Utc};
use jar_core::time::{uk_clock, uk_datetime};

use crate::api::ApiError;
use crate::journal::{CacheContents, CachedBoard, CachedRow};
use crate::journal_writer::CacheSink;
use crate::msg::{ApiMsg, Msg};
use crate::state::State;
use crate::state::board::AreaNames;

/// What `before` did with a message, for `after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// The board came from the server: drop any "offline" mark.
    BoardLive,
    /// The board came from the cache, as fetched at that time.
    BoardCached(DateTime<Utc>),
    CaseLive(String),
    CaseCached(String, DateTime<Utc>),
}

/// "as of 14:02 — offline" (UK time; the date too when not today).
pub fn as_of_label(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let london = |d: DateTime<Utc>| d.with_timezone(&chrono_tz::Europe::London).date_naive();
    let when = if london(t) == london(now) {
        uk_clock(t)
    } else {
        uk_datetime(t)
    };
    // "14:02 GMT" → "14:02" keeps it short; the status bar shows the zone.
    let when = when.trim_end_matches(" GMT").trim_end_matches(" BST");
    format!("as of {when} — offline")
}

/// The server could not be reached (or a proxy in front of it says so): worth the cache.
/// A refusal (401, 403, 404, 422…) never is.
pub fn unreachable(e: &ApiError) -> bool {
    match e {
        ApiError::Network(_) => true,
        ApiError::Problem(p) => matches!(p.status, 502..=504),
        _ => false,
    }
}

#[derive(Default)]
pub struct OfflineCache {
    contents: CacheContents,
    /// Where copies are written (`None`: kept in memory only).
    sink: Option<CacheSink>,
    /// The board was asked for while the server could not be reached and there was no copy
    /// to show (the journal, read on its own thread, may bring one a moment later).
    board_missed: bool,
}

impl OfflineCache {
    /// Start from what the person's journal cache holds; written through `sink` from now on
    /// (`None`: kept in memory only).
    pub fn open(&mut self, contents: CacheContents, sink: Option<CacheSink>) {
        // Copies held in memory already (fetched this run, or read while another jarterm
        // had the journal) and copies on disk: the later fetch of each wins.
        let mut merged = contents;
        if let Some(mine) = self.contents.board.take()
            && merged
                .board
                .as_ref()
                .is_none_or(|b| b.fetched_at <= mine.fetched_at)
        {
            merged.board = Some(mine);
        }
        for c in std::mem::take(&mut self.contents.cases) {
            match merged.cases.iter().position(|x| x.reference == c.reference) {
                Some(i) if merged.cases[i].fetched_at > c.fetched_at => {}
                Some(i) => merged.cases[i] = c,
                None => merged.cases.push(c),
            }
        }
        merged
            .cases
            .sort_by_key(|c| std::cmp::Reverse(c.fetched_at));
        merged.cases.truncate(crate::journal::MAX_CASES);
        self.contents = merged;
        self.sink = sink;
        self.save();
    }

    /// Another person: nothing of the last one's is kept in memory.
    pub fn forget(&mut self) {
        self.contents = CacheContents::default();
        self.sink = None;
        self.board_missed = false;
    }

    /// A board that could not be fetched before the journal's copy was there, which is
    /// there now: the app asks again, and is answered from the copy (true once).
    pub fn board_missed(&mut self) -> bool {
        let answer = self.board_missed && self.contents.board.is_some();
        if answer {
            self.board_missed = false;
        }
        answer
    }

    pub fn contents(&self) -> &CacheContents {
        &self.contents
    }

    fn save(&self) {
        if let Some(sink) = &self.sink {
            sink.save(self.contents.clone());
        }
    }

    /// Remember what a read brought; answer a read that found no server from the cache.
    pub fn before(&mut self, s: &State, msg: Msg) -> (Msg, Option<Served>) {
        let Msg::Api(api) = msg else {
            return (msg, None);
        };
        let now = s.now;
        // Only the case on screen: an answer for a case since left (or fetched for the
        // last person) is not kept.
        let current = |r: &str| s.case.as_ref().is_some_and(|c| c.reference == r);
        let (api, served) = match api {
            ApiMsg::Cases(Ok(rows)) => {
                self.contents.board = Some(CachedBoard {
                    fetched_at: now,
                    rows: rows.iter().map(CachedRow::from).collect(),
                });
                self.save();
                self.board_missed = false;
                (ApiMsg::Cases(Ok(rows)), Some(Served::BoardLive))
            }
            ApiMsg::Cases(Err(e)) if unreachable(&e) && !s.board.loaded => {
                match &self.contents.board {
                    Some(b) => {
                        let mut areas = AreaNames::default();
                        let rows = b.rows.iter().map(|r| r.to_row(&mut areas)).collect();
                        (
                            ApiMsg::Cases(Ok(rows)),
                            Some(Served::BoardCached(b.fetched_at)),
                        )
                    }
                    None => {
                        self.board_missed = true;
                        (ApiMsg::Cases(Err(e)), None)
                    }
                }
            }
            ApiMsg::Case { case_ref, result } if current(&case_ref) => {
                let (result, served) = self.part(
                    &case_ref,
                    now,
                    result,
                    |c| &mut c.detail,
                    |c| c.detail.clone(),
                );
                let served = served.or(Some(Served::CaseLive(case_ref.clone())));
                (ApiMsg::Case { case_ref, result }, served)
            }
            ApiMsg::Timeline { case_ref, result } if current(&case_ref) => {
                let (result, served) = self.part(
                    &case_ref,
                    now,
                    result,
                    |c| &mut c.timeline,
                    |c| c.timeline.clone(),
                );
                (ApiMsg::Timeline { case_ref, result }, served)
            }
            ApiMsg::Checklists { case_ref, result } if current(&case_ref) => {
                let (result, served) = self.part(
                    &case_ref,
                    now,
                    result,
                    |c| &mut c.checklists,
                    |c| c.checklists.clone(),
                );
                (ApiMsg::Checklists { case_ref, result }, served)
            }
            ApiMsg::Contacts {
                case_ref,
                result,
                catalogue,
            } if current(&case_ref) => {
                let (result, served) = self.part(
                    &case_ref,
                    now,
                    result,
                    |c| &mut c.contacts,
                    |c| c.contacts.clone(),
                );
                (
                    ApiMsg::Contacts {
                        case_ref,
                        result,
                        catalogue,
                    },
                    served,
                )
            }
            other => (other, None),
        };
        (Msg::Api(api), served)
    }

    /// One part of a case: kept when it came, the cached copy when the server was away.
    fn part<T: Clone>(
        &mut self,
        case_ref: &str,
        now: DateTime<Utc>,
        result: Result<T, ApiError>,
        slot: impl Fn(&mut crate::journal::CachedCase) -> &mut Option<T>,
        cached: impl Fn(&crate::journal::CachedCase) -> Option<T>,
    ) -> (Result<T, ApiError>, Option<Served>) {
        match result {
            Ok(v) => {
                *slot(self.contents.case_mut(case_ref, now)) = Some(v.clone());
                self.save();
                (Ok(v), None)
            }
            Err(e) if unreachable(&e) => match self.contents.case(case_ref) {
                Some(c) => match cached(c) {
                    Some(v) => (
                        Ok(v),
                        Some(Served::CaseCached(case_ref.to_string(), c.fetched_at)),
                    ),
                    None => (Err(e), None),
                },
                None => (Err(e), None),
            },
            Err(e) => (Err(e), None),
        }
    }

    /// Mark on screen what came from the cache (after `update` has taken the message).
    pub fn after(s: &mut State, served: Option<Served>) {
        match served {
            None => {}
            Some(Served::BoardLive) => s.board.offline_as_of = None,
            Some(Served::BoardCached(t)) => s.board.offline_as_of = Some(t),
            Some(Served::CaseLive(r)) => {
                if let Some(c) = s.case.as_mut().filter(|c| c.reference == r) {
                    c.offline_as_of = None;
                }
            }
            Some(Served::CaseCached(r, t)) => {
                if let Some(c) = s.case.as_mut().filter(|c| c.reference == r) {
                    c.offline_as_of = Some(t);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use jar_core::wire::Problem;

    fn state_on(case_ref: &str) -> State {
        let now = Utc.with_ymd_and_hms(2026, 1, 10, 14, 2, 0).unwrap();
        let who = jar_core::permissions::Principal {
            username: "demo-paed".into(),
            role: jar_core::Role::Paediatrician,
            areas: vec![],
        };
        let mut s = State::signed_in(now, "test", who);
        s.case = Some(crate::state::CaseState::new(case_ref));
        s
    }

    fn lists(case_ref: &str, result: Result<Vec<jar_core::wire::ChecklistView>, ApiError>) -> Msg {
        Msg::Api(ApiMsg::Checklists {
            case_ref: case_ref.into(),
            result,
        })
    }

    fn problem(status: u16) -> ApiError {
        ApiError::Problem(Problem {
            kind: "about:blank".into(),
            title: "x".into(),
            status,
            detail: String::new(),
            current: None,
        })
    }

    #[test]
    fn a_read_that_finds_no_server_is_answered_from_the_cache_and_a_refusal_is_not() {
        let mut s = state_on("JAR-2026-0001");
        let mut cache = OfflineCache::default();
        // Nothing kept yet: the failure goes through.
        let (m, served) = cache.before(&s, lists("JAR-2026-0001", Err(problem(503))));
        assert!(matches!(
            m,
            Msg::Api(ApiMsg::Checklists { result: Err(_), .. })
        ));
        assert_eq!(served, None);
        let (_, served) = cache.before(&s, lists("JAR-2026-0001", Ok(vec![])));
        assert_eq!(served, None);
        let kept_at = s.now;
        s.now += chrono::Duration::minutes(5);
        for unreachable in [
            ApiError::Network("refused".into()),
            problem(502),
            problem(504),
        ] {
            let (m, served) = cache.before(&s, lists("JAR-2026-0001", Err(unreachable)));
            assert!(matches!(
                m,
                Msg::Api(ApiMsg::Checklists { result: Ok(_), .. })
            ));
            assert_eq!(
                served,
                Some(Served::CaseCached("JAR-2026-0001".into(), kept_at))
            );
        }
        // An answer from the server itself (a refusal, or its own error) is never papered over.
        for refused in [
            ApiError::Unauthorized,
            problem(403),
            problem(404),
            problem(500),
        ] {
            let (m, _) = cache.before(&s, lists("JAR-2026-0001", Err(refused)));
            assert!(matches!(
                m,
                Msg::Api(ApiMsg::Checklists { result: Err(_), .. })
            ));
        }
        OfflineCache::after(
            &mut s,
            Some(Served::CaseCached("JAR-2026-0001".into(), kept_at)),
        );
        assert_eq!(s.case.as_ref().and_then(|c| c.offline_as_of), Some(kept_at));
        OfflineCache::after(&mut s, Some(Served::CaseLive("JAR-2026-0001".into())));
        assert_eq!(s.case.as_ref().and_then(|c| c.offline_as_of), None);
    }

    #[test]
    fn only_the_case_on_screen_is_kept_and_forget_drops_everything() {
        let s = state_on("JAR-2026-0001");
        let mut cache = OfflineCache::default();
        cache.before(&s, lists("JAR-2026-0002", Ok(vec![])));
        assert!(cache.contents().case("JAR-2026-0002").is_none());
        cache.before(&s, lists("JAR-2026-0001", Ok(vec![])));
        assert!(cache.contents().case("JAR-2026-0001").is_some());
        cache.forget();
        assert!(cache.contents().is_empty());
    }

    #[test]
    fn the_offline_mark_says_when_in_uk_time() {
        let now = Utc.with_ymd_and_hms(2026, 7, 10, 16, 0, 0).unwrap();
        let t = Utc.with_ymd_and_hms(2026, 7, 10, 13, 2, 0).unwrap();
        assert_eq!(as_of_label(t, now), "as of 14:02 — offline");
        let yesterday = Utc.with_ymd_and_hms(2026, 7, 9, 13, 2, 0).unwrap();
        assert_eq!(
            as_of_label(yesterday, now),
            "as of Thu 09 Jul 14:02 — offline"
        );
    }
}
