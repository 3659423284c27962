//! The demo's checklists (issue 14 §3-4): the core response and the category supplement at
//! their newest versions, as every new case starts; items recorded by a demo user whose role
//! owns them, at believable times (first-hours items within their window, samples with the
//! time they were taken), and the states a real team sees: a sample deferred to the
//! post-mortem, one the ED was unable to take (still open and counted), items that do not
//! apply with the reason.

use chrono::{DateTime, Duration, Utc};
use jar_core::case::PresentingCategory;
use jar_core::checklist::{self, ItemState, ItemStatus, Template, TemplateItem, WindowAnchor};
use jar_core::{Agency, Role};

/// What the checklists of one demo case depend on.
pub struct Seed {
    pub i: usize,
    pub stage_idx: usize,
    pub detailed: bool,
    pub category: PresentingCategory,
    /// The death time the windows count from: found, else confirmed (the default rules).
    pub death: DateTime<Utc>,
    pub notified_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
    /// When "Samples taken" was recorded on the timeline, if it was.
    pub samples_at: Option<DateTime<Utc>>,
}

/// The demo user who records a step: the first owning agency someone signs in for; the CDR
/// office (a manager) for agencies that do not sign in (education, coroner, ...).
pub fn recorder(owners: &[Agency]) -> &'static str {
    let by_role = |a: &Agency| Role::ALL.into_iter().find(|r| r.agency() == *a);
    match owners.iter().find_map(by_role) {
        Some(role) => super::DEMO_USERS
            .iter()
            .find(|(_, r)| *r == role)
            .map_or("demo-manager", |(u, _)| *u),
        None => "demo-manager",
    }
}

/// A state the demo gives an item, other than done.
fn special(seed: &Seed, item: &TemplateItem) -> Option<(ItemStatus, &'static str)> {
    let early = (1..=4).contains(&seed.stage_idx);
    match item.id.as_str() {
        "SUDI-B04" if seed.i % 4 == 1 => Some((
            ItemStatus::DeferredToPostMortem,
            "LP not possible in ED (demo); the pathologist takes CSF at the post-mortem.",
        )),
        "SUDI-B08" if seed.i % 4 == 3 && early => Some((
            ItemStatus::Unable,
            "No viral transport medium in ED (demo); asked the lab for a kit.",
        )),
        "CORE-05" => Some((
            ItemStatus::NotApplicable,
            "Brought to the ED by ambulance (demo): no mortuary path.",
        )),
        "CORE-08" if seed.category != PresentingCategory::Sudi => {
            Some((ItemStatus::NotApplicable, "No infection suspected (demo)."))
        }
        "CORE-12" if !matches!(seed.category, PresentingCategory::Sudi) => Some((
            ItemStatus::NotApplicable,
            "Mother not breastfeeding (demo).",
        )),
        "SUI-20" | "SUI-21" => Some((
            ItemStatus::NotApplicable,
            "Not in custody or detained (demo).",
        )),
        "SUI-19" if seed.i % 13 != 5 => Some((
            ItemStatus::NotApplicable,
            "Not a looked-after child (demo).",
        )),
        "AST-22" | "AST-23" => Some((
            ItemStatus::NotApplicable,
            "Anaphylaxis not suspected (demo).",
        )),
        "TRA-02" | "TRA-04" | "TRA-05" => Some((
            ItemStatus::NotApplicable,
            "Road collision (demo): not this cause.",
        )),
        _ => None,
    }
}

/// When the item was recorded: early items inside their window, the rest spread over the
/// case so far; never after now.
fn recorded_at(seed: &Seed, item: &TemplateItem, n: usize, of: usize) -> DateTime<Utc> {
    let span = (seed.now - seed.notified_at).num_minutes().max(10);
    let t = match item.window {
        Some(w) => {
            let from = match w.from {
                WindowAnchor::Death => seed.death,
                WindowAnchor::Notification => seed.notified_at,
            };
            // Half the window, so most are met on time.
            from + Duration::minutes(i64::from(w.hours) * 30)
        }
        None if item.before_transfer => seed.death + Duration::minutes(150),
        None => seed.notified_at + Duration::minutes(span * (n as i64 + 1) / (of as i64 + 2)),
    };
    // Nothing is ticked before the case exists, nor in the future.
    t.max(seed.notified_at + Duration::minutes(5))
        .min(seed.now - Duration::minutes(1))
}

fn seed_template(seed: &Seed, t: &Template, items: &mut Vec<(String, ItemState)>) {
    let of = t.items.len();
    // The further on the case, the more is done; a closed case has nothing left open.
    let done = if seed.stage_idx >= 8 {
        of
    } else {
        of * seed.stage_idx / 9
    };
    let done = if seed.detailed { done } else { done.min(1) };
    // Past the ED, the samples were taken before transfer, and every time-critical item whose
    // window has run out was done within it: what is left `!` is what is still running.
    let first_hours = |item: &TemplateItem| {
        let elapsed = item.window.is_some_and(|w| {
            let from = match w.from {
                WindowAnchor::Death => seed.death,
                WindowAnchor::Notification => seed.notified_at,
            };
            from + Duration::hours(i64::from(w.hours)) <= seed.now
        });
        seed.stage_idx >= 1 && seed.detailed && (item.before_transfer || elapsed)
    };
    for (n, item) in t.items.iter().enumerate() {
        let sp = special(seed, item).filter(|_| seed.stage_idx >= 1 && seed.detailed);
        if n >= done && !first_hours(item) && sp.is_none() {
            continue;
        }
        let at = recorded_at(seed, item, n, of);
        let (status, note) = match sp {
            Some((status, note)) => (status, note.to_string()),
            None if item.restricted => (
                ItemStatus::Done,
                "Demo restricted note: no concerns noted.".to_string(),
            ),
            None => (ItemStatus::Done, String::new()),
        };
        // A sample closed by "Samples taken" carries the event's time; one ticked by hand
        // carries the time it was taken, a little before it was ticked.
        let taken_at = (item.sample && status == ItemStatus::Done).then(|| {
            match (item.closed_by, seed.samples_at) {
                (Some(_), Some(t)) => t,
                _ => at - Duration::minutes(20),
            }
        });
        items.push((
            t.id.clone(),
            ItemState {
                item_id: item.id.clone(),
                status,
                note: Some(note),
                updated_by: Some(recorder(&item.owners).into()),
                updated_at: Some(at),
                version: 2,
                taken_at,
            },
        ));
    }
}

/// The checklists started on a demo case (template id, version) and its recorded items.
#[allow(clippy::type_complexity)]
pub fn seed(seed: &Seed) -> (Vec<(String, u32)>, Vec<(String, ItemState)>) {
    let mut checklists = Vec::new();
    let mut items = Vec::new();
    for t in seed
        .category
        .templates()
        .into_iter()
        .filter_map(checklist::template)
    {
        checklists.push((t.id.clone(), t.version));
        seed_template(seed, t, &mut items);
    }
    (checklists, items)
}
