// examples/sharding/kubernetes/: the Indexed Job and the merge Job are schema-valid Kubernetes
// objects that fit together, and they work: the scan Job's container is run once per completion
// index (JOB_COMPLETION_INDEX 0..3, four processes at once, as parallelism: 4 does), the merge
// Job's container after them on the same directory, and the merged snapshot is the unsharded
// scan's, fact for fact. AWS is the synthetic endpoint (scripts/bench/synthetic-aws.ts) on loopback.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadSnapshot } from '../../src/inventory/load.js';
import type { Snapshot } from '../../src/inventory/schema.js';
import { shardOf } from '../../src/shard/assign.js';
import { audited, findingsOf, remount, runStep, startShardBench, stepEnv, type ShardBench, type StepRun } from '../harness/engine-run.js';
import { assertValidSnapshot } from '../harness/scan-run.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIR = `${ROOT}examples/sharding/kubernetes/`;

interface Container { name: string; image: string; command?: string[]; args?: string[]; env?: { name: string; value?: string }[]; volumeMounts?: { name: string; mountPath: string }[] }
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: {
    completionMode?: string; completions?: number; parallelism?: number; accessModes?: string[];
    template?: { spec: { containers: Container[]; serviceAccountName?: string; restartPolicy?: string; volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[] } };
  };
}

const load = (file: string): K8sObject[] =>
  parseAllDocuments(readFileSync(DIR + file, 'utf8')).map((d) => {
    expect(d.errors, file).toEqual([]);
    return d.toJS() as K8sObject;
  });
const scanObjects = load('scan-job.yaml');
const mergeObjects = load('merge-job.yaml');
const find = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const scanJob = find(scanObjects, 'Job')[0]!;
const mergeJob = find(mergeObjects, 'Job')[0]!;

