#include "connection.hpp"

#include <msrp/protocol/chunk_reader.hpp>
#include <msrp/protocol/chunk_serializer.hpp>

#include <asio/error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include <sys/mman.h>
#include <unistd.h>

namespace msrp::detail {
namespace {

constexpr auto as_tuple_awaitable = asio::experimental::as_tuple(asio::use_awaitable);

// The end-line after a body, as the serializer writes it.
constexpr std::size_t end_line_overhead = 2 + 7 + 64 + 3;

} // namespace

connection::connection(std::unique_ptr<byte_stream> stream, transport_options options)
    : stream_(std::move(stream)),
      options_(std::move(options)),
      parser_(options_.parser),
      read_change_(stream_->get_executor()),
      write_buffer_(std::make_unique<serialized_chunk>()),
      write_done_(stream_->get_executor()) {
    // The buffer holds a whole head while the parser checks it in place.
    buffer_size_ = std::max(options_.read_buffer_bytes,
                            parser_.options().limits.max_header_block_bytes + end_line_overhead);
    // Not zeroed: its pages stay untouched until bytes arrive there, so an
    // idle or quiet connection costs little memory.
    buffer_ = std::make_unique_for_overwrite<char[]>(buffer_size_);
    // The writers' waiters are woken by cancel(); moving the expiry would cancel them too.
    write_done_.expires_at(asio::steady_timer::time_point::max());
}

connection::~connection() = default;

void connection::attach(MSRPTransport& session) {
    sessions_.push_back(&session);
    routes_changed();
}

void connection::detach(MSRPTransport& session) noexcept {
    std::erase(sessions_, &session);
    if (partial_owner_ == &session)
        partial_owner_ = nullptr;
    if (routed_to_ == &session)
        routed_to_ = nullptr;
    routes_changed();
    read_change_.notify();
}

void connection::routes_changed() noexcept {
    last_to_path_.clear();
    last_to_session_ = nullptr;
}

void connection::log_state(connection_state state, std::error_code ec, std::string_view detail) const {
    if (options_.logger)
        options_.logger->on_state(connection_event{state, stream_->info, ec, detail, {}});
}

void connection::fail(std::error_code ec) noexcept {
    if (!error_) {
        error_ = ec;
        log_state(ec == asio::error::eof ? connection_state::closed : connection_state::error, ec);
    }
    stream_->close();
    read_change_.notify();
}

void connection::close() noexcept {
    if (!error_) {
        error_ = asio::error::operation_aborted;
        log_state(connection_state::closed);
    }
    stream_->close();
    read_change_.notify();
}

asio::awaitable<void> connection::shutdown() {
    if (!error_) {
        std::error_code ec;
        co_await stream_->shutdown(ec);
        error_ = asio::error::operation_aborted;
        log_state(connection_state::closed, {}, "shutdown");
    }
    stream_->close();
    read_change_.notify();
}

// ---- writing ---------------------------------------------------------------

asio::awaitable<void> connection::acquire_writer(std::error_code& ec) {
    // Writes queue here so that two chunks' bytes never interleave: each
    // waiter sleeps until the writer before it is done. release_writer()
    // wakes them by cancelling the timer; a cancellation of the waiting
    // operation itself shows in its cancellation state.
    auto cancellation = co_await asio::this_coro::cancellation_state;
    while (writing_) {
        auto [wait_ec] = co_await write_done_.async_wait(as_tuple_awaitable);
        (void)wait_ec;
        if (cancellation.cancelled() != asio::cancellation_type::none) {
            ec = asio::error::operation_aborted;
            co_return;
        }
    }
    writing_ = true;
}

void connection::release_writer() noexcept {
    writing_ = false;
    write_done_.cancel();
}

asio::awaitable<bool> connection::begin_write(std::error_code& ec) {
    ec = {};
    co_await acquire_writer(ec);
    if (ec)
        co_return false;
    if (error_) {
        ec = error_;
        release_writer();
        co_return false;
    }
    co_return true;
}

asio::awaitable<void> connection::finish_write(std::span<const asio::const_buffer> pieces, std::error_code& ec) {
    co_await stream_->write(pieces, ec);
    release_writer();
    if (ec)
        fail(ec);
}

asio::awaitable<void> connection::write(std::span<const std::string_view> buffers, std::error_code& ec) {
    if (!co_await begin_write(ec))
        co_return;
    // Raw bytes: the logger is told a piece starts a chunk when it looks
    // like a start line (callers that know better use write_chunks).
    auto& gather = gather_;
    gather.clear();
    for (auto b : buffers) {
        if (b.empty())
            continue;
        gather.emplace_back(b.data(), b.size());
        if (options_.logger)
            options_.logger->on_data(traffic_direction::out, stream_->info, b, b.starts_with("MSRP "));
    }
    co_await finish_write(gather, ec);
}

asio::awaitable<void> connection::write_chunks(std::span<const std::string_view> pieces,
                                              std::span<const std::size_t> chunk_ends, std::error_code& ec) {
    if (!co_await begin_write(ec))
        co_return;
    // Pieces that lie next to each other in memory (heads and small bodies
    // copied into one buffer) go to the socket as one, so that a batch of
    // small chunks is a few large pieces of one gather write; the logger
    // gets the same runs, but never one that spans two chunks.
    auto& gather = gather_;
    gather.clear();
    std::size_t piece = 0;
    for (const auto end : chunk_ends) {
        bool first = true;
        while (piece < end) {
            std::string_view run = pieces[piece++];
            while (piece < end && run.data() + run.size() == pieces[piece].data())
                run = std::string_view(run.data(), run.size() + pieces[piece++].size());
            if (run.empty())
                continue;
            if (options_.logger)
                options_.logger->on_data(traffic_direction::out, stream_->info, run, first);
            first = false;
            auto* last = gather.empty() ? nullptr : &gather.back();
            if (last && static_cast<const char*>(last->data()) + last->size() == run.data())
                *last = asio::const_buffer(last->data(), last->size() + run.size());
            else
                gather.emplace_back(run.data(), run.size());
        }
    }
    co_await finish_write(gather, ec);
}

asio::awaitable<void> connection::write_chunk(const Chunk& chunk, std::error_code& ec) {
    ec = {};
    co_await acquire_writer(ec);
    if (ec)
        co_return;
    // The head buffer is reused: it belongs to the one writer at a time.
    serialized_chunk& wire = *write_buffer_;
    ec = serialize(chunk, wire);
    if (!ec && error_)
        ec = error_;
    if (ec) {
        release_writer();
        co_return;
    }
    const auto views = wire.buffers();
    if (options_.logger) {
        options_.logger->on_data(traffic_direction::out, stream_->info, views[0], true);
        for (std::size_t i = 1; i < views.size(); ++i)
            if (!views[i].empty())
                options_.logger->on_data(traffic_direction::out, stream_->info, views[i], false);
    }
    const asio::const_buffer pieces[3] = {asio::buffer(views[0]), asio::buffer(views[1]), asio::buffer(views[2])};
    co_await stream_->write(pieces, ec);
    release_writer();
    if (ec)
        fail(ec);
}

// ---- reading ---------------------------------------------------------------

bool connection::inbox_full() const noexcept {
    for (const auto* s : sessions_)
        if (s->inbox_.size() >= options_.max_inbox_chunks)
            return true;
    return false;
}

MSRPTransport* connection::route(const chunk_head& head, MSRPTransport& reader) {
    // The usual case, one session and nobody to offer strangers to, costs nothing.
    if (sessions_.size() <= 1 && !unknown_session_)
        return fallback(reader);
    if (last_to_session_ && head.to_path == last_to_path_)
        return last_to_session_;
    // RFC 4975 §7.3: the request is for the session whose URI the To-Path
    // names (at an endpoint the To-Path has that URI alone); a response's
    // To-Path names the session that sent the request.
    Path to;
    if (parse_path(head.to_path, to) || to.empty())
        return fallback(reader);
    for (auto* s : sessions_) {
        if (s->local_uri() == to.front()) {
            last_to_path_.assign(head.to_path);
            last_to_session_ = s;
            return s;
        }
    }
    return nullptr;
}

MSRPTransport* connection::fallback(MSRPTransport& reader) const noexcept {
    // A chunk for no session goes to one that can answer it (481); a reader
    // that left the connection cannot.
    if (std::find(sessions_.begin(), sessions_.end(), &reader) != sessions_.end())
        return &reader;
    return sessions_.empty() ? nullptr : sessions_.front();
}

bool connection::hand_over(MSRPTransport* to, MSRPTransport& reader, IncomingChunk& out) {
    // The routed chunk goes to the reader's own result, another session's
    // inbox, or (no session left) nowhere. True when the reader got it.
    if (to == &reader) {
        out = std::move(routed_);
        return true;
    }
    if (to)
        to->inbox_.push_back(std::move(routed_));
    return false;
}

asio::awaitable<void> connection::read(MSRPTransport& session, IncomingChunk& out, std::optional<std::size_t> size,
                                       std::error_code& ec) {
    ec = {};
    for (;;) {
        if (!session.inbox_.empty()) {
            out = std::move(session.inbox_.front());
            session.inbox_.pop_front();
            read_change_.notify(); // a reader may be waiting for room
            co_return;
        }
        if (session.closed_) {
            ec = session.closed_;
            co_return;
        }
        if (error_) {
            ec = error_;
            co_return;
        }
        // The socket has one reader at a time; a chunk read in segments
        // keeps it until it ends; a full inbox stops reading (backpressure).
        const bool others_chunk = partial_active_ && partial_owner_ && partial_owner_ != &session;
        if (reader_ || others_chunk || (!partial_active_ && inbox_full())) {
            if (session.read_wait_hook_)
                session.read_wait_hook_();
            if (!co_await read_change_.wait()) {
                ec = asio::error::operation_aborted;
                co_return;
            }
            continue;
        }
        reader_ = &session;
        const bool got = co_await read_one(session, out, size, ec);
        reader_ = nullptr;
        read_change_.notify();
        if (got || ec)
            co_return;
    }
}

asio::awaitable<std::size_t> connection::fill(const std::function<void()>& before_wait, std::error_code& ec) {
    // Unconsumed bytes (a head being read, a possible end-line) move to the
    // front so the read has room.
    if (buffer_begin_ > 0) {
        std::memmove(buffer_.get(), buffer_.get() + buffer_begin_, buffer_end_ - buffer_begin_);
        buffer_end_ -= buffer_begin_;
        buffer_begin_ = 0;
    }
    // Cannot happen while the buffer is larger than the parser's head limit
    // (the constructor sees to it); a read into no room would spin.
    if (buffer_end_ == buffer_size_) {
        ec = errc::header_block_too_large;
        co_return 0;
    }
    if (buffer_end_ == 0)
        release_buffer_pages();
    const auto n = co_await stream_->read_some(asio::buffer(buffer_.get() + buffer_end_, buffer_size_ - buffer_end_),
                                               before_wait, ec);
    buffer_end_ += n;
    buffer_touched_ = std::max(buffer_touched_, buffer_end_);
    co_return n;
}

void connection::release_buffer_pages() noexcept {
    // A burst fills the buffer far beyond what quiet traffic uses, and the
    // pages it touched would stay with the connection for good. Once the
    // buffer is empty they go back to the kernel, all but the first
    // `kept_buffer_bytes`, at most once a second: a bulk transfer, which
    // empties the buffer all the time, would otherwise fault its pages in
    // again on every read.
    if (buffer_touched_ <= kept_buffer_bytes)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (now - buffer_released_at_ < std::chrono::seconds(1))
        return;
    buffer_released_at_ = now;
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto begin = reinterpret_cast<std::uintptr_t>(buffer_.get());
    const auto from = (begin + kept_buffer_bytes + page - 1) / page * page;
    const auto to = (begin + buffer_touched_) / page * page;
    if (to > from)
        ::madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
    buffer_touched_ = kept_buffer_bytes;
}

asio::awaitable<bool> connection::read_one(MSRPTransport& reader, IncomingChunk& out,
                                           std::optional<std::size_t> size, std::error_code& ec) {
    // A segment handed out narrows the Byte-Range to the bytes it carries.
    auto take_segment = [&](bool last) {
        IncomingChunk& c = partial_;
        ++c.segment;
        const auto whole = c.byte_range().value_or(ByteRange{1, ByteRange::unknown, ByteRange::unknown});
        ByteRange r{partial_body_start_, partial_body_start_ + c.data.size() - 1, whole.total};
        if (last && whole.end != ByteRange::unknown)
            r.end = whole.end;
        if (c.data.empty())
            r.end = r.start - 1;
        partial_body_start_ += c.data.size();
        std::string body = std::move(c.data);
        c.data.clear();
        out = c;
        out.data = std::move(body);
        out.set_byte_range(r);
        out.end_of_chunk = last;
        if (!last)
            out.contflag = contflag::more;
    };

    // Where the body bytes of the chunk being read go: `out` (a whole chunk
    // for the reader), `partial_` (the reader's chunk in segments),
    // `routed_` (a whole chunk for another session), or nowhere.
    IncomingChunk* work = nullptr;
    destination dest = destination::nobody;
    if (partial_active_) {
        work = &partial_;
        dest = partial_owner_ ? destination::reader : destination::nobody;
    }
    for (;;) {
        const std::string_view input(buffer_.get() + buffer_begin_, buffer_end_ - buffer_begin_);
        const auto r = parser_.parse(input);
        switch (r.event) {
        case parse_event::need_more: {
            // A segment goes out only when the next bytes are not there yet,
            // so a chunk that is complete in the buffer comes out whole.
            if (dest == destination::reader && work == &partial_ && size && partial_.data.size() > *size) {
                take_segment(false);
                co_return true;
            }
            // A session that left the connection stops between chunks.
            if (!work && reader.closed_) {
                ec = reader.closed_;
                co_return false;
            }
            std::error_code read_ec;
            co_await fill(reader.read_wait_hook_, read_ec);
            if (read_ec) {
                // A close in the middle of a chunk is a truncated chunk.
                const auto why = parser_.finish(buffer_end_ - buffer_begin_);
                fail(read_ec == asio::error::eof && why ? why : read_ec);
                ec = error_;
                co_return false;
            }
            continue;
        }
        case parse_event::head: {
            if (options_.logger)
                options_.logger->on_data(traffic_direction::in, stream_->info, input.substr(0, r.consumed), true);
            const auto& head = parser_.head();
            MSRPTransport* to = route(head, reader);
            if (to == &reader) {
                dest = destination::reader;
                if (size) {
                    partial_active_ = true;
                    partial_owner_ = &reader;
                    work = &partial_;
                } else {
                    work = &out;
                }
            } else {
                dest = to ? destination::other : destination::unknown;
                routed_to_ = to;
                work = &routed_;
            }
            copy_head(head, *work);
            work->segment = 0;
            work->end_of_chunk = true;
            work->answered = false;
            if (work == &partial_)
                partial_body_start_ = head.has_byte_range ? head.byte_range.start : 1;
            // One allocation for the body the Byte-Range announces (bounded:
            // the peer's number is only a hint), not one per doubling.
            if (head.has_byte_range && head.byte_range.end != ByteRange::unknown &&
                head.byte_range.end + 1 > head.byte_range.start) {
                const auto announced = head.byte_range.end + 1 - head.byte_range.start;
                const auto cap = work == &partial_ ? *size + 1 : options_.max_chunk_body_bytes;
                work->data.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(announced, cap)));
            }
            buffer_begin_ += r.consumed;
            continue;
        }
        case parse_event::body:
            if (options_.logger)
                options_.logger->on_data(traffic_direction::in, stream_->info, r.body, false);
            buffer_begin_ += r.consumed;
            if (dest == destination::nobody)
                continue; // the rest of a chunk whose session left
            if (work != &partial_ && work->data.size() + r.body.size() > options_.max_chunk_body_bytes) {
                fail(errc::body_too_large);
                ec = error_;
                co_return false;
            }
            work->data.append(r.body);
            continue;
        case parse_event::end:
            if (options_.logger && r.consumed)
                options_.logger->on_data(traffic_direction::in, stream_->info, input.substr(0, r.consumed), false);
            buffer_begin_ += r.consumed;
            work->contflag = parser_.continuation_flag();
            if (work == &partial_) {
                partial_active_ = false;
                partial_owner_ = nullptr;
            }
            switch (dest) {
            case destination::reader:
                if (work == &partial_) {
                    if (partial_.segment > 0) {
                        take_segment(true);
                    } else {
                        // Swapped, not moved: the next head is copied into
                        // buffers the reader's last chunk left, so a
                        // session that keeps its chunk (responses, most of
                        // all) reads without allocating.
                        using std::swap;
                        swap(out, partial_);
                    }
                }
                co_return true;
            case destination::nobody:
                partial_.data.clear();
                co_return false;
            case destination::other:
                // Its session may have left while the chunk was read.
                co_return hand_over(routed_to_ ? routed_to_ : fallback(reader), reader, out);
            case destination::unknown:
                if (unknown_session_ && unknown_session_(shared_from_this(), routed_))
                    co_return false;
                co_return hand_over(fallback(reader), reader, out);
            }
            co_return false;
        case parse_event::error:
            fail(r.ec);
            ec = r.ec;
            co_return false;
        }
    }
}

} // namespace msrp::detail
