import { Admissions } from '../../../src/delivery/admission.js';

// Resolves with whether `p` settled within a few event-loop turns.
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
}

describe('Permit', () => {
  it('makes a second message of the same bot wait until the first is done', async () => {
    const admissions = new Admissions(1);
    const first = admissions.permit('bot-a');
    const second = admissions.permit('bot-a');
    await first.acquire();
    const waiting = second.acquire();
    expect(await settled(waiting)).toBe(false);
    first.done();
    expect(await settled(waiting)).toBe(true);
    expect(second.held).toBe(true);
  });

  it('keeps the bots apart', async () => {
    const admissions = new Admissions(1);
    await admissions.permit('bot-a').acquire();
    expect(await settled(admissions.permit('bot-b').acquire())).toBe(true);
  });

  it('gives the permit back when nothing was sent, and takes it again for the retry', async () => {
    const admissions = new Admissions(1);
    const permit = admissions.permit('bot-a');
    await permit.acquire();
    permit.notSent();
    expect(permit.held).toBe(false);
    const other = admissions.permit('bot-a');
    await other.acquire();
    other.done();
    await permit.acquire();
    expect(permit.held).toBe(true);
  });

  it('gives a permit back once however often it is released', async () => {
    const admissions = new Admissions(1);
    const permit = admissions.permit('bot-a');
    await permit.acquire();
    permit.notSent();
    permit.done();
    permit.done();
    // With a double release the gate would hold two permits: both of these would pass at once.
    const a = admissions.permit('bot-a');
    const b = admissions.permit('bot-a');
    await a.acquire();
    expect(await settled(b.acquire())).toBe(false);
    a.done();
  });

  it('does not acquire again after done, and a permit done while waiting goes straight back', async () => {
    const admissions = new Admissions(1);
    const holder = admissions.permit('bot-a');
    await holder.acquire();
    const late = admissions.permit('bot-a');
    const waiting = late.acquire();
    late.done();
    holder.done();
    await waiting;
    expect(late.held).toBe(false);
    await late.acquire();
    expect(late.held).toBe(false);
    const next = admissions.permit('bot-a');
    expect(await settled(next.acquire())).toBe(true);
  });
});
