/** Webview entry: picks the host (VS Code, or the static report's embedded data) and starts. */
import { App } from './app';
import { vscodeHost } from './host';
import { reportHost } from './reportHost';

const root = document.getElementById('app')!;
const host = root.dataset.host === 'report' ? reportHost() : vscodeHost();
new App(root, host);
