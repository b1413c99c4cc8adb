// Which vector kernel sets the running CPU can execute, from CPUID: what dispatch chooses among
// and what the kernel tests test. GCC's checks include the OS's support for saving the AVX and
// AVX-512 state (XGETBV). x86 only: elsewhere GCC has no such checks, and NATIVE no vector sets.
#ifndef NORM4J_CPU_FEATURES_H
#define NORM4J_CPU_FEATURES_H

#if defined(__x86_64__) || defined(__i386__)

namespace norm4j {

// AVX2 and FMA, and F16C, which converts f16 storage (every CPU with AVX2 and FMA has it).
inline bool cpu_runs_avx2_set() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
}

inline bool cpu_runs_avx512_set() { return cpu_runs_avx2_set() && __builtin_cpu_supports("avx512f"); }

// The avx512_bf16 set is compiled with AVX512_BF16, BW, VL and DQ on top of the AVX-512 set's.
inline bool cpu_runs_avx512_bf16_set() {
    return cpu_runs_avx512_set() && __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}

}  // namespace norm4j

#endif

#endif
