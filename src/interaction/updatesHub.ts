// Which bots the leader polls: exactly those with at least one channel that has
// spec.alertmanager.silence or spec.grafana.silence. Reconciles (leader only) register and unregister channels; a poller
// starts when its bot's first such channel appears and stops with the last one, and all of them stop
// on step-down and shutdown. The bots' 409 state lives here, for the Interactive condition; when it
// changes, the bot's channels are reconciled again so that their status says so.
import { tokenKey } from '../telegram/tokenKey.js';
import type { ConflictKind } from './updatesPoller.js';

export interface Poller {
  start(): void;
  stop(): Promise<void>;
}

export interface BotConflict {
  kind: ConflictKind;
  description: string;
}

export interface HubDeps {
  /** Builds the poller of one bot; it reports its 409 state through `onConflict`. */
  makePoller: (token: string, onConflict: (kind: ConflictKind | undefined, description: string) => void) => Poller;
  /** Wakes a channel's reconcile. */
  enqueue: (channelKey: string) => void;
}

interface Bot {
  token: string;
  channels: Set<string>;
  poller?: Poller;
  conflict?: BotConflict;
}

export class UpdatesHub {
  /** By tokenKey: the token itself is never a map key. */
  private readonly bots = new Map<string, Bot>();
  private readonly botOfChannel = new Map<string, string>();
  private running = false;

  constructor(private readonly deps: HubDeps) {}

  /** The channel has silence and this token: its bot is polled (while this replica leads). */
  register(channelKey: string, token: string): void {
    const key = tokenKey(token);
    const before = this.botOfChannel.get(channelKey);
    if (before === key) return;
    if (before !== undefined) this.unregister(channelKey);
    let bot = this.bots.get(key);
    if (!bot) {
      bot = { token, channels: new Set() };
      this.bots.set(key, bot);
    }
    bot.channels.add(channelKey);
    this.botOfChannel.set(channelKey, key);
    if (this.running) this.startPoller(key, bot);
  }

  /** The channel is gone or has no silence any more. */
  unregister(channelKey: string): void {
    const key = this.botOfChannel.get(channelKey);
    if (key === undefined) return;
    this.botOfChannel.delete(channelKey);
    const bot = this.bots.get(key);
    if (!bot) return;
    bot.channels.delete(channelKey);
    if (bot.channels.size > 0) return;
    this.bots.delete(key);
    void bot.poller?.stop();
  }

  /** The bot (tokenKey) whose presses reach this channel, if it is registered. */
  botOf(channelKey: string): string | undefined {
    return this.botOfChannel.get(channelKey);
  }

  /** The channels (keys) whose presses come through this bot (tokenKey). */
  channelsOf(botKey: string): ReadonlySet<string> {
    return this.bots.get(botKey)?.channels ?? new Set();
  }

  conflictOf(channelKey: string): BotConflict | undefined {
    const key = this.botOfChannel.get(channelKey);
    return key === undefined ? undefined : this.bots.get(key)?.conflict;
  }

  /** For tests and metrics: how many bots are polled now. */
  get polling(): number {
    return [...this.bots.values()].filter((b) => b.poller).length;
  }

  /** This replica leads: poll every registered bot. */
  start(): void {
    this.running = true;
    for (const [key, bot] of this.bots) this.startPoller(key, bot);
  }

  /** Step-down or shutdown: every poll ends; presses being handled finish. */
  async stop(): Promise<void> {
    this.running = false;
    const stopping = [...this.bots.values()].map((b) => {
      const p = b.poller;
      b.poller = undefined;
      return p ? p.stop() : Promise.resolve();
    });
    await Promise.all(stopping);
  }

  private startPoller(key: string, bot: Bot): void {
    if (bot.poller) return;
    const poller = this.deps.makePoller(bot.token, (kind, description) => {
      if (this.bots.get(key) !== bot) return;
      bot.conflict = kind ? { kind, description } : undefined;
      for (const ch of bot.channels) this.deps.enqueue(ch);
    });
    bot.poller = poller;
    poller.start();
  }
}
