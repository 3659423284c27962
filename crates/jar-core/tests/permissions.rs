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
