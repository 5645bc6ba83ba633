# The Python seed's program, as the files benchmark runs it: a
# multiprocessing.Pool of N processes, each doing
# Image.open(p).convert('L').save(out), quality 75 / compress_level 6
# (WebP: lossy at the quality given, 80 by default as Pillow's own).
# Prints one JSON object: files, pixels, seconds, stages, peak RSS.
import json
import os
import resource
import sys
import time
from multiprocessing import Pool

from PIL import Image


def peak_rss_kib():
    # VmHWM: this process's own peak (ru_maxrss would carry the parent's over exec).
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


WEBP_QUALITY = int(sys.argv[5]) if len(sys.argv) > 5 else 80


def gray(job):
    src, dst, fmt = job
    t0 = time.perf_counter()
    im = Image.open(src)
    im.load()  # read and decode
    t1 = time.perf_counter()
    g = im.convert('L')
    t2 = time.perf_counter()
    if fmt == 'png':
        g.save(dst, 'PNG', compress_level=6)
    elif fmt == 'webp':
        g.save(dst, 'WEBP', quality=WEBP_QUALITY)
    else:
        g.save(dst, 'JPEG', quality=75)
    t3 = time.perf_counter()
    return g.width * g.height, (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3, peak_rss_kib()


def main():
    listing, out_dir, fmt, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    inputs = json.load(open(listing))
    ext = {'png': '.png', 'webp': '.webp'}.get(fmt, '.jpg')
    jobs = [(p, os.path.join(out_dir, os.path.splitext(os.path.basename(p))[0] + ext), fmt) for p in inputs]
    start = time.perf_counter()
    with Pool(processes=threads) as pool:
        results = pool.map(gray, jobs, chunksize=1)
    seconds = time.perf_counter() - start
    n = len(results)
    print(json.dumps({
        'files': n,
        'pixels': sum(r[0] for r in results),
        'seconds': seconds,
        'stages': {'read+decode': sum(r[1] for r in results) / n, 'gray': sum(r[2] for r in results) / n, 'encode+write': sum(r[3] for r in results) / n},
        # The parent plus each worker's peak (workers live together).
        'maxRssMiB': (peak_rss_kib() + min(threads, n) * max(r[4] for r in results)) / 1024,
        'eventLoopP99Ms': None,
    }))


if __name__ == '__main__':
    main()
