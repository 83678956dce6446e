//! The language server: the only module that speaks LSP.
//!
//! Invariants:
//! * Document changes are applied synchronously in `did_change`, before its first `.await`, so
//!   they stay ordered per file although tower-lsp-server runs handlers concurrently.
//! * No lock is held across an `.await`; analysis runs on blocking threads.
//! * Diagnostics are pushed with the document version they were computed for, and dropped when
//!   the document moved on meanwhile.

mod actions;
mod analysis;
mod background;
mod caps;
mod diagnostics;
mod document;
mod features;
pub mod framing;
mod map;
mod watch;
mod workspace;

use crate::line_index::Encoding;
use dashmap::DashMap;
use document::Document;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, RwLock};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};
use workspace::Workspace;

pub use document::{Document as Doc, Language};

pub use crate::ide::snapshot::ClientCaps;

pub struct State {
    /// Open documents. Handlers clone the `Arc` (one snapshot per request) and release the map
    /// before any work; a change replaces the document (copy on write).
    pub docs: DashMap<Uri, Arc<Document>>,
    pub encoding: RwLock<Encoding>,
    pub caps: RwLock<ClientCaps>,
    pub roots: RwLock<Vec<PathBuf>>,
    /// initializationOptions and didChangeConfiguration settings, merged.
    pub settings: RwLock<serde_json::Value>,
    pub workspaces: DashMap<PathBuf, Arc<Workspace>>,
    /// The workspace for files outside every root.
    pub loose: RwLock<Option<Arc<Workspace>>>,
    /// Config files that have diagnostics published (to clear them).
    pub config_diagnostics: DashMap<Uri, ()>,
    /// Facts of open Python buffers by path. Only the buffer that changed is walked again, and
    /// in it only the top-level statements the change touched.
    pub sources: DashMap<PathBuf, analysis::CachedSource>,
    /// A `workspace/diagnostic/refresh` is in flight, and another was asked for meanwhile.
    pub pull_refresh: std::sync::Mutex<(bool, bool)>,
    /// How long each document's last diagnostics took, and when it last changed: a change that
    /// follows another sooner than a slow analysis takes waits for typing to pause (see
    /// [`Backend::spawn_refresh`]).
    pub pace: DashMap<Uri, diagnostics::Pace>,
}

#[derive(Clone)]
pub struct Backend {
    pub client: Client,
    pub state: Arc<State>,
}

pub(crate) fn lock<T: Clone>(l: &RwLock<T>) -> T {
    match l.read() {
        Ok(g) => g.clone(),
        Err(p) => p.into_inner().clone(),
    }
}

