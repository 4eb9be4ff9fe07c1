// A command run through execFileSync, as a result to assert on instead of an exception: its exit
// status and both streams, for failure messages and expected rejections.

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function withExitStatus(run: () => string): CommandResult {
  try {
    return { code: 0, stdout: run(), stderr: '' };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { code: err.status ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}
