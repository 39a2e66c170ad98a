// The report's html`` template: every value is text unless it is markup already, so safety is the default.

import { expect } from 'chai';
import { coord, escapeHtml, html, joinHtml, trusted } from './html-text.js';

const HOSTILE = `<img src=x onerror="alert('x')"> & co`;

describe('html``', () => {
  it('escapes every value, in element content and in quoted attribute values', () => {
    expect(String(html`<td title="${HOSTILE}">${HOSTILE}</td>`)).to.equal(`<td title="${escapeHtml(HOSTILE)}">${escapeHtml(HOSTILE)}</td>`);
    expect(String(html`<b>${HOSTILE}</b>`)).to.not.contain('<img');
  });

  it('puts markup made by html`` or trusted() in as it is, and escapes the text inside it once', () => {
    const cell = html`<td>${HOSTILE}</td>`;
    expect(String(html`<tr>${cell}</tr>`)).to.equal(`<tr><td>${escapeHtml(HOSTILE)}</td></tr>`);
    expect(String(html`<style>${trusted('a>b{content:"x"}')}</style>`)).to.equal('<style>a>b{content:"x"}</style>');
  });

  it('does not take markup that merely looks like markup: a string is text, even one made from html``', () => {
    const made = String(html`<i>x</i>`);
    expect(String(html`<p>${made}</p>`)).to.equal('<p>&lt;i&gt;x&lt;/i&gt;</p>');
  });

  it('puts a list in item after item, numbers as they read, and nothing for null or undefined', () => {
    expect(String(html`<ul>${['a<', html`<li>b</li>`, ['c', 2]]}</ul>`)).to.equal('<ul>a&lt;<li>b</li>c2</ul>');
    expect(String(html`<p>${null}${undefined}${0}</p>`)).to.equal('<p>0</p>');
  });

  it('joins values with a separator, escaped as text', () => {
    expect(String(joinHtml([html`<p>a</p>`, 'b&', null], '\n'))).to.equal('<p>a</p>\nb&amp;\n');
    expect(String(joinHtml(['x', 'y'], ' < '))).to.equal('x &lt; y');
  });

  it('drops control characters, keeping tabs and newlines', () => {
    expect(String(html`<pre>${'a\u0000b\u001bc\td\ne'}</pre>`)).to.equal('<pre>abc\td\ne</pre>');
  });
});

describe('coord', () => {
  it('writes a coordinate with one decimal at most, and 0 for anything not finite', () => {
    expect([coord(12.345), coord(3), coord(-0.04), coord(Number.NaN), coord(Infinity)]).to.deep.equal(['12.3', '3', '0', '0', '0']);
  });
});
