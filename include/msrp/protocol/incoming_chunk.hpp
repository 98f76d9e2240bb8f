#pragma once
/// \file
/// `IncomingChunk`: a chunk as a reader receives it, whole or in segments,
/// with what the reader needs to know about where it came from.

#include <msrp/protocol/chunk.hpp>

#include <utility>

namespace msrp {

/// A chunk as `chunk_demux` hands it out and `MSRPTransport::read_chunk`
/// returns it. For a segment of a chunk (see `MSRPTransport::read_chunk(size)`),
/// `segment` counts from 1; 0 for a whole chunk.
struct IncomingChunk : Chunk {
    int segment = 0;
    /// False for a segment that is not the chunk's last: the chunk's
    /// transaction goes on (its flag alone cannot tell, as a chunk may end in `+`).
    bool end_of_chunk = true;
    /// The request was already answered while the connection was being
    /// bound (its 200 is on the wire); do not answer it again.
    bool answered = false;
    /// True when the To-Path and From-Path values are byte for byte those
    /// of the previous chunk handed to the same reader (the same session
    /// slot of the connection), so that whatever that reader decided about
    /// those paths (RFC 4975 §7.3: is the request for this session?) still
    /// holds, as long as the reader saw that chunk. False says nothing:
    /// the paths may still be equal. Always false for a reader's first
    /// chunk, for a chunk that was offered elsewhere first (a session
    /// unknown on the connection), and after the routes of the connection
    /// changed (a session joined or left, a local URI changed). Later
    /// segments of one chunk carry true: they repeat the first one's head.
    bool same_paths_as_previous = false;

    friend void swap(IncomingChunk& a, IncomingChunk& b) noexcept {
        using std::swap;
        swap(static_cast<Chunk&>(a), static_cast<Chunk&>(b));
        swap(a.segment, b.segment);
        swap(a.end_of_chunk, b.end_of_chunk);
        swap(a.answered, b.answered);
        swap(a.same_paths_as_previous, b.same_paths_as_previous);
    }
};

} // namespace msrp
