#pragma once
/// \file
/// MSRP paths: space-separated URI lists (To-Path, From-Path, Use-Path, SDP a=path).

#include <msrp/protocol/error.hpp>
#include <msrp/protocol/uri.hpp>

#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace msrp {

/// A list of URIs; for To-Path the leftmost is the next hop and the
/// rightmost the target (RFC 4975 §5.2).
using Path = std::vector<URI>;

/// Parses a path (URIs separated by single SP, RFC 4975 §9). Errors:
/// `errc::bad_uri` (also for an empty path or an empty element).
std::error_code parse_path(std::string_view text, Path& out);
/// Throws `std::system_error` on failure.
Path parse_path(std::string_view text);

/// Checks a path without allocating; calls `visit(const uri_view&)` per URI
/// when given. Errors: `errc::bad_uri`.
template <class Visitor>
std::error_code for_each_uri(std::string_view text, Visitor&& visit) noexcept;

std::string format_path(const Path& path);
void append_path(std::string& out, const Path& path);

/// RFC 4975 §6.1 equivalence, element by element.
bool paths_equivalent(const Path& a, const Path& b) noexcept;

// ---------------------------------------------------------------------------

template <class Visitor>
std::error_code for_each_uri(std::string_view text, Visitor&& visit) noexcept {
    if (text.empty())
        return make_error_code(errc::bad_uri);
    for (;;) {
        const auto sp = text.find(' ');
        uri_view v;
        if (auto ec = parse_uri_view(text.substr(0, sp), v))
            return ec;
        visit(v);
        if (sp == std::string_view::npos)
            return {};
        text.remove_prefix(sp + 1);
    }
}

} // namespace msrp
