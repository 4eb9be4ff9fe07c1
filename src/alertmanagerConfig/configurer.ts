// One channel's AlertmanagerConfig, per reconcile: created or brought back to what the channel asks for
// (server-side apply), deleted when the channel opts out, and the AlertmanagerConfigured condition
// that says how that went. It never takes over an object it did not create (Conflict), and never
// needs more than the Prometheus Operator's CRD and the alertmanagerconfig RBAC piece. Without the
// CRD the channel says CRDNotInstalled; one discovery request every CRD_RECHECK_MS, for all such channels
// together, notices the CRD's installation and wakes them: no restart, and no per-channel polling.
//
// Why discovery and not a watch on CRDs: discovery (/apis/monitoring.coreos.com/v1alpha1) is open to
// every authenticated client (system:discovery), while watching CustomResourceDefinitions would need a
// cluster-wide list/watch grant on them for something that changes once in a cluster's life.
import { createHash } from 'node:crypto';
import type { AlertmanagerConfigReason, Verdict } from '../api/contract.js';
import { parseSpec, type Condition, type TelegramChannel } from '../api/types.js';
import { keyOf } from '../api/types.js';
import { toKubeError } from '../kube/errors.js';
import type { Logger } from '../observability/log.js';
import type { AlertmanagerConfigApi } from './api.js';
import { desiredAlertmanagerConfig, isOwnedBy, webhookUrl } from './desired.js';
import type { OwnedConfigs } from './ownedWatch.js';

/** How often discovery is asked again while channels wait for the CRD (the longest until it is noticed). */
export const CRD_RECHECK_MS = 20_000;
/** Channels waiting for the CRD are woken by the discovery poll; this requeue is only a safety net. */
export const CRD_WAITING_REQUEUE_MS = 10 * 60_000;
/** A "not served" discovery answer is reused this long (channels asking at once share one request). */
export const NOT_SERVED_CACHE_MS = 10_000;
/** A "served" answer is reused this long; a 404 from the object itself forgets it sooner. */
export const SERVED_CACHE_MS = 5 * 60_000;
/**
 * Forbidden, Conflict, a refused object: looked at again this often (granting RBAC or deleting the other
 * object wakes nothing; a change to the channel does, at once). Minutes, not seconds: thousands of
 * channels in that state would otherwise cost the API server a refused request each, every few seconds.
 */
export const HUMAN_FIX_RETRY_MS = 5 * 60_000;
/** The API server could not be reached: retried this often. */
export const RETRY_MS = 30_000;

export const RBAC_HINT =
  'install the alertmanagerconfig RBAC piece: deploy/components/alertmanagerconfig (kustomize) or alertmanagerConfig.enabled=true (Helm)';

export type AlertmanagerConfigOutcome =
  { kind: 'set'; verdict: Verdict<AlertmanagerConfigReason>; requeueAfterMs?: number } | { kind: 'remove' } | { kind: 'unchanged' };

interface Applied {
  hash: string;
  uid: string;
  resourceVersion: string;
}

export interface AlertmanagerConfigsDeps {
  api: AlertmanagerConfigApi;
  /** WEBHOOK_BASE_URL: where Alertmanager reaches this operator. */
  baseUrl: string;
  owned?: OwnedConfigs;
  log: Logger;
  /** Wakes a channel's reconcile (manager.enqueue): the CRD poll uses it once the CRD is served. */
  wake?: (key: string) => void;
  now?: () => number;
  /** For tests; default setInterval (unref'd). */
  every?: (ms: number, fn: () => void) => { cancel(): void };
}

export class AlertmanagerConfigs {
  private readonly now: () => number;
  private served: { value: boolean; until: number } | undefined;
  private servedLookup: Promise<boolean> | undefined;
  /** What this replica last applied per channel: an unchanged object is not written again. */
  private readonly applied = new Map<string, Applied>();
  /** Channels that said CRDNotInstalled: woken together when discovery first finds the CRD. */
  private readonly waitingForCrd = new Set<string>();
  private crdPoll: { cancel(): void } | undefined;
  private readonly every: (ms: number, fn: () => void) => { cancel(): void };

