// The CPU's brand string, for reports. CPUID leaves 0x80000002..4 on x86.
#include <cstring>

#include "norm4j/norm4j.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace {

const char *read_cpu_name() {
    static char name[49] = "unknown";
#if defined(__x86_64__) || defined(__i386__)
    unsigned int regs[12];
    if (__get_cpuid_max(0x80000000u, nullptr) >= 0x80000004u) {
        for (unsigned int leaf = 0; leaf < 3; ++leaf) {
            __get_cpuid(0x80000002u + leaf, &regs[leaf * 4], &regs[leaf * 4 + 1],
                        &regs[leaf * 4 + 2], &regs[leaf * 4 + 3]);
        }
        std::memcpy(name, regs, 48);
        name[48] = '\0';
        // The brand string is padded with spaces on some CPUs; trim both ends.
        char *start = name;
        while (*start == ' ') ++start;
        std::memmove(name, start, std::strlen(start) + 1);
        for (size_t n = std::strlen(name); n > 0 && name[n - 1] == ' '; --n) name[n - 1] = '\0';
    }
#endif
    return name;
}

}  // namespace

extern "C" const char *norm4j_cpu_name(void) {
    static const char *name = read_cpu_name();
    return name;
}
