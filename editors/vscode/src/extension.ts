// The VS Code side: starts the pattern-language server and wires up commands.
// Only glue lives here; the logic is in config.ts, discovery.ts and catalog.ts (tested without VS Code).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions as ExecutableOptions,
} from 'vscode-languageclient/node';
import {
  catalogArgs,
  didChangeConfigurationSettings,
  SECTION,
  type ServerOptions,
  type SettingsSource,
  toServerOptions,
} from './config';
import { bundledPath, findServer, isExecutableFile, systemHost, type Discovery } from './discovery';
import {
  explainPattern,
  listPatterns,
  patternDocumentPath,
  patternIdFromDocumentPath,
  SCHEME,
  toPickItems,
} from './catalog';
import { makeNonce, mapHtml, parseMapResult, parseOpenMessage, SERVER_COMMAND } from './contextMap';

const CLIENT_ID = 'pattern-language';
const CLIENT_NAME = 'Pattern Language';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let extensionPath: string;
let starting: Promise<void> | undefined;

function firstFolder(): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.workspaceFolders?.[0];
}

function settingsFor(scope: vscode.ConfigurationScope | undefined): SettingsSource {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  return { inspect: (key) => config.inspect(key) };
}

/** The server options for a scope (a resource or a folder); warnings go to the log. */
function serverOptions(scope?: vscode.Uri): ServerOptions {
  const folder = scope ? vscode.workspace.getWorkspaceFolder(scope) : firstFolder();
  const { options, warnings } = toServerOptions(settingsFor(folder?.uri ?? scope), {
    workspaceFolder: folder?.uri.fsPath,
    homeDir: os.homedir(),
  });
  for (const w of warnings) output.appendLine(`[settings] ${w}`);
  return options;
}

function discover(): Discovery {
  const folder = firstFolder();
  const setting = vscode.workspace.getConfiguration(SECTION).get<string>('server.path');
  // In an untrusted workspace only the user's own (global) setting counts.
  const trusted = vscode.workspace.isTrusted;
  const value = trusted
    ? setting
    : (vscode.workspace.getConfiguration(SECTION).inspect<string>('server.path')?.globalValue ?? undefined);
  return findServer(value, systemHost(extensionPath, folder?.uri.fsPath, os.homedir()));
}

async function startClient(): Promise<void> {
  const found = discover();
  if (!found.ok) {
    output.appendLine(`[error] ${found.message}`);
    output.appendLine(`[error] looked for: ${found.tried.join(', ') || '(nothing)'}`);
    const choice = await vscode.window.showErrorMessage(found.message, 'Open Settings', 'Open Log');
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.server.path`);
    } else if (choice === 'Open Log') {
      output.show(true);
    }
    return;
  }
  output.appendLine(`[info] using ${found.path} (from ${found.source})`);

  // No `transport`: with TransportKind.stdio the client would append `--stdio` to the arguments.
  const run: ExecutableOptions = {
    command: found.path,
    args: ['server'],
    options: { cwd: firstFolder()?.uri.fsPath },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'file', language: 'markdown' },
    ],
    outputChannel: output,
    initializationOptions: serverOptions(),
    synchronize: {
      configurationSection: SECTION,
      fileEvents: [
        vscode.workspace.createFileSystemWatcher('**/pyproject.toml'),
        vscode.workspace.createFileSystemWatcher('**/pattern-language.toml'),
      ],
    },
    middleware: {
      workspace: {
        // Always send the mapped options under the `pattern-language` section, never raw VS Code settings.
        didChangeConfiguration: async () => {
          await client?.sendNotification(DidChangeConfigurationNotification.type, {
            settings: didChangeConfigurationSettings(serverOptions()),
          });
        },
        configuration: (params, token, next) => {
          const answers: unknown[] = [];
          const rest: typeof params.items = [];
          const restIndex: number[] = [];
          params.items.forEach((item, i) => {
            if (item.section === SECTION) {
              const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
              answers[i] = serverOptions(scope);
            } else if (item.section === undefined || item.section === null || item.section === '') {
              const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
              answers[i] = didChangeConfigurationSettings(serverOptions(scope));
            } else {
              rest.push(item);
              restIndex.push(i);
            }
          });
          if (rest.length === 0) return answers;
          const others = next({ items: rest }, token);
          const merge = (values: unknown) => {
            if (Array.isArray(values)) values.forEach((v, j) => (answers[restIndex[j]] = v));
            return answers;
          };
          return others instanceof Promise ? others.then(merge) : merge(others);
        },
      },
    },
  };

  client = new LanguageClient(CLIENT_ID, CLIENT_NAME, { run, debug: run }, clientOptions);
  try {
    await client.start();
  } catch (e) {
    output.appendLine(`[error] the server did not start: ${(e as Error).message}`);
    void vscode.window.showErrorMessage(`Pattern Language: the server did not start (${(e as Error).message}). See the server log.`);
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (!c) return;
  try {
    await c.stop(5000);
  } catch (e) {
    output.appendLine(`[warn] stopping the server: ${(e as Error).message}`);
  }
  try {
    await c.dispose();
  } catch {
    // already gone
  }
}

async function restart(): Promise<void> {
  if (starting) await starting;
  starting = (async () => {
    await stopClient();
    await startClient();
  })();
  try {
    await starting;
  } finally {
    starting = undefined;
  }
}

/** Shows one pattern page (the `explain` output) in a read-only document. */
class PatternPages implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const found = discover();
    if (!found.ok) return found.message;
    const id = patternIdFromDocumentPath(uri.path);
    try {
      return await explainPattern(found.path, id, catalogArgs(serverOptions()), firstFolder()?.uri.fsPath);
    } catch (e) {
      return (e as Error).message;
    }
  }
}

async function showPattern(id?: unknown): Promise<void> {
  const found = discover();
  if (!found.ok) {
    void vscode.window.showErrorMessage(found.message);
    return;
  }
  let chosen = typeof id === 'string' && id.length > 0 ? id : undefined;
  if (!chosen) {
    let items;
    try {
      items = toPickItems(await listPatterns(found.path, catalogArgs(serverOptions()), firstFolder()?.uri.fsPath));
    } catch (e) {
      output.appendLine(`[error] ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`Pattern Language: ${(e as Error).message}`);
      return;
    }
    const pick = await vscode.window.showQuickPick(items, {
      title: 'Show pattern',
      placeHolder: 'Pattern title, id or alias',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!pick) return;
    chosen = pick.id;
  }
  const uri = vscode.Uri.from({ scheme: SCHEME, path: patternDocumentPath(chosen) });
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: true });
}

