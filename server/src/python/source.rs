//! One analysed Python file: its path, text and facts, and where it sits (test, migration,
//! domain module).

use super::facts::FileFacts;
use std::path::PathBuf;
use std::sync::Arc;

/// One analysed Python file.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
    pub facts: FileFacts,
    pub is_test: bool,
    pub is_migration: bool,
    pub is_domain: bool,
    /// Matches of team-defined detection queries: (pattern id, byte span).
    pub team_hits: Vec<(String, std::ops::Range<usize>)>,
    /// Read from disk: what its facts were computed from, for the facts cache.
    pub stamp: Option<crate::cache::Stamp>,
    /// The text was let go after parsing ([`SourceFile::release_text`]): its length and hash,
    /// to read it again.
    released: Option<(usize, u64)>,
}

impl SourceFile {
    /// The module lives in a package (its folder has an `__init__.py`), so relative imports work.
    pub fn is_package_member(&self) -> bool {
        self.facts.module.contains('.') || self.facts.is_package
    }

    pub fn new(path: PathBuf, text: Arc<str>, facts: FileFacts) -> Self {
        let ModuleKind {
            is_test,
            is_migration,
            is_domain,
        } = ModuleKind::of(&facts.module);
        SourceFile {
            path,
            text,
            facts,
            is_test,
            is_migration,
            is_domain,
            team_hits: Vec::new(),
            stamp: None,
            released: None,
        }
    }

    /// Lets the text go, keeping what [`SourceFile::contents`] needs to read it again. `check`
    /// does so once a file's facts are collected, so that a project's texts are not all held at
    /// once (saleor: 7 MB of 48); the server keeps its texts.
    pub fn release_text(&mut self) {
        if self.released.is_none() && !self.text.is_empty() {
            self.released = Some((self.text.len(), text_sum(&self.text)));
            self.text = Arc::from("");
        }
    }

    /// The file's text: the one kept, or, after [`SourceFile::release_text`], the file read
    /// again. A file that changed since its facts were collected (another length or hash) reads
    /// as empty, so no span of the old facts points into a different text.
    pub fn contents(&self) -> Arc<str> {
        let Some((len, sum)) = self.released else {
            return self.text.clone();
        };
        match std::fs::read_to_string(&self.path) {
            Ok(t) if t.len() == len && text_sum(&t) == sum => Arc::from(t),
            _ => Arc::from(""),
        }
    }
}

/// What a module's dotted name says about it: a test module, a migration, domain code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModuleKind {
    pub is_test: bool,
    pub is_migration: bool,
    pub is_domain: bool,
}

impl ModuleKind {
    /// Judged by the module path, so that where the project itself lives does not matter.
    pub fn of(module: &str) -> ModuleKind {
        let mut segments = module.split('.');
        let leaf = segments.next_back().unwrap_or("");
        let parent = segments.next_back();
        let (mut test_folder, mut migration, mut domain) = (false, false, leaf == "domain");
        for s in parent.into_iter().chain(segments) {
            test_folder |= s == "tests" || s == "test";
            migration |= s == "migrations";
            domain |= s == "domain";
        }
        // `settings/test.py` configures the test run; it is settings, not a test.
        let settings_leaf = parent == Some("settings") && matches!(leaf, "test" | "tests");
        let is_test = ((test_folder || matches!(leaf, "tests" | "test")) && !settings_leaf)
            || leaf == "conftest"
            || leaf.starts_with("test_")
            || leaf.ends_with("_tests")
            || leaf.ends_with("_test");
        ModuleKind {
            is_test,
            is_migration: migration || leaf == "migrations",
            is_domain: domain,
        }
    }
}

/// A fast hash of a text, to know it again.
pub(crate) fn text_sum(text: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(text.as_bytes());
    h.finish()
}

/// A file's text, read on first use ([`SourceFile::contents`]): most files have no finding, and
/// where `check` let the texts go, those files are never read again.
pub struct FileText<'a> {
    file: &'a SourceFile,
    text: std::cell::OnceCell<Arc<str>>,
}

impl<'a> FileText<'a> {
    pub fn new(file: &'a SourceFile) -> Self {
        FileText {
            file,
            text: std::cell::OnceCell::new(),
        }
    }

    pub fn get(&self) -> &str {
        self.text.get_or_init(|| self.file.contents())
    }
}

#[cfg(test)]
mod tests {
    use super::ModuleKind;

    /// The judgement as first written, over the segments collected.
    fn reference(module: &str) -> ModuleKind {
        let segments: Vec<&str> = module.split('.').collect();
        let leaf = segments.last().copied().unwrap_or("");
        let settings_leaf = segments.len() >= 2
            && segments[segments.len() - 2] == "settings"
            && matches!(leaf, "test" | "tests");
        let is_test = (segments.iter().any(|s| *s == "tests" || *s == "test") && !settings_leaf)
            || leaf == "conftest"
            || leaf.starts_with("test_")
            || leaf.ends_with("_tests")
            || leaf.ends_with("_test");
        ModuleKind {
            is_test,
            is_migration: segments.contains(&"migrations"),
            is_domain: segments.contains(&"domain"),
        }
    }

    #[test]
    fn module_kind_judges_as_the_segment_list_did() {
        for m in [
            "",
            "tests",
            "test",
            "app.tests",
            "app.tests.test_models",
            "app.settings.test",
            "tests.settings.test",
            "settings.tests",
            "app.settings.tests.base",
            "conftest",
            "app.models_test",
            "app.migrations.0001_initial",
            "migrations",
            "billing.domain",
            "domain.models",
            "a.domain.b",
            "app.testing",
            "app.latest",
        ] {
            assert_eq!(ModuleKind::of(m), reference(m), "{m:?}");
        }
    }
}
