//! The facts cache: each Python file's [`FileFacts`] and team-query hits, kept between runs in
//! `.pattern-language-cache/facts.bin` at the project root (the folder of a `check` project, the
//! editor's workspace folder), as ruff keeps its cache by default.
//!
//! A file's entry is used only when everything its facts were computed from is unchanged: its
//! path, size, modification time and a hash of its text (the text is read anyway: detectors and
//! positions need it), its module name and package flag (they come from the folders around it),
//! the tool (version, cache format and a hash of the facts code, see `build.rs`) and the catalog's
//! team queries ([`crate::compiled::CompiledCatalog::facts_key`]).
//!
//! *Invariants*: findings are the same with and without the cache; a cache file that is
//! truncated, corrupt, from another version or another catalog is ignored whole and rewritten,
//! never trusted (a checksum over the payload is verified before anything is decoded); the cache
//! is written to a temporary file and renamed over the old one, so a reader sees a whole file or
//! none; a folder that cannot be written loses the cache, not the run (one warning on stderr).

use crate::python::facts::FileFacts;
use crate::python::project::SourceFile;
use dashmap::DashMap;
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The cache folder, at the project root.
pub const DIR: &str = ".pattern-language-cache";
/// The cache file inside [`DIR`].
pub const FILE: &str = "facts.bin";
/// Bump when the layout of an entry changes in a way the facts-code hash would not see.
const FORMAT: u32 = 2;
/// Entries per chunk: chunks are encoded and decoded in parallel.
const CHUNK: usize = 64;
const MAGIC: &[u8; 8] = b"PLFACTS\0";
/// Magic, format, key, checksum.
const HEADER: usize = 8 + 4 + 8 + 8;

/// What a file's facts were computed from, besides its module and the tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub size: u64,
    pub mtime_secs: u64,
    pub mtime_nanos: u32,
    /// A hash of the text.
    pub hash: u64,
}

impl Stamp {
    /// The stamp of a file with this metadata and text; `None` without a usable mtime.
    pub fn new(meta: &std::fs::Metadata, text: &str) -> Option<Stamp> {
        let mtime = meta.modified().ok()?;
        let since = mtime.duration_since(std::time::UNIX_EPOCH).ok()?;
        Some(Stamp {
            size: meta.len(),
            mtime_secs: since.as_secs(),
            mtime_nanos: since.subsec_nanos(),
            hash: hash_bytes(text.as_bytes()),
        })
    }
}

/// A hash that is the same in every run of one build (`DefaultHasher::new` has fixed keys; another
/// toolchain may hash otherwise, which only invalidates the cache).
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    h.write(bytes);
    h.finish()
}

/// Matches of team queries in one file: (pattern id, byte span).
pub type TeamHits = Vec<(String, std::ops::Range<usize>)>;

/// Facts and team hits of one file, as stored.
#[derive(Deserialize)]
struct Entry {
    path: String,
    stamp: Stamp,
    module: String,
    is_package: bool,
    facts: FileFacts,
    team_hits: TeamHits,
}

/// The same layout as [`Entry`], borrowed, for writing.
#[derive(Serialize)]
struct EntryRef<'a> {
    path: &'a str,
    stamp: Stamp,
    module: &'a str,
    is_package: bool,
    facts: &'a FileFacts,
    team_hits: &'a [(String, std::ops::Range<usize>)],
}

/// The tool's part of the key: version, cache format, facts code.
fn tool_key() -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    FORMAT.hash(&mut h);
    env!("PATTERN_LANGUAGE_FACTS_HASH").hash(&mut h);
    h.finish()
}

/// The cache of one project folder, loaded once per run; entries are taken out as files load.
pub struct FactsCache {
    dir: PathBuf,
    key: u64,
    entries: DashMap<String, Entry>,
    loaded: usize,
    hits: AtomicUsize,
    misses: AtomicUsize,
}

