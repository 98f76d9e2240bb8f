#pragma once
// Pieces both traffic loggers use. Internal header.

#include <msrp/transport/traffic_log.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace msrp::detail {

std::string_view state_name(connection_state s) noexcept;
/// Appends the current UTC time: ISO 8601 with `iso`, else "YYYY-MM-DD hh:mm:ss.uuuuuu".
void append_utc_time(std::string& out, bool iso);
/// The length of the valid UTF-8 sequence (1..4) at `s[i]`; 0 when invalid;
/// npos when `s` ends inside a sequence that is valid so far.
std::size_t utf8_length_at(std::string_view s, std::size_t i) noexcept;
bool is_utf8(std::string_view s) noexcept;
void append_hex_octet(std::string& out, unsigned char c);

} // namespace msrp::detail
