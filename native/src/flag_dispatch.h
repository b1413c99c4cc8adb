// Turns run-time flags (is there a weight? a bias?) into compile-time ones, so a kernel is
// compiled once per combination with no test inside its loop:
//   with_flags(w != nullptr, b != nullptr, [&](auto kw, auto kb) { f<kw.value, kb.value>(...); });
//   with_flag(w != nullptr, [&](auto kw) { f<kw.value>(...); });
#ifndef NORM4J_FLAG_DISPATCH_H
#define NORM4J_FLAG_DISPATCH_H

#include <type_traits>

namespace norm4j {

template <typename F>
inline void with_flag(bool a, F &&f) {
    if (a) f(std::true_type{});
    else f(std::false_type{});
}

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

}  // namespace norm4j

#endif
