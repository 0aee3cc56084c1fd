/**
 * The one message protocol between the extension host and the panel's webview (and the static
 * HTML report, which plays the host's part from embedded data). One discriminated union per
 * direction; numbers travel as typed arrays, which VS Code transfers as binary, never as JSON.
 */
import type { ModelSummary } from '../analysis/modelSummary';
import type { ClassScore } from '../analysis/topClasses';
import type { BackendName } from '../analysis/runtime';
import type { ModelStructure } from '../analysis/structure/modelStructure';
import type { SourceLocation } from '../analysis/errors';
import type { ExplainToHost, ExplainToPanel } from './explainMessages';
import type { GalleryToHost, GalleryToPanel } from './galleryMessages';
import type { Normalization, PanelState, PanelTab } from '../analysis/panelState';

export type { Normalization, PanelState, PanelTab };

export type SequentialColormap = 'viridis' | 'magma' | 'inferno' | 'plasma' | 'cividis' | 'gray';

export interface PanelSettings {
  colormap: SequentialColormap;
  normalization: Normalization;
}

export type HostToPanel =
  | { type: 'settings'; settings: PanelSettings; canPickImage: boolean }
  | {
      type: 'model';
      /** The host's run this model starts (see `layer`). */
      run: number;
      summary: ModelSummary;
      backend: BackendName;
      /** How the engine was chosen; the badge's tooltip. */
      backendNotes?: string[];
      /** ONNX Runtime was wanted but cannot run this model: why. */
      engineFallback?: string;
      selectedLayer: string;
      /** Geometry, counts and receptive fields; null with `structureError` when unavailable. */
      structure: ModelStructure | null;
      structureError?: string;
    }
  | {
      type: 'image';
      /** The host's run of this pass (see `layer`). */
      run: number;
      inputSource: string;
      imageName: string;
      width: number;
      height: number;
      /** RGBA bytes of the input as the model sees it, width*height*4. */
      rgba: Uint8ClampedArray;
      top5: ClassScore[];
      /** 1-D models: the signal's values, [width steps, channels] row-major (drawn as a line plot). */
      signal?: Float32Array;
      /** What makes this pass's numbers doubtful (NaN or infinite values), shown above the classes. */
      warnings?: string[];
    }
  /**
   * A layer's maps. `run` numbers what they were read from: the host starts a new run with every
   * model it shows and every pass on an input, so maps of a same-named layer from before a re-run
   * are told apart. `request` echoes the panel's latest `selectLayer` request the host had read
   * (0: none since the webview loaded). The panel draws only the maps of its latest run and
   * request, and follows their layer: the host's choice wins (webview/layerSelection.ts).
   */
  | {
      type: 'layer';
      run: number;
      request: number;
      name: string;
      /** Without the batch dimension: [h, w, c], [steps, c] or [units]. */
      shape: number[];
      data: Float32Array;
      min: number;
      max: number;
    }
  /** Opens a tab (the Why tab for "Ask why"), at once or as soon as the model is shown. */
  | { type: 'showTab'; tab: PanelTab }
  | { type: 'busy'; message: string | undefined }
  /** The layers of a model still being opened (before `model`): shown greyed, not yet selectable. */
  | { type: 'modelBuilt'; summary: ModelSummary }
  /** Answer to `copyText`: `error` set when the clipboard refused. */
  | { type: 'copied'; what: string; error?: string }
  /**
   * A failure to show prominently: the panel keeps what it shows, marked stale, until the next
   * `model` or `image`. `location`: where in the user's code (the panel links to it).
   */
  | { type: 'error'; message: string; location?: SourceLocation }
  /** What a re-run after saving the model file changed (shapes, parameters, receptive fields). */
  | { type: 'changes'; lines: string[] }
  /**
   * The user cancelled the load or run: the progress line says so, with a button (`retryLabel`,
   * e.g. "Load again") that posts `retryRun`; what the panel showed (greyed layers, maps) stays.
   */
  | { type: 'cancelled'; message: string; retryLabel: string }
  | ExplainToPanel
  | GalleryToPanel;

export type PanelToHost =
  | { type: 'ready' }
  /** The user chose a layer; `request` numbers the panel's choices (1, 2, ... per webview). */
  | { type: 'selectLayer'; name: string; request: number }
  /** The selected layer clicked again: show the line that creates it once more. */
  | { type: 'revealLayer'; name: string }
  | { type: 'pickImage' }
  /** The progress line's Cancel: stops the model's loading or run. */
  | { type: 'cancelRun' }
  /** The button of a cancelled line: starts the cancelled load or run again. */
  | { type: 'retryRun' }
  /** Opens the user's file at an error's line. */
  | { type: 'openLocation'; location: SourceLocation }
  /** Puts text on the clipboard (the webview's own clipboard access is not reliable in VS Code). */
  | { type: 'copyText'; text: string; what: string }
  /** A bare .onnx file's hint: write a wrapper model file, or read the README's ONNX section. */
  | { type: 'onnxWrapper' }
  | { type: 'onnxReadme' }
  | ExplainToHost
  | GalleryToHost;
