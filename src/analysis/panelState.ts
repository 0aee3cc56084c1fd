/**
 * The panel's saved UI state (`PanelState`: kept in VS Code's webview state, read by the webview
 * and by the host to restore the panel), and the migration of states saved by an earlier version
 * of the extension, read back after an update and a window reload (VS Code keeps a webview's
 * state across both). Fields renamed since, in the order of the renames:
 * - `imagePath` -> `inputSource` (it also carries 1-D signals and `synthetic:` sources),
 * - `whyUnit` -> `explainUnit`.
 * Without this a panel saved before a rename came back once without its image (the host asked
 * for one) or its Why unit. Fields of the wrong type (a hand-edited or damaged state) are dropped
 * rather than passed on, so a restore never fails on them.
 */
export type Normalization = 'layer' | 'channel';

export type PanelTab = 'feature-maps' | 'structure' | 'gallery' | 'why';

/**
 * What the webview keeps in VS Code's webview state: its UI across hide/show, and what the host
 * needs to restore the panel after a window reload (the model, image and layer it showed).
 */
export interface PanelState {
  modelFile?: string;
  exportName?: string;
  /** The image or 1-D signal the panel ran (a file, or a `synthetic:` signal). */
  inputSource?: string;
  layer?: string;
  tab?: PanelTab;
  /** Scroll offset of the main area, per tab. */
  scroll?: Partial<Record<PanelTab, number>>;
  /** The Structure table's sort column (a column key) and direction. */
  structureSort?: { key: string; direction: 'ascending' | 'descending' };
  /** The normalisation chosen in the Feature maps tab (over the setting's default). */
  normalization?: Normalization;
  /** The unit the Why tab explains (no channel: the strongest; no position: its strongest). */
  explainUnit?: { layer: string; channel?: number; position?: number[] };
}

const TABS: readonly PanelTab[] = ['feature-maps', 'structure', 'gallery', 'why'];
const RENAMED: readonly (readonly [old: string, current: keyof PanelState])[] = [
  ['imagePath', 'inputSource'],
  ['whyUnit', 'explainUnit'],
];

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The state in the current shape, or undefined when there is nothing usable. */
export function migratePanelState(saved: unknown): PanelState | undefined {
  if (!isRecord(saved)) return undefined;
  const raw: Record<string, unknown> = { ...saved };
  for (const [old, current] of RENAMED) {
    if (raw[current] === undefined && raw[old] !== undefined) raw[current] = raw[old];
  }
  const state: PanelState = {};
  if (isString(raw.modelFile)) state.modelFile = raw.modelFile;
  if (isString(raw.exportName)) state.exportName = raw.exportName;
  if (isString(raw.inputSource)) state.inputSource = raw.inputSource;
  if (isString(raw.layer)) state.layer = raw.layer;
  if (TABS.includes(raw.tab as PanelTab)) state.tab = raw.tab as PanelTab;
  if (raw.normalization === 'layer' || raw.normalization === 'channel')
    state.normalization = raw.normalization;
  const scroll = scrollOffsets(raw.scroll);
  if (scroll) state.scroll = scroll;
  const sort = raw.structureSort;
  if (
    isRecord(sort) &&
    isString(sort.key) &&
    (sort.direction === 'ascending' || sort.direction === 'descending')
  )
    state.structureSort = { key: sort.key, direction: sort.direction };
  const unit = explainUnit(raw.explainUnit);
  if (unit) state.explainUnit = unit;
  return state;
}

function scrollOffsets(value: unknown): PanelState['scroll'] {
  if (!isRecord(value)) return undefined;
  const scroll: NonNullable<PanelState['scroll']> = {};
  for (const tab of TABS) if (isFiniteNumber(value[tab])) scroll[tab] = value[tab];
  return Object.keys(scroll).length ? scroll : undefined;
}

function explainUnit(value: unknown): PanelState['explainUnit'] {
  if (!isRecord(value) || !isString(value.layer)) return undefined;
  const unit: NonNullable<PanelState['explainUnit']> = { layer: value.layer };
  if (Number.isInteger(value.channel) && (value.channel as number) >= 0)
    unit.channel = value.channel as number;
  if (
    Array.isArray(value.position) &&
    value.position.every((p) => Number.isInteger(p) && (p as number) >= 0)
  )
    unit.position = value.position as number[];
  return unit;
}
