#include <msrp/protocol/error.hpp>
#include <msrp/protocol/uri.hpp>

#include "../detail/ascii.hpp"

#include <array>
#include <cstring>
#include <stdexcept>

namespace msrp {
namespace {

using namespace detail;

constexpr bool is_unreserved(unsigned char c) noexcept { return has_class(c, cc_unreserved); }

// reg-name / userinfo: *( unreserved / pct-encoded / sub-delims ). RFC 4975
// has no password, so ':' is not allowed in userinfo.
bool is_reg_name(std::string_view s, bool allow_empty) noexcept {
    if (s.empty())
        return allow_empty;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (has_class(c, cc_unreserved | cc_sub_delim))
            continue;
        if (c != '%' || i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
            return false;
        i += 2;
    }
    return true;
}

// dec-octet "." dec-octet "." dec-octet "." dec-octet, without leading zeros.
bool parse_ipv4(std::string_view s, std::array<unsigned char, 4>& out) noexcept {
    std::size_t part = 0;
    std::size_t i = 0;
    while (part < 4) {
        std::size_t begin = i;
        unsigned value = 0;
        while (i < s.size() && is_digit(s[i]) && i - begin < 3)
            value = value * 10 + (s[i++] - '0');
        const std::size_t len = i - begin;
        if (len == 0 || value > 255 || (len > 1 && s[begin] == '0'))
            return false;
        out[part++] = static_cast<unsigned char>(value);
        if (part < 4) {
            if (i >= s.size() || s[i] != '.')
                return false;
            ++i;
        }
    }
    return i == s.size();
}

bool parse_ipv6(std::string_view s, std::array<unsigned char, 16>& out) noexcept {
    std::array<std::uint16_t, 8> groups{};
    int count = 0;
    int gap = -1; // index in groups where "::" stands
    std::size_t i = 0;
    if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (!s.empty() && s[0] == ':') {
        return false;
    }
    while (i < s.size()) {
        if (count == 8)
            return false;
        // An embedded IPv4 address ends the address.
        const auto rest = s.substr(i);
        if (rest.find('.') != std::string_view::npos && rest.find(':') == std::string_view::npos) {
            std::array<unsigned char, 4> v4{};
            if (count > 6 || !parse_ipv4(rest, v4))
                return false;
            groups[count++] = static_cast<std::uint16_t>(v4[0] << 8 | v4[1]);
            groups[count++] = static_cast<std::uint16_t>(v4[2] << 8 | v4[3]);
            i = s.size();
            break;
        }
        std::size_t begin = i;
        unsigned value = 0;
        while (i < s.size() && is_hex(s[i]) && i - begin < 4) {
            const auto c = static_cast<unsigned char>(s[i++]);
            value = value * 16 + (is_digit(c) ? c - '0' : (to_lower(c) - 'a' + 10));
        }
        if (i == begin)
            return false;
        groups[count++] = static_cast<std::uint16_t>(value);
        if (i == s.size())
            break;
        if (s[i] != ':')
            return false;
        ++i;
        if (i < s.size() && s[i] == ':') {
            if (gap >= 0)
                return false;
            gap = count;
            ++i;
        } else if (i == s.size()) {
            return false; // trailing single ':'
        }
    }
    if (gap < 0 && count != 8)
        return false;
    if (gap >= 0 && count == 8)
        return false; // "::" must stand for at least one group
    std::array<std::uint16_t, 8> full{};
    if (gap < 0) {
        full = groups;
    } else {
        const int tail = count - gap;
        for (int k = 0; k < gap; ++k)
            full[k] = groups[k];
        for (int k = 0; k < tail; ++k)
            full[8 - tail + k] = groups[gap + k];
    }
    for (int k = 0; k < 8; ++k) {
        out[2 * k] = static_cast<unsigned char>(full[k] >> 8);
        out[2 * k + 1] = static_cast<unsigned char>(full[k] & 0xff);
    }
    return true;
}

bool looks_ipv4(std::string_view host) noexcept {
    for (unsigned char c : host)
        if (!is_digit(c) && c != '.')
            return false;
    return !host.empty();
}

int hex_value(unsigned char c) noexcept {
    return is_digit(c) ? c - '0' : to_lower(c) - 'a' + 10;
}

// Host comparison of RFC 4975 §6.1: addresses as addresses, names
// case-insensitively after decoding percent-encoded octets.
bool hosts_equal(std::string_view a, bool a_v6, std::string_view b, bool b_v6) noexcept {
    if (a_v6 || b_v6) {
        std::array<unsigned char, 16> x{}, y{};
        return a_v6 && b_v6 && parse_ipv6(a, x) && parse_ipv6(b, y) && x == y;
    }
    std::size_t i = 0, j = 0;
    auto next = [](std::string_view s, std::size_t& k) -> int {
        const auto c = static_cast<unsigned char>(s[k]);
        if (c == '%' && k + 2 < s.size()) {
            const int v = hex_value(s[k + 1]) * 16 + hex_value(s[k + 2]);
            k += 3;
            return to_lower(static_cast<unsigned char>(v));
        }
        ++k;
        return to_lower(c);
    };
    while (i < a.size() && j < b.size())
        if (next(a, i) != next(b, j))
            return false;
    return i == a.size() && j == b.size();
}

} // namespace

std::error_code parse_uri_view(std::string_view text, uri_view& out) noexcept {
    const auto bad = make_error_code(errc::bad_uri);
    out = uri_view{};
    std::size_t sep;
    if (text.size() > 7 && iequals(text.substr(0, 7), "msrp://")) {
        sep = 4;
    } else if (text.size() > 8 && iequals(text.substr(0, 8), "msrps://")) {
        sep = 5;
        out.use_tls = true;
    } else {
        return bad;
    }
    auto rest = text.substr(sep + 3);

    // authority ends at '/' (session-id) or ';' (transport).
    std::size_t auth_end = 0;
    while (auth_end < rest.size() && rest[auth_end] != '/' && rest[auth_end] != ';')
        ++auth_end;
    if (auth_end == rest.size())
        return bad; // RFC 4975 §9: the transport is mandatory
    auto authority = rest.substr(0, auth_end);
    rest.remove_prefix(auth_end);

    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        out.user = authority.substr(0, at);
        if (!is_reg_name(out.user, true))
            return bad;
        authority.remove_prefix(at + 1);
    }
    std::string_view port_text;
    bool has_port = false;
    if (!authority.empty() && authority[0] == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return bad;
        out.host = authority.substr(1, close - 1);
        std::array<unsigned char, 16> addr{};
        if (!parse_ipv6(out.host, addr))
            return bad;
        out.host_is_ipv6 = true;
        const auto tail = authority.substr(close + 1);
        if (!tail.empty()) {
            if (tail[0] != ':')
                return bad;
            port_text = tail.substr(1);
            has_port = true;
        }
    } else {
        const auto colon = authority.rfind(':');
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            has_port = true;
            authority = authority.substr(0, colon);
        }
        out.host = authority;
        if (!is_reg_name(out.host, false))
            return bad;
        if (looks_ipv4(out.host)) {
            std::array<unsigned char, 4> addr{};
            if (!parse_ipv4(out.host, addr))
                return bad;
            out.host_is_ipv4 = true;
        }
    }
    if (has_port) {
        std::uint64_t port = 0;
        if (!parse_u64(port_text, port) || port == 0 || port > 65535)
            return bad;
        out.port = static_cast<std::uint16_t>(port);
    }
    // RFC 4975 §6: a numeric IP address needs an explicit port.
    if ((out.host_is_ipv4 || out.host_is_ipv6) && !has_port)
        return bad;

    if (rest[0] == '/') {
        const auto semi = rest.find(';');
        if (semi == std::string_view::npos)
            return bad;
        out.session_id = rest.substr(1, semi - 1);
        // session-id = 1*( unreserved / "+" / "=" / "/" )
        if (out.session_id.empty())
            return bad;
        for (unsigned char c : out.session_id)
            if (!is_unreserved(c) && c != '+' && c != '=' && c != '/')
                return bad;
        rest.remove_prefix(semi);
    }
    // rest starts with ';': transport = "tcp" / 1*ALPHANUM
    rest.remove_prefix(1);
    const auto semi = rest.find(';');
    out.transport = rest.substr(0, semi);
    if (out.transport.empty())
        return bad;
    for (unsigned char c : out.transport)
        if (!is_alnum(c))
            return bad;
    if (semi != std::string_view::npos) {
        out.parameters = rest.substr(semi + 1);
        // URI-parameter = token ["=" token]
        auto params = out.parameters;
        for (;;) {
            const auto end = params.find(';');
            const auto param = params.substr(0, end);
            const auto eq = param.find('=');
            if (!is_token(param.substr(0, eq)))
                return bad;
            if (eq != std::string_view::npos && !is_token(param.substr(eq + 1)))
                return bad;
            if (end == std::string_view::npos)
                break;
            params.remove_prefix(end + 1);
        }
    }
    return {};
}

