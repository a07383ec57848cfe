/**
 * Group indexes of the three breakdowns from a photo's label, with two map look-ups
 * per row: the country code, then the region within that country; the continent
 * follows from the country without a look-up of its own.
 */
import { GroupIndex } from './breakdown.js';
import { CONTINENTS, continentOf } from './continents.js';

export const NO_LABEL = 'No country (open water or unlabelled)';
export const NO_CONTINENT = 'No continent (open water or unlabelled)';

export class LabelGroups {
  readonly continents = new GroupIndex();
  readonly countries = new GroupIndex();
  readonly regions = new GroupIndex();
  private readonly continentOfCountry: number[] = [];
  private readonly regionsOfCountry: Map<string, number>[] = [];

  /** Group of a country code ('' or null: no label); `name` labels it the first time. */
  country(countryCode: string | null, name: string | null): number {
    const cc = countryCode ?? '';
    const before = this.countries.size;
    const g = this.countries.index(cc, cc ? `${name ?? cc} (${cc})` : NO_LABEL);
    if (g === before) {
      const cont = continentOf(cc);
      this.continentOfCountry.push(this.continents.index(cont ?? '', cont ? CONTINENTS[cont] : NO_CONTINENT));
      this.regionsOfCountry.push(new Map());
    }
    return g;
  }

  continent(countryGroup: number): number {
    return this.continentOfCountry[countryGroup] as number;
  }

  /** Group of a region within a country group. */
  region(countryGroup: number, region: string | null): number {
    const regions = this.regionsOfCountry[countryGroup] as Map<string, number>;
    const name = region ?? '';
    let g = regions.get(name);
    if (g === undefined) {
      const cc = this.countries.keys[countryGroup] ?? '';
      const countryLabel = this.countries.labels[countryGroup] ?? '';
      g = this.regions.index(`${cc}/${name}`, cc ? `${region ?? 'no region'} · ${countryLabel}` : NO_LABEL);
      regions.set(name, g);
    }
    return g;
  }
}
