import type net from 'node:net';

/**
 * Waits for a socket's `connect` (or TLS `secureConnect`) event. On an error, or after
 * `timeoutMs` (an error with code ETIMEDOUT), the socket is destroyed and the promise rejects.
 */
export function waitSocket(sock: net.Socket, event: 'connect' | 'secureConnect', timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sock.destroy();
      reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    sock.once(event, () => {
      clearTimeout(timer);
      sock.removeAllListeners('error');
      resolve();
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      sock.destroy();
      reject(e);
    });
  });
}
