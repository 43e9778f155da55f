/**
 * The web view in a real browser (Debian's chromium, driven by playwright-core) against a real
 * daemon on 127.0.0.1 with basic auth: each page opens, a flow runs to SUCCESS in the page, its
 * logs follow, a Sleep is killed and a Pause resumed from the page, and a 100,000-run execution
 * (the bench fixture's, written to the store first) opens (time to first rows reported, not asserted). Screenshots go to $TROUPE_UI_SCREENSHOTS
 * (docs/ui to refresh the documentation's), else a temporary directory.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { tempDir } from '../helpers/engine.js';
import { makeBenchExecution } from '../../src/bench/execution-fixture.js';
import { openStore } from '../../src/store/index.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`test/ui skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

const SHOTS = resolve(process.env['TROUPE_UI_SCREENSHOTS'] ?? join(tmpdir(), 'troupe-ui-screenshots'));
const AUTH = { username: 'admin', password: 'web-view-test' };
const BASIC = `Basic ${Buffer.from(`${AUTH.username}:${AUTH.password}`).toString('base64')}`;

const HELLO = `id: hello
namespace: company.team
labels:
  team: web
inputs:
  - id: name
    type: STRING
    defaults: world
  - id: times
    type: INT
    defaults: 2
tasks:
  - id: greet
    type: io.kestra.plugin.core.log.Log
    message: "hello {{ inputs.name }}"
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b", "c"]
    tasks:
      - id: value
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }} for {{ inputs.name }}"
  - id: both
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: left
        type: io.kestra.plugin.core.log.Log
        message: left
      - id: right
        type: io.kestra.plugin.core.log.Log
        message: right
`;

const SLEEPY = `id: sleepy
namespace: company.team
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT10M
`;

const FAILING = `id: failing
namespace: company.team
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: "boom"
`;

const SCHEDULED = `id: scheduled
namespace: company.team
triggers:
  - id: yearly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 0 1 1 *"
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: new year
`;

const PAUSING = `id: pausing
namespace: company.team
tasks:
  - id: approve
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: approved
        type: BOOLEAN
      - id: reason
        type: STRING
        required: false
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "approved {{ outputs.approve.onResume.approved }} because {{ outputs.approve.onResume.reason }}"
`;

/** The flow of the bench fixture's executions (src/bench/execution-fixture.ts): a loop of Return tasks. */
const BENCH_FLOW = `id: each-sequential-nested
namespace: io.kestra.tests
tasks:
  - id: 1_each
    type: io.kestra.plugin.core.flow.ForEach
    values: "{{ range(0, 99999) }}"
    tasks:
      - id: 1-1_return
        type: io.kestra.plugin.core.debug.Return
        format: "{{ task.id }} > {{ taskrun.value }}"
`;
const HUGE_RUNS = 100_000;

/**
 * Writes a finished execution of {@link HUGE_RUNS} task runs in the shape of Kestra's own (the
 * bench fixture) into the data dir's store before the daemon opens it: seconds, where running
 * 100,000 tasks on a loaded two-core machine takes close to a minute.
 */
async function writeHugeExecution(dataDir: string): Promise<{ id: string; ms: number }> {
  const t0 = performance.now();
  const { taskRunList = [], ...header } = makeBenchExecution(HUGE_RUNS, 7);
  const last = taskRunList[taskRunList.length - 1]!.state.histories.at(-1)!.date;
  header.state = { current: 'SUCCESS', histories: [...header.state.histories, { state: 'SUCCESS', date: last }] };
  const store = openStore({ dataDir, noSync: true });
  try {
    for (let start = 0; start < taskRunList.length; start += 5_000) {
      const taskRuns = taskRunList.slice(start, start + 5_000).map((taskRun, k) => ({ executionId: header.id, record: { seq: start + k, taskRun } }));
      await store.writeBatch({ headers: [header], taskRuns, logs: [] });
    }
  } finally {
    await store.close();
  }
  return { id: header.id, ms: performance.now() - t0 };
}

