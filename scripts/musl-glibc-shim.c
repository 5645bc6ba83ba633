/*
 * For scripts/runtime-smoke.sh bun-musl and bun-musl-arm64 only, never
 * shipped: Bun's musl builds (the registry's @oven/bun-linux-x64-musl and
 * @oven/bun-linux-aarch64-musl) need Alpine's libstdc++.so.6 and
 * libgcc_s.so.1, which neither Debian nor the npm registry has. Debian's
 * (glibc's) copies load into a musl process but for the few glibc functions
 * they call that musl lacks: this library gives them, as Alpine's gcompat
 * does. On x86-64 it is named ld-linux-x86-64.so.2 (which Debian's libstdc++
 * needs, and which is glibc's loader) so that musl's loader loads it with
 * them; Debian's arm64 libstdc++ needs no loader by name, so there it is
 * preloaded (LD_PRELOAD). offloop's musl binaries need none of this (they
 * have their own C++ runtime and need only musl's libc,
 * scripts/check-elf.mjs): only the host that loads them does.
 * Built with -nostdlib against Debian's musl libc.so: no libc headers.
 */
typedef unsigned long size_t;
typedef unsigned int uint32_t;
struct tm;
typedef struct __locale_struct *locale_t;
extern long getrandom(void *buffer, size_t length, unsigned flags);
extern size_t strftime_l(char *out, size_t size, const char *format, const struct tm *time, locale_t locale);
extern void *calloc(size_t count, size_t size);
extern void free(void *pointer);
extern int pthread_key_create(unsigned *key, void (*destructor)(void *));
extern int pthread_setspecific(unsigned key, const void *value);
extern void *pthread_getspecific(unsigned key);
extern int pthread_once(int *once, void (*init)(void));

/* glibc 2.36's; libstdc++'s std::random_device. */
uint32_t arc4random(void) {
  uint32_t value = 0;
  while (getrandom(&value, sizeof value, 0) != (long)sizeof value) {
  }
  return value;
}

size_t __strftime_l(char *out, size_t size, const char *format, const struct tm *time, locale_t locale) {
  return strftime_l(out, size, format, time, locale);
}

/* 0: libstdc++ keeps its atomic reference counts atomic. */
char __libc_single_threaded = 0;

/* No object table: libgcc's unwinder falls back to dl_iterate_phdr, which musl has. */
int _dl_find_object(void *pc, void *result) {
  (void)pc;
  (void)result;
  return -1;
}

#if defined(__x86_64__)
/* libgcc's CPU model for __builtin_cpu_supports: no features claimed. */
struct {
  unsigned vendor, type, subtype, features[1];
} __cpu_model;
int __cpu_indicator_init(void) { return 0; }
#endif

#if defined(__aarch64__)
/* glibc's internal name, which Debian's arm64 libstdc++ calls (for the CPU's
   hardware capabilities); musl has only the public one. */
extern unsigned long getauxval(unsigned long type);
unsigned long __getauxval(unsigned long type) { return getauxval(type); }
#endif

/* thread_local destructors (glibc's own, which musl lacks): run at thread exit. */
struct thread_destructor {
  void (*run)(void *);
  void *object;
  struct thread_destructor *next;
};
static unsigned destructor_key;
static int destructor_key_once;
static void run_destructors(void *head) {
  for (struct thread_destructor *entry = head; entry;) {
    struct thread_destructor *next = entry->next;
    entry->run(entry->object);
    free(entry);
    entry = next;
  }
}
static void make_destructor_key(void) { pthread_key_create(&destructor_key, run_destructors); }
int __cxa_thread_atexit_impl(void (*run)(void *), void *object, void *dso) {
  (void)dso;
  pthread_once(&destructor_key_once, make_destructor_key);
  struct thread_destructor *entry = calloc(1, sizeof *entry);
  if (!entry) return -1;
  entry->run = run;
  entry->object = object;
  entry->next = pthread_getspecific(destructor_key);
  return pthread_setspecific(destructor_key, entry);
}
