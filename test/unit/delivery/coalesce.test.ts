// Which queued messages ride together (takeBatch), when routes interleave a storm over forum topics.
import { takeBatch, type Batchable } from '../../../src/delivery/coalesce.js';
import { outgoingAlert } from '../../harness/outgoing.js';

const queued = (text: string, thread: number | undefined, extra: Partial<Batchable> = {}): Batchable => ({
  msg: outgoingAlert(text, { coalesce: true, options: thread === undefined ? {} : { message_thread_id: thread } }),
  nextPart: 0,
  enqueuedAt: 0,
  ...extra,
});
const texts = (batch: Batchable[]) => batch.map((p) => p.msg.parts[0]);

test("a storm interleaved over two topics: the head's topic rides together, passing the other topic's messages", () => {
  const queue = [queued('c1', 42), queued('w1', 77), queued('w2', 77), queued('c2', 42), queued('w3', 77), queued('c3', 42)];
  expect(texts(takeBatch(queue))).toEqual(['c1', 'c2', 'c3']);
  expect(texts(takeBatch(queue.slice(1)))).toEqual(['w1', 'w2', 'w3']);
});

test("within the head's topic the order holds: the batch stops at a message that cannot join, it does not pass it", () => {
  const withButtons = queued('c2 with buttons', 42);
  withButtons.msg.coalesce = false;
  const queue = [queued('c1', 42), queued('w1', 77), withButtons, queued('c3', 42)];
  expect(texts(takeBatch(queue))).toEqual(['c1']);
});

test('the same topic with another sound (quiet hours) stops the batch as before: order in a topic is kept', () => {
  const silent = queued('c2 silent', 42);
  silent.msg.options = { message_thread_id: 42, disable_notification: true };
  expect(texts(takeBatch([queued('c1', 42), silent, queued('c3', 42)]))).toEqual(['c1']);
});

test('an edit or other call queued for the chat is never passed, whatever its topic', () => {
  const edit = queued('', undefined, { call: { method: 'editMessageText' } });
  expect(texts(takeBatch([queued('c1', 42), edit, queued('c2', 42)]))).toEqual(['c1']);
});

test('a chat without topics batches as before', () => {
  expect(texts(takeBatch([queued('a', undefined), queued('b', undefined)]))).toEqual(['a', 'b']);
});
