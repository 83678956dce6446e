// Finding the `pattern-language` binary.
//
// Order: the `pattern-language.server.path` setting, the `PATTERN_LANGUAGE_SERVER` environment
// variable, the binary bundled in the extension (`server/pattern-language[.exe]`), then `PATH`.
// A setting or variable that is set but names no executable is an error of its own: silently
// falling through to another binary would hide the mistake.
//
// This module must not import `vscode`: everything it reads from the system comes in through
// `DiscoveryHost`, so that the tests can describe any machine.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { expandPath } from './config';

export const BINARY_NAME = 'pattern-language';
export const ENV_VAR = 'PATTERN_LANGUAGE_SERVER';
export const SETTING = 'pattern-language.server.path';
export const INSTALL_HINT =
  'Install it with `cargo install --path server` from a checkout of the pattern-language repository, ' +
  `then make sure it is on PATH, or set \`${SETTING}\` to the binary.`;

export type Source = 'setting' | 'env' | 'bundled' | 'path';

export interface DiscoveryHost {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** The extension's install folder (holds `server/` when a binary is bundled). */
  extensionPath: string;
  /** The first workspace folder, for relative paths and `${workspaceFolder}`. */
  workspaceFolder?: string;
  homeDir: string;
  /** True when `p` is an existing file that can be executed. */
  isExecutable(p: string): boolean;
}

export type Discovery =
  | { ok: true; path: string; source: Source; tried: string[] }
  | { ok: false; message: string; tried: string[] };

function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** Environment lookup that is case-insensitive on Windows (`Path` vs `PATH`). */
export function getEnv(env: Record<string, string | undefined>, name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

/** The file names a command may have: `x` on Unix; `x`, `x.exe`, ... (PATHEXT) on Windows. */
export function executableNames(name: string, host: Pick<DiscoveryHost, 'platform' | 'env'>): string[] {
  if (host.platform !== 'win32') return [name];
  if (path.win32.extname(name) !== '') return [name];
  const pathext = getEnv(host.env, 'PATHEXT', 'win32') ?? '.COM;.EXE;.BAT;.CMD';
  const exts = pathext.split(';').filter((e) => e.length > 0).map((e) => e.toLowerCase());
  return [...exts.map((e) => name + e), name];
}

/** The bundled binary's path inside the extension. */
export function bundledPath(extensionPath: string, platform: NodeJS.Platform): string {
  const p = pathApi(platform);
  return p.join(extensionPath, 'server', platform === 'win32' ? `${BINARY_NAME}.exe` : BINARY_NAME);
}

/** Searches `PATH` for `name`, recording every candidate in `tried`. */
export function searchPath(name: string, host: DiscoveryHost, tried: string[]): string | undefined {
  const p = pathApi(host.platform);
  const delimiter = host.platform === 'win32' ? ';' : ':';
  const dirs = (getEnv(host.env, 'PATH', host.platform) ?? '').split(delimiter).filter((d) => d.length > 0);
  for (const dir of dirs) {
    for (const file of executableNames(name, host)) {
      const candidate = p.join(dir.replace(/^"(.*)"$/, '$1'), file);
      tried.push(candidate);
      if (host.isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Resolves an explicit setting or variable: a path (absolute, relative, `~`) or a bare command name. */
function resolveExplicit(value: string, host: DiscoveryHost, tried: string[]): string | undefined {
  const p = pathApi(host.platform);
  const expanded = expandPath(value, { workspaceFolder: host.workspaceFolder, homeDir: host.homeDir, platform: host.platform });
  const looksLikePath = expanded.includes('/') || (host.platform === 'win32' && expanded.includes('\\'));
  if (!looksLikePath) return searchPath(expanded, host, tried);
  const base = host.workspaceFolder ?? process.cwd();
  const full = p.isAbsolute(expanded) ? expanded : p.resolve(base, expanded);
  const candidates = host.platform === 'win32' && p.extname(full) === '' ? [full, `${full}.exe`] : [full];
  for (const c of candidates) {
    tried.push(c);
    if (host.isExecutable(c)) return c;
  }
  return undefined;
}

export function findServer(settingValue: string | undefined, host: DiscoveryHost): Discovery {
  const tried: string[] = [];

  const setting = settingValue?.trim();
  if (setting) {
    const found = resolveExplicit(setting, host, tried);
    if (found) return { ok: true, path: found, source: 'setting', tried };
    return {
      ok: false,
      tried,
      message: `${SETTING} is set to "${setting}", but no executable pattern-language binary is there. ${INSTALL_HINT}`,
    };
  }

  const fromEnv = getEnv(host.env, ENV_VAR, host.platform)?.trim();
  if (fromEnv) {
    const found = resolveExplicit(fromEnv, host, tried);
    if (found) return { ok: true, path: found, source: 'env', tried };
    return {
      ok: false,
      tried,
      message: `${ENV_VAR} is set to "${fromEnv}", but no executable pattern-language binary is there. ${INSTALL_HINT}`,
    };
  }

  const bundled = bundledPath(host.extensionPath, host.platform);
  tried.push(bundled);
  if (host.isExecutable(bundled)) return { ok: true, path: bundled, source: 'bundled', tried };

  const onPath = searchPath(BINARY_NAME, host, tried);
  if (onPath) return { ok: true, path: onPath, source: 'path', tried };

  return {
    ok: false,
    tried,
    message: `The pattern-language server was not found (no bundled binary, nothing on PATH). ${INSTALL_HINT}`,
  };
}

/** `isExecutable` for the real file system. */
export function isExecutableFile(p: string, platform: NodeJS.Platform = process.platform): boolean {
  try {
    if (!fs.statSync(p).isFile()) return false;
    if (platform === 'win32') return true;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A `DiscoveryHost` for this process. */
export function systemHost(extensionPath: string, workspaceFolder: string | undefined, homeDir: string): DiscoveryHost {
  return {
    platform: process.platform,
    env: process.env,
    extensionPath,
    workspaceFolder,
    homeDir,
    isExecutable: (p) => isExecutableFile(p),
  };
}
