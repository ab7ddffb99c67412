// The server's event stream (GET events, server-sent events). EventSource reconnects by itself after a
// dropped connection; when the server refuses the stream (a restart, a 401, a 503) it gives up, and
// this module opens a new one after a growing pause. Every (re)opened stream calls onOpen: the page
// then reloads what it shows, so nothing missed while it was away stays wrong.

export type LiveState = 'connecting' | 'live' | 'reconnecting';

export interface LiveHandlers {
  onOpen: () => void;
  onState: (state: LiveState) => void;
  onEvent: (type: string, data: unknown) => void;
}

const FIRST_PAUSE_MS = 1000;
const LONGEST_PAUSE_MS = 30_000;

/** Listens for the given event types; returns a function that closes the stream for good. */
export function connectLive(url: string, types: readonly string[], handlers: LiveHandlers): () => void {
  let source: EventSource | null = null;
  let pause = FIRST_PAUSE_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const open = () => {
    handlers.onState(source ? 'reconnecting' : 'connecting');
    const stream = new EventSource(url);
    source = stream;
    stream.onopen = () => {
      pause = FIRST_PAUSE_MS;
      handlers.onState('live');
      handlers.onOpen();
    };
    stream.onerror = () => {
      if (closed) return;
      handlers.onState('reconnecting');
      if (stream.readyState === EventSource.CLOSED) {
        timer = setTimeout(open, pause);
        pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
      }
    };
    for (const type of types) {
      stream.addEventListener(type, (event) => {
        let data: unknown = null;
        try {
          data = JSON.parse(event.data);
        } catch {
          data = event.data;
        }
        handlers.onEvent(type, data);
      });
    }
  };

  open();
  return () => {
    closed = true;
    clearTimeout(timer);
    source?.close();
  };
}
