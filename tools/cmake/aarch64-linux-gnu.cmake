# Cross build for 64-bit ARM Linux hosts with Debian's cross compiler and the :arm64
# development packages (multiarch), as `make cross-aarch64` does:
#   tools/install-deps aarch64
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=tools/cmake/aarch64-linux-gnu.cmake
# ctest in that build runs every test program under qemu-user (CMAKE_CROSSCOMPILING_EMULATOR;
# the test scripts go through the wrappers tools/cmake/emulated.cmake writes).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
# Libraries and .pc files of the :arm64 packages live in the multiarch folders.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
# libc6:arm64 (pulled in by the :arm64 libraries) puts the dynamic loader where the
# emulated programs look for it, so qemu-user needs no -L.
find_program(QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64)
if(QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${QEMU_AARCH64})
endif()
