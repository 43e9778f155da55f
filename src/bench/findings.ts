/**
 * Where the time goes, for the targets a full run missed: what `node --cpu-prof` showed, written
 * down by whoever profiled, with the commit profiled. The report prints these beside the figures;
 * a note that no longer matches the code is updated here after profiling again.
 */

/** The profiling notes, keyed by the start of the target they explain. */
export interface Findings {
  /** The commit the profiles were taken at. */
  profiledAt: string;
  /** How the profiles were taken. */
  method: string;
  notes: Array<{ target: string; note: string }>;
}

export const FINDINGS: Findings = {
  profiledAt: '9c5bfc7 (notes on the two-hop path: 5a43c21)',
  method:
    '`node --cpu-prof --cpu-prof-dir=DIR bin/troupe.js bench --only <scenario>` writes one profile per thread (main, shard, each pool thread); self time per function was summed per profile. The machine is a shared 2-core VM: the same scenario varied 2–3× between runs as other work loaded it (the 1-minute load average is recorded with each run from now on).',
  notes: [
    {
      target: "Troupe's per-change cost",
      note: "Troupe's per-change figure is a durable commit (fsync) shared by 100 changes, not CPU: on this VM one put awaited with `flushed` takes 0.3–0.6 ms and 100 puts 1.6 ms, so 16 µs per change is the floor and fsync jitter moves the figure by 3× between runs (43 → 132 µs under load, 51 → 32 µs on a quieter run). Nothing in it scans the execution: the bytes per change are 935–943 B at every N.",
    },
    {
      target: 'The Kestra model costs at least 1,000×',
      note: 'The Kestra model here is pure CPU (JSON parse + stringify, no network, no database), while Troupe pays a real fsync per 100 changes: 12–25 ms per change against 30–180 µs gives 140–360× at N=1,000 (5,000× at N=10,000). The ratio is bounded by the disk, not by the serialization: larger transactions (a loaded shard gathers more changes per commit) lower Troupe\'s figure; CPU alone (encode ≈ 4 µs) would give ≈ 3,000×.',
    },
    {
      target: "Engine task runs/s at least half of the bare pool's",
      note:
        "Profile of each-parallel-100x100 after batching pool submissions (32 jobs per piscina task) and trimming each job's render context to what its templates can name (about 1.8× the first measurement): the threads are no longer starved by piscina's per-job postTask. Per run of 10,000 task runs (~1 s) the shard is ~67% busy — msgpackr encoding of records ~10%, decoding incoming results ~7%, GC ~10% — and the main thread ~57% — receiving messages from shard and pool ~10%, piscina postTask ~7%, GC ~10%; the pool threads are ~75% idle. On 2 cores the shard, the main thread's relay and GC share the CPU while a bare no-op pool pays none of it. Tried and dropped: posting results from pool threads straight to the shard on a BroadcastChannel (no main-thread hop) cut one execution's latency ~10% but lowered throughput with 8 executions in flight from ~14,500 to ~9,000 task runs/s, since results then reach the shard one small message each instead of batched by the main thread's relay (and an idle piscina worker blocks its event loop in Atomics.wait, so the pool side cannot batch by turn). Done since (issue 10 §2, two hops): each shard now has a MessagePort to every pool thread (our own threads, not piscina, whose idle workers sleep in Atomics.wait); jobs leave the shard in batches of up to 64 with at most 256 of a shard's attempts in flight per thread, and a thread posts every result of one turn as one message — batched on both sides, so the BroadcastChannel's loss does not recur, and the main thread's relay (~57% busy above) is gone. Measured on the shared VM at load average ~23 (wall times meaningless; whole-process CPU per task run, all threads): each-parallel-100x100 145 → 118 µs (−19%), kestra-03 ×8 185 → 176 µs, windmill-40 1,510 → 1,362 µs, against the old path's commit d2ad745 in the same minutes. The quiet run at 5a43c21 (all helpers stopped, load average < 1): 15,454 task runs/s on each-parallel-100x100 (10,144 before the two-hop path) and 17,007/s on huge-1m, but the bare no-op pool itself measured 57,674 tasks/s in the same run (it was ~15,000–25,000 in earlier runs), so the ratio is 0.27× (0.33× on huge-1m). 118 µs of CPU per task run across all threads caps two cores at ~17,000 task runs/s, which is what both scenarios reach: the remaining gap is CPU per task run (the shard's step, msgpack encoding and the LMDB write; the pool thread's render and result), not thread hops. Next: encode results in the pool thread so the shard writes bytes it did not build, and skip the render context for tasks with no templates.",
    },
    {
      target: 'Benchmark 03 shape',
      note:
        "One execution at a time the flow takes ~22–25 ms (p50), under the target; with 8 in flight, p50 is ~105 ms because the 8 executions (201 task runs each) share the engine's throughput (~14,700 task runs/s here): the same bottleneck as the ratio to the pool. Quiet run at 5a43c21 (two-hop path): one at a time p50 16.6 ms (was 22–25 ms); 8 in flight p50 76.1 ms (was ~105 ms), at 18,270 task runs/s — the engine's CPU-bound throughput on 2 cores (see the ratio above).",
    },
    {
      target: '40 sequential tasks',
      note: 'Profile of sequential-100 and windmill-40: every thread is mostly idle (main 70%, shard 72%, pool 90–96%): the latency is the chain each task waits on, not CPU. Per task: a durable group commit (fsync, 0.3–0.6 ms here) and four thread hops (shard → main → pool → main → shard; waking an idle thread costs ~90 µs) plus the main thread\'s setImmediate relay. Measured 0.85–2.1 ms per task depending on the machine\'s load (sequential-1000 0.85 ms in the same run where windmill-40 gave 2.1 ms). The direct shard ↔ pool channel is built (two hops per task instead of four, no main-thread relay); Engine.stats() gives commits (`batches`), `dispatched` and `resultMessages` per shard. Quiet run at 5a43c21 (two hops): windmill-40 0.868 ms per task (0.96 before), sequential-1000 0.763 ms: the hops are gone but each task still waits, in a chain, for its commit to be visible (lmdb-js commits on its own write thread, so a commit is one more thread round trip), one hop to a pool thread and one back, each waking an idle thread (~90 µs); the 0.3 ms target would need the next task dispatched in the same commit as its predecessor\'s result, which the persist-then-act rule forbids as built today. windmill-40 going 0.868 → 1.174 → 1.33 ms per task across the quiet runs at 5a43c21, 0af560a and 1541caa: those runs also moved sequential-1000 0.763 → 0.672 → 1.509 and the bare pool 48k → 79k → 83k tasks/s, so most of it is the machine; what was real, found by running builds side by side in one process (one execution of each in turn, CPU per thread from /proc) at 06:50–07:20 on the loaded VM: CPU per task +17% against 5a43c21, nearly all in the pool thread (241 → 350 µs per task) — each attempt built its host functions although a713b8f meant them lazy (render-option resolution read the getter), made an AbortController with its listener (~8 µs) and went through the oversized-output spill path (a Proxy and an await), and since 68624fe writes a started mark (one write(2) per batch, here per task). After 273d109 and 5093154: pool 258–288 µs, CPU per task 1.01× of 5a43c21; the started mark stays (crash accounting).',
    },
    {
      target: 'Schedule fire latency',
      note: "Profile of the triggers suite's latency scenario at 61d1e1d: the main thread spent ~1.4 ms per firing in cron arithmetic (croner run in the Etc/UTC zone goes through Intl on every call, offsetAt through Intl.formatToParts, and each firing asks for its date, next and previous, then the next again), then waited for the trigger rows' fsync before creating, and the shard's commit paid a second one. Since 40a5622/65b19c1 a schedule shares its parsed cron with every trigger of the same cron and zone and remembers the matches it found (~0.1 ms per firing), and the creation goes out once the rows are committed (LMDB is durable in commit order). The figure is now judged on the execution reported durable (the creation date no longer includes a flush); what is left is the timer's lateness (≥ 1 ms), the rows' commit on lmdb-js's write thread, the shard's commit with its fsync, and the drain back to the main thread. Side by side on the loaded VM (load ~15): p50/p99 durable 191/727 → 78/198 ms, 1,000 due at once: last created 5,338 → 1,001 ms, last durable 8,351 → 3,511 ms.",
    },
  ],
};
