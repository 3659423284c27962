//! The notification export (issue 15 §2): "notification essentials", the fields of the NCMD
//! child death notification that jarterm holds, mapped field by field in docs/exports.md
//! (source: clinical-model.md appendix §2). It is not "the NCMD format": there is no public
//! NCMD schema. Fields jarterm does not hold are listed in [`NOT_HELD`], never invented.
//!
//! Used by `GET /api/v1/exports/notifications` and `jarterm-server export notifications`.

use crate::store::{Conn, people, records};
use chrono::{DateTime, NaiveDate, Utc};
use jar_core::Case;
use jar_core::case::Identity;
use serde::Serialize;
use utoipa::ToSchema;

pub const SCHEMA: &str = "jarterm.notification-essentials/1";

/// NCMD notification fields (clinical-model.md appendix §2) that jarterm does not hold.
pub const NOT_HELD: [&str; 13] = [
    "location_of_fatal_event",
    "carer_at_time_of_death",
    "agencies_involved",
    "senior_clinician_present",
    "unexpected_confirmed_by_designated_doctor",
    "post_mortem_required",
    "referred_to_coroner",
    "death_certificate_issued",
    "known_causes",
    "circumstances_summary",
    "national_alert",
    "bereavement_support_offered",
    "notifier_contact_details",
];

/// One parent or person with parental responsibility.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportParent {
    pub relationship: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub language: Option<String>,
    pub interpreter_needed: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportChild {
    pub first_name: Option<String>,
    pub age_years: Option<u8>,
}

/// The professionals jarterm knows for the case: its assignments, by username.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportProfessionals {
    pub lead_paediatrician: Option<String>,
    pub police_contact: Option<String>,
    pub social_worker: Option<String>,
    pub key_worker: Option<String>,
}

/// One notification. Every field is present; unknown is `null`, never left out.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationRecord {
    pub local_reference: String,
    pub area_of_death: String,
    pub withdrawn: bool,
    pub family_name: Option<String>,
    pub given_names: Option<String>,
    pub other_names: Vec<String>,
    pub name_as_first_given: Option<String>,
    pub nhs_number: Option<String>,
    pub nhs_number_absent_reason: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub age_months: u16,
    pub sex: String,
    pub ethnicity_code: Option<String>,
    pub home_address: Option<String>,
    pub postcode: Option<String>,
    pub local_authority_of_residence: Option<String>,
    pub date_of_death: NaiveDate,
    pub time_of_death: Option<String>,
    pub time_of_death_source: String,
    pub place_of_death: String,
    pub persons_with_parental_responsibility: Vec<ExportParent>,
    pub other_children_in_household: Vec<ExportChild>,
    pub gp_practice: Option<String>,
    pub school: Option<String>,
    pub expected_or_unexpected: String,
    pub jar_criteria: Vec<String>,
    pub presenting_category: String,
    pub jar_started_at: DateTime<Utc>,
    pub professionals: ExportProfessionals,
    pub notifier: String,
    pub notified_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationExport {
    pub schema: String,
    pub generated_at: DateTime<Utc>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub fields_not_held: Vec<String>,
    pub records: Vec<NotificationRecord>,
}

