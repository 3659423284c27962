//! Synthetic demo data: cases over every stage, category and area, with partly done checklists,
//! timelines and contact logs, placed relative to now so deadlines are overdue, due and met.
//! Every name is obviously invented and NHS numbers come from the 999 test range.
//!
//! Seeding is bulk and in one transaction (multi-row inserts with ids assigned here), so
//! 100,000 cases load in seconds rather than minutes. The rows themselves come from the store
//! (`cases::case_values`, the same projection and search text as every write), so the board
//! columns are derived in one place only.

use crate::projection::Bundle;
use crate::store::cases::Val;
use crate::store::{Backend, Conn, Store, cases, ms};
use chrono::{DateTime, Datelike, Duration, Utc};
use jar_core::Role;
use jar_core::case::{
    Assignments, Case, CaseTimes, CriteriaDecision, FamilyMember, Flags, Identity, JarCriterion,
    PlaceOfDeath, PresentingCategory, Sex, Stage,
};
use jar_core::contact::{
    Contact, ContactMode, ContactPurpose, Direction, NewContact, Outcome, SupportGiven,
    SupportResponse,
};
use jar_core::deadline::{AreaOverrides, FamilyContactFact};
use jar_core::timeline::{EventKind, TimelineEvent};
use std::collections::BTreeMap;

mod checklists;

pub const DEMO_PASSWORD: &str = "demo";
pub const DEMO_USERS: [(&str, Role); 5] = [
    ("demo-paed", Role::Paediatrician),
    ("demo-police", Role::Police),
    ("demo-social", Role::SocialWorker),
    ("demo-keyworker", Role::KeyWorker),
    ("demo-manager", Role::Manager),
];
pub const DEMO_AREAS: [&str; 3] = ["North Wessex", "South Wessex", "Wessex Coast"];
/// `--demo` without `--demo-cases`.
pub const DEFAULT_CASES: usize = 36;
/// Cases below this index get the full treatment (identity, long checklists, several contacts);
/// the rest are lighter so that large benchmark seeds stay fast.
const DETAILED: usize = 60;

const TREES: [&str; 12] = [
    "Alder", "Birch", "Cedar", "Damson", "Elm", "Fir", "Hazel", "Juniper", "Larch", "Maple", "Oak",
    "Rowan",
];

/// Seed the demo users (if missing) and `n` demo cases (if the database has no cases yet).
pub async fn seed(store: &Store, n: usize, overrides: &AreaOverrides) -> anyhow::Result<()> {
    seed_at(store, n, overrides, Utc::now()).await
}

/// As [`seed`], with the cases placed relative to `now` (the server's clock).
pub async fn seed_at(
    store: &Store,
    n: usize,
    overrides: &AreaOverrides,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let phc = crate::auth::hash_password(DEMO_PASSWORD.to_string()).await?;
    let areas: Vec<String> = DEMO_AREAS.iter().map(|a| a.to_string()).collect();
    let mut tx = store.begin().await?;
    // Whole seconds keep the stored summaries (and so the case list) compact.
    let now = chrono::SubsecRound::trunc_subsecs(now, 0);
    for (name, role) in DEMO_USERS {
        if crate::store::users::find(tx.conn(), name).await?.is_none() {
            crate::store::users::insert(tx.conn(), name, &phc, role, &areas, now).await?;
        }
    }
    if cases::count(tx.conn()).await? == 0 && n > 0 {
        let backend = tx.backend;
        if backend == Backend::Sqlite {
            // A larger page cache for this connection keeps the index updates of a big seed in
            // memory (the pool's connections are reused, so it is set back afterwards).
            sqlx::query("PRAGMA cache_size = -131072")
                .execute(tx.conn())
                .await?;
        }
        insert_cases(tx.conn(), backend, n, overrides, now).await?;
        if backend == Backend::Sqlite {
            sqlx::query("PRAGMA cache_size = -2000")
                .execute(tx.conn())
                .await?;
        }
    }
    tx.tx.commit().await?;
    Ok(())
}

/// When each milestone typically happens, in minutes after notification (same order as
/// `MILESTONES`; the first, death confirmed, uses the case's own time).
const MILESTONE_AFTER_MIN: [i64; 8] = [
    0,
    // The ED phase and its information-sharing discussion inside the first 4 hours from
    // the death (found 90 minutes before notification), as the default rules expect.
    95,
    145,
    21 * 60,
    3 * 1440,
    6 * 1440,
    70 * 1440,
    120 * 1440,
];