impl FactsCache {
    /// The cache of the project at `root` for a catalog whose facts key is `catalog_key`. A missing,
    /// unreadable, corrupt or foreign file gives an empty cache (rewritten by [`Self::save`]).
    pub fn open(root: &Path, catalog_key: u64) -> FactsCache {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (tool_key(), catalog_key).hash(&mut h);
        let key = h.finish();
        let dir = root.join(DIR);
        let started = std::time::Instant::now();
        let entries: DashMap<String, Entry> = std::fs::read(dir.join(FILE))
            .ok()
            .and_then(|bytes| decode(&bytes, key))
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.path.clone(), e))
            .collect();
        if std::env::var_os("PATTERN_LANGUAGE_TIMINGS").is_some() {
            eprintln!("cache {}: read in {:?}", dir.display(), started.elapsed());
        }
        FactsCache {
            dir,
            key,
            loaded: entries.len(),
            entries,
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
        }
    }

    /// The cached facts and team hits of `path`, if they were computed from the same stamp,
    /// module and package flag. Taken out: a second call for the same path misses.
    pub fn take(
        &self,
        path: &Path,
        stamp: &Stamp,
        module: &str,
        is_package: bool,
    ) -> Option<(FileFacts, TeamHits)> {
        let found = path
            .to_str()
            .and_then(|p| self.entries.remove(p))
            .map(|(_, e)| e);
        match found {
            Some(e) if e.stamp == *stamp && e.module == module && e.is_package == is_package => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                Some((e.facts, e.team_hits))
            }
            _ => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Writes the facts of `files` (those read with a stamp) when they differ from what was
    /// loaded: a file missed, or a cached file is gone. Atomic: a temporary file renamed over the
    /// cache. Failure to write is a warning on stderr, once per process.
    pub fn save(&self, files: &[Arc<SourceFile>]) {
        let hits = self.hits.load(Ordering::Relaxed);
        let misses = self.misses.load(Ordering::Relaxed);
        if std::env::var_os("PATTERN_LANGUAGE_TIMINGS").is_some() {
            eprintln!(
                "cache {}: {hits} hits, {misses} misses, {} loaded",
                self.dir.display(),
                self.loaded
            );
        }
        if misses == 0 && hits == self.loaded {
            return;
        }
        let entries: Vec<EntryRef> = files
            .iter()
            .filter_map(|f| {
                Some(EntryRef {
                    path: f.path.to_str()?,
                    stamp: f.stamp?,
                    module: &f.facts.module,
                    is_package: f.facts.is_package,
                    facts: &f.facts,
                    team_hits: &f.team_hits,
                })
            })
            .collect();
        if entries.is_empty() && self.loaded == 0 {
            // Nothing to keep: no cache folder for a project without Python files.
            return;
        }
        if let Err(err) = self.write(&entries) {
            static WARNED: AtomicBool = AtomicBool::new(false);
            if !WARNED.swap(true, Ordering::Relaxed) {
                eprintln!(
                    "warning: cannot write the cache in {}: {err} (analysis goes on without it; --no-cache skips it)",
                    self.dir.display()
                );
            }
        }
    }

    fn write(&self, entries: &[EntryRef]) -> std::io::Result<()> {
        use rayon::prelude::*;
        // The payload: chunks of entries, each its length (u32) and its postcard encoding.
        let chunks: Vec<Vec<u8>> = entries
            .par_chunks(CHUNK)
            .map(postcard::to_stdvec)
            .collect::<Result<_, _>>()
            .map_err(std::io::Error::other)?;
        let mut payload = Vec::with_capacity(chunks.iter().map(|c| c.len() + 4).sum());
        for c in &chunks {
            let len = u32::try_from(c.len()).map_err(std::io::Error::other)?;
            payload.extend_from_slice(&len.to_le_bytes());
            payload.extend_from_slice(c);
        }
        let mut bytes = Vec::with_capacity(HEADER + payload.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&FORMAT.to_le_bytes());
        bytes.extend_from_slice(&self.key.to_le_bytes());
        bytes.extend_from_slice(&hash_bytes(&payload).to_le_bytes());
        bytes.extend_from_slice(&payload);
        write_atomic(&self.dir, FILE, &bytes)
    }
}

