/**
 * Loads BullMQ, an optional peer dependency: offloop itself never imports
 * it, and offloop/queue says which packages to install when it is missing.
 */
import type * as BullMQ from 'bullmq';

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

/** A Redis URL (`redis://host:6379/0`) or ioredis options, as BullMQ's connection option. */
export type RedisConnection = string | BullMQ.ConnectionOptions;

export function connectionOptions(connection: RedisConnection | undefined): BullMQ.ConnectionOptions {
  if (connection === undefined) throw Object.assign(new TypeError('The "connection" option (a redis:// URL or ioredis options) is required'), { code: 'ERR_INVALID_ARG_TYPE' });
  if (typeof connection !== 'string') return connection;
  const url = new URL(connection);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw Object.assign(new TypeError(`The "connection" URL must be redis:// or rediss://; got ${url.protocol}`), { code: 'ERR_INVALID_ARG_VALUE' });
  }
  return {
    host: url.hostname,
    port: url.port === '' ? 6379 : Number(url.port),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ's workers block on Redis; ioredis must retry, not give up.
    maxRetriesPerRequest: null,
  };
}
