// What every storm's result starts with: which scenario, at what sizes, against which targets, under
// which Telegram limits (the emulator's defaults: Telegram's own), and in words how it was set up.
import { DEFAULT_LIMITS } from '../../test/emulator/limits.js';

export interface StormHead<Scenario extends string, Sizes, Targets> {
  scenario: Scenario;
  sizes: Sizes;
  targets: Targets;
  emulatorLimits: typeof DEFAULT_LIMITS;
  setup: string;
}

export function stormHead<Scenario extends string, Sizes, Targets>(
  scenario: Scenario,
  sizes: Sizes,
  targets: Targets,
  setup: string,
): StormHead<Scenario, Sizes, Targets> {
  return { scenario, sizes, targets, emulatorLimits: DEFAULT_LIMITS, setup };
}
