// The one place libclang's C API enters the project. The include folder of LLVM 14 is passed by
// Package.swift (-I/usr/lib/llvm-14/include) so that Debian's libclang-dev is the one used.
#include <clang-c/Index.h>
#include <clang-c/CXCompilationDatabase.h>
