//! Issue 17 §1: drafting an on-call handover (I-PASS) from a fixed state, read back as the
//! text the outgoing and incoming paediatricians see.

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::case_at;
use jar_core::case::{PresentingCategory, Stage, case_ref};
use jar_core::checklist::ItemState;
use jar_core::deadline::{self, AreaOverrides, CaseFacts};
use jar_core::handover::{self, DraftCase, HandoverAck, NewHandover};

const GOLDEN: &str = "\
Handover from demo-paed to night-paed · Sat 10 Jan 02:00 GMT · 2 cases

1. JAR-2026-0007  WATCHER: Police informed OVERDUE 1d (soft)
   Summary:   Asthma · Info sharing · 12 years · West Coast · notified 1d ago
   Actions:   OVERDUE 1d Police informed [HLT]
              OVERDUE 1d ED response completed [HLT+POL]
              OVERDUE 1d Coroner informed [HLT]
              OVERDUE 1d Social care informed [HLT]
              OVERDUE 1d ED information-sharing discussion [HLT+POL+SC]
              OVERDUE 7h Joint home visit [POL+HLT]
              OVERDUE 7h CDOP notified [HLT+CDR]
              OVERDUE 2h Designated doctor informed [HLT]
              DUE 19:00 GMT (in 17h) NCMD notified [CDR]
              DUE 19:00 GMT (in 17h) Key worker first contact [KW]
   Awareness: Safeguarding: s47 strategy
              Lead: demo-paed · key worker: none
              Family: no contact recorded
   Synthesis: If the coroner's officer calls about the PM, ring the DD.

2. JAR-2026-0042  WATCHER: Police informed OVERDUE 5h (soft)
   Summary:   SUDI · ED response · 4 months · North Wessex · notified 5h ago
   Actions:   OVERDUE 5h Police informed [HLT]
              OVERDUE 2h ED response completed [HLT+POL]
              OVERDUE 2h Coroner informed [HLT]
              OVERDUE 2h Social care informed [HLT]
              OVERDUE 2h ED information-sharing discussion [HLT+POL+SC]
              DUE 04:00 GMT (in 2h) Nasopharyngeal aspirate window (hard) [HLT]
              DUE 20:00 GMT (in 18h) CDOP notified [HLT+CDR]
              TIME-CRITICAL open: Skeletal survey requested
   Awareness: Lead: demo-paed · key worker: demo-kw
              Family: last contact 1h30m ago
   Synthesis: (none written)
";

#[test]
fn a_handover_drafted_from_two_cases_reads_as_the_golden_text() {
    // 02:00 GMT on a winter night; the outgoing on-call paediatrician leads two cases.
    let now = Utc.with_ymd_and_hms(2026, 1, 10, 2, 0, 0).unwrap();
    let mut sudi = case_at(
        now - Duration::hours(5),
        Some(now - Duration::hours(6)),
        PresentingCategory::Sudi,
    );
    sudi.people.lead_paediatrician = Some("demo-paed".into());
    sudi.people.key_worker = Some("demo-kw".into());
    let mut asthma = case_at(
        now - Duration::hours(30),
        Some(now - Duration::hours(31)),
        PresentingCategory::Asthma,
    );
    asthma.reference = case_ref(2026, 7);
    asthma.area = "West Coast".into();
    asthma.age_months = 150;
    asthma.stage = Stage::InformationSharing;
    asthma.people.lead_paediatrician = Some("demo-paed".into());
    if let Some(f) = asthma.flags.as_mut() {
        f.s47_strategy = true;
    }
    let rules = deadline::rules_for_area("North Wessex", &AreaOverrides::default());
    let no_items: Vec<ItemState> = Vec::new();
    let facts = |c| CaseFacts {
        case: c,
        events: &[],
        items: &no_items,
        first_family_contact: None,
    };
    let sudi_deadlines = deadline::compute(&facts(&sudi), &rules, now);
    let asthma_deadlines = deadline::compute(&facts(&asthma), &rules, now);
    let sudi_open = vec!["Skeletal survey requested".to_string()];
    let cases = [
        DraftCase {
            case: &sudi,
            deadlines: &sudi_deadlines,
            open_time_critical: &sudi_open,
            last_family_contact: Some(now - Duration::minutes(90)),
        },
        DraftCase {
            case: &asthma,
            deadlines: &asthma_deadlines,
            open_time_critical: &[],
            last_family_contact: None,
        },
    ];
    assert!(handover::belongs_in_handover("demo-paed", &sudi, false));
    let mut entries = handover::draft(&cases, now);
    entries[0].synthesis = "If the coroner's officer calls about the PM, ring the DD.".into();
    let text = handover::render("demo-paed", "night-paed", &entries, now);
    assert_eq!(text, GOLDEN, "\n{text}");
    // What is drafted is what the server accepts.
    let new = NewHandover {
        incoming: "night-paed".into(),
        entries,
    };
    assert_eq!(new.validate(), Ok(()));
    assert_eq!(new.duplicate(), None);
}

#[test]
fn only_active_cases_the_person_leads_or_that_changed_in_their_shift_are_handed_over() {
    let now = Utc.with_ymd_and_hms(2026, 1, 10, 2, 0, 0).unwrap();
    let mut c = case_at(now, None, PresentingCategory::Other);
    assert!(!handover::belongs_in_handover("demo-paed", &c, false));
    assert!(handover::belongs_in_handover("demo-paed", &c, true));
    c.people.lead_paediatrician = Some("demo-paed".into());
    assert!(handover::belongs_in_handover("demo-paed", &c, false));
    c.stage = Stage::Closed;
    assert!(!handover::belongs_in_handover("demo-paed", &c, true));
}

#[test]
fn an_acknowledgement_is_overdue_only_from_one_hour_after_sending() {
    let sent = Utc.with_ymd_and_hms(2026, 1, 10, 8, 0, 0).unwrap();
    assert!(!handover::ack_overdue(sent, sent + Duration::minutes(59)));
    assert!(handover::ack_overdue(sent, sent + Duration::minutes(60)));
    let ack: HandoverAck = serde_json::from_str(r#"{"become_lead":true}"#).expect("all");
    assert!(ack.cases.is_empty() && ack.become_lead);
}
