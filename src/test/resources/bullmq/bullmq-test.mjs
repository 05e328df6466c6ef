// BullMQ against a server on 127.0.0.1:<port> (argv[2]): jobs, bulk jobs, delayed jobs, retries with
// backoff, failures, priorities and job counts. Prints "BULLMQ OK" and exits 0 when everything held.
import { Queue, Worker, QueueEvents } from 'bullmq';
import assert from 'node:assert/strict';

const port = Number(process.argv[2]);
const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
const name = 'larder-' + process.pid + '-' + Date.now();
const timeout = setTimeout(() => { console.error('BULLMQ TIMEOUT'); process.exit(2); }, 60000);

const queue = new Queue(name, { connection });
const events = new QueueEvents(name, { connection });
await events.waitUntilReady();

const processed = [];
const worker = new Worker(name, async job => {
  processed.push(job.name);
  switch (job.name) {
    case 'double': return job.data.x * 2;
    case 'delayed': return Date.now() - job.timestamp;
    case 'flaky':
      if (job.attemptsMade < 2) throw new Error('flaky attempt ' + job.attemptsMade);
      return 'recovered after ' + job.attemptsMade;
    case 'broken': throw new Error('always broken');
    default: return job.name;
  }
}, { connection, concurrency: 4 });
await worker.waitUntilReady();

// Plain and bulk jobs.
const first = await queue.add('double', { x: 21 });
assert.equal(await first.waitUntilFinished(events, 20000), 42);
const bulk = await queue.addBulk(Array.from({ length: 20 }, (_, i) => ({ name: 'double', data: { x: i } })));
const values = await Promise.all(bulk.map(j => j.waitUntilFinished(events, 20000)));
assert.deepEqual(values, Array.from({ length: 20 }, (_, i) => i * 2));

// A delayed job waits at least its delay.
const delayed = await queue.add('delayed', {}, { delay: 700 });
assert.equal(await delayed.getState(), 'delayed');
const waited = await delayed.waitUntilFinished(events, 20000);
assert.ok(waited >= 700, 'delayed job ran after ' + waited + ' ms');

// Retries with backoff until it succeeds; a job that always fails ends failed.
const flaky = await queue.add('flaky', {}, { attempts: 3, backoff: { type: 'fixed', delay: 150 } });
assert.equal(await flaky.waitUntilFinished(events, 20000), 'recovered after 2');
const flakyDone = await queue.getJob(flaky.id);
assert.equal(flakyDone.attemptsMade, 3);
const broken = await queue.add('broken', {}, { attempts: 2, backoff: { type: 'exponential', delay: 50 } });
await assert.rejects(broken.waitUntilFinished(events, 20000), /always broken/);
const brokenDone = await queue.getJob(broken.id);
assert.equal(await brokenDone.getState(), 'failed');
assert.equal(brokenDone.attemptsMade, 2);
assert.equal(brokenDone.failedReason, 'always broken');

// Priorities: with the worker paused, higher priority (lower number) runs first.
await worker.pause();
processed.length = 0;
const low = await queue.add('low', {}, { priority: 10 });
const high = await queue.add('high', {}, { priority: 1 });
const mid = await queue.add('mid', {}, { priority: 5 });
assert.equal(await low.getState(), 'prioritized');
worker.concurrency = 1;
worker.resume();
await Promise.all([low, high, mid].map(j => j.waitUntilFinished(events, 20000)));
assert.deepEqual(processed, ['high', 'mid', 'low']);

const counts = await queue.getJobCounts('completed', 'failed', 'waiting', 'delayed', 'active', 'prioritized');
assert.deepEqual(counts, { completed: 26, failed: 1, waiting: 0, delayed: 0, active: 0, prioritized: 0 });

// Removing a queue's jobs, then the queue itself.
await queue.obliterate({ force: true });
assert.deepEqual(await queue.getJobCounts('completed', 'failed'), { completed: 0, failed: 0 });

await worker.close();
await events.close();
await queue.close();
clearTimeout(timeout);
console.log('BULLMQ OK');
