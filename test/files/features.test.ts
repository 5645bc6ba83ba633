// features() names the codec libraries grayscaleFile uses: built in
// (static) in the prebuilt binaries, the system's in a build from source.
import { describe, expect, it } from 'vitest';

import { features } from '../../lib/index.js';

describe('features().codecs', () => {
  it('names libjpeg-turbo, libpng, zlib, libwebp and the PNG deflater with their versions and linkage', () => {
    const { codecs, binary } = features();
    expect(Object.keys(codecs).sort()).toEqual(['bmp', 'deflate', 'gif', 'jpeg', 'png', 'tiff', 'webp', 'zlib']);
    expect(codecs.jpeg.library).toBe('libjpeg-turbo');
    expect(codecs.png.library).toBe('libpng');
    expect(codecs.zlib.library).toBe('zlib');
    // Prebuilt binaries deflate with libdeflate; a source build where
    // pkg-config finds it too, else with zlib.
    expect(['libdeflate', 'zlib']).toContain(codecs.deflate.library);
    if (binary.source === 'prebuild') expect(codecs.deflate.library).toBe('libdeflate');
    expect(codecs.webp.library).toBe('libwebp');
    expect(codecs.tiff.library).toBe('libtiff');
    for (const codec of [codecs.jpeg, codecs.png, codecs.zlib, codecs.deflate, codecs.webp, codecs.tiff]) {
      expect(codec.version).toMatch(/^\d+\.\d+(\.\d+)?/);
      expect(['static', 'system', 'runtime']).toContain(codec.linkage);
      // Prebuilt binaries carry their own codecs; a local build links the system's.
      if (binary.source === 'prebuild') expect(codec.linkage).toBe('static');
      // A local build links the system's libjpeg and libpng; its zlib may be
      // the host's (Node exports its own, found first) or the system's.
      if (binary.source === 'build' && codec.library !== 'zlib') expect(codec.linkage).toBe('system');
    }
  });

  it("names offloop's own GIF and BMP readers, built in, after the Pillow release they follow", () => {
    const { codecs } = features();
    for (const codec of [codecs.gif, codecs.bmp])
      expect(codec).toEqual({ library: 'offloop', version: 'pillow-9.4', linkage: 'static' });
  });
});
