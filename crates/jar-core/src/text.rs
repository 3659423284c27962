//! Rules for free text that people type: caps and forbidden characters.
//!
//! The server rejects text that breaks these rules (422) so that nothing stored can later
//! move a cursor, clear a screen or write a clipboard on another person's terminal.

/// Caps, in characters, for each kind of text field. Documented in docs/api.md.
pub mod caps {
    pub const SHORT: usize = 200;
    pub const REASON: usize = 500;
    pub const NOTE: usize = 4_000;
    pub const SUMMARY: usize = 20_000;
    pub const LIST_ITEMS: usize = 50;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("{field} is longer than {cap} characters")]
    TooLong { field: &'static str, cap: usize },
    #[error("{field} contains a control character; only newline and tab are allowed")]
    ControlCharacter { field: &'static str },
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} has more than {cap} entries")]
    TooMany { field: &'static str, cap: usize },
    #[error("{field} must be at least {min} characters{why}")]
    TooShort {
        field: &'static str,
        min: usize,
        /// Where the minimum comes from, said to the person (may be empty).
        why: &'static str,
    },
    #[error("{field} must be a single line: no newlines or tabs")]
    NotOneLine { field: &'static str },
    #[error("{field} {why}")]
    Invalid {
        field: &'static str,
        /// What is wrong, said to the person; never the value.
        why: &'static str,
    },
}

/// Minimum lengths, in characters, with their sources. Documented in docs/api.md.
pub mod mins {
    /// NCSC password guidance: length is what makes a password strong; three random words
    /// make a long one that is easy to remember (ncsc.gov.uk, "Three random words").
    pub const PASSWORD: usize = 12;
    pub const PASSWORD_WHY: &str =
        " (NCSC guidance: length makes a password strong; try three random words)";
    /// A reveal of a child's identity is audited with its reason; a word or two ("check")
    /// tells a reviewer nothing (issue 13 §1).
    pub const REVEAL_REASON: usize = 10;
    pub const REVEAL_REASON_WHY: &str = " (say why you need the identity; it is audited)";
}

/// At least `min` characters, not counting white space at either end.
pub fn check_min(
    field: &'static str,
    value: &str,
    min: usize,
    why: &'static str,
) -> Result<(), TextError> {
    if value.trim().chars().count() < min {
        return Err(TextError::TooShort { field, min, why });
    }
    Ok(())
}

/// True when a text is one character repeated ("aaaaaaaaaa", "..........", white space
/// aside): it passes a length minimum but says nothing (issue 15 §1, reveal reasons).
pub fn one_repeated_character(value: &str) -> bool {
    let mut chars = value.chars().filter(|c| !c.is_whitespace());
    match chars.next() {
        None => true,
        Some(first) => chars.all(|c| c == first),
    }
}

/// True for characters that can change a terminal's state when printed: C0 and C1 controls
/// (except newline and tab), DEL, and the Unicode bidirectional overrides, isolates and marks
/// (U+061C ARABIC LETTER MARK was found missing by the sanitiser fuzz test, issue G).
pub fn is_forbidden_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        )
}

/// Check a text field against a cap and the forbidden characters.
pub fn check(field: &'static str, value: &str, cap: usize) -> Result<(), TextError> {
    if value.chars().count() > cap {
        return Err(TextError::TooLong { field, cap });
    }
    if value.chars().any(is_forbidden_char) {
        return Err(TextError::ControlCharacter { field });
    }
    Ok(())
}

/// As [`check`], and the field must contain something other than white space.
pub fn check_required(field: &'static str, value: &str, cap: usize) -> Result<(), TextError> {
    if value.trim().is_empty() {
        return Err(TextError::Empty { field });
    }
    check(field, value, cap)
}

/// A single-line field: newlines and tabs are also refused.
pub fn check_line(field: &'static str, value: &str, cap: usize) -> Result<(), TextError> {
    check(field, value, cap)?;
    if value.contains(['\n', '\t', '\r']) {
        return Err(TextError::NotOneLine { field });
    }
    Ok(())
}

