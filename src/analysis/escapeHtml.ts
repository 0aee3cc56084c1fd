/** Text made safe inside HTML text and quoted attributes (the panel's and the report's titles). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
