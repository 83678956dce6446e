//! Capabilities: what the client said it can do, and what the server offers in return.

use super::{ClientCaps, map};
use tower_lsp_server::ls_types::*;

/// The client's capabilities as the server uses them.
pub fn client_caps(caps: &ClientCapabilities) -> ClientCaps {
    let td = caps.text_document.as_ref();
    ClientCaps {
        snippets: td
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.snippet_support)
            .unwrap_or(false),
        watch_dynamic: caps
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
        progress: caps
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false),
        resource_ops: caps
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.resource_operations.as_ref())
            .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create)),
        // Pull only where the server can ask for a new pull after a catalog or config change:
        // a client without refresh support (Neovim 0.11) would keep stale diagnostics.
        pull: td.and_then(|t| t.diagnostic.as_ref()).is_some()
            && caps
                .workspace
                .as_ref()
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
        resolve_edit: td
            .and_then(|t| t.code_action.as_ref())
            .and_then(|c| c.resolve_support.as_ref())
            .is_some_and(|r| r.properties.iter().any(|p| p == "edit")),
        code_description: td
            .and_then(|t| t.publish_diagnostics.as_ref())
            .and_then(|p| p.code_description_support)
            .unwrap_or(false),
        related_information: td
            .and_then(|t| t.publish_diagnostics.as_ref())
            .and_then(|p| p.related_information)
            .unwrap_or(false),
        show_document: caps
            .window
            .as_ref()
            .and_then(|w| w.show_document.as_ref())
            .is_some_and(|s| s.support),
    }
}

/// What the server offers: `kind` is the negotiated position encoding, `pull` and
/// `resolve_edit` what the client supports.
pub fn server_capabilities(
    kind: PositionEncodingKind,
    pull: bool,
    resolve_edit: bool,
) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(kind),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["[".into(), ",".into()]),
            // Documentation comes with completionItem/resolve: lists stay small.
            resolve_provider: Some(true),
            ..Default::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::REFACTOR_REWRITE,
                CodeActionKind::REFACTOR_EXTRACT,
                CodeActionKind::new("source.fixAll.pattern-language"),
            ]),
            resolve_provider: Some(resolve_edit),
            ..Default::default()
        })),
        inlay_hint_provider: Some(OneOf::Left(true)),
        // Offered only to clients that pull; the others get pushed diagnostics.
        diagnostic_provider: pull.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("pattern-language".into()),
                inter_file_dependencies: true,
                workspace_diagnostics: false,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        }),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![map::SHOW_COMMAND.into()],
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..Default::default()
    }
}
