/**
 * The distance-curve editor's geometry: which km a pixel stands for, the snap step at
 * each zoom, the knots-range axis and the arrow-key nudges.
 */
import { describe, expect, it } from 'vitest';
import { axisRange, dragKnot, kmToPixel, nudgeKnot, pixelToKm, snapStepKm, snapTo } from '../../renderer/src/lib/reward-curve.js';

// A plot area 640 px wide, as the chart draws it in a narrow card.
const area = { left: 50, right: 690 };
const paper = [0, 750, 2500, 20000];

describe('pixel → km', () => {
  it('maps the plot area linearly onto the axis, and back', () => {
    const full = axisRange('linear');
    expect(pixelToKm(50, full, area, 'linear')).toBe(0);
    expect(pixelToKm(690, full, area, 'linear')).toBe(20000);
    expect(pixelToKm(51, full, area, 'linear')).toBeCloseTo(31.25, 9); // one pixel is 31 km on the whole axis
    expect(kmToPixel(pixelToKm(333, full, area, 'linear'), full, area, 'linear')).toBeCloseTo(333, 9);
  });

  it('maps the log axis geometrically', () => {
    const log = axisRange('log');
    expect(pixelToKm(50, log, area, 'log')).toBeCloseTo(1, 9);
    expect(pixelToKm(690, log, area, 'log')).toBeCloseTo(20000, 6);
    const mid = pixelToKm(370, log, area, 'log');
    expect(mid).toBeCloseTo(Math.sqrt(20000), 6);
    expect(kmToPixel(mid, log, area, 'log')).toBeCloseTo(370, 9);
  });
});

describe('the knots axis', () => {
  it('reaches 1.3 × the largest knot below 20,000 km, rounded up', () => {
    expect(axisRange('knots', paper)).toEqual({ min: 0, max: 3500 }); // 2500 × 1.3 = 3250 → 3500
    expect(axisRange('knots', [0, 750, 3000, 20000])).toEqual({ min: 0, max: 4000 }); // 3900 → 4000
    expect(axisRange('knots', [0, 100, 20000])).toEqual({ min: 0, max: 200 }); // 130 → 200
    expect(axisRange('knots', [0, 20000])).toEqual({ min: 0, max: 20000 });
    expect(axisRange('knots')).toEqual({ min: 0, max: 20000 });
  });
});

describe('snapping', () => {
  it('snaps to a round step no finer than a pixel: 50 km on the whole axis, 10 km on the knots axis', () => {
    expect(snapStepKm(750, axisRange('linear'), area, 'linear')).toBe(50);
    expect(snapStepKm(750, axisRange('knots', paper), area, 'knots')).toBe(10); // 3500 km / 640 px = 5.5 km per px
    expect(snapStepKm(750, axisRange('zoom'), area, 'zoom')).toBe(10);
    expect(snapStepKm(50, axisRange('knots', [0, 100, 20000]), area, 'knots')).toBe(1);
  });

  it('gives finer steps near 0 km on the log axis than far out', () => {
    const log = axisRange('log');
    expect(snapStepKm(10, log, area, 'log')).toBe(1);
    expect(snapStepKm(750, log, area, 'log')).toBe(25);
    expect(snapStepKm(15000, log, area, 'log')).toBe(250);
  });

  it('rounds to the step, with clean decimals for rewards', () => {
    expect(snapTo(763, 10)).toBe(760);
    expect(snapTo(2436.2, 50)).toBe(2450);
    expect(snapTo(0.4449999, 0.01)).toBe(0.44);
    expect(snapTo(0.07 * 3, 0.01)).toBe(0.21);
  });

  it('a small drag on the knots axis moves the 750 km knot a little, onto round km', () => {
    const r = axisRange('knots', paper);
    const at = kmToPixel(750, r, area, 'knots');
    const km = pixelToKm(at + 4, r, area, 'knots'); // 4 px to the right
    const snapped = snapTo(km, snapStepKm(km, r, area, 'knots'));
    expect(snapped).toBe(770);
    expect(dragKnot({ knots_km: paper, values: [1, 0.5, 0.2, 0] }, 1, snapped, 0.5).knots_km).toEqual([0, 770, 2500, 20000]);
  });
});

describe('arrow keys', () => {
  it('move a knot to the next step on its grid, ten steps with Shift', () => {
    expect(nudgeKnot(750, 0.5, 'ArrowRight', false, 10)).toEqual({ km: 760, value: 0.5 });
    expect(nudgeKnot(750, 0.5, 'ArrowLeft', false, 10)).toEqual({ km: 740, value: 0.5 });
    expect(nudgeKnot(753, 0.5, 'ArrowRight', false, 10)).toEqual({ km: 760, value: 0.5 });
    expect(nudgeKnot(753, 0.5, 'ArrowLeft', false, 10)).toEqual({ km: 750, value: 0.5 });
    expect(nudgeKnot(750, 0.5, 'ArrowRight', true, 10)).toEqual({ km: 800, value: 0.5 });
  });

  it('change the reward by 0.01, 0.1 with Shift', () => {
    expect(nudgeKnot(750, 0.5, 'ArrowUp', false, 10)).toEqual({ km: 750, value: 0.51 });
    expect(nudgeKnot(750, 0.5, 'ArrowDown', true, 10)).toEqual({ km: 750, value: 0.4 });
    // dragKnot keeps the reward in [0, 1]
    const up = nudgeKnot(0, 1, 'ArrowUp', false, 10);
    expect(dragKnot({ knots_km: paper, values: [1, 0.5, 0.2, 0] }, 0, up.km, up.value).values[0]).toBe(1);
  });
});