describe.skipIf(!HAVE_CHROMIUM)('web view in chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let dataDir: string;
  let huge: { id: string; ms: number };
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dataDir = tempDir('troupe-ui-');
    huge = await writeHugeExecution(dataDir);
    server = await startServer({ dataDir, port: 0, logLevel: 'silent', auth: { basic: AUTH }, engine: { poolThreads: 2, shards: 1 } });
    for (const source of [HELLO, SLEEPY, FAILING, SCHEDULED, PAUSING, BENCH_FLOW]) await server.engine.deploy(source);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context = await browser.newContext({ httpCredentials: AUTH, viewport: { width: 1400, height: 900 } });
    // Seconds on a quiet machine; a loaded one (the whole suite beside it) may take a minute.
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    console.log(`test/ui screenshots: ${SHOTS}`);
  });

  async function open(path: string): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${path}: ${e.message}`));
    page.on('console', (m) => {
      // A CSP violation or a script error is a failure; failed requests (the 501s shown on purpose) are not.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(`${path}: ${m.text()}`);
    });
    await page.goto(server.url + path);
    return page;
  }

  const shot = (page: Page, name: string, fullPage = false) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });

  it('answers 401 without credentials and serves pages with a strict CSP', async () => {
    const res = await fetch(`${server.url}/ui/executions`);
    expect(res.status).toBe(401);
    const page = await open('/ui/');
    await page.waitForURL(/\/ui\/executions$/);
    await page.getByRole('heading', { name: 'Executions' }).waitFor();
    const ok = await fetch(`${server.url}/ui/flows`, { headers: { authorization: BASIC } });
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self';");
    expect(await page.locator('script:not([src])').count()).toBe(0);
    await page.close();
  });

  it('lists flows and edits one: highlighted source, errors at line:column as you type, save, topology', async () => {
    const page = await open('/ui/flows');
    await page.locator('tr[data-flow="company.team.hello"]').waitFor();
    await shot(page, 'flows');
    await page.click('tr[data-flow="company.team.hello"] >> text=hello');
    await page.waitForURL(/\/ui\/flows\/edit\/company\.team\/hello$/);
    await page.locator('[data-testid=topology] [data-task=each] [data-task=value]').waitFor();
    await page.locator('[data-testid=validation]', { hasText: 'valid' }).waitFor();
    expect(await page.locator('.code .y-key').count()).toBeGreaterThan(5);
    expect(await page.locator('.code .y-expr').count()).toBeGreaterThan(0);

    const editor = page.getByTestId('flow-source');
    const source = await editor.inputValue();
    await editor.fill(source.replace('message: "hello', 'mesage: "hello'));
    // Every problem at its line:column: the unknown property, and the missing one it replaced.
    const problem = page.getByTestId('problems').locator('li', { hasText: 'mesage' });
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/^\d+:\d+ .*'mesage'/);
    expect(await page.locator('.gutter .ln.bad').count()).toBeGreaterThan(0);
    await shot(page, 'flow-editor-error');

    await editor.fill(`${source}description: edited in the browser\n`);
    await page.locator('[data-testid=validation]', { hasText: 'valid' }).waitFor();
    await page.getByTestId('save').click();
    await page.getByTestId('saved').filter({ hasText: 'revision 2' }).waitFor();
    expect(server.engine.flow('company.team', 'hello')?.revision).toBe(2);
    await shot(page, 'flow-editor');
    await page.close();
  });

  it('executes a flow with its inputs form and watches it reach SUCCESS, logs following', async () => {
    const page = await open('/ui/flows/edit/company.team/hello/execute');
    const form = page.getByTestId('execute-form');
    await form.locator('[data-input=name]').fill('<b>Ada</b>');
    await form.locator('[data-input=times]').fill('3');
    await shot(page, 'execute');
    await form.getByRole('button', { name: 'Execute' }).click();
    await page.waitForURL(/\/ui\/executions\/company\.team\/hello\/\w+$/);
    await page.locator('[data-testid=execution-state] [data-state=SUCCESS]').waitFor();
    // The input is shown as text, never as markup.
    await page.getByTestId('log-line').filter({ hasText: 'hello <b>Ada</b>' }).waitFor();
    expect(await page.locator('main b').count()).toBe(0);
    await page.locator('[data-testid=gantt-row][data-task=greet]').click();
    await page.getByTestId('run-logs').filter({ hasText: 'hello <b>Ada</b>' }).waitFor();
    await page.locator('[data-testid=gantt-row][data-task=value]').nth(2).click();
    await page.getByTestId('outputs').filter({ hasText: 'c for <b>Ada</b>' }).waitFor();
    expect(await page.getByTestId('attempts').locator('tbody tr').count()).toBe(1);
    const id = page.url().split('/').pop()!;
    expect(server.engine.get(id)?.inputs).toMatchObject({ name: '<b>Ada</b>', times: 3 });
    await shot(page, 'execution', true);

    // Replay from the selected run: the page goes to the new execution (or shows the API's refusal).
    const [replayed] = await Promise.all([page.waitForResponse((r) => r.url().includes(`/executions/${id}/replay`)), page.getByTestId('replay-from').click()]);
    if (replayed.ok()) {
      const next = ((await replayed.json()) as { id: string }).id;
      expect(next).not.toBe(id);
      await page.waitForURL(new RegExp(`/ui/executions/company\\.team/hello/${next}$`));
      await page.locator('[data-testid=execution-state] [data-state=SUCCESS]').waitFor();
    } else await page.getByRole('alert').filter({ hasText: ((await replayed.json()) as { message: string }).message }).waitFor();

    await page.click('text=Executions >> nth=0');
    await page.locator(`tr[data-execution="${id}"] [data-state=SUCCESS]`).waitFor();
    await shot(page, 'executions');
    // Filters go to the URL and to the search route.
    await page.getByLabel('state').selectOption('FAILED');
    await page.waitForURL(/state=FAILED/);
    await page.locator(`tr[data-execution="${id}"]`).waitFor({ state: 'detached' });
    await page.getByLabel('state').selectOption('SUCCESS');
    await page.getByLabel('flow id').fill('hello');
    await page.waitForURL(/flowId=hello/);
    await page.locator(`tr[data-execution="${id}"]`).waitFor();
    await page.close();
  });

  it('kills a Sleep from the page, and shows the API answer to restart', async () => {
    const id = await server.engine.execute('company.team', 'sleepy', {});
    const page = await open(`/ui/executions/company.team/sleepy/${id}`);
    await page.locator('[data-testid=gantt-row][data-task=nap][data-state=RUNNING]').waitFor();
    await page.getByTestId('kill').click();
    await page.locator('[data-testid=execution-state] [data-state=KILLED]').waitFor();
    // Whatever the API answers the page's restart, the page shows it.
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/executions/${id}/restart`)), page.getByTestId('restart').click()]);
    if (answer.ok()) {
      await page.locator('.status.ok', { hasText: 'restarted' }).waitFor();
      await page.locator('[data-testid=execution-state] .state').filter({ hasNotText: 'KILLED' }).waitFor();
    } else await page.getByRole('alert').filter({ hasText: ((await answer.json()) as { message: string }).message }).waitFor();
    await page.close();
  });

  it('restarts a failed execution from the page: it runs its failed task again', async () => {
    const id = await server.engine.execute('company.team', 'failing', {});
    await server.engine.waitFor(id);
    const page = await open(`/ui/executions/company.team/failing/${id}`);
    await page.locator('[data-testid=execution-state] [data-state=FAILED]').waitFor();
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/executions/${id}/restart`)), page.getByTestId('restart').click()]);
    if (answer.ok()) {
      await page.locator('.status.ok', { hasText: 'restarted' }).waitFor();
      // The failed run gets a second attempt.
      await page.locator('[data-testid=gantt-row][data-task=boom]').click();
      await expect.poll(() => page.getByTestId('attempts').locator('tbody tr').count(), { timeout: 20_000 }).toBe(2);
      await page.locator('[data-testid=execution-state] [data-state=FAILED]').waitFor();
    } else await page.getByRole('alert').filter({ hasText: ((await answer.json()) as { message: string }).message }).waitFor();
    await page.close();
  });

  it('resumes a Pause with an onResume input', async () => {
    const id = await server.engine.execute('company.team', 'pausing', {});
    const page = await open(`/ui/executions/company.team/pausing/${id}`);
    await page.locator('[data-testid=execution-state] [data-state=PAUSED]').waitFor();
    await page.getByTestId('resume').click();
    const form = page.getByTestId('resume-form');
    await form.locator('[data-input=approved]').selectOption('true');
    await form.locator('[data-input=reason]').fill('looks good');
    await shot(page, 'resume');
    await form.getByRole('button', { name: 'Resume' }).click();
    await page.locator('[data-testid=execution-state] [data-state=SUCCESS]').waitFor();
    await page.getByTestId('log-line').filter({ hasText: 'approved true because looks good' }).waitFor();
    await page.close();
  });

  it('shows the triggers page with what the API answers, and disables a trigger', async () => {
    const page = await open('/ui/triggers');
    const api = await fetch(`${server.url}/api/v1/triggers/search`, { headers: { authorization: BASIC } });
    if (api.ok) {
      const row = page.locator('tr[data-trigger="company.team.scheduled.yearly"]');
      await row.waitFor();
      await shot(page, 'triggers');
      await row.getByTestId('toggle').click();
      await row.locator('.tag', { hasText: 'disabled' }).waitFor();
      const after = (await (await fetch(`${server.url}/api/v1/triggers/search?q=yearly`, { headers: { authorization: BASIC } })).json()) as { results: Array<{ triggerContext: { triggerId: string; disabled: boolean } }> };
      expect(after.results.find((r) => r.triggerContext.triggerId === 'yearly')?.triggerContext.disabled).toBe(true);
    } else {
      await page.getByRole('alert').filter({ hasText: ((await api.json()) as { message: string }).message }).waitFor();
      await shot(page, 'triggers');
    }
    await page.close();
  });

  it('shows namespaces, their KV store and files with what the API answers', async () => {
    const page = await open('/ui/namespaces');
    await page.locator('tr[data-namespace="company.team"]').waitFor();
    await page.click('tr[data-namespace="company.team"] >> text=KV store');
    await page.waitForURL(/\/ui\/namespaces\/edit\/company\.team\/kv$/);
    const kv = await fetch(`${server.url}/api/v1/namespaces/company.team/kv`, { headers: { authorization: BASIC } });
    if (kv.ok) await page.getByTestId('kv').waitFor();
    else await page.getByRole('alert').filter({ hasText: ((await kv.json()) as { message: string }).message }).waitFor();
    await shot(page, 'kv');
    await page.click('a.tab >> text=Files');
    const files = await fetch(`${server.url}/api/v1/namespaces/company.team/files/directory?path=/`, { headers: { authorization: BASIC } });
    if (files.ok) await page.getByTestId('files').waitFor();
    else await page.getByRole('alert').filter({ hasText: ((await files.json()) as { message: string }).message }).waitFor();
    await page.close();
  });

  it('opens a 100,000-run execution with only the rows in view rendered', async () => {
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`huge: ${e.message}`));
    const t0 = performance.now();
    await page.goto(`${server.url}/ui/executions/io.kestra.tests/each-sequential-nested/${huge.id}`);
    await page.locator('[data-testid=gantt-row][data-task="1-1_return"]').first().waitFor();
    const firstRowsMs = performance.now() - t0;
    expect(await page.getByTestId('gantt-rows').getAttribute('data-count')).toBe(String(HUGE_RUNS));
    const rendered = await page.getByTestId('gantt-row').count();
    expect(rendered).toBeLessThan(100);
    // Its logs are streamed only when asked.
    await page.getByTestId('show-logs').waitFor();

    // Jump to the middle: the page of those rows is fetched and shown.
    const t1 = performance.now();
    await page.getByTestId('gantt-rows').evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    await page.locator('[data-testid=gantt-row][data-index="50000"]').waitFor();
    const jumpMs = performance.now() - t1;
    expect(await page.locator('[data-testid=gantt-row][data-index="50000"] .gvalue').textContent()).toBe('s50000');
    await page.locator('[data-testid=gantt-row][data-index="50000"]').click();
    await page.getByTestId('outputs').filter({ hasText: '1-1_return > s50000' }).waitFor();
    await shot(page, 'execution-100k');
    console.log(`test/ui: ${HUGE_RUNS.toLocaleString('en')}-run execution written in ${(huge.ms / 1000).toFixed(1)} s; first rows in the browser after ${firstRowsMs.toFixed(0)} ms; row 50,000 after a jump in ${jumpMs.toFixed(0)} ms; ${rendered} rows in the DOM`);
    await page.close();
  });

  it('had no script error or CSP violation on any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
