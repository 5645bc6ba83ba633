// Stress test of native/core and native/jobs (the pool, the job lifecycle,
// jointly owned result pages) from several threads at once, built for
// ThreadSanitizer by `npm run test:tsan` (scripts/sanitize.mjs) and usable
// under AddressSanitizer too. No Node: each "client" thread plays a JS
// thread (an env) that submits async jobs, cancels some, sometimes tears
// itself down (CancelAndDrain, then frees its buffers at once, as an env's
// cleanup does), and makes synchronous calls; meanwhile other threads resize
// the pool and arm injected failures.
//
// Checked: every job is reported done exactly once; every result that was
// neither cancelled nor failed equals a scalar computation; after a drain no
// job of that client is still running (then its buffers are freed: a later
// write by a pool thread is a race / use-after-free the sanitizer reports);
// a mapped result whose first owner (JS) lets go mid-job stays intact until
// the job ends; at the end the pool is idle and no page is left alive.
// The sanitizers check the rest: data races, lock-order inversions, memory
// errors.
//
//   pool_stress_test [rounds per client=100]   (seed: OFFLOOP_STRESS_SEED)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/fault_injection.h"
#include "core/native_memory.h"
#include "core/pool.h"
#include "jobs/grayscale_job.h"
#include "jobs/squares_job.h"
#include "jobs/sum_job.h"
#include "kernels/grayscale.h"
#include "kernels/squares.h"

using namespace offloop;
using kernels::ElementType;

namespace {

constexpr int kClients = 4;

std::atomic<int> g_failures{0};
std::atomic<uint64_t> g_checked{0};
std::atomic<uint64_t> g_cancelled{0};
std::atomic<uint64_t> g_failed_jobs{0};
std::atomic<uint64_t> g_drains{0};
std::atomic<uint64_t> g_sync_calls{0};
std::atomic<uint64_t> g_progress{0};
std::atomic<uint64_t> g_early_releases{0};
std::atomic<uint64_t> g_refused{0};

void Fail(const std::string& what) {
  if (g_failures.fetch_add(1) < 20) std::fprintf(stderr, "FAIL: %s\n", what.c_str());
}

// One job and everything it touches. The buffers are the client's, as JS
// arrays are an env's; `pages` is JS's share of a mapped result.
struct Task {
  enum Kind { kSquares, kRange, kInt64Squares, kSum, kRangeSum, kInt64Sum, kGray, kMappedSquares, kMappedInputSum };
  Kind kind = kSquares;
  std::shared_ptr<Job> job;
  std::vector<double> doubles_in;
  std::vector<double> doubles_out;
  std::vector<int64_t> ints_in;
  std::vector<int64_t> ints_out;
  std::vector<uint8_t> pixels;
  std::vector<uint8_t> gray;
  kernels::GrayLayout layout;
  size_t rows = 0;
  std::shared_ptr<memory::Pages> pages;
  double first = 0;
  size_t count = 0;
  int64_t overflow_at = Job::kNoOverflow;
  bool cancel_requested = false;
  int done_calls = 0;  // guarded by the sink's mutex
};

// What an env is to the pool: a drainable client, and the sink of its jobs.
class Client : public PoolClient, public JobSink {
 public:
  void OnJobDone(const std::shared_ptr<Job>& job) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tasks_.find(job.get());
    if (it == tasks_.end()) {
      Fail("OnJobDone for a job this client does not know");
      return;
    }
    if (++it->second->done_calls != 1) Fail("a job was reported done twice");
    ++done_;
    cv_.notify_all();
  }
  void OnJobProgress(const std::shared_ptr<Job>& job) override {
    g_progress.fetch_add(1, std::memory_order_relaxed);
    job->ProgressDelivered();
  }

  void Track(Task* task) {
    std::lock_guard<std::mutex> lock(mu_);
    tasks_[task->job.get()] = task;
  }
  void Forget(Task* task) {
    std::lock_guard<std::mutex> lock(mu_);
    tasks_.erase(task->job.get());
  }
  void WaitAll(size_t submitted) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return done_ >= submitted; });
  }
  size_t Done() {
    std::lock_guard<std::mutex> lock(mu_);
    return done_;
  }
  void ResetCount() {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = 0;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<const Job*, Task*> tasks_;
  size_t done_ = 0;
};

// A synchronous call's sink: the caller blocks until its job is done.
class SyncWaiter : public JobSink {
 public:
  void OnJobDone(const std::shared_ptr<Job>&) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++done_;
    cv_.notify_all();
  }
  void OnJobProgress(const std::shared_ptr<Job>& job) override { job->ProgressDelivered(); }
  int Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return done_ > 0; });
    return done_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int done_ = 0;
};

