import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnNode } from '../../../../test-support/databases.js';
import { KINDS, type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project, USERS_AND_POSTS } from './helpers/project.js';
import { strata } from './helpers/strata.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * What an app's OpenTelemetry setup does (`node --import ./otel.mjs`): register an SDK, here with
 * in-memory exporters, and on the way out write what it captured to a file the test reads.
 */
const OTEL_SETUP = `
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
const require = createRequire(${JSON.stringify(join(REPO, 'package.json'))});
const { trace, metrics } = require('@opentelemetry/api');
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { MeterProvider, MetricReader } = require('@opentelemetry/sdk-metrics');
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
class Reader extends MetricReader { async onForceFlush() {} async onShutdown() {} }
const reader = new Reader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
let written = false;
process.on('beforeExit', async () => {
  if (written) return;
  written = true;
  const { resourceMetrics } = await reader.collect();
  const spans = exporter.getFinishedSpans().map((s) => ({
    name: s.name, id: s.spanContext().spanId, parent: s.parentSpanContext?.spanId, status: s.status.code,
    attributes: s.attributes, durationMs: s.duration[0] * 1e3 + s.duration[1] / 1e6,
  }));
  const points = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics.flatMap((m) =>
    m.dataPoints.map((p) => ({ name: m.descriptor.name, unit: m.descriptor.unit, attributes: p.attributes, value: p.value }))));
  writeFileSync(process.env.OTEL_OUT, JSON.stringify({ spans, points }));
});
`;

interface Captured {
  spans: { name: string; id: string; parent?: string; status: number; attributes: Record<string, unknown> }[];
  points: { name: string; unit: string; attributes: Record<string, unknown>; value: number | { count: number; sum: number } }[];
}

describe.each(KINDS)('OpenTelemetry through the CLI on %s', (kind) => {
  let project: Project;
  let db: TestDatabase;
  beforeEach(async () => {
    project = await createProject({
      ...USERS_AND_POSTS,
      'otel.mjs': OTEL_SETUP,
      'strata.config.json': '{ "telemetry": true }\n',
    });
    db = await testDatabase(kind, project.dir);
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });
  const run = (...args: string[]) =>
    strata(args, {
      cwd: project.dir,
      env: {
        DATABASE_URL: db.url,
        NODE_OPTIONS: `--import ${pathToFileURL(join(project.dir, 'otel.mjs')).href}`,
        OTEL_OUT: join(project.dir, 'otel.json'),
      },
    });
  const captured = async () => JSON.parse(await readFile(join(project.dir, 'otel.json'), 'utf8')) as Captured;

  it('a run is a span with a child for the lock wait and one per migration; metrics count the steps and time them', async () => {
    const result = await run('run');
    expect(result.code, result.stderr).toBe(0);
    const { spans, points } = await captured();
    const root = spans.find((span) => span.name === 'strata run')!;
    expect(root.attributes).toMatchObject({
      'db.system.name': kind === 'postgres' ? 'postgresql' : 'sqlite',
      'strata.operation': 'run',
      'strata.migrations.applied': 2,
    });
    if (kind === 'postgres') expect(root.attributes['db.namespace']).toBe(new URL(db.url).pathname.slice(1));
    const children = spans.filter((span) => span.parent === root.id);
    expect(children.map((span) => span.name)).toEqual(['strata lock wait', 'strata migration up', 'strata migration up']);
    expect(children.slice(1).map((span) => span.attributes)).toEqual([
      expect.objectContaining({
        'strata.migration.version': '1',
        'strata.migration.outcome': 'applied',
        'db.operation.name': 'migrate',
      }),
      expect.objectContaining({
        'strata.migration.version': '2',
        'strata.migration.description': 'create posts',
        'strata.migration.file': '0002_create_posts.up.sql',
      }),
    ]);
    const steps = points.find((point) => point.name === 'strata.migration.steps')!;
    expect(steps).toMatchObject({
      unit: '{step}',
      value: 2,
      attributes: { 'strata.migration.direction': 'up', 'strata.migration.outcome': 'applied' },
    });
    expect(points.find((point) => point.name === 'strata.migration.duration')).toMatchObject({ unit: 's', value: { count: 2 } });
    expect(points.find((point) => point.name === 'strata.lock.wait.duration')).toMatchObject({ unit: 's', value: { count: 1 } });
  });

  it('a failing migration ends its span and the run in error, with the code', async () => {
    await project.write({
      'migrations/0003_broken.up.sql': 'SELECT * FROM nowhere;\n',
      'migrations/0003_broken.down.sql': 'SELECT 1;\n',
    });
    const result = await run('run');
    expect(result.code).toBe(1);
    const { spans, points } = await captured();
    const failed = spans.find((span) => span.attributes['strata.migration.version'] === '3')!;
    expect(failed.status).toBe(2);
    expect(failed.attributes).toMatchObject({ 'strata.migration.outcome': 'failed', 'error.type': 'MIGRATION_FAILED' });
    expect(spans.find((span) => span.name === 'strata run')).toMatchObject({
      status: 2,
      attributes: { 'error.type': 'MIGRATION_FAILED' },
    });
    expect(
      points
        .filter((point) => point.name === 'strata.migration.steps')
        .map((point) => [point.attributes['strata.migration.outcome'], point.value]),
    ).toEqual([
      ['applied', 2],
      ['failed', 1],
    ]);
  });
});

