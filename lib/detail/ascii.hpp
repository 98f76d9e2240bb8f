#pragma once
// Character classes of RFC 4975 §9 and RFC 3986, shared by the protocol
// core's parsers. Internal header: not installed.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace msrp::detail {

// One table of character classes, so each test is a load and a mask.
enum char_class : std::uint8_t {
    cc_alpha = 1,
    cc_digit = 2,
    cc_hex = 4,
    cc_token = 8,       // token of RFC 4975 §9 (RFC 3261's, without ':')
    cc_ident = 16,      // ident-char = ALPHANUM / "." / "-" / "+" / "%" / "="
    cc_unreserved = 32, // RFC 3986 unreserved
    cc_sub_delim = 64,  // RFC 3986 sub-delims without ';' (it ends an MSRP authority)
    cc_upper = 128,
};

struct char_class_table {
    std::uint8_t bits[256] = {};
    constexpr char_class_table() {
        for (int c = 0; c < 256; ++c) {
            std::uint8_t b = 0;
            const bool upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z';
            const bool digit = c >= '0' && c <= '9';
            if (upper || lower)
                b |= cc_alpha;
            if (upper)
                b |= cc_upper;
            if (digit)
                b |= cc_digit;
            if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
                b |= cc_hex;
            if (c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2A || c == 0x2B || c == 0x2D || c == 0x2E ||
                digit || upper || (c >= 0x5E && c <= 0x7E))
                b |= cc_token;
            if (upper || lower || digit || c == '.' || c == '-' || c == '+' || c == '%' || c == '=')
                b |= cc_ident;
            if (upper || lower || digit || c == '-' || c == '.' || c == '_' || c == '~')
                b |= cc_unreserved;
            if (c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' ||
                c == ',' || c == '=')
                b |= cc_sub_delim;
            bits[c] = b;
        }
    }
};
inline constexpr char_class_table char_classes{};

constexpr bool has_class(unsigned char c, std::uint8_t mask) noexcept { return (char_classes.bits[c] & mask) != 0; }
constexpr bool is_alpha(unsigned char c) noexcept { return has_class(c, cc_alpha); }
constexpr bool is_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alnum(unsigned char c) noexcept { return has_class(c, cc_alpha | cc_digit); }
constexpr bool is_upper(unsigned char c) noexcept { return c >= 'A' && c <= 'Z'; }
constexpr bool is_hex(unsigned char c) noexcept { return has_class(c, cc_hex); }
constexpr unsigned char to_lower(unsigned char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c | 0x20) : c;
}
constexpr bool is_ident_char(unsigned char c) noexcept { return has_class(c, cc_ident); }
constexpr bool is_token_char(unsigned char c) noexcept { return has_class(c, cc_token); }

/// Whether every octet of `s` has one of the classes in `mask`.
constexpr bool all_of_class(std::string_view s, std::uint8_t mask) noexcept {
    for (unsigned char c : s)
        if (!has_class(c, mask))
            return false;
    return true;
}

/// ident = ALPHANUM 3*31ident-char (RFC 4975 §9); `max_len` allows longer ids.
constexpr bool is_ident(std::string_view s, std::size_t max_len = 32) noexcept {
    return s.size() >= 4 && s.size() <= max_len && is_alnum(static_cast<unsigned char>(s[0])) &&
           all_of_class(s, cc_ident);
}

constexpr bool is_token(std::string_view s) noexcept { return !s.empty() && all_of_class(s, cc_token); }

/// ASCII case-insensitive equality.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
        // Letters of different case differ in bit 5 only.
        if (x != y && ((x ^ y) != 0x20 || !is_alpha(x)))
            return false;
    }
    return true;
}

/// `s` without the spaces and tabs (OWS) around it.
constexpr std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
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
