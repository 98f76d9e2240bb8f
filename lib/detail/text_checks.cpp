#include "text_checks.hpp"

#include "ascii.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

namespace msrp::detail {

namespace {

// The high bit of each octet of `x` that is a control character, DEL or
// non-ASCII. Bits above the lowest set one may be false positives (a borrow
// runs upwards); the lowest one is always right.
std::uint64_t special_octets(std::uint64_t x) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    const std::uint64_t below_space = (x - 0x20 * ones) & ~x & highs;
    const std::uint64_t y = x ^ (0x7f * ones);
    const std::uint64_t is_del = (y - ones) & ~y & highs;
    return (x & highs) | below_space | is_del;
}

bool is_special(unsigned char c) noexcept { return c < 0x20 || c >= 0x7f; }

} // namespace

std::size_t first_special_octet(std::string_view s, std::size_t from) noexcept {
    std::size_t i = from;
    if constexpr (std::endian::native == std::endian::little) {
        for (; i + 8 <= s.size(); i += 8) {
            std::uint64_t x;
            std::memcpy(&x, s.data() + i, 8);
            if (const auto m = special_octets(x))
                return i + static_cast<std::size_t>(std::countr_zero(m)) / 8;
        }
    }
    for (; i < s.size(); ++i)
        if (is_special(static_cast<unsigned char>(s[i])))
            return i;
    return s.size();
}

std::size_t utf8_sequence_length(std::string_view s) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const unsigned char c = p[0];
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    // Judge what is there; only a valid prefix may wait for more.
    for (std::size_t k = 1; k < len; ++k) {
        if (k >= s.size())
            return std::string_view::npos;
        const unsigned char min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xbf;
        if (p[k] < min || p[k] > max)
            return 0;
    }
    return len;
}

errc check_utf8text(std::string_view s) noexcept {
    for (std::size_t i = first_special_octet(s, 0); i < s.size(); i = first_special_octet(s, i)) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            const auto n = utf8_sequence_length(s.substr(i));
            if (n == 0 || n == std::string_view::npos)
                return errc::bad_header_line;
            i += n;
        } else if (c == '\t') {
            ++i;
        } else {
            return c == 0 ? errc::nul_byte : c == '\r' ? errc::bare_cr : errc::bad_header_line;
        }
    }
    return errc{};
}

namespace {

bool is_quoted_string(std::string_view s) noexcept {
    if (s.size() < 2 || s.front() != '"' || s.back() != '"')
        return false;
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
        if (s[i] == '\\') {
            if (i + 2 >= s.size())
                return false;
            ++i;
        } else if (s[i] == '"') {
            return false;
        }
    }
    return true;
}

} // namespace

bool is_valid_content_type(std::string_view s) noexcept {
    // Split on ';' outside quoted strings.
    bool first = true;
    while (true) {
        std::size_t i = 0;
        bool quoted = false;
        for (; i < s.size(); ++i) {
            if (s[i] == '"')
                quoted = !quoted;
            else if (s[i] == '\\' && quoted)
                ++i;
            else if (s[i] == ';' && !quoted)
                break;
        }
        const auto part = trim_ows(s.substr(0, i));
        if (first) {
            const auto slash = part.find('/');
            if (slash == std::string_view::npos || !is_token(part.substr(0, slash)) ||
                !is_token(part.substr(slash + 1)))
                return false;
            first = false;
        } else {
            const auto eq = part.find('=');
            if (!is_token(trim_ows(part.substr(0, eq))))
                return false;
            if (eq != std::string_view::npos) {
                const auto value = trim_ows(part.substr(eq + 1));
                if (!is_token(value) && !is_quoted_string(value))
                    return false;
            }
        }
        if (i >= s.size())
            return true;
        s.remove_prefix(i + 1);
    }
}

bool parse_status_value(std::string_view s, int& ns, int& code, std::string_view& comment) noexcept {
    if (s.size() < 7 || s[3] != ' ')
        return false;
    for (std::size_t i : {0, 1, 2, 4, 5, 6})
        if (!is_digit(s[i]))
            return false;
    if (s.size() > 7 && s[7] != ' ')
        return false;
    ns = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    code = (s[4] - '0') * 100 + (s[5] - '0') * 10 + (s[6] - '0');
    comment = s.size() > 8 ? s.substr(8) : std::string_view{};
    return true;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

} // namespace msrp::detail
