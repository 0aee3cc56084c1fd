/**
 * Counts the ONNX Runtime calls in flight in this thread, in memory the host can read at once.
 * Stopping a worker thread while ONNX Runtime works for it (creating a session, running one) makes
 * onnxruntime-node throw a C++ exception with no JavaScript left to take it: the whole process
 * aborts (in VS Code, the extension host with every extension). The host waits for zero instead.
 */
let inFlight: Int32Array | undefined;

/** The worker's counter (shared with the host); without one (CLI, tests) calls are not counted. */
export function countNativeCallsIn(counter: Int32Array | undefined): void {
  inFlight = counter;
}

/** Runs an ONNX Runtime call, counted while it is in flight. */
export async function nativeCall<T>(call: () => Promise<T>): Promise<T> {
  if (inFlight) Atomics.add(inFlight, 0, 1);
  try {
    return await call();
  } finally {
    if (inFlight) Atomics.sub(inFlight, 0, 1);
  }
}
