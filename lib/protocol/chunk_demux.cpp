#include <msrp/protocol/chunk_demux.hpp>
#include <msrp/protocol/chunk_reader.hpp>
#include <msrp/protocol/path.hpp>

#include <algorithm>
#include <string>
#include <utility>

namespace msrp {
namespace {

chunk_demux::result emit(demux_event event, std::string_view wire = {}, chunk_demux::slot to = chunk_demux::no_slot) {
    chunk_demux::result r;
    r.event = event;
    r.consumed = wire.size();
    r.wire = wire;
    r.to = to;
    return r;
}

} // namespace

chunk_demux::chunk_demux(parser_options options, std::uint64_t max_chunk_body_bytes)
    : parser_(options), max_chunk_body_bytes_(max_chunk_body_bytes) {}

chunk_demux::result chunk_demux::step(std::string_view input, const reader& who, const router& routes) {
    return advance(input, who, &routes);
}

chunk_demux::result chunk_demux::step(std::string_view input, const reader& who) {
    return advance(input, who, nullptr);
}

chunk_demux::result chunk_demux::advance(std::string_view input, const reader& who, const router* routes) {
    if (ready_ != ready::none)
        drop_ready();
    if (state_ == state::failed)
        return fail(error_);
    const auto r = parser_.parse(input);
    switch (r.event) {
    case parse_event::need_more:
        // A segment goes out only when the next bytes are not there yet,
        // so a chunk that is complete in the input comes out whole.
        if (state_ == state::segmented && owner_ == who.id && who.segment_bytes &&
            chunk_.data.size() > *who.segment_bytes) {
            ready_ = ready::segment;
            ready_to_ = owner_;
            last_segment_ = false;
            return emit(demux_event::segment, {}, owner_);
        }
        return emit(demux_event::need_more);
    case parse_event::head:
        return on_head(input.substr(0, r.consumed), who, routes);
    case parse_event::body:
        if (state_ == state::skipping)
            return emit(demux_event::body, r.body); // the rest of a chunk whose session left
        if (state_ == state::whole && chunk_.data.size() + r.body.size() > max_chunk_body_bytes_)
            return fail(errc::body_too_large, r.body);
        chunk_.data.append(r.body);
        return emit(demux_event::body, r.body);
    case parse_event::end:
        return on_end(input.substr(0, r.consumed), who, routes);
    case parse_event::error:
        break;
    }
    return fail(r.ec);
}

chunk_demux::result chunk_demux::on_head(std::string_view wire, const reader& who, const router* routes) {
    const chunk_head& head = parser_.head();
    previous_taker_ = taker_;
    taker_ = no_slot;
    head_same_paths_ = head.same_paths_as_previous;
    const slot to = route(head, who, routes);
    copy_head(head, chunk_);
    chunk_.segment = 0;
    chunk_.end_of_chunk = true;
    chunk_.answered = false;
    chunk_.same_paths_as_previous = false;
    std::uint64_t reserve_cap = max_chunk_body_bytes_;
    if (to != no_slot && to == who.id && who.segment_bytes) {
        state_ = state::segmented;
        owner_ = to;
        announced_ = head.has_byte_range ? head.byte_range : ByteRange{};
        next_segment_start_ = announced_.start;
        reserve_cap = *who.segment_bytes + 1;
    } else {
        // Unknown (no_slot) too: the caller offers it when it ends.
        state_ = state::whole;
        dest_ = to;
        dest_unknown_ = to == no_slot;
        dest_left_ = false;
    }
    // One allocation for the body the Byte-Range announces (bounded: the
    // peer's number is only a hint), not one per doubling.
    if (head.has_byte_range && head.byte_range.end != ByteRange::unknown &&
        head.byte_range.end + 1 > head.byte_range.start) {
        const auto announced = head.byte_range.end + 1 - head.byte_range.start;
        chunk_.data.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(announced, reserve_cap)));
    }
    return emit(demux_event::head, wire);
}

chunk_demux::slot chunk_demux::route(const chunk_head& head, const reader& who, const router* routes) {
    // The usual case, one session and nobody to offer strangers to, costs nothing.
    if (!routes)
        return who.id;
    if (!routes->routes_by_to_path()) {
        last_route_ = no_slot;
        return routes->fallback_session(who.id);
    }
    // A session's chunks repeat their paths byte for byte, and the parser
    // has compared them with the previous chunk's already: most chunks are
    // routed without parsing the To-Path.
    if (head.same_paths_as_previous && last_route_ != no_slot)
        return last_route_;
    last_route_ = no_slot;
    // RFC 4975 §7.3: the request is for the session whose URI the To-Path
    // names (at an endpoint the To-Path has that URI alone); a response's
    // To-Path names the session that sent the request.
    Path to;
    if (parse_path(head.to_path, to) || to.empty())
        return routes->fallback_session(who.id);
    last_route_ = routes->find_session(to.front());
    return last_route_;
}