fn text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn snake<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// One case and its identity (if any) as a record.
pub fn record(case: &Case, id: Option<&Identity>, withdrawn: bool) -> NotificationRecord {
    let empty = Identity::default();
    let id = id.unwrap_or(&empty);
    let t = &case.times;
    let (death, source) = match (t.death_confirmed_at, t.found_at) {
        (Some(c), _) => (c, "confirmed"),
        (None, Some(f)) => (f, "found"),
        (None, None) => (t.notified_at, "notified"),
    };
    // UK local date and time, as the form asks (`2026-11-23 14:30` read back in two parts).
    let local = jar_core::timeparse::format_input(death);
    NotificationRecord {
        local_reference: case.reference.clone(),
        area_of_death: case.area.clone(),
        withdrawn,
        family_name: text(&id.family_name),
        given_names: text(&id.given_names),
        other_names: id.other_names.clone(),
        name_as_first_given: text(&id.child_name),
        nhs_number: text(&id.nhs_number).map(|n| jar_core::identity::nhs_digits(&n)),
        nhs_number_absent_reason: id.nhs_number_absent_reason.map(|r| snake(&r)),
        date_of_birth: id.date_of_birth,
        age_months: case.age_months,
        sex: snake(&id.sex.unwrap_or(case.sex)),
        ethnicity_code: id.ethnicity.map(|e| e.code().to_string()),
        home_address: text(&id.address),
        postcode: text(&id.postcode),
        local_authority_of_residence: text(&id.local_authority),
        date_of_death: jar_core::timeparse::uk_date(death),
        // A time is given only when someone recorded it (confirmed or found).
        time_of_death: (source != "notified").then(|| local.get(11..16).unwrap_or("").to_string()),
        time_of_death_source: source.to_string(),
        place_of_death: snake(&case.place_of_death),
        persons_with_parental_responsibility: id
            .family
            .iter()
            .map(|m| ExportParent {
                relationship: text(&m.relationship),
                name: text(&m.name),
                phone: text(&m.phone),
                language: text(&m.language),
                interpreter_needed: m.interpreter_needed,
            })
            .collect(),
        other_children_in_household: id
            .other_children
            .iter()
            .map(|c| ExportChild {
                first_name: text(&c.first_name),
                age_years: c.age_years,
            })
            .collect(),
        gp_practice: text(&id.gp_practice),
        school: text(&id.school),
        // Every JAR is for an unexpected death (domain.md §3).
        expected_or_unexpected: "unexpected".into(),
        jar_criteria: case.criteria.criteria.iter().map(snake).collect(),
        presenting_category: snake(&case.category),
        jar_started_at: t.notified_at,
        professionals: ExportProfessionals {
            lead_paediatrician: case.people.lead_paediatrician.clone(),
            police_contact: case.people.police_lead.clone(),
            social_worker: case.people.social_worker.clone(),
            key_worker: case.people.key_worker.clone(),
        },
        notifier: case.notified_by.clone(),
        notified_at: t.notified_at,
    }
}

/// The notifications made (UK dates of `notified_at`) from `from` to `to` inclusive, in
/// `areas`, oldest reference first.
pub async fn build(
    conn: &mut Conn,
    areas: &[String],
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> anyhow::Result<NotificationExport> {
    let years = (
        chrono::Datelike::year(&from) - 1,
        chrono::Datelike::year(&to) + 1,
    );
    let mut out = Vec::new();
    for (id, case, withdrawn) in people::cases_for_export(conn, areas, years.0, years.1).await? {
        let day = jar_core::timeparse::uk_date(case.times.notified_at);
        if day < from || day > to {
            continue;
        }
        let identity = records::identity(conn, id).await?;
        out.push(record(&case, identity.as_ref(), withdrawn));
    }
    Ok(NotificationExport {
        schema: SCHEMA.into(),
        generated_at: now,
        from,
        to,
        fields_not_held: NOT_HELD.iter().map(|s| s.to_string()).collect(),
        records: out,
    })
}

/// One case's notification (issue 15 §2, per case): the same document with one record,
/// `from` and `to` the UK date it was notified. `None`: no such case in `areas`.
pub async fn one(
    conn: &mut Conn,
    areas: &[String],
    reference: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<NotificationExport>> {
    let Some((id, case)) = crate::store::cases::find(conn, reference).await? else {
        return Ok(None);
    };
    if !areas.contains(&case.area) {
        return Ok(None);
    }
    let withdrawn = people::is_withdrawn(conn, id).await?;
    let identity = records::identity(conn, id).await?;
    let day = jar_core::timeparse::uk_date(case.times.notified_at);
    Ok(Some(NotificationExport {
        schema: SCHEMA.into(),
        generated_at: now,
        from: day,
        to: day,
        fields_not_held: NOT_HELD.iter().map(|s| s.to_string()).collect(),
        records: vec![record(&case, identity.as_ref(), withdrawn)],
    }))
}

/// The export as pretty JSON (one trailing newline).
pub fn to_json(e: &NotificationExport) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(e)? + "\n")
}

/// The CSV columns, in order (docs/exports.md).
pub const CSV_COLUMNS: [&str; 31] = [
    "local_reference",
    "area_of_death",
    "withdrawn",
    "family_name",
    "given_names",
    "other_names",
    "name_as_first_given",
    "nhs_number",
    "nhs_number_absent_reason",
    "date_of_birth",
    "age_months",
    "sex",
    "ethnicity_code",
    "home_address",
    "postcode",
    "local_authority_of_residence",
    "date_of_death",
    "time_of_death",
    "time_of_death_source",
    "place_of_death",
    "persons_with_parental_responsibility",
    "other_children_in_household",
    "gp_practice",
    "school",
    "expected_or_unexpected",
    "jar_criteria",
    "presenting_category",
    "jar_started_at",
    "professionals",
    "notifier",
    "notified_at",
];

