//! The identity fields of a form (issue 15 §1): the notify form ends with them, every one
//! optional ("what is known in the first hour"). Built and read here so that `forms.rs` only
//! appends them; the rules are `jar_core::identity` (the server checks them again).

use super::forms::{Field, Form, Value};
use chrono::NaiveDate;
use jar_core::case::{FamilyMember, Identity, Sex};
use jar_core::identity::{Ethnicity, NhsAbsentReason, OtherChild};

fn line(key: &'static str, label: &'static str, hint: &'static str) -> Field {
    Field {
        key,
        label,
        hint,
        value: Value::Line(String::new()),
        follows_now: false,
        edited: false,
    }
}

fn choice(key: &'static str, label: &'static str, options: Vec<String>) -> Field {
    Field {
        key,
        label,
        hint: "Left/Right or Space to change",
        value: Value::Choice { options, index: 0 },
        follows_now: false,
        edited: false,
    }
}

const NOT_GIVEN: &str = "(not given)";

const ABSENT: [Option<NhsAbsentReason>; 3] = [
    None,
    Some(NhsAbsentReason::NotCurrentlyAvailable),
    Some(NhsAbsentReason::ChildNotResidentInEngland),
];

const SEXES: [Option<Sex>; 5] = [
    None,
    Some(Sex::Female),
    Some(Sex::Male),
    Some(Sex::Indeterminate),
    Some(Sex::NotKnown),
];

fn ethnicity_label(e: Ethnicity) -> String {
    let words = serde_json::to_value(e)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default();
    format!("{} {words}", e.code())
}

/// The identity fields, in the order of the NCMD notification (clinical-model.md §2).
pub fn fields() -> Vec<Field> {
    let mut ethnicities = vec![NOT_GIVEN.to_string()];
    ethnicities.extend(Ethnicity::ALL.iter().map(|e| ethnicity_label(*e)));
    vec![
        line(
            "id_family_name",
            "Identity: family name",
            "optional; held apart, shown only on a reveal",
        ),
        line("id_given_names", "Given names", "optional"),
        line(
            "id_nhs",
            "NHS number",
            "10 digits, e.g. 999 000 0018; empty if not known",
        ),
        choice(
            "id_nhs_absent",
            "No NHS number because",
            ABSENT
                .iter()
                .map(|a| a.map_or(NOT_GIVEN.to_string(), |r| r.label().to_string()))
                .collect(),
        ),
        line(
            "id_dob",
            "Date of birth",
            "2025-11-01 or 01/11/2025; optional",
        ),
        choice(
            "id_sex",
            "Sex (as recorded)",
            SEXES
                .iter()
                .map(|s| s.map_or(NOT_GIVEN.to_string(), |s| s.label().to_string()))
                .collect(),
        ),
        choice("id_ethnicity", "Ethnicity (NHS category)", ethnicities),
        line("id_address", "Home address", "optional"),
        line("id_postcode", "Postcode", "optional"),
        line(
            "id_la",
            "Local authority of residence",
            "where the child lived (the area above is where they died)",
        ),
        line("id_gp", "GP practice", "optional"),
        line("id_school", "School or nursery", "optional"),
        line("id_parent", "Parent / PR: name", "optional"),
        line("id_parent_rel", "Relationship", "mother, father, carer…"),
        line("id_parent_phone", "Phone", "optional"),
        line("id_parent_lang", "Preferred language", "optional"),
        Field {
            key: "id_interpreter",
            label: "Interpreter needed",
            hint: "Space to tick",
            value: Value::Check(false),
            follows_now: false,
            edited: false,
        },
        line(
            "id_children",
            "Other children in household",
            "first names and ages: Sam 4, Ali 7",
        ),
    ]
}

/// A date as people type it: `2025-11-01`, `01/11/2025` or `1 Nov 2025`.
pub fn parse_date(s: &str) -> Result<Option<NaiveDate>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    ["%Y-%m-%d", "%d/%m/%Y", "%d %b %Y", "%d %B %Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
        .map(Some)
        .ok_or_else(|| "Date of birth: write it as 2025-11-01 or 01/11/2025".to_string())
}

