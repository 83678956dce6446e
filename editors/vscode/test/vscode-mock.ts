// A stand-in for the `vscode` module: just enough of the API for dist/extension.js and
// vscode-languageclient to start, talk to a real server and be observed. Used by
// extension.smoke.test.ts only; VS Code itself is never launched.

/* eslint-disable @typescript-eslint/no-explicit-any */
import Module from 'node:module';
import * as path from 'node:path';

type Listener<T> = (e: T) => any;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  event = (listener: Listener<T>, thisArgs?: any, disposables?: any[]) => {
    const bound = thisArgs ? listener.bind(thisArgs) : listener;
    this.listeners.push(bound);
    const d = { dispose: () => (this.listeners = this.listeners.filter((l) => l !== bound)) };
    disposables?.push(d);
    return d;
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Disposable {
  constructor(private readonly fn?: () => void) {}
  static from(...items: { dispose?: () => any }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i?.dispose?.()));
  }
  dispose(): void {
    this.fn?.();
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
    readonly query: string,
    readonly fragment: string,
  ) {}
  static parse(value: string): Uri {
    const m = /^([a-zA-Z][\w+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(value);
    if (!m) throw new Error(`mock Uri.parse: ${value}`);
    return new Uri(m[1], m[2] ?? '', decodeURIComponent(m[3] ?? ''), m[4] ?? '', m[5] ?? '');
  }
  static file(p: string): Uri {
    return new Uri('file', '', path.resolve(p), '', '');
  }
  static from(c: { scheme: string; authority?: string; path?: string; query?: string; fragment?: string }): Uri {
    return new Uri(c.scheme, c.authority ?? '', c.path ?? '', c.query ?? '', c.fragment ?? '');
  }
  get fsPath(): string {
    return this.path;
  }
  with(c: Partial<{ scheme: string; authority: string; path: string; query: string; fragment: string }>): Uri {
    return new Uri(c.scheme ?? this.scheme, c.authority ?? this.authority, c.path ?? this.path, c.query ?? this.query, c.fragment ?? this.fragment);
  }
  toString(): string {
    const p = this.path.split('/').map(encodeURIComponent).join('/');
    return `${this.scheme}:${this.scheme === 'file' || this.authority ? '//' + this.authority : ''}${p}${this.query ? '?' + this.query : ''}${this.fragment ? '#' + this.fragment : ''}`;
  }
  toJSON(): any {
    return { scheme: this.scheme, path: this.path };
  }
}

export class Position {
  constructor(readonly line: number, readonly character: number) {}
}
export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: any, b: any, c?: number, d?: number) {
    if (typeof a === 'number') {
      this.start = new Position(a, b);
      this.end = new Position(c!, d!);
    } else {
      this.start = a;
      this.end = b;
    }
  }
}
export class MarkdownString {
  isTrusted?: boolean;
  supportHtml?: boolean;
  constructor(public value = '', public supportThemeIcons = false) {}
  appendMarkdown(s: string): this {
    this.value += s;
    return this;
  }
  appendText(s: string): this {
    this.value += s;
    return this;
  }
  appendCodeblock(s: string, lang = ''): this {
    this.value += `\n\`\`\`${lang}\n${s}\n\`\`\`\n`;
    return this;
  }
}
export class Hover {
  contents: MarkdownString[];
  constructor(contents: any, public range?: Range) {
    this.contents = Array.isArray(contents) ? contents : [contents];
  }
}
export class CancellationError extends Error {}
export class CancellationTokenSource {
  private emitter = new EventEmitter<void>();
  token = { isCancellationRequested: false, onCancellationRequested: this.emitter.event };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void {}
}

export interface MockTextDocument {
  uri: Uri;
  languageId: string;
  version: number;
  isClosed: boolean;
  getText(): string;
}

