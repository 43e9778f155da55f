import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../src/runtime/clock.js';
import type { Engine } from '../../src/runtime/engine.js';
import { openTestEngine } from '../helpers/engine.js';

const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const d of disposers.splice(0)) await d();
});

async function open(clock: TestClock, dataDir?: string): Promise<{ engine: Engine; dataDir: string }> {
  const t = await openTestEngine({ clock, noSync: true, ...(dataDir ? { dataDir } : {}) });
  disposers.push(t.dispose);
  return t;
}

/** A local endpoint answering each request with the next of `answers` (the last one repeats); counts calls. */
async function endpoint(answers: Array<{ status: number; body: unknown }>): Promise<{ url: string; calls: () => number; headers: () => Array<Record<string, unknown>> }> {
  let calls = 0;
  const seen: Array<Record<string, unknown>> = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    const a = answers[Math.min(calls, answers.length - 1)]!;
    calls += 1;
    res.writeHead(a.status, { 'content-type': 'application/json', 'x-poll': String(calls) });
    res.end(JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  disposers.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/price`, calls: () => calls, headers: () => seen };
}

const START = Date.parse('2026-01-01T00:00:00Z');

const alert = (url: string, extra = ''): string => `
id: http_price_alert
namespace: troupe.http
tasks:
  - id: send
    type: io.kestra.plugin.core.debug.Return
    format: "price {{ json(trigger.body).price }} code {{ trigger.code }} header {{ trigger.headers['x-poll'][0] }}"
triggers:
  - id: http
    type: io.kestra.plugin.core.http.Trigger
    uri: ${url}
    headers:
      X-Flow: "{{ flow.id }}"
    responseCondition: "{{ json(response.body).price <= 110 }}"
    interval: PT30S
${extra}`;

/** Moves the clock to the next timer armed and waits for what the trigger service does then. */
async function tick(engine: Engine, clock: TestClock): Promise<number> {
  const at = await clock.nextTimer();
  clock.set(at);
  await engine.triggers.idle();
  return at;
}

describe('io.kestra.plugin.core.http.Trigger (local server, simulated clock)', () => {
  it('polls every interval; fires when responseCondition holds, with the Request outputs as trigger variables; stopAfter disables it', async () => {
    const server = await endpoint([{ status: 200, body: { price: 120 } }, { status: 200, body: { price: 115 } }, { status: 200, body: { price: 100 } }]);
    const clock = new TestClock(START);
    const { engine } = await open(clock);
    await engine.deploy(alert(server.url, '    stopAfter:\n      - SUCCESS'));
    expect(engine.triggers.list()[0]!.row.nextExecutionDate).toBe(START + 30_000);

    expect(await tick(engine, clock)).toBe(START + 30_000);
    expect(server.calls()).toBe(1);
    expect(server.headers()[0]!['x-flow']).toBe('http_price_alert');
    expect(engine.list({ flowId: 'http_price_alert' })).toHaveLength(0);
    expect(engine.triggers.list()[0]!.row.nextExecutionDate).toBe(START + 60_000);

    expect(await tick(engine, clock)).toBe(START + 60_000);
    expect(server.calls()).toBe(2);
    expect(engine.list({ flowId: 'http_price_alert' })).toHaveLength(0);

    expect(await tick(engine, clock)).toBe(START + 90_000);
    expect(server.calls()).toBe(3);
    const [created] = engine.list({ flowId: 'http_price_alert' });
    expect(created).toBeDefined();
    const e = await engine.waitFor(created!.id);
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList![0]!.outputs).toEqual({ value: 'price 100 code 200 header 3' });
    expect(e.trigger).toMatchObject({ id: 'http', type: 'io.kestra.plugin.core.http.Trigger', variables: { uri: server.url, code: 200, body: '{"price":100}' } });
    await engine.triggers.idle();
    // stopAfter SUCCESS: disabled, no more polls.
    const row = engine.triggers.list()[0]!.row;
    expect(row.disabled).toBe(true);
    expect(row.executionId).toBeUndefined();
    clock.advance(600_000);
    await engine.triggers.idle();
    expect(server.calls()).toBe(3);
  });

  it('no overlap: while its execution runs no poll is made; the default condition refuses a status ≥ 400', async () => {
    const server = await endpoint([{ status: 503, body: { down: true } }, { status: 200, body: { up: true } }]);
    const clock = new TestClock(START);
    const { engine } = await open(clock);
    await engine.deploy(`
id: waits
namespace: troupe.http
tasks:
  - id: hold
    type: io.kestra.plugin.core.flow.Pause
triggers:
  - id: up
    type: io.kestra.plugin.core.http.Trigger
    uri: ${server.url}
    interval: PT10S
`);
    await tick(engine, clock);
    expect(server.calls()).toBe(1);
    expect(engine.list({ flowId: 'waits' })).toHaveLength(0);
    await tick(engine, clock);
    expect(server.calls()).toBe(2);
    const [paused] = engine.list({ flowId: 'waits' });
    expect(paused).toBeDefined();
    expect(engine.triggers.list()[0]!.row.executionId).toBe(paused!.id);
    // Locked: a minute passes, no poll.
    clock.advance(60_000);
    await engine.triggers.idle();
    expect(server.calls()).toBe(2);
    await engine.resume(paused!.id);
    expect((await engine.waitFor(paused!.id)).state.current).toBe('SUCCESS');
    await engine.triggers.idle();
    // Unlocked: its next date has passed, so it polls at once.
    for (let i = 0; i < 200 && server.calls() < 3; i++) {
      await engine.triggers.idle();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(server.calls()).toBe(3);
  });

  it('an unreachable endpoint creates nothing and polls again an interval later; a poll lost in a restart is made again at open', async () => {
    const clock = new TestClock(START);
    const first = await open(clock);
    await first.engine.deploy(`
id: nowhere
namespace: troupe.http
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: x
triggers:
  - id: poll
    type: io.kestra.plugin.core.http.Trigger
    uri: http://127.0.0.1:1/unreachable
    interval: PT5S
`);
    await tick(first.engine, clock);
    expect(first.engine.list({ flowId: 'nowhere' })).toHaveLength(0);
    expect(first.engine.triggers.list()[0]!.row.nextExecutionDate).toBe(START + 10_000);
    expect(first.engine.triggers.list()[0]!.row.evaluateRunningDate).toBeUndefined();
    await first.engine.close();
    const second = await open(new TestClock(START + 60_000), first.dataDir);
    await second.engine.triggers.idle();
    // Due while down: polled at open, next an interval after.
    expect(second.engine.triggers.list()[0]!.row.nextExecutionDate).toBe(START + 65_000);
  });

  it('validate refuses an http.Trigger without uri', async () => {
    const clock = new TestClock(START);
    const { engine } = await open(clock);
    await expect(engine.deploy(`
id: bad
namespace: troupe.http
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: x
triggers:
  - id: poll
    type: io.kestra.plugin.core.http.Trigger
    interval: PT5S
`)).rejects.toThrow(/uri/);
  });
});
