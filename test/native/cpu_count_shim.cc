// LD_PRELOAD shim: makes sched_getaffinity report OFFLOOP_FAKE_CPUS CPUs, so
// the pool's tests also run as on a machine with 1 or 64 cores (CI's machine
// is not this one: a test that silently assumed few cores failed there).
#include <sched.h>

#include <cstdlib>

extern "C" int sched_getaffinity(pid_t, size_t size, cpu_set_t* set) {
  const char* text = std::getenv("OFFLOOP_FAKE_CPUS");
  const int cpus = text != nullptr ? std::atoi(text) : 1;
  CPU_ZERO_S(size, set);
  for (int cpu = 0; cpu < cpus && static_cast<size_t>(cpu) < size * 8; ++cpu) CPU_SET_S(cpu, size, set);
  return 0;
}
