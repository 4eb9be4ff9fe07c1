// Reads a .heapsnapshot written by bench/probes/heapsnap.mjs (or any V8 heap snapshot) without
// JSON.parse of the whole file (V8 strings stop at 512 MB), computes the dominator tree and prints:
// self and retained size by constructor, string families (digits folded) and duplicated strings,
// the biggest objects by retained size, the operator's per-channel structures (watch cache, queue,
// reconciler, relay, …: retained size and entry counts) and the shape of one cached channel.
//
//   node --max-old-space-size=4096 bench/probes/heapsnap-analyse.mjs /tmp/heapsnap/<pid>-t150.heapsnapshot [channels=10000]
//   node bench/probes/heapsnap-analyse.mjs /tmp/heapsnap/<pid>-alloc.heapprofile   (allocation sampling: who allocates)
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const CHANNELS = Number(process.argv[3] ?? 10000);
if (!file) throw new Error('usage: heapsnap-analyse.mjs <file.heapsnapshot|file.heapprofile> [channels]');
const buf = readFileSync(file);

/** Sampling heap profile (garbage included): bytes allocated by function, by the nearest operator frame, by package. */
function allocationReport(profile) {
  const byFn = new Map();
  const byOwn = new Map();
  const byPkg = new Map();
  const byStack = new Map();
  let total = 0;
  const where = (f) =>
    `${f.functionName || '(anonymous)'} ${f.url.replace(/^file:\/\/\/work\/main\//, '').replace(/^.*node_modules\//, '')}:${f.lineNumber + 1}`;
  const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);
  const walk = (node, stack) => {
    const s = [...stack, node.callFrame];
    if (node.selfSize) {
      total += node.selfSize;
      add(byFn, where(node.callFrame), node.selfSize);
      const own = [...s].reverse().find((f) => f.url.includes('/dist/'));
      add(byOwn, own ? where(own) : '(no operator frame)', node.selfSize);
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(node.callFrame.url);
      add(
        byPkg,
        m
          ? m[1]
          : node.callFrame.url.includes('/dist/')
            ? '(operator)'
            : node.callFrame.url
              ? node.callFrame.url.replace(/^node:/, 'node:').split('/')[0]
              : '(native/builtin)',
        node.selfSize,
      );
      add(byStack, s.slice(-6).map(where).reverse().join(' < '), node.selfSize);
    }
    for (const c of node.children) walk(c, s);
  };
  walk(profile.head, []);
  const print = (title, m, n = 25) => {
    console.log(`\n== ${title}`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n))
      console.log(`${MBs(v).padStart(10)} ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k.slice(0, 260)}`);
  };
  console.log(`${file}: ${MBs(total)} allocated (sampled estimate, garbage included)`);
  print('by allocating function', byFn);
  print('by nearest operator (dist/) frame on the stack', byOwn);
  print('by package of the allocating function', byPkg, 15);
  print('by stack (innermost 6 frames)', byStack, 20);
}
const KB = (n) => `${(n / 1024).toFixed(1)} KB`;
const MBs = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const perCh = (n) => `${Math.round(n / CHANNELS)} B/ch`;
if (file.endsWith('.heapprofile')) {
  allocationReport(JSON.parse(buf.toString('utf8')));
  process.exit(0);
}

