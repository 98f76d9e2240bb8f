#include "text_checks.hpp"

#include "ascii.hpp"

namespace msrp::detail {

errc check_utf8text(std::string_view s) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* const end = p + s.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c >= 0x20 && c < 0x7f) {
            ++p;
            continue;
        }
        if (c < 0x80) {
            if (c == '\t') {
                ++p;
                continue;
            }
            if (c == 0)
                return errc::nul_byte;
            if (c == '\r')
                return errc::bare_cr;
            return errc::bad_header_line;
        }
        // UTF-8 (RFC 3629): no overlong forms, no surrogates, at most U+10FFFF.
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
            return errc::bad_header_line;
        }
        if (static_cast<std::size_t>(end - p) < len)
            return errc::bad_header_line;
        if (p[1] < lo || p[1] > hi)
            return errc::bad_header_line;
        for (std::size_t k = 2; k < len; ++k)
            if (p[k] < 0x80 || p[k] > 0xbf)
                return errc::bad_header_line;
        p += len;
    }
    return errc{};
}

namespace {

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

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
        const auto part = trim(s.substr(0, i));
        if (first) {
            const auto slash = part.find('/');
            if (slash == std::string_view::npos || !is_token(part.substr(0, slash)) ||
                !is_token(part.substr(slash + 1)))
                return false;
            first = false;
        } else {
            const auto eq = part.find('=');
            if (!is_token(trim(part.substr(0, eq))))
                return false;
            if (eq != std::string_view::npos) {
                const auto value = trim(part.substr(eq + 1));
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

} // namespace msrp::detail
