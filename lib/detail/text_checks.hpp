#pragma once
// Value checks shared by the parser and the chunk model: header text,
// Content-Type, Status. Internal header: not installed.

#include <msrp/protocol/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace msrp::detail {

/// utf8text = *(HTAB / %x20-7E / UTF8-NONASCII) (RFC 4975 §9). Returns the
/// error for the first offending octet: nul_byte, bare_cr, or
/// bad_header_line for other control characters and invalid UTF-8.
errc check_utf8text(std::string_view s) noexcept;

/// The offset of the first octet at or after `from` that is a control
/// character, DEL or non-ASCII; `s.size()` when there is none.
std::size_t first_special_octet(std::string_view s, std::size_t from) noexcept;

/// The length (2..4) of the valid UTF-8 sequence at the start of `s`
/// (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF); 0 when
/// it is invalid; `npos` when `s` ends before the sequence could be judged.
std::size_t utf8_sequence_length(std::string_view s) noexcept;

/// Appends code point `cp` (at most U+10FFFF, no surrogate: callers check)
/// as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);

/// media-type = type "/" subtype *( ";" gen-param ), whitespace around ';'
/// tolerated, parameter values as token or quoted-string.
bool is_valid_content_type(std::string_view s) noexcept;

/// Status = namespace SP status-code [SP comment] (RFC 4975 §9).
bool parse_status_value(std::string_view s, int& ns, int& code, std::string_view& comment) noexcept;

} // namespace msrp::detail
