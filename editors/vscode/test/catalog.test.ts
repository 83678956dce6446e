import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  explainPattern,
  listPatterns,
  parseCatalogList,
  patternDocumentPath,
  patternIdFromDocumentPath,
  runCli,
  toPickItems,
} from '../src/catalog';

const SAMPLE = JSON.stringify([
  {
    id: 'anticorruption-layer',
    title: 'Anticorruption layer',
    category: 'integration',
    aliases: ['ACL', 'anti-corruption layer'],
    related: ['open-host-service'],
    source: 'embedded',
  },
  { id: 'x', title: '', category: 'c', aliases: 'bad', related: null, source: 7 },
  { title: 'no id' },
  'junk',
]);

describe('parseCatalogList', () => {
  it('reads entries and tolerates odd fields', () => {
    assert.deepEqual(parseCatalogList(SAMPLE), [
      {
        id: 'anticorruption-layer',
        title: 'Anticorruption layer',
        category: 'integration',
        aliases: ['ACL', 'anti-corruption layer'],
        related: ['open-host-service'],
        source: 'embedded',
      },
      { id: 'x', title: 'x', category: 'c', aliases: [], related: [], source: 'embedded' },
    ]);
  });

  it('says what is wrong with non-JSON output', () => {
    assert.throws(() => parseCatalogList('error: nope'), /did not print JSON/);
    assert.throws(() => parseCatalogList('{}'), /JSON array/);
  });
});

describe('quick pick and documents', () => {
  it('labels items with the title and shows id, category and aliases', () => {
    assert.deepEqual(toPickItems(parseCatalogList(SAMPLE))[0], {
      label: 'Anticorruption layer',
      description: 'anticorruption-layer',
      detail: 'integration · also: ACL, anti-corruption layer',
      id: 'anticorruption-layer',
    });
  });

  it('round-trips ids through document paths', () => {
    for (const id of ['anticorruption-layer', 'odd id/with slash']) {
      assert.equal(patternIdFromDocumentPath(patternDocumentPath(id)), id);
    }
    assert.equal(patternDocumentPath('cqrs'), '/cqrs.txt');
  });
});

describe('runCli', () => {
  it('reports a missing binary instead of throwing', async () => {
    const r = await runCli('/nonexistent/pattern-language', ['--version'], undefined);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ENOENT/);
  });
});

// Against the real binary, when the test run is given one (tests/editors/run.sh does).
const BIN = process.env.PATTERN_LANGUAGE_BIN;
describe('with the real binary', { skip: BIN ? false : 'PATTERN_LANGUAGE_BIN is not set' }, () => {
  it('lists the embedded catalog and explains a pattern', async () => {
    const entries = await listPatterns(BIN!, []);
    assert.ok(entries.length >= 36, `expected at least 36 patterns, got ${entries.length}`);
    const acl = entries.find((e) => e.id === 'anticorruption-layer');
    assert.ok(acl, 'anticorruption-layer is listed');
    assert.equal(acl.title, 'Anticorruption layer');
    const page = await explainPattern(BIN!, 'anticorruption-layer', []);
    assert.match(page, /Anticorruption layer/);
    assert.doesNotMatch(page, /\x1b\[/, 'no terminal colour codes when piped');
  });

  it('fails readably for an unknown id', async () => {
    await assert.rejects(explainPattern(BIN!, 'no-such-pattern', []), /explain no-such-pattern` failed/);
  });
});
