#include <msrp/protocol/chunk_reader.hpp>

namespace msrp {

void copy_head(const chunk_head& head, Chunk& out) {
    out.transaction_id.assign(head.transaction_id);
    out.method.assign(head.method);
    out.code = head.status_code;
    out.comment.assign(head.comment);
    // Assign in place: a chunk reused for the next one keeps its buffers.
    out.headers.resize(head.header_count);
    for (std::size_t i = 0; i < head.header_count; ++i) {
        out.headers[i].name.assign(head.headers[i].name);
        out.headers[i].value.assign(head.headers[i].value);
    }
    out.has_body = head.has_body;
    out.contflag = contflag::complete;
    out.data.clear();
}

chunk_reader::chunk_reader(parser_options options, std::uint64_t max_body_bytes)
    : demux_(options, max_body_bytes) {}

std::error_code chunk_reader::feed(std::string_view bytes) {
    if (error_)
        return error_;
    // Drop what the parser consumed; unconsumed bytes keep their order and
    // the parser's offsets into them stay valid.
    pending_.erase(0, pending_begin_);
    pending_begin_ = 0;
    pending_.append(bytes);
    return run();
}

std::error_code chunk_reader::run() {
    for (;;) {
        const auto r = demux_.step(std::string_view(pending_).substr(pending_begin_), chunk_demux::reader{});
        pending_begin_ += r.consumed;
        switch (r.event) {
        case demux_event::need_more:
            return {};
        case demux_event::chunk:
            demux_.take(ready_.emplace_back(), r.to); // into its place: no move of a whole chunk
            break;
        case demux_event::error:
            error_ = r.ec;
            return error_;
        case demux_event::head:
        case demux_event::body:
        case demux_event::segment:         // not asked for
        case demux_event::unknown_session: // one session: every chunk is its own
        case demux_event::skipped:
            break;
        }
    }
}

std::optional<Chunk> chunk_reader::next() {
    if (ready_begin_ == ready_.size())
        return std::nullopt;
    auto c = std::move(ready_[ready_begin_++]);
    if (ready_begin_ == ready_.size()) {
        ready_.clear();
        ready_begin_ = 0;
    }
    return c;
}

std::error_code chunk_reader::finish() const noexcept {
    if (error_)
        return error_;
    return demux_.finish(pending_.size() - pending_begin_);
}

std::error_code parse_chunk(std::string_view bytes, Chunk& out, parser_options options) {
    chunk_parser parser(options);
    std::size_t pos = 0;
    Chunk chunk;
    for (;;) {
        const auto r = parser.parse(bytes.substr(pos));
        pos += r.consumed;
        switch (r.event) {
        case parse_event::need_more:
            if (auto ec = parser.finish(bytes.size() - pos))
                return ec;
            return errc::truncated;
        case parse_event::head:
            copy_head(parser.head(), chunk);
            break;
        case parse_event::body:
            chunk.data.append(r.body);
            break;
        case parse_event::end:
            if (pos != bytes.size())
                return errc::trailing_data;
            chunk.contflag = parser.continuation_flag();
            out = std::move(chunk);
            return {};
        case parse_event::error:
            return r.ec;
        }
    }
}

} // namespace msrp
