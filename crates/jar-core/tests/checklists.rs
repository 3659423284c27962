//! The core JAR checklist for every death and the category supplements (issue 14, section 3).

use jar_core::case::PresentingCategory;
use jar_core::checklist::{self, BUILT_IN, parse_template};
use jar_core::role::Agency;

#[test]
fn every_death_gets_the_core_response_and_its_category_supplement() {
    use PresentingCategory::*;
    assert_eq!(Sudi.templates(), vec!["core", "sudi"]);
    assert_eq!(Sudic.templates(), vec!["core", "sudi"]);
    assert_eq!(Asthma.templates(), vec!["core", "asthma"]);
    assert_eq!(SuspectedSuicide.templates(), vec!["core", "suicide"]);
    assert_eq!(Trauma.templates(), vec!["core", "trauma"]);
    assert_eq!(Other.templates(), vec!["core"]);
    for c in PresentingCategory::ALL {
        for id in c.templates() {
            assert!(checklist::template(id).is_some(), "{id}");
        }
    }
}

#[test]
fn the_core_response_covers_what_every_jar_needs() {
    let core = checklist::template("core").expect("core");
    let text: String = core
        .items
        .iter()
        .map(|i| i.text.to_lowercase())
        .collect::<Vec<_>>()
        .join("\n");
    for must in [
        "police informed",
        "coroner",
        "social care",
        "designated doctor",
        "other children in the household",
        "agency checks",
        "key worker named",
        "what happens next",
        "organ and tissue donation",
        "mortuary",
        "lactation",
        "ambulance service records",
        "notifiable infection",
        "tissue retained",
        "consanguinity",
    ] {
        assert!(text.contains(must), "the core checklist lacks: {must}");
    }
    // Organ donation is never presented as impossible (Chief Coroner's Guidance No. 26).
    let donation = core.item("CORE-13").expect("CORE-13");
    assert!(!donation.text.to_lowercase().contains("not possible"));
    assert!(donation.source.contains("Chief Coroner"));
}

#[test]
fn new_agencies_own_items() {
    let all: Vec<Agency> = ["core", "trauma", "neonatal"]
        .iter()
        .filter_map(|id| checklist::template(id))
        .flat_map(|t| t.items.iter().flat_map(|i| i.owners.clone()))
        .collect();
    for a in [
        Agency::Education,
        Agency::Ambulance,
        Agency::Coroner,
        Agency::PrimaryCare,
        Agency::PublicHealth,
    ] {
        assert!(all.contains(&a), "no item owned by {}", a.label());
    }
}

#[test]
fn every_new_item_names_its_source_and_notes_that_can_carry_investigation_detail_are_restricted() {
    for id in ["core", "trauma", "neonatal"] {
        let t = checklist::template(id).expect("template");
        for i in &t.items {
            assert!(!i.source.trim().is_empty(), "{} has no source", i.id);
        }
    }
    let core = checklist::template("core").expect("core");
    for id in ["CORE-03", "CORE-09", "CORE-17", "CORE-18", "CORE-19"] {
        assert!(
            core.item(id).expect("item").restricted,
            "{id} must be restricted"
        );
    }
}

#[test]
fn a_case_keeps_the_template_version_it_started_with() {
    let v1 = checklist::template_version("core", 1).expect("core v1");
    assert_eq!(v1.version, 1);
    assert!(
        checklist::template_version("core", 99).is_none(),
        "never another version"
    );
    // The newest version is what new cases get.
    assert_eq!(
        checklist::template("sudi").map(|t| t.version),
        BUILT_IN
            .iter()
            .filter_map(|(f, text)| parse_template(f, text).ok())
            .filter(|t| t.id == "sudi")
            .map(|t| t.version)
            .max()
    );
}

#[test]
fn unable_is_not_done_and_stays_in_the_open_and_time_critical_counts() {
    use jar_core::checklist::{ItemState, ItemStatus, progress};
    let sudi = checklist::template("sudi").expect("sudi");
    let mut npa = ItemState::new_open("SUDI-B05");
    npa.status = ItemStatus::Unable;
    npa.note = Some("no kit in ED".into());
    let open = progress(sudi, &[]);
    let with_unable = progress(sudi, std::slice::from_ref(&npa));
    assert_eq!(with_unable.done, 0);
    assert_eq!(with_unable.open_time_critical, open.open_time_critical);
    // Deferred to the post-mortem closes it for the JAR team.
    npa.status = ItemStatus::DeferredToPostMortem;
    let deferred = progress(sudi, &[npa.clone()]);
    assert_eq!(deferred.done, 1);
    assert_eq!(deferred.open_time_critical, open.open_time_critical - 1);
    // Reopened: back to open.
    npa.status = ItemStatus::Open;
    assert_eq!(progress(sudi, &[npa]), open);
}

#[test]
fn deferring_to_the_post_mortem_needs_a_note() {
    use jar_core::checklist::ItemStatus;
    use jar_core::wire::ItemUpdate;
    let bare = ItemUpdate::new(ItemStatus::DeferredToPostMortem, "");
    assert!(bare.validate().is_err());
    let noted = ItemUpdate::new(
        ItemStatus::DeferredToPostMortem,
        "NPA not taken in ED; pathologist to take",
    );
    assert!(noted.validate().is_ok());
}