/// How long ago a case at each stage was notified: a case waiting for its ED response or
/// information-sharing discussion is hours old, not days.
const AGE_BY_STAGE_MIN: [i64; 9] = [
    40,
    100,
    150,
    18 * 60,
    4 * 1440,
    6 * 1440 + 12 * 60,
    30 * 1440,
    80 * 1440,
    150 * 1440,
];

const MILESTONES: [EventKind; 8] = [
    EventKind::DeathConfirmed,
    EventKind::EdResponseCompleted,
    EventKind::InformationSharingHeld,
    EventKind::HomeVisitDone,
    EventKind::PostMortemPreliminaryResults,
    EventKind::PostPmDiscussionHeld,
    EventKind::CdrmHeld,
    EventKind::CdopReviewCompleted,
];

pub fn nhs_test_number(i: usize) -> String {
    // 999 numbers are never issued to patients; add a valid modulus-11 check digit anyway.
    let mut seq = i as u64 * 7 + 1;
    loop {
        let base = format!("999{:06}", seq % 1_000_000);
        let sum: u32 = base
            .chars()
            .zip((2..=10).rev())
            .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
            .sum();
        let check = 11 - (sum % 11);
        if check != 10 {
            let check = if check == 11 { 0 } else { check };
            return format!("{} {} {}{check}", &base[0..3], &base[3..6], &base[6..9]);
        }
        seq += 1;
    }
}

struct DemoCase {
    bundle: Bundle,
    identity: Option<Identity>,
    contacts: Vec<Contact>,
}

