// The mount monitor's share messages (mounts/monitor.ts ShareNotices): written to the outbox for every
// notification target that takes their kind, together with whether a down message stands, which a
// restart reads back (store/share-notices.ts).
import type { OutboxItem, TargetRouting } from '../core/notify-event.js';
import type { Mapping } from '../core/types.js';
import type { ShareNotices } from '../mounts/monitor.js';
import { type ShareOf, shareBackEvent, shareDownEvent } from '../notify/events.js';
import type { ShareNoticeStore } from '../store/share-notices.js';

export interface ShareNoticeDeps {
  store: ShareNoticeStore;
  routing: Pick<TargetRouting, 'notifiersFor'>;
  mappings: readonly Mapping[];
  /** Wakes the dispatcher after a message is written. */
  onQueued: () => void;
}

export function createShareNotices(deps: ShareNoticeDeps): ShareNotices {
  return {
    standingDown: (path) => deps.store.standingDown(path),
    changed(change) {
      const share: ShareOf = {
        mappings: mappingsOf(deps.mappings, change.path),
        role: change.role,
        path: change.path,
        downSince: change.downSince,
      };
      const event =
        change.kind === 'down'
          ? shareDownEvent(share, change.problem ?? 'not healthy', change.at)
          : shareBackEvent(share, change.at);
      const items = deps.routing
        .notifiersFor(event.kind)
        .map((target): OutboxItem => ({ target, payload: { type: 'notify', event } }));
      if (change.kind === 'down') deps.store.recordDown(change.path, change.downSince, items, change.at);
      else deps.store.recordBack(change.path, items, change.at);
      if (items.length > 0) deps.onQueued();
    },
  };
}

/** The container prefixes of the mappings whose source or destination root is `path`, e.g. "/movies, /4k". */
function mappingsOf(mappings: readonly Mapping[], path: string): string {
  const names = mappings.filter((m) => m.source.path === path || m.destination.path === path).map((m) => m.container);
  return names.length > 0 ? names.join(', ') : path;
}