fn set<T>(l: &RwLock<T>, v: T) {
    match l.write() {
        Ok(mut g) => *g = v,
        Err(p) => *p.into_inner() = v,
    }
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend {
            client,
            state: Arc::new(State {
                docs: DashMap::new(),
                encoding: RwLock::new(Encoding::Utf16),
                caps: RwLock::new(ClientCaps::default()),
                roots: RwLock::new(Vec::new()),
                settings: RwLock::new(serde_json::Value::Null),
                workspaces: DashMap::new(),
                loose: RwLock::new(None),
                config_diagnostics: DashMap::new(),
                sources: DashMap::new(),
                pull_refresh: std::sync::Mutex::new((false, false)),
                pace: DashMap::new(),
            }),
        }
    }

    fn encoding(&self) -> Encoding {
        lock(&self.state.encoding)
    }

    /// The workspace a path belongs to (the deepest root containing it).
    fn workspace_for(&self, path: Option<&std::path::Path>) -> Arc<Workspace> {
        if let Some(path) = path {
            let best = self
                .state
                .workspaces
                .iter()
                .filter(|w| path.starts_with(w.key()))
                .max_by_key(|w| w.key().as_os_str().len())
                .map(|w| w.value().clone());
            if let Some(w) = best {
                return w;
            }
        }
        if let Some(w) = lock(&self.state.loose) {
            return w;
        }
        let w = Arc::new(Workspace::load(None, &lock(&self.state.settings), false));
        set(&self.state.loose, Some(w.clone()));
        w
    }

    async fn index_roots(&self, roots: Vec<PathBuf>) {
        let caps = lock(&self.state.caps);
        let token =
            NumberOrString::String(format!("pattern-language/index/{}", std::process::id()));
        let progress = if caps.progress
            && self
                .client
                .send_request::<request::WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                    token: token.clone(),
                })
                .await
                .is_ok()
        {
            Some(
                self.client
                    .progress(token, "pattern-language")
                    .with_message("indexing the workspace")
                    .begin()
                    .await,
            )
        } else {
            None
        };
        let settings = lock(&self.state.settings);
        for root in roots {
            let r = root.clone();
            let s = settings.clone();
            let loaded = background::run(move || {
                let w = Workspace::load(Some(r), &s, true);
                background::give_back_memory();
                w
            })
            .await;
            match loaded {
                Some(w) => {
                    let w = Arc::new(w);
                    // In place before it is announced: a client that waits for the message
                    // sees the index.
                    self.state.workspaces.insert(root.clone(), w.clone());
                    self.client
                        .log_message(
                            MessageType::INFO,
                            format!(
                                "pattern-language: indexed {} ({} Python files, {} patterns)",
                                root.display(),
                                w.file_count(),
                                w.catalog.patterns().len()
                            ),
                        )
                        .await;
                    self.publish_config_problems(&w).await;
                }
                None => {
                    self.client
                        .log_message(
                            MessageType::ERROR,
                            format!(
                                "pattern-language: indexing {} failed (an internal error; please report it)",
                                root.display()
                            ),
                        )
                        .await
                }
            }
        }
        if let Some(p) = progress {
            p.finish_with_message("indexed").await;
        }
        self.refresh_all().await;
    }

    async fn publish_config_problems(&self, w: &Workspace) {
        let mut by_file: std::collections::HashMap<Uri, Vec<Diagnostic>> =
            std::collections::HashMap::new();
        for p in &w.config_problems {
            let Some(uri) = p.path.as_ref().and_then(Uri::from_file_path) else {
                self.client
                    .show_message(
                        MessageType::WARNING,
                        format!("pattern-language settings: {}", p.message),
                    )
                    .await;
                continue;
            };
            let line = p.line.saturating_sub(1);
            by_file.entry(uri).or_default().push(Diagnostic {
                range: Range::new(Position::new(line, 0), Position::new(line, u32::MAX / 2)),
                severity: Some(DiagnosticSeverity::WARNING),
                code: Some(NumberOrString::String("config".into())),
                source: Some("pattern-language".into()),
                message: p.message.clone(),
                ..Diagnostic::default()
            });
        }
        if let Some(file) = w.config.file.as_ref().and_then(Uri::from_file_path) {
            by_file.entry(file).or_default();
        }
        for (uri, diags) in by_file {
            // Open documents get theirs with their own diagnostics.
            if self.state.docs.contains_key(&uri) {
                continue;
            }
            self.state.config_diagnostics.insert(uri.clone(), ());
            self.client.publish_diagnostics(uri, diags, None).await;
        }
    }

    async fn reload_workspace(&self, root: Option<PathBuf>) {
        let roots: Vec<PathBuf> = match root {
            Some(r) => vec![r],
            None => self
                .state
                .workspaces
                .iter()
                .map(|w| w.key().clone())
                .collect(),
        };
        set(&self.state.loose, None);
        // On a task of its own: indexing may ask the client (progress), see `request_pull`.
        let this = self.clone();
        tokio::spawn(async move { this.index_roots(roots).await });
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let caps = &params.capabilities;
        let offers_utf8 = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|encs| encs.contains(&PositionEncodingKind::UTF8));
        let (enc, kind) = if offers_utf8 {
            (Encoding::Utf8, PositionEncodingKind::UTF8)
        } else {
            (Encoding::Utf16, PositionEncodingKind::UTF16)
        };
        set(&self.state.encoding, enc);
        let client_caps = caps::client_caps(caps);
        let pull = client_caps.pull;
        let resolve_edit = client_caps.resolve_edit;
        set(&self.state.caps, client_caps);
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
            .collect();
        #[allow(deprecated)]
        if roots.is_empty()
            && let Some(root) = params.root_uri.as_ref().and_then(|u| u.to_file_path())
        {
            roots.push(root.into_owned());
        }
        set(&self.state.roots, roots);
        if let Some(opts) = params.initialization_options {
            set(&self.state.settings, opts);
        }
        Ok(InitializeResult {
            capabilities: caps::server_capabilities(kind, pull, resolve_edit),
            server_info: Some(ServerInfo {
                name: "pattern-language".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if lock(&self.state.caps).watch_dynamic {
            let watchers = [
                "**/*.md",
                "**/pattern-language.toml",
                "**/pyproject.toml",
                "**/*.py",
            ]
            .iter()
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String((*g).to_string()),
                kind: None,
            })
            .collect();
            let options = DidChangeWatchedFilesRegistrationOptions { watchers };
            let registration = Registration {
                id: "pattern-language-watch".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            };
            if let Err(err) = self.client.register_capability(vec![registration]).await {
                self.client
                    .log_message(
                        MessageType::WARNING,
                        format!("pattern-language: cannot watch files: {err}"),
                    )
                    .await;
            }
        } else {
            // The client cannot watch files (Neovim on Linux, for one): the server watches itself.
            let roots = lock(&self.state.roots);
            self.watch_roots(roots);
        }
        // Indexing runs on its own task: a client that never answers the progress request must
        // not keep `initialized` (and so `shutdown`/`exit`) waiting.
        let roots = lock(&self.state.roots);
        let this = self.clone();
        tokio::spawn(async move { this.index_roots(roots).await });
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let language = Language::from(&doc.language_id, doc.uri.as_str());
        self.state.docs.insert(
            doc.uri.clone(),
            Arc::new(Document::new(&doc.text, doc.version, language)),
        );
        self.spawn_refresh(doc.uri);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let enc = self.encoding();
        // Applied before the first await: ordered per document. The new content is built with
        // no map guard held (on a big buffer that takes milliseconds, and every request reads
        // the map), then swapped in; snapshots held by running requests keep the old content.
        let current = self.state.docs.get(&uri).map(|d| d.value().clone());
        let applied = match current {
            Some(doc) if params.text_document.version > doc.version => {
                let mut next = Document::clone(&doc);
                next.apply(&params.content_changes, params.text_document.version, enc);
                self.state.docs.insert(uri.clone(), Arc::new(next));
                true
            }
            _ => false,
        };
        if !applied {
            self.client
                .log_message(
                    MessageType::WARNING,
                    format!(
                        "pattern-language: ignored an out-of-order change to {}",
                        uri.as_str()
                    ),
                )
                .await;
            return;
        }
        let is_catalog = self
            .state
            .docs
            .get(&uri)
            .is_some_and(|d| d.language == Language::Markdown);
        if is_catalog {
            // A catalog page being edited changes what other documents see.
            let this = self.clone();
            tokio::spawn(async move { this.refresh_all().await });
        } else {
            self.spawn_refresh(uri);
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let path = params
            .text_document
            .uri
            .to_file_path()
            .map(|p| p.into_owned());
        if let Some(path) = path
            && workspace::affects_workspace(&path)
        {
            let root = self
                .state
                .workspaces
                .iter()
                .find(|w| path.starts_with(w.key()))
                .map(|w| w.key().clone());
            self.reload_workspace(root).await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.state.docs.remove(&params.text_document.uri);
        self.state.pace.remove(&params.text_document.uri);
        if let Some(path) = params.text_document.uri.to_file_path() {
            self.state.sources.remove(path.as_ref());
        }
        if !lock(&self.state.caps).pull {
            self.client
                .publish_diagnostics(params.text_document.uri, Vec::new(), None)
                .await;
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let settings = match params
            .settings
            .get("pattern-language")
            .or_else(|| params.settings.get("patternLanguage"))
        {
            Some(s) => s.clone(),
            // Eglot sends `{"settings": {}}` after `initialized`: that is no change.
            None if params.settings.as_object().is_some_and(|m| m.is_empty()) => return,
            None => params.settings,
        };
        if !settings.is_null() {
            set(&self.state.settings, settings);
        }
        self.reload_workspace(None).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let relevant = params.changes.iter().any(|c| {
            c.uri.to_file_path().is_some_and(|p| {
                workspace::affects_workspace(&p) || p.extension().is_some_and(|e| e == "py")
            })
        });
        if relevant {
            self.reload_workspace(None).await;
        }
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let mut roots = lock(&self.state.roots);
        for removed in params.event.removed {
            if let Some(p) = removed.uri.to_file_path() {
                self.state.workspaces.remove(p.as_ref());
                roots.retain(|r| r != p.as_ref());
            }
        }
        let added: Vec<PathBuf> = params
            .event
            .added
            .iter()
            .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
            .collect();
        // The refactors' workspace guard reads these roots.
        for a in &added {
            if !roots.contains(a) {
                roots.push(a.clone());
            }
        }
        set(&self.state.roots, roots);
        let this = self.clone();
        tokio::spawn(async move { this.index_roots(added).await });
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let uri = params.text_document_position_params.text_document.uri;
        let pos = params.text_document_position_params.position;
        Ok(self
            .with_doc(&uri.clone(), move |b, doc, w| {
                features::hover(b, doc, w, &uri, pos)
            })
            .await)
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let uri = params.text_document_position.text_document.uri;
        let pos = params.text_document_position.position;
        Ok(self
            .with_doc(&uri.clone(), move |b, doc, w| {
                features::completion(b, doc, w, &uri, pos)
            })
            .await)
    }

    async fn completion_resolve(&self, mut item: CompletionItem) -> Result<CompletionItem> {
        let id = item
            .data
            .as_ref()
            .and_then(|d| d.get("pattern"))
            .and_then(|v| v.as_str())
            .map(str::to_string);
        if let Some(id) = id {
            let w = self.workspace_for(lock(&self.state.roots).first().map(PathBuf::as_path));
            if let Some(p) = w.catalog.get(&id) {
                item.documentation = Some(Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: crate::catalog::render::hover_markdown(p, &w.catalog, None),
                }));
            }
        }
        Ok(item)
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let uri = &params.text_document_position_params.text_document.uri;
        let pos = params.text_document_position_params.position;
        Ok(self
            .with_doc(uri, move |b, doc, w| features::definition(b, doc, w, pos))
            .await)
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let uri = params.text_document.uri;
        Ok(self
            .with_doc(&uri.clone(), move |b, doc, w| {
                features::document_symbols(b, doc, w, &uri)
            })
            .await)
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let w = self.workspace_for(lock(&self.state.roots).first().map(PathBuf::as_path));
        Ok(features::workspace_symbols(&w, &params.query))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        Ok(self
            .with_doc(&uri, move |b, doc, w| {
                actions::code_actions(b, doc, w, &params)
            })
            .await)
    }

    async fn code_action_resolve(&self, action: CodeAction) -> Result<CodeAction> {
        let Some(data) = action.data.clone() else {
            return Ok(action);
        };
        let (Some(uri), Some(range)) = (
            data.get("uri")
                .and_then(|u| u.as_str())
                .and_then(|u| u.parse::<Uri>().ok()),
            data.get("range")
                .and_then(|r| serde_json::from_value::<Range>(r.clone()).ok()),
        ) else {
            return Ok(action);
        };
        if data.get("contextMap").is_some() {
            let mut action = action;
            let target = uri.clone();
            action.edit = self
                .with_doc(&uri, move |b, doc, w| {
                    Some(map::markdown_edit(b, doc, w, &target, range))
                })
                .await;
            return Ok(action);
        }
        // Found again by the registry id and target it was offered with, never by title.
        let (Some(id), Some(at)) = (
            data.get("refactor")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            data.get("at").and_then(|v| v.as_u64()),
        ) else {
            return Ok(action);
        };
        let target = uri.clone();
        let found = self
            .with_doc(&uri, move |b, doc, w| {
                actions::resolve_refactor(b, doc, w, &target, range, (&id, at as usize))
            })
            .await;
        Ok(found.unwrap_or(action))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let uri = params.text_document.uri;
        let range = params.range;
        Ok(self
            .with_doc(&uri.clone(), move |b, doc, w| {
                features::inlay_hints(b, doc, w, &uri, range)
            })
            .await)
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        // One snapshot per computation; a result for content that changed meanwhile is dropped
        // and computed again (a few times at most: then the last one, consistent in itself).
        let uri = &params.text_document.uri;
        let mut items = Vec::new();
        for _ in 0..3 {
            let Some((_, generation, diags)) = self.compute_diagnostics(uri).await else {
                // Closed, or changed before its turn: try the new content.
                continue;
            };
            items = diags;
            if self.is_current(uri, generation) {
                break;
            }
        }
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        match params.command.as_str() {
            map::SHOW_COMMAND => Ok(map::show_context_map(self, &params.arguments).await),
            _ => Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                "unknown command `{}`",
                params.command
            ))),
        }
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri;
        Ok(self
            .with_doc(&uri.clone(), move |b, doc, w| {
                features::code_lenses(b, doc, w, &uri)
            })
            .await)
    }
}

