# Toolchain file: cross-compile for Windows x64 with MinGW-w64 from Linux (Debian/Ubuntu package
# g++-mingw-w64-x86-64-posix). The "-posix" compiler is the one built with the posix thread model, which gives
# std::thread/std::mutex; the "-win32" flavour lacks them in older GCCs.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(MINGW_PREFIX x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${MINGW_PREFIX}-gcc-posix)
set(CMAKE_CXX_COMPILER ${MINGW_PREFIX}-g++-posix)
set(CMAKE_RC_COMPILER ${MINGW_PREFIX}-windres)
# Not a CMake variable: CMakeLists.txt uses it to make node.exe's import library.
set(MINGW_DLLTOOL ${MINGW_PREFIX}-dlltool)

# Look for libraries and headers in the MinGW sysroot only, never in the Linux host's /usr/include or /usr/lib;
# programs (dlltool, node) still come from the host.
set(CMAKE_FIND_ROOT_PATH /usr/${MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