pub fn check_list(field: &'static str, values: &[String], cap: usize) -> Result<(), TextError> {
    if values.len() > caps::LIST_ITEMS {
        return Err(TextError::TooMany {
            field,
            cap: caps::LIST_ITEMS,
        });
    }
    values.iter().try_for_each(|v| check_line(field, v, cap))
}

/// The rules above as JSON Schema (ECMA-262 regular expressions and lengths in characters), for
/// the OpenAPI document at `/api/v1/openapi.json` (issue 13, section 3). The character classes
/// name exactly what [`is_forbidden_char`] refuses and what `str::trim` treats as blank (the
/// Unicode `White_Space` property); `crates/jar-server/tests/contract.rs` holds the two together.
pub mod patterns {
    /// Text [`super::check`] accepts: no control character but newline and tab, no bidi control.
    pub const TEXT: &str =
        r"^[^\x00-\x08\x0B-\x1F\x7F-\x9F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]*$";
    /// Text [`super::check_line`] accepts: as [`TEXT`], without newline and tab.
    pub const LINE: &str = r"^[^\x00-\x1F\x7F-\x9F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]*$";
    /// [`TEXT`] with something other than white space ([`super::check_required`]): allowed blanks,
    /// then the first character that is neither blank nor forbidden, then any allowed text.
    /// Written so that no two parts can match the same character (no backtracking).
    pub const REQUIRED_TEXT: &str = r"^[\t\n \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\x00-\x20\x7F-\xA0\u061C\u1680\u2000-\u200A\u200E\u200F\u2028-\u202F\u205F\u2066-\u2069\u3000][^\x00-\x08\x0B-\x1F\x7F-\x9F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]*$";
    /// [`LINE`] with something other than white space.
    pub const REQUIRED_LINE: &str = r"^[ \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\x00-\x20\x7F-\xA0\u061C\u1680\u2000-\u200A\u200E\u200F\u2028-\u202F\u205F\u2066-\u2069\u3000][^\x00-\x1F\x7F-\x9F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]*$";

    /// An NHS number as [`crate::identity::validate`] takes it: blank (none given), or ten
    /// digits with spaces or hyphens anywhere between and around them. The modulus-11 check
    /// digit (`identity::nhs_number_valid`) is arithmetic no pattern can state: the schema's
    /// description says it, and a number failing it is 422.
    pub const NHS_NUMBER: &str = r"^(?:[ \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*|[ -]*[0-9](?:[ -]*[0-9]){9}[ -]*)$";

    /// The blanks a line may hold (white space that is not a control character).
    const LINE_BLANK: &str = r"[ \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
    /// A character that is neither blank nor forbidden.
    const SOLID: &str = r"[^\x00-\x20\x7F-\xA0\u061C\u1680\u2000-\u200A\u200E\u200F\u2028-\u202F\u205F\u2066-\u2069\u3000]";
    /// Any character a line may hold.
    const LINE_CHAR: &str = r"[^\x00-\x1F\x7F-\x9F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]";

    /// [`LINE`] with at least `min` (2 or more) characters between the first and the last that
    /// are not blank: [`super::check_line`] and [`super::check_min`] together.
    pub fn line_with_at_least(min: usize) -> String {
        let middle = min.saturating_sub(2);
        format!("^{LINE_BLANK}*{SOLID}{LINE_CHAR}{{{middle},}}{SOLID}{LINE_BLANK}*$")
    }

    /// [`line_with_at_least`], and not one character repeated with blanks between
    /// ([`super::one_repeated_character`]; issue 15 §1, reasons that are audited). In a line
    /// every character is blank or solid, so "one repeated" is: blanks, a solid character,
    /// then only blanks and that character (a negative lookahead with a backreference).
    pub fn words_with_at_least(min: usize) -> String {
        let rest = line_with_at_least(min);
        let rest = rest.strip_prefix('^').unwrap_or(&rest);
        format!(r"^(?!{LINE_BLANK}*({SOLID})(?:{LINE_BLANK}|\1)*$){rest}")
    }
}

