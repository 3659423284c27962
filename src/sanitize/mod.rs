//! Every string from the server is cleaned before it can reach the screen: escape sequences,
//! C0/C1 controls (except newline), DEL and bidirectional overrides are removed, tabs become
//! spaces. The API client decodes every response body with [`decode`], which cleans each
//! string as it is read (see `de.rs`), so no server string enters state unclean; [`clean`] is
//! also used on pasted text.

mod de;

pub use de::Cleaning;

/// Remove terminal control sequences and characters from `s`.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 CSI / OSC / DCS introducers: skip their bodies too.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{9e}' | '\u{9f}' | '\u{98}' => skip_string(&mut chars),
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            '\r' => {
                // CRLF and lone CR both become one newline.
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            c if jar_core::text::is_forbidden_char(c) => {}
            c => out.push(c),
        }
    }
    out
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.peek().copied() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => {
            chars.next();
            skip_string(chars);
        }
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            // nF sequence: intermediates then one final byte.
            while let Some(&c) = chars.peek() {
                chars.next();
                if !('\u{20}'..='\u{2f}').contains(&c) {
                    break;
                }
            }
        }
        Some(_) => {
            chars.next();
        }
        None => {}
    }
}

/// CSI: parameters and intermediates up to a final byte in 0x40..=0x7e.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

/// OSC/DCS/...: up to BEL or ST (ESC \ or 0x9c).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

/// Clean every string (keys included) inside a JSON value already parsed.
pub fn clean_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) if needs_cleaning(s) => *s = clean(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(clean_json),
        serde_json::Value::Object(map) => {
            let dirty_keys = map.keys().any(|k| needs_cleaning(k));
            if dirty_keys {
                let old = std::mem::take(map);
                for (k, mut val) in old {
                    clean_json(&mut val);
                    map.insert(clean(&k), val);
                }
            } else {
                map.values_mut().for_each(clean_json);
            }
        }
        _ => {}
    }
}

pub(crate) fn needs_cleaning(s: &str) -> bool {
    s.chars()
        .any(|c| c == '\t' || c == '\r' || jar_core::text::is_forbidden_char(c))
}

/// Decode a server body into `T`, cleaning every string (keys included) on the way in.
pub fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = T::deserialize(Cleaning(&mut de))?;
    de.end()?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_controls_are_removed() {
        assert_eq!(clean("a\u{1b}[2Jb"), "ab");
        assert_eq!(clean("x\u{1b}]52;c;SGVsbG8=\u{7}y"), "xy");
        assert_eq!(clean("l\u{202E}r\u{2066}"), "lr");
        assert_eq!(clean("one\r\ntwo\rthree"), "one\ntwo\nthree");
        assert_eq!(clean("tab\there\u{7f}\u{85}"), "tab here");
        assert_eq!(clean("\u{9b}31mred"), "red");
        assert_eq!(clean("plain café"), "plain café");
    }

    proptest::proptest! {
        #[test]
        fn nothing_that_moves_a_terminal_survives_cleaning(s in "\\PC*|[\\x00-\\x{9f}\\x{202a}-\\x{202e}\\x{2066}-\\x{2069}a-z]*") {
            let out = clean(&s);
            let moves = |c: char| matches!(c, '\u{1b}' | '\r' | '\t');
            proptest::prop_assert!(!out.chars().any(moves), "{:?}", out);
            proptest::prop_assert!(!out.chars().any(jar_core::text::is_forbidden_char), "{:?}", out);
        }
    }

    #[test]
    fn json_strings_are_cleaned_before_decoding() {
        let body = br#"{"a":"x\u001b[31my","b":["\u202eq"]}"#;
        let v: serde_json::Value = decode(body).expect("decodes");
        assert_eq!(v["a"], "xy");
        assert_eq!(v["b"][0], "q");
    }
}
