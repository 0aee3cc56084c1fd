import * as vscode from 'vscode';

/**
 * The editor group to show a model's source in from its panel: the group already showing the file,
 * else the first group, unless the panel is there (opened before any editor): then the next group,
 * beside it. Showing the source over the panel would hide the panel, and a hidden webview drops
 * what the host sends it.
 */
export function sourceColumn(
  file: vscode.Uri,
  panelColumn: vscode.ViewColumn | undefined,
): vscode.ViewColumn {
  const shown = vscode.window.visibleTextEditors.find(
    (e) => e.document.uri.toString() === file.toString() && e.viewColumn !== panelColumn,
  );
  if (shown?.viewColumn) return shown.viewColumn;
  return panelColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
}
