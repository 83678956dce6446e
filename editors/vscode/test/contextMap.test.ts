// The context map webview's pure parts: the server's answer, the HTML, the messages back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeNonce, mapHtml, parseMapResult, parseOpenMessage, relationsOf, type MapResult } from '../src/contextMap';

const result: MapResult = {
  svg: '<svg xmlns="http://www.w3.org/2000/svg"><g class="relation" data-relation="0,1" onclick="evil()"><path d="M0,0 L1,1"/></g><script>alert(1)</script></svg>',
  map: {
    contexts: [
      { id: 'billing', apps: ['invoicing'], database: 'billing', patterns: [] },
      { id: 'shipping', apps: ['shipping'], database: null, patterns: [] },
    ],
    relations: [
      { from: 'shipping', to: 'billing', kind: 'leak', evidence: [{ path: '/p/shipping/models.py', line: 4, message: 'imports `Invoice` </script>' }] },
      { from: 'shipping', to: 'billing', kind: 'anticorruption-layer', evidence: [{ path: '/p/shipping/acl.py', line: 16, message: 'translates' }] },
    ],
  },
  path: '/cache/context-map.svg',
};

describe('context map view', () => {
  it('accepts the server answer and rejects anything else', () => {
    assert.deepEqual(parseMapResult(result), result);
    assert.equal(parseMapResult(null), undefined);
    assert.equal(parseMapResult({ svg: 1, map: {} }), undefined);
    assert.equal(parseMapResult({ svg: '<svg/>', map: { contexts: [] } }), undefined);
  });

  it('finds the relations of an arrow, ignoring bad indices', () => {
    assert.deepEqual(
      relationsOf(result.map, '1,0,7,x').map((r) => r.kind),
      ['anticorruption-layer', 'leak'],
    );
  });

  it('builds HTML with the SVG, a nonce-only script and the map as safe JSON', () => {
    const html = mapHtml(result, 'NONCE123', 'vscode-resource:');
    assert.match(html, /script-src 'nonce-NONCE123'/);
    assert.match(html, /<g class="relation" data-relation="0,1">/);
    assert.doesNotMatch(html, /alert\(1\)/);
    assert.doesNotMatch(html, /onclick=/);
    // The evidence text cannot close the script element.
    const scripts = html.match(/<script/g) ?? [];
    assert.equal(scripts.length, 1);
    assert.match(html, /imports `Invoice` \\u003c\/script\\u003e/);
    assert.match(html, /postMessage\(\{ type: 'open', path: e\.path, line: e\.line \}\)/);
  });

  it('opens only well-formed evidence links', () => {
    assert.deepEqual(parseOpenMessage({ type: 'open', path: '/p/a.py', line: 12 }), { type: 'open', path: '/p/a.py', line: 12 });
    assert.deepEqual(parseOpenMessage({ type: 'open', path: '/p/a.py', line: -3 }), { type: 'open', path: '/p/a.py', line: 1 });
    assert.equal(parseOpenMessage({ type: 'run', path: '/p/a.py' }), undefined);
    assert.equal(parseOpenMessage({ type: 'open', path: '' }), undefined);
    assert.equal(parseOpenMessage('open'), undefined);
  });

  it('makes 32-character nonces', () => {
    assert.match(makeNonce(), /^[A-Za-z0-9]{32}$/);
  });
});
