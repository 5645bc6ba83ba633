// A real redis-server for the queue tests: Debian's package, started on
// 127.0.0.1 on a free port with its own folder, stopped afterwards. Where
// none is installed the tests say how to get one and skip.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const candidates = [process.env.REDIS_SERVER, 'redis-server', '/usr/bin/redis-server', '/usr/sbin/redis-server'].filter(Boolean) as string[];
export const redisServer = candidates.find((path) => spawnSync(path, ['--version'], { stdio: 'ignore' }).status === 0);
export const NO_REDIS = 'no redis-server found: the queue tests are skipped (Debian/Ubuntu: apt-get install redis-server; or set REDIS_SERVER)';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Redis {
  url: string;
  port: number;
  /** Stops the server (it saves its data first) and starts it again on the same port and folder after `pauseMs`. */
  restart(pauseMs: number): Promise<void>;
  stop(): Promise<void>;
}

async function startProcess(port: number, dir: string): Promise<ChildProcess> {
  // Append-only file: a restart keeps the queue, as a production Redis would.
  const child = spawn(redisServer!, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--protected-mode', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start within 10 s')), 10_000);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}): ${output}`));
    });
  });
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

export async function startRedis(): Promise<Redis> {
  const dir = mkdtempSync(join(tmpdir(), 'offloop-redis-'));
  const port = await freePort();
  let child = await startProcess(port, dir);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart(pauseMs) {
      await stopProcess(child);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      child = await startProcess(port, dir);
    },
    async stop() {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