fn children(s: &str) -> Result<Vec<OtherChild>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            let (name, age) = match c.rsplit_once(' ') {
                Some((n, a)) if a.chars().all(|ch| ch.is_ascii_digit()) => {
                    let age = a
                        .parse::<u8>()
                        .map_err(|_| format!("Other children: {a} is not an age"))?;
                    (n.trim(), Some(age))
                }
                _ => (c, None),
            };
            Ok(OtherChild {
                first_name: name.to_string(),
                age_years: age,
            })
        })
        .collect()
}

/// The identity typed into `form`, or `None` when nothing was given.
pub fn read(form: &Form) -> Result<Option<Identity>, String> {
    let t = |k: &str| form.text(k).trim().to_string();
    let ethnicity = match form.choice("id_ethnicity") {
        0 => None,
        i => Ethnicity::ALL.get(i - 1).copied(),
    };
    let mut family = Vec::new();
    let parent = FamilyMember {
        relationship: t("id_parent_rel"),
        name: t("id_parent"),
        phone: t("id_parent_phone"),
        preferences: String::new(),
        language: t("id_parent_lang"),
        interpreter_needed: form.checked("id_interpreter").then_some(true),
    };
    if parent != FamilyMember::default() {
        family.push(parent);
    }
    let id = Identity {
        family_name: t("id_family_name"),
        given_names: t("id_given_names"),
        nhs_number: t("id_nhs"),
        nhs_number_absent_reason: ABSENT.get(form.choice("id_nhs_absent")).copied().flatten(),
        date_of_birth: parse_date(&form.text("id_dob"))?,
        sex: SEXES.get(form.choice("id_sex")).copied().flatten(),
        ethnicity,
        address: t("id_address"),
        postcode: t("id_postcode"),
        local_authority: t("id_la"),
        gp_practice: t("id_gp"),
        school: t("id_school"),
        family,
        other_children: children(&form.text("id_children"))?,
        ..Identity::default()
    };
    if id == Identity::default() {
        return Ok(None);
    }
    jar_core::identity::validate(&id).map_err(|e| match e {
        jar_core::text::TextError::Invalid {
            field: "nhs_number",
            ..
        } => "NHS number: it does not pass the check digit; look at it again".to_string(),
        e => e.to_string(),
    })?;
    Ok(Some(id))
}

/// The key of the field that names cases the notifier says are a different death.
pub const NOT_DUPLICATE: &str = "not_dup";

/// A notification refused as a possible duplicate (409 `possible-duplicate`, issue 15 §3): put
/// the candidates' references in a field at the top of the form and say what to do. Returns the
/// text to show and the first candidate's reference (to open it instead), or `None` for any
/// other refusal. The candidates carry references, areas and times only: never names.
pub fn on_duplicate(form: &mut Form, e: &crate::api::ApiError) -> Option<(String, String)> {
    let crate::api::ApiError::Problem(p) = e else {
        return None;
    };
    if p.status != 409 || !p.kind.ends_with("/possible-duplicate") {
        return None;
    }
    let candidates = p.current.as_ref()?.get("candidates")?.as_array()?;
    let mut refs = Vec::new();
    let mut described = Vec::new();
    for c in candidates {
        let r = c.get("reference")?.as_str()?;
        if !jar_core::case::is_case_ref(r) {
            continue;
        }
        let area = c.get("area").and_then(|a| a.as_str()).unwrap_or("");
        let likely = c.get("likelihood").and_then(|a| a.as_str()).unwrap_or("");
        let death = c
            .get("death_at")
            .and_then(|d| serde_json::from_value(d.clone()).ok())
            .map(jar_core::time::uk_datetime)
            .unwrap_or_default();
        // The server's text goes through the same sanitiser as everything else it sends.
        described.push(crate::sanitize::clean(&format!(
            "{r} ({area}, death {death}, {likely})"
        )));
        refs.push(r.to_string());
    }
    let first = refs.first()?.clone();
    let value = refs.join(", ");
    match form.field_mut(NOT_DUPLICATE) {
        Some(f) => f.value = Value::Line(value),
        None => form.fields.insert(
            0,
            Field {
                key: NOT_DUPLICATE,
                label: "Not the same death as",
                hint: "keep these and press Ctrl-S if it is a different death",
                value: Value::Line(value),
                follows_now: false,
                edited: false,
            },
        ),
    }
    form.focus = 0;
    let text = format!(
        "This death may already be notified: {}. A different death: press Ctrl-S to notify it. \
         The same death: press Esc, then g to open {first}.",
        described.join("; ")
    );
    Some((text, first))
}

