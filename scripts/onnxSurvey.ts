/**
 * The survey of the ONNX import over torchvision's classification CNNs: imports every file
 * scripts/onnx/survey_torchvision.py exported and compares every layer with PyTorch's activations
 * (the import tests' comparison, test/unit/helpers/onnxCompare.ts).
 *   /usr/bin/python3 scripts/onnx/survey_torchvision.py .cache/onnx-survey [--heavy]
 *   npx tsx scripts/onnxSurvey.ts .cache/onnx-survey [NAME-opsetN...]
 * Prints a Markdown table (family, opset, import, layers compared, max relative error) and
 * writes OUT_DIR/results.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadOnnxFile } from '../src/analysis/onnx/loadOnnxModel';
import { countModel, extractLayerGraph } from '../src/analysis/structure';
import { fixtureFromDir } from '../test/unit/helpers/onnxFixtures';
import { compareActivations } from '../test/unit/helpers/onnxCompare';

interface IndexEntry {
  family: string;
  opset: number;
  exported: boolean;
  error?: string;
}

interface SurveyRow {
  key: string;
  family: string;
  opset: number;
  exported: boolean;
  imported: boolean;
  error?: string;
  layersCompared?: number;
  maxRelativeError?: number;
  worstLayer?: string;
  parameterMismatches?: string[];
}

const TOLERANCE = 1e-4;

async function surveyOne(dir: string, key: string, entry: IndexEntry): Promise<SurveyRow> {
  const row: SurveyRow = {
    key,
    family: entry.family,
    opset: entry.opset,
    exported: false,
    imported: false,
  };
  if (!entry.exported) return { ...row, error: `export: ${entry.error}` };
  row.exported = true;
  const fixture = fixtureFromDir(join(dir, key));
  let loaded;
  try {
    loaded = await loadOnnxFile(tf, fixture.modelFile);
  } catch (error) {
    return {
      ...row,
      error: (error as Error).message.replace(resolve(fixture.modelFile), 'model.onnx'),
    };
  }
  row.imported = true;
  try {
    const comparisons = compareActivations(fixture, loaded);
    const worst = comparisons.reduce((a, b) =>
      b.error > a.error || !(b.error <= a.error) ? b : a,
    );
    row.layersCompared = comparisons.length;
    row.maxRelativeError = worst.error;
    row.worstLayer = worst.key;
    const params = new Map(
      countModel(extractLayerGraph(loaded.model)).layers.map((l) => [l.name, l.totalParams]),
    );
    row.parameterMismatches = Object.entries(fixture.oracle.expectedParams)
      .filter(([name, expected]) => params.has(name) && params.get(name) !== expected)
      .map(([name, expected]) => `${name}: ${params.get(name)} vs ${expected}`);
  } catch (error) {
    row.error = `comparison: ${(error as Error).message.split('\n')[0]}`;
  } finally {
    loaded.model.dispose();
  }
  return row;
}

function tableLine(r: SurveyRow): string {
  const ok = r.imported && r.maxRelativeError !== undefined && r.maxRelativeError <= TOLERANCE;
  const error = r.maxRelativeError === undefined ? '' : r.maxRelativeError.toExponential(1);
  const note = r.error ?? (ok ? '' : `worst: ${r.worstLayer}`);
  const params = r.parameterMismatches?.length
    ? ` params off: ${r.parameterMismatches.length}`
    : '';
  return `| ${r.family} | ${r.opset} | ${r.exported ? 'yes' : 'no'} | ${r.imported ? 'yes' : 'no'} | ${r.layersCompared ?? ''} | ${error} | ${ok ? 'ok' : 'FAIL'} | ${note}${params} |`;
}

async function main(): Promise<void> {
  const [dir, ...only] = process.argv.slice(2);
  if (!dir || !existsSync(join(dir, 'survey.json'))) {
    throw new Error('usage: tsx scripts/onnxSurvey.ts OUT_DIR (run survey_torchvision.py first)');
  }
  await tf.setBackend('cpu');
  const index = JSON.parse(readFileSync(join(dir, 'survey.json'), 'utf8')) as Record<
    string,
    IndexEntry
  >;
  const rows: SurveyRow[] = [];
  console.log(
    '| family | opset | exported | imported | values compared | max rel. error | 1e-4 | note |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [key, entry] of Object.entries(index)) {
    if (only.length && !only.includes(key)) continue;
    const row = await surveyOne(dir, key, entry);
    rows.push(row);
    console.log(tableLine(row));
  }
  writeFileSync(join(dir, 'results.json'), JSON.stringify(rows, null, 1));
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
