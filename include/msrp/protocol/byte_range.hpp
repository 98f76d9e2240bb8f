#pragma once
/// \file
/// The Byte-Range header value (RFC 4975 §8.1, §9): `start-end/total`.

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>

namespace msrp {

struct ByteRange {
    /// Written as `*`: range-end or total not known yet.
    static constexpr std::uint64_t unknown = std::numeric_limits<std::uint64_t>::max();

    std::uint64_t start = 1; ///< position of the chunk's first octet; the message starts at 1
    std::uint64_t end = unknown;
    std::uint64_t total = unknown;

    /// Parses and checks consistency: start >= 1, end >= start - 1, end <= total,
    /// start <= total + 1. Errors: `errc::bad_byte_range`.
    static std::error_code parse(std::string_view text, ByteRange& out) noexcept;

    std::string to_string() const;
    void append_to(std::string& out) const;

    friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

} // namespace msrp
