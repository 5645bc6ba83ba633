# The one list of native sources, read by binding.gyp (node-gyp), by
# CMakeLists.txt (cmake-js) and by the native test harnesses, so none of them
# can drift apart. Paths are relative to the project root.
{
  'variables': {
    # Plain kernels over pointers and lengths.
    'offloop_kernel_sources': [
      'native/kernels/cpu_features.cc',
      'native/kernels/dispatch.cc',
      'native/kernels/grayscale.cc',
      'native/kernels/kernels_avx2.cc',
      'native/kernels/kernels_avx512.cc',
      'native/kernels/kernels_generic.cc',
      'native/kernels/kernels_scalar.cc',
      'native/kernels/kernels_sse2.cc',
      'native/kernels/orient.cc',
      'native/kernels/squares.cc',
    ],
    # The pool, jobs and native memory: no Node-API, so the C++ tests (and
    # ThreadSanitizer) run them without Node.
    'offloop_core_sources': [
      'native/core/fault_injection.cc',
      'native/core/job.cc',
      'native/core/native_memory.cc',
      'native/core/pool.cc',
      'native/jobs/grayscale_job.cc',
      'native/jobs/squares_job.cc',
      'native/jobs/sum_job.cc',
    ],
    # JPEG/PNG <-> 8-bit gray over bytes (libjpeg-turbo, libpng, zlib), WebP -> gray
    # <-> gray (libwebp), TIFF -> gray (libtiff; with kernels/orient for Pillow's
    # load-time turn), GIF and BMP -> gray (offloop's own readers); no Node-API.
    'offloop_codec_sources': [
      'native/codecs/bmp_decode.cc',
      'native/codecs/complete.cc',
      'native/codecs/detect.cc',
      'native/codecs/errors.cc',
      'native/codecs/gif_decode.cc',
      'native/codecs/gray_decoder.cc',
      'native/codecs/jpeg_decode.cc',
      'native/codecs/jpeg_encode.cc',
      'native/codecs/jpeg_luma_copy.cc',
      'native/codecs/jpeg_reader.cc',
      'native/codecs/orientation.cc',
      'native/codecs/output_buffer.cc',
      'native/codecs/pillow_gray.cc',
      'native/codecs/png_decode.cc',
      'native/codecs/png_encode.cc',
      'native/codecs/png_filter.cc',
      'native/codecs/png_segments.cc',
      'native/codecs/tiff_decode.cc',
      'native/codecs/webp_decode.cc',
      'native/codecs/webp_encode.cc',
    ],
    # Image files as pool jobs (read, decode, orient, encode, write) over the
    # codecs; no Node-API. Kept out of the core list so the core's C++ tests
    # (and its 32-bit build) need no codec libraries.
    'offloop_file_sources': [
      'native/files/file_io.cc',
      'native/files/platform_posix.cc',
      'native/files/platform_win.cc',
      'native/jobs/gray_file_job.cc',
      'native/jobs/png_segments_job.cc',
    ],
    # The Node-API layer: napi/ the argument and buffer checks, the env's
    # state (intrinsics, job table) and the sync call; bindings/ the
    # functions the module exports.
    'offloop_addon_sources': [
      'native/napi/args.cc',
      'native/napi/buffers.cc',
      'native/napi/env_state.cc',
      'native/napi/errors.cc',
      'native/napi/guarded.cc',
      'native/napi/intrinsics.cc',
      'native/napi/job_table.cc',
      'native/napi/library_pin.cc',
      'native/napi/settled_counts.cc',
      'native/napi/sync_call.cc',
      'native/bindings/addon.cc',
      'native/bindings/constants.cc',
      'native/bindings/diagnostics.cc',
      'native/bindings/files.cc',
      'native/bindings/grayscale.cc',
      'native/bindings/inspect.cc',
      'native/bindings/output.cc',
      'native/bindings/pool.cc',
      'native/bindings/squares.cc',
      'native/bindings/sum.cc',
      'native/bindings/test_hooks.cc',
    ],
  },
}
