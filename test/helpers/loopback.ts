/** Test servers on loopback: listening on a free port, and closed without waiting on idle connections. */
import type { Server } from 'node:http';

/** `server` listening on a free loopback port: its `HOST:PORT`, and a close that drops idle connections too. */
export async function listenLoopback(server: Server): Promise<{ host: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as { port: number }).port}`,
    // Idle keep-alive sockets closed too: otherwise close() waits for the client's pool to time out.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
