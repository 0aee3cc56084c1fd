/**
 * The static pass lives in its own bundle (dist/sourceScan.js) because it carries the TypeScript
 * parser (about 10 MB): loading it only when a model file is first scanned keeps activation cheap.
 */
import { join } from 'node:path';
import type { SourceScan } from '../../analysis/source/types';

type ScanModelSource = (text: string, file: string) => SourceScan;
let scanner: ScanModelSource | undefined;

export function scanModelSource(text: string, file: string): SourceScan {
  if (!scanner) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundle = require(join(__dirname, 'sourceScan.js')) as {
      scanModelSource: ScanModelSource;
    };
    scanner = bundle.scanModelSource;
  }
  return scanner(text, file);
}