/// Writes `dir/name` whole or not at all (a temporary file renamed over it), creating `dir` with
/// a `.gitignore` that keeps it out of version control.
fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let ignore = dir.join(".gitignore");
    if !ignore.is_file() {
        std::fs::write(
            &ignore,
            "# Written by pattern-language: the cache is not versioned.\n*\n",
        )?;
    }
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let tmp = dir.join(format!(
        "{name}.{}.{}.tmp",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, dir.join(name)).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// `check`'s whole result, inside [`DIR`] at the check's root: when nothing it read changed
/// (see [`InputKey`]), the records are printed again without any analysis, as ruff replays its
/// cached diagnostics. Findings depend on the whole project, so the key is the whole input.
pub const RESULT_FILE: &str = "check.bin";
const RESULT_MAGIC: &[u8; 8] = b"PLCHECK\0";

/// The key of a `check` result: the build (every source file and the embedded catalog), and
/// what the caller feeds in (options, config, each file's path, size, mtime and module). What
/// is added is laid out as bytes and hashed once at the end: thousands of small writes into a
/// hasher cost more than the one pass.
pub struct InputKey(Vec<u8>);

impl Default for InputKey {
    fn default() -> Self {
        let mut key = InputKey(Vec::with_capacity(1 << 16));
        key.add((
            env!("CARGO_PKG_VERSION"),
            FORMAT,
            env!("PATTERN_LANGUAGE_CODE_HASH"),
        ));
        key
    }
}

/// A `Hasher` that keeps the bytes it is fed ([`InputKey`] hashes them at the end).
struct Bytes<'a>(&'a mut Vec<u8>);

impl std::hash::Hasher for Bytes<'_> {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn finish(&self) -> u64 {
        hash_bytes(self.0)
    }
}

impl InputKey {
    pub fn add(&mut self, v: impl Hash) {
        v.hash(&mut Bytes(&mut self.0));
    }

    /// A file by its path, size, mtime and content.
    pub fn add_file(&mut self, path: &Path) {
        self.add((path, file_stamp(path, true)));
    }

    pub fn finish(&self) -> u64 {
        hash_bytes(&self.0)
    }
}

/// A file's size, mtime and (with `read`, for a file modified in the last [`RACY`]) a hash of
/// its content, or why it has none (cannot be read, no usable mtime).
///
/// Size and mtime alone say whether a file changed, as ruff's cache and git's index take them,
/// except for an edit that keeps the size within one tick of a coarse mtime (a second on some
/// file systems): only a file modified that recently is read, so a replay costs a `stat` per
/// file. A file read at one check and not at the next gives another key: a miss, never a wrong
/// hit.
pub fn file_stamp(path: &Path, read: bool) -> Result<(u64, u64, u32, u64), std::io::ErrorKind> {
    let meta = std::fs::metadata(path).map_err(|e| e.kind())?;
    let modified = meta.modified().map_err(|e| e.kind())?;
    let since = modified
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|_| std::io::ErrorKind::Unsupported)?;
    let racy = std::time::SystemTime::now()
        .duration_since(modified)
        .ok()
        .is_none_or(|age| age < RACY);
    let content = if read && racy {
        hash_bytes(&std::fs::read(path).map_err(|e| e.kind())?)
    } else {
        0
    };
    Ok((meta.len(), since.as_secs(), since.subsec_nanos(), content))
}

/// How recent a modification must be for [`file_stamp`] to read the file (FAT's mtime has a
/// resolution of two seconds).
pub const RACY: std::time::Duration = std::time::Duration::from_secs(3);

/// The stored result of the check at `root` with this key: `None` when there is none, it was
/// made from other input, or the file is damaged.
pub fn load_result(root: &Path, key: u64) -> Option<Vec<u8>> {
    let bytes = std::fs::read(root.join(DIR).join(RESULT_FILE)).ok()?;
    if bytes.len() < 24 || &bytes[..8] != RESULT_MAGIC {
        return None;
    }
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
    let payload = &bytes[24..];
    (word(8) == key && word(16) == hash_bytes(payload)).then(|| payload.to_vec())
}