fn demo_case(i: usize, reference: String, now: DateTime<Utc>) -> DemoCase {
    let stage_idx = i % 9;
    let category = PresentingCategory::ALL[i % 6];
    // Spread so that every area has every stage, and the key worker has cases at every stage
    // in every area.
    let area = DEMO_AREAS[(i / 3 + i / 9) % 3].to_string();
    let age = Duration::minutes(AGE_BY_STAGE_MIN[stage_idx] + (i % 7) as i64 * 10);
    let notified_at = now - age;
    let death = notified_at - Duration::minutes(30);
    let key_worker = ((i + i / 9) % 3 == 1).then(|| "demo-keyworker".to_string());
    let criminal = i % 7 == 3;
    let people = Assignments {
        lead_paediatrician: i.is_multiple_of(2).then(|| "demo-paed".to_string()),
        police_lead: (i % 4 == 1 || criminal).then(|| "demo-police".to_string()),
        social_worker: (i % 5 == 2).then(|| "demo-social".to_string()),
        key_worker: key_worker.clone(),
    };
    let mut case = Case {
        reference,
        area,
        // Ages that fit the presentation: SUDI under a year, SUDIC toddlers, older children
        // for asthma, teenagers for suspected suicide.
        age_months: match category {
            PresentingCategory::Sudi => [2, 4, 7, 10][i % 4],
            PresentingCategory::Sudic => [14, 19, 26, 34][i % 4],
            PresentingCategory::Asthma => [62, 97, 131, 170][i % 4],
            PresentingCategory::SuspectedSuicide => [163, 181, 196, 207][i % 4],
            _ => [5, 30, 70, 130, 190][i % 5],
        },
        sex: [Sex::Female, Sex::Male][i % 2],
        place_of_death: [
            PlaceOfDeath::Home,
            PlaceOfDeath::Hospital,
            PlaceOfDeath::PublicPlace,
        ][i % 3],
        category,
        times: CaseTimes {
            last_seen_at: Some(death - Duration::hours(7)),
            found_at: Some(death - Duration::minutes(60)),
            death_confirmed_at: Some(death),
            notified_at,
        },
        criteria: CriteriaDecision {
            // A suspected suicide is an external cause (issue 14: v1 said "no apparent cause").
            criteria: vec![if matches!(
                category,
                PresentingCategory::Trauma | PresentingCategory::SuspectedSuicide
            ) {
                JarCriterion::ExternalCause
            } else {
                JarCriterion::SuddenNoApparentCause
            }],
            decided_by: "on-call paediatrician (demo)".into(),
            decided_at: notified_at,
            rationale: String::new(),
        },
        stage: Stage::ALL[stage_idx],
        people,
        flags: Some(Flags {
            criminal_investigation: criminal,
            s47_strategy: criminal && i.is_multiple_of(2),
            cspr_notified: false,
            // A few looked-after children: their Ofsted/DfE notification clock shows.
            looked_after: i % 13 == 5,
        }),
        investigation_note: criminal
            .then(|| format!("Demo investigation note {i}: scene examined, enquiries ongoing.")),
        notified_by: "demo-paed".into(),
        not_applicable: Vec::new(),
        version: 1,
    };
    // A child who died in PICU days after a road collision: the scene is the road, examined
    // by police; the home visit is marked not applicable with the reason, as a CDOP team would
    // (issue 14 §4: "no home visit after a PICU death").
    let marked_at = notified_at + Duration::hours(2);
    if case.place_of_death == PlaceOfDeath::Hospital
        && category == PresentingCategory::Trauma
        && marked_at <= now
    {
        case.not_applicable.push(jar_core::deadline::NotApplicable {
            rule_id: "home_visit".into(),
            reason: "Died in PICU days after a road collision: no scene to visit at home; \
                     the road was examined by police (agreed with the designated doctor)."
                .into(),
            by: "demo-paed".into(),
            at: marked_at,
        });
    }
    // A believable timeline: each step at a typical time after notification, and only if
    // that time has already passed. Early cases have some steps still to do; cases further on
    // have had their first-hours steps done, so their board rows show what is really next.
    let span = age.num_minutes().max(10);
    let at =
        |k: usize, of: usize| notified_at + Duration::minutes(span * k as i64 / (of as i64 + 2));
    let after = |minutes: i64| notified_at + Duration::minutes(minutes);
    let mut events = Vec::new();
    let mut push = |kind: EventKind, t: DateTime<Utc>, note: &str| {
        if t <= now {
            events.push(TimelineEvent {
                id: 0,
                kind,
                occurred_at: t,
                // What happened before the case was notified is recorded at notification.
                recorded_at: t.max(notified_at),
                // Recorded by a role that owns the step (issue 14 §3).
                recorded_by: checklists::recorder(kind.owners()).into(),
                note: note.to_string(),
                corrects: None,
            });
        }
    };
    // Bulk cases (benchmarks) carry only the milestones their stage needs.
    let detailed = i < DETAILED;
    if stage_idx >= 1 {
        push(EventKind::DeathConfirmed, death, "");
    }
    if detailed && (stage_idx >= 1 || i.is_multiple_of(2)) {
        // The ambulance crew called the police from the scene.
        push(EventKind::PoliceInformed, death - Duration::minutes(20), "");
    }
    if detailed && (stage_idx >= 2 || !i.is_multiple_of(3)) {
        push(EventKind::CoronerInformed, after(40), "");
        push(EventKind::SocialCareInformed, after(60), "");
    }
    if detailed && stage_idx >= 1 {
        push(EventKind::DesignatedDoctorInformed, after(8 * 60), "");
        push(EventKind::CdopNotified, after(12 * 60), "");
    }
    let samples = match category {
        PresentingCategory::Sudi | PresentingCategory::Sudic => {
            Some("Demo: bloods, blood spot, CSF, NPA, urine, swabs and skin biopsy taken in ED.")
        }
        PresentingCategory::Asthma => Some("Demo: viral swab taken in ED."),
        _ => None,
    };
    if let Some(note) = samples.filter(|_| detailed && stage_idx >= 1) {
        push(EventKind::SamplesTaken, after(75), note);
    }
    for (k, kind) in MILESTONES.iter().take(stage_idx).enumerate().skip(1) {
        // Some ED phases ran over their 4 hours: met late, as in real life.
        let late = if k == 1 && i.is_multiple_of(5) { 40 } else { 0 };
        push(
            *kind,
            after((MILESTONE_AFTER_MIN[k] + late).min(span - 5)),
            "",
        );
    }
    if detailed && key_worker.is_some() && stage_idx >= 2 {
        push(EventKind::KeyWorkerNamed, after(6 * 60), "");
    }
    if detailed && stage_idx >= 3 {
        push(EventKind::PostMortemOrdered, after(5 * 60), "");
        // The planning meeting within 3 working days; now and then later than that.
        let meeting = if i % 4 == 1 { 6 * 1440 } else { 26 * 60 };
        push(EventKind::InformationSharingMeetingHeld, after(meeting), "");
    }
    if detailed && stage_idx >= 2 {
        // NCMD within 48 hours of the death; a few sent late.
        let ncmd = if i.is_multiple_of(3) {
            50 * 60
        } else {
            30 * 60
        };
        push(EventKind::NcmdNotified, after(ncmd), "");
    }
    if detailed && stage_idx >= 6 {
        push(EventKind::FinalPmReportReceived, after(28 * 1440), "");
    }
    if criminal && stage_idx >= 2 {
        push(
            EventKind::StrategyDiscussionHeld,
            after(5 * 60),
            "Demo strategy discussion: s47 enquiries agreed.",
        );
    }
    let samples_at = events
        .iter()
        .find(|e| e.kind == EventKind::SamplesTaken)
        .map(|e| e.occurred_at);
    let (checklists, items) = checklists::seed(&checklists::Seed {
        i,
        stage_idx,
        detailed,
        category,
        death: death - Duration::minutes(60),
        notified_at,
        now,
        samples_at,
    });
    let mut contacts = Vec::new();
    // Cases further on whose key worker is not a demo user (another team's) still have a
    // first contact logged, so their contact deadline reads as met.
    let other_team = key_worker.is_none() && detailed && stage_idx >= 3;
    if (key_worker.is_some() && stage_idx >= 1) || other_team {
        let count = if other_team {
            1
        } else if detailed {
            stage_idx.min(3)
        } else {
            1
        };
        let author = if other_team {
            "kw-other-team"
        } else {
            "demo-keyworker"
        };
        for k in 0..count {
            // The first contact within a day or so; later ones spread over the case so far.
            let t = if k == 0 {
                notified_at + Duration::minutes((30 * 60).min(span / 2))
            } else {
                at(k + 1, count + 1)
            };
            contacts.push(Contact {
                id: 0,
                recorded_at: t,
                author: author.into(),
                entry: NewContact {
                    occurred_at: t,
                    direction: Direction::Outbound,
                    mode: [ContactMode::Phone, ContactMode::HomeVisit, ContactMode::FaceToFace][k % 3],
                    participants: vec!["parent (demo)".into()],
                    purpose: [ContactPurpose::InitialContact, ContactPurpose::FuneralAndPmRelease, ContactPurpose::PmResults][k % 3],
                    summary: format!("Demo contact {k} for case {i}: introduced the key worker role and explained what happens next."),
                    family_questions: if k == 0 { vec!["Why did this happen? (demo)".into()] } else { Vec::new() },
                    support_offered: Vec::new(),
                    interpreter: false,
                    // The first contact offers a national service (a synthetic record).
                    support: if k == 0 {
                        vec![SupportGiven {
                            service: "compassionate_friends".into(),
                            name: "The Compassionate Friends".into(),
                            response: SupportResponse::Offered,
                            referral_made: false,
                        }]
                    } else {
                        Vec::new()
                    },
                    cdr_leaflet_given: true,
                    safeguarding_concern: false,
                    outcome: Outcome::Reached,
                    next_contact_due: Some(t + Duration::days(7)),
                },
                amendments: Vec::new(),
            });
        }
    }
    let identity = (i < 1000).then(|| {
        let tree = TREES[i % TREES.len()];
        Identity {
            child_name: format!(
                "Example Child {tree}{}",
                if i >= TREES.len() {
                    format!(" {}", i / TREES.len() + 1)
                } else {
                    String::new()
                }
            ),
            nhs_number: nhs_test_number(i),
            address: format!("{} Example Street, Demo Town, ZZ99 {}XX", i + 1, i % 9),
            family: vec![FamilyMember {
                relationship: "parent".into(),
                name: format!("Example Parent {tree}"),
                phone: format!("07700 900{:03}", i % 1000),
                preferences: "Prefers phone calls after 10:00 (demo).".into(),
                language: "English".into(),
                interpreter_needed: Some(false),
            }],
            ..Identity::default()
        }
    });
    let contact_facts = contacts.iter().map(FamilyContactFact::of).collect();
    DemoCase {
        bundle: Bundle {
            id: (i + 1) as i64,
            case,
            events,
            checklists,
            items,
            contacts: contact_facts,
        },
        identity,
        contacts,
    }
}

