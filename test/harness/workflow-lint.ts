// A structural check of a GitHub Actions workflow in the manner of actionlint, for the workflows
// the project ships: the keys GitHub accepts at each level, jobs and their needs (no unknown job,
// no cycle), matrices, steps (one of uses or run, pinned actions, the inputs of the actions used),
// every ${{ }} expression and `if:` naming only contexts that exist where it is used (a matrix key
// the job defines, a job it needs, an earlier step's id and an output that step writes), and
// every run script valid bash (`bash -n`). Returns the problems, each naming where it is.
import { execFileSync } from 'node:child_process';

type Node = Record<string, unknown>;

const TOP = ['name', 'run-name', 'on', 'permissions', 'env', 'defaults', 'concurrency', 'jobs'];
const JOB = ['name', 'needs', 'runs-on', 'permissions', 'environment', 'concurrency', 'outputs', 'env', 'defaults', 'if', 'steps', 'timeout-minutes', 'strategy', 'continue-on-error', 'container', 'services'];
const STEP = ['id', 'if', 'name', 'uses', 'run', 'shell', 'with', 'env', 'continue-on-error', 'timeout-minutes', 'working-directory'];
const STRATEGY = ['matrix', 'fail-fast', 'max-parallel'];
const PERMISSION_SCOPES = ['actions', 'attestations', 'checks', 'contents', 'deployments', 'discussions', 'id-token', 'issues', 'models', 'packages', 'pages', 'pull-requests', 'repository-projects', 'security-events', 'statuses'];
const EVENTS = ['schedule', 'workflow_dispatch', 'push', 'pull_request', 'workflow_call', 'workflow_run', 'release'];
const CONTEXTS = ['github', 'env', 'vars', 'secrets', 'matrix', 'strategy', 'needs', 'steps', 'runner', 'job', 'inputs'];
const STRATEGY_PROPS = ['fail-fast', 'job-index', 'job-total', 'max-parallel'];
const FUNCTIONS = ['always', 'success', 'failure', 'cancelled', 'contains', 'startsWith', 'endsWith', 'format', 'join', 'toJSON', 'fromJSON', 'hashFiles'];
/** The inputs of the actions the shipped workflows use (from each action's action.yml), required ones first. */
export const ACTION_INPUTS: Record<string, { required: string[]; optional: string[] }> = {
  'actions/checkout': { required: [], optional: ['repository', 'ref', 'token', 'path', 'fetch-depth', 'persist-credentials', 'clean', 'sparse-checkout', 'lfs', 'submodules'] },
  'actions/setup-node': { required: [], optional: ['node-version', 'node-version-file', 'architecture', 'check-latest', 'registry-url', 'scope', 'token', 'cache', 'cache-dependency-path'] },
  'aws-actions/configure-aws-credentials': { required: ['aws-region'], optional: ['role-to-assume', 'role-session-name', 'role-duration-seconds', 'role-external-id', 'role-chaining', 'audience', 'aws-access-key-id', 'aws-secret-access-key', 'aws-session-token', 'web-identity-token-file', 'mask-aws-account-id', 'output-credentials', 'unset-current-credentials', 'disable-retry', 'retry-max-attempts', 'special-characters-workaround', 'inline-session-policy', 'managed-session-policies', 'role-skip-session-tagging'] },
  'actions/upload-artifact': { required: ['path'], optional: ['name', 'if-no-files-found', 'retention-days', 'compression-level', 'overwrite', 'include-hidden-files'] },
  'actions/download-artifact': { required: [], optional: ['name', 'pattern', 'path', 'merge-multiple', 'github-token', 'repository', 'run-id'] },
  'github/codeql-action/upload-sarif': { required: ['sarif_file'], optional: ['category', 'checkout_path', 'ref', 'sha', 'token', 'matrix', 'wait-for-processing'] },
};

const isObject = (v: unknown): v is Node => !!v && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function unknownKeys(node: unknown, allowed: string[], where: string, problems: string[]): void {
  if (!isObject(node)) {
    problems.push(`${where}: expected a mapping`);
    return;
  }
  for (const k of Object.keys(node)) if (!allowed.includes(k)) problems.push(`${where}: unknown key "${k}"`);
}