/// Stores the result of the check at `root`; a failure to write is only a lost cache.
pub fn save_result(root: &Path, key: u64, payload: &[u8]) {
    let mut bytes = Vec::with_capacity(24 + payload.len());
    bytes.extend_from_slice(RESULT_MAGIC);
    bytes.extend_from_slice(&key.to_le_bytes());
    bytes.extend_from_slice(&hash_bytes(payload).to_le_bytes());
    bytes.extend_from_slice(payload);
    let _ = write_atomic(&root.join(DIR), RESULT_FILE, &bytes);
}

/// The entries of a cache file, if it is whole and made by this tool for this catalog.
fn decode(bytes: &[u8], key: u64) -> Option<Vec<Entry>> {
    if bytes.len() < HEADER || &bytes[..8] != MAGIC {
        return None;
    }
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
    let format = u32::from_le_bytes(bytes[8..12].try_into().ok()?);
    if format != FORMAT || word(12) != key {
        return None;
    }
    let payload = &bytes[HEADER..];
    if word(20) != hash_bytes(payload) {
        return None;
    }
    let mut chunks = Vec::new();
    let mut rest = payload;
    while !rest.is_empty() {
        let len = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        chunks.push(rest.get(4..4 + len)?);
        rest = &rest[4 + len..];
    }
    use rayon::prelude::*;
    let decoded: Option<Vec<Vec<Entry>>> = chunks
        .par_iter()
        .map(|c| {
            // Facts nest (values, calls): decoding recurses as deep as the walk kept them.
            stacker::maybe_grow(256 * 1024, 16 * 1024 * 1024, || {
                postcard::from_bytes::<Vec<Entry>>(c).ok()
            })
        })
        .collect();
    Some(decoded?.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(dir: &Path, text: &str) -> Arc<SourceFile> {
        let path = dir.join("m.py");
        std::fs::write(&path, text).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        let facts = crate::python::facts::collect(text, "m", false);
        let mut s = SourceFile::new(path, Arc::from(text), facts);
        s.stamp = Stamp::new(&meta, text);
        Arc::new(s)
    }

    #[test]
    fn round_trip_and_rejects() {
        let dir = tempfile::tempdir().unwrap();
        let s = source(dir.path(), "import os\nclass A(B):\n    x = 1\n");
        let cache = FactsCache::open(dir.path(), 7);
        assert!(cache.take(&s.path, &s.stamp.unwrap(), "m", false).is_none());
        cache.save(std::slice::from_ref(&s));
        let ignore = std::fs::read_to_string(dir.path().join(DIR).join(".gitignore")).unwrap();
        assert!(ignore.lines().any(|l| l == "*"));
        let cache = FactsCache::open(dir.path(), 7);
        let (facts, _) = cache.take(&s.path, &s.stamp.unwrap(), "m", false).unwrap();
        assert_eq!(facts.classes[0].bases, vec!["B".to_string()]);
        // Another catalog, another module name, another text: not used.
        assert!(
            FactsCache::open(dir.path(), 8)
                .take(&s.path, &s.stamp.unwrap(), "m", false)
                .is_none()
        );
        assert!(
            FactsCache::open(dir.path(), 7)
                .take(&s.path, &s.stamp.unwrap(), "n", false)
                .is_none()
        );
        let mut other = s.stamp.unwrap();
        other.hash ^= 1;
        assert!(
            FactsCache::open(dir.path(), 7)
                .take(&s.path, &other, "m", false)
                .is_none()
        );
        // Truncated or flipped: ignored.
        let file = dir.path().join(DIR).join(FILE);
        let bytes = std::fs::read(&file).unwrap();
        for bad in [bytes[..bytes.len() - 1].to_vec(), {
            let mut b = bytes.clone();
            let last = b.len() - 1;
            b[last] ^= 0xff;
            b
        }] {
            std::fs::write(&file, bad).unwrap();
            assert!(
                FactsCache::open(dir.path(), 7)
                    .take(&s.path, &s.stamp.unwrap(), "m", false)
                    .is_none()
            );
        }
    }
}
