/**
 * The extension's single gateway to the model worker: runs each request under a cancellable
 * progress notification (unless a visible panel shows the progress), turns failures into an error message plus a Problems entry at the user's
 * line, and keeps the status bar's backend up to date.
 */
import * as vscode from 'vscode';
import { COMMAND } from './commandIds';
import { InspectorError, formatLocation, errorMessage } from '../analysis/errors';
import { WorkerClient } from '../host/workerClient';
import { WorkerRestarted, requestSurvivingRestarts } from '../host/workerRestarts';
import type {
  ModelRef,
  RequestWithoutId,
  WorkerConfig,
  WorkerRequest,
  WorkerResults,
} from '../protocol/worker/workerProtocol';
import type { ExplainRequest, ExplainResults } from '../protocol/worker/explainProtocol';
import { readSettings } from './settings';
import { assertWorkspaceTrusted } from './workspaceTrust';
import type { ProgressReporter } from '../analysis/inspectionSession';

export class ModelService implements vscode.Disposable {
  private readonly client: WorkerClient;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('cnn-inspector');
  private readonly statusItem = vscode.window.createStatusBarItem(
    'cnnInspector.backend',
    vscode.StatusBarAlignment.Right,
    100,
  );
  lastError: string | undefined;

  constructor(
    extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.client = new WorkerClient({
      workerScript: vscode.Uri.joinPath(extensionUri, 'dist', 'worker.js').fsPath,
      memoryLimitMb: readSettings().workerMemoryLimitMb,
      gate: assertWorkspaceTrusted,
      log: (line) => log.info(line),
    });
    this.statusItem.name = 'CNN Inspector backend';
    this.statusItem.command = COMMAND.showLog;
  }

  config(): WorkerConfig {
    const settings = readSettings();
    return {
      backend: settings.backend,
      engine: settings.engine,
      searchDirs: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
      maxImageMegapixels: settings.maxImageMegapixels,
      wasmThreads: settings.wasmThreads,
      engineThreads: settings.engineThreads,
    };
  }

  /** `onStep`: each step as the worker reports it, and the layers once the model is built. */
  loadModel(
    model: ModelRef,
    reload = false,
    signal?: AbortSignal,
    onStep?: ProgressReporter,
    panelShowsProgress?: () => boolean,
  ) {
    return this.run(
      { type: 'loadModel', config: this.config(), model, reload },
      `Loading ${label(model)}`,
      signal,
      onStep,
      panelShowsProgress,
    ).then((loaded) => {
      this.diagnostics.delete(vscode.Uri.file(model.file));
      this.showBackend(loaded.backend, loaded.backendNotes);
      if (loaded.engineFallback) this.log.warn(`${label(model)}: ${loaded.engineFallback}`);
      return loaded;
    });
  }

  runInput(
    model: ModelRef,
    inputSource: string,
    signal?: AbortSignal,
    onStep?: ProgressReporter,
    panelShowsProgress?: () => boolean,
  ) {
    return this.run(
      { type: 'runInput', config: this.config(), model, inputSource },
      `Running ${label(model)}`,
      signal,
      onStep,
      panelShowsProgress,
    );
  }

  getLayer(
    model: ModelRef,
    inputSource: string,
    layerName: string,
    panelShowsProgress?: () => boolean,
  ) {
    return this.run(
      { type: 'getLayer', config: this.config(), model, inputSource, layerName },
      `Computing ${layerName}`,
      undefined,
      undefined,
      panelShowsProgress,
    );
  }

  /** The explanation requests (arithmetic, projections, filters) on the image's forward pass. */
  explain<T extends ExplainRequest['type']>(
    message: Extract<RequestWithoutId<ExplainRequest>, { type: T }>,
    signal?: AbortSignal,
  ): Promise<ExplainResults[T]> {
    const request = message as Extract<RequestWithoutId, { type: T }>;
    return this.run(request, `Explaining ${message.layerName}`, signal) as Promise<
      ExplainResults[T]
    >;
  }

  /** A worker request without the progress notification (the gallery shows its own progress). */
  request<T extends WorkerRequest['type']>(
    message: Extract<RequestWithoutId, { type: T }>,
    signal?: AbortSignal,
    onProgress?: (message: string) => void,
  ): Promise<WorkerResults[T]> {
    return this.client.request(message, {
      timeoutMs: readSettings().modelTimeoutSeconds * 1000,
      signal,
      onProgress,
    });
  }