impl Backend {
    /// Runs `f` on a snapshot of an open document and its workspace, on a blocking thread, with
    /// no lock held. Panics inside become `None`, never a crash. A Python buffer over the
    /// analysis cap gets `None`: it is not analysed (its diagnostics say so).
    async fn with_doc<T: Send + 'static>(
        &self,
        uri: &Uri,
        f: impl FnOnce(&Backend, &Document, &Workspace) -> Option<T> + Send + 'static,
    ) -> Option<T> {
        let doc = self.state.docs.get(uri).map(|d| d.value().clone())?;
        if document::too_large(doc.language, doc.len()) {
            return None;
        }
        let path = uri.to_file_path().map(|p| p.into_owned());
        let w = self.workspace_for(path.as_deref());
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&this, &doc, &w)))
                .ok()
                .flatten()
        })
        .await
        .ok()
        .flatten()
    }
}

/// `pattern-language server`: LSP over stdio until the client exits.
pub fn run_stdio() -> ExitCode {
    background::limit_arenas();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    background::init_parallel_pool();
    runtime.block_on(async {
        let (service, socket) = LspService::new(Backend::new);
        // One bad message must not end the session: see `framing`.
        framing::serve(
            tokio::io::stdin(),
            tokio::io::stdout(),
            |input, output| async move {
                Server::new(input, output, socket).serve(service).await;
            },
        )
        .await;
    });
    // A read of stdin may still be blocked: do not wait for it.
    runtime.shutdown_background();
    ExitCode::SUCCESS
}
