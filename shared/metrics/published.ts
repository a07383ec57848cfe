/**
 * Published accuracy on IM2GPS3K (%, at 1/25/200/750/2500 km), as printed in the
 * main results table of the Geo-R paper ("Vision-Language Reasoning for
 * Geolocalization: A Reinforcement Learning Approach", AAAI 2026, arXiv:2601.00388).
 * Each row also names the method's own paper. These are references only: they compare
 * like for like only with a run on the IM2GPS3K test set (2,997 photos), scored with d ≤ t.
 */
export const PUBLISHED_THRESHOLDS_KM = [1, 25, 200, 750, 2500] as const;

export interface PublishedResult {
  method: string;
  type: 'retrieval-free' | 'retrieval';
  /** The method's own paper. */
  paper: string;
  /** Where these numbers were read. */
  source: string;
  dataset: 'IM2GPS3K';
  /** Percent at PUBLISHED_THRESHOLDS_KM, null where the table prints "–". */
  accuracyPct: readonly (number | null)[];
}

const GEO_R_TABLE = 'Geo-R paper (AAAI 2026, arXiv:2601.00388), main results table';

export const PUBLISHED_IM2GPS3K: readonly PublishedResult[] = [
  {
    method: 'Geo-R',
    type: 'retrieval-free',
    paper: 'Vision-Language Reasoning for Geolocalization: A Reinforcement Learning Approach (AAAI 2026, arXiv:2601.00388)',
    source: GEO_R_TABLE,
    dataset: 'IM2GPS3K',
    accuracyPct: [18.1, 41.53, 58.31, 75.33, 86.42],
  },
  {
    method: 'GeoCLIP',
    type: 'retrieval-free',
    paper: 'GeoCLIP: Clip-Inspired Alignment between Locations and Images (Vivanco Cepeda et al., NeurIPS 2023)',
    source: GEO_R_TABLE,
    dataset: 'IM2GPS3K',
    accuracyPct: [14.11, 34.47, 50.65, 69.67, 83.82],
  },
  {
    method: 'GLOBE',
    type: 'retrieval-free',
    paper: 'Recognition through Reasoning: Reinforcing Image Geo-localization with Large Vision-Language Models (NeurIPS 2025, arXiv:2506.14674)',
    source: GEO_R_TABLE,
    dataset: 'IM2GPS3K',
    accuracyPct: [null, 40.18, 56.19, 71.45, null],
  },
  {
    method: 'GeoDecoder',
    type: 'retrieval-free',
    paper: 'Where We Are and What We\u2019re Looking At: Query Based Worldwide Image Geo-localization Using Hierarchies and Scenes (Clark et al., CVPR 2023)',
    source: GEO_R_TABLE,
    dataset: 'IM2GPS3K',
    accuracyPct: [12.8, 33.5, 45.9, 61.0, 76.1],
  },
  {
    method: 'Geo-Ranker',
    type: 'retrieval',
    paper: 'GeoRanker: Distance-Aware Ranking for Worldwide Image Geolocalization (Jia et al., 2025)',
    source: GEO_R_TABLE,
    dataset: 'IM2GPS3K',
    accuracyPct: [18.79, 45.05, 61.49, 76.31, 89.29],
  },
  {
    method: 'G3',
    type: 'retrieval',
    paper: 'G3: An Effective and Adaptive Framework for Worldwide Geolocalization Using Large Multi-Modality Models (Jia et al., NeurIPS 2024)',
    source: GEO_R_TABLE,
    dataset: 'IM2GPS3K',
    accuracyPct: [16.65, 40.94, 55.56, 71.24, 84.68],
  },
  {
    method: 'PIGEON',
    type: 'retrieval',
    paper: 'PIGEON: Predicting Image Geolocations (Haas et al., CVPR 2024)',
    source: GEO_R_TABLE,
    dataset: 'IM2GPS3K',
    accuracyPct: [11.3, 36.7, 53.8, 72.4, 85.3],
  },
];
