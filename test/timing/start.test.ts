// How long the real process takes to answer /health. This file runs on its own after the parallel suite
// (vitest.timing.config.ts): measured while other test files start processes and rsync on the same two cores,
// a start timing says more about the machine than about the service.
import { afterAll, expect, it } from 'vitest';
import { cleanupAll, tempDir } from '../support/cleanup.js';
import { freePort, startService } from '../support/launch.js';

afterAll(cleanupAll);

it('answers /health within 1 s of being started with no environment but the port (best of 3 starts)', async () => {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const dir = await tempDir();
    const port = await freePort();
    const t0 = performance.now();
    const svc = await startService({ dir, bareEnv: { SYNC_PORT: String(port) } });
    times.push(performance.now() - t0);
    await svc.stop();
  }
  expect(Math.min(...times), `start times: ${times.map((t) => t.toFixed(0)).join(', ')} ms`).toBeLessThan(1000);
});
