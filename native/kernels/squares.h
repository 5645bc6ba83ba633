// Element-wise squares and sums of squares over plain pointers and lengths.
// No Node-API types here: these functions are shared by the addon, the native
// unit tests and the native benchmarks.
#pragma once

#include <cstddef>
#include <cstdint>

#include "store_mode.h"

namespace offloop::kernels {

// The element types a squares input may have (the TypedArray kinds).
enum class ElementType : int {
  kInt8,
  kUint8,
  kUint8Clamped,
  kInt16,
  kUint16,
  kInt32,
  kUint32,
  kFloat32,
  kFloat64,
  kBigInt64,
  kBigUint64,
};

size_t ElementSize(ElementType type);

// out[i] = double(in[i]) * double(in[i]) for i in [0, n). `in` may equal `out`
// (Float64 in place). Not for the BigInt element types.
void SquareToDouble(ElementType type, const void* in, double* out, size_t n);
void SquareToDouble(ElementType type, const void* in, double* out, size_t n, StoreMode mode);

// out[i] = (first + i)^2 in double arithmetic, for i in [0, n).
void SquareRange(double first, double* out, size_t n);
void SquareRange(double first, double* out, size_t n, StoreMode mode);

// Integer squares with overflow detection. Return false when some square does
// not fit the element type; then *bad_index is the first such index and the
// contents of out are unspecified. in may equal out.
bool SquareInt64(const int64_t* in, int64_t* out, size_t n, size_t* bad_index);
bool SquareUint64(const uint64_t* in, uint64_t* out, size_t n, size_t* bad_index);
bool SquareInt64(const int64_t* in, int64_t* out, size_t n, size_t* bad_index, StoreMode mode);
bool SquareUint64(const uint64_t* in, uint64_t* out, size_t n, size_t* bad_index, StoreMode mode);

// Sum of squares is computed in fixed blocks of kSumBlock elements, whatever
// the thread count, so the result never depends on how the work was split.
// Within a block: 8 lanes (element j of the block goes to lane j % 8), each a
// Kahan-compensated sum; lanes are folded in lane order into a (hi, lo) pair
// with TwoSum. Blocks are folded in index order the same way. The pure-JS
// reference implements the same arithmetic, so results agree to the bit.
constexpr size_t kSumBlock = 16384;

struct CompensatedSum {
  double hi = 0.0;
  double lo = 0.0;
};

// One block (n <= kSumBlock) of squares of `in` (non-BigInt element types).
// A block whose result is not finite is recomputed plainly: NaN if any
// element is NaN, otherwise +Infinity.
CompensatedSum SumSquaresBlock(ElementType type, const void* in, size_t n);
// One block of the squares of first, first+1, ..., first+n-1.
CompensatedSum SumSquaresRangeBlock(double first, size_t n);
// All blocks of in[0, n) at once: blocks[b] (b < ceil(n / kSumBlock)) gets
// SumSquaresBlock(type, element b * kSumBlock, min(kSumBlock, rest)), bit for
// bit. Faster than one call per block: a block's Kahan lanes form a serial
// dependency chain, so several blocks are advanced together to keep the FP
// units busy. `in` must be the start of a block.
void SumSquaresBlocks(ElementType type, const void* in, size_t n, CompensatedSum* blocks);
// Same for ranges: blocks[b] = SumSquaresRangeBlock(first + double(b * kSumBlock), ...).
void SumSquaresRangeBlocks(double first, size_t n, CompensatedSum* blocks);
// total <- total + block, TwoSum on hi, lo accumulated.
void AddBlock(CompensatedSum* total, const CompensatedSum& block);
// hi + lo, or the non-finite value when a block was not finite.
double FinishSum(const CompensatedSum& total);

// Exact integer sums of squares. Return false on overflow of the element
// type (squares are non-negative, so a partial overflow means a total one).
bool SumSquaresInt64(const int64_t* in, size_t n, int64_t* sum);
bool SumSquaresUint64(const uint64_t* in, size_t n, uint64_t* sum);
// Adds two partial sums; false on overflow.
bool AddInt64Sums(int64_t a, int64_t b, int64_t* sum);
bool AddUint64Sums(uint64_t a, uint64_t b, uint64_t* sum);

}  // namespace offloop::kernels
