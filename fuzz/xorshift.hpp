#pragma once
// The fuzz targets' pseudo-random numbers: deterministic, so that a crash
// reproduces from its input alone.

#include <cstdint>

/// xorshift32; `state` must not be 0.
inline std::uint32_t next_random(std::uint32_t& state) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}
