// Keeps offloop.node loaded until the process exits.
//
// Node unloads an addon (dlclose / FreeLibrary) when the last environment
// that loaded it goes away: a process that uses offloop only in
// worker_threads unloads it each time its last such worker exits. But the
// pool's threads are process-wide, detached and still running (or about to
// run) offloop's code: unloading would leave them executing unmapped memory.
// So offloop is never unloaded; the pool, its threads and the page cache
// simply live on, and a later load of the same file gets the same library
// and the same pool. (Stopping and joining the pool when the last env goes,
// and restarting it on the next load, would cost every worker's exit a join
// and buy nothing: an idle pool holds no event loop open.)
//
// How, per platform:
//  - Linux and other ELF systems: linked with -z nodelete (binding.gyp,
//    CMakeLists.txt), and, for builds that miss that flag, pinned at load
//    with dlopen(self, RTLD_NOLOAD | RTLD_NODELETE).
//  - macOS: the same dlopen call (dyld supports RTLD_NODELETE); there is no
//    linker flag for it.
//  - Windows: GetModuleHandleExW with GET_MODULE_HANDLE_EX_FLAG_PIN.
#pragma once

namespace offloop {

// Idempotent; failures are ignored (the link-time flag still applies).
void PinThisLibrary() noexcept;

}  // namespace offloop