// ---- parse ---------------------------------------------------------------------------------
function indexOfAscii(s, from = 0) {
  return buf.indexOf(Buffer.from(s), from);
}
const nodesAt = indexOfAscii('"nodes":[');
const header = JSON.parse(`${buf.toString('utf8', 0, nodesAt).replace(/,\s*$/, '')}}`).snapshot;
const meta = header.meta;
function parseNumbers(from, count) {
  const out = new Float64Array(count); // self sizes can exceed 2^32 in theory; ids are < 2^53
  let i = from;
  let k = 0;
  let cur = 0;
  let inNum = false;
  for (;;) {
    const c = buf[i++];
    if (c >= 48 && c <= 57) {
      cur = cur * 10 + (c - 48);
      inNum = true;
    } else {
      if (inNum) {
        out[k++] = cur;
        cur = 0;
        inNum = false;
      }
      if (c === 93) break; // ]
    }
  }
  if (k !== count) throw new Error(`expected ${count} numbers, got ${k}`);
  return { arr: out, end: i };
}
const NF = meta.node_fields.length;
const EF = meta.edge_fields.length;
const { arr: nodes, end: nodesEnd } = parseNumbers(nodesAt + 9, header.node_count * NF);
const edgesAt = indexOfAscii('"edges":[', nodesEnd);
const { arr: edges } = parseNumbers(edgesAt + 9, header.edge_count * EF);
const stringsAt = indexOfAscii('"strings":[', edgesAt);
const strings = [];
{
  let i = stringsAt + 11;
  for (;;) {
    while (buf[i] !== 34 && buf[i] !== 93) i++;
    if (buf[i] === 93) break;
    const start = i;
    let esc = false;
    i++;
    while (buf[i] !== 34) {
      if (buf[i] === 92) {
        esc = true;
        i += 2;
      } else i++;
    }
    i++;
    strings.push(esc ? JSON.parse(buf.toString('utf8', start, i)) : buf.toString('utf8', start + 1, i - 1));
  }
}
const N = header.node_count;
const nodeTypes = meta.node_types[0];
const edgeTypes = meta.edge_types[0];
const nType = meta.node_fields.indexOf('type');
const nName = meta.node_fields.indexOf('name');
const nSelf = meta.node_fields.indexOf('self_size');
const nEdges = meta.node_fields.indexOf('edge_count');
const nId = meta.node_fields.indexOf('id');
const eType = meta.edge_fields.indexOf('type');
const eName = meta.edge_fields.indexOf('name_or_index');
const eTo = meta.edge_fields.indexOf('to_node');
const T = Object.fromEntries(nodeTypes.map((t, i) => [t, i]));
const E = Object.fromEntries(edgeTypes.map((t, i) => [t, i]));

const firstEdge = new Uint32Array(N + 1);
for (let n = 0, e = 0; n < N; n++) {
  firstEdge[n] = e;
  e += nodes[n * NF + nEdges] * EF;
}
firstEdge[N] = edges.length;
const type = (n) => nodeTypes[nodes[n * NF + nType]];
const name = (n) => strings[nodes[n * NF + nName]];
const self = (n) => nodes[n * NF + nSelf];
const edgeName = (e) => {
  const t = edges[e + eType];
  return t === E.element || t === E.hidden ? `[${edges[e + eName]}]` : strings[edges[e + eName]];
};
const target = (e) => edges[e + eTo] / NF;
function* out(n) {
  for (let e = firstEdge[n]; e < firstEdge[n + 1]; e += EF) yield e;
}
const isStringType = (t) => t === T.string || t === T['concatenated string'] || t === T['sliced string'];
function klass(n) {
  const t = nodes[n * NF + nType];
  if (t === T.object || t === T.native) return name(n);
  if (isStringType(t)) return '(string)';
  if (t === T.closure) return '(closure)';
  if (t === T.code) return '(compiled code)';
  if (t === T.array) return `(array ${name(n)})`;
  if (t === T.hidden) return `(system ${name(n).replace(/ \/ .*/, '')})`;
  return `(${nodeTypes[t]})`;
}

