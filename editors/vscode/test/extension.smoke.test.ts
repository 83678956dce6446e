// The bundled extension (dist/extension.js) in a stand-in VS Code (vscode-mock.ts), against the
// real server: activation, discovery, initializationOptions, didChangeConfiguration, a hover
// through vscode-languageclient, the commands. Runs when PATTERN_LANGUAGE_BIN is set.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createVscode, installVscode, MockState, Position, Uri, type MockTextDocument } from './vscode-mock';

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist', 'extension.js');
const FIXTURE = path.resolve(ROOT, '..', '..', 'tests', 'editors', 'fixtures', 'bookshop');
const BIN = process.env.PATTERN_LANGUAGE_BIN;

/** Client-to-server messages recorded by the wrapper script. */
function messages(log: string): any[] {
  const out: any[] = [];
  const buf = fs.existsSync(log) ? fs.readFileSync(log) : Buffer.alloc(0);
  let at = 0;
  while (at < buf.length) {
    const headerEnd = buf.indexOf('\r\n\r\n', at);
    if (headerEnd < 0) break;
    const m = /Content-Length:\s*(\d+)/i.exec(buf.subarray(at, headerEnd).toString('ascii'));
    if (!m) break;
    const start = headerEnd + 4;
    const end = start + Number(m[1]);
    if (end > buf.length) break;
    out.push(JSON.parse(buf.subarray(start, end).toString('utf8')));
    at = end;
  }
  return out;
}