chunk_demux::result chunk_demux::on_end(std::string_view wire, const reader& who, const router* routes) {
    chunk_.contflag = parser_.continuation_flag();
    const state was = state_;
    state_ = state::between;
    if (was == state::segmented) {
        ready_to_ = owner_;
        if (chunk_.segment > 0) {
            ready_ = ready::segment;
            last_segment_ = true;
            return emit(demux_event::segment, wire, owner_);
        }
        ready_ = ready::whole;
        return emit(demux_event::chunk, wire, owner_);
    }
    if (was == state::skipping) {
        chunk_.data.clear();
        return emit(demux_event::skipped, wire);
    }
    if (dest_unknown_) {
        ready_ = ready::whole;
        ready_to_ = no_slot;
        return emit(demux_event::unknown_session, wire);
    }
    // Its session may have left while the chunk was read.
    const slot to = !dest_left_ ? dest_ : routes ? routes->fallback_session(who.id) : who.id;
    if (to == no_slot)
        return emit(demux_event::skipped, wire);
    ready_ = ready::whole;
    ready_to_ = to;
    return emit(demux_event::chunk, wire, to);
}

void chunk_demux::take(IncomingChunk& out, slot to) {
    if (ready_ == ready::none)
        return;
    // The paths are the previous chunk's (the parser compared them) and the
    // previous chunk went to the same session: what it decided holds.
    const bool first_piece = ready_ == ready::whole || chunk_.segment == 0;
    chunk_.same_paths_as_previous =
        to != no_slot && (first_piece ? head_same_paths_ && to == previous_taker_ : to == taker_);
    taker_ = to;
    if (ready_ == ready::whole) {
        // Swapped, not moved: the next head is copied into the buffers the
        // reader's last chunk left, so a reader that keeps its chunk
        // (responses, most of all) reads without allocating.
        using std::swap;
        swap(out, chunk_);
    } else {
        ++chunk_.segment;
        const ByteRange range = next_segment_range();
        // The bytes go to `out`, and the buffer `out` held takes the next
        // segment's: no allocation per segment once warm.
        std::string body = std::move(chunk_.data);
        chunk_.data = std::move(out.data);
        chunk_.data.clear();
        out = chunk_;
        out.data = std::move(body);
        out.set_byte_range(range);
        out.end_of_chunk = last_segment_;
        if (!last_segment_)
            out.contflag = contflag::more;
    }
    ready_ = ready::none;
}

ByteRange chunk_demux::next_segment_range() noexcept {
    // A segment's Byte-Range covers the bytes it carries and stays well
    // formed whatever the peer announced: bytes past the announced total
    // (the peer's mistake, which reassembly then finds) make the total
    // unknown, and positions near 2^64 saturate instead of wrapping.
    constexpr auto unknown = ByteRange::unknown;
    const std::uint64_t size = chunk_.data.size();
    const std::uint64_t start = next_segment_start_;
    const bool overflows = start > unknown - size;
    ByteRange r{start, overflows ? unknown : start + size - 1, announced_.total};
    // The last one ends where the chunk said it ends, so that a body that
    // does not match its Byte-Range reads the same in segments as whole.
    if (last_segment_ && announced_.end != unknown && announced_.end + 1 >= start)
        r.end = announced_.end;
    if (size == 0)
        r.end = start - 1;
    if (r.total != unknown && (r.end != unknown ? r.end > r.total : start > r.total + 1))
        r.total = unknown;
    next_segment_start_ = overflows ? unknown : start + size;
    return r;
}

void chunk_demux::drop_ready() noexcept {
    // Nobody took it: its bytes are gone, and no later chunk may count on
    // its paths.
    if (ready_ == ready::segment) {
        ++chunk_.segment;
        next_segment_range();
        chunk_.data.clear();
    }
    taker_ = no_slot;
    ready_ = ready::none;
}

void chunk_demux::session_left(slot s) noexcept {
    forget_routes();
    if (state_ == state::segmented && owner_ == s) {
        state_ = state::skipping;
        chunk_.data.clear();
    } else if (state_ == state::whole && dest_ == s && !dest_unknown_) {
        dest_left_ = true;
    }
}

void chunk_demux::forget_routes() noexcept {
    last_route_ = no_slot;
    taker_ = no_slot;
    previous_taker_ = no_slot;
}

chunk_demux::result chunk_demux::fail(std::error_code ec, std::string_view wire) {
    state_ = state::failed;
    error_ = ec;
    auto r = emit(demux_event::error, wire);
    r.ec = ec;
    return r;
}

std::error_code chunk_demux::finish(std::size_t unconsumed) const noexcept {
    if (state_ == state::failed)
        return error_;
    return parser_.finish(unconsumed);
}

} // namespace msrp
