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

/// Every item of every template version as one line: owners, restricted, sample, source. The
/// table is `tests/fixtures/template_items.txt`, read by the designated doctor with
/// docs/clinical-model.md; a change to any template shows here as a diff. Regenerate it with
/// `JARTERM_BLESS=1 cargo test -p jar-core --test checklists` and read the diff.
fn item_table() -> String {
    let mut out = String::from("template version item | owners | restricted | sample | source\n");
    for t in checklist::templates() {
        for i in &t.items {
            let owners: Vec<&str> = i.owners.iter().map(|a| a.label()).collect();
            let sample = match (i.sample, i.before_transfer, i.closed_by) {
                (true, true, Some(_)) => "sample, before transfer, closed by the event",
                (true, true, None) => "sample, before transfer",
                (true, false, _) => "sample",
                (false, true, _) => "before transfer",
                (false, false, _) => "-",
            };
            out.push_str(&format!(
                "{} v{} {} | {} | {} | {} | {}\n",
                t.id,
                t.version,
                i.id,
                owners.join(" + "),
                if i.restricted { "restricted" } else { "-" },
                sample,
                if i.source.is_empty() {
                    "(none)"
                } else {
                    &i.source
                }
            ));
        }
    }
    out
}

#[test]
fn every_template_item_has_the_owner_restriction_and_source_of_the_reviewed_table() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/template_items.txt"
    );
    let table = item_table();
    if std::env::var_os("JARTERM_BLESS").is_some() {
        std::fs::write(path, &table).expect("write the table");
    }
    let want = std::fs::read_to_string(path).expect("the reviewed table");
    assert_eq!(table, want, "the templates differ from {path}");
}

#[test]
fn every_item_of_the_newest_versions_names_its_source_and_an_owner_who_signs_in() {
    use jar_core::Role;
    for t in checklist::templates() {
        if checklist::template(&t.id).map(|n| n.version) != Some(t.version) {
            continue;
        }
        for i in &t.items {
            assert!(
                !i.source.trim().is_empty(),
                "{} v{} {}",
                t.id,
                t.version,
                i.id
            );
            // Someone who signs in can record it (education, the coroner and others do not
            // sign in: another owner records it for them, or the CDR office).
            assert!(
                Role::ALL.iter().any(|r| i.owners.contains(&r.agency())),
                "{} {}: no owner signs in",
                t.id,
                i.id
            );
        }
    }
}

#[test]
fn the_clinical_review_fixes_are_in_the_new_versions() {
    let sudi = checklist::template("sudi").expect("sudi");
    assert_eq!(sudi.version, 2);
    // Organ donation is the core's (never "not possible"); the mortuary path is named; the
    // family history asks about consanguinity and cardiac screening.
    let all: String = sudi
        .items
        .iter()
        .map(|i| i.text.to_lowercase())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!all.contains("not possible"));
    assert!(
        sudi.item("SUDI-A03")
            .expect("A03")
            .text
            .contains("mortuary")
    );
    let a09 = sudi.item("SUDI-A09").expect("A09").text.to_lowercase();
    assert!(a09.contains("consanguinity") && a09.contains("cardiac screening"));
    // Samples: in the ED before transfer, may be deferred to the post-mortem, closed by the
    // timeline's "Samples taken".
    for id in [
        "SUDI-B02", "SUDI-B03", "SUDI-B04", "SUDI-B05", "SUDI-B06", "SUDI-B07", "SUDI-B08",
    ] {
        let i = sudi.item(id).expect(id);
        assert!(i.sample && i.before_transfer, "{id}");
        assert!(i.text.contains("before transfer"), "{id}");
        assert!(i.help.contains("deferred to the post-mortem"), "{id}");
        assert_eq!(
            i.closed_by,
            Some(jar_core::timeline::EventKind::SamplesTaken),
            "{id}"
        );
    }
    // The skeletal survey is arranged by the coroner and pathologist.
    assert!(
        sudi.item("SUDI-B09")
            .expect("B09")
            .owners
            .contains(&Agency::Coroner)
    );
    // The clinical review's tipping-off list.
    for id in ["SUDI-A10", "SUDI-A13", "SUDI-C03", "SUDI-E02", "SUDI-E03"] {
        assert!(sudi.item(id).expect(id).restricted, "{id}");
    }
    let asthma = checklist::template("asthma").expect("asthma");
    let text: String = asthma
        .items
        .iter()
        .map(|i| i.text.to_lowercase())
        .collect::<Vec<_>>()
        .join("\n");
    for must in [
        "oral steroid courses",
        "not brought",
        "damp or mould",
        "air pollution",
        "tryptase",
        "packaging",
        "viral sample",
    ] {
        assert!(text.contains(must), "asthma lacks {must}");
    }
    let suicide = checklist::template("suicide").expect("suicide");
    let text: String = suicide
        .items
        .iter()
        .map(|i| i.text.to_lowercase())
        .collect::<Vec<_>>()
        .join("\n");
    for must in [
        "ofsted",
        "prisons and probation ombudsman",
        "iopc",
        "cqc",
        "patient safety",
        "exploitation",
        "missing episodes",
        "youth justice",
        "exclusion",
        "means restriction",
        "british transport police",
    ] {
        assert!(text.contains(must), "suicide lacks {must}");
    }
    // Education owns the school items.
    assert!(
        suicide
            .item("SUI-09")
            .expect("SUI-09")
            .owners
            .contains(&Agency::Education)
    );
}

#[test]
fn the_older_versions_stay_as_published() {
    // Cases started on version 1 keep it: its items are still there, unchanged.
    let v1 = checklist::template_version("sudi", 1).expect("sudi v1");
    assert!(v1.item("SUDI-D01").is_some());
    assert!(
        checklist::template("sudi")
            .expect("sudi")
            .item("SUDI-D01")
            .is_none()
    );
    for id in ["sudi", "asthma", "suicide", "trauma"] {
        assert!(checklist::template_version(id, 1).is_some(), "{id} v1");
        assert!(checklist::template_version(id, 2).is_some(), "{id} v2");
    }
}
