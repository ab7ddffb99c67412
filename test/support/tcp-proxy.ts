/**
 * A TCP relay on 127.0.0.1 in front of a service, which a test can cut (every connection dropped, new
 * ones refused) and restore: how a browser's event stream loses its server without the service stopping.
 *
 *   const proxy = await startTcpProxy(svc.port);   // the page opens proxy.url
 *   await proxy.cut();  …  await proxy.restore();
 */

import { createServer, connect, type Server, type Socket } from 'node:net';
import { onCleanup } from './cleanup.js';

export interface TcpProxy {
  url: string;
  /** Drops every open connection and refuses new ones until restore(). */
  cut(): Promise<void>;
  restore(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let port = 0;
  let server: Server | null = null;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = connect(targetPort, '127.0.0.1');
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        const address = s.address();
        if (address && typeof address === 'object') port = address.port;
        server = s;
        resolve();
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = null;
    });
  await listen();
  onCleanup(close);
  return { url: `http://127.0.0.1:${port}`, cut: close, restore: listen };
}
