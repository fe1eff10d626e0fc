// The pieces of examples/sharding/ that no engine test runs: the image they all use and the Batch
// submission script. One trailwarden version throughout, a Node.js the CLI accepts, and a script
// that submits what the job definitions expect.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ensureAwsCli } from '../harness/aws-cli-validate.js';

const DIR = fileURLToPath(new URL('../../examples/sharding/', import.meta.url));
const dockerfile = readFileSync(`${DIR}Dockerfile`, 'utf8');

describe('examples/sharding/', () => {
  it('the Dockerfile installs the pinned trailwarden on a Node.js the CLI runs on, as a non-root user', () => {
    expect(dockerfile).toMatch(/^FROM node:(22|24)(-slim)?$/m);
    expect(dockerfile).toMatch(/^RUN npm install --global "trailwarden@\$\{TRAILWARDEN_VERSION\}"/m);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('every example pins the same trailwarden version', () => {
    const version = /^ARG TRAILWARDEN_VERSION=(\S+)$/m.exec(dockerfile)![1]!;
    const workflow = parse(readFileSync(`${DIR}github-actions.yml`, 'utf8')) as { env: { TRAILWARDEN_VERSION: string } };
    expect(workflow.env.TRAILWARDEN_VERSION).toBe(version);
    for (const file of ['kubernetes/scan-job.yaml', 'kubernetes/merge-job.yaml']) {
      const images = parseAllDocuments(readFileSync(DIR + file, 'utf8'))
        .map((d) => d.toJS() as { kind: string; spec?: { template?: { spec: { containers: { image: string }[] } } } })
        .flatMap((o) => o.spec?.template?.spec.containers.map((c) => c.image) ?? []);
      expect(images.length, file).toBeGreaterThan(0);
      for (const image of images) expect(image, file).toMatch(new RegExp(`/trailwarden:${version.replace(/\./g, '\\.')}$`));
    }
  });

  it('aws-batch/submit.sh submits the array job, then the merge job depending on it (the real AWS CLI, against a loopback Batch endpoint)', async () => {
    const aws = await ensureAwsCli();
    const requests: { path: string; body: Record<string, unknown> }[] = [];
    // Batch's SubmitJob over its REST-JSON protocol: POST /v1/submitjob, answered with the job's id.
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        requests.push({ path: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
        const jobId = `job-${requests.length}`;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jobArn: `arn:aws:batch:us-east-1:111111111111:job/${jobId}`, jobName: (JSON.parse(body) as { jobName: string }).jobName, jobId }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const { stdout } = await promisify(execFile)('bash', [`${DIR}aws-batch/submit.sh`, '2026-12-02T0500Z'], {
        timeout: 60_000,
        env: {
          PATH: `${dirname(aws)}:${process.env.PATH}`,
          SHARDS: '6',
          AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        },
      });
      expect(stdout.trim()).toBe('run 2026-12-02T0500Z: scan array job job-1 (6 shards), merge job job-2');
    } finally {
      server.close();
    }
    expect(requests.map((r) => r.path)).toEqual(['/v1/submitjob', '/v1/submitjob']);
    const [scan, merge] = requests.map((r) => r.body);
    expect(scan).toMatchObject({ jobName: 'trailwarden-scan', jobDefinition: 'trailwarden-scan', arrayProperties: { size: 6 }, parameters: { run: '2026-12-02T0500Z' } });
    expect(merge).toMatchObject({ jobName: 'trailwarden-merge', jobDefinition: 'trailwarden-merge', dependsOn: [{ jobId: 'job-1' }], parameters: { run: '2026-12-02T0500Z' } });
    expect(merge).not.toHaveProperty('arrayProperties');
  });
});