bool uri_equivalent(const uri_view& a, const uri_view& b) noexcept {
    return a.use_tls == b.use_tls && a.port == b.port && a.session_id == b.session_id &&
           iequals(a.transport, b.transport) &&
           hosts_equal(a.host, a.host_is_ipv6, b.host, b.host_is_ipv6);
}

URI URI::from_view(const uri_view& v) {
    URI u;
    u.use_tls = v.use_tls;
    u.user = v.user;
    u.host = v.host;
    u.port = v.port;
    u.session_id = v.session_id;
    u.transport = v.transport;
    auto params = v.parameters;
    while (!params.empty()) {
        const auto end = params.find(';');
        u.parameters.emplace_back(params.substr(0, end));
        if (end == std::string_view::npos)
            break;
        params.remove_prefix(end + 1);
    }
    return u;
}

std::error_code URI::parse(std::string_view text, URI& out) {
    uri_view v;
    if (auto ec = parse_uri_view(text, v))
        return ec;
    out = from_view(v);
    return {};
}

URI URI::parse(std::string_view text) {
    URI u;
    if (auto ec = parse(text, u))
        throw std::system_error(ec, std::string("MSRP URI '").append(text).append("'"));
    return u;
}

void URI::append_to(std::string& out) const {
    out += use_tls ? "msrps://" : "msrp://";
    if (!user.empty()) {
        out += user;
        out += '@';
    }
    if (host.find(':') != std::string::npos) {
        out += '[';
        out += host;
        out += ']';
    } else {
        out += host;
    }
    if (port) {
        out += ':';
        out += std::to_string(port);
    }
    if (!session_id.empty()) {
        out += '/';
        out += session_id;
    }
    out += ';';
    out += transport;
    for (const auto& p : parameters) {
        out += ';';
        out += p;
    }
}

std::string URI::to_string() const {
    std::string s;
    append_to(s);
    return s;
}

bool operator==(const URI& a, const URI& b) noexcept {
    const bool a_v6 = a.host.find(':') != std::string::npos;
    const bool b_v6 = b.host.find(':') != std::string::npos;
    return a.use_tls == b.use_tls && a.port == b.port && a.session_id == b.session_id &&
           detail::iequals(a.transport, b.transport) && hosts_equal(a.host, a_v6, b.host, b_v6);
}

} // namespace msrp
