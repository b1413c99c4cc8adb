// Runtime selection of the kernel set: CPUID decides once at load time (AVX-512 with
// AVX512_BF16, else AVX-512, else AVX2, else the portable kernels); the environment variable
// NORM4J_ISA=scalar|avx2|avx512 (or norm4j_isa_select) can force a lesser one.
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "cpu_features.h"
#include "kernels.h"
#include "norm4j/norm4j.h"

namespace norm4j {

namespace {

int detect_isa() {
#if defined(NORM4J_HAVE_AVX2) && (defined(__x86_64__) || defined(__i386__))
    if (cpu_runs_avx512_bf16_set()) return NORM4J_ISA_AVX512_BF16;
    if (cpu_runs_avx512_set()) return NORM4J_ISA_AVX512;
    if (cpu_runs_avx2_set()) return NORM4J_ISA_AVX2;
#endif
    return NORM4J_ISA_SCALAR;
}

const KernelTable *table_for(int isa) {
#if defined(NORM4J_HAVE_AVX2)
    if (isa == NORM4J_ISA_AVX512_BF16) return &avx512_bf16::kTable;
    if (isa == NORM4J_ISA_AVX512) return &avx512::kTable;
    if (isa == NORM4J_ISA_AVX2) return &avx2::kTable;
#endif
    (void)isa;
    return &scalar::kTable;
}

int initial_isa() {
    const int detected = detect_isa();
    const char *forced = std::getenv("NORM4J_ISA");
    if (forced != nullptr && std::strcmp(forced, "scalar") == 0) return NORM4J_ISA_SCALAR;
    if (forced != nullptr && std::strcmp(forced, "avx2") == 0 && detected >= NORM4J_ISA_AVX2) return NORM4J_ISA_AVX2;
    if (forced != nullptr && std::strcmp(forced, "avx512") == 0 && detected >= NORM4J_ISA_AVX512) return NORM4J_ISA_AVX512;
    return detected;
}

std::atomic<int> g_active_isa{initial_isa()};

}  // namespace

const KernelTable &active_kernels() { return *table_for(g_active_isa.load(std::memory_order_relaxed)); }

}  // namespace norm4j

extern "C" {

int norm4j_isa_detected(void) { return norm4j::detect_isa(); }

int norm4j_isa_active(void) { return norm4j::g_active_isa.load(std::memory_order_relaxed); }

int norm4j_isa_select(int isa) {
    if (isa < NORM4J_ISA_SCALAR || isa > NORM4J_ISA_AVX512_BF16) return NORM4J_ERR_ARGUMENT;
    if (isa > norm4j::detect_isa()) return NORM4J_ERR_UNSUPPORTED;
    norm4j::g_active_isa.store(isa, std::memory_order_relaxed);
    return NORM4J_OK;
}

}  // extern "C"
