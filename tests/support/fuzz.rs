//! What every fuzz target shares: how many cases to run and the corpus to replay.
#![allow(dead_code)] // each test binary uses a different part of the harness

use std::path::PathBuf;

/// Cases per property: `JARTERM_FUZZ_CASES` (default 256).
pub fn cases() -> u32 {
    std::env::var("JARTERM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// The saved inputs of a target (`fuzz/corpus/<target>/`), sorted by name.
pub fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
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
