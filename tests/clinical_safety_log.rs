//! Issue G: the hazard log (docs/clinical-safety.md) and the threat model (docs/security.md)
//! name the tests that prove each control as `path::function`. Every named test must exist,
//! so neither document can drift silently from the code; that the tests pass is the job of
//! the rest of `cargo test --workspace`.

use std::path::Path;

/// Every `path.rs::function` reference in backticks.
fn references(doc: &str) -> Vec<(String, String)> {
    doc.split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|span| {
            let (path, func) = span.split_once(".rs::")?;
            let ok =
                !func.is_empty() && func.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            ok.then(|| (format!("{path}.rs"), func.to_string()))
        })
        .collect()
}

fn check(doc_path: &str, min_refs: usize) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join(doc_path)).expect("read doc");
    let refs = references(&doc);
    assert!(
        refs.len() >= min_refs,
        "{doc_path}: only {} test references",
        refs.len()
    );
    let mut missing = Vec::new();
    for (file, func) in &refs {
        let text = std::fs::read_to_string(root.join(file)).unwrap_or_default();
        if !text.contains(&format!("fn {func}(")) {
            missing.push(format!("{file}::{func}"));
        }
    }
    assert!(
        missing.is_empty(),
        "{doc_path} names tests that do not exist:\n{}",
        missing.join("\n")
    );
    refs
}

#[test]
fn every_test_named_in_the_hazard_log_exists() {
    check("docs/clinical-safety.md", 40);
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/clinical-safety.md"),
    )
    .expect("read");
    // At least 15 hazards, and each names at least one test.
    let rows: Vec<&str> = doc
        .lines()
        .filter(|l| {
            l.strip_prefix("| H")
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        })
        .collect();
    assert!(rows.len() >= 15, "only {} hazards", rows.len());
    for row in rows {
        assert!(
            !references(row).is_empty(),
            "a hazard without a test: {row}"
        );
    }
}

#[test]
fn every_test_named_in_the_clinical_model_exists() {
    check("docs/clinical-model.md", 20);
}

#[test]
fn every_test_named_in_the_threat_model_exists() {
    check("docs/security.md", 10);
}

#[test]
fn the_reference_reader_finds_paths_and_functions() {
    let refs = references("see `tests/a.rs::b_c` and `x` and `crates/d/tests/e.rs::f`");
    assert_eq!(
        refs,
        vec![
            ("tests/a.rs".to_string(), "b_c".to_string()),
            ("crates/d/tests/e.rs".to_string(), "f".to_string())
        ]
    );
}
