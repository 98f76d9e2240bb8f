// Asio's non-inline parts, compiled once for the whole build
// (ASIO_SEPARATE_COMPILATION, see meson.build).
#include <asio/impl/src.hpp>
#include <asio/ssl/impl/src.hpp>
