// Which of the host's `layer` messages the panel draws (webview/layerSelection.ts): only the maps
// of the host's latest run and of the panel's latest choice of layer, never a late answer that
// merely carries the selected layer's name; the layer of the maps drawn is the one it marks
// selected, as the host's is (a click racing the host's own pick). The runs and requests below
// follow the host's order of messages by hand (modelPanel.ts: `model`, `image`, then `layer`).
import { strict as assert } from 'node:assert';
import { LayerSelection } from '../../webview/layerSelection';

/** The maps of `name` read in host run `run`, answering the panel's request `request`. */
const maps = (name: string, run: number, request: number) => ({ name, run, request });

describe('Panel layer maps: matched by run and request id, not by name', () => {
  let selection: LayerSelection;
  beforeEach(() => {
    selection = new LayerSelection();
  });

  it("drops a late conv1 of the model before a save that re-ran it, and draws the new run's", () => {
    // Run 1 shows the model with conv1 selected, run 2 is the pass on the image.
    selection.modelShown(1, 'conv1');
    selection.inputShown(2);
    assert.equal(selection.receive(maps('conv1', 2, 0)), true);
    // The user saves: the re-run shows the changed model (run 3), conv1 still selected...
    assert.equal(selection.modelShown(3, 'conv1'), false, 'the selection did not change');
    // ...and an answer for the old model's conv1 arrives late: same name, earlier run.
    assert.equal(selection.receive(maps('conv1', 2, 0)), false);
    selection.inputShown(4);
    assert.equal(selection.receive(maps('conv1', 2, 0)), false);
    assert.equal(selection.receive(maps('conv1', 3, 0)), false, 'read before the new pass');
    assert.equal(selection.receive(maps('conv1', 4, 0)), true);
    assert.equal(selection.selected, 'conv1');
  });

  it('numbers the choices of layer and drops the answer to an older one', () => {
    selection.modelShown(1, 'conv1');
    selection.inputShown(2);
    assert.equal(selection.select('conv2'), 1);
    assert.equal(selection.select('conv1'), 2);
    assert.equal(selection.selected, 'conv1');
    // conv1's maps pushed before the clicks (request 0) and conv2's answer (1) both arrive late.
    assert.equal(selection.receive(maps('conv1', 2, 0)), false);
    assert.equal(selection.receive(maps('conv2', 2, 1)), false);
    assert.equal(selection.receive(maps('conv1', 2, 2)), true);
    // A pass on another input keeps the choice: the host echoes request 2 with the new run.
    selection.inputShown(3);
    assert.equal(selection.receive(maps('conv1', 2, 2)), false);
    assert.equal(selection.receive(maps('conv1', 3, 2)), true);
  });

  it("follows the host's choice of layer, which echoes the last click it had read", () => {
    selection.modelShown(1, 'conv1');
    selection.inputShown(2);
    assert.equal(selection.select('conv2'), 1);
    // A patch clicked in the Gallery tab opens pool1 (run 3); the host had read click 1.
    assert.equal(selection.modelShown(3, 'pool1'), true, 'the selection changed');
    assert.equal(selection.selected, 'pool1');
    selection.inputShown(4);
    assert.equal(selection.receive(maps('pool1', 4, 1)), true);
    assert.equal(selection.receive(maps('conv2', 2, 1)), false, "the click's answer, run 2");
  });

  it("follows the host to the clicked layer when the click raced the host's own choice", () => {
    // The racing order (issue 12): the user clicks conv2 while "Visualize layer" (or a gallery
    // patch) makes the host show pool1. The host posts pool1's model before it reads the click
    // (echoing request 0), then reads the click and ends on conv2, answering it in the new runs.
    selection.modelShown(1, 'conv1');
    selection.inputShown(2);
    assert.equal(selection.select('conv2'), 1);
    assert.equal(selection.modelShown(3, 'pool1'), true);
    // pool1's maps read before the host had the click (request 0): the click supersedes them.
    assert.equal(selection.receive(maps('pool1', 3, 0)), false);
    assert.equal(selection.selected, 'pool1');
    // The click's answer in run 3, then, after the pass on the input, conv2's maps of run 4.
    assert.equal(selection.receive(maps('conv2', 3, 1)), true);
    assert.equal(selection.selected, 'conv2', 'the panel marks the layer whose maps it draws');
    selection.inputShown(4);
    assert.equal(selection.receive(maps('conv2', 4, 1)), true);
    assert.equal(selection.selected, 'conv2', 'panel and host agree on the layer');
    assert.equal(selection.select('conv1'), 2, 'ids are never reused');
  });

  it("drops the host's answer to an older click of the same run, and keeps the newer choice", () => {
    selection.modelShown(1, 'conv1');
    selection.inputShown(2);
    selection.select('conv2');
    selection.select('pool1');
    // conv2's answer (request 1) left the host before it read the second click.
    assert.equal(selection.receive(maps('conv2', 2, 1)), false);
    assert.equal(selection.selected, 'pool1');
    assert.equal(selection.receive(maps('pool1', 2, 2)), true);
  });

  it('draws nothing before a model, and starts again from request 1 in a reloaded webview', () => {
    assert.equal(selection.receive(maps('conv1', 0, 0)), false);
    assert.equal(selection.selected, '');
    const reloaded = new LayerSelection();
    // The host replays the model and the pass with its current run and request 0 (modelPanel.ts).
    reloaded.modelShown(7, 'conv2');
    reloaded.inputShown(7);
    assert.equal(reloaded.receive(maps('conv2', 7, 0)), true);
    assert.equal(reloaded.select('conv1'), 1);
  });
});
