#pragma once
// What a connection keeps for each session over it (an `MSRPTransport`):
// the chunks read for it by others, whether it left, and its read-wait
// hook. Owned by the connection, from `attach` until the transport is
// gone; the transport holds a pointer to it. Internal header.

#include <msrp/protocol/chunk_demux.hpp>
#include <msrp/protocol/incoming_chunk.hpp>
#include <msrp/protocol/uri.hpp>

#include <deque>
#include <functional>
#include <system_error>

namespace msrp::detail {

struct session_slot {
    session_slot(chunk_demux::slot id, const URI& local_uri) : id(id), local_uri(&local_uri) {}

    const chunk_demux::slot id; ///< how the demux names this session
    /// The transport's, which `bind_to` changes in place; chunks are routed by it.
    const URI* local_uri;
    /// Chunks for this session: put back by `unread` (front) or read by
    /// another session of the connection (back).
    std::deque<IncomingChunk> inbox;
    std::error_code closed; ///< set when this session left a shared connection
    /// See `MSRPTransport::set_read_wait_hook`.
    std::function<void()> read_wait_hook;
};

} // namespace msrp::detail
