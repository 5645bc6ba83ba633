# The one list of native sources, read by binding.gyp (node-gyp) and by
# CMakeLists.txt (cmake-js), so the two builds cannot drift apart. Paths are
# relative to the project root.
{
  'variables': {
    'offloop_kernel_sources': [
      'native/kernels/cpu_features.cc',
      'native/kernels/dispatch.cc',
      'native/kernels/grayscale.cc',
      'native/kernels/kernels_avx2.cc',
      'native/kernels/kernels_avx512.cc',
      'native/kernels/kernels_generic.cc',
      'native/kernels/kernels_scalar.cc',
      'native/kernels/kernels_sse2.cc',
      'native/kernels/squares.cc',
    ],
    'offloop_addon_sources': [
      'native/addon.cc',
      'native/args.cc',
      'native/env_context.cc',
      'native/job.cc',
      'native/output_memory.cc',
      'native/pool.cc',
      'native/squares_binding.cc',
      'native/sum_binding.cc',
      'native/grayscale_binding.cc',
    ],
  },
}