async function until<T>(what: string, fn: () => T | undefined | false, ms = 15000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function loadExtension(state: MockState): { ext: any; uninstall: () => void } {
  const uninstall = installVscode(createVscode(state));
  delete require.cache[DIST];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ext = require(DIST);
  return { ext, uninstall };
}

describe('the bundled extension in a stand-in VS Code', { skip: BIN ? false : 'PATTERN_LANGUAGE_BIN is not set', timeout: 60000 }, () => {
  let tmp: string;
  let folder: string;
  let log: string;
  let wrapper: string;
  const savedEnv = { ...process.env };

  before(() => {
    assert.ok(fs.existsSync(DIST), `${DIST} is missing: run \`npm run bundle\``);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-smoke-'));
    folder = path.join(tmp, 'bookshop');
    fs.cpSync(FIXTURE, folder, { recursive: true });
    log = path.join(tmp, 'client-to-server.log');
    wrapper = path.join(tmp, 'pattern-language-wrapper');
    // Records what the client sends to `server`; other commands (catalog list, explain) run as is.
    // A Node script rather than `tee | server` in sh: it exits as soon as the server does, so no
    // process is left holding the client's pipes (which would keep the test runner alive).
    fs.writeFileSync(
      wrapper,
      [
        `#!${process.execPath}`,
        `const cp = require('child_process'), fs = require('fs');`,
        `const bin = ${JSON.stringify(BIN)}, log = ${JSON.stringify(log)}, args = process.argv.slice(2);`,
        `if (args[0] !== 'server') process.exit(cp.spawnSync(bin, args, { stdio: 'inherit' }).status ?? 1);`,
        `const child = cp.spawn(bin, args, { stdio: ['pipe', 'inherit', 'inherit'] });`,
        `process.stdin.on('data', (d) => { fs.appendFileSync(log, d); child.stdin.write(d); });`,
        `process.stdin.on('end', () => child.stdin.end());`,
        `child.stdin.on('error', () => {});`,
        `child.on('exit', (code) => process.exit(code ?? 1));`,
        '',
      ].join('\n'),
    );
    fs.chmodSync(wrapper, 0o755);
  });

  after(() => {
    process.env = savedEnv;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('starts the server found through PATTERN_LANGUAGE_SERVER and drives it', { skip: process.platform === 'win32', timeout: 60000 }, async () => {
    process.env.PATTERN_LANGUAGE_SERVER = wrapper;
    const state = new MockState(folder);
    state.settings = {
      select: ['uuid4-primary-key', 'anticorruption-layer'],
      severity: { 'cross-context-import': 'error' },
      inlayHints: false,
      'server.path': '',
      'trace.server': 'off',
    };
    const { ext, uninstall } = loadExtension(state);
    try {
      await ext.activate({ extensionPath: path.join(tmp, 'ext'), subscriptions: [] });
      assert.deepEqual(state.errors, []);
      assert.ok(state.output.some((l) => l.includes(`using ${wrapper} (from env)`)), state.output.join('\n'));
      // Ours, and the server's executeCommand command (registered by vscode-languageclient).
      assert.deepEqual([...state.commands.keys()].sort(), [
        'pattern-language.contextMapView',
        'pattern-language.restartServer',
        'pattern-language.showContextMap',
        'pattern-language.showLog',
        'pattern-language.showPattern',
      ]);

      // initialize carries the mapped settings, and only them.
      const init = await until('initialize', () => messages(log).find((m) => m.method === 'initialize'));
      const expected = { select: ['uuid4-primary-key', 'anticorruption-layer'], severity: { 'cross-context-import': 'error' }, inlayHints: false };
      assert.deepEqual(init.params.initializationOptions, expected);
      await until('initialized', () => messages(log).find((m) => m.method === 'initialized'));

      // The same options under "pattern-language" in didChangeConfiguration, then a change.
      const first = await until('didChangeConfiguration', () => messages(log).find((m) => m.method === 'workspace/didChangeConfiguration'));
      assert.deepEqual(first.params.settings, { 'pattern-language': expected });
      state.set('ignore', ['orm-in-domain']);
      const changed = await until('didChangeConfiguration with ignore', () =>
        messages(log).find((m) => m.method === 'workspace/didChangeConfiguration' && m.params.settings?.['pattern-language']?.ignore),
      );
      assert.deepEqual(changed.params.settings['pattern-language'], { ...expected, ignore: ['orm-in-domain'] });

      // A Markdown document opens; hover goes through vscode-languageclient's provider.
      const file = path.join(folder, 'docs', 'adr-0001-customer-data.md');
      const text = fs.readFileSync(file, 'utf8');
      const doc: MockTextDocument = { uri: Uri.file(file), languageId: 'markdown', version: 1, isClosed: false, getText: () => text };
      state.textDocuments.push(doc);
      state.onDidOpenTextDocument.fire(doc);
      await until('didOpen', () => messages(log).find((m) => m.method === 'textDocument/didOpen'));
      assert.equal(state.hoverProviders.length, 1, 'the client registered one hover provider');
      const lines = text.split('\n');
      const line = lines.findIndex((l) => l.includes('anticorruption layer'));
      const character = lines[line].indexOf('anticorruption layer') + 2;
      const hover = await state.hoverProviders[0].provider.provideHover(doc, new Position(line, character), {
        isCancellationRequested: false,
        onCancellationRequested: () => ({ dispose() {} }),
      });
      const value = hover?.contents?.map((c: any) => c.value ?? c).join('\n') ?? '';
      assert.match(value, /^### Anticorruption layer/);

      // Show pattern with an id opens the read-only pattern page.
      await state.commands.get('pattern-language.showPattern')!('anticorruption-layer');
      const uri = state.opened.at(-1)!;
      assert.equal(uri.scheme, 'pattern-language');
      const page = await state.contentProviders.get('pattern-language')!.provideTextDocumentContent(uri);
      assert.match(page, /Anticorruption layer/);

      // Show context map: the server's SVG in a webview; an evidence link opens the file.
      await state.commands.get('pattern-language.contextMapView')!();
      assert.deepEqual(state.errors, []);
      const view = state.webviews.at(-1)!;
      assert.match(view.html, /<svg[^>]*>/);
      assert.match(view.html, /data-context="/);
      const target = path.join(folder, 'orders', 'models.py');
      await view.receive!({ type: 'open', path: target, line: 3 });
      const shown = state.shown.at(-1)!;
      assert.equal(shown.uri.fsPath, target);
      assert.equal(shown.options.selection.start.line, 2);

      // Restart: a second initialize.
      await state.commands.get('pattern-language.restartServer')!();
      await until('a second initialize', () => messages(log).filter((m) => m.method === 'initialize').length === 2);

    } finally {
      // Always stop the server, or its process keeps the test runner alive.
      await Promise.race([ext.deactivate(), new Promise((r) => setTimeout(r, 10000).unref())]);
      uninstall();
    }
  });

  it('says how to install the server when there is none', { timeout: 30000 }, async () => {
    delete process.env.PATTERN_LANGUAGE_SERVER;
    process.env.PATH = path.join(tmp, 'empty-path');
    const state = new MockState(folder);
    const { ext, uninstall } = loadExtension(state);
    try {
      await ext.activate({ extensionPath: path.join(tmp, 'ext'), subscriptions: [] });
      assert.equal(state.errors.length, 1);
      assert.match(state.errors[0], /cargo install --path server/);
      assert.ok(state.output.some((l) => l.includes('looked for:')));
      await ext.deactivate();
    } finally {
      uninstall();
      process.env.PATH = savedEnv.PATH;
    }
  });
});
