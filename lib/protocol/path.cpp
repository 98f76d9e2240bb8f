#include <msrp/protocol/path.hpp>

#include <stdexcept>

namespace msrp {

std::error_code parse_path(std::string_view text, Path& out) {
    Path path;
    auto ec = for_each_uri(text, [&](const uri_view& v) { path.push_back(URI::from_view(v)); });
    if (ec)
        return ec;
    out = std::move(path);
    return {};
}

Path parse_path(std::string_view text) {
    Path p;
    if (auto ec = parse_path(text, p))
        throw std::system_error(ec, std::string("MSRP path '").append(text).append("'"));
    return p;
}

void append_path(std::string& out, const Path& path) {
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (i)
            out += ' ';
        path[i].append_to(out);
    }
}

std::string format_path(const Path& path) {
    std::string s;
    append_path(s, path);
    return s;
}

bool paths_equivalent(const Path& a, const Path& b) noexcept {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!(a[i] == b[i]))
            return false;
    return true;
}

} // namespace msrp
