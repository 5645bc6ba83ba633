// offloop's own API, with its pool pinned to `threads` before every call
// (contenders are interleaved, so the pool size is set each time; resizing
// an idle pool costs microseconds).
import * as offloop from 'offloop';

export function offloopContender(threads, call) {
  return {
    id: `offloop@${threads}`,
    family: 'offloop',
    threads,
    before() {
      offloop.setConcurrency(threads);
      if (offloop.getConcurrency() !== threads)
        throw new Error(`offloop pool is ${offloop.getConcurrency()} threads, wanted ${threads}`);
    },
    run: call,
  };
}