  constructor(private readonly deps: AlertmanagerConfigsDeps) {
    this.now = deps.now ?? Date.now;
    this.every =
      deps.every ??
      ((ms, fn) => {
        const t = setInterval(fn, ms);
        t.unref();
        return { cancel: () => clearInterval(t) };
      });
  }

  forget(key: string): void {
    this.applied.delete(key);
    this.stopWaiting(key);
  }

  /** `current`: the channel's AlertmanagerConfigured condition as stored (it says whether there may be something to delete). */
  async configure(ch: TelegramChannel, current: Condition | undefined): Promise<AlertmanagerConfigOutcome> {
    const parsed = parseSpec(ch.spec);
    // A spec that cannot be read says so in Ready; what was generated from the last good one stays.
    if (!parsed.ok) return { kind: 'unchanged' };
    const am = parsed.spec.alertmanager;
    let outcome: AlertmanagerConfigOutcome;
    try {
      outcome = am?.config ? await this.apply(ch, { ...am, config: am.config }) : await this.optOut(ch, current);
    } catch (e) {
      outcome = this.failure(ch, e);
    }
    if (outcome.kind === 'set' && outcome.verdict.reason === 'CRDNotInstalled') return this.waitForCrd(keyOf(ch), outcome);
    this.stopWaiting(keyOf(ch));
    return outcome;
  }

  /** Registers the channel with the one discovery poll; without a way to wake it, it polls by itself. */
  private waitForCrd(key: string, outcome: AlertmanagerConfigOutcome & { kind: 'set' }): AlertmanagerConfigOutcome {
    const wake = this.deps.wake;
    if (!wake) return outcome;
    this.waitingForCrd.add(key);
    this.crdPoll ??= this.every(CRD_RECHECK_MS, () => void this.pollCrd(wake));
    return { ...outcome, requeueAfterMs: CRD_WAITING_REQUEUE_MS };
  }

  private async pollCrd(wake: (key: string) => void): Promise<void> {
    this.served = undefined;
    const served = await this.isServed().catch(() => false);
    if (!served) return;
    const keys = [...this.waitingForCrd];
    this.deps.log.info(
      { channels: keys.length },
      "the Prometheus Operator's AlertmanagerConfig CRD is served: configuring the waiting channels",
    );
    for (const key of keys) this.stopWaiting(key);
    for (const key of keys) wake(key);
  }

  private stopWaiting(key: string): void {
    this.waitingForCrd.delete(key);
    if (this.waitingForCrd.size === 0 && this.crdPoll) {
      this.crdPoll.cancel();
      this.crdPoll = undefined;
    }
  }

  private async apply(ch: TelegramChannel, am: Parameters<typeof desiredAlertmanagerConfig>[1]): Promise<AlertmanagerConfigOutcome> {
    const key = keyOf(ch);
    const { namespace, name, uid = '' } = ch.metadata;
    if (!(await this.isServed())) return notInstalled();
    const desired = desiredAlertmanagerConfig(ch, am, this.deps.baseUrl);
    const hash = createHash('sha256').update(JSON.stringify(desired)).digest('hex');
    const applied = this.applied.get(key);
    const url = webhookUrl(this.deps.baseUrl, namespace, name);
    const ok: AlertmanagerConfigOutcome = {
      kind: 'set',
      verdict: {
        status: 'True',
        reason: 'Applied',
        message: `AlertmanagerConfig ${namespace}/${name} routes this namespace's alerts to ${url}`,
      },
    };
    // Unchanged since this replica applied it, and the watch has seen nobody else touch it: nothing to write.
    const owned = this.deps.owned;
    if (applied?.hash === hash && owned?.synced() && owned.resourceVersion(namespace, name) === applied.resourceVersion) return ok;

    const existing = await this.deps.api.get(namespace, name);
    if (existing && !isOwnedBy(existing, uid)) {
      this.applied.delete(key);
      return conflict(`an AlertmanagerConfig named ${name} already exists in ${namespace} and was not created for this channel`);
    }
    // Force only on the operator's own object (another field manager's edits to it are undone); the uid
    // makes the API server refuse the write should that object have been replaced since the read.
    const stored = await this.deps.api.apply(desired, { force: !!existing, uid: existing?.metadata.uid });
    this.applied.set(key, { hash, uid: stored.metadata.uid, resourceVersion: stored.metadata.resourceVersion });
    owned?.start();
    if (!existing) this.deps.log.info({ namespace, name }, 'AlertmanagerConfig created');
    return ok;
  }

