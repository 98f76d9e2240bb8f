#include <msrp/protocol/accept_types.hpp>

#include "../detail/ascii.hpp"

namespace msrp {

namespace {

constexpr bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

constexpr std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

/// A media type reduced to `type/subtype` (parameters and surrounding
/// whitespace dropped). `valid` is false when the type or subtype is
/// missing or not a token; a `*` type or subtype is kept as written.
struct media_type {
    std::string_view type;
    std::string_view subtype;
    bool valid = false;
};

media_type split_media_type(std::string_view text) noexcept {
    // Parameters start at the first ';' (a ';' cannot occur in a token).
    text = trim(text.substr(0, text.find(';')));
    media_type m;
    const auto slash = text.find('/');
    if (slash == std::string_view::npos)
        return m;
    m.type = text.substr(0, slash);
    m.subtype = text.substr(slash + 1);
    m.valid = detail::is_token(m.type) && detail::is_token(m.subtype);
    return m;
}

bool matches(std::string_view entry_text, const media_type& ct) noexcept {
    const auto entry = trim(entry_text);
    if (entry == "*")
        return true;
    const auto e = split_media_type(entry);
    if (!e.valid)
        return false;
    if (!ct.valid)
        return false;
    if (e.type == "*")
        return e.subtype == "*"; // "*/*"; "*/plain" is not a format-entry
    if (!detail::iequals(e.type, ct.type))
        return false;
    return e.subtype == "*" || detail::iequals(e.subtype, ct.subtype);
}

} // namespace

bool content_type_accepted(std::string_view content_type, std::span<const std::string> accept_types) noexcept {
    auto ct = split_media_type(content_type);
    // A wildcard names a range of types, not the type of a body.
    if (ct.type == "*" || ct.subtype == "*")
        ct.valid = false;
    for (const auto& entry : accept_types)
        if (matches(entry, ct))
            return true;
    return false;
}

std::vector<std::string> parse_accept_types(std::string_view sdp_value) {
    std::vector<std::string> entries;
    std::size_t i = 0;
    while (i < sdp_value.size()) {
        while (i < sdp_value.size() && is_space(sdp_value[i]))
            ++i;
        const std::size_t start = i;
        while (i < sdp_value.size() && !is_space(sdp_value[i]))
            ++i;
        if (i > start)
            entries.emplace_back(sdp_value.substr(start, i - start));
    }
    return entries;
}

} // namespace msrp
