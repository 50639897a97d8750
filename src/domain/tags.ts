/**
 * What gpuops accepts as an Azure tag key or value from a user before it goes anywhere near a
 * query or filter: a strict allow-list of characters (Azure itself forbids `<>%&\?/` in keys).
 * Pure; no I/O.
 */

/** Letters, digits and `_ . : -`, starting with a letter; at most 64 characters. */
export const TAG_KEY = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

/** Letters, digits and `_ . : - @ +`, at most 128 characters (e-mail addresses pass). */
export const TAG_VALUE = /^[A-Za-z0-9][A-Za-z0-9_.:@+-]{0,127}$/;

export const isTagKey = (text: string): boolean => TAG_KEY.test(text);
export const isTagValue = (text: string): boolean => TAG_VALUE.test(text);

/** A tag's value by any casing of its key (Azure tag keys are case-insensitive). */
export function tagValue(tags: Readonly<Record<string, string>>, key: string): string | undefined {
  const k = key.toLowerCase();
  for (const [name, value] of Object.entries(tags)) if (name.toLowerCase() === k) return value;
  return undefined;
}
