#include <msrp/protocol/chunk_serializer.hpp>
#include <msrp/protocol/error.hpp>
#include <msrp/protocol/make_chunk.hpp>
#include <msrp/protocol/random_ident.hpp>

namespace msrp {

Chunk make_chunk(const Path& to_path, const Path& from_path, const make_chunk_params& p) {
    Chunk c;
    c.transaction_id = p.transaction_id ? *p.transaction_id : choose_transaction_id(p.data);
    if (p.code) {
        c.code = *p.code;
        c.comment = p.comment;
    } else {
        c.method = p.method;
    }
    c.set_to_path(to_path);
    c.set_from_path(from_path);
    if (c.is_response()) {
        c.contflag = p.contflag.value_or(contflag::complete);
        return c;
    }

    const bool is_send = c.method == "SEND";
    const bool is_report = c.method == "REPORT";
    if (is_send || is_report || p.message_id)
        c.set_message_id(p.message_id ? *p.message_id : random_ident());

    const std::uint64_t end = p.end.value_or(p.start - 1 + p.data.size());
    const std::uint64_t length = p.length.value_or(p.start - 1 + p.data.size());
    if (is_send || (is_report && (p.end || p.length)))
        c.set_byte_range(ByteRange{p.start, end, length});
    // RFC 4975 §7.1: a chunk that does not end the message ends with '+'.
    c.contflag = p.contflag.value_or(is_send && end != length ? contflag::more : contflag::complete);

    if (p.content_type)
        c.set_content_type(*p.content_type);
    else if (!p.data.empty())
        c.set_content_type("text/plain");
    c.data = p.data;
    return c;
}

Chunk make_response(const Chunk& request, int code, const URI& local, std::string comment) {
    Chunk r;
    r.transaction_id = request.transaction_id;
    r.code = code;
    r.comment = comment.empty() ? std::string(status_comment(code)) : std::move(comment);
    Path to;
    if (auto from = request.from_path(); from && !from->empty())
        to.push_back(from->front());
    r.set_to_path(to);
    r.set_from_path(Path{local});
    return r;
}

} // namespace msrp
