// The catalog as the CLI reports it (`pattern-language catalog list --format json`), and running
// the CLI. No `vscode` import: unit-tested with node's test runner.

import { execFile } from 'node:child_process';

export interface PatternEntry {
  id: string;
  title: string;
  category: string;
  aliases: string[];
  related: string[];
  /** A path, or `embedded` for the catalog built into the binary. */
  source: string;
}

export interface PickItem {
  label: string;
  description: string;
  detail: string;
  id: string;
}

/** Parses `catalog list --format json`. Throws with a readable message on anything else. */
export function parseCatalogList(text: string): PatternEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`\`catalog list --format json\` did not print JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(data)) throw new Error('`catalog list --format json` did not print a JSON array');
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const out: PatternEntry[] = [];
  for (const item of data) {
    if (typeof item !== 'object' || item === null) continue;
    const o = item as Record<string, unknown>;
    if (typeof o.id !== 'string' || o.id.length === 0) continue;
    out.push({
      id: o.id,
      title: typeof o.title === 'string' && o.title.length > 0 ? o.title : o.id,
      category: typeof o.category === 'string' ? o.category : '',
      aliases: strings(o.aliases),
      related: strings(o.related),
      source: typeof o.source === 'string' ? o.source : 'embedded',
    });
  }
  return out;
}

/** Quick pick entries: title as label, id beside it, category and aliases below. */
export function toPickItems(entries: PatternEntry[]): PickItem[] {
  return entries.map((e) => {
    const detail = [e.category, e.aliases.length > 0 ? `also: ${e.aliases.join(', ')}` : '']
      .filter((s) => s.length > 0)
      .join(' · ');
    return { label: e.title, description: e.id, detail, id: e.id };
  });
}

/** The virtual document that shows one pattern: `pattern-language:/<id>.txt`. */
export const SCHEME = 'pattern-language';
export function patternDocumentPath(id: string): string {
  return `/${encodeURIComponent(id)}.txt`;
}
export function patternIdFromDocumentPath(p: string): string {
  return decodeURIComponent(p.replace(/^\//, '').replace(/\.txt$/, ''));
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the binary with `args`; never rejects (a spawn failure comes back as stderr). */
export function runCli(bin: string, args: string[], cwd: string | undefined, timeoutMs = 15000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      bin,
      args,
      { cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', COLUMNS: '100' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        const err = error && typeof error.code !== 'number' ? `${stderr}${error.message}` : stderr;
        resolve({ code, stdout: String(stdout), stderr: String(err) });
      },
    );
    // Nothing to read: a command that waits for input gets end-of-file, not a hang.
    child.stdin?.end();
  });
}

/** `catalog list --format json` with the user's extra catalogs. */
export async function listPatterns(bin: string, catalogArgs: string[], cwd?: string): Promise<PatternEntry[]> {
  const r = await runCli(bin, ['catalog', 'list', '--format', 'json', ...catalogArgs], cwd);
  if (r.code !== 0) throw new Error(`\`${bin} catalog list\` failed (exit ${r.code}): ${r.stderr.trim()}`);
  return parseCatalogList(r.stdout);
}

/** `explain ID` with the user's extra catalogs: the page as plain text. */
export async function explainPattern(bin: string, id: string, catalogArgs: string[], cwd?: string): Promise<string> {
  const r = await runCli(bin, ['explain', id, ...catalogArgs], cwd);
  if (r.code !== 0) throw new Error(`\`${bin} explain ${id}\` failed (exit ${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}
