// Turns run-time choices into compile-time ones, so a kernel is compiled once per combination
// with no test inside its loop. Two flags (is there a weight? a bias?):
//   with_flags(w != nullptr, b != nullptr, [&](auto kw, auto kb) { f<kw.value, kb.value>(...); });
#ifndef NORM4J_FLAG_DISPATCH_H
#define NORM4J_FLAG_DISPATCH_H

#include <cstdint>
#include <type_traits>

namespace norm4j {

template <typename F>
inline void with_flags(bool a, bool b, F &&f) {
    if (a) {
        if (b) f(std::true_type{}, std::true_type{});
        else f(std::true_type{}, std::false_type{});
    } else {
        if (b) f(std::false_type{}, std::true_type{});
        else f(std::false_type{}, std::false_type{});
    }
}

// Runs f(rows_at_once, r, first) over `rows` rows: kAtOnce at a time from r = 0, then the rest
// one by one, rows_at_once a std::integral_constant; first is `start` for the first call only.
template <int kAtOnce, typename F>
inline void for_row_groups(int64_t rows, bool start, F &&f) {
    int64_t r = 0;
    for (; r + kAtOnce <= rows; r += kAtOnce, start = false) f(std::integral_constant<int, kAtOnce>{}, r, start);
    for (; r < rows; ++r, start = false) f(std::integral_constant<int, 1>{}, r, start);
}

}  // namespace norm4j

#endif
