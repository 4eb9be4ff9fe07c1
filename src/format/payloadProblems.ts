// How a webhook payload that does not parse is described to its sender (in the 400 answer): the first
// few problems, each with its field path, e.g. `alerts.0.labels: …`, and how many more there were.
import type { z } from 'zod';

export function payloadProblems(error: z.ZodError): string {
  const problems = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${path === '' ? 'payload' : path}: ${issue.message}`;
  });
  const more = error.issues.length - problems.length;
  return problems.join('; ') + (more > 0 ? `; and ${more} more` : '');
}
