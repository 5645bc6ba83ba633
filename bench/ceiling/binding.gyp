# Bench-only native helper: the memory-bandwidth ceiling the kernels are
# compared with. Built on demand by bench/ceiling/index.mjs
# (`node-gyp rebuild --directory bench/ceiling`); never shipped.
{
  'targets': [
    {
      'target_name': 'ceiling',
      'sources': ['ceiling.cc'],
      'include_dirs': ["<!(node -p \"require('node-addon-api').include_dir\")"],
      'defines': ['NAPI_VERSION=8', 'NAPI_DISABLE_CPP_EXCEPTIONS'],
      # Baseline ISA only, like the addon: memcpy picks its own best path at
      # run time, and the read loop uses SSE2, which every x86-64 CPU has.
      'cflags_cc!': ['-std=gnu++17', '-std=gnu++20'],
      'cflags_cc': ['-std=c++17', '-O3', '-Wall', '-Wextra'],
      'xcode_settings': {
        'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
        'OTHER_CPLUSPLUSFLAGS': ['-O3'],
      },
      'msvs_settings': {
        'VCCLCompilerTool': { 'AdditionalOptions': ['/std:c++17'] },
      },
    },
  ],
}
