//! Issue G fuzzing (proptest on the stable toolchain): the user's own files, theme TOML and key
//! bindings. A broken file must give an error for a banner, never a panic. The corpora in
//! `fuzz/corpus/theme/` and `fuzz/corpus/keymap/` are replayed every run.
//! Cases: `JARTERM_FUZZ_CASES` (default 256).

mod support;

use jarterm::keymap::{KEYMAP, Keymap, binding_name, parse_key};
use jarterm::theme::Theme;
use proptest::prelude::*;
use std::collections::BTreeMap;
use support::fuzz::{cases, corpus};

const THEMES: [&str; 3] = [
    include_str!("../themes/default.toml"),
    include_str!("../themes/high-contrast.toml"),
    include_str!("../themes/mono.toml"),
];

const DICT: [&str; 16] = [
    "\n",
    "=",
    "\"",
    "[roles.text]",
    "fg = \"#zzzzzz\"",
    "fg = \"#ffffff\"",
    "bg = 300",
    "modifiers = [\"blink\"]",
    "fg = \"rgb(999,0,0)\"",
    "[",
    "]",
    "{",
    "}",
    "\u{1b}[2J",
    "'''",
    "fg = \"indexed(256)\"",
];

fn floor(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(seed: &str, ops: &[(u8, usize, usize, String)]) -> String {
    let mut s = seed.to_string();
    for (op, at, len, data) in ops {
        let at = floor(&s, at % (s.len() + 1));
        let end = floor(&s, (at + len % 48).min(s.len()));
        match op % 4 {
            0 => s.replace_range(at..end, ""),
            1 => s.insert_str(at, data),
            2 => s.insert_str(at, DICT[*len % DICT.len()]),
            _ => s.replace_range(at..end, data),
        }
    }
    s
}

fn theme(text: &str) {
    let _ = Theme::parse(text);
}

/// A key table from the keys.toml form: known action names (and some unknown) to key strings.
fn keymap(table: &BTreeMap<String, Vec<String>>) {
    if let Ok(map) = Keymap::from_config(table) {
        // Whatever is accepted can be used to describe itself.
        for b in KEYMAP {
            let _ = map.keys(b);
        }
    }
}

#[test]
fn theme_corpus_replays_without_panics() {
    let files = corpus("theme");
    assert!(!files.is_empty());
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            std::panic::catch_unwind(|| theme(&text)).is_ok(),
            "{} panicked",
            path.display()
        );
    }
}

#[test]
fn keymap_corpus_replays_without_panics() {
    let files = corpus("keymap");
    assert!(!files.is_empty());
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let r = std::panic::catch_unwind(|| {
            for line in text.lines() {
                let _ = parse_key(line);
            }
            if let Ok(table) = toml::from_str::<BTreeMap<String, Vec<String>>>(&text) {
                keymap(&table);
            }
        });
        assert!(r.is_ok(), "{} panicked", path.display());
    }
}

fn key_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,12}",
        "((ctrl|alt|shift|super|C|A|S|M)[-+]){0,3}(\\PC|f[0-9]{1,3}|enter|esc|tab|space|backspace|up|down|left|right|pgup|pgdn|home|end|delete|insert|-|\\+)",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_theme_mutated_files(
        seed in 0usize..THEMES.len(),
        ops in prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>(), "\\PC{0,12}"), 1..10),
    ) {
        theme(&mutate(THEMES[seed], &ops));
    }

    #[test]
    fn fuzz_theme_arbitrary_text(text in "(\\PC|[\\[\\]=\"'{}\\n#,.])*") {
        theme(&text);
    }

    #[test]
    fn fuzz_keymap_parse_key(s in key_string()) {
        if let Ok(k) = parse_key(&s) {
            // A key that parses has a name that parses back to it.
            let name = jarterm::keymap::key_name(&k);
            prop_assert_eq!(parse_key(&name), Ok(k), "{:?} -> {:?}", s, name);
        }
    }

    #[test]
    fn fuzz_keymap_tables(
        entries in prop::collection::vec(
            (prop_oneof![
                (0..KEYMAP.len()).prop_map(|i| binding_name(&KEYMAP[i])),
                "\\PC{0,16}",
            ], prop::collection::vec(key_string(), 0..4)),
            0..8,
        )
    ) {
        let table: BTreeMap<String, Vec<String>> = entries.into_iter().collect();
        keymap(&table);
    }

    /// config.toml, as typed by a person: an error for a banner, never a panic; its `[keys]`
    /// go through the keymap the same way.
    #[test]
    fn fuzz_config_file(
        text in "(\\PC|[\\[\\]=\"'{}\\n#,.]|server|theme|keys|bell|token_store|idle_lock_minutes|ascii)*",
    ) {
        if let Ok(config) = jarterm::config::Config::parse(&text) {
            keymap(&config.keys);
        }
    }
}
