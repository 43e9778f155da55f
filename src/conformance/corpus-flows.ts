/**
 * Deploying a corpus's flows/: every file once, each outcome kept by file name, so a file that
 * does not deploy fails only the cases that need it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toErrorRecord } from '../errors.js';
import type { Engine } from '../runtime/engine.js';

/** What became of one file of flows/. */
export type DeployedFile = { ok: true; namespace: string; id: string } | { ok: false; error: string };

/** The outcome of deploying flows/, by file name. */
export interface DeployedFlows {
  files: ReadonlyMap<string, DeployedFile>;
  /** Files per `namespace.id` key (a key with two files cannot tell which flow a case means). */
  byKey: ReadonlyMap<string, readonly string[]>;
}

/** An error as a report line shows it: `CODE: message`. */
export function describeError(e: unknown): string {
  const rec = toErrorRecord(e);
  return `${rec.code}: ${rec.message}`;
}

/** The .yaml and .yml files directly in `dir`, sorted by name; none when `dir` is missing. */
export function listFlowFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => /\.ya?ml$/.test(n)).sort();
}

/**
 * Deploys every flow file of `dir` into `engine`, one after another, leniently: Kestra's test
 * flows may name task types this build cannot run, and such a case must fail as a case (its task
 * run fails), not keep the rest of the corpus (subflow targets) from deploying.
 * @returns each file's outcome: its flow's namespace and id, or the error that stopped it
 */
export async function deployFlows(engine: Engine, dir: string): Promise<DeployedFlows> {
  const files = new Map<string, DeployedFile>();
  const byKey = new Map<string, string[]>();
  for (const name of listFlowFiles(dir)) {
    const path = join(dir, name);
    try {
      const record = await engine.deploy(readFileSync(path, 'utf8'), { file: name, lenient: true });
      files.set(name, { ok: true, namespace: record.namespace, id: record.id });
      const key = `${record.namespace}.${record.id}`;
      byKey.set(key, [...(byKey.get(key) ?? []), name]);
    } catch (e) {
      files.set(name, { ok: false, error: describeError(e) });
    }
  }
  return { files, byKey };
}

/**
 * Why the files a case needs cannot be used, or undefined when they all deployed unambiguously.
 * @param needed the case's flow file and its `deploy` files
 */
export function flowProblem(flows: DeployedFlows, needed: readonly string[]): string | undefined {
  for (const name of needed) {
    const file = flows.files.get(name);
    if (!file) return `flows/${name} does not exist`;
    if (!file.ok) return `flows/${name} did not deploy: ${file.error}`;
    const shared = flows.byKey.get(`${file.namespace}.${file.id}`) ?? [];
    if (shared.length > 1) return `flows/${shared.join(' and flows/')} are all ${file.namespace}.${file.id}: cannot tell which one the case means`;
  }
  return undefined;
}