/// Insert many rows with multi-row `INSERT ... VALUES (...), (...)` statements.
async fn bulk(
    conn: &mut Conn,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Val>>,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let count = rows.len();
    let per_row = columns.len();
    let rows_per_stmt = (2000 / per_row).max(1);
    for chunk in rows.chunks(rows_per_stmt) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (r, _) in chunk.iter().enumerate() {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..per_row {
                if c > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                sql.push_str(&format!("${n}"));
            }
            sql.push(')');
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            for v in row {
                q = match v {
                    Val::I(i) => q.bind(*i),
                    Val::T(s) => q.bind(s.clone()),
                    Val::NullI => q.bind(None::<i64>),
                    Val::NullT => q.bind(None::<String>),
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    tracing::debug!(
        table,
        rows = count,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "bulk insert"
    );
    Ok(())
}

async fn insert_cases(
    conn: &mut Conn,
    backend: Backend,
    n: usize,
    overrides: &AreaOverrides,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let mut per_year: BTreeMap<i32, u32> = BTreeMap::new();
    let (mut case_rows, mut id_rows, mut ev_rows, mut cl_rows, mut item_rows, mut contact_rows) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    let (mut event_id, mut contact_id) = (0i64, 0i64);
    // Oldest first, so references rise with notification time as they would in real use.
    for i in (0..n).rev() {
        let stage_age = AGE_BY_STAGE_MIN[i % 9] + (i % 7) as i64 * 10;
        let year = (now - Duration::minutes(stage_age)).year();
        let seq = per_year.entry(year).or_insert(0);
        *seq += 1;
        let reference = jar_core::case::case_ref(year, *seq);
        let mut d = demo_case(i, reference, now);
        let b = &mut d.bundle;
        for e in &mut b.events {
            event_id += 1;
            e.id = event_id;
            ev_rows.push(vec![
                Val::I(event_id),
                Val::I(b.id),
                Val::T(serde_json::to_string(e)?),
            ]);
        }
        b.case.stage = b.stage();
        let p = b.project(overrides, now);
        let c = &b.case;
        // The columns and search text come from the store, as for every other write.
        let mut row = vec![Val::I(b.id)];
        row.extend(cases::case_values(c, &p)?);
        case_rows.push(row);
        if let Some(identity) = &d.identity {
            id_rows.push(vec![Val::I(b.id), Val::T(serde_json::to_string(identity)?)]);
        }
        for (t, v) in &b.checklists {
            cl_rows.push(vec![
                Val::I(b.id),
                Val::T(t.clone()),
                Val::I(i64::from(*v)),
                Val::I(ms(c.times.notified_at)),
            ]);
        }
        for (t, s) in &b.items {
            item_rows.push(vec![
                Val::I(b.id),
                Val::T(t.clone()),
                Val::T(s.item_id.clone()),
                Val::I(s.version),
                Val::T(serde_json::to_string(s)?),
            ]);
        }
        for contact in &mut d.contacts {
            contact_id += 1;
            contact.id = contact_id;
            contact_rows.push(vec![
                Val::I(contact_id),
                Val::I(b.id),
                Val::I(ms(contact.entry.occurred_at)),
                Val::T(serde_json::to_string(contact)?),
            ]);
        }
    }
    tracing::info!(
        cases = n,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo data built"
    );
    let case_columns: Vec<&str> = std::iter::once("id").chain(cases::CASE_COLUMNS).collect();
    bulk(conn, "cases", &case_columns, case_rows).await?;
    bulk(conn, "identities", &["case_id", "record"], id_rows).await?;
    bulk(conn, "timeline", &["id", "case_id", "record"], ev_rows).await?;
    bulk(
        conn,
        "checklists",
        &["case_id", "template", "template_version", "started_at"],
        cl_rows,
    )
    .await?;
    bulk(
        conn,
        "items",
        &["case_id", "template", "item_id", "version", "record"],
        item_rows,
    )
    .await?;
    bulk(
        conn,
        "contacts",
        &["id", "case_id", "occurred_at", "record"],
        contact_rows,
    )
    .await?;
    let seq_rows = per_year
        .iter()
        .map(|(y, s)| vec![Val::I(i64::from(*y)), Val::I(i64::from(*s))])
        .collect();
    bulk(conn, "ref_seq", &["year", "next"], seq_rows).await?;
    tracing::info!(
        cases = n,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo data inserted"
    );
    if backend == Backend::Postgres {
        // Ids were given explicitly; move the sequences past them.
        for table in ["cases", "timeline", "contacts"] {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}
