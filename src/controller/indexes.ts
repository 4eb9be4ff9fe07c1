// The indexes the watches keep to know which keys a change wakes: a Secret → the channels and bots
// that reference it, and a bot → the channels whose spec.botRef names it. In memory, built from the
// objects' events (no cluster-wide Secret cache: only the references are kept).

/** Key → the references it holds, and the reverse: which keys hold a reference (Secret "ns/name" → keys). */
export class ReferenceIndex {
  private readonly keysByRef = new Map<string, Set<string>>();
  private readonly refsByKey = new Map<string, string[]>();

  /** Replaces what `key` references; [] forgets the key. */
  set(key: string, refs: string[]): void {
    for (const ref of this.refsByKey.get(key) ?? []) {
      const keys = this.keysByRef.get(ref);
      keys?.delete(key);
      if (keys && keys.size === 0) this.keysByRef.delete(ref);
    }
    this.refsByKey.delete(key);
    if (refs.length === 0) return;
    this.refsByKey.set(key, refs);
    for (const ref of refs) {
      let keys = this.keysByRef.get(ref);
      if (!keys) this.keysByRef.set(ref, (keys = new Set()));
      keys.add(key);
    }
  }

  /** The keys that reference `ref`. */
  keysOf(ref: string): Iterable<string> {
    return this.keysByRef.get(ref) ?? [];
  }

  /** Every reference held by at least one key. */
  refs(): Set<string> {
    return new Set(this.keysByRef.keys());
  }
}

/** Channel key → the bot its spec.botRef names (at most one), and bot → those channels. */
export class BotRefIndex {
  private readonly channelsByBot = new Map<string, Set<string>>();
  private readonly botByChannel = new Map<string, string>();

  /** Records the channel's bot (undefined: none, or the channel is gone); returns the bot it named before. */
  set(key: string, bot: string | undefined): string | undefined {
    const before = this.botByChannel.get(key);
    if (before !== undefined) {
      const keys = this.channelsByBot.get(before);
      keys?.delete(key);
      if (keys?.size === 0) this.channelsByBot.delete(before);
      this.botByChannel.delete(key);
    }
    if (bot !== undefined) {
      let keys = this.channelsByBot.get(bot);
      if (!keys) this.channelsByBot.set(bot, (keys = new Set()));
      keys.add(key);
      this.botByChannel.set(key, bot);
    }
    return before;
  }

  /** The keys of the channels naming `bot`. */
  channelsOf(bot: string): Iterable<string> {
    return this.channelsByBot.get(bot) ?? [];
  }

  /** Every botRef channel's key with its bot. */
  entries(): Iterable<[channelKey: string, bot: string]> {
    return this.botByChannel.entries();
  }
}
