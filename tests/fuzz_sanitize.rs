//! Issue G fuzzing (proptest on the stable toolchain): the text sanitiser every server string
//! passes through before it reaches the screen. Output never holds ESC, C0 (but newline), DEL,
//! C1 or a bidirectional control; cleaning is idempotent; JSON cleaning and decoding never
//! panic. The corpus in `fuzz/corpus/sanitize/` is replayed every run.
//! Cases: `JARTERM_FUZZ_CASES` (default 256).

mod support;

use jarterm::sanitize::{clean, clean_json, decode};
use proptest::prelude::*;
use support::fuzz::{cases, corpus};

/// What must never reach the terminal.
fn dangerous(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        )
}

fn check_clean(s: &str) {
    let once = clean(s);
    if let Some(c) = once.chars().find(|c| dangerous(*c)) {
        panic!("clean({s:?}) left {c:?} in {once:?}");
    }
    assert_eq!(clean(&once), once, "clean is not idempotent on {s:?}");
    // Never longer than the input (tabs become one space, CRs at most one newline).
    assert!(once.len() <= s.len(), "clean grew {s:?}");
}

/// Every string and key in `v` is safe to draw.
fn assert_clean_tree(v: &serde_json::Value, how: &str) {
    match v {
        serde_json::Value::String(s) => assert!(!s.chars().any(dangerous), "{how} left {s:?}"),
        serde_json::Value::Array(a) => a.iter().for_each(|v| assert_clean_tree(v, how)),
        serde_json::Value::Object(m) => m.iter().for_each(|(k, v)| {
            assert!(!k.chars().any(dangerous), "{how} left key {k:?}");
            assert_clean_tree(v, how)
        }),
        _ => {}
    }
}

/// Any key anywhere in `v` that cleaning would change (two such keys may merge).
fn has_dirty_key(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Array(a) => a.iter().any(has_dirty_key),
        serde_json::Value::Object(m) => m.iter().any(|(k, v)| clean(k) != *k || has_dirty_key(v)),
        _ => false,
    }
}

fn check_json(s: &str) {
    let parsed = serde_json::from_str::<serde_json::Value>(s);
    let streamed = decode::<serde_json::Value>(s.as_bytes());
    assert_eq!(
        parsed.is_ok(),
        streamed.is_ok(),
        "decode and a plain parse disagree on whether {s:?} is JSON"
    );
    if let (Ok(mut tree), Ok(streamed)) = (parsed, streamed) {
        let dirty_keys = has_dirty_key(&tree);
        clean_json(&mut tree);
        let text = tree.to_string();
        let back: serde_json::Value = serde_json::from_str(&text).expect("round trip");
        assert_clean_tree(&back, "clean_json");
        assert_clean_tree(&streamed, "decode");
        if !dirty_keys {
            // Cleaning while decoding gives what cleaning the parsed tree gives.
            assert_eq!(streamed, tree, "decode differs from clean_json on {s:?}");
        }
    }
    let _ = decode::<Vec<jar_core::wire::CaseSummary>>(s.as_bytes());
}

/// Strings rich in what terminals interpret.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "\\PC{0,6}",
        prop::sample::select(vec![
            "\u{1b}", "\u{1b}[", "\u{1b}]", "\u{1b}P", "\u{1b}\\", "\u{7}", "\u{9b}", "\u{9c}",
            "\u{9d}", "\u{90}", "\r", "\n", "\t", "\u{7f}", "\u{85}", "\u{202E}", "\u{2066}",
            "\u{200F}", "\u{061C}", "[31m", "]52;c;", "0;title", "\u{0}", "\u{feff}", "é",
            "\u{1b}(B",
        ])
        .prop_map(String::from),
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

#[test]
fn sanitize_corpus_replays_without_panics_or_leaks() {
    let files = corpus("sanitize");
    assert!(!files.is_empty(), "the corpus must not be empty");
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let r = std::panic::catch_unwind(|| {
            check_clean(&text);
            check_json(&text);
        });
        assert!(r.is_ok(), "{} failed", path.display());
    }
}

/// Found by the fuzzer: U+061C ARABIC LETTER MARK, a bidirectional control, passed through.
#[test]
fn regression_arabic_letter_mark_is_removed() {
    check_clean("a\u{061C}b");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_sanitize_hostile_strings(s in hostile()) {
        check_clean(&s);
    }

    #[test]
    fn fuzz_sanitize_any_string(s in any::<String>()) {
        check_clean(&s);
    }

    #[test]
    fn fuzz_sanitize_json_bodies(s in hostile(), wrap in 0u8..4) {
        let escaped = serde_json::to_string(&s).expect("string");
        let body = match wrap {
            0 => escaped.clone(),
            1 => format!("[{escaped}, {{{escaped}: {escaped}}}]"),
            2 => format!("{{\"reference\": {escaped}, \"area\": {escaped}}}"),
            _ => s.clone(),
        };
        check_json(&body);
    }
}
