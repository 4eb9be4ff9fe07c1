// One reconcile of one ClusterTelegramBot: read its token Secret, verify the token with getMe (once for
// all of its channels: they take the verified identity from this status and check only their chats),
// count the allowed channels that refer to it, and write status once, only if it changed.
// Conditions as the channel's: Ready and TokenValid, plus Reconciling / Stalled for kstatus.
import { createHash } from 'node:crypto';
import { ConditionTypes, TRANSIENT_REASONS, type TokenReason, type Verdict } from '../api/contract.js';
import { nowRfc3339, removeCondition, setCondition } from '../api/conditions.js';
import { parseBotSpec, parseSpec, type BotSpec, type BotStatus, type ClusterTelegramBot, type Condition } from '../api/types.js';
import type { TelegramChannel } from '../api/types.js';
import { checkToken } from '../api/values.js';
import type { SecretSource } from '../credentials/resolver.js';
import { createMergePatch, deepEqual } from '../kube/mergePatch.js';
import type { Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import { botNameOf } from '../runtime/keys.js';
import type { ReconcileResult } from '../runtime/workqueue.js';
import type { Verifier } from '../telegram/verifier.js';
import { namespaceAllowed } from '../api/botAllowed.js';

/** How often a working token is verified again (channels have their own verifyInterval for their chats). */
export const BOT_VERIFY_INTERVAL_MS = 60 * 60_000;
/** A token Telegram refused: look again within 5 minutes (it may be fixed at @BotFather, not in the cluster). */
const PERMANENT_RECHECK_MS = 5 * 60_000;
const TRANSIENT_BASE_MS = 2_000;
const TRANSIENT_MAX_MS = 5 * 60_000;

/** The watch caches the bot reconciler reads. */
export interface BotCache {
  getBot(name: string): ClusterTelegramBot | undefined;
  channelsOfBot(name: string): TelegramChannel[];
  /** undefined: the namespace is not known (yet), so its channels are not counted. */
  namespaceLabels(namespace: string): Readonly<Record<string, string>> | undefined;
}

export interface BotReconcilerDeps {
  cache: BotCache;
  secrets: SecretSource;
  verifier: Pick<Verifier, 'verifyToken'>;
  writeStatus: (bot: ClusterTelegramBot, patch: Record<string, unknown>) => Promise<ClusterTelegramBot>;
  log: Logger;
  metrics: Metrics;
  now?: () => number;
}

type TokenCheck = Awaited<ReturnType<Verifier['verifyToken']>>;

/** Per bot, between reconciles: the last verification and when it is due again (memory only). */
interface Memory {
  tokenHash: string;
  result: TokenCheck;
  transientAttempts: number;
  nextCheckAt: number;
}

export class BotReconciler {
  private readonly memory = new Map<string, Memory>();
  private readonly now: () => number;

  constructor(private readonly deps: BotReconcilerDeps) {
    this.now = deps.now ?? Date.now;
  }

  forget(key: string): void {
    this.memory.delete(botNameOf(key) ?? key);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const name = botNameOf(key) ?? key;
    const bot = this.deps.cache.getBot(name);
    if (!bot || bot.metadata.deletionTimestamp) {
      this.memory.delete(name);
      return {};
    }
    const started = this.now();
    const generation = bot.metadata.generation ?? 0;
    const now = nowRfc3339(started);
    const old = bot.status ?? {};
    let conditions: Condition[] = [...(old.conditions ?? [])];
    const set = (type: string, v: Verdict) => (conditions = setCondition(conditions, { type, ...v }, generation, now));

    const parsed = parseBotSpec(bot.spec);
    let check: { verdict: Verdict; bot?: BotStatus['bot']; verified: boolean; requeueAfterMs?: number };
    if (!parsed.ok) {
      this.memory.delete(name);
      set(ConditionTypes.TokenValid, { status: 'Unknown', reason: 'InvalidSpec', message: 'not checked' });
      check = { verdict: { status: 'False', reason: 'InvalidSpec', message: parsed.message }, verified: false };
    } else {
      check = await this.checkToken(name, parsed.spec);
      set(ConditionTypes.TokenValid, check.verdict);
    }
    const ready = check.verdict;
    set(ConditionTypes.Ready, ready);
    conditions = kstatus(conditions, ready, generation, now);

    const next: BotStatus = {
      ...old,
      observedGeneration: generation,
      conditions,
      bot: ready.status === 'False' ? undefined : (check.bot ?? (ready.status === 'Unknown' ? old.bot : undefined)),
      channels: parsed.ok ? this.countAllowedChannels(name, parsed.spec) : 0,
      lastVerifiedTime: check.verified ? now : old.lastVerifiedTime,
    };
    const changed = await this.write(bot, old, next);
    this.deps.log[changed || check.verified ? 'info' : 'debug'](
      { bot: name, ready: ready.status, reason: ready.reason, channels: next.channels, verified: check.verified, ms: this.now() - started },
      ready.message,
    );
    this.deps.metrics.reconciles.inc({ result: TRANSIENT_REASONS.has(ready.reason) ? 'transient' : 'success' });
    return check.requeueAfterMs !== undefined ? { requeueAfterMs: check.requeueAfterMs } : {};
  }

  /** Reads the token and verifies it when due; a Secret that cannot be read now throws (retried with backoff). */
  private async checkToken(
    name: string,
    spec: BotSpec,
  ): Promise<{ verdict: Verdict<TokenReason>; bot?: BotStatus['bot']; verified: boolean; requeueAfterMs?: number }> {
    const ref = spec.tokenSecretRef;
    const v = await this.deps.secrets.read(ref.namespace, ref.name, ref.key);
    if (!v.ok) {
      this.memory.delete(name);
      return { verdict: { status: 'False', reason: v.reason, message: v.message }, verified: false };
    }
    const token = checkToken(v.value, `Secret ${ref.namespace}/${ref.name} key "${ref.key}"`);
    if (!token.ok) {
      this.memory.delete(name);
      return { verdict: { status: 'False', reason: 'InvalidTokenFormat', message: token.message }, verified: false };
    }
    const tokenHash = createHash('sha256').update(token.value).digest('hex');
    const mem = this.memory.get(name);
    const due = !mem || mem.tokenHash !== tokenHash || this.now() >= mem.nextCheckAt;
    let result: TokenCheck;
    if (due) {
      result = await this.deps.verifier.verifyToken(token.value);
      const transient = TRANSIENT_REASONS.has(result.token.reason);
      const transientAttempts = transient ? (mem?.tokenHash === tokenHash ? mem.transientAttempts + 1 : 1) : 0;
      this.memory.set(name, { tokenHash, result, transientAttempts, nextCheckAt: this.now() + nextCheckIn(result, transientAttempts) });
    } else {
      result = mem.result;
    }
    const requeueAfterMs = Math.max(this.memory.get(name)!.nextCheckAt - this.now(), 500);
    return { verdict: result.token, bot: result.bot, verified: due && !TRANSIENT_REASONS.has(result.token.reason), requeueAfterMs };
  }

  /** status.channels: the channels that refer to this bot from a namespace it allows (with a valid spec). */
  private countAllowedChannels(name: string, spec: BotSpec): number {
    let n = 0;
    for (const ch of this.deps.cache.channelsOfBot(name)) {
      const parsed = parseSpec(ch.spec);
      if (!parsed.ok || parsed.spec.botRef?.name !== name) continue;
      const ns = ch.metadata.namespace;
      if (namespaceAllowed(spec, ns, this.deps.cache.namespaceLabels(ns))) n++;
    }
    return n;
  }

  private async write(bot: ClusterTelegramBot, old: BotStatus, next: BotStatus): Promise<boolean> {
    const clean = JSON.parse(JSON.stringify(next)) as BotStatus;
    if (deepEqual(old, clean)) return false;
    // The cached object is left as it is (unlike a channel's): the watch event that brings the new status
    // is what wakes the bot's channels, and it compares against the cached one.
    await this.deps.writeStatus(bot, createMergePatch(old, clean) as Record<string, unknown>);
    return true;
  }
}

/** Ready True: no Reconciling, no Stalled; Unknown (transient): Reconciling; False: Stalled (a human must act). */
function kstatus(conditions: Condition[], ready: Verdict, generation: number, now: string): Condition[] {
  const without = removeCondition(removeCondition(conditions, ConditionTypes.Reconciling), ConditionTypes.Stalled);
  if (ready.status === 'True') return without;
  const type = ready.status === 'Unknown' ? ConditionTypes.Reconciling : ConditionTypes.Stalled;
  const message = ready.status === 'Unknown' ? `retrying: ${ready.message}` : ready.message;
  return setCondition(without, { type, status: 'True', reason: ready.reason, message }, generation, now);
}

function nextCheckIn(r: TokenCheck, transientAttempts: number): number {
  if (TRANSIENT_REASONS.has(r.token.reason)) {
    const backoff = Math.min(TRANSIENT_BASE_MS * 2 ** Math.max(transientAttempts - 1, 0), TRANSIENT_MAX_MS);
    return Math.max(backoff, r.retryAfterMs ?? 0);
  }
  return r.token.status === 'True' ? BOT_VERIFY_INTERVAL_MS : PERMANENT_RECHECK_MS;
}
