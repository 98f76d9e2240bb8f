#include <msrp/protocol/chunk_serializer.hpp>
#include <msrp/protocol/random_ident.hpp>

#include "../detail/ascii.hpp"
#include "../detail/text_checks.hpp"

#include <cstring>

namespace msrp {
namespace {

using namespace detail;

constexpr std::string_view hyphens = "-------";

bool is_header_name(std::string_view s) noexcept {
    if (s.empty() || !is_alpha(static_cast<unsigned char>(s[0])))
        return false;
    for (unsigned char c : s)
        if (!is_token_char(c))
            return false;
    return true;
}

// utf8text (RFC 4975 §9): what is written here must parse again.
bool is_header_value(std::string_view s) noexcept {
    return check_utf8text(s) == errc{};
}

} // namespace

bool end_line_collides(std::string_view body, std::string_view transaction_id) noexcept {
    // Every end-line starts with seven hyphens, and a transaction id starts
    // with a letter or digit, so only the last seven hyphens of a run can
    // start one. memchr skips the (usually hyphen-free) rest at memory speed.
    // Any "-------<tid><flag>" counts, even where no CRLF surrounds it: a lax
    // receiver might take it.
    if (body.empty())
        return false; // also: memchr must not see the null data() of an empty view
    const char* p = body.data();
    const char* const end = p + body.size();
    while ((p = static_cast<const char*>(std::memchr(p, '-', static_cast<std::size_t>(end - p))))) {
        const char* run_end = p;
        while (run_end < end && *run_end == '-')
            ++run_end;
        if (run_end - p >= static_cast<std::ptrdiff_t>(hyphens.size())) {
            const std::string_view after(run_end, static_cast<std::size_t>(end - run_end));
            if (after.size() > transaction_id.size() && after.substr(0, transaction_id.size()) == transaction_id) {
                const char flag = after[transaction_id.size()];
                if (flag == '$' || flag == '+' || flag == '#')
                    return true;
            }
        }
        p = run_end;
    }
    return false;
}

std::string choose_transaction_id(std::string_view body) {
    for (;;) {
        auto id = random_ident();
        if (!end_line_collides(body, id))
            return id;
    }
}

std::error_code serialize(const Chunk& chunk, serialized_chunk& out) {
    return serialize(chunk, chunk.data, out);
}

std::error_code serialize(const Chunk& chunk, std::string_view body, serialized_chunk& out) {
    const auto bad = make_error_code(errc::invalid_argument);
    const auto& tid = chunk.transaction_id;
    if (!is_ident(tid, 64))
        return bad;
    const bool response = chunk.is_response();
    if (response) {
        if (chunk.code < 0 || chunk.code > 999 || chunk.has_body || !is_header_value(chunk.comment))
            return bad;
    } else {
        for (unsigned char c : chunk.method)
            if (!is_upper(c))
                return bad;
    }
    if (!chunk.has_body && !body.empty())
        return bad;
    if (chunk.has_body && end_line_collides(body, tid))
        return errc::end_line_in_body;

    const char flag = chunk.contflag;
    if (flag != '$' && flag != '+' && flag != '#')
        return bad;

    // One pass: each field is checked as it is written (on an error the
    // head is left half written; the caller gets the error, not the head).
    auto& head = out.head;
    head.clear();
    if (response)
        wire::append_response_line(head, tid, chunk.code, chunk.comment);
    else
        wire::append_request_line(head, tid, chunk.method);
    for (const auto& h : chunk.headers) {
        if (!is_header_name(h.name) || !is_header_value(h.value))
            return bad;
        wire::append_header(head, h.name, h.value);
    }
    if (chunk.has_body)
        wire::append_body_separator(head);
    out.body = chunk.has_body ? body : std::string_view{};
    out.tail_len = wire::write_end_line(out.tail.data(), chunk.has_body, tid, flag);
    return {};
}



std::string serialized_chunk::to_string() const {
    std::string s;
    s.reserve(size());
    for (auto b : buffers())
        s += b;
    return s;
}

std::string to_wire(const Chunk& chunk) {
    serialized_chunk s;
    if (auto ec = serialize(chunk, s))
        throw std::system_error(ec, "msrp::to_wire");
    return s.to_string();
}

} // namespace msrp