let mapPanel: vscode.WebviewPanel | undefined;

/** Asks the server for the context map and shows it in a webview; evidence links open files. */
async function showContextMap(): Promise<void> {
  if (!client) {
    void vscode.window.showErrorMessage('Pattern Language: the server is not running.');
    return;
  }
  const folder = vscode.window.activeTextEditor
    ? vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri)
    : firstFolder();
  let result;
  try {
    const answer = await client.sendRequest('workspace/executeCommand', {
      command: SERVER_COMMAND,
      arguments: [{ open: false, uri: folder?.uri.toString() }],
    });
    result = parseMapResult(answer);
  } catch (e) {
    output.appendLine(`[error] context map: ${(e as Error).message}`);
  }
  if (!result) {
    void vscode.window.showErrorMessage('Pattern Language: the server sent no context map. See the server log.');
    return;
  }
  if (!mapPanel) {
    mapPanel = vscode.window.createWebviewPanel('pattern-language.contextMap', 'Context map', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [],
    });
    mapPanel.onDidDispose(() => (mapPanel = undefined));
    mapPanel.webview.onDidReceiveMessage(async (msg: unknown) => {
      const open = parseOpenMessage(msg);
      if (!open) return;
      const line = Math.max(0, open.line - 1);
      try {
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(open.path));
        await vscode.window.showTextDocument(doc, {
          selection: new vscode.Range(line, 0, line, 0),
          viewColumn: vscode.ViewColumn.Beside,
        });
      } catch (e) {
        void vscode.window.showErrorMessage(`Pattern Language: cannot open ${open.path}: ${(e as Error).message}`);
      }
    });
  }
  mapPanel.webview.html = mapHtml(result, makeNonce(), mapPanel.webview.cspSource);
  mapPanel.reveal();
}

/** A bundled binary that lost its executable bit in unpacking gets it back. */
function repairBundledBinary(): void {
  if (process.platform === 'win32') return;
  const bundled = bundledPath(extensionPath, process.platform);
  try {
    if (fs.existsSync(bundled) && !isExecutableFile(bundled)) fs.chmodSync(bundled, 0o755);
  } catch (e) {
    output.appendLine(`[warn] could not make ${bundled} executable: ${(e as Error).message}`);
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionPath = context.extensionPath;
  output = vscode.window.createOutputChannel(CLIENT_NAME);
  context.subscriptions.push(
    output,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, new PatternPages()),
    vscode.commands.registerCommand('pattern-language.restartServer', restart),
    vscode.commands.registerCommand('pattern-language.showPattern', showPattern),
    vscode.commands.registerCommand('pattern-language.showLog', () => output.show(true)),
    vscode.commands.registerCommand('pattern-language.contextMapView', showContextMap),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.server.path`)) void restart();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void restart()),
  );
  repairBundledBinary();
  await restart();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
