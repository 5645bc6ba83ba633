// lib/ keeps a few copies of numbers the native side defines: each must be
// the native value, read here from the binding's constants().
import { describe, expect, it } from 'vitest';

import { binding } from '../lib/binding.js';
import {
  DEFAULT_BYTE_LIMIT,
  DEFAULT_COMPRESSION_LEVEL,
  DEFAULT_PIXEL_LIMIT,
  DEFAULT_QUALITY,
  DEFAULT_WEBP_QUALITY,
  GRAYSCALE_FILE_MODES,
} from '../lib/files/settings.js';
import { JOB_STATUS } from '../lib/job-table.js';

const constants = binding.constants();

describe("the native constants and lib/'s copies", () => {
  it('job statuses', () => {
    expect(constants.jobStatus).toEqual(JOB_STATUS);
  });

  it('file defaults', () => {
    expect(constants.fileDefaults).toEqual({
      limitInputPixels: DEFAULT_PIXEL_LIMIT,
      limitInputBytes: DEFAULT_BYTE_LIMIT,
      quality: DEFAULT_QUALITY,
      webpQuality: DEFAULT_WEBP_QUALITY,
      compressionLevel: DEFAULT_COMPRESSION_LEVEL,
    });
  });

  it('a distinct native number for every file mode and format lib/ accepts', () => {
    expect(Object.keys(constants.fileModes).sort()).toEqual([...GRAYSCALE_FILE_MODES].sort());
    expect(Object.keys(constants.fileFormats).sort()).toEqual(['jpeg', 'png', 'same', 'webp']);
    for (const table of [constants.fileModes, constants.fileFormats]) {
      expect(new Set(Object.values(table)).size).toBe(Object.keys(table).length);
    }
  });
});
