//! Issue 15 §3 from the case Summary: withdraw a notification made in error (its notifier or
//! a manager, with a reason; the case leaves the board and stays in the audit trail), and
//! link a case that is the same death (a manager: the other is closed as this one's
//! duplicate). Both reasons follow the reveal rule: 10 characters, not one repeated.

use super::forms::{Field, Form, FormKind, Value};

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

fn form(kind: FormKind, title: String, fields: Vec<Field>) -> Form {
    Form {
        kind,
        title,
        fields,
        focus: 0,
        error: None,
        draft_from: None,
        after_cr: false,
    }
}

pub fn withdraw(case_ref: &str, version: i64) -> Form {
    form(
        FormKind::Withdraw {
            case_ref: case_ref.to_string(),
            version,
        },
        format!("Withdraw {case_ref}: notified in error (leaves the board; audited)"),
        vec![line(
            "reason",
            "Reason",
            "why this notification was made in error (at least 10 characters)",
        )],
    )
}

pub fn link(case_ref: &str, version: i64) -> Form {
    form(
        FormKind::LinkDuplicate {
            case_ref: case_ref.to_string(),
            version,
        },
        format!("Same death as {case_ref}: the other case is closed as its duplicate (audited)"),
        vec![
            line(
                "duplicate",
                "Duplicate case",
                "the reference of the other notification, e.g. JAR-2026-0043",
            ),
            line(
                "reason",
                "Reason",
                "how you know it is the same death (at least 10 characters)",
            ),
        ],
    )
}

/// The reason typed, checked as the server checks it.
pub fn reason(form: &Form) -> Result<String, String> {
    let r = form.text("reason").trim().to_string();
    let w = jar_core::people::Withdraw { reason: r.clone() };
    w.validate().map_err(|e| format!("Reason: {e}"))?;
    Ok(r)
}

/// The duplicate's reference and the reason.
pub fn read_link(form: &Form) -> Result<(String, String), String> {
    let dup = form.text("duplicate").trim().to_uppercase();
    if !jar_core::case::is_case_ref(&dup) {
        return Err("Duplicate case: a reference like JAR-2026-0043".to_string());
    }
    if let FormKind::LinkDuplicate { case_ref, .. } = &form.kind
        && *case_ref == dup
    {
        return Err("Duplicate case: a case cannot be its own duplicate".to_string());
    }
    Ok((dup, reason(form)?))
}
