// The worker's memory limit holds for the memory models really use: typed arrays, buffers and
// WebAssembly memory, not only V8's heap; and an image too large for what is left is refused
// before it is decoded. After each stop, the next model runs normally.
import * as assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerClient } from '../../src/host/workerClient';
import { InspectorError } from '../../src/analysis/errors';
import type { WorkerConfig } from '../../src/protocol/worker/workerProtocol';
import { ensureBuilt, repoRoot } from './helpers/build';

const models = join(__dirname, '..', 'fixtures', 'models');
const image = join(__dirname, '..', 'fixtures', 'images', 'chessboard_GRAY.png');
const config: WorkerConfig = { backend: 'wasm', searchDirs: [], maxImageMegapixels: 100 };
const LONG = 120_000;

/** A grey 8-bit PNG of zeros, built by hand (the rows compress to almost nothing). */
function blackPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // grey
  const rows = deflateSync(Buffer.alloc((width + 1) * height), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', rows),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('worker memory limit on the real footprint', function () {
  this.timeout(300_000);
  let client: WorkerClient;
  let dir: string;
  before(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'cnn-memory-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => client.dispose());

  function start(memoryLimitMb: number): WorkerClient {
    client = new WorkerClient({
      workerScript: join(repoRoot, 'dist', 'worker.js'),
      memoryLimitMb,
    });
    return client;
  }

  async function tinyRuns(): Promise<void> {
    const model = { file: join(models, 'tiny.ts') };
    const result = await client.request(
      { type: 'runInput', config, model, inputSource: image },
      { timeoutMs: LONG },
    );
    assert.equal(result.input.width, 4);
  }

  function outOfMemory(file: RegExp, limitMb: number) {
    return (error: unknown) => {
      assert.ok(error instanceof InspectorError, String(error));
      assert.equal(error.kind, 'out-of-memory', error.message);
      assert.match(error.message, file);
      const match = new RegExp(
        `The model ran out of memory \\(limit ${limitMb} MB, setting cnnInspector\\.workerMemoryLimitMb\\) and was stopped after using about (\\d+) MB\\.`,
      ).exec(error.message);
      assert.ok(match, error.message);
      // Stopped near the limit, far from the 1.2 GB the file asks for.
      assert.ok(Number(match[1]) < limitMb + 400, `stopped at ${match[1]} MB`);
      return true;
    };
  }

  it('stops a model filling 1.2 GB of typed arrays in a loop that never yields (384 MB limit)', async () => {
    start(384);
    await assert.rejects(
      client.request(
        {
          type: 'loadModel',
          config,
          model: { file: join(models, 'eatsBuffers.ts') },
          reload: false,
        },
        { timeoutMs: LONG },
      ),
      outOfMemory(/eatsBuffers\.ts: /, 384),
    );
    await tinyRuns();
  });

  it('stops a model taking 1.2 GB of untouched typed arrays while it yields (384 MB limit)', async () => {
    start(384);
    await assert.rejects(
      client.request(
        {
          type: 'loadModel',
          config,
          model: { file: join(models, 'eatsBuffersSlowly.ts') },
          reload: false,
        },
        { timeoutMs: LONG },
      ),
      outOfMemory(/eatsBuffersSlowly\.ts: /, 384),
    );
    await tinyRuns();
  });

  it('refuses a 100-megapixel PNG before decoding when it does not fit under the limit (1024 MB)', async () => {
    const big = join(dir, 'big.png');
    writeFileSync(big, blackPng(10_000, 10_000));
    start(1024);
    await tinyRuns(); // the model is loaded: its memory counts
    const started = Date.now();
    await assert.rejects(
      client.request(
        { type: 'runInput', config, model: { file: join(models, 'tiny.ts') }, inputSource: big },
        { timeoutMs: LONG },
      ),
      (error: unknown) => {
        assert.ok(error instanceof InspectorError, String(error));
        assert.equal(error.kind, 'image', error.message);
        // 1e8 pixels x (1 grey sample + 4 RGBA + 12 float RGB) = 1.7e9 bytes = 1621 MB, plus the file.
        assert.match(
          error.message,
          /big\.png: decoding this 10000x10000 image takes about 162\d MB, more than the \d+ MB left under the model worker's memory limit of 1024 MB \(setting cnnInspector\.workerMemoryLimitMb\)\./,
        );
        return true;
      },
    );
    assert.ok(Date.now() - started < 30_000, 'refused before decoding, not after');
    assert.equal(client.running, true, 'a refused image does not cost the worker');
    await tinyRuns();
  });

  it('starts the next worker with a limit changed while one runs (the setting applies live)', async () => {
    const big = join(dir, 'big.png');
    writeFileSync(big, blackPng(10_000, 10_000));
    start(4096);
    await tinyRuns();
    client.setMemoryLimit(768);
    client.restart();
    await assert.rejects(
      client.request(
        { type: 'runInput', config, model: { file: join(models, 'tiny.ts') }, inputSource: big },
        { timeoutMs: LONG },
      ),
      /big\.png: decoding this 10000x10000 image takes about 162\d MB, more than the \d+ MB left under the model worker's memory limit of 768 MB/,
    );
  });
});
