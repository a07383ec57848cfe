/** What each label flag means, for tooltips and the evidence table. */
import type { FlagName } from '../../../shared/rpc/browse-methods.js';

export const flagNames: FlagName[] = ['ocean', 'near_border', 'far_city', 'region_mismatch', 'disputed'];

export const flagLabels: Record<FlagName, string> = {
  ocean: 'Ocean',
  near_border: 'Near a border',
  far_city: 'Far from a city',
  region_mismatch: 'Region mismatch',
  disputed: 'Disputed territory',
};

export const flagHelp: Record<FlagName, string> = {
  ocean: 'No country polygon contains the point; the nearest land country is offered.',
  near_border: 'Within a few km of another country or region: the chain may name the wrong side.',
  far_city: 'The nearest listed place is far away: the city level is a guess.',
  region_mismatch: "The city's own region differs from the region polygon around the point.",
  disputed: 'The polygon is a disputed or dependent territory.',
};
