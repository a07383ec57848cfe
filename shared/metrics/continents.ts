/**
 * ISO 3166-1 alpha-2 country code → continent, as GeoNames assigns them
 * (countryInfo.txt, column "Continent"): Europe includes Russia and Cyprus; Turkey,
 * the Caucasus and the Middle East are Asia; Central America and the Caribbean are
 * North America; South Georgia, Bouvet and the French Southern Lands are Antarctica.
 */
export const CONTINENTS = {
  AF: 'Africa',
  AN: 'Antarctica',
  AS: 'Asia',
  EU: 'Europe',
  NA: 'North America',
  OC: 'Oceania',
  SA: 'South America',
} as const;
export type ContinentCode = keyof typeof CONTINENTS;

const MEMBERS: Record<ContinentCode, string> = {
  AF:
    'AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR MU MW MZ NA NE NG RE RW ' +
    'SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW',
  AN: 'AQ BV GS HM TF',
  AS:
    'AE AF AM AZ BD BH BN BT CC CN CX GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM MN MO MV MY NP OM PH PK PS QA ' +
    'SA SG SY TH TJ TL TM TR TW UZ VN YE',
  EU:
    'AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT ' +
    'RO RS RU SE SI SJ SK SM UA VA XK',
  NA:
    'AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX NI PA PM PR SV SX TC TT US VC VG VI',
  OC: 'AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS',
  SA: 'AR BO BR CL CO EC FK GF GY PE PY SR UY VE',
};

export const CONTINENT_OF: ReadonlyMap<string, ContinentCode> = new Map(
  (Object.keys(MEMBERS) as ContinentCode[]).flatMap((c) => MEMBERS[c].split(' ').map((cc) => [cc, c] as const)),
);

/** The continent of a country code (case-insensitive); null for unknown or missing codes. */
export function continentOf(countryCode: string | null | undefined): ContinentCode | null {
  if (!countryCode) return null;
  return CONTINENT_OF.get(countryCode.trim().toUpperCase()) ?? null;
}
