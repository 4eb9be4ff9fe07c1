// The episode store's contract kept in a Map, for tests that need episodes but not their ConfigMaps:
// copies go in and out, as the ConfigMap store hands them, so a test cannot change a kept episode
// behind the store's back.
import type { Episode, EpisodeStore } from '../../src/lifecycle/episode.js';

export function memoryEpisodeStore(episodes: Map<string, Episode>): EpisodeStore {
  return {
    get: async (id) => structuredClone(episodes.get(id)),
    update: async (id, change) => {
      const cur = episodes.get(id);
      const next = cur && change(structuredClone(cur));
      if (next) episodes.set(id, next);
      return structuredClone(next);
    },
  };
}
