import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  catalogArgs,
  didChangeConfigurationSettings,
  expandPath,
  explicitValue,
  type Inspected,
  SERVER_KEYS,
  type SettingsSource,
  toServerOptions,
} from '../src/config';

/** Settings as `inspect` reports them: `user` values are global, `ws` workspace, `folder` folder. */
function settings(layers: { user?: Record<string, unknown>; ws?: Record<string, unknown>; folder?: Record<string, unknown> }): SettingsSource {
  return {
    inspect(key: string): Inspected | undefined {
      return {
        defaultValue: undefined,
        globalValue: layers.user?.[key],
        workspaceValue: layers.ws?.[key],
        workspaceFolderValue: layers.folder?.[key],
      };
    },
  };
}

const ctx = { workspaceFolder: '/work/proj', homeDir: '/home/me', platform: 'linux' as const };

describe('toServerOptions', () => {
  it('sends nothing when nothing is set, so pyproject.toml and server defaults apply', () => {
    assert.deepEqual(toServerOptions(settings({}), ctx), { options: {}, warnings: [] });
  });

  it('maps every server key', () => {
    const user = {
      catalog: ['docs/patterns', '~/catalog', '${workspaceFolder}/guide.md'],
      exclude: ['**/migrations/**'],
      select: ['uuid4-primary-key', 'anticorruption-layer'],
      ignore: ['cross-context-import'],
      severity: { 'cross-context-import': 'error', 'uuid4-primary-key': 'hint' },
      contexts: { billing: ['billing', 'invoicing'], shop: ['orders'] },
      inlayHints: false,
      codeLens: true,
    };
    const { options, warnings } = toServerOptions(settings({ user }), ctx);
    assert.deepEqual(warnings, []);
    assert.deepEqual(options, {
      catalog: ['docs/patterns', '/home/me/catalog', '/work/proj/guide.md'],
      exclude: ['**/migrations/**'],
      select: ['uuid4-primary-key', 'anticorruption-layer'],
      ignore: ['cross-context-import'],
      severity: { 'cross-context-import': 'error', 'uuid4-primary-key': 'hint' },
      contexts: { billing: ['billing', 'invoicing'], shop: ['orders'] },
      inlayHints: false,
      codeLens: true,
    });
  });

  it('never sends the client-only settings', () => {
    const { options } = toServerOptions(settings({ user: { 'server.path': '/x', 'trace.server': 'verbose' } }), ctx);
    assert.deepEqual(options, {});
  });

  it('takes folder over workspace over user values', () => {
    const s = settings({ user: { select: ['a'], ignore: ['u'] }, ws: { select: ['b'], inlayHints: true }, folder: { select: ['c'] } });
    assert.deepEqual(toServerOptions(s, ctx).options, { select: ['c'], ignore: ['u'], inlayHints: true });
  });

  it('keeps an explicit empty list (it overrides pyproject.toml)', () => {
    assert.deepEqual(toServerOptions(settings({ ws: { ignore: [] } }), ctx).options, { ignore: [] });
  });

  it('drops values of the wrong type with a warning', () => {
    const s = settings({ user: { catalog: 'docs', inlayHints: 'yes', severity: { a: 'loud', b: 'Warning' }, contexts: { x: 'app' } } });
    const { options, warnings } = toServerOptions(s, ctx);
    assert.deepEqual(options, { severity: { b: 'warning' }, contexts: {} });
    assert.equal(warnings.length, 4);
    assert.match(warnings.join('\n'), /pattern-language\.catalog should be an array of paths/);
    assert.match(warnings.join('\n'), /pattern-language\.severity\.a should be one of hint, info, warning, error/);
  });

  it('covers the keys the issue names, and no others', () => {
    assert.deepEqual([...SERVER_KEYS].sort(), ['catalog', 'codeLens', 'contexts', 'exclude', 'ignore', 'inlayHints', 'select', 'severity']);
  });
});

describe('helpers', () => {
  it('explicitValue ignores the default', () => {
    assert.equal(explicitValue({ defaultValue: true }), undefined);
    assert.equal(explicitValue({ defaultValue: true, globalValue: false }), false);
    assert.equal(explicitValue(undefined), undefined);
  });

  it('expandPath', () => {
    assert.equal(expandPath('~', ctx), '/home/me');
    assert.equal(expandPath('~/x', ctx), '/home/me/x');
    assert.equal(expandPath('${userHome}/x', ctx), '/home/me/x');
    assert.equal(expandPath(' rel/x ', ctx), 'rel/x');
    assert.equal(expandPath('~\\x', { homeDir: 'C:\\Users\\me', platform: 'win32' }), 'C:\\Users\\me\\x');
  });

  it('didChangeConfiguration settings sit under the pattern-language section', () => {
    assert.deepEqual(didChangeConfigurationSettings({ select: ['a'] }), { 'pattern-language': { select: ['a'] } });
  });

  it('catalogArgs', () => {
    assert.deepEqual(catalogArgs({ catalog: ['a', 'b c'] }), ['--catalog', 'a', '--catalog', 'b c']);
    assert.deepEqual(catalogArgs({}), []);
  });
});
