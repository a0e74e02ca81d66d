import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml } from '../../server/protocol/html';

test('escapeHtml escapes & < > " and \' and nothing else', () => {
  assert.equal(
    escapeHtml(`<a href="x" title='y'>Tom & Jerry</a>`),
    '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;',
  );
  assert.equal(escapeHtml('plain text, ünïcode ✓'), 'plain text, ünïcode ✓');
  assert.equal(escapeHtml(''), '');
});

test('escapeHtml escapes an already escaped text again (callers escape raw text exactly once)', () => {
  assert.equal(escapeHtml('&amp;'), '&amp;amp;');
});