/** Everything a test wants to see or drive. */
export class MockState {
  settings: Record<string, unknown> = {};
  commands = new Map<string, (...args: any[]) => any>();
  contentProviders = new Map<string, { provideTextDocumentContent(uri: Uri, token?: any): any }>();
  hoverProviders: { selector: any; provider: any }[] = [];
  output: string[] = [];
  errors: string[] = [];
  opened: Uri[] = [];
  textDocuments: MockTextDocument[] = [];
  /** Webview panels created: their HTML and the handler of messages from the page. */
  webviews: { html: string; receive?: (msg: unknown) => unknown }[] = [];
  shown: { uri: Uri; options: any }[] = [];
  onDidChangeConfiguration = new EventEmitter<{ affectsConfiguration(section: string): boolean }>();
  onDidOpenTextDocument = new EventEmitter<MockTextDocument>();
  workspaceFolder: { uri: Uri; name: string; index: number };
  /** API names the code touched that the mock does not model (reported, never fatal). */
  unknown = new Set<string>();

  constructor(folder: string) {
    this.workspaceFolder = { uri: Uri.file(folder), name: path.basename(folder), index: 0 };
  }

  /** Changes one `pattern-language.*` setting and fires onDidChangeConfiguration for it. */
  set(key: string, value: unknown): void {
    this.settings[key] = value;
    this.onDidChangeConfiguration.fire({ affectsConfiguration: (s: string) => `pattern-language.${key}`.startsWith(s) || s.startsWith(`pattern-language.${key}`) });
  }
}

const noEvent = () => ({ dispose() {} });

function stub(state: MockState, name: string): any {
  // Unknown API: a callable, constructible object whose members are more of the same.
  const fn: any = function () {
    return stub(state, `${name}()`);
  };
  return new Proxy(fn, {
    get(_t, prop) {
      if (prop === 'then' || typeof prop === 'symbol') return undefined;
      if (prop === 'dispose') return () => {};
      state.unknown.add(`${name}.${String(prop)}`);
      return stub(state, `${name}.${String(prop)}`);
    },
    construct() {
      return stub(state, `new ${name}`);
    },
  });
}

function configuration(state: MockState, section?: string): any {
  const prefix = section ? `${section}.` : '';
  const full = (key: string) => `${prefix}${key}`;
  const local = (key: string): string | undefined => {
    const k = full(key);
    return k.startsWith('pattern-language.') ? k.slice('pattern-language.'.length) : undefined;
  };
  return {
    get(key: string, dflt?: unknown) {
      const k = local(key);
      return k !== undefined && k in state.settings ? state.settings[k] : dflt;
    },
    has(key: string) {
      const k = local(key);
      return k !== undefined && k in state.settings;
    },
    inspect(key: string) {
      const k = local(key);
      return { key: full(key), defaultValue: undefined, globalValue: k !== undefined ? state.settings[k] : undefined };
    },
    update: async () => {},
  };
}

function matches(selector: any, doc: MockTextDocument): boolean {
  const list = Array.isArray(selector) ? selector : [selector];
  return list.some((s) => (typeof s === 'string' ? s === doc.languageId : (!s.language || s.language === doc.languageId) && (!s.scheme || s.scheme === doc.uri.scheme)));
}

