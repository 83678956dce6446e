//! The file view: the one answer to "what is the text of this file". Open buffers shadow the
//! disk. Analysis of the workspace, refactors and fixes read project files only through it, so an
//! edit computed for a file is computed against the text it will be applied to (the editor's
//! buffer when the file is open). `check` uses [`Disk`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The text of a file as the caller should see it.
pub trait FileView: Sync {
    /// The file's text (UTF-8), or `None` when it does not exist or cannot be read.
    fn text(&self, path: &Path) -> Option<Arc<str>>;

    /// Does the file exist (as a buffer or on disk)?
    fn exists(&self, path: &Path) -> bool {
        self.text(path).is_some()
    }
}

/// The disk only (the `check` command, and tests).
pub struct Disk;

impl FileView for Disk {
    fn text(&self, path: &Path) -> Option<Arc<str>> {
        std::fs::read_to_string(path).ok().map(Arc::from)
    }

    fn exists(&self, path: &Path) -> bool {
        path.is_file()
    }
}

/// An open buffer's text, produced when a reader first asks (an editor's document builds its
/// string from its rope only then).
pub trait Buffer: Send + Sync {
    fn text(&self) -> Arc<str>;
}

impl Buffer for Arc<str> {
    fn text(&self) -> Arc<str> {
        self.clone()
    }
}

/// Open buffers laid over the disk.
#[derive(Clone, Default)]
pub struct Overlay {
    buffers: HashMap<PathBuf, Arc<dyn Buffer>>,
}

impl Overlay {
    pub fn new(buffers: impl IntoIterator<Item = (PathBuf, Arc<str>)>) -> Overlay {
        Overlay::of_buffers(
            buffers
                .into_iter()
                .map(|(p, t)| (p, Arc::new(t) as Arc<dyn Buffer>)),
        )
    }

    /// Buffers whose text is produced on first read.
    pub fn of_buffers(buffers: impl IntoIterator<Item = (PathBuf, Arc<dyn Buffer>)>) -> Overlay {
        Overlay {
            buffers: buffers.into_iter().collect(),
        }
    }

    /// Is `path` an open buffer?
    pub fn is_open(&self, path: &Path) -> bool {
        self.buffers.contains_key(path)
    }
}

impl FileView for Overlay {
    fn text(&self, path: &Path) -> Option<Arc<str>> {
        match self.buffers.get(path) {
            Some(b) => Some(b.text()),
            None => Disk.text(path),
        }
    }

    fn exists(&self, path: &Path) -> bool {
        self.buffers.contains_key(path) || Disk.exists(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_shadow_the_disk() {
        let dir = tempfile::tempdir().unwrap();
        let on_disk = dir.path().join("a.py");
        std::fs::write(&on_disk, "disk\n").unwrap();
        let only_open = dir.path().join("b.py");
        let view = Overlay::new([
            (on_disk.clone(), Arc::from("buffer\n")),
            (only_open.clone(), Arc::from("new\n")),
        ]);
        assert_eq!(view.text(&on_disk).as_deref(), Some("buffer\n"));
        assert_eq!(Disk.text(&on_disk).as_deref(), Some("disk\n"));
        assert!(view.exists(&only_open) && !Disk.exists(&only_open));
        assert!(view.text(&dir.path().join("c.py")).is_none());
    }
}
