// Tests of native/core and native/jobs without Node: the pool, job
// lifecycle, failure paths and page ownership, and the jobs' own logic (the
// in-order sum fold, chunk boundaries, 64-bit counts). Prints "N passed, M
// failed" and exits non-zero on any failure. Built by build-and-run.sh.
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "core/chunking.h"
#include "core/fault_injection.h"
#include "core/native_memory.h"
#include "core/pool.h"
#include "jobs/grayscale_job.h"
#include "jobs/squares_job.h"
#include "jobs/sum_job.h"
#include "kernels/grayscale.h"
#include "kernels/squares.h"

#if defined(__linux__)
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <set>
#endif

using namespace offloop;
using kernels::ElementType;

namespace {

using offloop::testing::Check;

class Waiter : public JobSink {
 public:
  void OnJobDone(const std::shared_ptr<Job>&) noexcept override {
    std::lock_guard<std::mutex> lock(mu_);
    ++done_;
    cv_.notify_all();
  }
  void OnJobProgress(const std::shared_ptr<Job>& job) noexcept override { job->ProgressDelivered(); }
  void Wait(int count = 1) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return done_ >= count; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int done_ = 0;
};

void RunOnPool(const std::shared_ptr<Job>& job) {
  Waiter waiter;
  job->set_sink(&waiter, false);
  ThreadPool::Instance().Submit(job);
  waiter.Wait();
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void TestChunking() {
  Chunking none(0, 100);
  Check(none.count() == 1 && none.at(0).size() == 0, "an empty job is one empty chunk");
  Chunking big(uint64_t{5} << 32, 65536);  // more items than 32 bits count
  Check(big.count() == (uint64_t{5} << 32) / 65536, "64-bit item counts");
  Check(big.at(static_cast<size_t>(big.count() - 1)).end == (uint64_t{5} << 32),
        "the last chunk ends at the last item");
  Chunking odd(1000001, 1000);
  Check(odd.count() == 1001 && odd.at(1000).size() == 1, "a partial last chunk");
}

void TestSumFoldIsPoolSizeIndependent() {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> value(-1e6, 1e6);
  const size_t n = SumJob::kPerChunk * 9 + 12345;
  std::vector<double> data(n);
  for (double& v : data) v = value(random) * std::pow(10.0, static_cast<int>(random() % 20) - 10);
  // The spec: blocks folded in index order.
  std::vector<kernels::CompensatedSum> blocks((n + kernels::kSumBlock - 1) / kernels::kSumBlock);
  kernels::SumSquaresBlocks(ElementType::kFloat64, data.data(), n, blocks.data());
  kernels::CompensatedSum expected;
  for (const auto& block : blocks) kernels::AddBlock(&expected, block);
  for (size_t threads : {1, 2, 3, 7, 16}) {
    ThreadPool::Instance().SetConcurrency(threads);
    auto job = SumJob::OfArray(ElementType::kFloat64, reinterpret_cast<const uint8_t*>(data.data()), n);
    RunOnPool(job);
    const auto parts = job->FloatParts();
    Check(SameBits(parts.hi, expected.hi) && SameBits(parts.lo, expected.lo),
          "sum (hi, lo) identical to the in-order fold at " + std::to_string(threads) + " threads");
  }
  ThreadPool::Instance().SetConcurrency(DefaultConcurrency());
}

void TestRangeSum() {
  // A range across several chunks, compared with the kernel over the whole.
  const double first = 4294967290.0;  // crosses 2^32
  const uint64_t count = SumJob::kPerChunk * 3 + 7;
  std::vector<kernels::CompensatedSum> blocks((count + kernels::kSumBlock - 1) / kernels::kSumBlock);
  kernels::SumSquaresRangeBlocks(first, static_cast<size_t>(count), blocks.data());
  kernels::CompensatedSum expected;
  for (const auto& block : blocks) kernels::AddBlock(&expected, block);
  auto job = SumJob::OfRange(first, count);
  RunOnPool(job);
  Check(SameBits(job->FloatSum(), kernels::FinishSum(expected)), "range sum across chunks");
  // 2^53 - 1 integers are 2^37 chunks: more than 32-bit chunk indices address.
  Check(SumJob::Fits((uint64_t{1} << 53) - 1) == (sizeof(size_t) >= 8),
        "the largest range fits 64-bit chunk indices only");
  Check(SumJob::Fits(uint64_t{1} << 40), "a 2^40 range fits on every build");
}

template <typename T>
void CheckSquares(ElementType type, const char* name) {
  const size_t n = SquaresJob::kPerChunk * 3 + 3;  // several chunks and a partial one
  std::vector<T> in(n);
  std::mt19937_64 random(11);
  for (size_t i = 0; i < n; ++i) in[i] = static_cast<T>(random() >> 3);
  std::vector<double> expected(n), out(n, -1.0);
  kernels::SquareToDouble(type, in.data(), expected.data(), n);
  auto job =
      std::make_shared<SquaresJob>(SquaresJob::Mode::kToDouble, type, reinterpret_cast<const uint8_t*>(in.data()), 0.0,
                                   reinterpret_cast<uint8_t*>(out.data()), n);
  RunOnPool(job);
  Check(std::memcmp(out.data(), expected.data(), n * sizeof(double)) == 0,
        std::string("squares of ") + name + " over several chunks");
}

void TestSquaresEveryType() {
  CheckSquares<int8_t>(ElementType::kInt8, "Int8");
  CheckSquares<uint8_t>(ElementType::kUint8, "Uint8");
  CheckSquares<uint8_t>(ElementType::kUint8Clamped, "Uint8Clamped");
  CheckSquares<int16_t>(ElementType::kInt16, "Int16");
  CheckSquares<uint16_t>(ElementType::kUint16, "Uint16");
  CheckSquares<int32_t>(ElementType::kInt32, "Int32");
  CheckSquares<uint32_t>(ElementType::kUint32, "Uint32");
  CheckSquares<float>(ElementType::kFloat32, "Float32");
  CheckSquares<double>(ElementType::kFloat64, "Float64");
}

void TestOverflowIndex() {
  const size_t n = SquaresJob::kPerChunk * 2 + 5;
  std::vector<int64_t> in(n, 3), out(n);
  in[SquaresJob::kPerChunk + 17] = int64_t{1} << 40;  // second chunk
  in[n - 1] = int64_t{1} << 40;                       // third chunk
  auto job = std::make_shared<SquaresJob>(SquaresJob::Mode::kInt64, ElementType::kBigInt64,
                                          reinterpret_cast<const uint8_t*>(in.data()), 0.0,
                                          reinterpret_cast<uint8_t*>(out.data()), n);
  RunOnPool(job);
  Check(job->Overflow() == static_cast<int64_t>(SquaresJob::kPerChunk + 17),
        "the first overflowing index, whatever chunk finishes first");
}

void TestGrayscaleRows() {
  const size_t width = 1000, height = 700, stride = width * 4 + 13;
  std::vector<uint8_t> src(stride * height);
  std::mt19937 random(3);
  for (uint8_t& byte : src) byte = static_cast<uint8_t>(random());
  kernels::GrayLayout layout;
  layout.width = width;
  layout.stride = stride;
  layout.channels = 4;
  std::vector<uint8_t> expected(width * height), out(width * height);
  kernels::GrayscaleRowsScalar(src.data(), layout, height, kernels::kBt601, expected.data());
  auto job = std::make_shared<GrayscaleJob>(src.data(), layout, height, kernels::kBt601, out.data());
  Check(job->chunk_count() > 2, "a padded image cut into several chunks");
  RunOnPool(job);
  Check(out == expected, "grayscale over several chunks with padded rows");
}

void TestCancel() {
  std::vector<double> out(SquaresJob::kPerChunk * 64);
  auto job = std::make_shared<SquaresJob>(SquaresJob::Mode::kRange, ElementType::kFloat64, nullptr, 1.0,
                                          reinterpret_cast<uint8_t*>(out.data()), out.size());
  Waiter waiter;
  job->set_sink(&waiter, false);
  ThreadPool::Instance().Submit(job);
  ThreadPool::Instance().Cancel(job);
  waiter.Wait();
  Check(job->cancelled() && !job->failed(), "a cancelled job is done, cancelled, not failed");
  const PoolStats stats = ThreadPool::Instance().Stats();
  Check(stats.queued_jobs == 0 && stats.running_jobs == 0, "nothing left queued or running after a cancel");
}

class Client : public PoolClient {};

void TestCancelAndDrain() {
  Client client;
  std::vector<std::vector<double>> outs(8, std::vector<double>(SquaresJob::kPerChunk * 16));
  Waiter waiter;
  std::vector<std::shared_ptr<Job>> jobs;
  for (auto& out : outs) {
    auto job = std::make_shared<SquaresJob>(SquaresJob::Mode::kRange, ElementType::kFloat64, nullptr, 1.0,
                                            reinterpret_cast<uint8_t*>(out.data()), out.size());
    job->set_sink(&waiter, false);
    job->set_owner(&client);
    ThreadPool::Instance().Submit(job);
    jobs.push_back(job);
  }
  ThreadPool::Instance().CancelAndDrain(&client);
  // Drained: no chunk of the client's runs now, and none will.
  waiter.Wait(static_cast<int>(jobs.size()));
  Check(true, "every drained job reports done");
  const PoolStats stats = ThreadPool::Instance().Stats();
  Check(stats.queued_jobs == 0 && stats.running_jobs == 0 && stats.busy_threads == 0,
        "a drained client leaves the pool idle");
}

// A job whose chunks each fork a child job with RunHelping, the way a file
// job splits its PNG encoding: children's chunks record which slot ran.
class ChildJob : public Job {
 public:
  ChildJob(std::vector<std::atomic<int>>* slots, const Job* parent)
      : Job(slots->size(), slots->size()), slots_(slots), parent_(parent) {}
  void RunChunk(size_t index) override {
    if (parent_->cancelled()) return;
    (*slots_)[index].fetch_add(1, std::memory_order_relaxed);
  }
  uint64_t ChunkItems(size_t) const override { return 1; }

 private:
  std::vector<std::atomic<int>>* slots_;
  const Job* parent_;
};

class ForkingJob : public Job {
 public:
  ForkingJob(size_t chunks, size_t child_chunks) : Job(chunks, chunks), slots_(chunks) {
    for (auto& slots : slots_) slots = std::vector<std::atomic<int>>(child_chunks);
  }
  void RunChunk(size_t index) override {
    auto child = std::make_shared<ChildJob>(&slots_[index], this);
    child->set_owner(owner());
    ThreadPool::Instance().RunHelping(child);
  }
  uint64_t ChunkItems(size_t) const override { return 1; }
  // Each child slot ran exactly once (or, after a cancellation, at most once).
  bool SlotsRanOnce(bool allow_skipped) const {
    for (const auto& slots : slots_) {
      for (const auto& slot : slots) {
        const int runs = slot.load();
        if (runs > 1 || (runs == 0 && !allow_skipped)) return false;
      }
    }
    return true;
  }

 private:
  std::vector<std::vector<std::atomic<int>>> slots_;
};

void TestForkJoinNeverDeadlocks() {
  // More forking parents than threads, each chunk of each parent waiting on
  // its own child: with a pool of 1, 2 and 5 threads.
  for (size_t threads : {size_t{1}, size_t{2}, size_t{5}}) {
    ThreadPool::Instance().SetConcurrency(threads);
    Waiter waiter;
    std::vector<std::shared_ptr<ForkingJob>> parents;
    for (int i = 0; i < 12; ++i) {
      auto parent = std::make_shared<ForkingJob>(3, 7);
      parent->set_sink(&waiter, false);
      ThreadPool::Instance().Submit(parent);
      parents.push_back(parent);
    }
    waiter.Wait(static_cast<int>(parents.size()));
    bool all = true;
    for (const auto& parent : parents) all = all && parent->SlotsRanOnce(false) && !parent->failed();
    Check(all, "fork-join with " + std::to_string(threads) + " threads: every child chunk ran once");
    const PoolStats stats = ThreadPool::Instance().Stats();
    Check(stats.queued_jobs == 0 && stats.running_jobs == 0, "fork-join leaves no job behind");
  }
  ThreadPool::Instance().SetConcurrency(DefaultConcurrency());
}

void TestForkJoinDrains() {
  Client client;
  Waiter waiter;
  std::vector<std::shared_ptr<ForkingJob>> parents;
  for (int i = 0; i < 16; ++i) {
    auto parent = std::make_shared<ForkingJob>(4, 50);
    parent->set_sink(&waiter, false);
    parent->set_owner(&client);
    ThreadPool::Instance().Submit(parent);
    parents.push_back(parent);
  }
  for (auto& parent : parents) parent->Cancel();
  ThreadPool::Instance().CancelAndDrain(&client);
  waiter.Wait(static_cast<int>(parents.size()));
  bool ok = true;
  for (const auto& parent : parents) ok = ok && parent->SlotsRanOnce(true);
  Check(ok, "cancelled fork-join parents: no child chunk ran twice, all drained");
  const PoolStats stats = ThreadPool::Instance().Stats();
  Check(stats.queued_jobs == 0 && stats.running_jobs == 0 && stats.busy_threads == 0,
        "a drained client with forked children leaves the pool idle");
}

// Surplus threads retire when they next look for work, so the live count
// trails a shrink: waits (boundedly) until it matches the target.
bool LiveThreadsSettle(size_t target) {
  // Generous: pool threads run at SCHED_BATCH and a higher nice, and a loaded CI
  // machine may leave them waiting for the CPU a long time.
  for (int i = 0; i < 60000; ++i) {
    if (ThreadPool::Instance().Stats().live_threads == target) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

void TestChunkFailure() {
  std::vector<double> out(SquaresJob::kPerChunk * 4);
  auto job = std::make_shared<SquaresJob>(SquaresJob::Mode::kRange, ElementType::kFloat64, nullptr, 1.0,
                                          reinterpret_cast<uint8_t*>(out.data()), out.size());
  fault::Arm(fault::Point::kChunk, 1);
  RunOnPool(job);
  fault::DisarmAll();
  Check(job->failed() && std::strcmp(job->failure().code, "ERR_OFFLOOP_OUT_OF_MEMORY") == 0,
        "a chunk that throws fails its job with a code");
  auto next = SumJob::OfRange(1.0, 1000000);
  RunOnPool(next);
  Check(!next->failed() && next->FloatSum() == 333333833333500000.0, "the pool works after a failed chunk");
}

void TestThreadStartFailure() {
  ThreadPool& pool = ThreadPool::Instance();
  const size_t before = pool.Concurrency();
  // Threads left over from an earlier, larger size would absorb the grow
  // below without starting one.
  Check(LiveThreadsSettle(before), "the live threads match the pool's size");
  fault::Arm(fault::Point::kThreadStart, 1);
  bool threw = false;
  try {
    pool.SetConcurrency(before + 3);
  } catch (const ThreadStartError&) {
    threw = true;
  }
  fault::DisarmAll();
  Check(threw, "a refused thread makes SetConcurrency throw ThreadStartError");
  Check(pool.Concurrency() == pool.Stats().live_threads, "the pool keeps the threads that run");
  pool.SetConcurrency(before);
  auto job = SumJob::OfRange(1.0, 1000000);
  RunOnPool(job);
  Check(job->FloatSum() == 333333833333500000.0, "the pool works after a refused thread");
}

void TestSurplusThreadsRetire() {
  ThreadPool& pool = ThreadPool::Instance();
  // Relative to what runs now: the machine may have more cores than any
  // fixed count (CI's has), and a grow must then still start threads.
  Check(LiveThreadsSettle(pool.Concurrency()), "the live threads match the pool's size");
  const size_t grown = pool.Concurrency() + 6;
  pool.SetConcurrency(grown);
  Check(pool.Stats().live_threads == grown, "growing starts threads at once");
  pool.SetConcurrency(2);
  Check(LiveThreadsSettle(2), "surplus threads retire");
  pool.SetConcurrency(DefaultConcurrency());
}

#if defined(__linux__)
int OwnNice() {
  errno = 0;
  return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
}

// One chunk per pool thread: each records the policy and nice value of the
// thread it runs on, then waits until every chunk has started, so no thread
// runs two of them and every thread is seen.
class SchedulingProbeJob : public Job {
 public:
  explicit SchedulingProbeJob(size_t threads) : Job(threads, threads), seen_(threads) {}
  void RunChunk(size_t index) override {
    std::unique_lock<std::mutex> lock(mu_);
    seen_[index] = {sched_getscheduler(0), OwnNice()};
    ++started_;
    cv_.notify_all();
    all_started_ = cv_.wait_for(lock, std::chrono::seconds(60), [this] { return started_ == seen_.size(); });
  }
  uint64_t ChunkItems(size_t) const override { return 1; }
  std::vector<std::pair<int, int>> seen_;
  bool all_started_ = false;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t started_ = 0;
};

void TestPoolThreadScheduling() {
  const char* setting = std::getenv("OFFLOOP_POOL_PRIORITY");
  const bool lowered = setting == nullptr || std::strcmp(setting, "normal") != 0;
  const auto expected_nice = [lowered](int starter) { return lowered ? std::min(starter + 5, 19) : starter; };
  ThreadPool& pool = ThreadPool::Instance();
  const size_t before = pool.Concurrency();
  Check(LiveThreadsSettle(before), "the live threads match the pool's size");
  // The pool's threads so far were started by this thread; two more are
  // started by a thread at nice 15 or more (raising one's nice needs no
  // privilege), as a JS thread of a process run under `nice` would.
  const int main_nice = OwnNice();
  const int starter_nice = std::max(main_nice, 15);
  std::thread starter([&] {
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), starter_nice);
    pool.SetConcurrency(before + 2);
  });
  starter.join();
  auto probe = std::make_shared<SchedulingProbeJob>(before + 2);
  RunOnPool(probe);
  Check(probe->all_started_, "every pool thread ran one probe chunk");
  const std::set<int> allowed = {expected_nice(main_nice), expected_nice(starter_nice)};
  bool policies = true;
  bool nices = true;
  bool started_late = false;
  for (const auto& [policy, nice] : probe->seen_) {
    policies = policies && policy == (lowered ? SCHED_BATCH : SCHED_OTHER);
    nices = nices && allowed.count(nice) == 1;
    started_late = started_late || nice == expected_nice(starter_nice);
  }
  Check(policies,
        lowered ? "pool threads run at SCHED_BATCH" : "OFFLOOP_POOL_PRIORITY=normal: pool threads at SCHED_OTHER");
  Check(nices && started_late, lowered ? "pool threads are nice 5 more than the thread that started them, at most 19"
                                       : "OFFLOOP_POOL_PRIORITY=normal: pool threads keep their starter's nice");
  pool.SetConcurrency(before);
  Check(LiveThreadsSettle(before), "the probe's extra threads retire");
}
#endif

void TestPagesHaveJointOwners() {
  std::shared_ptr<memory::Pages> pages = memory::AllocatePages(memory::kNativeOutputBytes);
  if (pages == nullptr) {
    Check(true, "no mmap here: nothing to own");
    return;
  }
  const auto* middle = static_cast<const uint8_t*>(pages->data) + 12345;
  std::shared_ptr<const void> job_share = memory::FindOwner(middle);
  Check(job_share != nullptr, "a pointer into mapped pages finds their owner");
  Check(memory::FindOwner(&job_share) == nullptr, "ordinary memory has no native owner");
  const size_t live = memory::Counts().live;
  pages.reset();  // JS's share goes (a finalizer at teardown)
  Check(memory::Counts().live == live, "pages stay alive while a job still owns them");
  const_cast<uint8_t*>(middle)[0] = 1;  // still mapped and writable
  job_share.reset();
  Check(memory::Counts().live == live - 1, "the last owner releases the pages");
}

// An idle process gives the cached pages back; a busy one keeps them.
void TestIdleCacheIsTrimmed() {
  using namespace std::chrono_literals;
  memory::SetIdleTrimForTests(300ms);
  std::shared_ptr<memory::Pages> pages = memory::AllocatePages(memory::kNativeOutputBytes);
  if (pages == nullptr) {
    Check(true, "no mmap here: no page cache");
    return;
  }
  pages.reset();
  Check(memory::Counts().cached >= 1, "released pages are cached");
  // Busy: a take and a give every 20 ms for longer than the idle time.
  for (int i = 0; i < 30; ++i) {
    std::this_thread::sleep_for(20ms);
    memory::AllocatePages(memory::kNativeOutputBytes).reset();
  }
  Check(memory::Counts().cached >= 1, "a cache in use is not trimmed");
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (memory::Counts().cached != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  Check(memory::Counts().cached == 0, "an idle cache is unmapped");
  std::shared_ptr<memory::Pages> again = memory::AllocatePages(memory::kNativeOutputBytes);
  Check(again != nullptr, "pages are mapped again after a trim");
  static_cast<uint8_t*>(again->data)[memory::kNativeOutputBytes - 1] = 1;
  memory::SetIdleTrimForTests(10000ms);
}

#if defined(__linux__)
// The huge-page advice covers whole 2 MiB pages past the result's end (else
// its tail is faulted in 4 KiB pages: 417 faults for 8,000,000 bytes).
void TestPagesAdviseWholeHugePages() {
  const size_t bytes = 8000000;
  std::shared_ptr<memory::Pages> pages = memory::AllocatePages(bytes);
  if (pages == nullptr) return;
  const auto at = reinterpret_cast<uintptr_t>(pages->data);
  FILE* smaps = std::fopen("/proc/self/smaps", "r");
  if (smaps == nullptr) return;
  char line[512];
  uintptr_t start = 0, end = 0;
  bool inside = false, advised = false, found = false;
  while (std::fgets(line, sizeof line, smaps) != nullptr) {
    unsigned long a = 0, b = 0;
    if (std::sscanf(line, "%lx-%lx ", &a, &b) == 2 && std::strchr(line, ' ') != nullptr && line[0] != 'V') {
      inside = at >= a && at < b;
      if (inside) start = a, end = b;
    } else if (inside && std::strncmp(line, "VmFlags:", 8) == 0) {
      advised = std::strstr(line, " hg") != nullptr;
      found = true;
    }
  }
  std::fclose(smaps);
  const size_t huge = size_t{2} << 20;
  Check(found && advised, "large result pages are advised for huge pages");
  Check(found && start <= at && end - at >= (bytes + huge - 1) / huge * huge,
        "the advice covers whole huge pages past the result's end");
}
#endif

}  // namespace

int main() {
  TestChunking();
  TestSumFoldIsPoolSizeIndependent();
  TestRangeSum();
  TestSquaresEveryType();
  TestOverflowIndex();
  TestGrayscaleRows();
  TestCancel();
  TestCancelAndDrain();
  TestChunkFailure();
#if defined(__linux__)
  TestPoolThreadScheduling();
#endif
  TestThreadStartFailure();
  TestSurplusThreadsRetire();
  TestPagesHaveJointOwners();
  TestIdleCacheIsTrimmed();
#if defined(__linux__)
  TestPagesAdviseWholeHugePages();
#endif
  TestForkJoinNeverDeadlocks();
  TestForkJoinDrains();
  return offloop::testing::Summary();
}
