/** The `--redis` flag's value, read by offloop/queue's one parser; what the queue commands say about Redis. */
import { describeConnection, parseRedisAddress } from '../queue/bullmq.js';
import { UsageError } from './usage.js';

export const REDIS_VALUE = 'redis://[user:password@]host[:port][/db], rediss://... (TLS) or host:port';

/** The `--redis` value checked (a usage error saying what is wrong), as given. */
export function redisFlag(value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`--redis <address> is required: ${REDIS_VALUE}`);
  try {
    parseRedisAddress(value);
  } catch (error) {
    throw new UsageError(`--redis: ${(error as Error).message.replace(/^The Redis address /, '')}`);
  }
  return value;
}

/** Where a `--redis` value leads, for messages: host:port, never the password. */
export function redisShown(value: string): string {
  return describeConnection(value);
}
