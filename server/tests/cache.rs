//! The facts cache through the real `check` binary: findings are the same cold, warm and with
//! `--no-cache`; a corrupt, truncated or foreign cache file is ignored and rewritten; an edit the
//! stamp cannot see by size and mtime alone is still seen; a folder where the cache cannot be
//! written loses the cache, not the run. The stored whole result of a check is replayed only
//! while nothing it read changed.

use std::path::{Path, PathBuf};
use std::process::Command;

const CACHE: &str = ".pattern-language-cache";

/// `tests/fixtures` copied into a fresh folder, without any cache a run left there.
fn fixtures() -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap().flatten() {
            let (src, dst) = (e.path(), to.join(e.file_name()));
            if e.file_name() == CACHE {
                continue;
            }
            if src.is_dir() {
                copy(&src, &dst);
            } else {
                std::fs::copy(&src, &dst).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures"),
        dir.path(),
    );
    dir
}

/// `check --format json` in `dir`: (stdout, stderr), with the cache's counts on stderr. The stored
/// whole result is removed first, so that the facts cache is what is tested.
fn check(dir: &Path, extra: &[&str]) -> (String, String) {
    let _ = std::fs::remove_file(dir.join(CACHE).join("check.bin"));
    check_stored(dir, extra)
}

/// `check --format json` in `dir`, replaying the stored result when it is still valid.
fn check_stored(dir: &Path, extra: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pattern-language"))
        .args(["check", ".", "--format", "json"])
        .args(extra)
        .env("PATTERN_LANGUAGE_TIMINGS", "1")
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "check failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.trim_start().starts_with('['), "no JSON: {stdout}");
    (stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The cache file of the fixture project `shop`.
fn shop_cache(dir: &Path) -> PathBuf {
    dir.join("shop").join(CACHE).join("facts.bin")
}

/// Hits of the shop project's cache, from the timings line.
fn shop_hits(stderr: &str) -> usize {
    stderr
        .lines()
        .find(|l| {
            l.starts_with("cache ") && l.contains(&format!("shop/{CACHE}")) && l.contains(" hits,")
        })
        .and_then(|l| l.split(": ").nth(1)?.split(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no cache line for shop in {stderr}"))
}

#[test]
fn cold_warm_and_no_cache_agree() {
    let dir = fixtures();
    let (cold, _) = check(dir.path(), &[]);
    let file = shop_cache(dir.path());
    let written = std::fs::read(&file).expect("the cache is written");
    let ignore = std::fs::read_to_string(file.with_file_name(".gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l.trim() == "*"), "{ignore}");
    let (warm, stderr) = check(dir.path(), &[]);
    assert_eq!(cold, warm, "warm findings differ from cold");
    assert!(
        shop_hits(&stderr) > 10,
        "the warm run used no cache: {stderr}"
    );
    assert_eq!(
        std::fs::read(&file).unwrap(),
        written,
        "nothing changed, yet the cache was rewritten"
    );
    let (none, _) = check(dir.path(), &["--no-cache"]);
    assert_eq!(cold, none, "findings without the cache differ");
}

#[test]
fn no_cache_writes_nothing() {
    let dir = fixtures();
    check(dir.path(), &["--no-cache"]);
    assert!(!dir.path().join("shop").join(CACHE).exists());
    assert!(!dir.path().join(CACHE).exists());
}

#[test]
fn corrupt_truncated_or_foreign_cache_is_rewritten() {
    let dir = fixtures();
    let (cold, _) = check(dir.path(), &[]);
    let file = shop_cache(dir.path());
    let good = std::fs::read(&file).unwrap();
    let mut foreign = good.clone();
    foreign[12] ^= 0x55; // the key: another version or catalog
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x01;
    let garbage: Vec<u8> = (0..good.len()).map(|i| (i * 7919 % 251) as u8).collect();
    for (what, bad) in [
        ("garbage", garbage),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("foreign", foreign),
        ("flipped bit", flipped),
    ] {
        std::fs::write(&file, &bad).unwrap();
        let (out, stderr) = check(dir.path(), &[]);
        assert_eq!(out, cold, "{what}: findings differ");
        assert_eq!(shop_hits(&stderr), 0, "{what}: a bad cache was trusted");
        let now = std::fs::read(&file).unwrap();
        assert_ne!(now, bad, "{what}: not rewritten");
        assert_eq!(now, good, "{what}: rewritten differently");
    }
}

#[test]
fn an_edit_of_the_same_size_and_mtime_is_seen() {
    let dir = fixtures();
    let (before, _) = check(dir.path(), &[]);
    let path = dir.path().join("shop/shop/settings/base.py");
    let text = std::fs::read_to_string(&path).unwrap();
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    // Same length: `"taggit",` (a generic subdomain) becomes an app nobody knows.
    assert!(text.contains("\"taggit\","));
    let edited = text.replace("\"taggit\",", "\"taggiz\",");
    std::fs::write(&path, &edited).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), mtime);
    let (warm, _) = check(dir.path(), &[]);
    let (fresh, _) = check(dir.path(), &["--no-cache"]);
    assert_eq!(warm, fresh, "the cache hid an edit");
    assert_ne!(
        warm, before,
        "the edit changed no finding: pick another edit"
    );
}

#[test]
fn an_unwritable_cache_folder_does_not_fail_check() {
    let dir = fixtures();
    let (expected, _) = check(dir.path(), &["--no-cache"]);
    // A file where the cache folder would be: nothing can be written there (even as root).
    std::fs::write(dir.path().join("shop").join(CACHE), "not a folder").unwrap();
    std::fs::write(dir.path().join("library").join(CACHE), "not a folder").unwrap();
    let (out, stderr) = check(dir.path(), &[]);
    assert_eq!(out, expected);
    let warnings = stderr
        .lines()
        .filter(|l| l.starts_with("warning: cannot write the cache"))
        .count();
    assert_eq!(warnings, 1, "{stderr}");
}

#[test]
fn the_stored_result_is_replayed_until_an_input_changes() {
    let dir = fixtures();
    let stored = |out: &(String, String)| out.1.lines().any(|l| l.starts_with("stored result"));
    let first = check_stored(dir.path(), &[]);
    assert!(!stored(&first), "nothing was stored yet: {}", first.1);
    let again = check_stored(dir.path(), &[]);
    assert!(stored(&again), "not replayed: {}", again.1);
    assert_eq!(first.0, again.0, "the replay differs");
    // Another option, then an edit that keeps the file's size and mtime: each is a new result.
    let fenced = check_stored(dir.path(), &["--no-fences"]);
    assert!(!stored(&fenced), "replayed for other options: {}", fenced.1);
    let path = dir.path().join("shop/shop/settings/base.py");
    let text = std::fs::read_to_string(&path).unwrap();
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::fs::write(&path, text.replace("\"taggit\",", "\"taggiz\",")).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let edited = check_stored(dir.path(), &[]);
    assert!(!stored(&edited), "replayed after an edit: {}", edited.1);
    assert_ne!(edited.0, first.0, "the edit changed no finding");
    // A damaged stored result is not trusted.
    let file = dir.path().join(CACHE).join("check.bin");
    let mut bytes = std::fs::read(&file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&file, &bytes).unwrap();
    let damaged = check_stored(dir.path(), &[]);
    assert!(!stored(&damaged), "a damaged result was replayed");
    let (fresh, _) = check(dir.path(), &["--no-cache"]);
    assert_eq!(edited.0, fresh);
    assert_eq!(damaged.0, fresh);
}

/// The stored result's key reads a file only when it was modified in the last seconds (an edit
/// within one mtime tick keeps size and mtime); older files count by size and mtime, as ruff's.
#[test]
fn only_a_recently_modified_file_is_read_for_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("models.py");
    std::fs::write(&path, "x = 1\n").unwrap();
    let fresh = pattern_language::cache::file_stamp(&path, true).unwrap();
    assert_ne!(fresh.3, 0, "a file modified now is read");
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    let old = pattern_language::cache::file_stamp(&path, true).unwrap();
    assert_eq!(old.3, 0, "an old file is not read");
    assert_eq!((old.0, old.1 + 3600 >= fresh.1), (fresh.0, true));
    let unread = pattern_language::cache::file_stamp(&path, false).unwrap();
    assert_eq!(unread, old);
}
