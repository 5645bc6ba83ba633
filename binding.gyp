{
  'includes': ['native/sources.gypi'],
  'targets': [
    {
      'target_name': 'offloop',
      'sources': [
        '<@(offloop_kernel_sources)',
        '<@(offloop_core_sources)',
        '<@(offloop_codec_sources)',
        '<@(offloop_file_sources)',
        '<@(offloop_addon_sources)',
      ],
      # The image codecs: the system's (pkg-config) or static archives built
      # for the prebuilt binaries (OFFLOOP_CODECS_DIR); native/codec-flags.mjs
      # says which, and names the packages to install when one is missing.
      'cflags': ['<!@(node native/codec-flags.mjs --cflags)'],
      'libraries': ['<!@(node native/codec-flags.mjs --libs)'],
      'include_dirs': [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        'native',
      ],
      'defines': [
        'NAPI_VERSION=8',
        'NODE_ADDON_API_DISABLE_DEPRECATED',
        'NAPI_CPP_EXCEPTIONS',
        # Any C++ exception that still reached a callback becomes a JS error
        # instead of crossing V8 (bindings catch and code theirs first).
        'NODE_ADDON_API_CPP_EXCEPTIONS_ALL',
        # A worker being terminated cannot throw; without this, node-addon-api aborts.
        'NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS',
      ],
      # Baseline ISA only: faster paths are chosen at run time (kernels/cpu_features).
      # -ffp-contract=off keeps every SIMD path's float results identical.
      'cflags_cc!': ['-fno-exceptions', '-fno-rtti', '-std=gnu++17', '-std=gnu++20'],
      'cflags_cc': ['-std=c++17', '-O3', '-fexceptions', '-ffp-contract=off', '-fvisibility=hidden', '-Wall', '-Wextra', '-Werror'],
      'conditions': [
        ['OS=="linux" or OS=="freebsd"', {
          # Never unloaded: detached pool threads outlive every env (native/napi/library_pin.h).
          'ldflags': ['-Wl,-z,nodelete'],
          'libraries': ['-ldl'],
        }],
        ['target_arch=="ia32"', {
          # SSE2 doubles, not x87's 80-bit ones: sums must match the JS reference to the bit.
          'cflags_cc': ['-msse2', '-mfpmath=sse'],
        }],
      ],
      'xcode_settings': {
        'GCC_ENABLE_CPP_EXCEPTIONS': 'YES',
        'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
        'GCC_SYMBOLS_PRIVATE_EXTERN': 'YES',
        'MACOSX_DEPLOYMENT_TARGET': '11.0',
        'OTHER_CPLUSPLUSFLAGS': ['-O3', '-ffp-contract=off', '-Wall', '-Wextra', '-Werror', '<!@(node native/codec-flags.mjs --cflags)'],
      },
      'msvs_settings': {
        'VCCLCompilerTool': {
          'ExceptionHandling': 1,
          'AdditionalOptions': ['/std:c++17', '/fp:precise', '/W3', '/WX'],
        },
      },
    },
  ],
}
