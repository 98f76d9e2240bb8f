#pragma once
// Access to the shared test vectors (../shared/vectors) and a driver that
// feeds a byte stream to the chunk parser the way a transport does.

#include <msrp/protocol/chunk.hpp>
#include <msrp/protocol/chunk_parser.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace msrp::test {

/// The vectors directory: $MSRP_VECTORS_DIR, else the path configured at build time.
std::string vectors_dir();
std::string read_file(const std::string& path);
/// Loads `<vectors_dir>/<relative>` (an INDEX.json) as JSON.
nlohmann::json load_index(const std::string& relative);

/// Lowercase hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

/// Everything the parser reported for a stream: the chunks completed, the
/// final error (from an error event or from `finish()`), and the most bytes
/// the caller had to keep unconsumed at any time.
struct transcript {
    std::vector<Chunk> chunks;
    std::error_code ec;
    std::size_t max_pending = 0;
    friend bool operator==(const transcript& a, const transcript& b) {
        return a.chunks == b.chunks && a.ec == b.ec;
    }
};

/// Feeds `bytes` in pieces ending at the given offsets (ascending; the rest
/// goes last), keeping unconsumed bytes in front of the next piece.
transcript feed_pieces(std::string_view bytes, const std::vector<std::size_t>& cuts,
                       const parser_options& options = {});
/// One piece.
transcript feed_whole(std::string_view bytes, const parser_options& options = {});
/// One byte at a time.
transcript feed_bytewise(std::string_view bytes, const parser_options& options = {});

} // namespace msrp::test
