#include <msrp/protocol/byte_range.hpp>
#include <msrp/protocol/error.hpp>

#include "../detail/ascii.hpp"

namespace msrp {

std::error_code ByteRange::parse(std::string_view text, ByteRange& out) noexcept {
    // byte-range = range-start "-" range-end "/" total
    // range-end / total = 1*DIGIT / "*"
    const auto bad = make_error_code(errc::bad_byte_range);
    const auto dash = text.find('-');
    const auto slash = text.find('/');
    if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash)
        return bad;
    ByteRange r;
    if (!detail::parse_u64(text.substr(0, dash), r.start))
        return bad;
    const auto end = text.substr(dash + 1, slash - dash - 1);
    const auto total = text.substr(slash + 1);
    if (end != "*" && (!detail::parse_u64(end, r.end) || r.end == unknown))
        return bad;
    if (total != "*" && (!detail::parse_u64(total, r.total) || r.total == unknown))
        return bad;
    // RFC 4975 §7.1.1/§9: octets are numbered from 1; an empty range is
    // start-(start-1); the range lies within the total.
    if (r.start < 1)
        return bad;
    if (r.end != unknown && r.end < r.start - 1)
        return bad;
    if (r.total != unknown && r.end != unknown && r.end > r.total)
        return bad;
    if (r.total != unknown && r.start > r.total + 1)
        return bad;
    out = r;
    return {};
}

void ByteRange::append_to(std::string& out) const {
    out += std::to_string(start);
    out += '-';
    if (end == unknown)
        out += '*';
    else
        out += std::to_string(end);
    out += '/';
    if (total == unknown)
        out += '*';
    else
        out += std::to_string(total);
}

std::string ByteRange::to_string() const {
    std::string s;
    append_to(s);
    return s;
}

} // namespace msrp
