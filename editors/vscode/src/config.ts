// Settings -> server options.
//
// This module must not import `vscode`: it is unit-tested with node's test runner. It reads
// settings through `SettingsSource`, which has the shape of `vscode.WorkspaceConfiguration.inspect`.

import * as os from 'node:os';
import * as path from 'node:path';

/** The configuration section, both in VS Code settings and in what the server receives. */
export const SECTION = 'pattern-language';

export type Severity = 'hint' | 'info' | 'warning' | 'error';
export const SEVERITIES: readonly Severity[] = ['hint', 'info', 'warning', 'error'];

/** What the server understands (initializationOptions, and didChangeConfiguration settings under `SECTION`). */
export interface ServerOptions {
  catalog?: string[];
  exclude?: string[];
  select?: string[];
  ignore?: string[];
  severity?: Record<string, Severity>;
  contexts?: Record<string, string[]>;
  inlayHints?: boolean;
  codeLens?: boolean;
}

/** The settings forwarded to the server, by key under `pattern-language.`. */
export const SERVER_KEYS = [
  'catalog',
  'exclude',
  'select',
  'ignore',
  'severity',
  'contexts',
  'inlayHints',
  'codeLens',
] as const satisfies readonly (keyof ServerOptions)[];

/** Settings that only the extension reads; they are never sent to the server. */
export const CLIENT_KEYS = ['server.path', 'trace.server'] as const;

/** The shape of `vscode.WorkspaceConfiguration.inspect()` that we use. */
export interface Inspected<T = unknown> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

export interface SettingsSource {
  /** `key` is relative to the `pattern-language` section, e.g. `catalog` or `server.path`. */
  inspect(key: string): Inspected | undefined;
}

export interface ExpandContext {
  /** The workspace folder the settings belong to, for `${workspaceFolder}`. */
  workspaceFolder?: string;
  homeDir?: string;
  /** Which path rules apply; defaults to this machine's. */
  platform?: NodeJS.Platform;
}

export interface MappedOptions {
  options: ServerOptions;
  /** One line per setting that was set but ignored because of its type. */
  warnings: string[];
}

/**
 * The value the user set explicitly (folder over workspace over user settings), or undefined when
 * the setting is left at its default. Defaults are not sent, so that the server's own defaults and
 * `[tool.pattern-language]` in pyproject.toml apply to whatever the user did not set in the editor.
 */
export function explicitValue<T>(inspected: Inspected<T> | undefined): T | undefined {
  if (!inspected) return undefined;
  if (inspected.workspaceFolderValue !== undefined) return inspected.workspaceFolderValue;
  if (inspected.workspaceValue !== undefined) return inspected.workspaceValue;
  return inspected.globalValue;
}

/** Expands a leading `~` and `${workspaceFolder}` / `${userHome}` in a path setting. */
export function expandPath(p: string, ctx: ExpandContext = {}): string {
  const home = ctx.homeDir ?? os.homedir();
  let out = p.trim();
  if (ctx.workspaceFolder !== undefined) {
    out = out.split('${workspaceFolder}').join(ctx.workspaceFolder);
  }
  out = out.split('${userHome}').join(home);
  if (out === '~') return home;
  const api = (ctx.platform ?? process.platform) === 'win32' ? path.win32 : path.posix;
  if (out.startsWith('~/') || out.startsWith('~\\')) return api.join(home, out.slice(2));
  return out;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Maps the `pattern-language.*` settings to the options the server receives. */
export function toServerOptions(settings: SettingsSource, ctx: ExpandContext = {}): MappedOptions {
  const options: ServerOptions = {};
  const warnings: string[] = [];
  const bad = (key: string, want: string, value: unknown) =>
    warnings.push(`${SECTION}.${key} should be ${want}; got ${JSON.stringify(value)}. It is not sent to the server.`);

  for (const key of SERVER_KEYS) {
    const value = explicitValue(settings.inspect(key));
    if (value === undefined || value === null) continue;
    switch (key) {
      case 'catalog':
        if (isStringArray(value)) {
          options.catalog = value.map((p) => expandPath(p, ctx)).filter((p) => p.length > 0);
        } else bad(key, 'an array of paths', value);
        break;
      case 'exclude':
      case 'select':
      case 'ignore':
        if (isStringArray(value)) options[key] = value.map((s) => s.trim()).filter((s) => s.length > 0);
        else bad(key, 'an array of strings', value);
        break;
      case 'severity':
        if (isPlainObject(value)) {
          const out: Record<string, Severity> = {};
          for (const [rule, sev] of Object.entries(value)) {
            const s = typeof sev === 'string' ? sev.toLowerCase() : sev;
            if (typeof s === 'string' && (SEVERITIES as readonly string[]).includes(s)) out[rule] = s as Severity;
            else bad(`${key}.${rule}`, `one of ${SEVERITIES.join(', ')}`, sev);
          }
          options.severity = out;
        } else bad(key, 'an object mapping rule ids to severities', value);
        break;
      case 'contexts':
        if (isPlainObject(value)) {
          const out: Record<string, string[]> = {};
          for (const [context, apps] of Object.entries(value)) {
            if (isStringArray(apps)) out[context] = apps;
            else bad(`${key}.${context}`, 'an array of app labels or dotted package paths', apps);
          }
          options.contexts = out;
        } else bad(key, 'an object mapping context names to app labels', value);
        break;
      case 'inlayHints':
      case 'codeLens':
        if (typeof value === 'boolean') options[key] = value;
        else bad(key, 'true or false', value);
        break;
    }
  }
  return { options, warnings };
}

/** The `settings` of a `workspace/didChangeConfiguration` notification. */
export function didChangeConfigurationSettings(options: ServerOptions): Record<string, ServerOptions> {
  return { [SECTION]: options };
}

/** `--catalog` arguments for the CLI commands (`catalog list`, `explain`), from the mapped options. */
export function catalogArgs(options: ServerOptions): string[] {
  return (options.catalog ?? []).flatMap((p) => ['--catalog', p]);
}
