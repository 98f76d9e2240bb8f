#pragma once
/// \file
/// The seed's `MSRPTransport.make_chunk` defaults as a pure function.

#include <msrp/protocol/chunk.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace msrp {

/// Parameters of `make_chunk`, with the seed's defaults.
struct make_chunk_params {
    std::optional<std::string> transaction_id; ///< default: random, not colliding with `data`
    std::string method = "SEND";               ///< ignored when `code` is set
    std::optional<int> code;                   ///< set to build a response
    std::string comment;
    std::string data;
    /// Default: `$`, or `+` for a SEND whose bytes end before `length`.
    std::optional<char> contflag;
    std::uint64_t start = 1;
    /// Default: start - 1 + data.size(). `ByteRange::unknown` writes `*`.
    std::optional<std::uint64_t> end;
    /// Total length. Default: start - 1 + data.size(). `ByteRange::unknown` writes `*`.
    std::optional<std::uint64_t> length;
    std::optional<std::string> message_id;     ///< default: random
    std::optional<std::string> content_type;   ///< default for SEND with data: "text/plain"
};

/// Builds a chunk the way the seed's transport does, with the transport's
/// paths given: `to_path` (the full path to the peer) and `from_path`.
/// Requests get a Message-ID; SEND also gets a Byte-Range and, when it
/// carries data, a Content-Type. Responses get neither.
Chunk make_chunk(const Path& to_path, const Path& from_path, const make_chunk_params& params = {});

/// The response to `request` (RFC 4975 §7.2; hop by hop, RFC 4976 §6):
/// the request's transaction id, To-Path = the first URI of the request's
/// From-Path (the previous hop), From-Path = `local`, and `comment`
/// defaulting to the usual reason phrase of `code`.
Chunk make_response(const Chunk& request, int code, const URI& local, std::string comment = {});

} // namespace msrp