describe('OpenTelemetry is loaded only when configured', () => {
  let project: Project;
  beforeEach(async () => {
    project = await createProject({
      ...USERS_AND_POSTS,
      // Records every module specifier resolved in the process that names OpenTelemetry.
      'hooks.mjs': `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (specifier.includes('@opentelemetry')) appendFileSync(${JSON.stringify('RESOLVED')}, specifier + '\\n');
  return next(specifier, context);
}`,
      'register.mjs': "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n",
    });
  });
  afterEach(() => project.cleanup());

  it('without telemetry no @opentelemetry module is even resolved; with it, @opentelemetry/api is', async () => {
    const env = {
      DATABASE_URL: 'sqlite://app.db?mode=rwc',
      NODE_OPTIONS: `--import ${pathToFileURL(join(project.dir, 'register.mjs')).href}`,
    };
    const off = await strata(['run'], { cwd: project.dir, env });
    expect(off.code, off.stderr).toBe(0);
    await expect(readFile(join(project.dir, 'RESOLVED'), 'utf8')).rejects.toThrow();
    await writeFile(join(project.dir, 'strata.config.json'), '{ "telemetry": true }\n');
    const on = await strata(['revert'], { cwd: project.dir, env });
    expect(on.code, on.stderr).toBe(0);
    expect(await readFile(join(project.dir, 'RESOLVED'), 'utf8')).toBe('@opentelemetry/api\n');
  });

  it('telemetry on without @opentelemetry/api installed: the run goes on, and the logger says why there are no spans', async () => {
    // A copy of the built package with only the SQLite driver beside it: nothing can resolve OpenTelemetry.
    for (let dir = project.dir; dir !== parse(dir).root; dir = dirname(dir)) {
      if (existsSync(join(dir, 'node_modules')))
        throw new Error(`${dir}/node_modules exists: OpenTelemetry might be found there`);
    }
    await cp(join(REPO, 'packages/core/dist'), join(project.dir, 'pkg/dist'), { recursive: true });
    await writeFile(join(project.dir, 'pkg/package.json'), JSON.stringify({ name: '@strata/core', type: 'module' }));
    await mkdir(join(project.dir, 'pkg/node_modules'));
    await symlink(join(REPO, 'node_modules/better-sqlite3'), join(project.dir, 'pkg/node_modules/better-sqlite3'));
    await writeFile(join(project.dir, 'strata.config.json'), '{ "telemetry": true }\n');
    const result = await strata(['run', '--verbose'], {
      cwd: project.dir,
      main: join(project.dir, 'pkg/dist/cli/main.js'),
      env: { DATABASE_URL: 'sqlite://app.db?mode=rwc' },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Applied 2 migrations');
    expect(result.stderr).toContain(
      '[warn] telemetry is on, but @opentelemetry/api is not installed: no spans or metrics (npm install @opentelemetry/api)',
    );
  });
});

describe("the README's OpenTelemetry snippet", () => {
  let project: Project;
  beforeEach(async () => {
    project = await createProject();
  });
  afterEach(() => project.cleanup());

  it('runs as written, with the packages it names installed, and prints the three spans', async () => {
    const readme = await readFile(join(REPO, 'packages/core/README.md'), 'utf8');
    const snippet = /```js\n(\/\/ otel-demo\.mjs[\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toBeDefined();
    await writeFile(join(project.dir, 'otel-demo.mjs'), snippet!);
    await mkdir(join(project.dir, 'node_modules/@opentelemetry'), { recursive: true });
    await mkdir(join(project.dir, 'node_modules/@strata'), { recursive: true });
    for (const name of ['better-sqlite3', '@opentelemetry/api', '@opentelemetry/sdk-trace-base']) {
      await symlink(join(REPO, 'node_modules', name), join(project.dir, 'node_modules', name));
    }
    await symlink(join(REPO, 'packages/core'), join(project.dir, 'node_modules/@strata/core'));
    const result = await spawnNode(['otel-demo.mjs'], { cwd: project.dir });
    expect(result.code, result.stderr).toBe(0);
    // Each span's own name (two spaces in); its instrumentation scope's name is nested deeper.
    const names = [...result.stdout.matchAll(/^ {2}name: '([^']+)'/gm)].map((match) => match[1]);
    expect(names).toEqual(['strata lock wait', 'strata migration up', 'strata run']);
    expect(result.stdout).toContain("'strata.migration.version': '1'");
  });
});
