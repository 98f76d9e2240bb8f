#pragma once
/// \file
/// `IncomingChunk`: a chunk as a transport reads it, whole or in segments.

#include <msrp/protocol/chunk.hpp>

namespace msrp {

/// A chunk as `MSRPTransport::read_chunk` returns it. For a segment of a
/// chunk (see `read_chunk(size)`), `segment` counts from 1; 0 for a whole
/// chunk.
struct IncomingChunk : Chunk {
    int segment = 0;
    /// False for a segment that is not the chunk's last: the chunk's
    /// transaction goes on (its flag alone cannot tell, as a chunk may end in `+`).
    bool end_of_chunk = true;
    /// The request was already answered while the connection was being
    /// bound (its 200 is on the wire); do not answer it again.
    bool answered = false;
};

} // namespace msrp
