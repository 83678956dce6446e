//! The server's own file watching, for clients that cannot watch (Neovim on Linux, for one).

use super::{Backend, workspace};
use std::path::PathBuf;

impl Backend {
    /// Watches the roots with `notify` and reloads a workspace when its config, catalog pages or
    /// Python files change on disk (debounced). Used only when the client cannot watch.
    pub(super) fn watch_roots(&self, roots: Vec<PathBuf>) {
        use notify::Watcher;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<PathBuf>();
        let handler = move |res: notify::Result<notify::Event>| {
            let Ok(event) = res else { return };
            if matches!(event.kind, notify::EventKind::Access(_)) {
                return;
            }
            for path in event.paths {
                let s = path.to_string_lossy();
                if s.contains("/.git/") || s.contains("/node_modules/") || s.contains("/target/") {
                    continue;
                }
                if workspace::affects_workspace(&path)
                    || path.extension().is_some_and(|e| e == "py")
                {
                    let _ = tx.send(path);
                }
            }
        };
        let mut watcher = match notify::recommended_watcher(handler) {
            Ok(w) => w,
            Err(err) => {
                eprintln!("pattern-language: cannot watch files: {err}");
                return;
            }
        };
        for root in &roots {
            if let Err(err) = watcher.watch(root, notify::RecursiveMode::Recursive) {
                eprintln!("pattern-language: cannot watch {}: {err}", root.display());
            }
        }
        let this = self.clone();
        tokio::spawn(async move {
            // The watcher lives as long as this task.
            let _watcher = watcher;
            while let Some(first) = rx.recv().await {
                let mut changed = vec![first];
                // Debounce: gather what arrives within 200 ms.
                while let Ok(Some(p)) =
                    tokio::time::timeout(std::time::Duration::from_millis(200), rx.recv()).await
                {
                    changed.push(p);
                }
                // Open documents are the editor's truth: their own changes come through the protocol.
                let root = this
                    .state
                    .workspaces
                    .iter()
                    .filter(|w| changed.iter().any(|p| p.starts_with(w.key())))
                    .map(|w| w.key().clone())
                    .next();
                if root.is_some() {
                    this.reload_workspace(root).await;
                }
            }
        });
    }
}
