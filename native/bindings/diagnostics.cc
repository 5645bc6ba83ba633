// features(): what this binary is: the SIMD level the kernels use, and the
// codec libraries in use and how they were linked.
#include <string>

#if defined(_WIN32)
#include <windows.h>
#elif defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h>
#endif

#include "bindings/register.h"
#include "codecs/bmp_decode.h"
#include "codecs/gif_decode.h"
#include "codecs/tiff_decode.h"
#include "codecs/webp_decode.h"
#include "codecs/jpeg_decode.h"
#include "codecs/png_decode.h"
#include "codecs/png_segments.h"
#include "kernels/cpu_features.h"
#include "napi/guarded.h"

namespace offloop {

namespace {

// Which object holds `symbol`: this addon, a shared codec library, or the
// host process itself (found with dladdr, or Windows' module of an address).
const char* CodecLinkage([[maybe_unused]] const void* symbol) {
#if defined(_WIN32)
  const auto module_of = [](const void* address) {
    HMODULE module = nullptr;
    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                       static_cast<LPCWSTR>(address), &module);
    return module;
  };
  const HMODULE found = module_of(symbol);
  if (found != nullptr) {
    if (found == module_of(reinterpret_cast<const void*>(&CodecLinkage))) return "static";
    return found == GetModuleHandleW(nullptr) ? "runtime" : "system";
  }
#elif defined(__unix__) || defined(__APPLE__)
  Dl_info found{};
  Dl_info self{};
  if (dladdr(symbol, &found) != 0 && found.dli_fname != nullptr &&
      dladdr(reinterpret_cast<const void*>(&CodecLinkage), &self) != 0 && self.dli_fname != nullptr) {
    if (found.dli_fbase == self.dli_fbase) return "static";
    const std::string path = found.dli_fname;
    const std::string name = path.substr(path.find_last_of('/') + 1);
    const bool library = name.rfind("lib", 0) == 0 &&
                         (name.find(".so") != std::string::npos || name.find(".dylib") != std::string::npos);
    return library ? "system" : "runtime";
  }
#endif
#ifdef OFFLOOP_CODECS_STATIC
  return "static";
#else
  return "system";
#endif
}

Napi::Value Features(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("simd", kernels::SimdLevelName(kernels::DetectedSimdLevel()));
  // The codec libraries in use: built into offloop.node ('static', the
  // prebuilt binaries), the system's shared libraries ('system', a build
  // from source), or the host process's own copy ('runtime': Node exports
  // its zlib, which then wins over the system's).
  Napi::Object codecs = Napi::Object::New(env);
  const struct {
    const char* name;
    const char* library;
    const char* version;
    const void* symbol;
  } libraries[] = {
      {"jpeg", "libjpeg-turbo", codecs::JpegLibraryVersion(), codecs::JpegLibrarySymbol()},
      {"png", "libpng", codecs::PngLibraryVersion(), codecs::PngLibrarySymbol()},
      {"zlib", "zlib", codecs::ZlibVersion(), codecs::ZlibSymbol()},
      {"deflate", codecs::DeflateLibraryName(), codecs::DeflateLibraryVersion(), codecs::DeflateLibrarySymbol()},
      {"webp", "libwebp", codecs::WebpLibraryVersion(), codecs::WebpLibrarySymbol()},
      {"tiff", "libtiff", codecs::TiffLibraryVersion(), codecs::TiffLibrarySymbol()},
      // offloop's own readers; the version is the Pillow release they follow.
      {"gif", "offloop", "pillow-9.4", reinterpret_cast<const void*>(&codecs::OpenGifGrayDecoder)},
      {"bmp", "offloop", "pillow-9.4", reinterpret_cast<const void*>(&codecs::OpenBmpGrayDecoder)},
  };
  for (const auto& library : libraries) {
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("library", library.library);
    entry.Set("version", library.version);
    entry.Set("linkage", CodecLinkage(library.symbol));
    codecs.Set(library.name, entry);
  }
  result.Set("codecs", codecs);
  return result;
}

}  // namespace

void RegisterDiagnostics(Napi::Env env, Napi::Object exports) {
  exports.Set("features", Napi::Function::New(env, Guarded<Features>, "features"));
}

}  // namespace offloop