  /** `cnnInspector.workerMemoryLimitMb` changed: the next worker starts with the new limit. */
  applyMemoryLimit(): void {
    this.client.setMemoryLimit(readSettings().workerMemoryLimitMb);
    this.restartWorker('with the new memory limit');
  }

  /**
   * A new worker; the requests in flight run again on it (a panel that was loading keeps loading,
   * with the settings of now). `why` completes "The model worker was restarted …".
   */
  restartWorker(why = 'by the user'): void {
    this.client.restart(new WorkerRestarted(why));
    this.log.info(`Model worker restarted ${why}.`);
  }

  /**
   * Shows the error to the user, in the Problems view when it has a location, and in the log; as
   * a toast too unless `toast` is false (the panel the user is looking at already shows it).
   */
  report(error: unknown, { toast = true }: { toast?: boolean } = {}): void {
    if (error instanceof InspectorError && error.kind === 'cancelled') {
      this.log.info('Cancelled.');
      return;
    }
    const message = errorMessage(error);
    this.lastError = message;
    this.log.error(message);
    if (error instanceof InspectorError && error.detail) this.log.error(error.detail);
    if (error instanceof InspectorError && error.location) {
      const { file, line, column } = error.location;
      const position = new vscode.Position(line - 1, Math.max(0, column - 1));
      const diagnostic = new vscode.Diagnostic(
        new vscode.Range(position, position.translate(0, 1000)),
        message,
        vscode.DiagnosticSeverity.Error,
      );
      diagnostic.source = 'CNN Inspector';
      this.diagnostics.set(vscode.Uri.file(file), [diagnostic]);
      this.log.error(`at ${formatLocation(error.location)}`);
      if (!toast) return;
      void vscode.window.showErrorMessage(message, 'Open File', 'Show Log').then((choice) => {
        if (choice === 'Open File')
          void vscode.window.showTextDocument(vscode.Uri.file(file), {
            selection: new vscode.Range(position, position),
          });
        if (choice === 'Show Log') this.log.show();
      });
      return;
    }
    if (!toast) return;
    void vscode.window.showErrorMessage(message, 'Show Log').then((choice) => {
      if (choice === 'Show Log') this.log.show();
    });
  }

  dispose(): void {
    this.client.dispose();
    this.diagnostics.dispose();
    this.statusItem.dispose();
  }

  private async run<T extends WorkerRequest['type']>(
    message: Extract<RequestWithoutId, { type: T }>,
    title: string,
    signal?: AbortSignal,
    onStep?: ProgressReporter,
    panelShowsProgress?: () => boolean,
  ): Promise<WorkerResults[T]> {
    assertWorkspaceTrusted(); // before the notification; the client checks again
    const started = Date.now();
    // The notification appears only for slow steps, so quick layer switches do not flash it,
    // and only while no visible panel shows the progress itself (its line, with a Cancel
    // button): progress in one place. A panel hidden during the step hands over to it.
    const controller = new AbortController();
    signal?.addEventListener('abort', () => controller.abort(), { once: true });
    let progressMessage = title;
    let reportProgress: ((m: string) => void) | undefined;
    // A restart this request did not cause runs it again, with the settings of now.
    const withCurrentConfig = (): typeof message =>
      'config' in message ? { ...message, config: this.config() } : message;
    const work = requestSurvivingRestarts<T>(this.client, withCurrentConfig, {
      timeoutMs: readSettings().modelTimeoutSeconds * 1000,
      signal: controller.signal,
      onProgress: (m, built) => {
        progressMessage = m;
        this.log.debug(m);
        reportProgress?.(m);
        onStep?.(m, built);
      },
    });
    const delay = setInterval(() => {
      if (panelShowsProgress?.()) return;
      clearInterval(delay);
      void vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: 'CNN Inspector',
          cancellable: true,
        },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          reportProgress = (m) => progress.report({ message: m });
          reportProgress(progressMessage);
          return work.catch(() => undefined);
        },
      );
    }, 400);
    try {
      const result = await work;
      this.log.info(`${title}: ${Date.now() - started} ms`);
      return result;
    } finally {
      clearInterval(delay);
    }
  }

  private showBackend(backend: string, notes: string[]): void {
    this.statusItem.text = `$(pulse) CNN: ${backend}`;
    this.statusItem.tooltip = `CNN Inspector runs models on the ${backend} backend.\n${notes.join('\n')}\nClick for the log.`;
    this.statusItem.show();
  }
}

function label(model: ModelRef): string {
  const base = model.file.split(/[\\/]/).pop();
  return model.exportName && model.exportName !== 'default'
    ? `${base} › ${model.exportName}`
    : `${base}`;
}
