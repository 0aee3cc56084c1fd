/**
 * Where the panel's messages go: the extension host inside VS Code, or the static report's
 * embedded data in a plain browser. The app only sees this interface.
 */
import type { HostToPanel, PanelState, PanelToHost } from '../src/protocol/panelProtocol';

export interface PanelHost {
  post(message: PanelToHost): void;
  onMessage(listener: (message: HostToPanel) => void): void;
  /** What the panel remembers across hide/show and window reloads (VS Code's webview state). */
  getState(): PanelState | undefined;
  setState(state: PanelState): void;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export function vscodeHost(): PanelHost {
  const api = acquireVsCodeApi();
  return {
    post: (message) => api.postMessage(message),
    getState: () => api.getState() as PanelState | undefined,
    setState: (state) => api.setState(state),
    onMessage: (listener) =>
      window.addEventListener('message', (event: MessageEvent<HostToPanel>) =>
        listener(event.data),
      ),
  };
}
