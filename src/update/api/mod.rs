//! Results from the network: fill state, show errors as banners or dialogs, never crash.
//! By concern: `session` (sign-in, who I am, expiry), `reads` (the board and the open case,
//! latest wins), `events` (the change stream), `writes` (the outbox's answers), `journal`
//! (what an earlier run left). Errors are judged by `ApiError::kind`, never by raw status.

mod events;
mod journal;
mod reads;
mod session;
mod writes;

use crate::api::{ApiError, ErrorKind};
use crate::effect::Effect;
use crate::msg::ApiMsg;
use crate::state::{BannerKind, Conn, State};

pub use reads::{fetch_case_parts, fetch_cases, refetch_case};
pub use session::load_drafts;
pub(crate) use writes::{pump, resend_unsent};

fn is_current(s: &State, case_ref: &str) -> bool {
    s.case.as_ref().is_some_and(|c| c.reference == case_ref)
}

/// Common handling of a failed read; returns the words to show in place of the data.
fn read_failed(s: &mut State, e: &ApiError, effects: &mut Vec<Effect>) -> String {
    match e.kind() {
        ErrorKind::SignIn => {
            effects.extend(session::expire_session(s));
            "Sign in again to see this.".to_string()
        }
        ErrorKind::Gone => "Not found, or not in your areas.".to_string(),
        ErrorKind::Forbidden => "Not available to your role.".to_string(),
        _ => {
            let text = e.describe();
            s.banner(BannerKind::Error, text.clone());
            text
        }
    }
}

/// An answer came (or did not): the status bar says so now, not when the event stream next
/// reports. The first answer makes the status "live"; a request that finds no server while
/// "live" makes it "reconnecting", and the first one of a run "offline".
pub fn note_reached(s: &mut State, reached: Option<bool>) -> Vec<Effect> {
    if s.login.is_some() {
        // Signing in (again): the sign-in's own answer says how it went.
        return Vec::new();
    }
    match reached {
        Some(true) if s.conn != Conn::Live => events::conn(s, Conn::Live),
        Some(false) if s.conn == Conn::Live => events::conn(s, Conn::Reconnecting),
        Some(false) if s.conn == Conn::Connecting => events::conn(s, Conn::Offline),
        _ => Vec::new(),
    }
}

pub fn on_api(s: &mut State, m: ApiMsg) -> Vec<Effect> {
    match m {
        ApiMsg::LoggedIn(result) => session::logged_in(s, result),
        ApiMsg::Me(result) => session::me(s, result),
        ApiMsg::SessionExpired => session::expired(s),
        ApiMsg::CasesFirstPage(cases) => reads::first_page(s, cases),
        ApiMsg::CasesSeq(seq) => reads::cases_seq(s, seq),
        ApiMsg::Cases(result) => reads::cases(s, result),
        ApiMsg::Case { case_ref, result } => reads::detail(s, &case_ref, result),
        ApiMsg::Timeline { case_ref, result } => reads::timeline(s, &case_ref, result),
        ApiMsg::Checklists { case_ref, result } => reads::checklists(s, &case_ref, result),
        ApiMsg::Contacts {
            case_ref,
            result,
            catalogue,
        } => reads::contacts(s, &case_ref, result, catalogue),
        ApiMsg::Questions { case_ref, result } => reads::questions(s, &case_ref, result),
        ApiMsg::Involvements { case_ref, result } => reads::involvements(s, &case_ref, result),
        ApiMsg::FamilyContacts { case_ref, result } => {
            // Not shown is not an error: the Contacts tab says nothing of it.
            if let (Ok(fc), Some(c)) = (result, s.case.as_mut())
                && c.reference == case_ref
            {
                c.family_contacts = Some(fc);
            }
            Vec::new()
        }
        ApiMsg::Assignees { case_ref, result } => {
            match result {
                Ok(people) => crate::update::assign::open(s, &case_ref, people),
                Err(e) => {
                    let text = e.describe();
                    s.case_banner(BannerKind::Error, &case_ref, text);
                }
            }
            Vec::new()
        }
        ApiMsg::HandoverDraft(result) => {
            crate::update::handover::drafted(s, result);
            Vec::new()
        }
        ApiMsg::Handovers(result) => {
            crate::update::handover::listed(s, result);
            Vec::new()
        }
        ApiMsg::Audit(result) => {
            crate::update::desk::audit_page(s, result);
            Vec::new()
        }
        ApiMsg::Users(result) => {
            crate::update::desk::users(s, result);
            Vec::new()
        }
        ApiMsg::WriteDone { key, result } => writes::write_done(s, key, result),
        ApiMsg::Change(ev) => events::change(s, ev),
        ApiMsg::Resync => events::resync(s),
        ApiMsg::Conn(c) => events::conn(s, c),
        ApiMsg::DraftsLoaded(saved) => journal::drafts_loaded(s, saved),
        ApiMsg::JournalLoaded {
            writes,
            drafts,
            encrypted,
            problem,
        } => journal::loaded(s, writes, drafts, encrypted, problem),
        ApiMsg::JournalNotSaved(kind) => journal::not_saved(s, &kind),
        ApiMsg::ConflictsLoaded(conflicts) => journal::conflicts_loaded(s, conflicts),
    }
}