// ---- dominators (Cooper–Harvey–Kennedy on reverse postorder), DevTools' essential edges ----
const essential = (from, e) => {
  const t = edges[e + eType];
  return t !== E.weak && (t !== E.shortcut || from === 0);
};
const post = new Int32Array(N).fill(-1); // node → postorder number
const order = new Uint32Array(N); // postorder number → node
let count = 0;
{
  const stack = new Uint32Array(N);
  const iter = new Uint32Array(N);
  const visited = new Uint8Array(N);
  let sp = 0;
  stack[sp++] = 0;
  visited[0] = 1;
  iter[0] = firstEdge[0];
  while (sp) {
    const n = stack[sp - 1];
    let pushed = false;
    while (iter[n] < firstEdge[n + 1]) {
      const e = iter[n];
      iter[n] += EF;
      if (!essential(n, e)) continue;
      const m = target(e);
      if (visited[m]) continue;
      visited[m] = 1;
      iter[m] = firstEdge[m];
      stack[sp++] = m;
      pushed = true;
      break;
    }
    if (!pushed) {
      sp--;
      post[n] = count;
      order[count++] = n;
    }
  }
}
// predecessors (CSR) over reachable nodes
const predCount = new Uint32Array(N + 1);
for (let n = 0; n < N; n++) {
  if (post[n] < 0) continue;
  for (const e of out(n)) if (essential(n, e) && post[target(e)] >= 0) predCount[target(e) + 1]++;
}
for (let i = 0; i < N; i++) predCount[i + 1] += predCount[i];
const preds = new Uint32Array(predCount[N]);
{
  const fill = predCount.slice(0, N);
  for (let n = 0; n < N; n++) {
    if (post[n] < 0) continue;
    for (const e of out(n)) if (essential(n, e) && post[target(e)] >= 0) preds[fill[target(e)]++] = n;
  }
}
const idom = new Int32Array(count).fill(-1); // by postorder number
const root = count - 1;
idom[root] = root;
for (let changed = true; changed;) {
  changed = false;
  for (let p = root - 1; p >= 0; p--) {
    const n = order[p];
    let nd = -1;
    for (let i = predCount[n]; i < predCount[n + 1]; i++) {
      let q = post[preds[i]];
      if (idom[q] < 0) continue;
      if (nd < 0) {
        nd = q;
        continue;
      }
      let a = q;
      let b = nd;
      while (a !== b) {
        while (a < b) a = idom[a];
        while (b < a) b = idom[b];
      }
      nd = a;
    }
    if (nd >= 0 && idom[p] !== nd) {
      idom[p] = nd;
      changed = true;
    }
  }
}
const retained = new Float64Array(N);
for (let p = 0; p < count; p++) retained[order[p]] += self(order[p]);
for (let p = 0; p < root; p++) retained[order[idom[p]]] += retained[order[p]];
const dominator = (n) => (post[n] >= 0 ? order[idom[post[n]]] : -1);

// ---- reports ---------------------------------------------------------------------------------
let total = 0;
for (let n = 0; n < N; n++) total += self(n);
console.log(
  `${file}\nnodes ${N}, edges ${header.edge_count}, total self size ${MBs(total)} (reachable ${MBs(retained[0])}), per channel ${perCh(total)}\n`,
);

const byClass = new Map();
for (let n = 0; n < N; n++) {
  const k = klass(n);
  let r = byClass.get(k);
  if (!r) byClass.set(k, (r = { count: 0, self: 0, retainedTop: 0 }));
  r.count++;
  r.self += self(n);
  // retained of objects not dominated by another object of the same class (no double counting)
  let d = dominator(n);
  while (d > 0 && klass(d) !== k) d = dominator(d);
  if (d <= 0 && post[n] >= 0) r.retainedTop += retained[n];
}
const top = [...byClass].sort((a, b) => b[1].self - a[1].self);
console.log('== top constructors by self size (count, self, self/channel, retained of outermost instances)');
for (const [k, r] of top.slice(0, 30))
  console.log(
    `${r.self.toString().padStart(10)}  ${MBs(r.self).padStart(9)} ${String(r.count).padStart(8)}  ${perCh(r.self).padStart(10)}  ret ${MBs(r.retainedTop).padStart(9)}  ${k}`,
  );