/// Schemas of text fields for the OpenAPI document, used with `#[schema(schema_with = ...)]`
/// on the wire types so that each field states the rule its `validate` applies.
pub mod schema {
    use super::{caps, patterns};
    use utoipa::openapi::Array;
    use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, SchemaType, Type};

    /// Usernames: at most this many characters (`NewUser::validate`).
    pub const USERNAME_MAX: usize = 64;

    fn string(
        pattern: &str,
        min: Option<usize>,
        max: impl Into<Option<usize>>,
        nullable: bool,
    ) -> Object {
        let ty = if nullable {
            SchemaType::from_iter([Type::String, Type::Null])
        } else {
            SchemaType::Type(Type::String)
        };
        ObjectBuilder::new()
            .schema_type(ty)
            .pattern(Some(pattern))
            .min_length(min)
            .max_length(max.into())
            .build()
    }

    fn list(item: Object, min: Option<usize>) -> Array {
        ArrayBuilder::new()
            .items(item)
            .min_items(min)
            .max_items(Some(caps::LIST_ITEMS))
            .build()
    }

    /// One line of up to [`caps::SHORT`] characters, not blank (an area, who decided).
    pub fn required_line() -> Object {
        string(patterns::REQUIRED_LINE, Some(1), caps::SHORT, false)
    }
    /// One line of up to [`caps::SHORT`] characters, possibly empty (names, a phone number).
    pub fn line() -> Object {
        string(patterns::LINE, None, caps::SHORT, false)
    }
    /// As [`line`], or `null`.
    pub fn line_or_null() -> Object {
        string(patterns::LINE, None, caps::SHORT, true)
    }
    /// An NHS number as typed: blank, or ten digits with separators, up to 20 characters.
    pub fn nhs_number() -> Object {
        let mut o = string(patterns::NHS_NUMBER, None, 20, false);
        o.description = Some(
            "Blank, or 10 digits (spaces and hyphens allowed between them) whose last digit is \
             the modulus-11 check digit of the first nine (NHS Data Dictionary, \"NHS NUMBER\"); \
             a number failing the check is 422. Not with `nhs_number_absent_reason`."
                .into(),
        );
        o
    }
    /// A postcode: one line of up to 10 characters, possibly empty.
    pub fn postcode() -> Object {
        string(patterns::LINE, None, 10, false)
    }
    /// Free text of up to [`caps::NOTE`] characters, newlines allowed, possibly empty.
    pub fn note() -> Object {
        string(patterns::TEXT, None, caps::NOTE, false)
    }
    /// As [`note`], or `null`.
    pub fn note_or_null() -> Object {
        string(patterns::TEXT, None, caps::NOTE, true)
    }
    /// Free text of up to [`caps::REASON`] characters, possibly empty (an address).
    pub fn reason_text() -> Object {
        string(patterns::TEXT, None, caps::REASON, false)
    }
    /// A reason of up to [`caps::REASON`] characters, not blank.
    pub fn required_reason() -> Object {
        string(patterns::REQUIRED_TEXT, Some(1), caps::REASON, false)
    }
    /// A reason for revealing an identity (or withdrawing, or linking a duplicate): one line,
    /// at least [`super::mins::REVEAL_REASON`] characters not counting blanks at either end,
    /// not one character repeated (`RevealRequest::validate`, `people::check_reason`).
    pub fn reveal_reason() -> Object {
        let min = super::mins::REVEAL_REASON;
        string(
            &patterns::words_with_at_least(min),
            Some(min),
            caps::REASON,
            false,
        )
    }
    /// A contact summary or amendment text: up to [`caps::SUMMARY`] characters, not blank.
    pub fn required_summary() -> Object {
        string(patterns::REQUIRED_TEXT, Some(1), caps::SUMMARY, false)
    }
    /// Up to [`caps::LIST_ITEMS`] lines of up to [`caps::SHORT`] characters (participants).
    pub fn lines() -> Array {
        list(line(), None)
    }
    /// Up to [`caps::LIST_ITEMS`] lines of up to [`caps::NOTE`] characters (family questions).
    pub fn long_lines() -> Array {
        list(string(patterns::LINE, None, caps::NOTE, false), None)
    }
    /// One line of up to [`caps::REASON`] characters (a handover's severity or summary).
    pub fn handover_line() -> Object {
        string(patterns::LINE, None, caps::REASON, false)
    }
    /// Up to [`caps::LIST_ITEMS`] lines of up to [`caps::REASON`] characters (a handover's
    /// actions and awareness).
    pub fn handover_lines() -> Array {
        list(handover_line(), None)
    }
    /// Up to [`caps::LIST_ITEMS`] case references.
    pub fn case_refs() -> Array {
        let reference = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^JAR-[0-9]{4}-[0-9]{4,6}$"))
            .build();
        list(reference, None)
    }
    /// One to [`caps::LIST_ITEMS`] areas, each a line that is not blank.
    pub fn areas() -> Array {
        list(required_line(), Some(1))
    }
    /// A username: one line of up to [`USERNAME_MAX`] characters, not blank.
    pub fn username() -> Object {
        string(patterns::REQUIRED_LINE, Some(1), USERNAME_MAX, false)
    }
    /// Any single line, however long (a search; the address as a whole is capped at 8 KiB).
    pub fn any_line() -> Object {
        string(patterns::LINE, None, None, false)
    }
    /// A username as typed at sign-in (`LoginRequest::validate`): one line of up to
    /// [`caps::SHORT`] characters; the credentials decide the rest.
    pub fn sign_in_username() -> Object {
        string(patterns::LINE, None, caps::SHORT, false)
    }
    /// A password as typed at sign-in: anything up to [`caps::SHORT`] characters.
    pub fn sign_in_password() -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(caps::SHORT))
            .build()
    }
    /// A new password (`wire::check_password`): one line, at least [`super::mins::PASSWORD`]
    /// characters not counting blanks at either end, at most [`caps::SHORT`].
    pub fn password() -> Object {
        let min = super::mins::PASSWORD;
        string(
            &patterns::line_with_at_least(min),
            Some(min),
            caps::SHORT,
            false,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newline_and_tab_are_allowed_but_escape_is_not() {
        assert!(check("note", "line one\n\tline two", 100).is_ok());
        assert_eq!(
            check("note", "bad \x1b]52;c;aGk=\x07", 100),
            Err(TextError::ControlCharacter { field: "note" })
        );
        assert!(check("note", "C1 \u{9b}2J", 100).is_err());
        assert!(check("note", "bidi \u{202E}evil", 100).is_err());
    }

    #[test]
    fn single_line_fields_refuse_line_breaks_and_tabs_and_minimums_ignore_edge_space() {
        assert_eq!(
            check_line("decided_by", "Dr A\nDr B", 100),
            Err(TextError::NotOneLine {
                field: "decided_by"
            })
        );
        assert!(check_line("decided_by", "Dr\tA", 100).is_err());
        assert!(check_line("decided_by", "Dr A\r", 100).is_err());
        assert!(check_line("decided_by", "Dr A", 100).is_ok());
        let short = check_min("reason", "   check   ", mins::REVEAL_REASON, "");
        assert!(matches!(short, Err(TextError::TooShort { min: 10, .. })));
        assert!(check_min("reason", "phoning the GP", mins::REVEAL_REASON, "").is_ok());
        let e = check_min(
            "password",
            "eleven-char",
            mins::PASSWORD,
            mins::PASSWORD_WHY,
        )
        .expect_err("11 characters");
        assert!(e.to_string().contains("at least 12 characters") && e.to_string().contains("NCSC"));
    }

    #[test]
    fn caps_count_characters_not_bytes() {
        assert!(check("reason", &"é".repeat(500), caps::REASON).is_ok());
        assert!(check("reason", &"é".repeat(501), caps::REASON).is_err());
    }
}
