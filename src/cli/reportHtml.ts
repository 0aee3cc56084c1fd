/**
 * The self-contained HTML report: the panel's own webview bundle and stylesheet inlined, with the
 * model's data embedded, so it opens in any browser from disk with no server and no network.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_DATA_ELEMENT_ID, type ReportData } from '../protocol/reportData';
import { escapeHtml } from '../analysis/escapeHtml';

/** `<` is escaped so no data or code can close the surrounding tag early. */
function inlineSafe(text: string): string {
  return text.replace(/<\/(script|style)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** A CSP source allowing exactly this inline element's text. */
function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export function renderReportHtml(data: ReportData, assetsRoot: string): string {
  const script = inlineSafe(readFileSync(join(assetsRoot, 'dist', 'webview.js'), 'utf8'));
  const css = inlineSafe(readFileSync(join(assetsRoot, 'dist', 'panel.css'), 'utf8'));
  const theme = inlineSafe(readFileSync(join(assetsRoot, 'media', 'report-theme.css'), 'utf8'));
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const title = `CNN Inspector report: ${data.summary.exportName === 'default' ? data.summary.modelName : data.summary.exportName}`;
  // Hashes instead of 'unsafe-inline': only the report's own script and styles run, so markup that
  // slipped through escaping (in a report someone shares) cannot execute or restyle the page.
  const csp = [
    "default-src 'none'",
    'img-src data: blob:',
    `style-src ${cspHash(theme)} ${cspHash(css)}`,
    `script-src ${cspHash(script)}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${escapeHtml(title)}</title>
<style>${theme}</style>
<style>${css}</style>
</head>
<body>
<div id="app" data-host="report"></div>
<script type="application/json" id="${REPORT_DATA_ELEMENT_ID}">${json}</script>
<script>${script}</script>
</body>
</html>
`;
}
