import { describe, expect, it } from 'vitest';
import {
  clearRevert,
  countsReturnEvidence,
  gaussianReturnEvidence,
  holdElapse,
  holdScore,
  holdState,
  isBaselineFrozen,
  isHolding,
  isRearmed,
  isRearming,
  isReturnToNormal,
  rebaseEnded,
  shouldAlert,
  ESCALATE_RATIO,
  REARM_EVIDENCE,
  type HoldSettings,
} from '../../../src/detect/hold-policy.js';

const settings: HoldSettings = { cooldown: 5, rebase: 2, rearm: 3, armScore: 0.5 };

describe('hold policy (alert once per incident, re-arm when it is over)', () => {
  it('arms on a strong score, then suppresses repeats for the cooldown', () => {
    const state = holdState();
    expect(holdScore(state, settings, 0.3, 2, 10, 'up')).toBe(0.3);
    expect(isHolding(state)).toBe(false);
    expect(holdScore(state, settings, 0.8, 20, 10, 'up')).toBe(0.8);
    expect(state).toMatchObject({ holdLeft: 5, revertLevel: 10, revertDir: 1, revertLeft: 20, rebaseLeft: 2 });
    expect(shouldAlert(state, settings, 0.8, 0.5, true)).toBe(true);
    const scores = [0.7, 0.75, 0.6, 0.7, 0.7].map((raw) => {
      holdElapse(state, 1, 0);
      return holdScore(state, settings, raw, 30, 12, 'up');
    });
    expect(scores).toEqual([0, 0, 0, 0, 0]);
    holdElapse(state, 1, 0);
    expect(holdScore(state, settings, 0.6, 15, 12, 'up')).toBe(0.6);
  });

  it('lets a much stronger event through during a hold (escalation: ESCALATE_RATIO times the evidence)', () => {
    const state = holdState();
    holdScore(state, settings, 0.8, 20, 10, 'down');
    expect(holdScore(state, settings, 0.9, ESCALATE_RATIO * 20 - 1, 10, 'down')).toBe(0);
    expect(holdScore(state, settings, 0.99, ESCALATE_RATIO * 20, 10, 'down')).toBe(0.99);
  });

  it('counts the cooldown between alerts in points, missing ones included', () => {
    const state = holdState();
    expect(shouldAlert(state, settings, 0.9, 0.5, true)).toBe(true);
    holdElapse(state, 3, 2);
    expect(shouldAlert(state, settings, 0.9, 0.5, true)).toBe(false);
    holdElapse(state, 3, 2);
    expect(shouldAlert(state, settings, 0.9, 0.5, false)).toBe(false);
    expect(shouldAlert(state, settings, 0.9, 0.5, true)).toBe(true);
  });

  it('takes a move back towards the old baseline as the incident ending', () => {
    const state = holdState();
    holdScore(state, settings, 0.8, 20, 10, 'up'); // baseline 10, the series jumped up
    expect(isReturnToNormal(state, 'down', 11, 10, 30)).toBe(true);
    expect(isReturnToNormal(state, 'down', 29, 10, 30)).toBe(false);
    expect(isReturnToNormal(state, 'up', 11, 10, 30)).toBe(false);
    expect(state.revertLeft).toBe(17);
  });

  it('re-arms once the evidence for the old baseline reaches REARM_EVIDENCE and `rearm` points in a row were back in band', () => {
    const state = holdState();
    holdScore(state, settings, 0.8, 20, 10, 'up');
    expect(isRearming(state, settings)).toBe(true);
    const step = REARM_EVIDENCE / 2;
    // Evidence for the incident's level (negative) pulls the sum back to 0; a point out of band restarts the run.
    const rearmed = [
      [step, true],
      [-3 * step, true],
      [step, true],
      [step, false],
      [step, true],
      [step, true],
      [0, true],
    ].map(([evidence, inBand]) => isRearmed(state, settings, evidence as number, inBand as boolean));
    expect(rearmed).toEqual([false, false, false, false, false, false, true]);
    expect(state.holdLeft).toBe(0);
    expect(isRearming(state, settings)).toBe(false);
    expect(shouldAlert(state, settings, 0.9, 0.5, true)).toBe(true);
    clearRevert(state);
    expect(state).toMatchObject({ revertLeft: 0, rebaseLeft: 0, normalRun: 0, returnEvidence: 0 });
  });

  it('never re-arms with `rearm` 0, nor outside a hold', () => {
    const never: HoldSettings = { ...settings, rearm: 0 };
    const state = holdState();
    expect(isRearmed(state, settings, 100, true)).toBe(false);
    holdScore(state, never, 0.8, 20, 10, 'up');
    expect(isRearmed(state, never, 100, true)).toBe(false);
    expect(state.holdLeft).toBe(5);
  });

  it('weighs each point as the log-likelihood ratio of the old baseline against the incident level', () => {
    // Counts: a zero where 1 was normal and 5 the incident's level; a 5 favours the incident; φ scales it down.
    expect(countsReturnEvidence(0, 1, 5, 1)).toBeCloseTo(4, 10);
    expect(countsReturnEvidence(5, 1, 5, 1)).toBeCloseTo(5 * Math.log(1 / 5) + 4, 10);
    expect(countsReturnEvidence(0, 1, 5, 2)).toBeCloseTo(2, 10);
    // Normal: the midpoint is neutral; the old value itself gives (shift / σ)² / 2.
    expect(gaussianReturnEvidence(11.5, 10, 13, 1)).toBeCloseTo(0, 10);
    expect(gaussianReturnEvidence(10, 10, 13, 1)).toBeCloseTo(4.5, 10);
    expect(gaussianReturnEvidence(13, 10, 13, 2)).toBeCloseTo(-9 / 8, 10);
  });

  it('ends the fast re-baselining after `rebase` points', () => {
    const state = holdState();
    holdScore(state, settings, 0.8, 20, 10, 'up');
    expect([rebaseEnded(state), rebaseEnded(state), rebaseEnded(state)]).toEqual([false, true, false]);
  });

  it('freezes the baseline for the first half of the re-baselining only (and not at all when it is one point)', () => {
    const long: HoldSettings = { cooldown: 20, rebase: 6, rearm: 0, armScore: 0.5 };
    const state = holdState();
    expect(isBaselineFrozen(state, long)).toBe(false);
    holdScore(state, long, 0.9, 20, 10, 'down');
    const frozen: boolean[] = [];
    for (let i = 0; i < 7; i++) {
      frozen.push(isBaselineFrozen(state, long));
      rebaseEnded(state);
    }
    expect(frozen).toEqual([true, true, true, false, false, false, false]);
    const hourly: HoldSettings = { ...long, rebase: 1 };
    const other = holdState();
    holdScore(other, hourly, 0.9, 20, 10, 'down');
    expect(isBaselineFrozen(other, hourly)).toBe(false);
  });
});
