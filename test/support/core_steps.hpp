#pragma once
// What the step tests of the session core share besides the driver: small
// options, the SENDs among the chunks written, a peer's request params.

#include "core_driver.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace msrp::test {

/// Options for step tests: chunks of `chunk_size` bytes, answers owed within a second.
inline session_options small_chunks(std::size_t chunk_size = 100) {
    session_options o;
    o.chunk_size = chunk_size;
    o.response_timeout = std::chrono::milliseconds(1000);
    return o;
}

/// The SENDs among `written`, in wire order.
inline std::vector<Chunk> sends_of(const std::vector<Chunk>& written) {
    std::vector<Chunk> out;
    for (const auto& c : written)
        if (c.method == "SEND")
            out.push_back(c);
    return out;
}

/// The REPORTs among `written`, in wire order.
inline std::vector<Chunk> reports_of(const std::vector<Chunk>& written) {
    std::vector<Chunk> out;
    for (const auto& c : written)
        if (c.method == "REPORT")
            out.push_back(c);
    return out;
}

/// A request's params with `data` as its body.
inline make_chunk_params peer_params(std::string data) {
    make_chunk_params p;
    p.data = std::move(data);
    return p;
}

} // namespace msrp::test
