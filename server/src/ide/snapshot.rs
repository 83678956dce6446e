//! What a request owns while it runs on its blocking thread: the open buffers as a file view,
//! the position encoding, the client's capabilities and the workspace folders. Taken once, with
//! no map guard kept: a change arriving meanwhile makes new documents (copy on write) and never
//! waits for the request.

use super::files::Overlay;
use crate::line_index::Encoding;
use std::collections::HashMap;
use std::path::PathBuf;

/// What the client said it can do.
#[derive(Clone, Debug, Default)]
pub struct ClientCaps {
    pub snippets: bool,
    pub watch_dynamic: bool,
    pub progress: bool,
    pub resource_ops: bool,
    pub code_description: bool,
    /// The client pulls diagnostics (`textDocument/diagnostic`) and accepts
    /// `workspace/diagnostic/refresh`: nothing is pushed for documents.
    pub pull: bool,
    pub related_information: bool,
    /// The client resolves a code action's `edit` lazily (`codeAction/resolve`).
    pub resolve_edit: bool,
    /// The client supports `window/showDocument`.
    pub show_document: bool,
}

/// One request's view of the session.
#[derive(Clone)]
pub struct Snapshot {
    /// Open buffers over the disk: what refactors and fixes read.
    pub files: Overlay,
    /// The client's version of each open buffer (a versioned edit names it).
    pub versions: HashMap<PathBuf, i32>,
    pub encoding: Encoding,
    pub caps: ClientCaps,
    /// Workspace folders: no refactor edits a file outside them.
    pub roots: Vec<PathBuf>,
}
