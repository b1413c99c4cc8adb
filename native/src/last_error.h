// Thread-local reason for the last failure, read by Java to build a specific exception.
#ifndef NORM4J_LAST_ERROR_H
#define NORM4J_LAST_ERROR_H

#include <string>

namespace norm4j {

// Records why a call failed and returns the status, so callers can write
// `return fail(NORM4J_ERR_ARGUMENT, "...")`.
int fail(int status, std::string reason);
void clear_last_error();

}  // namespace norm4j

#endif