// strings
const strFam = new Map();
const strExact = new Map();
for (let n = 0; n < N; n++) {
  const t = nodes[n * NF + nType];
  if (t !== T.string && t !== T['sliced string'] && t !== T['concatenated string']) continue;
  const s = name(n);
  const fam = `${nodeTypes[t] === 'string' ? '' : `[${nodeTypes[t]}] `}${s
    .slice(0, 100)
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/[0-9]+/g, '#')}`;
  let r = strFam.get(fam);
  if (!r) strFam.set(fam, (r = { count: 0, self: 0, len: s.length }));
  r.count++;
  r.self += self(n);
  if (t === T.string) {
    let x = strExact.get(s);
    if (!x) strExact.set(s, (x = { count: 0, self: 0 }));
    x.count++;
    x.self += self(n);
  }
}
console.log('\n== string families (digits → #), by total self size');
for (const [k, r] of [...strFam].sort((a, b) => b[1].self - a[1].self).slice(0, 40))
  console.log(
    `${MBs(r.self).padStart(9)} ${String(r.count).padStart(8)}  ${perCh(r.self).padStart(9)}  ${JSON.stringify(k).slice(0, 150)}`,
  );
console.log('\n== identical strings stored more than once (waste = all copies but one)');
for (const [k, r] of [...strExact]
  .filter(([, r]) => r.count > 1)
  .sort((a, b) => b[1].self - b[1].self / b[1].count - (a[1].self - a[1].self / a[1].count))
  .slice(0, 25))
  console.log(`${MBs(r.self - r.self / r.count).padStart(9)} ${String(r.count).padStart(8)}  ${JSON.stringify(k).slice(0, 120)}`);
// who holds the per-channel string families (count ≥ half the channels): retainer class.edge
{
  const famOf = new Map();
  for (let n = 0; n < N; n++) {
    const t = nodes[n * NF + nType];
    if (!isStringType(t)) continue;
    const fam = `${nodeTypes[t] === 'string' ? '' : `[${nodeTypes[t]}] `}${name(n)
      .slice(0, 100)
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
      .replace(/[0-9]+/g, '#')}`;
    if ((strFam.get(fam)?.count ?? 0) >= CHANNELS / 2) famOf.set(n, fam);
  }
  const holders = new Map();
  for (let n = 0; n < N; n++) {
    for (const e of out(n)) {
      const m = target(e);
      const fam = famOf.get(m);
      if (fam === undefined || edges[e + eType] === E.weak) continue;
      let h = holders.get(fam);
      if (!h) holders.set(fam, (h = new Map()));
      // a properties backing store or Map table: name it after its owner
      let owner = klass(n);
      let en = edgeName(e);
      if (owner.startsWith('(array') || owner.startsWith('(system')) {
        const d = dominator(n);
        if (d > 0) {
          owner = `${klass(d)}→${owner}`;
          for (const e2 of out(d)) if (target(e2) === n) owner = `${klass(d)}.${edgeName(e2)}`;
        }
        en = '[]';
      }
      const k = `${owner}.${en}`;
      h.set(k, (h.get(k) ?? 0) + 1);
    }
  }
  console.log('\n== who references the per-channel string families (retainer.edge: references)');
  for (const [fam, h] of [...holders].sort((a, b) => strFam.get(b[0]).self - strFam.get(a[0]).self).slice(0, 20)) {
    const r = strFam.get(fam);
    console.log(`${MBs(r.self).padStart(8)} ${String(r.count).padStart(7)}  ${JSON.stringify(fam).slice(0, 70)}`);
    console.log(
      `      ${[...h]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')}`,
    );
  }
}
const lac = [...strFam].filter(([k]) => k.includes('last-applied'));
console.log(`\nlast-applied-configuration strings: ${lac.reduce((a, [, r]) => a + r.count, 0)}`);

// biggest single retainers
const pathTo = (n) => {
  const parts = [];
  for (let d = n, i = 0; d > 0 && i < 8; d = dominator(d), i++) parts.push(klass(d));
  return parts.reverse().join(' ← ');
};
console.log('\n== objects with the biggest retained size (excluding synthetic roots), with dominator chain');
const ids = [];
for (let n = 1; n < N; n++) if (post[n] >= 0 && type(n) !== 'synthetic' && retained[n] > 512 * 1024) ids.push(n);
ids.sort((a, b) => retained[b] - retained[a]);
for (const n of ids.slice(0, 40))
  console.log(
    `${MBs(retained[n]).padStart(9)}  @${nodes[n * NF + nId]} ${klass(n)}   [${dominator(n) > 0 ? klass(dominator(n)) : 'root'}]`,
  );

