// Shared by the emulator's tests: start an emulator and call it over real HTTP, the way a client does.

import { ManualClock } from './limits.js';
import { demoScenario, type Scenario } from './scenario.js';
import { TelegramEmulator, type ApiResponse, type EmulatorOptions } from './server.js';

export type Encoding = 'json' | 'form' | 'query';

export interface CallResult {
  status: number;
  body: ApiResponse;
  headers: Headers;
}

export interface Harness {
  emu: TelegramEmulator;
  base: string;
  clock: ManualClock;
  call(token: string, method: string, params?: Record<string, unknown>, encoding?: Encoding): Promise<CallResult>;
  get(path: string): Promise<CallResult>;
  /** POSTs `body` as it is, for bodies `call` would never write (ones that do not parse). */
  post(path: string, contentType: string, body: string): Promise<CallResult>;
}

/** Quiet defaults (no 409 pacing, no polling quirks, no rate limits) unless a test asks for them. */
export async function startEmulator(scenario: Scenario = demoScenario(), options: EmulatorOptions = {}): Promise<Harness> {
  const clock = options.clock instanceof ManualClock ? options.clock : new ManualClock();
  const emu = new TelegramEmulator(scenario, {
    conflictDelayMs: 0,
    pollingQuirks: false,
    limits: false,
    ...options,
    clock,
  });
  const base = await emu.start();
  const call: Harness['call'] = (token, method, params = {}, encoding = 'json') =>
    request(`${base}/bot${token}/${method}`, params, encoding);
  const answer = async (res: Response): Promise<CallResult> => ({
    status: res.status,
    body: (await res.json()) as ApiResponse,
    headers: res.headers,
  });
  const get: Harness['get'] = async (path) => answer(await fetch(`${base}${path}`));
  const post: Harness['post'] = async (path, contentType, body) =>
    answer(await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body }));
  return { emu, base, clock, call, get, post };
}

/**
 * Registers the jest hooks of a test file's emulator and hands it to `use`: a fresh one for each test,
 * or (`perFile`) one for the whole file, its recorded traffic and rate-limit history cleared before each
 * test. `start` starts another scenario or options than the quiet default.
 */
export function emulatorForTests(use: (h: Harness) => void, opts: { perFile?: boolean; start?: () => Promise<Harness> } = {}): void {
  const start = opts.start ?? (() => startEmulator());
  let current: Harness | undefined;
  const up = async () => {
    current = await start();
    use(current);
  };
  const down = async () => {
    await current?.emu.stop();
    current = undefined;
  };
  if (opts.perFile) {
    beforeAll(up);
    afterAll(down);
    beforeEach(() => current?.emu.clear());
  } else {
    beforeEach(up);
    afterEach(down);
  }
}

/** The server's answer to an edit that changes nothing. */
export const NOT_MODIFIED_DESCRIPTION =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current ' +
  'content and reply markup of the message';

export async function request(url: string, params: Record<string, unknown>, encoding: Encoding): Promise<CallResult> {
  const asStrings = (): URLSearchParams =>
    new URLSearchParams(
      Object.entries(params).map(([k, v]): [string, string] => [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)]),
    );
  let res: Response;
  if (encoding === 'json') {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  } else if (encoding === 'form') {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: asStrings().toString(),
    });
  } else {
    const qs = asStrings().toString();
    res = await fetch(qs ? `${url}?${qs}` : url);
  }
  return { status: res.status, body: (await res.json()) as ApiResponse, headers: res.headers };
}

/** Narrows to an error body, failing the test with the actual body otherwise. */
export function errorOf(r: CallResult): { error_code: number; description: string; parameters?: unknown } {
  if (r.body.ok) throw new Error(`expected an error, got ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The call failed with exactly this code and description, and nothing else in the body. */
export function expectError(r: CallResult, code: number, description: string): void {
  expect(r.status).toBe(code);
  expect(errorOf(r)).toStrictEqual({ ok: false, error_code: code, description });
}

/** Telegram's flood answer: 429, `Retry-After` and `parameters.retry_after` both `seconds`, nothing else in the body. */
export function expectTooManyRequests(r: CallResult, seconds: number): void {
  expect(r.status).toBe(429);
  expect(r.headers.get('retry-after')).toBe(String(seconds));
  expect(r.body).toStrictEqual({
    ok: false,
    error_code: 429,
    description: `Too Many Requests: retry after ${seconds}`,
    parameters: { retry_after: seconds },
  });
}

/** The call failed with 400 "Bad Request: `what`", and nothing else in the body. */
export function expectBadRequest(r: CallResult, what: string): void {
  expectError(r, 400, `Bad Request: ${what}`);
}

export function resultOf<T = Record<string, unknown>>(r: CallResult): T {
  if (!r.body.ok) throw new Error(`expected success, got ${JSON.stringify(r.body)}`);
  return r.body.result as T;
}

/** A call in flight whose answer the test can look at without awaiting it. */
export function track<T>(promise: Promise<T>): { promise: Promise<T>; answered: () => boolean } {
  let answered = false;
  const tracked = promise.finally(() => (answered = true));
  return { promise: tracked, answered: () => answered };
}

/** Resolves once the emulator has received `count` requests (it records a request before any delay). */
export async function received(h: Pick<Harness, 'emu'>, count: number): Promise<void> {
  while (h.emu.requests.length < count) await new Promise((r) => setTimeout(r, 5));
}

/** Gives an answer that should not come yet the time to arrive anyway (20 ms: a chance, not a bound). */
export const chanceToArrive = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

/**
 * The `nth` request received, `call`, is held until the emulator clock has moved `ms`: not answered a
 * millisecond before, answered then. Its answer is returned.
 */
export async function answeredAfter(
  h: Pick<Harness, 'emu' | 'clock'>,
  call: Promise<CallResult>,
  nth: number,
  ms: number,
): Promise<CallResult> {
  const tracked = track(call);
  await received(h, nth);
  h.clock.advance(ms - 1);
  await chanceToArrive();
  expect(tracked.answered()).toBe(false);
  h.clock.advance(1);
  return tracked.promise;
}
