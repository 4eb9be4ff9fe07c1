// Resource use of a process from /proc: RSS (VmRSS, sampled; VmHWM, the kernel's own peak) and
// CPU time (utime + stime from /proc/<pid>/stat, in clock ticks of 1/100 s on Linux).
import { readFileSync } from 'node:fs';

const CLK_TCK = 100;

export interface ProcSnapshot {
  at: number;
  rssMB: number;
  hwmMB: number;
  cpuSeconds: number;
}

export function snapshot(pid: number): ProcSnapshot | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at index 3 (state).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return { at: Date.now(), rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024, cpuSeconds: (utime + stime) / CLK_TCK };
  } catch {
    return undefined;
  }
}

/** Samples a process every `intervalMs` and keeps the peak RSS seen. */
export class ProcSampler {
  peakRssMB = 0;
  last: ProcSnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly pid: number,
    intervalMs = 250,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): ProcSnapshot | undefined {
    const s = snapshot(this.pid);
    if (s) {
      this.last = s;
      this.peakRssMB = Math.max(this.peakRssMB, s.rssMB);
    }
    return s;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
