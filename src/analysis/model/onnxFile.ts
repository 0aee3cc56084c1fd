/** Whether a path is an ONNX model (kept apart so the extension host need not load the import). */
export function isOnnxFile(file: string): boolean {
  return /\.onnx$/i.test(file);
}
