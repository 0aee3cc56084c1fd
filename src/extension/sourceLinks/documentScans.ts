/** The static pass per open document, cached by version: lenses, hovers and diagnostics share it. */
import type * as vscode from 'vscode';
import { scanModelSource } from './sourceScanner';
import type { SourceScan } from '../../analysis/source/types';

const cache = new Map<string, { version: number; scan: SourceScan }>();

export function isModelSourceCandidate(document: vscode.TextDocument): boolean {
  return (
    document.uri.scheme === 'file' &&
    document.languageId === 'typescript' &&
    !document.fileName.endsWith('.d.ts') &&
    // Cheap test first: the parser loads only for files that mention TensorFlow.js.
    document.getText().includes('@tensorflow/tfjs')
  );
}

export function scanDocument(document: vscode.TextDocument): SourceScan | undefined {
  if (!isModelSourceCandidate(document)) return undefined;
  const key = document.uri.toString();
  const hit = cache.get(key);
  if (hit && hit.version === document.version) return hit.scan;
  const scan = scanModelSource(document.getText(), document.uri.fsPath);
  cache.set(key, { version: document.version, scan });
  return scan;
}

export function forgetDocument(document: vscode.TextDocument): void {
  cache.delete(document.uri.toString());
}
