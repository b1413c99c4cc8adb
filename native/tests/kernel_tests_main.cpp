// Kernel-level tests: every entry of every vector kernel table this CPU can run, against the
// scalar table, at the sizes where vector code goes wrong (empty, one value, a vector's width and
// a block's either side, unaligned starts, in place), with guard zones around every output. A
// failure names the kernel set, the kernel and the size. Exit status: 0 all passed, 1 a failure,
// 77 (reported as skipped) no vector kernel set on this CPU.
#include <cstdio>
#include <vector>

#include "../src/cpu_features.h"
#include "kernel_test_support.h"

namespace norm4j::test {

std::string where(const KernelTable &k, const char *kernel, const std::string &detail) {
    return std::string(k.name) + " " + kernel + " " + detail;
}

}  // namespace norm4j::test

int main() {
    using namespace norm4j;
    std::vector<const KernelTable *> tables;
#if defined(NORM4J_HAVE_AVX2)
    if (cpu_runs_avx2_set()) tables.push_back(&avx2::kTable);
    if (cpu_runs_avx512_set()) tables.push_back(&avx512::kTable);
    if (cpu_runs_avx512_bf16_set()) tables.push_back(&avx512_bf16::kTable);
#endif
    test::Report report;
    test::test_stored_row_kernels(scalar::kTable, report);
    test::test_stored_column_kernels(scalar::kTable, report);
    test::test_stored_backward_kernels(scalar::kTable, report);
    test::test_activation_accuracy(scalar::kTable, report);
    if (tables.empty()) {
        std::printf("no vector kernel set on this CPU: the scalar kernels' own checks only (%d, %d failures)\n",
                    report.checks(), report.failures());
        return report.failures() == 0 ? 77 : 1;
    }
    for (const KernelTable *k : tables) {
        test::test_segment_kernels(*k, scalar::kTable, report);
        test::test_backward_kernels(*k, scalar::kTable, report);
        test::test_column_kernels(*k, scalar::kTable, report);
        test::test_convert_kernels(*k, scalar::kTable, report);
        test::test_elementwise_kernels(*k, scalar::kTable, report);
        test::test_activation_kernels(*k, scalar::kTable, report);
        test::test_stored_row_kernels(*k, report);
        test::test_stored_column_kernels(*k, report);
        test::test_stored_backward_kernels(*k, report);
        std::printf("%s kernels tested against scalar\n", k->name);
    }
    std::printf("%d checks, %d failures\n", report.checks(), report.failures());
    return report.failures() == 0 ? 0 : 1;
}
