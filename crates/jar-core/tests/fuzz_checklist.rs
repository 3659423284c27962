//! Issue G fuzzing (stable toolchain, so proptest instead of cargo-fuzz): checklist template
//! parsing on mutated TOML. The corpus in `fuzz/corpus/checklist_template/` is replayed every
//! run. Case count: `JARTERM_FUZZ_CASES` (default 256); see docs/security.md for long runs.

use jar_core::checklist::parse_template;
use proptest::prelude::*;
use std::path::PathBuf;

fn cases() -> u32 {
    std::env::var("JARTERM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read corpus file");
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

const SEEDS: [&str; 3] = [
    include_str!("../checklists/sudi.toml"),
    include_str!("../checklists/asthma.toml"),
    include_str!("../checklists/suicide.toml"),
];

/// Tokens that tend to reach interesting parser paths.
const DICT: [&str; 24] = [
    "[[items]]",
    "\n",
    "=",
    "\"",
    "'''",
    "\"\"\"",
    "[",
    "]",
    "{",
    "}",
    ",",
    "#",
    "id = \"X\"",
    "owners = []",
    "owners = [\"police\"]",
    "window = { hours = 0 }",
    "window = { hours = 4294967295 }",
    "restricted = true",
    "\u{1b}[2J",
    "\u{202E}",
    "\\u0000",
    "9999999999999999999999",
    "-1",
    "inf",
];

/// Apply byte-level mutations (as char boundaries allow) to a seed.
fn mutate(seed: &str, ops: &[(u8, usize, usize, String)]) -> String {
    let mut s = seed.to_string();
    for (op, at, len, data) in ops {
        let at = floor(&s, at % (s.len() + 1));
        let end = floor(&s, (at + len % 64).min(s.len()));
        match op % 5 {
            0 => s.replace_range(at..end, ""),
            1 => s.insert_str(at, data),
            2 => s.insert_str(at, DICT[*len % DICT.len()]),
            3 => {
                let piece = s[at..end].to_string();
                s.insert_str(end, &piece);
            }
            _ => s.replace_range(at..end, data),
        }
    }
    s
}

fn floor(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Whatever parses must satisfy the template rules.
fn check(text: &str) {
    if let Ok(t) = parse_template("fuzz.toml", text) {
        let mut ids = std::collections::HashSet::new();
        for item in &t.items {
            assert!(ids.insert(item.id.clone()), "duplicate id accepted");
            assert!(!item.owners.is_empty(), "item without an owner accepted");
            assert!(!item.id.trim().is_empty() && !item.text.trim().is_empty());
            assert!(
                !item
                    .text
                    .chars()
                    .chain(item.id.chars())
                    .chain(item.section.chars())
                    .any(jar_core::text::is_forbidden_char),
                "control characters accepted in a template"
            );
            if let Some(w) = item.window {
                assert!((1..=8760).contains(&w.hours), "window {} accepted", w.hours);
            }
        }
    }
}

#[test]
fn checklist_template_corpus_replays_without_panics() {
    let files = corpus("checklist_template");
    assert!(!files.is_empty(), "the corpus must not be empty");
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(&bytes);
        let r = std::panic::catch_unwind(|| check(&text));
        assert!(r.is_ok(), "{} panicked", path.display());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_checklist_template_mutated_seeds(
        seed in 0usize..SEEDS.len(),
        ops in prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>(), ".{0,12}"), 1..12),
    ) {
        check(&mutate(SEEDS[seed], &ops));
    }

    #[test]
    fn fuzz_checklist_template_arbitrary_text(text in "(\\PC|[\\[\\]=\"'{}\\n#,.])*") {
        check(&text);
    }
}
