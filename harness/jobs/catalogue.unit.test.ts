// The quick form of the catalogue keeps every family, each by the first scenario it declares.

import { expect } from 'chai';
import { firstOfEachFamily, type CatalogueEntry } from './catalogue.js';

const entry = (family: string, title: string): CatalogueEntry => ({
  fullTitle: `${family}: ${title}`,
  title,
  file: `${family}.suite.js`,
  meta: { family, faults: [] },
});

describe('catalogue', () => {
  it('keeps the first scenario of each family, in catalogue order', () => {
    const all = [entry('a', '1'), entry('a', '2'), entry('b', '1'), entry('c', '1'), entry('c', '2'), entry('c', '3')];
    expect(firstOfEachFamily(all).map((e) => e.fullTitle)).to.deep.equal(['a: 1', 'b: 1', 'c: 1']);
  });
});
