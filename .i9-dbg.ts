import { WorkerClient } from './src/host/workerClient';
(async () => {
  const c = new WorkerClient({ workerScript: __dirname + '/dist/worker.js', memoryLimitMb: 4000 } as never);
  const t0 = Date.now();
  const r = await c.request({ type: 'loadModel', config: { backend: 'auto', engine: 'auto', searchDirs: [], maxImageMegapixels: 100, wasmThreads: 0 } as never, model: { file: __dirname + '/examples/lenet.ts' }, reload: false } as never, { timeoutMs: 600000, onProgress: (m, b) => console.log(Date.now() - t0, m, b ? `BUILT ${b.layers.length}` : '') });
  console.log('done', Date.now() - t0, (r as any).backend);
  c.dispose();
})();
