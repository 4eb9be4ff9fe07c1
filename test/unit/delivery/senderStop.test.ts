// Stopping the sender when this replica loses the Lease: nothing new goes to Telegram from then on,
// a request already on its way finishes and settles its message, and everything else is rejected
// as SendingStopped (transient, so the next leader sends it).
import { Sender, SendingStopped } from '../../../src/delivery/sender.js';
import { TelegramClient } from '../../../src/telegram/client.js';
import { DEMO, demoScenario } from '../../emulator/scenario.js';
import { TelegramEmulator } from '../../emulator/server.js';
import { outgoingAlert as msg, sendMessageCalls } from '../../harness/outgoing.js';

let emu: TelegramEmulator;
let sender: Sender;

beforeEach(async () => {
  emu = new TelegramEmulator(demoScenario());
  sender = new Sender(new TelegramClient(await emu.start()), { rateLimitWait: () => undefined, sent: () => undefined });
});
afterEach(async () => {
  await emu.stop();
});

const sends = () => sendMessageCalls(emu);
const settled = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

async function untilSending(n: number): Promise<void> {
  for (let i = 0; i < 300 && sends().length < n; i++) await new Promise((r) => setTimeout(r, 10));
  expect(sends()).toHaveLength(n);
}

test('on stop, the send in flight finishes and is delivered; queued ones and new ones are rejected unsent', async () => {
  emu.setFaults({ latencyMs: 400 });
  const first = settled(sender.send(msg('on its way')));
  const queued = settled(sender.send(msg('waiting behind it')));
  const coalescible = settled(sender.send(msg('a notification waiting to ride along', { coalesce: true })));
  await untilSending(1);

  sender.stopAccepting();
  const late = await settled(sender.send(msg('after the stop')));
  expect((late as { error: unknown }).error).toBeInstanceOf(SendingStopped);
  expect(await sender.drain(3_000)).toBe(true);

  expect(await first).toEqual({ value: { messageIds: [expect.any(Number)] } });
  for (const r of [await queued, await coalescible]) {
    const err = (r as { error: unknown }).error;
    expect(err).toBeInstanceOf(SendingStopped);
    expect((err as SendingStopped).transient).toBe(true);
  }
  expect(sends()).toHaveLength(1);
  expect(emu.messagesTo(DEMO.chats.ops).map((m) => m.text)).toEqual(['on its way']);
});

test('a send in flight that fails transiently is not retried after the stop', async () => {
  emu.setFaults({ latencyMs: 300, status5xx: { count: 1, code: 502 } });
  const result = settled(sender.send(msg('would be retried')));
  await untilSending(1);
  sender.stopAccepting();
  expect(await sender.drain(3_000)).toBe(true);
  expect(((await result) as { error: unknown }).error).toBeInstanceOf(SendingStopped);
  await new Promise((r) => setTimeout(r, 1_200)); // past the first retry's backoff
  expect(sends()).toHaveLength(1);
});

test('a multi-part message stops after the part in flight: the rest is not sent', async () => {
  emu.setFaults({ latencyMs: 300 });
  const result = settled(sender.send(msg('', { parts: ['part one', 'part two', 'part three'] })));
  await untilSending(1);
  sender.stopAccepting();
  expect(await sender.drain(3_000)).toBe(true);
  expect(((await result) as { error: unknown }).error).toBeInstanceOf(SendingStopped);
  expect(emu.messagesTo(DEMO.chats.ops).map((m) => m.text)).toEqual(['part one']);
});

test('a message waiting for its admission is rejected and gives nothing back twice', async () => {
  let releases = 0;
  let admitted!: () => void;
  const admission = new Promise<void>((r) => (admitted = r));
  const result = settled(
    sender.send(
      msg('held at the gate', {
        admission: {
          acquire: () => admission,
          notSent: () => void releases++,
        },
      }),
    ),
  );
  await new Promise((r) => setTimeout(r, 50));
  sender.stopAccepting();
  admitted();
  expect(await sender.drain(3_000)).toBe(true);
  expect(((await result) as { error: unknown }).error).toBeInstanceOf(SendingStopped);
  expect(releases).toBe(1); // the permit it got after being dropped is handed straight back, once
  expect(sends()).toHaveLength(0);
});