  private async optOut(ch: TelegramChannel, current: Condition | undefined): Promise<AlertmanagerConfigOutcome> {
    const key = keyOf(ch);
    const { namespace, name, uid = '' } = ch.metadata;
    const mayExist = current !== undefined || this.applied.has(key) || this.deps.owned?.resourceVersion(namespace, name) !== undefined;
    if (!mayExist) return { kind: 'remove' };
    if (!(await this.isServed())) {
      this.applied.delete(key);
      return { kind: 'remove' };
    }
    const existing = await this.deps.api.get(namespace, name);
    if (existing && isOwnedBy(existing, uid)) {
      await this.deps.api.delete(namespace, name, existing.metadata.uid);
      this.deps.log.info({ namespace, name }, 'AlertmanagerConfig deleted: spec.alertmanager.config was removed');
    }
    this.applied.delete(key);
    return { kind: 'remove' };
  }

  private failure(ch: TelegramChannel, e: unknown): AlertmanagerConfigOutcome {
    const { namespace, name } = ch.metadata;
    this.applied.delete(keyOf(ch));
    const err = toKubeError(e);
    const set = (status: 'False' | 'Unknown', reason: AlertmanagerConfigReason, message: string): AlertmanagerConfigOutcome => ({
      kind: 'set',
      verdict: { status, reason, message },
      requeueAfterMs: status === 'Unknown' ? RETRY_MS : HUMAN_FIX_RETRY_MS,
    });
    switch (err.code) {
      case 403:
        return set('False', 'Forbidden', `the operator may not manage AlertmanagerConfigs in ${namespace} (${err.message}): ${RBAC_HINT}`);
      case 404:
        // The CRD went away between discovery and the call.
        this.served = undefined;
        return notInstalled();
      case 409:
        return conflict(`AlertmanagerConfig ${namespace}/${name} changed hands while being written (${err.message})`);
      case 400:
      case 422:
        return set('False', 'InvalidConfig', `the API server refused AlertmanagerConfig ${namespace}/${name}: ${err.message}`);
      default:
        this.deps.log.warn({ namespace, name, code: err.code, err: err.message }, 'AlertmanagerConfig write failed; retrying');
        return set('Unknown', 'ApplyFailed', `could not write AlertmanagerConfig ${namespace}/${name} (${err.message}); retrying`);
    }
  }

  /** Discovery, cached: channels reconciled together share one request. */
  private async isServed(): Promise<boolean> {
    if (this.served && this.now() < this.served.until) return this.served.value;
    this.servedLookup ??= this.deps.api.served().finally(() => (this.servedLookup = undefined));
    const value = await this.servedLookup;
    this.served = { value, until: this.now() + (value ? SERVED_CACHE_MS : NOT_SERVED_CACHE_MS) };
    return value;
  }
}

function notInstalled(): AlertmanagerConfigOutcome {
  return {
    kind: 'set',
    verdict: {
      status: 'False',
      reason: 'CRDNotInstalled',
      message:
        "the Prometheus Operator's CRDs are not installed (the API server serves no monitoring.coreos.com/v1alpha1 alertmanagerconfigs); " +
        'they are picked up without a restart once installed',
    },
    requeueAfterMs: CRD_RECHECK_MS,
  };
}

function conflict(message: string): AlertmanagerConfigOutcome {
  return {
    kind: 'set',
    verdict: {
      status: 'False',
      reason: 'Conflict',
      message: `${message}: the operator never takes over an object it did not create; delete or rename that object, or rename the channel`,
    },
    requeueAfterMs: HUMAN_FIX_RETRY_MS,
  };
}
