#include "last_error.h"

#include "norm4j/norm4j.h"

namespace norm4j {

namespace {
thread_local std::string t_last_error;
}

int fail(int status, std::string reason) {
    t_last_error = std::move(reason);
    return status;
}

void clear_last_error() { t_last_error.clear(); }

}  // namespace norm4j

extern "C" const char *norm4j_last_error(void) { return norm4j::t_last_error.c_str(); }
