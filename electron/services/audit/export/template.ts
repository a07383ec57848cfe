/**
 * The answer text of an exported sample, from an editable template. The default is
 * Geo-R's four-level Chain-of-Region answer (paper figure):
 * `Country: Japan State: Hokkaidō City: Biei Town Coordinates: (43.452002, 142.615358)`.
 * Placeholders: {country} {country_code} {region} {region_code} {city} {lat} {lon};
 * a missing level is written as "Unknown"; coordinates with 6 decimals.
 */
import { ErrorCode, RpcError } from '../../../../shared/rpc/errors.js';

export const DEFAULT_TEMPLATE = 'Country: {country} State: {region} City: {city} Coordinates: ({lat}, {lon})';

export const PLACEHOLDERS = ['country', 'country_code', 'region', 'region_code', 'city', 'lat', 'lon'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export const UNKNOWN = 'Unknown';

/** Refuses unknown placeholders and a template without coordinates (GRPO rewards need them). */
export function checkTemplate(template: string): void {
  const used = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '');
  const unknown = used.filter((u) => !(PLACEHOLDERS as readonly string[]).includes(u));
  if (unknown.length > 0) {
    throw new RpcError(
      ErrorCode.BadInput,
      `template: unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `{${u}}`).join(', ')}; known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
    );
  }
  if (!used.includes('lat') || !used.includes('lon')) throw new RpcError(ErrorCode.BadInput, 'template: {lat} and {lon} are required');
}

export function renderTemplate(template: string, values: Record<Placeholder, string | number | null>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, key: string) => {
    if (!(PLACEHOLDERS as readonly string[]).includes(key)) return whole;
    const v = values[key as Placeholder];
    if (v === null || v === '') return UNKNOWN;
    return typeof v === 'number' ? v.toFixed(6) : v;
  });
}