export function createVscode(state: MockState): any {
  const api: any = {
    version: '1.82.0',
    EventEmitter,
    Disposable,
    Uri,
    Position,
    Range,
    ViewColumn: { Active: -1, Beside: -2, One: 1 },
    MarkdownString,
    Hover,
    CancellationError,
    CancellationTokenSource,
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    TabInputText: class {},
    TabInputTextDiff: class {},
    TabInputCustom: class {},
    env: { appName: 'mock', language: 'en', machineId: 'mock', sessionId: 'mock', uiKind: 1, openExternal: async () => true },
    workspace: {
      get workspaceFolders() {
        return [state.workspaceFolder];
      },
      get textDocuments() {
        return state.textDocuments;
      },
      isTrusted: true,
      getConfiguration: (section?: string) => configuration(state, section),
      getWorkspaceFolder: () => state.workspaceFolder,
      onDidChangeConfiguration: state.onDidChangeConfiguration.event,
      onDidOpenTextDocument: state.onDidOpenTextDocument.event,
      onDidCloseTextDocument: noEvent,
      onDidChangeTextDocument: noEvent,
      onDidSaveTextDocument: noEvent,
      onWillSaveTextDocument: noEvent,
      onDidChangeWorkspaceFolders: noEvent,
      onDidGrantWorkspaceTrust: noEvent,
      createFileSystemWatcher: () => ({ onDidCreate: noEvent, onDidChange: noEvent, onDidDelete: noEvent, dispose() {} }),
      registerTextDocumentContentProvider: (scheme: string, provider: any) => {
        state.contentProviders.set(scheme, provider);
        return new Disposable(() => state.contentProviders.delete(scheme));
      },
      openTextDocument: async (uri: Uri) => {
        state.opened.push(uri);
        const provider = state.contentProviders.get(uri.scheme);
        const text = provider ? await provider.provideTextDocumentContent(uri) : '';
        return { uri, languageId: 'plaintext', version: 1, isClosed: false, getText: () => text };
      },
      applyEdit: async () => true,
    },
    window: {
      createOutputChannel: (name: string) => ({
        name,
        append: (s: string) => state.output.push(s),
        appendLine: (s: string) => state.output.push(s),
        replace: () => {},
        clear: () => {},
        show: () => {},
        hide: () => {},
        dispose: () => {},
      }),
      showErrorMessage: async (msg: string) => {
        state.errors.push(msg);
        return undefined;
      },
      showWarningMessage: async () => undefined,
      showInformationMessage: async () => undefined,
      showQuickPick: async () => undefined,
      showTextDocument: async (doc: any, options: any) => {
        state.shown.push({ uri: doc?.uri, options });
        return undefined;
      },
      createWebviewPanel: () => {
        const view: { html: string; receive?: (msg: unknown) => unknown } = { html: '' };
        state.webviews.push(view);
        const webview = {
          cspSource: 'vscode-resource:',
          get html() {
            return view.html;
          },
          set html(h: string) {
            view.html = h;
          },
          onDidReceiveMessage: (fn: (msg: unknown) => unknown) => {
            view.receive = fn;
            return new Disposable();
          },
          postMessage: async () => true,
        };
        return { webview, reveal: () => {}, onDidDispose: () => new Disposable(), dispose: () => {} };
      },
      withProgress: async (_o: any, task: any) => task({ report() {} }, new CancellationTokenSource().token),
      activeTextEditor: undefined,
      visibleTextEditors: [],
      onDidChangeActiveTextEditor: noEvent,
      onDidChangeVisibleTextEditors: noEvent,
      tabGroups: { all: [], onDidChangeTabs: noEvent, onDidChangeTabGroups: noEvent },
    },
    languages: new Proxy(
      {
        match: (selector: any, doc: MockTextDocument) => (matches(selector, doc) ? 10 : 0),
        createDiagnosticCollection: () => {
          const m = new Map<string, any>();
          return { set: (u: Uri, d: any) => m.set(String(u), d), get: (u: Uri) => m.get(String(u)), delete: (u: Uri) => m.delete(String(u)), clear: () => m.clear(), forEach: () => {}, has: (u: Uri) => m.has(String(u)), dispose: () => {} };
        },
        registerHoverProvider: (selector: any, provider: any) => {
          state.hoverProviders.push({ selector, provider });
          return new Disposable();
        },
      } as any,
      {
        get(target, prop) {
          if (prop in target) return target[prop as string];
          if (typeof prop === 'string' && prop.startsWith('register')) return () => new Disposable();
          return stub(state, `languages.${String(prop)}`);
        },
      },
    ),
    commands: {
      registerCommand: (id: string, fn: (...args: any[]) => any) => {
        state.commands.set(id, fn);
        return new Disposable(() => state.commands.delete(id));
      },
      executeCommand: async () => undefined,
    },
  };
  return new Proxy(api, {
    get(target, prop) {
      if (prop in target) return target[prop as string];
      if (prop === 'then' || typeof prop === 'symbol' || prop === '__esModule' || prop === 'default') return undefined;
      state.unknown.add(String(prop));
      return stub(state, String(prop));
    },
  });
}

/** Makes `require('vscode')` return `api` until the returned function is called. */
export function installVscode(api: any): () => void {
  const M = Module as any;
  const original = M._load;
  M._load = function (request: string, ...rest: any[]) {
    if (request === 'vscode') return api;
    return original.call(this, request, ...rest);
  };
  return () => {
    M._load = original;
  };
}
