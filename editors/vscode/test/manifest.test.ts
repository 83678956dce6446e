// package.json, the sources and the requirements agree.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CLIENT_KEYS, SECTION, SERVER_KEYS } from '../src/config';

// Compiled to out/test/, so the extension's root is two levels up.
const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const source = (f: string) => fs.readFileSync(path.join(ROOT, 'src', f), 'utf8');

describe('package.json', () => {
  it('activates for Python and Markdown', () => {
    assert.deepEqual([...pkg.activationEvents].sort(), ['onLanguage:markdown', 'onLanguage:python']);
  });

  it('contributes exactly the server settings plus server.path and trace.server', () => {
    const props = Object.keys(pkg.contributes.configuration.properties).sort();
    const want = [...SERVER_KEYS, ...CLIENT_KEYS].map((k) => `${SECTION}.${k}`).sort();
    assert.deepEqual(props, want);
  });

  it('declares the commands the extension registers, and no others', () => {
    const declared = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
    const registered = [...source('extension.ts').matchAll(/registerCommand\(\s*'([^']+)'/g)].map((m) => m[1]).sort();
    assert.deepEqual(declared, registered);
    assert.deepEqual(declared, ['pattern-language.contextMapView', 'pattern-language.restartServer', 'pattern-language.showLog', 'pattern-language.showPattern']);
  });

  it('pins @types/vscode to the engine it declares, and vsce to 3.x', () => {
    const engine = pkg.engines.vscode.replace(/^[\^~]/, '');
    const types = pkg.devDependencies['@types/vscode'].replace(/^[\^~]/, '');
    assert.equal(pkg.devDependencies['@types/vscode'].startsWith('~'), true, '@types/vscode uses ~ (no newer API than the engine)');
    assert.equal(types.split('.').slice(0, 2).join('.'), engine.split('.').slice(0, 2).join('.'));
    assert.match(pkg.devDependencies['@vscode/vsce'], /^\^3\./);
  });

  it('uses a vscode-languageclient whose engine fits ours', () => {
    const lcPkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'vscode-languageclient', 'package.json'), 'utf8'));
    const need = lcPkg.engines.vscode.replace(/^[\^~]/, '').split('.').map(Number);
    const have = pkg.engines.vscode.replace(/^[\^~]/, '').split('.').map(Number);
    assert.ok(have[0] > need[0] || (have[0] === need[0] && have[1] >= need[1]), `languageclient needs ${lcPkg.engines.vscode}, we declare ${pkg.engines.vscode}`);
  });

  it('keeps the server binary in the package (.vscodeignore)', () => {
    const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8');
    assert.match(ignore, /^!server\/pattern-language$/m);
    assert.match(ignore, /^!server\/pattern-language\.exe$/m);
    assert.match(ignore, /^!dist\/extension\.js$/m);
  });

  it('ships vscode-languageclient\'s terminateProcess.sh next to the bundle', () => {
    const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8');
    assert.match(ignore, /^!dist\/terminateProcess\.sh$/m);
    const killer = path.join(ROOT, 'dist', 'terminateProcess.sh');
    assert.ok(fs.existsSync(killer), 'dist/terminateProcess.sh is there after `node esbuild.mjs`');
    if (process.platform !== 'win32') fs.accessSync(killer, fs.constants.X_OK);
  });
});

describe('sources', () => {
  it('keep the logic out of reach of `vscode` (only extension.ts imports it)', () => {
    for (const f of fs.readdirSync(path.join(ROOT, 'src'))) {
      if (f === 'extension.ts') continue;
      assert.doesNotMatch(source(f), /from\s+'vscode'|require\('vscode'\)|from\s+'vscode-languageclient/, `${f} imports vscode`);
    }
  });
});
