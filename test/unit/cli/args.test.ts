import { parseCommandLine, parseSecretRef, TOKEN_AS_ARGUMENT, UsageError } from '../../../src/cli/args.js';

const TOKEN = '7000000001:AATZ1fepnt_C4hBzb8nKisoeXypZcV-GDIh';

function usageError(argv: string[]): UsageError {
  try {
    parseCommandLine(argv);
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('parseCommandLine', () => {
  test('no arguments, --help and help show the main usage', () => {
    expect(parseCommandLine([])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['help', 'check'])).toEqual({ kind: 'help', command: 'check' });
    expect(parseCommandLine(['chats', '-h'])).toEqual({ kind: 'help', command: 'chats' });
  });

  test('chats with a token file and defaults', () => {
    expect(parseCommandLine(['chats', '--token-file', '/tmp/t'])).toEqual({
      kind: 'chats',
      token: { stdin: false, tokenFile: '/tmp/t' },
      output: 'table',
      printManifest: false,
    });
  });

  test('"-" and "--token-file -" both mean standard input', () => {
    expect(
      parseCommandLine(['chats', '-']).kind === 'chats' && (parseCommandLine(['chats', '-']) as { token: { stdin: boolean } }).token.stdin,
    ).toBe(true);
    const cmd = parseCommandLine(['check', '--token-file', '-', '--chat', '@ops_channel']);
    expect(cmd).toMatchObject({ kind: 'check', token: { stdin: true }, chat: '@ops_channel' });
    expect((cmd as { token: object }).token).not.toHaveProperty('tokenFile');
  });

  test('a negative chat id after --chat is a value, not an option', () => {
    expect(parseCommandLine(['check', '-', '--chat', '-1001234567890'])).toMatchObject({ chat: '-1001234567890' });
    expect(parseCommandLine(['check', '-', '--chat=-400000001'])).toMatchObject({ chat: '-400000001' });
    expect(parseCommandLine(['chats', '-', '--chat', '-1001234567890', '-n', 'monitoring', '--name', 'ops'])).toMatchObject({
      kind: 'chats',
      chat: '-1001234567890',
      printManifest: true,
      namespace: 'monitoring',
      name: 'ops',
    });
  });

  test('check needs --chat; --thread must be an integer >= 2', () => {
    expect(usageError(['check', '-']).message).toMatch(/--chat/);
    expect(parseCommandLine(['check', '-', '--chat', '-1', '--thread', '42'])).toMatchObject({ thread: 42 });
    expect(usageError(['check', '-', '--chat', '-1', '--thread', '1']).message).toMatch(/General/);
    expect(usageError(['check', '-', '--chat', '-1', '--thread', 'x']).message).toMatch(/>= 2/);
  });

  test('-o json; anything else but table/json is a usage error', () => {
    expect(parseCommandLine(['chats', '-', '-o', 'json'])).toMatchObject({ output: 'json' });
    expect(parseCommandLine(['chats', '-', '--output=table'])).toMatchObject({ output: 'table' });
    expect(usageError(['chats', '-', '-o', 'xml']).message).toMatch(/table.*json/);
  });

  test('one token source only', () => {
    expect(usageError(['chats', '-', '--token-file', 'x']).message).toMatch(/one way only/);
    expect(usageError(['chats', '--secret', 'a/b', '--token-file', 'x']).message).toMatch(/one way only/);
  });

  test.each([
    [['chats', '--token', TOKEN]],
    [['chats', `--token=${TOKEN}`]],
    [['check', '--bot-token', TOKEN, '--chat', '-1']],
    [['chats', TOKEN]],
    [['check', '--chat', '-1', TOKEN]],
    [['chats', `--tokn=${TOKEN}`]],
  ])('the token as an argument is refused with the reason: %j', (argv) => {
    const e = usageError(argv);
    expect(e.message).toBe(TOKEN_AS_ARGUMENT);
    expect(e.message).toMatch(/shell history/);
    expect(e.message).not.toContain(TOKEN);
  });

  test('unknown options and commands are usage errors that never echo a token-like value', () => {
    expect(usageError(['chats', '--frobnicate']).message).toMatch(/frobnicate/);
    expect(usageError(['deploy']).message).toMatch(/unknown command "deploy"/);
    expect(usageError(['--chat', '1']).message).toMatch(/a command comes first/);
    expect(usageError(['chats', 'extra']).message).toMatch(/unexpected argument "extra"/);
  });

  test('invalid --name and --namespace', () => {
    expect(usageError(['chats', '-', '--name', 'Ops Team']).message).toMatch(/not a valid Kubernetes object name/);
    expect(usageError(['chats', '-', '-n', 'Bad_NS']).message).toMatch(/not a valid namespace/);
  });
});

describe('parseSecretRef', () => {
  test('namespace/name:key, defaults key to token', () => {
    expect(parseSecretRef('monitoring/telegram-bot')).toEqual({ namespace: 'monitoring', name: 'telegram-bot', key: 'token' });
    expect(parseSecretRef('monitoring/telegram-bot:botToken')).toEqual({ namespace: 'monitoring', name: 'telegram-bot', key: 'botToken' });
    expect(parseSecretRef('telegram-bot')).toEqual({ name: 'telegram-bot', key: 'token' });
  });
  test.each(['', 'a/b/c', 'Ns/x', 'ns/', 'ns/x:', 'ns/x:a:b'])('rejects %j', (ref) => {
    expect(() => parseSecretRef(ref)).toThrow(UsageError);
  });
});
