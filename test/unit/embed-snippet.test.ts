/** The embed dialog's `<iframe>` snippet (client/components/embed-dialog.ts): the address, the moment, a title that stays text. */
import { describe, expect, it } from 'vitest';
import { embedSnippet } from '../../client/components/embed-dialog.js';

/** The snippet as a browser reads it: one iframe, and its attributes. */
function parsed(html: string): Record<string, string> {
  const match = /^<iframe ((?:[a-z]+="[^"]*" ?)+)><\/iframe>$/.exec(html);
  expect(match, html).not.toBeNull();
  const decode = (v: string) => v.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  return Object.fromEntries([...match![1].matchAll(/([a-z]+)="([^"]*)"/g)].map(([, name, value]) => [name, decode(value)]));
}

describe('embedSnippet', () => {
  it('frames the embed page on the public base at the moment given, 800×500, autoplay allowed, titled after the lecture', () => {
    expect(embedSnippet('https://bp.example.org', 'ABC234', 'XOR', { t: '1:05' })).toBe(
      '<iframe src="https://bp.example.org/embed/ABC234?t=1:05" width="800" height="500" allow="autoplay" title="Backprop Live replay: XOR"></iframe>',
    );
    expect(parsed(embedSnippet('https://bp.example.org', 'ABC234', 'XOR', { seq: 12 })).src).toBe('https://bp.example.org/embed/ABC234?seq=12');
    expect(parsed(embedSnippet('https://bp.example.org', 'ABC234', '', null))).toMatchObject({ src: 'https://bp.example.org/embed/ABC234', title: 'Backprop Live replay: Lecture' });
  });

  it('keeps a hostile title and id as text: no attribute or element can be closed or opened', () => {
    const title = `"><script>alert(1)</script><iframe src='x' onload="y" & ok`;
    const html = embedSnippet('https://bp.example.org', 'A"B/../x', title, { t: '1:05"><b>' });
    const attrs = parsed(html);
    expect(Object.keys(attrs)).toEqual(['src', 'width', 'height', 'allow', 'title']);
    expect(attrs.title).toBe(`Backprop Live replay: ${title}`);
    expect(new URL(attrs.src).pathname).toBe('/embed/A%22B%2F..%2Fx');
    expect(new URL(attrs.src).searchParams.get('t')).toBe('1:05"><b>');
    expect(html).not.toMatch(/<script|<b>|<iframe src='/);
  });
});