// operator structures
const structs = {
  ResourceWatcher: ['cache'],
  WorkQueue: ['queue', 'queued', 'processing', 'dirty', 'timers', 'failures'],
  Controller: ['secretIndex', 'channelSecrets'],
  ChannelReconciler: ['memory', 'resolvedInputs'],
  AnnotationRelay: ['inFlight', 'outcomes', 'chains'],
  Verifier: ['botCache'],
  SecretReader: ['cache'],
  Registry: ['_metrics'],
};
const propOf = (n, p) => {
  for (const e of out(n)) if (edges[e + eType] === E.property && strings[edges[e + eName]] === p) return target(e);
  return -1;
};
// entries of a Map/Set: edges of its backing table to keys and values (Map: 2 per entry)
function mapSize(m) {
  for (const e of out(m)) {
    if (edgeName(e) !== 'table') continue;
    let k = 0;
    for (const e2 of out(target(e))) if (type(target(e2)) !== 'hidden' && edges[e2 + eType] !== E.hidden) k++;
    return name(m) === 'Map' ? k / 2 : k;
  }
  return -1;
}
function reachSize(startNode, stopAt) {
  // self sizes of everything reachable from startNode through non-weak edges, not through stopAt(n)
  const seen = new Set([startNode]);
  const st = [startNode];
  let s = 0;
  while (st.length) {
    const n = st.pop();
    s += self(n);
    for (const e of out(n)) {
      if (edges[e + eType] === E.weak) continue;
      const m = target(e);
      if (seen.has(m) || stopAt(m)) continue;
      seen.add(m);
      st.push(m);
    }
  }
  return s;
}
const structClasses = new Set([
  'ResourceWatcher',
  'WorkQueue',
  'Controller',
  'ChannelReconciler',
  'AnnotationRelay',
  'Verifier',
  'SecretReader',
  'Registry',
  'Sender',
  'TelegramClient',
  'Pino',
  'EventEmitter',
]);
const dominatedBy = (m, a) => {
  for (let d = m; d > 0; d = dominator(d)) if (d === a) return true;
  return false;
};
const stopReach = (start) => (m) => shared(m) || structClasses.has(name(m)) || (retained[m] > 4 * 1024 * 1024 && !dominatedBy(m, start));
const shared = (m) => {
  const t = type(m);
  return t === 'code' || t === 'hidden' || t === 'object shape' || name(m) === 'system / Map' || klass(m).startsWith('(system');
};
console.log(
  '\n== operator structures: retained size (dominator) and reachable size (all it reaches, not through code, hidden classes, other operator singletons or >4 MB objects; shared objects count in full)',
);
for (const [cls, props] of Object.entries(structs)) {
  for (let n = 0; n < N; n++) {
    if (nodes[n * NF + nType] !== T.object || name(n) !== cls) continue;
    console.log(`${cls} @${nodes[n * NF + nId]}: retained ${MBs(retained[n])}`);
    for (const p of props) {
      const m = propOf(n, p);
      if (m < 0) continue;
      console.log(
        `   .${p.padEnd(15)} ${klass(m).padEnd(10)} ret ${MBs(retained[m]).padStart(8)} (${perCh(retained[m])})  reach ${MBs(reachSize(m, stopReach(m))).padStart(8)}  entries ${mapSize(m)}`,
      );
    }
  }
}

