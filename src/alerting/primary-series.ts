import type { Alert } from '../domain/alert.js';

/** The series an alert is headlined by: firing first, then the most specific name, then the highest score. */
export function primarySeries(alert: Pick<Alert, 'members'>, specificity: (series: string) => number): string {
  const ranked = [...alert.members].sort((a, b) => {
    const fa = a.firingSince !== null ? 1 : 0;
    const fb = b.firingSince !== null ? 1 : 0;
    if (fa !== fb) return fb - fa;
    const sa = specificity(a.series);
    const sb = specificity(b.series);
    if (sa !== sb) return sb - sa;
    return (b.peak?.score ?? 0) - (a.peak?.score ?? 0) || a.since - b.since;
  });
  return ranked[0]?.series ?? '';
}