size_t Pick(std::mt19937_64& rng, size_t low, size_t high) {
  return std::uniform_int_distribution<size_t>(low, high)(rng);
}

// Up to about three chunks of each job kind (plus a partial one), so that
// chunks of one job run on several threads and interleave with others'.
std::unique_ptr<Task> MakeTask(std::mt19937_64& rng) {
  auto task = std::make_unique<Task>();
  // A third of the jobs on mapped pages, the rest spread over the others.
  const size_t pick = Pick(rng, 0, 11);
  task->kind = pick < 4 ? static_cast<Task::Kind>(Task::kMappedSquares + pick % 2) : static_cast<Task::Kind>(pick % 7);
  switch (task->kind) {
    case Task::kSquares: {
      task->count = Pick(rng, 0, 3 * SquaresJob::kPerChunk + 100);
      task->doubles_in.resize(task->count);
      const size_t offset = Pick(rng, 0, 1000);
      for (size_t i = 0; i < task->count; ++i) task->doubles_in[i] = static_cast<double>((offset + i) % 2001) - 1000;
      task->doubles_out.assign(task->count, -1);
      task->job = std::make_shared<SquaresJob>(SquaresJob::Mode::kToDouble, ElementType::kFloat64,
                                               reinterpret_cast<const uint8_t*>(task->doubles_in.data()), 0.0,
                                               reinterpret_cast<uint8_t*>(task->doubles_out.data()), task->count);
      break;
    }
    case Task::kRange: {
      task->count = Pick(rng, 1, 3 * SquaresJob::kPerChunk + 100);
      task->first = static_cast<double>(Pick(rng, 0, 1000000)) - 500000;
      task->doubles_out.assign(task->count, -1);
      task->job = std::make_shared<SquaresJob>(SquaresJob::Mode::kRange, ElementType::kFloat64, nullptr, task->first,
                                               reinterpret_cast<uint8_t*>(task->doubles_out.data()), task->count);
      break;
    }
    case Task::kInt64Squares: {
      task->count = Pick(rng, 1, 2 * SquaresJob::kPerChunk + 100);
      task->ints_in.resize(task->count);
      for (size_t i = 0; i < task->count; ++i) task->ints_in[i] = static_cast<int64_t>(i % 3001) - 1500;
      if (Pick(rng, 0, 3) == 0) {
        // One square that does not fit: the job reports the first such index.
        task->overflow_at = static_cast<int64_t>(Pick(rng, 0, task->count - 1));
        task->ints_in[static_cast<size_t>(task->overflow_at)] = int64_t{1} << 40;
      }
      task->ints_out.assign(task->count, -1);
      task->job = std::make_shared<SquaresJob>(SquaresJob::Mode::kInt64, ElementType::kBigInt64,
                                               reinterpret_cast<const uint8_t*>(task->ints_in.data()), 0.0,
                                               reinterpret_cast<uint8_t*>(task->ints_out.data()), task->count);
      break;
    }
    case Task::kSum: {
      task->count = Pick(rng, 0, 3 * SumJob::kPerChunk + 100);
      task->doubles_in.resize(task->count);
      for (size_t i = 0; i < task->count; ++i) task->doubles_in[i] = static_cast<double>(i % 1999) - 999;
      task->job = SumJob::OfArray(ElementType::kFloat64, reinterpret_cast<const uint8_t*>(task->doubles_in.data()),
                                  task->count);
      break;
    }
    case Task::kRangeSum: {
      // Every partial sum is an integer below 2^53: the result is exact.
      task->count = Pick(rng, 1, 3 * SumJob::kPerChunk + 100);
      task->first = static_cast<double>(Pick(rng, 0, 1000));
      task->job = SumJob::OfRange(task->first, task->count);
      break;
    }
    case Task::kInt64Sum: {
      task->count = Pick(rng, 1, 2 * SumJob::kPerChunk + 100);
      task->ints_in.resize(task->count);
      for (size_t i = 0; i < task->count; ++i) task->ints_in[i] = static_cast<int64_t>(i % 4001) - 2000;
      task->job =
          SumJob::OfArray(ElementType::kBigInt64, reinterpret_cast<const uint8_t*>(task->ints_in.data()), task->count);
      break;
    }
    case Task::kGray: {
      task->layout.width = Pick(rng, 1, 1500);
      task->layout.channels = Pick(rng, 0, 1) == 0 ? 3 : 4;
      task->layout.bgr = Pick(rng, 0, 1) == 1;
      task->layout.stride = task->layout.width * static_cast<size_t>(task->layout.channels) + Pick(rng, 0, 1) * 7;
      task->rows = Pick(rng, 1, (3 * GrayscaleJob::kPixelsPerChunk) / task->layout.width + 2);
      task->pixels.resize(task->layout.stride * task->rows);
      for (size_t i = 0; i < task->pixels.size(); ++i) task->pixels[i] = static_cast<uint8_t>((i * 2654435761u) >> 13);
      task->gray.assign(task->layout.width * task->rows, 0);
      task->job = std::make_shared<GrayscaleJob>(task->pixels.data(), task->layout, task->rows, kernels::kBt601,
                                                 task->gray.data());
      break;
    }
    case Task::kMappedSquares:
    case Task::kMappedInputSum: {
      // 4 MiB and up: the size of results offloop maps itself.
      task->count = memory::kNativeOutputBytes / 8 + Pick(rng, 0, 2 * SquaresJob::kPerChunk);
      task->pages = memory::AllocatePages(task->count * 8);
      if (task->pages == nullptr) {
        Fail("AllocatePages failed");
        return MakeTask(rng);
      }
      auto* mapped = static_cast<double*>(task->pages->data);
      if (task->kind == Task::kMappedSquares) {
        task->first = static_cast<double>(Pick(rng, 0, 1000));
        task->job = std::make_shared<SquaresJob>(SquaresJob::Mode::kRange, ElementType::kFloat64, nullptr, task->first,
                                                 reinterpret_cast<uint8_t*>(mapped), task->count);
      } else {
        // A mapped result passed back as the input of another job.
        for (size_t i = 0; i < task->count; ++i) mapped[i] = static_cast<double>(i % 777);
        task->job = SumJob::OfArray(ElementType::kFloat64, reinterpret_cast<const uint8_t*>(mapped), task->count);
      }
      // As the bindings do: the job co-owns every mapping its arrays point into.
      task->job->KeepMemory(memory::FindOwner(mapped));
      break;
    }
  }
  return task;
}

