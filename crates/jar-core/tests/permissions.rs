//! The permission matrix, read back as a table a person can check against design.md §3.

use jar_core::Role;
use jar_core::permissions::{MATRIX, Permission, allows};

fn row(p: Permission) -> String {
    Role::ALL
        .iter()
        .map(|r| if allows(*r, p) { "yes" } else { "-" })
        .map(|s| format!("{s:>6}"))
        .collect::<String>()
}

#[test]
fn the_permission_matrix_reads_as_the_design_says() {
    let expected = "\
permission                  paed police social keywrk    mgr
list_cases                   yes   yes   yes   yes   yes
read_case                    yes   yes   yes   yes   yes
notify_death                 yes   yes   yes     -   yes
update_case                  yes   yes   yes     -   yes
reveal_identity              yes   yes   yes   yes   yes
read_timeline                yes   yes   yes   yes   yes
write_timeline               yes   yes   yes     -   yes
read_checklist_status        yes   yes   yes   yes   yes
start_checklist              yes     -     -     -   yes
update_own_agency_item       yes   yes   yes   yes   yes
update_any_item                -     -     -     -   yes
read_contacts                yes     -     -   yes   yes
write_contacts                 -     -     -   yes   yes
read_criminal_detail         yes   yes   yes     -   yes
read_maltreatment_pointers   yes   yes   yes     -   yes
read_audit                     -     -     -     -   yes
manage_users                   -     -     -     -   yes
hand_over                    yes     -     -     -     -
raise_family_question        yes     -     -   yes   yes
advance_family_question      yes   yes   yes   yes   yes
";
    let mut table = format!(
        "{:<26}{}\n",
        "permission", "  paed police social keywrk    mgr"
    );
    for (p, _) in MATRIX {
        let name = serde_json::to_string(&p).expect("serialises");
        table.push_str(&format!("{:<26}{}\n", name.trim_matches('"'), row(p)));
    }
    assert_eq!(table, expected, "\n{table}");
}

#[test]
fn police_liaison_cannot_read_contact_text() {
    assert!(!allows(Role::Police, Permission::ReadContacts));
    assert!(!allows(Role::SocialWorker, Permission::ReadContacts));
}

#[test]
fn a_key_worker_never_receives_criminal_investigation_detail() {
    assert!(!allows(Role::KeyWorker, Permission::ReadCriminalDetail));
    assert!(!allows(
        Role::KeyWorker,
        Permission::ReadMaltreatmentPointers
    ));
}

#[test]
fn every_permission_appears_once() {
    let mut seen = std::collections::HashSet::new();
    assert!(MATRIX.iter().all(|(p, _)| seen.insert(*p)));
}

/// Issue 14 §3: who may record each step on the timeline, read as a table (managers record
/// any step for the CDR office; key workers write no timeline).
#[test]
fn only_the_roles_that_own_a_step_record_it() {
    use jar_core::permissions::event_lock_reason;
    use jar_core::timeline::EventKind;
    let mut table = String::new();
    for kind in EventKind::ALL {
        let cells: String = Role::ALL
            .iter()
            .map(|r| {
                if event_lock_reason(*r, kind, None).is_none() {
                    "yes"
                } else {
                    "-"
                }
            })
            .map(|s| format!("{s:>6}"))
            .collect();
        let name = serde_json::to_string(&kind).expect("serialises");
        table.push_str(&format!("{:<34}{cells}\n", name.trim_matches('"')));
    }
    let expected = "\
death_confirmed                      yes     -     -     -   yes
police_informed                      yes   yes     -     -   yes
coroner_informed                     yes   yes     -     -   yes
social_care_informed                 yes   yes   yes     -   yes
designated_doctor_informed           yes   yes     -     -   yes
ed_response_completed                yes     -     -     -   yes
samples_taken                        yes     -     -     -   yes
information_sharing_held             yes   yes   yes     -   yes
strategy_discussion_held               -   yes   yes     -   yes
home_visit_done                      yes   yes     -     -   yes
cdop_notified                        yes     -     -     -   yes
gp_and_school_informed               yes     -     -     -   yes
post_mortem_ordered                  yes   yes     -     -   yes
post_mortem_preliminary_results      yes   yes     -     -   yes
post_pm_discussion_held              yes   yes     -     -   yes
cdrm_held                            yes     -     -     -   yes
cdop_review_completed                  -     -     -     -   yes
key_worker_named                     yes     -     -     -   yes
information_sharing_meeting_held     yes   yes   yes     -   yes
final_pm_report_received             yes   yes     -     -   yes
ncmd_notified                          -     -     -     -   yes
ofsted_dfe_notified                    -     -   yes     -   yes
abuse_or_neglect_suspected           yes   yes   yes     -   yes
cspr_panel_notified                    -     -   yes     -   yes
rapid_review_completed               yes   yes   yes     -   yes
inquest_opened                         -   yes     -     -   yes
inquest_concluded                      -   yes     -     -   yes
criminal_proceedings_opened            -   yes     -     -   yes
criminal_proceedings_concluded         -   yes     -     -   yes
note                                 yes   yes   yes     -   yes
correction                           yes   yes   yes     -   yes
";
    assert_eq!(table, expected, "\n{table}");
}

#[test]
fn a_social_worker_cannot_log_samples_taken_and_police_cannot_close_a_case() {
    use jar_core::permissions::event_lock_reason;
    use jar_core::timeline::EventKind;
    let samples = event_lock_reason(Role::SocialWorker, EventKind::SamplesTaken, None);
    assert_eq!(
        samples.as_deref(),
        Some("\"Samples taken\" is recorded by health")
    );
    let close = event_lock_reason(Role::Police, EventKind::CdopReviewCompleted, None);
    assert_eq!(
        close.as_deref(),
        Some("closing the case is for the CDR manager")
    );
    // Withdrawing the closing event reopens the case: judged as the event it corrects.
    assert!(
        event_lock_reason(
            Role::Police,
            EventKind::Correction,
            Some(EventKind::CdopReviewCompleted)
        )
        .is_some()
    );
    assert!(
        event_lock_reason(
            Role::Manager,
            EventKind::Correction,
            Some(EventKind::CdopReviewCompleted)
        )
        .is_none()
    );
}
