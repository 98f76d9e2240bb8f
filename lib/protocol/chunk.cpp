#include <msrp/protocol/chunk.hpp>

#include "../detail/ascii.hpp"
#include "../detail/text_checks.hpp"

#include <algorithm>
#include <limits>

namespace msrp {

using detail::iequals;

const std::string* Chunk::find_header(std::string_view name) const noexcept {
    for (const auto& h : headers)
        if (iequals(h.name, name))
            return &h.value;
    return nullptr;
}

std::optional<std::string> Chunk::header(std::string_view name) const {
    if (const auto* v = find_header(name))
        return *v;
    return std::nullopt;
}

void Chunk::set_header(std::string_view name, std::string value) {
    auto it = std::find_if(headers.begin(), headers.end(),
                           [&](const Header& h) { return iequals(h.name, name); });
    if (it == headers.end()) {
        add_header(name, std::move(value));
        return;
    }
    it->value = std::move(value);
    headers.erase(std::remove_if(std::next(it), headers.end(),
                                 [&](const Header& h) { return iequals(h.name, name); }),
                  headers.end());
}

void Chunk::add_header(std::string_view name, std::string value) {
    // RFC 4975 §9: Content-Type is the last header field.
    auto pos = headers.end();
    if (!iequals(name, "Content-Type"))
        pos = std::find_if(headers.begin(), headers.end(),
                           [](const Header& h) { return iequals(h.name, "Content-Type"); });
    headers.insert(pos, Header{std::string(name), std::move(value)});
}

bool Chunk::remove_header(std::string_view name) {
    const auto before = headers.size();
    headers.erase(std::remove_if(headers.begin(), headers.end(),
                                 [&](const Header& h) { return iequals(h.name, name); }),
                  headers.end());
    return headers.size() != before;
}

namespace {

std::optional<Path> path_of(const Chunk& c, std::string_view name) {
    const auto* v = c.find_header(name);
    Path p;
    if (!v || parse_path(*v, p))
        return std::nullopt;
    return p;
}

std::optional<std::uint32_t> seconds_of(const Chunk& c, std::string_view name) {
    const auto* v = c.find_header(name);
    std::uint64_t s = 0;
    if (!v || !detail::parse_u64(*v, s) || s > std::numeric_limits<std::uint32_t>::max())
        return std::nullopt;
    return static_cast<std::uint32_t>(s);
}

} // namespace

std::optional<Path> Chunk::to_path() const { return path_of(*this, "To-Path"); }
std::optional<Path> Chunk::from_path() const { return path_of(*this, "From-Path"); }
std::optional<Path> Chunk::use_path() const { return path_of(*this, "Use-Path"); }
std::optional<std::uint32_t> Chunk::expires() const { return seconds_of(*this, "Expires"); }
std::optional<std::uint32_t> Chunk::min_expires() const { return seconds_of(*this, "Min-Expires"); }
std::optional<std::uint32_t> Chunk::max_expires() const { return seconds_of(*this, "Max-Expires"); }

std::optional<ByteRange> Chunk::byte_range() const {
    const auto* v = find_header("Byte-Range");
    ByteRange r;
    if (!v || ByteRange::parse(*v, r))
        return std::nullopt;
    return r;
}

std::optional<StatusHeader> Chunk::status() const {
    const auto* v = find_header("Status");
    StatusHeader s;
    std::string_view comment;
    if (!v || !detail::parse_status_value(*v, s.ns, s.code, comment))
        return std::nullopt;
    s.comment = comment;
    return s;
}

void Chunk::set_content_type(std::string type) {
    remove_header("Content-Type");
    headers.push_back(Header{"Content-Type", std::move(type)});
    has_body = true;
}

void Chunk::set_status(const StatusHeader& s) {
    char digits[8];
    const auto three = [&](int v, char* out) {
        out[0] = static_cast<char>('0' + v / 100 % 10);
        out[1] = static_cast<char>('0' + v / 10 % 10);
        out[2] = static_cast<char>('0' + v % 10);
    };
    three(s.ns, digits);
    digits[3] = ' ';
    three(s.code, digits + 4);
    std::string value(digits, 7);
    if (!s.comment.empty()) {
        value += ' ';
        value += s.comment;
    }
    set_header("Status", std::move(value));
}

} // namespace msrp