// The scalar truth for a task whose job ran to the end.
void Verify(const Task& task) {
  const Job& job = *task.job;
  auto mismatch = [&](const char* what, size_t index) {
    Fail(std::string(what) + " differs at index " + std::to_string(index) + " of " + std::to_string(task.count));
  };
  switch (task.kind) {
    case Task::kSquares:
      for (size_t i = 0; i < task.count; ++i) {
        if (task.doubles_out[i] != task.doubles_in[i] * task.doubles_in[i]) return mismatch("squares", i);
      }
      break;
    case Task::kRange:
      for (size_t i = 0; i < task.count; ++i) {
        const double x = task.first + static_cast<double>(i);
        if (task.doubles_out[i] != x * x) return mismatch("range squares", i);
      }
      break;
    case Task::kInt64Squares: {
      if (job.Overflow() != task.overflow_at) {
        Fail("int64 squares: overflow at " + std::to_string(job.Overflow()) + ", expected " +
             std::to_string(task.overflow_at));
        break;
      }
      if (task.overflow_at != Job::kNoOverflow) break;  // the output is unspecified then (the call rejects)
      for (size_t i = 0; i < task.count; ++i) {
        if (task.ints_out[i] != task.ints_in[i] * task.ints_in[i]) return mismatch("int64 squares", i);
      }
      break;
    }
    case Task::kSum: {
      double exact = 0;  // integers below 2^53 throughout
      for (double x : task.doubles_in) exact += x * x;
      if (static_cast<const SumJob&>(job).FloatSum() != exact) Fail("sum of squares differs");
      break;
    }
    case Task::kRangeSum: {
      double exact = 0;
      for (size_t i = 0; i < task.count; ++i)
        exact += (task.first + static_cast<double>(i)) * (task.first + static_cast<double>(i));
      if (static_cast<const SumJob&>(job).FloatSum() != exact) Fail("range sum of squares differs");
      break;
    }
    case Task::kInt64Sum: {
      int64_t exact = 0;
      for (int64_t x : task.ints_in) exact += x * x;
      if (job.Overflow() != Job::kNoOverflow || static_cast<const SumJob&>(job).Int64Sum() != exact) {
        Fail("int64 sum of squares differs");
      }
      break;
    }
    case Task::kGray: {
      std::vector<uint8_t> expected(task.gray.size());
      kernels::GrayscaleRowsScalar(task.pixels.data(), task.layout, task.rows, kernels::kBt601, expected.data());
      if (expected != task.gray) Fail("grayscale differs from the scalar path");
      break;
    }
    case Task::kMappedSquares: {
      if (task.pages == nullptr) break;  // JS let go early: nobody may read them now
      const auto* out = static_cast<const double*>(task.pages->data);
      for (size_t i = 0; i < task.count; ++i) {
        const double x = task.first + static_cast<double>(i);
        if (out[i] != x * x) return mismatch("mapped squares", i);
      }
      break;
    }
    case Task::kMappedInputSum: {
      // Still intact even when JS let go mid-job: the job co-owns the pages.
      double exact = 0;
      for (size_t i = 0; i < task.count; ++i) exact += static_cast<double>(i % 777) * static_cast<double>(i % 777);
      if (static_cast<const SumJob&>(job).FloatSum() != exact) Fail("sum over a mapped input differs");
      break;
    }
  }
  g_checked.fetch_add(1, std::memory_order_relaxed);
}

