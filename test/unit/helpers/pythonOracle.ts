/**
 * Runs a Python script under Debian's /usr/bin/python3, which has Pillow, NumPy and PyTorch
 * (scripts/install-system-deps.sh installs them): the independent implementation some tests compare
 * against. The script reads JSON from stdin and prints JSON on stdout.
 */
import { execFileSync } from 'node:child_process';

export const ORACLE_PYTHON = '/usr/bin/python3';

export function runPythonOracle<T>(script: string, input: unknown): T {
  const stdout = execFileSync(ORACLE_PYTHON, ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as T;
}

/** Pillow's decoding of PNG/JPEG bytes, converted with `convert(mode)`: [width, height, flat samples]. */
export function pillowPixels(
  bytes: Buffer,
  mode: 'RGB' | 'L' = 'RGB',
): { width: number; height: number; data: number[] } {
  return runPythonOracle(
    `
import base64, io, json, sys
from PIL import Image
request = json.load(sys.stdin)
image = Image.open(io.BytesIO(base64.b64decode(request['bytes']))).convert(request['mode'])
data = [v for p in image.getdata() for v in (p if isinstance(p, tuple) else (p,))]
print(json.dumps({'width': image.width, 'height': image.height, 'data': data}))
`,
    { bytes: bytes.toString('base64'), mode },
  );
}