/** The ${{ }} expressions of every string under node, with the key path they were found at. */
function expressionsIn(node: unknown, path: string, out: { where: string; text: string }[] = []): { where: string; text: string }[] {
  if (typeof node === 'string') for (const m of node.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) out.push({ where: path, text: m[1]!.trim() });
  else if (Array.isArray(node)) node.forEach((v, i) => expressionsIn(v, `${path}[${i}]`, out));
  else if (isObject(node)) for (const [k, v] of Object.entries(node)) expressionsIn(v, `${path}.${k}`, out);
  return out;
}

/** The outputs a run step writes with `echo "name=..." >> "$GITHUB_OUTPUT"`. */
export function stepOutputs(run: string): string[] {
  return [...run.matchAll(/echo\s+["']?([A-Za-z_][\w-]*)=[^\n]*>>\s*["']?\$GITHUB_OUTPUT/g)].map((m) => m[1]!);
}

interface Scope { matrixKeys: string[] | null; needs: string[]; steps: Map<string, string[]> }

function checkExpression(text: string, where: string, scope: Scope, problems: string[]): void {
  const bare = text.replace(/'(?:[^']|'')*'/g, "''");
  for (const m of bare.matchAll(/([A-Za-z_][\w-]*)((?:\.[\w-]+|\.\*)*)\s*(\()?/g)) {
    const [name, rest, call] = [m[1]!, m[2]!, m[3]];
    if (call) {
      if (!FUNCTIONS.includes(name)) problems.push(`${where}: unknown function ${name}() in "${text}"`);
      continue;
    }
    if (['true', 'false', 'null'].includes(name)) continue;
    const parts = rest.split('.').slice(1);
    if (!CONTEXTS.includes(name)) {
      problems.push(`${where}: unknown context "${name}" in "${text}"`);
      continue;
    }
    if (name === 'matrix') {
      if (!scope.matrixKeys) problems.push(`${where}: matrix is used in a job without a matrix`);
      else if (!scope.matrixKeys.includes(parts[0] ?? '')) problems.push(`${where}: matrix.${parts[0]} is not a key of the job's matrix (${scope.matrixKeys.join(', ')})`);
    }
    if (name === 'strategy' && !STRATEGY_PROPS.includes(parts[0] ?? '')) problems.push(`${where}: strategy.${parts[0]} does not exist`);
    if (name === 'needs' && !scope.needs.includes(parts[0] ?? '')) problems.push(`${where}: needs.${parts[0]} is not a job this job needs (${scope.needs.join(', ') || 'none'})`);
    if (name === 'steps') {
      const outputs = scope.steps.get(parts[0] ?? '');
      if (!outputs) problems.push(`${where}: steps.${parts[0]} is not the id of an earlier step`);
      else if (parts[1] === 'outputs' && !outputs.includes(parts[2] ?? '')) problems.push(`${where}: step ${parts[0]} writes no output "${parts[2]}"`);
    }
  }
}

function bashProblems(script: string): string | null {
  try {
    execFileSync('bash', ['-n', '-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    return null;
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err).trim();
  }
}

export function lintWorkflow(wf: unknown): string[] {
  const problems: string[] = [];
  unknownKeys(wf, TOP, 'workflow', problems);
  if (!isObject(wf)) return problems;
  if (!isObject(wf.on)) problems.push('workflow: "on" must be a mapping of events');
  else {
    for (const e of Object.keys(wf.on)) if (!EVENTS.includes(e)) problems.push(`on: unknown event "${e}"`);
    for (const s of (wf.on.schedule as { cron?: string }[] | undefined) ?? []) {
      if (!/^\S+ \S+ \S+ \S+ \S+$/.test(s.cron ?? '')) problems.push(`on.schedule: "${s.cron}" is not a 5-field cron`);
    }
  }
  const permissions = (where: string, p: unknown) => {
    if (p === undefined || p === 'read-all' || p === 'write-all') return;
    if (!isObject(p)) return problems.push(`${where}: permissions must be a mapping`);
    for (const [k, v] of Object.entries(p)) {
      if (!PERMISSION_SCOPES.includes(k)) problems.push(`${where}: unknown permission "${k}"`);
      if (!['read', 'write', 'none'].includes(String(v))) problems.push(`${where}: permission ${k} must be read, write or none`);
    }
  };
  permissions('workflow', wf.permissions);
  if (!isObject(wf.jobs) || !Object.keys(wf.jobs).length) return [...problems, 'workflow: no jobs'];
  const jobs = wf.jobs as Record<string, Node>;
  for (const e of expressionsIn({ env: wf.env, 'run-name': wf['run-name'] }, 'workflow')) checkExpression(e.text, e.where, { matrixKeys: null, needs: [], steps: new Map() }, problems);

  for (const [id, job] of Object.entries(jobs)) {
    const where = `jobs.${id}`;
    unknownKeys(job, JOB, where, problems);
    if (!isObject(job)) continue;
    if (job['runs-on'] === undefined) problems.push(`${where}: no runs-on`);
    permissions(where, job.permissions);
    const needs = list(job.needs);
    for (const n of needs) if (!jobs[n] || n === id) problems.push(`${where}: needs "${n}", which is not another job of the workflow`);
    let matrixKeys: string[] | null = null;
    if (job.strategy !== undefined) {
      unknownKeys(job.strategy, STRATEGY, `${where}.strategy`, problems);
      const matrix = (job.strategy as Node).matrix;
      if (!isObject(matrix)) problems.push(`${where}.strategy: no matrix`);
      else {
        matrixKeys = Object.keys(matrix).filter((k) => k !== 'include' && k !== 'exclude');
        for (const k of matrixKeys) if (!Array.isArray(matrix[k]) || !(matrix[k] as unknown[]).length) problems.push(`${where}.strategy.matrix.${k}: must be a non-empty list`);
      }
    }
    const steps = job.steps;
    if (!Array.isArray(steps) || !steps.length) {
      problems.push(`${where}: no steps`);
      continue;
    }
    const scope: Scope = { matrixKeys, needs, steps: new Map() };
    for (const e of expressionsIn({ env: job.env, 'runs-on': job['runs-on'], 'timeout-minutes': job['timeout-minutes'] }, where)) checkExpression(e.text, e.where, scope, problems);
    if (typeof job.if === 'string') checkExpression(job.if.replace(/^\$\{\{|\}\}$/g, ''), `${where}.if`, scope, problems);
    steps.forEach((step: Node, i: number) => {
      const at = `${where}.steps[${i}]${step.name ? ` (${String(step.name)})` : ''}`;
      unknownKeys(step, STEP, at, problems);
      if ((step.uses === undefined) === (step.run === undefined)) problems.push(`${at}: a step has exactly one of uses and run`);
      if (step.with !== undefined && step.uses === undefined) problems.push(`${at}: with is for uses steps`);
      // Expressions see the earlier steps only; `if:` is an expression even without ${{ }}.
      for (const e of expressionsIn({ name: step.name, with: step.with, env: step.env, run: step.run }, at)) checkExpression(e.text, e.where, scope, problems);
      if (typeof step.if === 'string') checkExpression(step.if.replace(/^\$\{\{|\}\}$/g, ''), `${at}.if`, scope, problems);
      if (typeof step.uses === 'string') {
        const m = /^([\w.-]+\/[\w.-]+(?:\/[\w./-]+)?)@([\w.-]+)$/.exec(step.uses);
        if (!m) problems.push(`${at}: uses "${step.uses}" is not owner/repo[/path]@ref`);
        else {
          const inputs = ACTION_INPUTS[m[1]!];
          if (!inputs) problems.push(`${at}: ${m[1]} is not an action this check knows the inputs of`);
          else {
            const given = isObject(step.with) ? Object.keys(step.with) : [];
            for (const k of given) if (![...inputs.required, ...inputs.optional].includes(k)) problems.push(`${at}: ${m[1]} has no input "${k}"`);
            for (const k of inputs.required) if (!given.includes(k)) problems.push(`${at}: ${m[1]} needs input "${k}"`);
          }
        }
      }
      if (typeof step.run === 'string') {
        const bad = bashProblems(step.run.replace(/\$\{\{[\s\S]*?\}\}/g, 'X'));
        if (bad) problems.push(`${at}: run is not valid bash: ${bad}`);
      }
      if (typeof step.id === 'string') {
        if (scope.steps.has(step.id)) problems.push(`${at}: step id "${step.id}" is used twice`);
        scope.steps.set(step.id, typeof step.run === 'string' ? stepOutputs(step.run) : []);
      }
    });
  }
  // needs must not loop.
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (id: string, trail: string[]): void => {
    if (done.has(id) || !jobs[id]) return;
    if (visiting.has(id)) {
      problems.push(`jobs: needs form a cycle: ${[...trail, id].join(' -> ')}`);
      return;
    }
    visiting.add(id);
    for (const n of list(jobs[id]!.needs)) visit(n, [...trail, id]);
    visiting.delete(id);
    done.add(id);
  };
  for (const id of Object.keys(jobs)) visit(id, []);
  return problems;
}
