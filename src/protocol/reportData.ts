/**
 * The data a static HTML report embeds, for the same webview code to replay without a host.
 * Binary arrays are base64 so the page stays one self-contained file.
 */
import type { ModelSummary } from '../analysis/modelSummary';
import type { ClassScore } from '../analysis/topClasses';
import type { BackendName } from '../analysis/runtime';
import type { ModelStructure } from '../analysis/structure/modelStructure';
import type { EncodedJson } from '../analysis/typedArrayJson';
import type { ExplainAnswer } from './explainMessages';
import type { GalleryToPanel } from './galleryMessages';

/** The gallery as the report embeds it: the panel messages the CLI computed, replayed in order. */
export interface ReportGallery {
  messages: EncodedJson<GalleryToPanel>[];
}

export interface ReportData {
  summary: ModelSummary;
  backend: BackendName;
  structure: ModelStructure | null;
  selectedLayer: string;
  image: {
    inputSource: string;
    imageName: string;
    width: number;
    height: number;
    rgbaBase64: string;
    top5: ClassScore[];
    /** NaN or infinite values in the pass, as the panel shows them. */
    warnings?: string[];
  };
  layers: Record<string, { shape: number[]; min: number; max: number; dataBase64: string }>;
  /** The Gallery tab's messages (`--gallery-layer`), typed arrays in base64. */
  gallery?: ReportGallery;
  /**
   * The Why tab's answers computed for the report (the selected layer's strongest unit and its
   * filters), typed arrays in base64.
   */
  explain?: EncodedJson<ExplainAnswer>[];
}

export const REPORT_DATA_ELEMENT_ID = 'report-data';
