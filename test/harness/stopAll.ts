// What a test file started (operators, Alertmanagers, Prometheus, the emulator), stopped in the order
// given; one that never started (its beforeAll failed first) is passed over.
export interface Stoppable {
  stop: () => Promise<unknown>;
}

export async function stopAll(...started: (Stoppable | undefined)[]): Promise<void> {
  for (const s of started) await s?.stop();
}
