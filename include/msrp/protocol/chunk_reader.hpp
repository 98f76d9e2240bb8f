#pragma once
/// \file
/// Whole chunks in memory on top of `chunk_parser`: for tests, small
/// messages and the seed's `MSRPData`.

#include <msrp/protocol/chunk.hpp>
#include <msrp/protocol/chunk_demux.hpp>
#include <msrp/protocol/chunk_parser.hpp>

#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

namespace msrp {

/// Copies the parser's head into a chunk (the body is left as is).
void copy_head(const chunk_head& head, Chunk& out);

/// Feeds a byte stream to a `chunk_demux` for one session and keeps the
/// whole chunks it hands out, body included. Keeps the bytes it was not yet
/// allowed to consume, at most one head (`parser_limits::max_header_block_bytes`)
/// plus a possible end-line, and the body of the chunk being read, at most
/// `max_body_bytes`.
class chunk_reader {
public:
    /// Largest body kept in memory (default 16 MiB).
    static constexpr std::uint64_t default_max_body_bytes = chunk_demux::default_max_chunk_body_bytes;

    explicit chunk_reader(parser_options options = {},
                          std::uint64_t max_body_bytes = default_max_body_bytes);

    /// Adds bytes to the stream. Returns the first error met, if any.
    std::error_code feed(std::string_view bytes);
    /// The next complete chunk, if one is ready.
    std::optional<Chunk> next();
    /// Call at end of input: the error for an unfinished chunk, if any.
    std::error_code finish() const noexcept;

    const chunk_parser& parser() const noexcept { return demux_.parser(); }

private:
    std::error_code run();

    chunk_demux demux_;
    std::string pending_;       ///< bytes fed but not consumed yet
    std::size_t pending_begin_ = 0;
    std::vector<IncomingChunk> ready_; ///< as the demux hands them out, taken in place
    std::size_t ready_begin_ = 0;
    std::error_code error_;
};

/// Parses exactly one chunk occupying all of `bytes`. Errors: any parser
/// error, `errc::truncated` for an incomplete chunk, `errc::trailing_data`
/// when bytes follow the end-line.
std::error_code parse_chunk(std::string_view bytes, Chunk& out, parser_options options = {});

} // namespace msrp
