// Windows builds made with MinGW (scripts/prebuild-mingw.mjs) import Node-API
// from "node.exe" through a delay-load import library, so nothing is bound
// when Windows loads offloop.node: the first Node-API call binds it. This
// hook makes that binding use the executable that is running, whatever its
// name (electron.exe, an embedder's app), as node-gyp's hook does for MSVC
// builds. Node-API is exported by the host executable, or by a node.dll /
// libnode.dll it loaded, so both are tried.
#include <windows.h>
// windows.h first: delayimp.h uses its types.
#include <delayimp.h>

namespace {

constexpr const wchar_t* kNodeLibraries[] = {L"libnode.dll", L"node.dll"};

FARPROC WINAPI BindNodeApiToHost(unsigned event, PDelayLoadInfo info) {
  if (event != dliNotePreLoadLibrary || lstrcmpiA(info->szDll, "node.exe") != 0) return nullptr;
  HMODULE host = GetModuleHandleW(nullptr);
  if (GetProcAddress(host, "napi_module_register") == nullptr) {
    for (const wchar_t* library : kNodeLibraries) {
      HMODULE loaded = GetModuleHandleW(library);
      if (loaded != nullptr) return reinterpret_cast<FARPROC>(loaded);
    }
  }
  return reinterpret_cast<FARPROC>(host);
}

// mingw-w64's delay-load helper (libdelayimp) owns the hook variable; it is
// set while the library loads, before Node calls napi_register_module_v1.
const bool kHookInstalled = (__pfnDliNotifyHook2 = BindNodeApiToHost, true);

}  // namespace
