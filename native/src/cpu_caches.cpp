// The last-level cache one core can use, read once: the environment's NORM4J_LAST_LEVEL_CACHE
// (bytes) where set; else Linux's description of cpu0's caches (/sys, per cache instance, at most
// kMaxLastLevelCachePerCpu for each CPU Linux says shares it); else
// CPUID's deterministic cache leaves (4 on Intel, 0x8000001D on AMD with topology extensions),
// which also describe one instance; else kFallbackLastLevelCache. Sizes that describe all of a
// socket's caches together (sysconf's, AMD's legacy leaf 0x80000006: 508 MiB on a 2-vCPU slice of
// an EPYC whose cores see 32 MiB each) are not used: they would count memory as cache.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "kernels.h"
#include "norm4j/norm4j.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace norm4j {

namespace {

struct CacheSize {
    int64_t bytes;
    std::string source;
};

// "32768K" (the format of /sys/.../cache/indexN/size) in bytes, 0 if unreadable.
int64_t parse_size(const char *text) {
    char *end = nullptr;
    const long long v = std::strtoll(text, &end, 10);
    if (end == text || v <= 0) return 0;
    if (*end == 'K') return v << 10;
    if (*end == 'M') return v << 20;
    if (*end == 'G') return v << 30;
    return v;
}

int64_t from_environment() {
    const char *v = std::getenv("NORM4J_LAST_LEVEL_CACHE");
    return v != nullptr ? parse_size(v) : 0;
}

// How many CPUs a list such as "0-1" or "0,2-5,8" (shared_cpu_list) names; 0 if unreadable.
int64_t cpus_in_list(const char *list) {
    int64_t count = 0;
    for (const char *p = list; *p != '\0' && *p != '\n';) {
        char *end = nullptr;
        const long first = std::strtol(p, &end, 10);
        if (end == p) return 0;
        long last = first;
        if (*end == '-') {
            p = end + 1;
            last = std::strtol(p, &end, 10);
            if (end == p || last < first) return 0;
        }
        count += last - first + 1;
        p = *end == ',' ? end + 1 : end;
    }
    return count;
}

struct SysfsCache {
    int64_t bytes = 0, sharing_cpus = 0;
};

// The largest level of cpu0's data or unified caches Linux lists, and how many CPUs share it.
SysfsCache from_sysfs() {
    SysfsCache best;
    int best_level = 0;
    for (int index = 0; index < 8; ++index) {
        const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/";
        char level[16] = {0}, type[32] = {0}, size[32] = {0}, shared[256] = {0};
        auto read = [&](const char *name, char *out, int capacity) {
            std::FILE *f = std::fopen((dir + name).c_str(), "r");
            if (f == nullptr) return false;
            const bool ok = std::fgets(out, capacity, f) != nullptr;
            std::fclose(f);
            return ok;
        };
        if (!read("level", level, sizeof level) || !read("type", type, sizeof type) || !read("size", size, sizeof size)) break;
        if (std::strncmp(type, "Instruction", 11) == 0) continue;
        const int l = std::atoi(level);
        if (l >= best_level) {
            best_level = l;
            best.bytes = parse_size(size);
            best.sharing_cpus = read("shared_cpu_list", shared, sizeof shared) ? cpus_in_list(shared) : 0;
        }
    }
    return best_level >= 2 ? best : SysfsCache{};
}

int64_t from_cpuid() {
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    unsigned leaf = 4;
    if (__get_cpuid(0, &a, &b, &c, &d) && b == 0x68747541u) {  // "Auth"enticAMD
        if (!__get_cpuid(0x80000001u, &a, &b, &c, &d) || ((c >> 22) & 1u) == 0) return 0;  // no TOPOEXT
        leaf = 0x8000001Du;
    } else if (__get_cpuid_max(0, nullptr) < 4) {
        return 0;
    }
    int64_t best = 0;
    unsigned best_level = 0;
    for (unsigned sub = 0; sub < 16; ++sub) {
        __cpuid_count(leaf, sub, a, b, c, d);
        const unsigned type = a & 31u, level = (a >> 5) & 7u;
        if (type == 0) break;
        if (type == 2) continue;  // instruction cache
        const int64_t bytes = int64_t{(b >> 22) + 1} * (((b >> 12) & 1023u) + 1) * ((b & 4095u) + 1) * (int64_t{c} + 1);
        if (level >= best_level) {
            best_level = level;
            best = bytes;
        }
    }
    return best_level >= 2 ? best : 0;
#else
    return 0;
#endif
}

CacheSize detect() {
    if (const int64_t v = from_environment(); v > 0) return {v, "NORM4J_LAST_LEVEL_CACHE"};
    if (const SysfsCache s = from_sysfs(); s.bytes > 0) {
        const int64_t cap = s.sharing_cpus * kMaxLastLevelCachePerCpu;
        if (s.sharing_cpus == 0 || s.bytes <= cap) return {s.bytes, "sysfs"};
        return {cap, "sysfs (" + std::to_string(s.bytes >> 20) + " MiB listed as shared by " +
                         std::to_string(s.sharing_cpus) + " CPUs, taken as " +
                         std::to_string(kMaxLastLevelCachePerCpu >> 20) + " MiB per CPU)"};
    }
    if (const int64_t v = from_cpuid(); v > 0) return {v, "cpuid"};
    return {kFallbackLastLevelCache, "default (the CPU does not tell one cache's size)"};
}

const CacheSize &cache() {
    static const CacheSize c = detect();
    return c;
}

}  // namespace

int64_t last_level_cache_bytes() { return cache().bytes; }

}  // namespace norm4j

extern "C" {

int64_t norm4j_last_level_cache_bytes(void) { return norm4j::cache().bytes; }

const char *norm4j_last_level_cache_source(void) { return norm4j::cache().source.c_str(); }

}  // extern "C"
