/**
 * A worker restart that a request did not cause — a setting that needs a new worker (engine,
 * backend, threads, memory limit), the user's "Restart model worker", or another request's Cancel
 * or timeout — interrupts every request in flight. Those requests were not refused: the host runs
 * them again on the new worker, with the settings of now. Without this, a panel that was loading
 * when the worker restarted ended blank (no progress line, no layers, no error) for good.
 */
import { InspectorError } from '../analysis/errors';
import type { RequestOptions, WorkerClient } from './workerClient';
import type {
  RequestWithoutId,
  WorkerRequest,
  WorkerResults,
} from '../protocol/worker/workerProtocol';

/** The rejection of a request whose worker was replaced for a reason of its own. */
export class WorkerRestarted extends InspectorError {
  /** `why`: how the restart came about, e.g. "by the user", "for the new settings". */
  constructor(readonly why?: string) {
    super('cancelled', `The model worker was restarted${why ? ` ${why}` : ''}.`);
  }
}

/** Restarts in a row after which a request gives up (a setting changed again and again). */
export const MAX_RESTARTS = 3;

/**
 * What follows a request's failure: run it again on the new worker, or fail with the error
 * (a restart it did not cause, unless it was cancelled itself or restarts keep coming).
 */
export function afterFailure(
  error: unknown,
  restartsSoFar: number,
  cancelled: boolean,
): { runAgain: true } | { runAgain: false; error: unknown } {
  if (!(error instanceof WorkerRestarted) || cancelled) return { runAgain: false, error };
  if (restartsSoFar < MAX_RESTARTS) return { runAgain: true };
  return {
    runAgain: false,
    error: new InspectorError(
      'worker',
      `${error.message} The request was interrupted by ${restartsSoFar + 1} restarts in a row and was given up; try again.`,
    ),
  };
}

/**
 * `client.request`, run again when a restart it did not cause interrupts it. `message` is called
 * for every run, so a run after a settings change carries the new settings.
 */
export async function requestSurvivingRestarts<T extends WorkerRequest['type']>(
  client: WorkerClient,
  message: () => Extract<RequestWithoutId, { type: T }>,
  options: RequestOptions,
): Promise<WorkerResults[T]> {
  for (let restarts = 0; ; restarts++) {
    try {
      return await client.request(message(), options);
    } catch (error) {
      const next = afterFailure(error, restarts, options.signal?.aborted ?? false);
      if (!next.runAgain) throw next.error;
      const why = (error as WorkerRestarted).message.replace(/\.$/, '');
      options.onProgress?.(`Starting again: ${why.charAt(0).toLowerCase()}${why.slice(1)}`);
    }
  }
}
