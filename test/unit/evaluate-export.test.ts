import { describe, expect, it } from 'vitest';
import { compareCsv, csvCell, publishedCsv, slug, toCsv } from '../../renderer/src/lib/evaluate-export.js';
import { errorColor, ERROR_BANDS, kmText, NO_PREDICTION, pct } from '../../renderer/src/lib/evaluate-format.js';
import type { RunComparison } from '../../shared/rpc/evaluate-methods.js';

describe('evaluate report export', () => {
  it('quotes CSV cells and defuses spreadsheet formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell(-3.5)).toBe('-3.5'); // numbers stay numbers
    expect(csvCell(null)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
    expect(toCsv(['a', 'b'], [[1, 'x'], [null, 2]])).toBe('a,b\n1,x\n,2\n');
  });

  it('writes the published table with each source, and the comparison with the shared count', () => {
    const p = publishedCsv();
    expect(p.header).toEqual(['method', 'type', 'dataset', 'acc_1km_pct', 'acc_25km_pct', 'acc_200km_pct', 'acc_750km_pct', 'acc_2500km_pct', 'paper', 'source']);
    expect(p.rows).toHaveLength(7);
    expect(p.rows[2]?.slice(0, 8)).toEqual(['GLOBE', 'retrieval-free', 'IM2GPS3K', null, 40.18, 56.19, 71.45, null]);
    const c: RunComparison = {
      mode: 'first',
      thresholdsKm: [1, 25],
      shared: 2,
      cdfKm: [1, 25],
      runs: [
        {
          run: { id: 4, name: 'a', model: null, datasetId: 1, datasetName: 'd', description: null },
          answered: 3,
          metrics: { n: 2, predicted: 2, accuracy: [{ km: 1, rate: 0 }, { km: 25, rate: 0.5 }], medianKm: 30, meanKm: 40 },
          cdf: [0, 0.5],
        },
      ],
    };
    expect(toCsv(compareCsv(c).header, compareCsv(c).rows)).toBe(
      'run_id,run,model,shared_photos,answered_photos,n,predicted,acc_1km,acc_25km,median_km,mean_km\n4,a,,2,3,2,2,0,0.5,30,40\n',
    );
    expect(slug('Geographic prior baseline (medoid)!')).toBe('geographic-prior-baseline-medoid');
  });

  it('formats figures and colours errors by the accuracy bands', () => {
    expect(pct(0.1234)).toBe('12.34 %');
    expect(pct(null)).toBe('–');
    expect(kmText(3.14159)).toBe('3.14 km');
    expect(kmText(12345.6)).toBe('12,346 km');
    expect(errorColor(1)).toBe(ERROR_BANDS[0]!.color);
    expect(errorColor(1.0001)).toBe(ERROR_BANDS[1]!.color);
    expect(errorColor(30000)).toBe(ERROR_BANDS.at(-1)!.color);
    expect(errorColor(null)).toBe(NO_PREDICTION.color);
  });
});
