/** True for a plain object (not null, not an array): narrows parsed JSON before reading its fields. */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
