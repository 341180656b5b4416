# Toolchain file: cross-compile for Windows x64 with clang (Debian's clang 14 or later) over the MinGW-w64 headers and
# libraries, the second compiler of the Windows code. It exists for its warnings: clang's -Wconversion,
# -Wsign-conversion and -Wshorten-64-to-32 find the narrowing and signed/unsigned mixes that MSVC's /W4 reports
# (C4267, C4244, C4245, C4389) and g++ does not, so the MSVC build of the GitHub Windows jobs stays warning-free by
# construction. CMakeLists.txt turns those warnings on when the compiler is clang.
#
# Debian's clang finds the MinGW sysroot's C headers (/usr/x86_64-w64-mingw32/include) by itself but neither the
# libstdc++ headers nor libgcc, which live in the MinGW g++'s own folders: both are asked of that g++ here. The link
# goes through lld, which reads MinGW's import libraries; -lpthread is winpthread, which MinGW's libstdc++ (the
# posix thread model) and libgcc's emutls call into (the posix g++ adds it by itself, clang does not).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(MINGW_PREFIX x86_64-w64-mingw32)
set(MINGW_GXX ${MINGW_PREFIX}-g++-posix)
set(CLANG_TARGET x86_64-w64-windows-gnu)

find_program(WINSOCK_CLANGXX NAMES clang++ clang++-19 clang++-18 clang++-17 clang++-16 clang++-15 clang++-14 REQUIRED)
set(CMAKE_CXX_COMPILER ${WINSOCK_CLANGXX})
set(CMAKE_CXX_COMPILER_TARGET ${CLANG_TARGET})
set(CMAKE_RC_COMPILER ${MINGW_PREFIX}-windres)
# Not a CMake variable: CMakeLists.txt uses it to make node.exe's import library.
set(MINGW_DLLTOOL ${MINGW_PREFIX}-dlltool)

execute_process(COMMAND ${MINGW_GXX} -print-file-name=include OUTPUT_VARIABLE MINGW_GCC_INCLUDE
                OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${MINGW_GXX} -print-libgcc-file-name OUTPUT_VARIABLE MINGW_LIBGCC
                OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
get_filename_component(MINGW_GCC_LIBDIR "${MINGW_LIBGCC}" DIRECTORY)
if(NOT EXISTS "${MINGW_GCC_INCLUDE}/c++/${MINGW_PREFIX}/bits/c++config.h")
  message(FATAL_ERROR "No libstdc++ headers under ${MINGW_GCC_INCLUDE}/c++ (apt-get install g++-mingw-w64-x86-64-posix)")
endif()

# -isystem: the standard library is not ours to warn about, as no system header is.
set(CMAKE_CXX_FLAGS_INIT "-isystem ${MINGW_GCC_INCLUDE}/c++ -isystem ${MINGW_GCC_INCLUDE}/c++/${MINGW_PREFIX}")
# -lpthread among the flags, not the libraries (CMake's Windows platform files reset the standard libraries): lld
# resolves archives in any order, so its place on the line does not matter.
set(MINGW_LINK_FLAGS "-fuse-ld=lld -L${MINGW_GCC_LIBDIR} -lpthread")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${MINGW_LINK_FLAGS}")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "${MINGW_LINK_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${MINGW_LINK_FLAGS}")

set(CMAKE_FIND_ROOT_PATH /usr/${MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
