#pragma once
// Character classes of RFC 4975 §9 and RFC 3986, shared by the protocol
// core's parsers. Internal header: not installed.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace msrp::detail {

constexpr bool is_alpha(unsigned char c) noexcept { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
constexpr bool is_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alnum(unsigned char c) noexcept { return is_alpha(c) || is_digit(c); }
constexpr bool is_upper(unsigned char c) noexcept { return c >= 'A' && c <= 'Z'; }
constexpr bool is_hex(unsigned char c) noexcept {
    return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}
constexpr unsigned char to_lower(unsigned char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c | 0x20) : c;
}

/// ident-char = ALPHANUM / "." / "-" / "+" / "%" / "="
constexpr bool is_ident_char(unsigned char c) noexcept {
    return is_alnum(c) || c == '.' || c == '-' || c == '+' || c == '%' || c == '=';
}
/// ident = ALPHANUM 3*31ident-char (RFC 4975 §9); `max_len` allows longer ids.
constexpr bool is_ident(std::string_view s, std::size_t max_len = 32) noexcept {
    if (s.size() < 4 || s.size() > max_len || !is_alnum(static_cast<unsigned char>(s[0])))
        return false;
    for (unsigned char c : s)
        if (!is_ident_char(c))
            return false;
    return true;
}

/// token characters of RFC 4975 §9 (RFC 3261's token minus nothing; no ':').
constexpr bool is_token_char(unsigned char c) noexcept {
    return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2A || c == 0x2B || c == 0x2D ||
           c == 0x2E || is_digit(c) || is_upper(c) || (c >= 0x5E && c <= 0x7E);
}
constexpr bool is_token(std::string_view s) noexcept {
    if (s.empty())
        return false;
    for (unsigned char c : s)
        if (!is_token_char(c))
            return false;
    return true;
}

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (to_lower(static_cast<unsigned char>(a[i])) != to_lower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

/// Parses 1*DIGIT into `out` without overflow. False on anything else.
constexpr bool parse_u64(std::string_view s, std::uint64_t& out) noexcept {
    if (s.empty() || s.size() > 19)
        return false;
    std::uint64_t v = 0;
    for (unsigned char c : s) {
        if (!is_digit(c))
            return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}

} // namespace msrp::detail
