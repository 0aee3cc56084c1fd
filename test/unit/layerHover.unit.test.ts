// The hover's Markdown with hostile layer names, rendered by markdown-it (an independent CommonMark
// parser, HTML and linkify on: stricter than VS Code's hover): the names show as written and
// never become links, images, HTML or table cells.
import * as assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { escapeMarkdown, layerHoverMarkdown } from '../../src/extension/sourceLinks/layerHoverText';
import type { LayerCall } from '../../src/analysis/source/types';

const markdown = new MarkdownIt({ html: true, linkify: true });
const HOSTILE = [
  'x](command:workbench.action.terminal.new)',
  '[click](https://evil.example/steal)',
  '![t](https://evil.example/pixel.png)',
  '<img src=x onerror=alert(1)>',
  'a | b | c',
  '**bold** _it_ `code` ~~gone~~',
  '&lt;script&gt;',
  'www.evil.example',
  'https://evil.example',
  '# heading\n- item',
  'back\\slash',
];

function call(name: string | undefined, factory = 'conv2d'): LayerCall {
  const position = { line: 1, column: 1 };
  return {
    factory,
    start: position,
    callee: position,
    end: position,
    name,
    options: {},
    exportNames: ['default'],
    unusedOutput: false,
  };
}

/** Text of the rendered HTML with tags removed and entities decoded. */
function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

function assertInert(html: string): void {
  assert.doesNotMatch(html, /<a |<img|<script|<h1|<li|<code|<em|<s>|<del/, html);
}

describe('layer hover Markdown', () => {
  for (const name of HOSTILE) {
    it(`shows the layer name ${JSON.stringify(name)} as written (static scan, no run)`, () => {
      const html = markdown.render(layerHoverMarkdown({ call: call(name), instances: [] }));
      assertInert(html.replace(/<strong>|<\/strong>|<p>|<\/p>/g, ''));
      assert.ok(textOf(html).includes(name.replace(/\s+/g, ' ')), textOf(html));
    });
  }

  it('keeps hostile names of a run inside their table cell and heading', () => {
    const name = HOSTILE.join(' ');
    const html = markdown.render(
      layerHoverMarkdown({
        call: call(undefined),
        instances: [
          {
            name,
            className: 'Conv2D<b>',
            outputShape: '28x28x6',
            params: 156,
            macs: 117_600,
            receptiveField: '5x5',
          },
        ],
        runExport: '[x](https://evil.example)',
      }),
    );
    // Bold names and the italic last line are the hover's own markup.
    assertInert(html.replace(/<strong>|<\/strong>|<p>|<\/p>|<em>From|\.<\/em>/g, ''));
    // One two-column table: the '|' in the names did not add cells.
    assert.equal(html.match(/<tr>/g)?.length, 5);
    assert.equal(html.match(/<td>/g)?.length, 8);
    assert.ok(textOf(html).includes(`${name.replace(/\s+/g, ' ')} (Conv2D<b>)`), textOf(html));
    assert.ok(textOf(html).includes('export [x](https://evil.example).'), textOf(html));
    assert.match(html, /<td>MACs<\/td>\s*<td>118k<\/td>/);
  });

  it('escapes every ASCII punctuation character and nothing else', () => {
    assert.equal(escapeMarkdown('conv2d_1'), 'conv2d\\_1');
    assert.equal(escapeMarkdown('block1/conv1'), 'block1\\/conv1');
    assert.equal(escapeMarkdown('Faltung Ä'), 'Faltung Ä');
    assert.equal(escapeMarkdown('a\nb'), 'a b');
  });
});
