//! The context map in the editor: the `pattern-language.showContextMap` command (the SVG written
//! to the cache folder and opened with `window/showDocument`, or returned to a client that draws
//! it itself) and the Markdown code action that inserts or refreshes a Mermaid block.

use super::analysis::workspace_analysis;
use super::document::{Document, Language};
use super::workspace::Workspace;
use super::{Backend, State, lock};
use crate::map::{self, ContextMap};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tower_lsp_server::ls_types::*;

pub const SHOW_COMMAND: &str = "pattern-language.showContextMap";

/// The map of a workspace, evidence paths absolute.
pub fn workspace_map(state: &State, w: &Workspace) -> ContextMap {
    let analysis = workspace_analysis(state, w);
    let display = |p: &Path| p.to_string_lossy().into_owned();
    map::build(&analysis, &display)
}

/// Where the SVG of a workspace's map is written: the user cache folder, else the temp folder.
fn svg_path(root: Option<&Path>) -> PathBuf {
    use etcetera::BaseStrategy;
    let base = etcetera::choose_base_strategy()
        .map(|s| s.cache_dir())
        .unwrap_or_else(|_| std::env::temp_dir());
    let mut hash: u64 = 0xcbf29ce484222325;
    for b in root
        .map(|r| r.to_string_lossy().into_owned())
        .unwrap_or_default()
        .bytes()
    {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x100000001b3);
    }
    let name = root
        .and_then(|r| r.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "workspace".into());
    base.join("pattern-language")
        .join("maps")
        .join(format!("{name}-{hash:016x}"))
        .join("context-map.svg")
}

fn write_svg(path: &Path, svg: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Written beside and renamed over, so that a reader never sees half a picture (two
    // requests for the same workspace may write at once).
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_extension(format!("svg.{}.{n}.tmp", std::process::id()));
    std::fs::write(&tmp, svg)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// `workspace/executeCommand` `pattern-language.showContextMap`. Arguments (all optional): one
/// object `{"uri": <a file or folder of the workspace>, "open": bool}`. With `open` (the default)
/// the server writes the SVG and asks the client to show it externally; the answer is always
/// `{"path", "uri", "svg", "map"}`.
pub async fn show_context_map(b: &Backend, arguments: &[Value]) -> Option<Value> {
    let arg = arguments.first().cloned().unwrap_or(Value::Null);
    let path = arg
        .get("uri")
        .and_then(Value::as_str)
        .and_then(|u| u.parse::<Uri>().ok())
        .and_then(|u| u.to_file_path().map(|p| p.into_owned()))
        .or_else(|| lock(&b.state.roots).first().cloned());
    let open = arg.get("open").and_then(Value::as_bool).unwrap_or(true);
    let w = b.workspace_for(path.as_deref());
    let state = b.state.clone();
    let w2 = w.clone();
    let built = tokio::task::spawn_blocking(move || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let m = workspace_map(&state, &w2);
            let svg = map::svg::render(&m);
            (m, svg)
        }))
        .ok()
    })
    .await
    .ok()
    .flatten();
    let Some((m, svg)) = built else {
        b.client
            .show_message(
                MessageType::ERROR,
                "pattern-language: the context map could not be built",
            )
            .await;
        return None;
    };
    let file = svg_path(w.root.as_deref());
    let written = write_svg(&file, &svg);
    let file_uri = Uri::from_file_path(&file);
    if open {
        match (&written, &file_uri) {
            (Ok(()), Some(uri)) => {
                let shown = lock(&b.state.caps).show_document
                    && b.client
                        .show_document(ShowDocumentParams {
                            uri: uri.clone(),
                            external: Some(true),
                            take_focus: Some(true),
                            selection: None,
                        })
                        .await
                        .unwrap_or(false);
                if !shown {
                    b.client
                        .show_message(
                            MessageType::INFO,
                            format!(
                                "pattern-language: context map written to {}",
                                file.display()
                            ),
                        )
                        .await;
                }
            }
            (Err(err), _) => {
                b.client
                    .show_message(
                        MessageType::ERROR,
                        format!("pattern-language: cannot write {}: {err}", file.display()),
                    )
                    .await;
            }
            _ => {}
        }
    }
    Some(json!({
        "path": written.is_ok().then(|| file.to_string_lossy().into_owned()),
        "uri": file_uri.map(|u| u.as_str().to_string()),
        "svg": svg,
        "map": m,
    }))
}

pub const INSERT_TITLE: &str = "Insert the context map here (Mermaid)";
pub const REFRESH_TITLE: &str = "Refresh the context map";

/// The Markdown code action: refresh the marked block, or insert one at the cursor's line.
/// With `lazy`, the edit is left for `codeAction/resolve` (building the map reads the whole
/// workspace).
pub fn markdown_action(
    b: &Backend,
    doc: &Document,
    w: &Workspace,
    uri: &Uri,
    range: Range,
    lazy: bool,
) -> Option<CodeActionOrCommand> {
    if doc.language != Language::Markdown || w.root.is_none() || w.file_count() == 0 {
        return None;
    }
    let exists = map::markdown::find(doc.text()).is_some();
    let title = if exists { REFRESH_TITLE } else { INSERT_TITLE };
    let mut action = CodeAction {
        title: title.into(),
        kind: Some(CodeActionKind::REFACTOR_REWRITE),
        data: Some(json!({"uri": uri.as_str(), "range": range, "contextMap": true})),
        ..Default::default()
    };
    if !lazy {
        action.edit = Some(markdown_edit(b, doc, w, uri, range));
    }
    Some(CodeActionOrCommand::CodeAction(action))
}

/// The edit of the Markdown code action.
pub fn markdown_edit(
    b: &Backend,
    doc: &Document,
    w: &Workspace,
    uri: &Uri,
    range: Range,
) -> WorkspaceEdit {
    let enc = b.encoding();
    let m = workspace_map(&b.state, w);
    let mermaid = map::mermaid::render(&m);
    let at = doc.offset(range.start, enc);
    let (span, new_text) = map::markdown::edit(doc.text(), &mermaid, at);
    let edit = TextEdit {
        range: doc.range(&span, enc),
        new_text,
    };
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
        ..Default::default()
    }
}
