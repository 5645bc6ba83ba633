/**
 * Loads BullMQ, an optional peer dependency: offloop itself never imports
 * it, and offloop/queue says which packages to install when it is missing.
 * Also the one place a Redis address is read, and the bounded wait for a
 * connection that one-shot calls use.
 */
import type * as BullMQ from 'bullmq';

import { invalidArgTypeError, invalidArgValueError, outOfRangeError } from '../errors.js';
import { DEFAULT_QUEUE } from './job-data.js';

let loaded: typeof BullMQ | undefined;

export function loadBullmq(): typeof BullMQ {
  if (loaded !== undefined) return loaded;
  try {
    loaded = require('bullmq') as typeof BullMQ;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    const missing = new Error(
      'offloop/queue needs BullMQ (with its Redis client, ioredis), an optional peer dependency of offloop: npm install bullmq',
    );
    throw Object.assign(missing, { code: 'ERR_OFFLOOP_MISSING_PEER', cause: error });
  }
  return loaded;
}

/** A Redis address (`redis://host:6379/0`, `rediss://...`, `host:port`) or ioredis options, as BullMQ's connection option. */
export type RedisConnection = string | BullMQ.ConnectionOptions;

function invalidAddress(text: string, why: string): TypeError {
  const error = new TypeError(
    `The Redis address '${text}' ${why}: ` +
      'give redis://[user:password@]host[:port][/db], rediss://... (TLS) or host:port',
  );
  return Object.assign(error, { code: 'ERR_INVALID_ARG_VALUE' });
}

/**
 * A Redis address as ioredis options: `redis://` and `rediss://` URLs (user,
 * password, database number) or a bare `host:port` (`[::1]:6379` for IPv6).
 * Throws ERR_INVALID_ARG_VALUE, saying what is wrong, for anything else.
 */
export interface RedisAddress {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: object;
}

export function parseRedisAddress(text: string): RedisAddress {
  // host:port, without a scheme: read as a redis:// URL.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `redis://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw invalidAddress(text, 'is not an address');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw invalidAddress(text, `has the scheme ${url.protocol.slice(0, -1)}`);
  if (url.hostname === '') throw invalidAddress(text, 'names no host');
  if ((url.pathname !== '' && !/^\/\d*$/.test(url.pathname)) || url.search !== '' || url.hash !== '')
    throw invalidAddress(text, 'has a path that is not a database number');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return {
    host,
    port: url.port === '' ? 6379 : Number(url.port),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * The `connection` option as BullMQ's: a Redis address (read by
 * parseRedisAddress) or ioredis options, the one check of it for every
 * entry point of offloop/queue.
 */
export function connectionOptions(
  connection: RedisConnection | undefined,
  name = 'options.connection',
): BullMQ.ConnectionOptions {
  if (typeof connection !== 'string') {
    if (typeof connection === 'object' && connection !== null && !Array.isArray(connection)) return connection;
    throw invalidArgTypeError(name, 'a redis:// URL or ioredis options (required)', connection);
  }
  // BullMQ's workers block on Redis; ioredis must retry, not give up. A
  // socket that never connected holds a closing process for
  // disconnectTimeout (ioredis's default: 2 s).
  return { ...parseRedisAddress(connection), maxRetriesPerRequest: null, disconnectTimeout: 500 };
}

/** The `queue` option: a queue's name, 'offloop' when not given. */
export function readQueueName(value: unknown, name = 'options.queue'): string {
  if (value === undefined) return DEFAULT_QUEUE;
  if (typeof value !== 'string') throw invalidArgTypeError(name, 'of type string', value);
  if (value === '') throw invalidArgValueError(name, value, 'must not be empty');
  return value;
}

/** A timeout option in milliseconds: a positive number, `fallback` when not given. */
export function readTimeout(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw invalidArgTypeError(name, 'of type number', value);
  if (!(value > 0)) throw outOfRangeError(name, 'be a positive number of milliseconds', value);
  return value;
}

/** Where a connection goes, for messages: host:port, never the password. */
export function describeConnection(connection: RedisConnection): string {
  const options = (typeof connection === 'string' ? parseRedisAddress(connection) : connection) as {
    host?: string;
    port?: number;
    path?: string;
    tls?: unknown;
  };
  if (options.path !== undefined) return options.path;
  const host = options.host ?? 'localhost';
  return `${options.tls ? 'rediss://' : ''}${host.includes(':') ? `[${host}]` : host}:${options.port ?? 6379}`;
}

/** How long a one-shot call waits for Redis before it fails (ms). */
export const DEFAULT_CONNECT_TIMEOUT = 5000;

// Redis's answers that no retry mends: a wrong password or user, a missing ACL permission.
const REFUSED = /^(WRONGPASS|NOAUTH|NOPERM)\b|ERR AUTH|invalid password/i;

/**
 * Resolves once Redis answers at `connection`, at most `timeoutMs`; a refused
 * password fails at once. Rejects with ERR_OFFLOOP_REDIS_UNREACHABLE naming
 * the address and Redis's last error, or with the signal's reason when it is
 * aborted first. Tried on a connection of its own, closed either way: a
 * BullMQ client that never connected cannot be closed (its close waits for
 * the connection).
 */
export async function reachRedis(
  connection: BullMQ.ConnectionOptions,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  // An ioredis instance or cluster of the caller's: theirs to manage.
  if (
    typeof (connection as { duplicate?: unknown }).duplicate === 'function' ||
    Array.isArray((connection as { nodes?: unknown }).nodes)
  )
    return;
  if (signal?.aborted) throw signal.reason;
  // ioredis is BullMQ's dependency: found from BullMQ's folder, where a strict layout (pnpm) puts it.
  const IORedis = require(
    require.resolve('ioredis', { paths: [require.resolve('bullmq')] }),
  ) as typeof import('ioredis').default;
  const client = new IORedis({
    ...(connection as object),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    disconnectTimeout: 100,
    retryStrategy: (times: number) => Math.min(100 * times, 500),
  });
  let lastError: Error | undefined;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const unreachable = (why: string) =>
    Object.assign(new Error(`cannot reach Redis at ${describeConnection(connection)}: ${why}`), {
      code: 'ERR_OFFLOOP_REDIS_UNREACHABLE',
      ...(lastError ? { cause: lastError } : {}),
    });
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () => reject(unreachable(`${lastError?.message ?? 'no answer'} (waited ${timeoutMs / 1000} s)`)),
        timeoutMs,
      );
      onAbort = () => reject(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      client.on('error', (error: Error) => {
        lastError = error;
        if (REFUSED.test(error.message)) reject(unreachable(error.message));
      });
      client.once('ready', () => resolve());
      client.connect().catch(() => {});
    });
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    client.disconnect();
  }
}

/**
 * Closes a BullMQ Queue or QueueEvents, dropping the connection when a
 * graceful close does not finish within `timeoutMs` (Redis away: its QUIT
 * would wait for a reconnection that may never come).
 */
export async function closeWithin(
  client: { close(): Promise<void>; disconnect(): Promise<void> },
  timeoutMs: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  try {
    // (BullMQ's disconnect waits for the socket's end too: not awaited.)
    if ((await Promise.race([client.close().catch(() => {}), late])) === 'late') client.disconnect().catch(() => {});
  } finally {
    clearTimeout(timer);
  }
}
