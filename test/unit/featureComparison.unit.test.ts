// The input a unit wants against a folder gallery: the comparison takes the unit's own patches of
// a gallery of the same layer, strongest first, and the ratio of the optimised activation to the
// strongest patch; a gallery of another layer or without the unit gives none.
import { strict as assert } from 'node:assert';
import { compareWithGallery } from '../../src/analysis/explain/featureComparison';

const gallery = {
  folder: '/data/shoes',
  layer: 'conv2',
  units: [
    { unit: 0, patches: [{ file: 'a.png', value: 9, y: 0, x: 0 }] },
    {
      unit: 3,
      patches: [
        { file: '/data/shoes/b.png', value: 4, y: 1, x: 2 },
        { file: 'c.png', value: 2.5, y: 0, x: 0 },
      ],
    },
    { unit: 5, patches: [] },
  ],
};

describe('feature visualization against a gallery', () => {
  it("takes the unit's top patches (files relative to the folder) and the ratio to the strongest", () => {
    assert.deepEqual(compareWithGallery(gallery, 'conv2', 3, 6), {
      folder: '/data/shoes',
      layer: 'conv2',
      topPatches: [
        { file: 'b.png', value: 4 },
        { file: 'c.png', value: 2.5 },
      ],
      ratioToStrongest: 1.5,
    });
  });

  it('gives nothing for another layer or a unit the gallery lacks, and no ratio without patches', () => {
    assert.equal(compareWithGallery(gallery, 'conv1', 3, 6), undefined);
    assert.equal(compareWithGallery(gallery, 'conv2', 7, 6), undefined);
    assert.equal(compareWithGallery(gallery, 'conv2', 5, 6)?.ratioToStrongest, null);
  });
});
