// An episode: one alert group's life in one chat, from its first firing notification to its resolve. The
// contract between the lifecycle (which writes episodes) and the interaction (which reads them at a press).
export interface Episode {
  id: string; // random, URL-safe, <= 16 chars; the only thing callback data carries
  channel: { namespace: string; name: string; uid: string };
  groupKey: string; // the source's groupKey
  // The webhook source whose notification the episode shows ("grafana"): its buttons silence there.
  // Absent: Alertmanager (its records leave it out, so a record that names no source is Alertmanager's).
  source?: string;
  chatId: string; // the chat the messages are in
  messageIds: number[]; // the parts of the current message; buttons hang on messageIds[0]
  commonLabels: Record<string, string>;
  state: 'firing' | 'resolved';
  silence?: { id: string; endsAt: string; by: string }; // by: 'telegram:@username' | 'telegram:<id>'
  ack?: { by: string; at: string };
  updatedAt: string; // RFC 3339
  // Set when messageIds[0] is a message shared with other episodes of the channel (a storm's): its
  // members' episode ids in order. A shared message has no buttons.
  shared?: { members: string[] };
}
export interface EpisodeStore {
  get(id: string): Promise<Episode | undefined>;
  /** Read-modify-write of one episode (conflicts retried inside); returns the stored result. */
  update(id: string, change: (e: Episode) => Episode | undefined): Promise<Episode | undefined>;
}
/** Re-renders the episode's first message (its text + footer naming silence/ack, and its keyboard)
 *  after a press changed it; implemented by `episodes` in src/lifecycle/, used by `interact`. */
export interface EpisodeRenderer {
  refresh(e: Episode): Promise<void>;
}
