//! Issue G fuzzing (proptest on the stable toolchain): the journal reader (src/journal, issue
//! E). Whatever bytes are in the journal file, reading never panics; a sealed journal that was
//! tampered with is refused, never read as different contents; a plain one that reads back
//! holds only what the format allows. The corpus in `fuzz/corpus/journal/` is replayed every
//! run. Cases: `JARTERM_FUZZ_CASES` (default 256).

mod support;

use std::path::PathBuf;

use jarterm::journal::{Contents, Journal, JournalWrite, KeySource};
use jarterm::state::Write;
use proptest::prelude::*;
use support::fuzz::{cases, corpus};

fn sample() -> Contents {
    let event = serde_json::from_value(serde_json::json!({
        "kind": "coroner_informed",
        "note": "Called the coroner's officer"
    }))
    .expect("sample event");
    Contents {
        writes: vec![JournalWrite {
            key: uuid::Uuid::nil(),
            write: Write::AddEvent {
                case_ref: "JAR-2026-0042".into(),
                event,
            },
            form: None,
        }],
        drafts: vec![],
        conflicts: vec![],
    }
}

/// A journal in a temporary directory, and the bytes it writes for `sample()`.
struct Rig {
    _tmp: tempfile::TempDir,
    journal: Journal,
    seed: Vec<u8>,
}

fn rig(keys: KeySource) -> Rig {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("journal");
    let opened = Journal::open(&dir, "fuzz-user", "http://fuzz", &keys);
    opened.journal.save(&sample()).expect("save");
    let seed = std::fs::read(opened.journal.path()).expect("read seed");
    Rig {
        _tmp: tmp,
        journal: opened.journal,
        seed,
    }
}

fn read_bytes(r: &Rig, bytes: &[u8]) -> Result<Contents, String> {
    std::fs::write(r.journal.path(), bytes).expect("write");
    r.journal.read()
}

fn mutate(seed: &[u8], ops: &[(u8, usize, u8)]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for (op, at, val) in ops {
        let at = at % (b.len() + 1);
        match op % 4 {
            0 if at < b.len() => b[at] ^= val | 1,
            1 => b.insert(at, *val),
            2 if at < b.len() => {
                b.remove(at);
            }
            _ => b.truncate(at),
        }
    }
    b
}

#[test]
fn journal_corpus_replays_without_panics() {
    let files = corpus("journal");
    assert!(!files.is_empty());
    let plain = rig(KeySource::None);
    let sealed = rig(KeySource::Fixed([9; 32]));
    for (path, bytes) in files {
        for r in [&plain, &sealed] {
            let got = std::panic::catch_unwind(|| read_bytes(r, &bytes));
            assert!(got.is_ok(), "{} panicked", path.display());
        }
    }
}

#[test]
fn a_sealed_journal_reads_back_and_a_plain_one_too() {
    for keys in [KeySource::None, KeySource::Fixed([9; 32])] {
        let r = rig(keys);
        assert_eq!(read_bytes(&r, &r.seed.clone()), Ok(sample()));
    }
}

/// A journal sealed under a password (no keyring), with a cached case, for the key file and
/// cache properties.
struct Keyed {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    password: jarterm::journal::PasswordKey,
    cache: jarterm::journal::CacheContents,
    cache_seed: Vec<u8>,
}

fn keyed() -> Keyed {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("journal");
    let password = jarterm::journal::derive_password_key(&dir, "fuzz-user", "http://fuzz", "pw")
        .expect("derived");
    let j = Journal::open_with(
        &dir,
        "fuzz-user",
        "http://fuzz",
        &KeySource::NoKeyring,
        Some(&password),
    )
    .journal;
    let mut cache = jarterm::journal::CacheContents::default();
    cache
        .case_mut("JAR-2026-0042", chrono::Utc::now())
        .checklists = Some(vec![]);
    j.cache_file()
        .expect("writable")
        .save(&cache)
        .expect("save");
    let cache_seed = std::fs::read(j.path().with_extension("cache")).expect("read seed");
    Keyed {
        _tmp: tmp,
        dir,
        password,
        cache,
        cache_seed,
    }
}

thread_local! {
    // One journal per thread, reused by every case: the fsyncs of `save` stay out of the loop.
    static SEALED: Rig = rig(KeySource::Fixed([9; 32]));
    static PLAIN: Rig = rig(KeySource::None);
    static KEYED: Keyed = keyed();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_journal_tampered_sealed_file_is_refused(
        ops in prop::collection::vec((any::<u8>(), any::<usize>(), any::<u8>()), 1..6),
    ) {
        let (seed, bytes, got) = SEALED.with(|r| {
            let bytes = mutate(&r.seed, &ops);
            let got = read_bytes(r, &bytes);
            (r.seed.clone(), bytes, got)
        });
        if bytes != seed {
            // The AEAD tag covers everything after the header: any change is refused, or (a
            // header byte rewritten to a plain journal) decoded as damaged JSON.
            prop_assert!(got.is_err() || got == Ok(sample()), "tampered journal read as {got:?}");
        }
    }

    #[test]
    fn fuzz_journal_mutated_plain_file_never_panics(
        ops in prop::collection::vec((any::<u8>(), any::<usize>(), any::<u8>()), 1..8),
    ) {
        PLAIN.with(|r| {
            let _ = read_bytes(r, &mutate(&r.seed, &ops));
        });
    }

    /// Issue 12 §3: whatever is in the key file (`<scope>.key`) or the case cache, opening
    /// never panics, and a cache that does not read is simply empty.
    #[test]
    fn fuzz_journal_key_file_and_cache_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..512),
        ops in prop::collection::vec((any::<u8>(), any::<usize>(), any::<u8>()), 1..6),
    ) {
        KEYED.with(|k| {
            let key_file = k.dir.join(format!("{}.key", jarterm::journal::scope("fuzz-user", "http://fuzz")));
            let good = std::fs::read(&key_file).expect("key file");
            for b in [bytes.clone(), mutate(&good, &ops)] {
                std::fs::write(&key_file, &b).expect("write");
                let j = Journal::locate_with(&k.dir, "fuzz-user", "http://fuzz", &KeySource::NoKeyring, Some(&k.password));
                let _ = j.read();
                let _ = j.load_cache();
            }
            std::fs::write(&key_file, &good).expect("restore");
            let cache = k.dir.join(format!("{}.cache", jarterm::journal::scope("fuzz-user", "http://fuzz")));
            std::fs::write(&cache, mutate(&k.cache_seed, &ops)).expect("write");
            let j = Journal::locate_with(&k.dir, "fuzz-user", "http://fuzz", &KeySource::NoKeyring, Some(&k.password));
            let read = j.load_cache();
            prop_assert!(read.is_empty() || read == k.cache);
            Ok(())
        })?;
    }

    #[test]
    fn fuzz_journal_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        SEALED.with(|r| {
            let _ = read_bytes(r, &bytes);
            let mut framed = b"JARJ\x01\x00".to_vec();
            framed.extend_from_slice(&bytes);
            let _ = read_bytes(r, &framed);
        });
    }
}
