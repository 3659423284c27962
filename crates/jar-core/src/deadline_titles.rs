//! Short titles for the deadlines, for narrow columns (issue 14 §4: deadline titles readable
//! at 80 columns). The full title stays the rule's `title`; this is only its short form, for
//! the default rules by id. An area's own rule has none and is shown cut.

/// The longest short title: what an 80-column Summary has room for.
pub const MAX: usize = 22;

/// The short title of a default rule, or `None` for a rule this build does not know.
pub fn short_title(rule_id: &str) -> Option<&'static str> {
    Some(match rule_id {
        "npa_window" => "NPA window",
        "information_sharing" => "ED info-sharing talk",
        "information_sharing_meeting" => "Info-sharing meeting",
        "designated_doctor_informed" => "Designated dr informed",
        "key_worker_first_contact" => "Key worker 1st contact",
        "cdrm" => "CDR meeting (CDRM)",
        "cspr_panel_notified" => "Panel notified (CSPR)",
        "ofsted_dfe_notified" => "Ofsted/DfE (LAC)",
        "ed_response" => "ED response done",
        "social_care_informed" => "Social care informed",
        "family_contact" => "Family contact (plan)",
        _ => return None,
    })
}

/// The title to show in `width` columns: the full title if it fits, else the short one, else
/// the full title (cut by the caller).
pub fn fitting<'a>(rule_id: &str, title: &'a str, width: usize) -> &'a str {
    if title.chars().count() <= width {
        return title;
    }
    short_title(rule_id).unwrap_or(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_rule_title_fits_80_columns_in_full_or_short() {
        for r in crate::deadline::default_rules() {
            let shown = fitting(&r.id, &r.title, MAX);
            assert!(
                shown.chars().count() <= MAX,
                "{}: '{shown}' is longer than {MAX}",
                r.id
            );
        }
    }
}