void Settle(const Task& task) {
  if (task.done_calls != 1) Fail("a job done " + std::to_string(task.done_calls) + " times");
  if (task.job->failed()) {
    g_failed_jobs.fetch_add(1, std::memory_order_relaxed);
    if (task.job->failure().code == nullptr) Fail("a failed job without a code");
  } else if (task.job->cancelled()) {
    g_cancelled.fetch_add(1, std::memory_order_relaxed);  // partial results: nothing to check
  } else {
    Verify(task);
  }
}

// One JS thread: rounds of a few async jobs, some cancelled, some rounds
// ending in a teardown (drain, then free everything at once), and sync calls.
void ClientLoop(uint64_t seed, int iterations) {
  std::mt19937_64 rng(seed);
  auto client = std::make_unique<Client>();
  ThreadPool& pool = ThreadPool::Instance();
  for (int round = 0; round < iterations; ++round) {
    if (Pick(rng, 0, 5) == 0) {
      // A synchronous call: no owner, the caller waits (and may cancel it,
      // as a throwing progress callback does).
      std::unique_ptr<Task> task = MakeTask(rng);
      SyncWaiter waiter;
      task->job->set_sink(&waiter, Pick(rng, 0, 1) == 1);
      try {
        pool.Submit(task->job);
      } catch (const ThreadStartError&) {
        g_refused.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      if (Pick(rng, 0, 3) == 0) pool.Cancel(task->job);
      task->done_calls = waiter.Wait();
      Settle(*task);
      g_sync_calls.fetch_add(1, std::memory_order_relaxed);
      continue;
    }

    std::vector<std::unique_ptr<Task>> tasks;
    const size_t count = Pick(rng, 1, 4);
    for (size_t i = 0; i < count; ++i) {
      std::unique_ptr<Task> task = MakeTask(rng);
      task->job->set_sink(client.get(), Pick(rng, 0, 1) == 1);
      task->job->set_owner(client.get());
      client->Track(task.get());
      try {
        pool.Submit(task->job);
      } catch (const ThreadStartError&) {
        g_refused.fetch_add(1, std::memory_order_relaxed);  // the pool holds nothing: forget it
        client->Forget(task.get());
        continue;
      }
      // JS drops its share of a mapped result while the job may still run
      // (as a terminated worker's cleanup does), and the next allocation,
      // here or on another client, may be handed the same pages.
      if (task->pages != nullptr && Pick(rng, 0, 2) != 0) {
        task->pages.reset();
        g_early_releases.fetch_add(1, std::memory_order_relaxed);
      }
      tasks.push_back(std::move(task));
    }
    if (Pick(rng, 0, 1) == 0) std::this_thread::sleep_for(std::chrono::microseconds(Pick(rng, 0, 300)));
    for (auto& task : tasks) {
      if (Pick(rng, 0, 4) == 0) {
        task->cancel_requested = true;
        pool.Cancel(task->job);
      }
    }

    const bool teardown = Pick(rng, 0, 7) == 0;
    if (teardown) {
      // An env's cleanup: cancel and drain its jobs; afterwards every one of
      // them has been reported done and no chunk of them runs.
      pool.CancelAndDrain(client.get());
      g_drains.fetch_add(1, std::memory_order_relaxed);
      if (client->Done() != tasks.size()) {
        Fail("after CancelAndDrain " + std::to_string(client->Done()) + " of " + std::to_string(tasks.size()) +
             " jobs were reported done");
        client->WaitAll(tasks.size());
      }
    } else {
      client->WaitAll(tasks.size());
    }
    for (auto& task : tasks) {
      Settle(*task);
      client->Forget(task.get());
    }
    client->ResetCount();
    // Buffers freed here, at once: after a drain, a pool thread that still
    // wrote them would be a use-after-free and a data race.
    tasks.clear();
    if (teardown) {
      // A new env in place of the torn-down one (as a new worker would be).
      client = std::make_unique<Client>();
    }
  }
  // An env is destroyed only after its drain: until then a pool thread that
  // finished its last job may still be counting its chunk off.
  pool.CancelAndDrain(client.get());
}

// Resizes the pool and reads its books while the clients work.
void Resizer(uint64_t seed, const std::atomic<bool>& stop) {
  std::mt19937_64 rng(seed);
  ThreadPool& pool = ThreadPool::Instance();
  while (!stop.load()) {
    try {
      pool.SetConcurrency(Pick(rng, 1, 6));
    } catch (const ThreadStartError&) {
      g_refused.fetch_add(1, std::memory_order_relaxed);
    }
    PoolStats stats = pool.Stats();
    if (stats.busy_threads > stats.live_threads) Fail("more busy threads than live ones");
    std::this_thread::sleep_for(std::chrono::microseconds(Pick(rng, 100, 3000)));
  }
}

// Arms the rare failures now and then: a chunk that throws bad_alloc, a
// thread that cannot start.
void FaultInjector(uint64_t seed, const std::atomic<bool>& stop) {
  std::mt19937_64 rng(seed);
  while (!stop.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(Pick(rng, 20, 120)));
    if (Pick(rng, 0, 1) == 0) {
      fault::Arm(fault::Point::kChunk, 1);
    } else {
      fault::Arm(fault::Point::kThreadStart, 1);
    }
  }
  fault::DisarmAll();
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 100;
  const char* seed_text = std::getenv("OFFLOOP_STRESS_SEED");
  const uint64_t seed = seed_text != nullptr && *seed_text != '\0'
                            ? std::strtoull(seed_text, nullptr, 10)
                            : static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  std::printf("pool stress: %d clients x %d rounds, seed %llu (OFFLOOP_STRESS_SEED)\n", kClients, iterations,
              static_cast<unsigned long long>(seed));
  const auto started = std::chrono::steady_clock::now();

  std::atomic<bool> stop{false};
  std::thread resizer(Resizer, seed + 101, std::cref(stop));
  std::thread injector(FaultInjector, seed + 202, std::cref(stop));
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) clients.emplace_back(ClientLoop, seed + static_cast<uint64_t>(i), iterations);
  for (auto& thread : clients) thread.join();
  stop.store(true);
  resizer.join();
  injector.join();

  // Idle at the end: no job left, and (once the threads let go of their
  // last jobs) no mapped page alive.
  ThreadPool& pool = ThreadPool::Instance();
  pool.SetConcurrency(2);
  PoolStats stats;
  memory::PageCounts pages;
  for (int wait = 0; wait < 5000; ++wait) {
    stats = pool.Stats();
    pages = memory::Counts();
    if (stats.busy_threads == 0 && stats.live_threads == 2 && pages.live == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (stats.queued_jobs != 0 || stats.running_jobs != 0 || stats.busy_threads != 0) {
    Fail("pool not idle at the end: " + std::to_string(stats.queued_jobs) + " queued, " +
         std::to_string(stats.running_jobs) + " running, " + std::to_string(stats.busy_threads) + " busy");
  }
  if (stats.live_threads != 2) Fail("surplus threads did not retire: " + std::to_string(stats.live_threads) + " alive");
  if (pages.live != 0) Fail(std::to_string(pages.live) + " mapped results still alive at the end");
  if (g_checked.load() == 0) Fail("no result was checked");

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "%llu results checked, %llu cancelled, %llu failed by injection, %llu sync calls, %llu drains, "
      "%llu early releases of mapped results, %llu progress reports, %llu refused thread starts; %.1f s\n",
      static_cast<unsigned long long>(g_checked.load()), static_cast<unsigned long long>(g_cancelled.load()),
      static_cast<unsigned long long>(g_failed_jobs.load()), static_cast<unsigned long long>(g_sync_calls.load()),
      static_cast<unsigned long long>(g_drains.load()), static_cast<unsigned long long>(g_early_releases.load()),
      static_cast<unsigned long long>(g_progress.load()), static_cast<unsigned long long>(g_refused.load()), seconds);
  const int failures = g_failures.load();
  std::printf("%s\n", failures == 0 ? "pool stress: ok" : "pool stress: FAILED");
  return failures == 0 ? 0 : 1;
}
