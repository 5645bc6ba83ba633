// A real redis-server for the queue tests: Debian's package, started on
// 127.0.0.1 on a free port with its own folder, stopped afterwards. Where
// none is installed the tests say how to get one and skip.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const candidates = [process.env.REDIS_SERVER, 'redis-server', '/usr/bin/redis-server', '/usr/sbin/redis-server'].filter(
  Boolean,
) as string[];
export const redisServer = candidates.find((path) => spawnSync(path, ['--version'], { stdio: 'ignore' }).status === 0);
export const NO_REDIS =
  'no redis-server found: the queue tests are skipped (Debian/Ubuntu: apt-get install redis-server; or set REDIS_SERVER)';

/** A loopback port nothing listens on (free a moment ago). */
export async function freePort(): Promise<number> {
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

export interface RedisSettings {
  /** false: no append-only file, so a restart starts empty (default true: a restart keeps the queue, as a production Redis would). */
  persistent?: boolean;
  /** requirepass: clients must give this password. */
  password?: string;
}

async function startProcess(port: number, dir: string, settings: RedisSettings): Promise<ChildProcess> {
  const persistence =
    settings.persistent === false ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', 'always'];
  const password = settings.password === undefined ? [] : ['--requirepass', settings.password];
  const child = spawn(
    redisServer!,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      ...persistence,
      ...password,
      '--protected-mode',
      'yes',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
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

export async function startRedis(settings: RedisSettings = {}): Promise<Redis> {
  const dir = mkdtempSync(join(tmpdir(), 'offloop-redis-'));
  const port = await freePort();
  let child = await startProcess(port, dir, settings);
  return {
    url:
      settings.password === undefined
        ? `redis://127.0.0.1:${port}`
        : `redis://:${encodeURIComponent(settings.password)}@127.0.0.1:${port}`,
    port,
    async restart(pauseMs) {
      await stopProcess(child);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      child = await startProcess(port, dir, settings);
    },
    async stop() {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
