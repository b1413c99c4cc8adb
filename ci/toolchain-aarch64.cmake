# Cross-compiling norm4j's native libraries for linux-arm64 with Debian's aarch64 toolchain
# (package g++-aarch64-linux-gnu). Used by ci/arm64.sh through CMAKE_TOOLCHAIN_FILE.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Libraries and headers of the target come from the cross toolchain and the unpacked jars;
# programs (and the JDK's platform-neutral jni.h) from the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
