//! Embeds the default catalog (`../patterns`) into the binary.
//!
//! The catalog lives outside the crate, at the workspace root, so that it reads as a book on its
//! own. This script lists every Markdown file below it and writes `embedded_catalog.rs`, a table of
//! `(relative path, include_str!(absolute path))`. Cargo re-runs it whenever anything under
//! `patterns/` changes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, path));
        }
    }
}

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest.join("..").join("patterns");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    if root.is_dir() {
        collect(&root, &root, &mut files);
    } else {
        println!(
            "cargo:warning=no catalog at {}: the binary embeds an empty catalog",
            root.display()
        );
    }
    let mut code = String::from("pub static EMBEDDED: &[(&str, &str)] = &[\n");
    for (rel, path) in &files {
        let abs = path.canonicalize().unwrap_or_else(|_| path.clone());
        writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            abs.display().to_string()
        )
        .expect("write to string");
    }
    code.push_str("];\n");
    facts_hash(&manifest);
    code_hash(&manifest, &files);
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("embedded_catalog.rs");
    std::fs::write(out, code).expect("write embedded_catalog.rs");
}

/// A hash of the code that computes a file's facts (`src/python/`, `src/analysis.rs`,
/// `src/cache.rs`), as `PATTERN_LANGUAGE_FACTS_HASH`: part of the facts cache's key, so that a
/// build whose walk changed never reads facts an older walk wrote, even at the same version.
fn facts_hash(manifest: &Path) {
    use std::hash::{Hash, Hasher};
    let src = manifest.join("src");
    let mut files = Vec::new();
    let mut dirs = vec![src.join("python")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    files.push(src.join("analysis.rs"));
    files.push(src.join("cache.rs"));
    files.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        f.strip_prefix(&src).unwrap_or(f).hash(&mut h);
        std::fs::read(f).unwrap_or_default().hash(&mut h);
    }
    println!("cargo:rerun-if-changed={}", src.join("python").display());
    println!(
        "cargo:rustc-env=PATTERN_LANGUAGE_FACTS_HASH={:016x}",
        h.finish()
    );
}

/// `PATTERN_LANGUAGE_CODE_HASH`: every source file of the crate and the embedded catalog, the key
/// of `check`'s stored result (a new build never replays an old one's findings).
fn code_hash(manifest: &Path, catalog: &[(String, PathBuf)]) {
    use std::hash::{Hash, Hasher};
    let src = manifest.join("src");
    let mut files = Vec::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                println!("cargo:rerun-if-changed={}", p.display());
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    files.sort();
    println!("cargo:rerun-if-changed={}", src.display());
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in files.iter().chain(catalog.iter().map(|(_, p)| p)) {
        println!("cargo:rerun-if-changed={}", f.display());
        f.strip_prefix(manifest).unwrap_or(f).hash(&mut h);
        std::fs::read(f).unwrap_or_default().hash(&mut h);
    }
    println!(
        "cargo:rustc-env=PATTERN_LANGUAGE_CODE_HASH={:016x}",
        h.finish()
    );
}
