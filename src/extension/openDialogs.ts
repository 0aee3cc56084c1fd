/**
 * The pickers the commands share: one folder, one file, and a quick pick of workspace files that
 * ends in a "Browse…" item opening the file dialog.
 */
import * as vscode from 'vscode';

/** One folder from the open dialog, starting in `near` when given. */
export async function pickFolderDialog(title: string, near?: string): Promise<string | undefined> {
  const chosen = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    ...(near ? { defaultUri: vscode.Uri.file(near) } : {}),
    title,
  });
  return chosen?.[0]?.fsPath;
}

/** One file of the `filters` kinds from the open dialog. */
export async function pickFileDialog(
  title: string,
  filters: Record<string, string[]>,
  more: Pick<vscode.OpenDialogOptions, 'defaultUri' | 'openLabel'> = {},
): Promise<string | undefined> {
  const chosen = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    filters,
    title,
    ...more,
  });
  return chosen?.[0]?.fsPath;
}

/** A quick pick item that stands for a file (`path`), or a separator. */
export type FileItem = vscode.QuickPickItem & { path?: string };

const BROWSE = '$(folder-opened) Browse\u2026';

/**
 * A quick pick of `items` with a last "Browse…" item (described by `browse.description`) that
 * opens the file dialog: the picked item's path, the browsed file, or undefined when cancelled.
 */
export async function pickFileOrBrowse(
  items: FileItem[],
  options: vscode.QuickPickOptions,
  browse: { description: string; title: string; filters: Record<string, string[]> },
): Promise<string | undefined> {
  const picked = await vscode.window.showQuickPick(
    [...items, { label: BROWSE, description: browse.description }],
    options,
  );
  if (!picked) return undefined;
  if (picked.path) return picked.path;
  return pickFileDialog(browse.title, browse.filters);
}
