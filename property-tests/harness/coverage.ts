// What the generated runs actually exercised (answers by command kind, invariant-relevant events), so a test
// can insist that the generator reaches the interesting cases instead of passing on trivial ones.
export const coverage = new Map<string, number>();

export function seen(what: string): void {
  coverage.set(what, (coverage.get(what) ?? 0) + 1);
}

export function resetCoverage(): void {
  coverage.clear();
}