/// One CSV cell: quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-` or
/// `@` is prefixed with `'` so that a spreadsheet does not run it as a formula (OWASP "CSV
/// injection").
fn cell(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@']) {
        format!("'{v}")
    } else {
        v.to_string()
    };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// The export as CSV: a header row of [`CSV_COLUMNS`], then one row per record. Lists are
/// joined with ` | `; a person is `relationship: name; phone; language; interpreter=yes|no|`.
/// Empty means `null`. Fields not held are not columns (docs/exports.md lists them).
pub fn to_csv(e: &NotificationExport) -> String {
    let mut out = CSV_COLUMNS.join(",") + "\r\n";
    for r in &e.records {
        let parents: Vec<String> = r
            .persons_with_parental_responsibility
            .iter()
            .map(|p| {
                let interp = match p.interpreter_needed {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "",
                };
                format!(
                    "{}: {}; {}; {}; interpreter={interp}",
                    opt(&p.relationship),
                    opt(&p.name),
                    opt(&p.phone),
                    opt(&p.language)
                )
            })
            .collect();
        let children: Vec<String> = r
            .other_children_in_household
            .iter()
            .map(|c| {
                format!(
                    "{} ({})",
                    opt(&c.first_name),
                    c.age_years.map(|a| a.to_string()).unwrap_or_default()
                )
            })
            .collect();
        let p = &r.professionals;
        let pros = format!(
            "lead_paediatrician={}; police_contact={}; social_worker={}; key_worker={}",
            opt(&p.lead_paediatrician),
            opt(&p.police_contact),
            opt(&p.social_worker),
            opt(&p.key_worker)
        );
        let row = [
            r.local_reference.clone(),
            r.area_of_death.clone(),
            r.withdrawn.to_string(),
            opt(&r.family_name),
            opt(&r.given_names),
            r.other_names.join(" | "),
            opt(&r.name_as_first_given),
            opt(&r.nhs_number),
            opt(&r.nhs_number_absent_reason),
            r.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
            r.age_months.to_string(),
            r.sex.clone(),
            opt(&r.ethnicity_code),
            opt(&r.home_address),
            opt(&r.postcode),
            opt(&r.local_authority_of_residence),
            r.date_of_death.to_string(),
            opt(&r.time_of_death),
            r.time_of_death_source.clone(),
            r.place_of_death.clone(),
            parents.join(" | "),
            children.join(" | "),
            opt(&r.gp_practice),
            opt(&r.school),
            r.expected_or_unexpected.clone(),
            r.jar_criteria.join(" | "),
            r.presenting_category.clone(),
            r.jar_started_at.to_rfc3339(),
            pros,
            r.notifier.clone(),
            r.notified_at.to_rfc3339(),
        ];
        out += &row.iter().map(|v| cell(v)).collect::<Vec<_>>().join(",");
        out += "\r\n";
    }
    out
}

/// `jarterm-server export notifications`: the same export from the database, for the operator
/// (every area unless `areas` narrows it), audited as `export.notifications` by `(cli)`.
pub async fn cli(
    database_url: &str,
    from: NaiveDate,
    to: NaiveDate,
    csv: bool,
    areas: &[String],
) -> anyhow::Result<String> {
    let store = crate::Store::connect(database_url).await?;
    let now = Utc::now();
    let mut tx = store.begin().await?;
    let areas = if areas.is_empty() {
        crate::store::cases::known_areas(tx.conn(), &jar_core::deadline::AreaOverrides::new())
            .await?
    } else {
        areas.to_vec()
    };
    let e = build(tx.conn(), &areas, from, to, now).await?;
    let detail = format!(
        "records={} from={from} to={to} format={} via=cli",
        e.records.len(),
        if csv { "csv" } else { "json" }
    );
    let record = crate::store::audit::AuditRecord {
        username: "(cli)",
        role: None,
        action: crate::audit::Action::NotificationExport,
        case_ref: None,
        detail: &detail,
        remote: "local",
    };
    crate::store::audit::record(tx.conn(), record, now).await?;
    store.commit(tx).await?;
    if csv { Ok(to_csv(&e)) } else { to_json(&e) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a, b"), "\"a, b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(cell("+44 7700"), "'+44 7700");
    }
}
