#include "squares.h"

#include <cmath>
#include <cstring>

#include "kernels_internal.h"

OFFLOOP_NO_FP_CONTRACT

namespace offloop::kernels {
namespace {
using internal::ActiveKernels;
using internal::kScalarKernels;

bool Overlaps(const void* a, size_t a_bytes, const void* b, size_t b_bytes) {
  uintptr_t pa = reinterpret_cast<uintptr_t>(a), pb = reinterpret_cast<uintptr_t>(b);
  return pa < pb + b_bytes && pb < pa + a_bytes;
}

int TypeIndex(ElementType type) { return static_cast<int>(type); }
bool HasDoubleSquare(ElementType type) { return TypeIndex(type) >= 0 && TypeIndex(type) < internal::kNumDoubleTypes; }

}  // namespace

size_t ElementSize(ElementType type) {
  switch (type) {
    case ElementType::kInt8:
    case ElementType::kUint8:
    case ElementType::kUint8Clamped:
      return 1;
    case ElementType::kInt16:
    case ElementType::kUint16:
      return 2;
    case ElementType::kInt32:
    case ElementType::kUint32:
    case ElementType::kFloat32:
      return 4;
    case ElementType::kFloat64:
    case ElementType::kBigInt64:
    case ElementType::kBigUint64:
      return 8;
  }
  return 0;
}

void SquareToDouble(ElementType type, const void* in, double* out, size_t n) {
  SquareToDouble(type, in, out, n, StoreMode::kAuto);
}

void SquareToDouble(ElementType type, const void* in, double* out, size_t n, StoreMode mode) {
  if (!HasDoubleSquare(type) || n == 0) return;
  const size_t in_bytes = n * ElementSize(type);
  if (in != out && Overlaps(in, in_bytes, out, n * sizeof(double))) {
    // Partial overlap: the sequential loop defines the result.
    kScalarKernels.square_to_double[TypeIndex(type)](in, out, n, false);
    return;
  }
  ActiveKernels().square_to_double[TypeIndex(type)](in, out, n, ShouldStream(mode, n * 8, in == out));
}

void SquareRange(double first, double* out, size_t n) { SquareRange(first, out, n, StoreMode::kAuto); }

void SquareRange(double first, double* out, size_t n, StoreMode mode) {
  ActiveKernels().square_range(first, out, n, ShouldStream(mode, n * 8, false));
}

bool SquareInt64(const int64_t* in, int64_t* out, size_t n, size_t* bad_index) {
  return SquareInt64(in, out, n, bad_index, StoreMode::kAuto);
}
bool SquareUint64(const uint64_t* in, uint64_t* out, size_t n, size_t* bad_index) {
  return SquareUint64(in, out, n, bad_index, StoreMode::kAuto);
}

bool SquareInt64(const int64_t* in, int64_t* out, size_t n, size_t* bad_index, StoreMode mode) {
  size_t bad = 0;
  bool ok;
  if (in != out && Overlaps(in, n * 8, out, n * 8)) {
    ok = kScalarKernels.square_int64(in, out, n, &bad, false);
  } else {
    ok = ActiveKernels().square_int64(in, out, n, &bad, ShouldStream(mode, n * 8, in == out));
  }
  if (!ok && bad_index != nullptr) *bad_index = bad;
  return ok;
}

bool SquareUint64(const uint64_t* in, uint64_t* out, size_t n, size_t* bad_index, StoreMode mode) {
  size_t bad = 0;
  bool ok;
  if (in != out && Overlaps(in, n * 8, out, n * 8)) {
    ok = kScalarKernels.square_uint64(in, out, n, &bad, false);
  } else {
    ok = ActiveKernels().square_uint64(in, out, n, &bad, ShouldStream(mode, n * 8, in == out));
  }
  if (!ok && bad_index != nullptr) *bad_index = bad;
  return ok;
}

CompensatedSum SumSquaresBlock(ElementType type, const void* in, size_t n) {
  CompensatedSum block;
  if (!HasDoubleSquare(type) || n == 0) return block;
  if (n > kSumBlock) n = kSumBlock;  // contract: one block at most
  ActiveKernels().sum_blocks[TypeIndex(type)](in, n, &block);
  return block;
}

CompensatedSum SumSquaresRangeBlock(double first, size_t n) {
  CompensatedSum block;
  if (n == 0) return block;
  if (n > kSumBlock) n = kSumBlock;
  ActiveKernels().sum_range_blocks(first, n, &block);
  return block;
}

void SumSquaresBlocks(ElementType type, const void* in, size_t n, CompensatedSum* blocks) {
  if (!HasDoubleSquare(type) || n == 0) return;
  ActiveKernels().sum_blocks[TypeIndex(type)](in, n, blocks);
}

void SumSquaresRangeBlocks(double first, size_t n, CompensatedSum* blocks) {
  if (n == 0) return;
  ActiveKernels().sum_range_blocks(first, n, blocks);
}

void AddBlock(CompensatedSum* total, const CompensatedSum& block) {
  if (!std::isfinite(total->hi) || !std::isfinite(block.hi)) {
    total->hi = total->hi + block.hi;
    total->lo = 0.0;
    return;
  }
  double hi, e;
  internal::TwoSum(total->hi, block.hi, &hi, &e);
  total->lo = total->lo + (e + block.lo);
  total->hi = hi;
}

double FinishSum(const CompensatedSum& total) { return std::isfinite(total.hi) ? total.hi + total.lo : total.hi; }

bool SumSquaresInt64(const int64_t* in, size_t n, int64_t* sum) { return ActiveKernels().sum_int64(in, n, sum); }
bool SumSquaresUint64(const uint64_t* in, size_t n, uint64_t* sum) { return ActiveKernels().sum_uint64(in, n, sum); }

bool AddInt64Sums(int64_t a, int64_t b, int64_t* sum) {
#if defined(__GNUC__) || defined(__clang__)
  return !__builtin_add_overflow(a, b, sum);
#else
  if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b)) return false;
  *sum = a + b;
  return true;
#endif
}

bool AddUint64Sums(uint64_t a, uint64_t b, uint64_t* sum) {
#if defined(__GNUC__) || defined(__clang__)
  return !__builtin_add_overflow(a, b, sum);
#else
  if (a > UINT64_MAX - b) return false;
  *sum = a + b;
  return true;
#endif
}

}  // namespace offloop::kernels
