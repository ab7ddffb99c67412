import { coerceError } from '../core/errors.js';
import type { CompareChildReply, CompareChildRequest } from './child-comparer.js';
import { createShareComparer } from './share-compare.js';
import { createTreeWalker } from './tree-walk.js';

/*
 * The catch-up's child process (started by child-comparer.ts, already at low priority): lists a
 * mapping's roots through find and compares them, and answers with the comparison alone.
 */

const send = process.send?.bind(process);
if (!send) throw new Error('compare-child.js is started by the service, with a channel to it; not on its own');
const aborts = new Map<number, AbortController>();

process.on('message', (message: CompareChildRequest) => {
  if (message.type === 'abort') {
    aborts.get(message.id)?.abort();
    return;
  }
  const abort = new AbortController();
  aborts.set(message.id, abort);
  createShareComparer(createTreeWalker(message.walker))
    .compare(message.request, abort.signal)
    .then(
      (outcome): CompareChildReply => ({ id: message.id, outcome }),
      (thrown: unknown): CompareChildReply => ({ id: message.id, error: coerceError(thrown).message }),
    )
    .then((reply) => {
      aborts.delete(message.id);
      if (process.connected) send(reply);
    });
});

// The service is gone (stopped, or crashed): the walks are stopped (killed and left, as a walk stuck on
// a hung share must be) and nothing is left to answer.
process.on('disconnect', () => {
  for (const abort of aborts.values()) abort.abort();
  process.exit(0);
});
