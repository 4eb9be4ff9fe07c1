// Preload for the operator that records what occupies its memory: heap snapshots at chosen moments
// and a process.memoryUsage() (+ V8 heap space) time series. It changes nothing in the operator,
// but each snapshot stops the process for a few seconds (and briefly needs extra memory), so the
// run's timings and RSS figures are not comparable with an unprobed run.
//
//   npm run build
//   BENCH_VARIANT=heapsnap BENCH_OPERATOR_NODE_OPTIONS='--import /work/main/bench/probes/heapsnap.mjs' \
//     tsx bench/run.ts --only scale-10000
//   node --max-old-space-size=4096 bench/probes/heapsnap-analyse.mjs /tmp/heapsnap/<file>.heapsnapshot
//   (then delete bench/results/variants/heapsnap/ — it is not part of the report)
//
// Settings (all optional), from the environment or from the --import URL's query string, which is
// what works under the benchmark (bench/lib/operator.ts passes only NODE_OPTIONS to the operator),
// e.g. '--import /work/main/bench/probes/heapsnap.mjs?at=&interval=1000' (memory series only):
//   HEAPSNAP_DIR          / dir=       where to write (default /tmp/heapsnap)
//   HEAPSNAP_AT           / at=        seconds after process start at which to snapshot, comma-separated
//                                      (default 25,65,150; empty: no snapshots)
//   HEAPSNAP_RSS_MB       / rss=       also snapshot once when RSS first exceeds this many MB (default: off)
//   HEAPSNAP_INTERVAL_MS  / interval=  memoryUsage sampling period (default 5000)
//   HEAPSNAP_ALLOC        / alloc=     sample allocations (V8 sampling heap profiler, garbage included)
//                                      from start until this many seconds, then write
//                                      <pid>-alloc.heapprofile (default: off); summarise it with
//                                      bench/probes/heapsnap-analyse.mjs <file>.heapprofile
// Output: <dir>/<pid>-mem.jsonl (one sample per line, MB) and <dir>/<pid>-<label>.heapsnapshot.
// Every timer is unref()'d: the probe never keeps the process alive.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import v8 from 'node:v8';

const q = new URL(import.meta.url).searchParams;
const setting = (key, env, dflt) => q.get(key) ?? process.env[env] ?? dflt;
const dir = setting('dir', 'HEAPSNAP_DIR', '/tmp/heapsnap');
const at = setting('at', 'HEAPSNAP_AT', '25,65,150')
  .split(',')
  .map(Number)
  .filter((x) => x > 0);
const rssTrigger = Number(setting('rss', 'HEAPSNAP_RSS_MB', 0));
const intervalMs = Number(setting('interval', 'HEAPSNAP_INTERVAL_MS', 5000));
const allocUntil = Number(setting('alloc', 'HEAPSNAP_ALLOC', 0));
mkdirSync(dir, { recursive: true });
const memFile = path.join(dir, `${process.pid}-mem.jsonl`);
const MB = 1024 * 1024;
const mb = (n) => Math.round((n / MB) * 10) / 10;
const t = () => Math.round(process.uptime() * 10) / 10;

function sample(event) {
  const m = process.memoryUsage();
  const spaces = {};
  for (const s of v8.getHeapSpaceStatistics())
    if (s.space_size > 0) spaces[s.space_name.replace(/_space$/, '')] = { size: mb(s.space_size), used: mb(s.space_used_size) };
  const rec = {
    t: t(),
    rss: mb(m.rss),
    heapTotal: mb(m.heapTotal),
    heapUsed: mb(m.heapUsed),
    external: mb(m.external),
    arrayBuffers: mb(m.arrayBuffers),
    spaces,
  };
  if (event) rec.event = event;
  appendFileSync(memFile, `${JSON.stringify(rec)}\n`);
  return m;
}

function snapshot(label) {
  const before = sample(`before-snapshot ${label}`);
  const started = Date.now();
  const file = v8.writeHeapSnapshot(path.join(dir, `${process.pid}-${label}.heapsnapshot`));
  sample(`after-snapshot ${label} (${Date.now() - started} ms, heapUsed before ${mb(before.heapUsed)} MB) ${file}`);
}

sample('start');
let rssDone = !rssTrigger;
setInterval(() => {
  const m = sample();
  if (!rssDone && m.rss > rssTrigger * MB) {
    rssDone = true; // one RSS-triggered snapshot only
    snapshot(`rss${Math.round(m.rss / MB)}-t${Math.round(process.uptime())}`);
  }
}, intervalMs).unref();
for (const s of at) setTimeout(() => snapshot(`t${s}`), s * 1000).unref();

if (allocUntil > 0) {
  const session = new inspector.Session();
  session.connect();
  session.post('HeapProfiler.enable');
  // Every 32 KB allocated on average, one sample with its stack; objects that die young count too.
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 32768,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  setTimeout(() => {
    session.post('HeapProfiler.stopSampling', (err, res) => {
      if (err) sample(`alloc profile failed: ${err.message}`);
      else {
        const file = path.join(dir, `${process.pid}-alloc.heapprofile`);
        writeFileSync(file, JSON.stringify(res.profile));
        sample(`alloc profile written ${file}`);
      }
      session.disconnect();
    });
  }, allocUntil * 1000).unref();
}
