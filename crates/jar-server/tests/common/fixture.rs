//! The people and cases most tests need: five roles in North Wessex, a manager who also covers
//! South Wessex, and three cases: one with a key worker and every kind of sensitive text.

use super::*;
use jar_core::Agency;

pub const CONTACT_TEXT: &str = "CONTACT-TEXT-7731 the family asked about the funeral";
pub const INVESTIGATION_NOTE: &str = "INVESTIGATION-NOTE-4410 scene preserved";
pub const STRATEGY_NOTE: &str = "STRATEGY-NOTE-5512 s47 enquiries agreed";
pub const RESTRICTED_NOTE: &str = "RESTRICTED-NOTE-9921 pointer discussed";
pub const CHILD_NAME: &str = "Example Child Quillwort";

pub struct Fixture {
    pub paed: Person,
    pub police: Person,
    pub social: Person,
    pub kw: Person,
    pub mgr: Person,
    /// North, SUDI, key worker assigned, all the sensitive text.
    pub assigned: String,
    /// North, asthma, no key worker.
    pub unassigned: String,
    /// South: outside everyone's area but the manager's.
    pub south: String,
    pub contact_id: i64,
}

impl Fixture {
    pub fn everyone(&self) -> [&Person; 5] {
        [&self.paed, &self.police, &self.social, &self.kw, &self.mgr]
    }
}

/// The first item of a template owned by exactly these agencies (unrestricted first).
pub fn item_owned_by(template: &str, owners: &[Agency]) -> String {
    let t = jar_core::checklist::template(template).expect("template");
    let exact = || t.items.iter().filter(|i| i.owners == owners);
    exact()
        .find(|i| !i.restricted)
        .or_else(|| exact().next())
        .expect("an item owned by that agency")
        .id
        .clone()
}

/// An item owned by exactly these agencies on a SUDI case, as (template, item): the SUDI
/// supplement's, else the core response's (version 2 of the supplement left the key worker's
/// item to the core).
pub fn owned_item(owners: &[Agency]) -> (String, String) {
    for template in ["sudi", "core"] {
        let t = jar_core::checklist::template(template).expect("template");
        let exact = || t.items.iter().filter(|i| i.owners == owners);
        if let Some(i) = exact().find(|i| !i.restricted).or_else(|| exact().next()) {
            return (template.to_string(), i.id.clone());
        }
    }
    panic!("no item owned by {owners:?}")
}

pub async fn item_version(p: &Person, reference: &str, template: &str, item: &str) -> i64 {
    let r = p.get(&format!("/cases/{reference}/checklists")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    v["checklists"]
        .as_array()
        .expect("checklists")
        .iter()
        .filter(|c| c["template"] == template)
        .flat_map(|c| c["items"].as_array().cloned().unwrap_or_default())
        .find(|i| i["item"]["id"] == item)
        .and_then(|i| i["state"]["version"].as_i64())
        .expect("item version")
}

pub async fn build(h: &Harness) -> Fixture {
    let paed = h.person("paed", Role::Paediatrician, &[NORTH]).await;
    let police = h.person("police", Role::Police, &[NORTH]).await;
    let social = h.person("social", Role::SocialWorker, &[NORTH]).await;
    let kw = h.person("kw", Role::KeyWorker, &[NORTH]).await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH, SOUTH]).await;
    let assigned = mgr.notify(NORTH, "sudi").await;
    let unassigned = mgr.notify(NORTH, "asthma").await;
    let south = mgr.notify(SOUTH, "other").await;
    let v = mgr.version(&assigned).await;
    let patch = json!({
        "people": {"lead_paediatrician": "paed", "police_lead": "police", "social_worker": "social", "key_worker": "kw"},
        "flags": {"criminal_investigation": true, "s47_strategy": true, "cspr_notified": false},
        "investigation_note": INVESTIGATION_NOTE
    });
    let r = mgr.patch(&format!("/cases/{assigned}"), &patch, v).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = police
        .post(
            &format!("/cases/{assigned}/timeline"),
            &json!({"kind": "strategy_discussion_held", "note": STRATEGY_NOTE}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let v = item_version(&mgr, &assigned, "sudi", "SUDI-A13").await;
    let r = mgr
        .put(
            &format!("/cases/{assigned}/checklists/sudi/items/SUDI-A13"),
            &json!({"status": "done", "note": RESTRICTED_NOTE}),
            v,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = kw
        .post(
            &format!("/cases/{assigned}/contacts"),
            &new_contact(CONTACT_TEXT),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let contact_id = r.json()["id"].as_i64().expect("contact id");
    Fixture {
        paed,
        police,
        social,
        kw,
        mgr,
        assigned,
        unassigned,
        south,
        contact_id,
    }
}
