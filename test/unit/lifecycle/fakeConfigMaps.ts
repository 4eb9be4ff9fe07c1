// An in-memory stand-in for the episode ConfigMaps, with resourceVersion conflicts as the API server
// has them, for unit tests of the store's logic (its API calls run against a real API server in
// test/integration/episodes.test.ts).
import type { EpisodeConfigMaps, StoredConfigMap } from '../../../src/kube/episodeConfigMaps.js';

const apiError = (code: number, reason: string) =>
  Object.assign(new Error(reason), { code, body: JSON.stringify({ reason, message: reason }) });

export class FakeConfigMaps implements EpisodeConfigMaps {
  readonly maps = new Map<string, StoredConfigMap>();
  private rv = 1;
  calls = { get: 0, create: 0, patch: 0, list: 0, delete: 0 };
  /** Runs before the next write: lets a test change the object underneath (another writer). */
  beforeWrite?: () => void;

  async get(name: string) {
    this.calls.get++;
    const cm = this.maps.get(name);
    return cm ? structuredClone(cm) : undefined;
  }
  async create(name: string, labels: Record<string, string>, data: Record<string, string>) {
    this.calls.create++;
    this.takeHook();
    if (this.maps.has(name)) throw apiError(409, 'AlreadyExists');
    const cm = { name, resourceVersion: String(++this.rv), labels, data: { ...data } };
    this.maps.set(name, cm);
    return structuredClone(cm);
  }
  async patch(name: string, resourceVersion: string, data: Record<string, string | null>) {
    this.calls.patch++;
    this.takeHook();
    const cm = this.maps.get(name);
    if (!cm) throw apiError(404, 'NotFound');
    if (cm.resourceVersion !== resourceVersion) throw apiError(409, 'Conflict');
    for (const [k, v] of Object.entries(data)) {
      if (v === null) delete cm.data[k];
      else cm.data[k] = v;
    }
    cm.resourceVersion = String(++this.rv);
    return structuredClone(cm);
  }
  async list(selector: string) {
    this.calls.list++;
    const wanted = selector.split(',').map((s) => s.split('='));
    return [...this.maps.values()]
      .filter((cm) => wanted.every(([k, v]) => (v === undefined ? k! in cm.labels : cm.labels[k!] === v)))
      .map((cm) => structuredClone(cm));
  }
  async delete(name: string) {
    this.calls.delete++;
    this.maps.delete(name);
  }
  get writes() {
    return this.calls.create + this.calls.patch;
  }
  private takeHook() {
    const hook = this.beforeWrite;
    this.beforeWrite = undefined;
    hook?.();
  }
}
