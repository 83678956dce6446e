import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  bundledPath,
  type DiscoveryHost,
  ENV_VAR,
  executableNames,
  findServer,
  isExecutableFile,
} from '../src/discovery';

/** A fake machine: `files` are the executables that exist. */
function host(files: string[], over: Partial<DiscoveryHost> = {}): DiscoveryHost {
  const set = new Set(files);
  return {
    platform: 'linux',
    env: { PATH: '/usr/local/bin:/usr/bin' },
    extensionPath: '/ext',
    workspaceFolder: '/work/proj',
    homeDir: '/home/me',
    isExecutable: (p) => set.has(p),
    ...over,
  };
}

const ALL = ['/opt/setting/pattern-language', '/opt/env/pattern-language', '/ext/server/pattern-language', '/usr/bin/pattern-language'];

describe('findServer: the order', () => {
  it('takes the setting first', () => {
    const r = findServer('/opt/setting/pattern-language', host(ALL, { env: { PATH: '/usr/bin', [ENV_VAR]: '/opt/env/pattern-language' } }));
    assert.deepEqual(r.ok && [r.path, r.source], ['/opt/setting/pattern-language', 'setting']);
  });

  it('then the environment variable', () => {
    const r = findServer('', host(ALL, { env: { PATH: '/usr/bin', [ENV_VAR]: '/opt/env/pattern-language' } }));
    assert.deepEqual(r.ok && [r.path, r.source], ['/opt/env/pattern-language', 'env']);
  });

  it('then the bundled binary', () => {
    const r = findServer(undefined, host(ALL, { env: { PATH: '/usr/bin' } }));
    assert.deepEqual(r.ok && [r.path, r.source], ['/ext/server/pattern-language', 'bundled']);
  });

  it('then PATH, in PATH order', () => {
    const r = findServer(undefined, host(['/usr/bin/pattern-language', '/b/pattern-language'], { env: { PATH: '/a:/b:/usr/bin' } }));
    assert.deepEqual(r.ok && [r.path, r.source], ['/b/pattern-language', 'path']);
  });

  it('treats a blank setting as unset', () => {
    const r = findServer('   ', host(['/usr/bin/pattern-language']));
    assert.equal(r.ok && r.source, 'path');
  });

  it('reports how to install when nothing is found, and lists where it looked', () => {
    const r = findServer(undefined, host([]));
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.match(r.message, /cargo install --path server/);
    assert.deepEqual(r.tried, ['/ext/server/pattern-language', '/usr/local/bin/pattern-language', '/usr/bin/pattern-language']);
  });
});

describe('findServer: explicit settings', () => {
  it('does not fall through when the setting names a missing file', () => {
    const r = findServer('/nope/pattern-language', host(ALL));
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.match(r.message, /pattern-language\.server\.path is set to "\/nope\/pattern-language"/);
    assert.match(r.message, /cargo install --path server/);
  });

  it('does not fall through when the variable names a missing file', () => {
    const r = findServer(undefined, host(ALL, { env: { PATH: '/usr/bin', [ENV_VAR]: '/nope/pl' } }));
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.message, /PATTERN_LANGUAGE_SERVER is set to "\/nope\/pl"/);
  });

  it('expands ~ and ${workspaceFolder}, and resolves relative paths against the workspace', () => {
    const files = ['/home/me/bin/pattern-language', '/work/proj/target/debug/pattern-language'];
    const h = host(files);
    assert.equal(findServer('~/bin/pattern-language', h).ok && (findServer('~/bin/pattern-language', h) as { path: string }).path, '/home/me/bin/pattern-language');
    const a = findServer('${workspaceFolder}/target/debug/pattern-language', h);
    assert.equal(a.ok && a.path, '/work/proj/target/debug/pattern-language');
    const b = findServer('target/debug/pattern-language', h);
    assert.equal(b.ok && b.path, '/work/proj/target/debug/pattern-language');
  });

  it('looks a bare command name up on PATH', () => {
    const r = findServer('pl-dev', host(['/usr/bin/pl-dev']));
    assert.deepEqual(r.ok && [r.path, r.source], ['/usr/bin/pl-dev', 'setting']);
  });
});

describe('findServer: Windows', () => {
  const win = (files: string[], env: Record<string, string>) =>
    host(files, { platform: 'win32', env, extensionPath: 'C:\\ext', workspaceFolder: 'C:\\proj', homeDir: 'C:\\Users\\me' });

  it('bundles server\\pattern-language.exe', () => {
    assert.equal(bundledPath('C:\\ext', 'win32'), 'C:\\ext\\server\\pattern-language.exe');
    const r = findServer(undefined, win(['C:\\ext\\server\\pattern-language.exe'], { Path: 'C:\\bin' }));
    assert.deepEqual(r.ok && [r.path, r.source], ['C:\\ext\\server\\pattern-language.exe', 'bundled']);
  });

  it('reads Path case-insensitively and tries PATHEXT', () => {
    const r = findServer(undefined, win(['C:\\tools\\pattern-language.exe'], { Path: 'C:\\bin;C:\\tools', PATHEXT: '.COM;.EXE' }));
    assert.deepEqual(r.ok && [r.path, r.source], ['C:\\tools\\pattern-language.exe', 'path']);
    assert.deepEqual(executableNames('pattern-language', { platform: 'win32', env: { PATHEXT: '.EXE;.CMD' } }), [
      'pattern-language.exe',
      'pattern-language.cmd',
      'pattern-language',
    ]);
  });

  it('adds .exe to a setting without an extension', () => {
    const r = findServer('C:\\tools\\pattern-language', win(['C:\\tools\\pattern-language.exe'], { Path: '' }));
    assert.equal(r.ok && r.path, 'C:\\tools\\pattern-language.exe');
  });
});

describe('isExecutableFile', () => {
  it('wants an executable regular file', { skip: process.platform === 'win32' }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-disc-'));
    const exe = path.join(dir, 'pattern-language');
    const plain = path.join(dir, 'plain');
    fs.writeFileSync(exe, '#!/bin/sh\n');
    fs.chmodSync(exe, 0o755);
    fs.writeFileSync(plain, '');
    fs.chmodSync(plain, 0o644);
    assert.equal(isExecutableFile(exe), true);
    assert.equal(isExecutableFile(plain), false);
    assert.equal(isExecutableFile(dir), false);
    assert.equal(isExecutableFile(path.join(dir, 'missing')), false);
    fs.rmSync(dir, { recursive: true });
  });
});