// Strict about the schema itself; required names inside if/then need no local definition.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
const validate = ajv.compile(JSON.parse(readFileSync(`${ROOT}test/examples/kubernetes-objects.schema.json`, 'utf8')));
const problems = (o: unknown): string[] => (validate(o) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

/** The argv a container runs: command then args, as the kubelet passes them (no $(VAR) reference is used). */
const argvOf = (c: Container) => [...(c.command ?? []), ...(c.args ?? [])];

describe('the Kubernetes manifests', () => {
  it('are schema-valid Kubernetes objects (v1 ServiceAccount and PersistentVolumeClaim, batch/v1 Job)', () => {
    expect(scanObjects.map((o) => o.kind)).toEqual(['ServiceAccount', 'PersistentVolumeClaim', 'Job']);
    expect(mergeObjects.map((o) => o.kind)).toEqual(['Job']);
    for (const o of [...scanObjects, ...mergeObjects]) expect(problems(o), `${o.kind} ${o.metadata.name}`).toEqual([]);
  });

  it('the schema really checks: a misspelt field, a wrong enum, an Indexed Job without completions and a restartPolicy Always are refused', () => {
    const copy = () => JSON.parse(JSON.stringify(scanJob)) as K8sObject & { spec: Record<string, unknown> };
    const misspelt = copy();
    misspelt.spec.complettions = 4;
    const badMode = copy();
    badMode.spec.completionMode = 'Indexd';
    const noCompletions = copy();
    delete noCompletions.spec.completions;
    const always = copy();
    always.spec.template!.spec.restartPolicy = 'Always';
    expect(problems(misspelt).join('; ')).toMatch(/must NOT have additional properties/);
    expect(problems(badMode).join('; ')).toMatch(/completionMode must be equal to one of the allowed values/);
    expect(problems(noCompletions).join('; ')).toMatch(/must have required property 'completions'/);
    expect(problems(always).join('; ')).toMatch(/restartPolicy must be equal to one of the allowed values/);
  });

  it('fit together: one Indexed completion per shard, --shard-count equal to completions, one shared ReadWriteMany claim', () => {
    expect(scanJob.spec!.completionMode).toBe('Indexed');
    const script = argvOf(scanJob.spec!.template!.spec.containers[0]!).join(' ');
    expect(Number(/--shard-count (\d+)/.exec(script)?.[1])).toBe(scanJob.spec!.completions);
    expect(script).toContain('$JOB_COMPLETION_INDEX');
    expect(scanJob.spec!.parallelism).toBeLessThanOrEqual(scanJob.spec!.completions!);
    const claim = find(scanObjects, 'PersistentVolumeClaim')[0]!;
    expect(claim.spec!.accessModes).toEqual(['ReadWriteMany']);
    expect(scanJob.spec!.template!.spec.serviceAccountName).toBe(find(scanObjects, 'ServiceAccount')[0]!.metadata.name);
    for (const job of [scanJob, mergeJob]) {
      expect(job.metadata.namespace).toBe(claim.metadata.namespace);
      const pod = job.spec!.template!.spec;
      expect(pod.volumes?.map((v) => v.persistentVolumeClaim?.claimName)).toEqual([claim.metadata.name]);
      for (const c of pod.containers) for (const m of c.volumeMounts ?? []) expect(pod.volumes!.map((v) => v.name)).toContain(m.name);
    }
    const mount = (job: K8sObject) => job.spec!.template!.spec.containers[0]!.volumeMounts![0]!.mountPath;
    expect(mount(mergeJob)).toBe(mount(scanJob));
  });
});

describe('the Indexed Job and the merge Job, run', () => {
  let bench: ShardBench;
  let local: string;
  let pods: StepRun[];
  let merge: StepRun;

  /** Runs a Job's container as its pod would, the claim's mount path rewritten to a local directory. */
  const runPod = (job: K8sObject, extraEnv: Record<string, string>) => {
    const c = job.spec!.template!.spec.containers[0]!;
    const argv = argvOf(c).map((a) => remount(a, c.volumeMounts![0]!.mountPath, local));
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? '']));
    return runStep([argv[0]!], argv[1]!, argv.slice(2), stepEnv(bench.endpoint.url, bench.bin, { ...env, ...extraEnv }), bench.work);
  };

  beforeAll(async () => {
    bench = await startShardBench(['--role-name', 'TrailwardenAudit']);
    local = join(bench.work, 'claim');
    pods = await Promise.all(Array.from({ length: scanJob.spec!.completions! }, (_, i) => runPod(scanJob, { JOB_COMPLETION_INDEX: String(i) })));
    merge = await runPod(mergeJob, {});
  }, 300_000);

  afterAll(async () => {
    await bench?.stop();
  });

  it('every pod succeeds, each writing the snapshot of shard index+1 of 4 with only its own accounts scanned', async () => {
    const count = scanJob.spec!.completions!;
    for (const [i, pod] of pods.entries()) {
      expect(pod, `pod ${i}`).toMatchObject({ code: 0 });
      const s = await loadSnapshot(join(local, `shard-${i}`, 'snapshot.json'));
      assertValidSnapshot(s);
      expect(s.shard).toEqual({ index: i + 1, count });
      const scanned = s.accounts.filter((a) => a.status !== 'skipped');
      expect(scanned.length, `shard ${i + 1} scanned nothing`).toBeGreaterThan(0);
      for (const a of scanned) expect(shardOf(a.id, count), a.id).toBe(i + 1);
    }
  });

  it('the merge Job joins them into the unsharded scan\'s snapshot, and its evaluation is the unsharded one\'s', async () => {
    expect(merge.stderr).toMatch(/merged 4 shard\(s\) into .*: 21 accounts \(21 scanned, 0 error\)/);
    const merged: Snapshot = await loadSnapshot(join(local, 'merged', 'snapshot.json'));
    assertValidSnapshot(merged);
    expect(merged.shard).toBeUndefined();
    expect(audited(merged)).toEqual(audited(bench.whole));
    // The Job's exit is the gate's: the same as evaluating the unsharded snapshot.
    expect(merge.code).toBe(bench.wholeEvaluation.code);
    expect(findingsOf(join(local, 'report', 'report.json'))).toEqual(bench.wholeEvaluation.findings);
    for (const f of ['report.html', 'report.sarif', 'report.md']) expect(existsSync(join(local, 'report', f)), f).toBe(true);
  });

  it('a pod given an index outside --shard-count fails with exit 2 and says why, writing nothing', async () => {
    const pod = await runPod(scanJob, { JOB_COMPLETION_INDEX: '4' });
    expect(pod.code).toBe(2);
    expect(pod.stderr.trim()).toBe('trailwarden: JOB_COMPLETION_INDEX=4 is outside 4 shard(s): the index must be from 0 to 3 (--shard-count 4, JOB_COMPLETION_INDEX=4)');
    expect(existsSync(join(local, 'shard-4'))).toBe(false);
  });
});