/// The references typed in the "Not the same death as" field.
pub fn not_duplicates(form: &Form) -> Vec<String> {
    form.text(NOT_DUPLICATE)
        .split([',', ' '])
        .map(str::trim)
        .filter(|r| jar_core::case::is_case_ref(r))
        .map(str::to_string)
        .collect()
}

fn set_line(form: &mut Form, key: &str, v: &str) {
    if let Some(f) = form.field_mut(key) {
        f.value = Value::Line(v.to_string());
    }
}

fn set_choice(form: &mut Form, key: &str, index: usize) {
    if let Some(Field {
        value: Value::Choice { index: i, .. },
        ..
    }) = form.field_mut(key)
    {
        *i = index;
    }
}

/// The form to add or correct a case's identity, filled from `current` (what the reveal
/// showed), or empty when none is recorded. Saving replaces the whole record.
pub fn form(case_ref: &str, version: i64, current: Option<&Identity>) -> Form {
    let mut form = Form {
        kind: super::forms::FormKind::Identity {
            case_ref: case_ref.to_string(),
            version,
        },
        title: format!("Who the child is · {case_ref} (every field optional; audited)"),
        fields: fields(),
        focus: 0,
        error: None,
        draft_from: None,
        after_cr: false,
    };
    let Some(id) = current else {
        return form;
    };
    set_line(&mut form, "id_family_name", &id.family_name);
    set_line(&mut form, "id_given_names", &id.given_names);
    set_line(&mut form, "id_nhs", &id.nhs_number);
    let absent = ABSENT
        .iter()
        .position(|a| *a == id.nhs_number_absent_reason)
        .unwrap_or(0);
    set_choice(&mut form, "id_nhs_absent", absent);
    if let Some(d) = id.date_of_birth {
        set_line(&mut form, "id_dob", &d.format("%Y-%m-%d").to_string());
    }
    let sex = SEXES.iter().position(|s| *s == id.sex).unwrap_or(0);
    set_choice(&mut form, "id_sex", sex);
    let eth = id
        .ethnicity
        .and_then(|e| Ethnicity::ALL.iter().position(|x| *x == e))
        .map_or(0, |i| i + 1);
    set_choice(&mut form, "id_ethnicity", eth);
    set_line(&mut form, "id_address", &id.address);
    set_line(&mut form, "id_postcode", &id.postcode);
    set_line(&mut form, "id_la", &id.local_authority);
    set_line(&mut form, "id_gp", &id.gp_practice);
    set_line(&mut form, "id_school", &id.school);
    if let Some(p) = id.family.first() {
        set_line(&mut form, "id_parent", &p.name);
        set_line(&mut form, "id_parent_rel", &p.relationship);
        set_line(&mut form, "id_parent_phone", &p.phone);
        set_line(&mut form, "id_parent_lang", &p.language);
        if let Some(f) = form.field_mut("id_interpreter") {
            f.value = Value::Check(p.interpreter_needed == Some(true));
        }
    }
    let kids: Vec<String> = id
        .other_children
        .iter()
        .map(|c| match c.age_years {
            Some(a) => format!("{} {a}", c.first_name),
            None => c.first_name.clone(),
        })
        .collect();
    set_line(&mut form, "id_children", &kids.join(", "));
    form
}
