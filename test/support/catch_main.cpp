// Catch2 v2 main, compiled once in its own static library (test/meson.build).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