// channel objects: anything with metadata+spec+status properties
const chans = [];
for (let n = 0; n < N; n++) {
  if (nodes[n * NF + nType] !== T.object) continue;
  let md = false;
  let sp = false;
  for (const e of out(n)) {
    if (edges[e + eType] !== E.property) continue;
    const p = strings[edges[e + eName]];
    if (p === 'metadata') md = true;
    else if (p === 'spec') sp = true;
  }
  if (md && sp) chans.push(n);
}
let chRet = 0;
let chReach = 0;
for (const n of chans) chRet += retained[n];
const sampleN = chans.slice(0, 200);
for (const n of sampleN) chReach += reachSize(n, shared);
console.log(
  `\n== objects with metadata+spec (channels): ${chans.length}; retained total ${MBs(chRet)} (avg ${Math.round(chRet / Math.max(1, chans.length))} B); reachable avg ${Math.round(chReach / Math.max(1, sampleN.length))} B`,
);
const byDom = new Map();
for (const n of chans) {
  const k = pathTo(dominator(n)).split(' ← ').slice(-3).join(' ← ');
  byDom.set(k, (byDom.get(k) ?? 0) + 1);
}
for (const [k, v] of byDom) console.log(`   ${v} dominated via ${k}`);

function shape(n, depth, indent, seen = new Set()) {
  seen.add(n);
  const lines = [];
  let shown = 0;
  for (const e of out(n)) {
    const t = edgeTypes[edges[e + eType]];
    if (shown >= 14) {
      lines.push(`${indent}… (${(firstEdge[n + 1] - e) / EF} more edges)`);
      break;
    }
    if (t === 'weak' || t === 'shortcut') continue;
    const m = target(e);
    const nm = edgeName(e);
    if (t === 'hidden' || nm === 'map' || nm === '__proto__' || shared(m)) continue;
    const tt = type(m);
    const val = isStringType(nodes[m * NF + nType]) ? JSON.stringify(name(m)).slice(0, 70) : tt === 'number' ? name(m) : klass(m);
    shown++;
    lines.push(
      `${indent}${t === 'property' ? '.' : ''}${nm}: ${val}  (self ${self(m)}, ret ${retained[m]}${dominator(m) === n ? '' : ', shared'})`,
    );
    if (depth > 0 && !seen.has(m) && (tt === 'object' || tt === 'array' || tt === 'closure'))
      lines.push(...shape(m, depth - 1, `${indent}    `, seen));
  }
  return lines;
}
const sample = chans.find((n) => retained[n] > 0 && propOf(n, 'status') >= 0) ?? chans[0];
if (sample !== undefined) {
  console.log(
    `\n== shape of one channel object (@${nodes[sample * NF + nId]}, self ${self(sample)}, retained ${retained[sample]}, reachable ${reachSize(sample, shared)}), dominator chain: ${pathTo(sample)}`,
  );
  console.log(shape(sample, 4, '  ').join('\n'));
}
// one entry of each per-channel Map: follow the table's slots
function mapEntries(m, k = 2) {
  const res = [];
  for (const e of out(m)) {
    if (edgeName(e) !== 'table') continue;
    const tbl = target(e);
    for (const e2 of out(tbl)) {
      const v = target(e2);
      if (!isStringType(nodes[v * NF + nType]) && type(v) !== 'number' && type(v) !== 'hidden' && !shared(v)) res.push(v);
      if (res.length >= k) break;
    }
  }
  return res;
}
for (const [cls, props] of Object.entries(structs)) {
  if (cls === 'Registry') continue;
  for (let n = 0; n < N; n++) {
    if (nodes[n * NF + nType] !== T.object || name(n) !== cls) continue;
    for (const p of props) {
      if (cls === 'ResourceWatcher') continue;
      const m = propOf(n, p);
      if (m < 0 || !['Map'].includes(name(m))) continue;
      const [v] = mapEntries(m, 1);
      if (v === undefined) continue;
      console.log(`\n== ${cls}.${p}: one value ${klass(v)} self ${self(v)}, retained ${retained[v]}, reachable ${reachSize(v, shared)}`);
      console.log(shape(v, 3, '  ').join('\n'));
    }
  }
}
