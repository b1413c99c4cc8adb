// The tuning constants of the NATIVE kernels, one place, each with its reason. The measurements
// behind them are in docs/tuning.md; a change here is a performance change, never a change of
// what is computed (the kernels' bits do not depend on any of them except where a comment says).
#ifndef NORM4J_TUNING_H
#define NORM4J_TUNING_H

#include <cstdint>

namespace norm4j {

// Below this many values (160 KiB of floats) a call stays on the calling thread: the team's fork
// and join would cost more than the second core saves.
constexpr int64_t kParallelThreshold = int64_t{40} << 10;

// Items per block when a parallel loop's items are cheap (a channel's constants): small counts
// then stay on one thread.
constexpr int64_t kCheapItemsPerBlock = 256;

// How far ahead (floats, 8 KiB) the kernels ask for data that come from memory: one core keeps
// too few misses in flight to reach the memory's pace unaided, and in cache asking costs.
constexpr int64_t kPrefetchAhead = 2048;

// Values per tile of the tiled column sums (32 KiB of floats: L1).
constexpr int64_t kColumnTileValues = 8192;

// Channels-last outputs of whole vectors with several constants per column: columns per block,
// so a block's constants stay in L1 (512 columns, five constants: 10 KiB) ...
constexpr int64_t kColumnRowBlock = 512;
// ... over tiles of this many values (x and dy 256 KiB: L2) while the block's rows pass.
constexpr int64_t kColumnRowTileValues = int64_t{1} << 15;

// Channels-last pivoted sums on AVX2 (16 registers, no room for a panel of columns): up to this
// many columns, rows are read in memory order straight into the per-column sums (in L1); wider
// ones in tiles with a vector of columns' sums in registers.
constexpr int64_t kAvx2NarrowColumns = 256;

// Rows one pass of the backward sums takes at once, sharing each vector of dw and db in
// registers: two on AVX-512 (four spilled its 32 registers); one on AVX2, whose 16 registers
// cannot hold two rows' sums without spilling into the loop.
constexpr int kAvx512BackwardRowsAtOnce = 2;
constexpr int kAvx2BackwardRowsAtOnce = 1;

// The longest row (values) whose forward output pass also takes the next row's sums: beyond it
// the two rows, the weights and the output no longer fit L1 together.
constexpr int64_t kFusedRowMax = 2048;
// The same for a call from memory, where the next row's loads compete with this row's stores.
constexpr int64_t kStreamedFusedRowMax = 512;

// Rows backward: columns per block (dw and db's doubles of a block stay in L1) and rows per
// group, in pairs, with short rows grouped until a group holds this many values.
constexpr int64_t kRowsBackwardColumnBlock = 1024;
constexpr int64_t kRowGroup = 16, kRowPair = 2, kShortRowGroupValues = 2048;

// Values per tile where channels-last sums of x - mean go just ahead of the backward sums: 32 KiB
// of x, which the backward sums then read from L1.
constexpr int64_t kCorrectionTileValues = 8192;

// Channels-last column sums (batch norm's statistics and backward sums) call their kernels on
// tiles of rows of about this many values (128 KiB of f32, in L2) within each chunk: the unit in
// which data stored as bf16 or f16 are widened for them, and the f32 call sums in the same tiles,
// so both give the same bits.
constexpr int64_t kColumnSumCallValues = int64_t{1} << 15;

// Calls on bf16 or f16 data: values per block a thread widens into f32 scratch, normalizes there
// and rounds out (64 KiB of floats: in L2, so the data cross memory once each way at their width).
constexpr int64_t kStagingBlockValues = int64_t{1} << 14;

// The last-level cache assumed where the CPU does not tell its size (cpu_caches.cpp reads it):
// one Zen core complex's L3.
constexpr int64_t kFallbackLastLevelCache = int64_t{32} << 20;

// The most last-level cache taken per CPU that shares it (cpu_caches.cpp). CPUs have 1.5 to 4 MiB
// of L3 per core (12 MiB on AMD's stacked-cache parts); a virtual machine's Linux may list the
// host chip's whole L3 as shared by the machine's own few vCPUs, while the host's other cores
// fill it too. Taken at its word, calls far larger than the machine's share count as cached, and
// their outputs go through the caches (docs/tuning.md).
constexpr int64_t kMaxLastLevelCachePerCpu = int64_t{16} << 20;

}  // namespace norm4j

#endif
