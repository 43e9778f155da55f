/** What the CLI reads of the environment. */

/** The `envs` render variable: environment variables prefixed `ENV_`, prefix stripped, lower-cased. */
export function envsFrom(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('ENV_') && v !== undefined) out[k.slice(4).toLowerCase()] = v;
  return out;
}

/** Whether to colour output written to `stream`: a TTY, and neither NO_COLOR nor TERM=dumb. */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb';
}
